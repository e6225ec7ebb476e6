"""`mutabakat worker` and `mutabakat user set-smtp` through `cli.main`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.send_data import add_account, add_company, add_movement, configure_sender, write_batch
from tests.smtp_server import running_server
from tui_mutabakat import cli
from tui_mutabakat.config import os_login
from tui_mutabakat.data.models import User
from tui_mutabakat.data.outbox_models import Letter
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.enums import SmtpSecurity
from tui_mutabakat.domain.states import LetterState
from tui_mutabakat.services.context import resolve_actor
from tui_mutabakat.services.sending.compose import SendOptions

AS_OF = date(2026, 10, 31)
#: The command line acts as the login of the process's real user id.
ME = os_login()


@pytest.fixture
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No user configuration file; the outbox in the test's directory."""
    monkeypatch.setenv("MUTABAKAT_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("MUTABAKAT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MUTABAKAT_OUTBOX_DIR", str(tmp_path / "outbox"))
    monkeypatch.setenv("MUTABAKAT_USER", "tester")  # ignored: the CLI acts as the real login
    monkeypatch.delenv("MUTABAKAT_MAIL_BACKEND", raising=False)
    return tmp_path / "outbox"


def queue_batch(database: Database, letters: int) -> int:
    with database.unit_of_work() as session:
        actor = resolve_actor(session, ME)
        add_company(session)
        configure_sender(session, ME)
        keys = []
        for n in range(letters):
            account = add_account(
                session, f"320.{n:03d}", f"Tedarikçi {n}", emails=(f"t{n}@x.com.tr",)
            )
            add_movement(session, account, date(2026, 1, 5), credit=f"{500 + n}.50")
            keys.append((account.id, "TRY"))
    created = write_batch(database, actor, AS_OF, keys, SendOptions())
    assert created.batch_id is not None and created.letters == letters
    return created.batch_id


def url_of(database: Database) -> str:
    return database.engine.url.render_as_string(hide_password=False)


def test_worker_once_sends_a_queued_batch_to_the_file_backend(
    database: Database, environment: Path
) -> None:
    queue_batch(database, 3)
    assert cli.main(["--db", url_of(database), "worker", "--once", "--poll", "0.1"]) == 0
    files = sorted((environment / "new").glob("*.eml"))
    assert len(files) == 3
    with database.reader() as session:
        assert set(session.scalars(select(Letter.state))) == {LetterState.SENT}
    # a second run finds nothing due and writes nothing again
    assert cli.main(["--db", url_of(database), "worker", "--once"]) == 0
    assert sorted((environment / "new").glob("*.eml")) == files


def test_set_smtp_then_worker_delivers_over_smtp(
    database: Database, environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue_batch(database, 2)
    with running_server() as (server, port):
        code = cli.main(
            [
                "--db",
                url_of(database),
                "user",
                "set-smtp",
                "--login",
                ME,
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--security",
                "none",
                "--password-ref",
                "env:TEST_SMTP_PASS",
                "--from",
                "gonderen@ornek.com.tr",
            ]
        )
        assert code == 0
        with database.reader() as session:
            user = session.scalars(select(User).where(User.login == ME)).one()
            assert (user.smtp_host, user.smtp_port) == ("127.0.0.1", port)
            assert user.smtp_security is SmtpSecurity.NONE
            assert user.smtp_password_ref == "env:TEST_SMTP_PASS"
            assert user.from_address == "gonderen@ornek.com.tr"
        monkeypatch.setenv("MUTABAKAT_MAIL_BACKEND", "smtp")
        monkeypatch.setenv("TEST_SMTP_PASS", "unused-without-login")
        assert cli.main(["--db", url_of(database), "worker", "--once"]) == 0
        assert server.count() == 2
    assert not (environment / "new").exists()


def test_set_smtp_refuses_a_password_instead_of_a_reference(
    database: Database, environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with database.unit_of_work() as session:
        resolve_actor(session, ME)
    code = cli.main(
        [
            "--db",
            url_of(database),
            "user",
            "set-smtp",
            "--login",
            ME,
            "--host",
            "smtp.ornek.com.tr",
            "--password-ref",
            "gizli123",
        ]
    )
    assert code == 1
    assert "env:" in capsys.readouterr().err
    with database.reader() as session:
        user = session.scalars(select(User).where(User.login == ME)).one()
        assert user.smtp_host == "" and user.smtp_password_ref == ""


@pytest.mark.parametrize(
    ("argv", "wanted", "unwanted"),
    [
        (["--lang", "en", "send", "--help"], "as-of date", "mutabakat tarihi"),
        (["send", "--help"], "mutabakat tarihi", "as-of date"),
    ],
)
def test_send_help_is_in_the_language_asked_for(
    environment: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    wanted: str,
    unwanted: str,
) -> None:
    """`--lang` takes effect before the parsers' help texts are made (issue 11.11)."""
    from tui_mutabakat.i18n import set_language

    try:
        with pytest.raises(SystemExit) as done:
            cli.main(argv)
    finally:
        set_language("tr")
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert wanted in out and unwanted not in out, out


def test_the_settings_language_sets_the_help_language(
    environment: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tui_mutabakat.i18n import set_language

    monkeypatch.setenv("MUTABAKAT_LANGUAGE", "en")
    try:
        with pytest.raises(SystemExit):
            cli.main(["send", "--help"])
    finally:
        set_language("tr")
    assert "as-of date" in capsys.readouterr().out
