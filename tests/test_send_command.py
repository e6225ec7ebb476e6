"""`mutabakat send` through the real command line (`cli.main`, and once as a process):
criteria, checks, the duplicate guard, the error list, the exit status (SPEC D1–D7)."""

from __future__ import annotations

import email
import email.policy
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.send_data import add_account, add_company, add_movement, configure_sender
from tests.smtp_server import running_server
from tui_mutabakat import cli
from tui_mutabakat.cli_send import send_main
from tui_mutabakat.config import load_settings, os_login
from tui_mutabakat.data.models import Company, User
from tui_mutabakat.data.outbox_models import Letter, ReconciliationBatch
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.dates import local_today
from tui_mutabakat.domain.states import LetterState
from tui_mutabakat.services.context import resolve_actor

OLD = date(2026, 3, 1)
AS_OF = "30.09.2026"

#: The command line acts as the login of the real user id running the tests.
LOGIN = os_login()


@pytest.fixture
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No user configuration file; the outbox in the test's directory."""
    monkeypatch.setenv("MUTABAKAT_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("MUTABAKAT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MUTABAKAT_OUTBOX_DIR", str(tmp_path / "outbox"))
    monkeypatch.delenv("MUTABAKAT_MAIL_BACKEND", raising=False)
    return tmp_path / "outbox"


def url_of(database: Database) -> str:
    return database.engine.url.render_as_string(hide_password=False)


def make_accounts(database: Database, *, port: int | None = None) -> dict[str, int]:
    """120.001 TRY and USD, 120.002 a broken address (TRY and EUR), 120.003 zero, 120.004
    one good and one broken address, 320.001 outside the code range."""
    with database.unit_of_work() as session:
        resolve_actor(session, LOGIN)
        add_company(session)
        configure_sender(session, LOGIN, host="127.0.0.1" if port else "", port=port)
        good = add_account(session, "120.001", "Anadolu Gıda", emails=("ali@anadolu.com.tr",))
        add_movement(session, good, OLD, debit="2000.00")
        add_movement(session, good, OLD, debit="150.00", currency="USD")
        broken = add_account(session, "120.002", "Bozuk Adres Ltd", emails=("bozuk@adres",))
        add_movement(session, broken, OLD, debit="100.00")
        add_movement(session, broken, OLD, debit="40.00", currency="EUR")
        zero = add_account(session, "120.003", "Sıfır Ticaret", emails=("s@sifir.com.tr",))
        add_movement(session, zero, OLD, debit="10.00")
        add_movement(session, zero, OLD, credit="10.00")
        mixed = add_account(
            session, "120.004", "Karma Ltd", emails=("iyi@karma.com.tr", "kotu@karma")
        )
        add_movement(session, mixed, OLD, credit="75.25")
        other = add_account(session, "320.001", "Tedarikçi", emails=("t@tedarik.com.tr",))
        add_movement(session, other, OLD, credit="500.00")
        return {a.code: a.id for a in (good, broken, zero, mixed, other)}


def send(database: Database, *args: str) -> int:
    return cli.main(["--db", url_of(database), "send", "--as-of", AS_OF, *args])


def eml_files(outbox: Path) -> list[Path]:
    return sorted((outbox / "new").glob("*.eml"))


def letter_text(path: Path) -> str:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def live_letters(database: Database) -> int:
    with database.reader() as session:
        statement = select(func.count()).where(
            Letter.state.not_in((LetterState.CANCELLED, LetterState.FAILED))
        )
        return int(session.scalar(statement.select_from(Letter)) or 0)


def test_send_delivers_prints_the_summary_and_the_grouped_error_list(
    database: Database, environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_accounts(database)
    assert send(database, "--codes", "120.001..120.999") == 0
    out = capsys.readouterr().out
    # One letter per account: 120.001 (its TRY and USD in one letter) and 120.004;
    # 320.001 is outside the codes.
    assert len(eml_files(environment)) == 2
    assert "Gönderildi: 2" in out and "Atlandı: 2" in out
    assert "Düzeltilecek hatalar (mektup yazılmadı): 1" in out
    assert "120.002 Bozuk Adres Ltd TL/EUR" in out
    assert "Sıfır bakiyeliler (seçenek gereği atlandı): 1" in out
    assert "Atlanan geçersiz adresler (mektup diğer adreslere gitti): 1" in out
    assert "120.004 Karma Ltd TL" in out and "kotu@karma" in out
    texts = [letter_text(path) for path in eml_files(environment)]
    both = [text for text in texts if "150,00" in text]
    assert len(both) == 1 and "2.000,00" in both[0]  # TRY and USD in one letter
    with database.reader() as session:
        batch = session.scalars(select(ReconciliationBatch)).one()
        assert batch.as_of == date(2026, 9, 30)
        assert batch.criteria and "120.999" in batch.criteria
        assert not batch.per_currency


def test_per_currency_sends_a_letter_per_account_and_currency(
    database: Database, environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_accounts(database)
    assert send(database, "--codes", "120.001..120.999", "--per-currency") == 0
    out = capsys.readouterr().out
    # 120.001 TRY, 120.001 USD and 120.004: three letters
    assert len(eml_files(environment)) == 3
    assert "Gönderildi: 3" in out and "Atlandı: 3" in out
    assert "Düzeltilecek hatalar (mektup yazılmadı): 2" in out
    assert "120.002 Bozuk Adres Ltd TL" in out and "120.002 Bozuk Adres Ltd EUR" in out
    with database.reader() as session:
        assert session.scalars(select(ReconciliationBatch)).one().per_currency


def test_a_second_send_for_the_date_skips_live_letters_unless_again(
    database: Database, environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_accounts(database)
    assert send(database, "--codes", "120.001..120.001") == 0
    assert len(eml_files(environment)) == 1  # TRY and USD in one letter
    capsys.readouterr()
    # the same rows again: nothing new is sent, and the command says why, exit 1
    assert send(database, "--codes", "120.001..120.001") == 1
    captured = capsys.readouterr()
    assert "1 hesabın bu tarih için mektubu var" in captured.out + captured.err
    assert len(eml_files(environment)) == 1
    assert live_letters(database) == 1
    # a wider range: the account with its letter is skipped, the new one goes
    assert send(database, "--codes", "120.001..120.004") == 0
    out = capsys.readouterr().out
    assert "1 hesabın bu tarih için mektubu var; atlandı" in out
    # the list keeps a row per currency of the account that has its letter
    assert "Bu tarih için mektubu olanlar (ikinci mektup yazılmadı): 2" in out
    assert len(eml_files(environment)) == 2  # 120.004 only
    # --again: a second letter on purpose
    assert send(database, "--codes", "120.001..120.001", "--again", "--yes") == 0
    assert len(eml_files(environment)) == 3
    assert live_letters(database) == 3
    # another date is another reconciliation
    code = cli.main(
        ["--db", url_of(database), "send", "--as-of", "31.08.2026", "--codes", "120.001.."]
    )
    assert code == 0


def test_the_question_on_a_terminal(
    database: Database, environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_accounts(database)
    assert send(database, "--codes", "120.001..120.001") == 0
    settings = load_settings().with_database(url_of(database))
    args = cli._parser().parse_args(["send", "--as-of", AS_OF, "--codes", "120.001..120.001"])
    questions: list[str] = []

    def answer(text: str) -> int:
        def ask(question: str) -> str:
            questions.append(question)
            return text

        return send_main(settings, args, ask=ask)

    assert answer("v") == 1  # gave up: nothing written
    assert "Atla (A), yine gönder (Y), vazgeç (V)" in questions[0]
    assert answer("") == 1  # the default skips them
    assert live_letters(database) == 1
    assert answer("y") == 0  # send again
    assert live_letters(database) == 2
    assert len(eml_files(environment)) == 2


def test_queue_only_leaves_the_letters_for_the_worker(
    database: Database, environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_accounts(database)
    assert send(database, "--codes", "120.004..120.004", "--queue-only", "--open-items") == 0
    assert "1 mektup kuyruğa yazıldı" in capsys.readouterr().out
    assert not eml_files(environment)
    with database.reader() as session:
        letter = session.scalars(select(Letter)).one()
        assert letter.state is LetterState.QUEUED
        batch = session.get(ReconciliationBatch, letter.batch_id)
        assert batch is not None and batch.open_items
    assert cli.main(["--db", url_of(database), "worker", "--once", "--poll", "0.1"]) == 0
    assert len(eml_files(environment)) == 1
    # queued counts as live: a second send for the date asks first (skipped here)
    assert send(database, "--codes", "120.004..120.004", "--queue-only") == 1


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--as-of", "31.13.2026"], "--as-of: tarihi gün.ay.yıl"),
        (["--as-of", "31.12.9999"], "--as-of: Tarih 01.01.1900 ile 31.12.2199 arasında"),
        (["--as-of", AS_OF, "--balance", "above:çok"], "--balance above"),
        (["--as-of", AS_OF, "--balance", "above:1e30"], "--balance above: tutar"),
        (["--as-of", AS_OF, "--balance", "some"], "--balance: all, nonzero"),
        (["--as-of", AS_OF, "--currency", "XYZ"], "--currency: TRY"),
        (["--as-of", AS_OF, "--answer-by", "01.09.2026"], "--answer-by: geçerlilik"),
        (["--as-of", AS_OF, "--template", "yok"], "--template: 'yok' yok"),
    ],
)
def test_wrong_arguments_are_refused_with_exit_2(
    database: Database,
    environment: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    expected: str,
) -> None:
    make_accounts(database)
    assert cli.main(["--db", url_of(database), "send", *args]) == 2
    assert expected in capsys.readouterr().err
    assert live_letters(database) == 0


def test_a_past_answer_by_date_is_refused(
    database: Database, environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """As in the send dialog: an answer-by date already gone is refused, even after the
    as-of date (issue 11.17)."""
    make_accounts(database)
    yesterday = (local_today() - timedelta(days=1)).strftime("%d.%m.%Y")
    args = ["--as-of", "01.01.2020", "--answer-by", yesterday]
    assert cli.main(["--db", url_of(database), "send", *args]) == 2
    assert "geçmiş bir gün olamaz" in capsys.readouterr().err
    assert live_letters(database) == 0


def test_nothing_selected_or_nothing_sendable_exits_1(
    database: Database, environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_accounts(database)
    assert send(database, "--codes", "999..999") == 1
    assert "Bu kriterlere uyan hesap yok." in capsys.readouterr().err
    assert send(database, "--codes", "120.002..120.003") == 1  # a bad address, a zero
    out = capsys.readouterr().out
    assert "Gönderildi: 0" in out and "Bozuk Adres" in out
    assert not eml_files(environment)


def test_criteria_narrow_like_the_form(
    database: Database, environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_accounts(database)
    assert send(database, "--currency", "USD") == 0  # only 120.001's USD row
    assert len(eml_files(environment)) == 1
    assert send(database, "--balance", "credit", "--include-zero", "--again") == 0
    with database.reader() as session:
        codes = sorted(session.scalars(select(Letter.account_code)))
    assert codes == ["120.001", "120.004", "320.001"]


def test_send_over_smtp_counted_at_the_server(
    database: Database, environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_server() as (server, port):
        make_accounts(database, port=port)
        monkeypatch.setenv("MUTABAKAT_MAIL_BACKEND", "smtp")
        assert send(database, "--codes", "120.001..120.999", "--statement", "--yes") == 0
        assert server.count() == 2  # one letter per account
        assert send(database, "--codes", "120.001..120.999", "--yes") == 1
        assert server.count() == 2
    assert not (environment / "new").exists()


def test_the_command_as_a_process(database: Database, tmp_path: Path) -> None:
    make_accounts(database)
    env = {
        **os.environ,
        "MUTABAKAT_CONFIG": str(tmp_path / "none.toml"),
        "MUTABAKAT_DATA_DIR": str(tmp_path),
        "MUTABAKAT_OUTBOX_DIR": str(tmp_path / "outbox"),
    }
    env.pop("MUTABAKAT_MAIL_BACKEND", None)
    command = [sys.executable, "-m", "tui_mutabakat", "--db", url_of(database), "send"]
    done = subprocess.run(
        [*command, "--as-of", AS_OF, "--codes", "120.004..120.004"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Gönderildi: 1" in done.stdout
    assert len(eml_files(tmp_path / "outbox")) == 1
    again = subprocess.run(
        [*command, "--as-of", AS_OF, "--codes", "120.004..120.004"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert again.returncode == 1
    assert "mektubu var" in again.stdout + again.stderr
    helped = subprocess.run(
        [*command, "--help"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert helped.returncode == 0 and "--queue-only" in helped.stdout


def test_without_a_sender_address_nothing_is_written_and_exit_1(
    database: Database, environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_accounts(database)
    with database.unit_of_work() as session:
        user = session.scalars(select(User).where(User.login == LOGIN)).one()
        user.from_address = ""
        company = session.scalars(select(Company)).one()
        company.email = ""
    assert send(database) == 1
    assert "Gönderen e-posta adresi" in capsys.readouterr().err
    assert live_letters(database) == 0
    with database.reader() as session:
        assert not session.scalars(select(ReconciliationBatch)).all()
