"""The evidence pack for the auditor (issue 16 point 2, SPEC F1): per letter and per batch,
owner-only, read back with pdftotext; through the service and `mutabakat report batch`."""

from __future__ import annotations

import hashlib
import stat
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from textual.widgets import OptionList

from tests.mail_samples import Original, plain_reply
from tests.pilot_keys import press
from tests.portal_data import portal_on, sent_letters
from tests.send_data import add_account, add_company, add_movement, configure_sender, write_batch
from tests.test_letter_pdf import needs_poppler, pdf_text
from tui_mutabakat.app import MutabakatApp
from tui_mutabakat.cli import main
from tui_mutabakat.config import Settings
from tui_mutabakat.data.outbox_models import Letter, LetterMessage
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.errors import InvalidInput
from tui_mutabakat.domain.states import LetterState
from tui_mutabakat.mail.reply_text import AnswerKind
from tui_mutabakat.screens.dialogs.action_menu import ActionMenu
from tui_mutabakat.screens.tracking.track_batches import TrackBatchesScreen
from tui_mutabakat.screens.tracking.track_letters import TrackLettersScreen
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.portal.answers import Responder, record_web_answer
from tui_mutabakat.services.portal.files import UPLOAD_DIR, store_file
from tui_mutabakat.services.reports.evidence import write_batch_evidence, write_letter_evidence
from tui_mutabakat.services.sending.compose import SendOptions
from tui_mutabakat.services.sending.worker import send_batch
from tui_mutabakat.services.tracking.intake import process_message

AS_OF = date(2026, 11, 30)


async def _answered_batch(database: Database, actor: Actor, tmp_path: Path) -> tuple[int, int]:
    """A batch of two letters, sent to the file backend; one answered 'not agreed'."""
    with database.unit_of_work() as session:
        add_company(session)
        configure_sender(session, actor.login)
        first = add_account(session, "120.001", "Çağlayan Şeker Ltd", emails=("m@alfa.com.tr",))
        add_movement(session, first, date(2026, 10, 1), debit="12000")
        add_movement(session, first, date(2026, 10, 2), credit="3000", currency="USD")
        second = add_account(session, "120.002", "Işık Gıda", emails=("b@isik.com.tr",))
        add_movement(session, second, date(2026, 10, 3), debit="500")
        session.flush()
        keys = [(first.id, "TRY"), (second.id, "TRY")]
    created = write_batch(database, actor, AS_OF, keys, SendOptions())
    assert created.batch_id is not None and created.letters == 2
    url = database.engine.url.render_as_string(hide_password=False)
    settings = Settings(data_dir=tmp_path, database_url=url, mail_backend="file")
    await send_batch(database, settings, created.batch_id)
    with database.reader() as session:
        letter = session.scalars(select(Letter).order_by(Letter.id)).first()
        assert letter is not None and letter.state is LetterState.SENT
        original = Original(
            letter.subject, letter.message_id, letter.token, "s@x.tr", "m@alfa.com.tr"
        )
        letter_id = letter.id
    reply = "Mutabık değiliz: bizde 11.500,00 TL borç, 3.000,00 USD alacak görünüyor."
    with database.unit_of_work() as session:
        process_message(session, plain_reply(original, reply))
    return created.batch_id, letter_id


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@needs_poppler
async def test_a_letters_evidence_holds_what_was_sent_its_hash_the_answer_and_history(
    any_database: Database, any_actor: Actor, tmp_path: Path
) -> None:
    _batch, letter_id = await _answered_batch(any_database, any_actor, tmp_path)
    out = tmp_path / "kanit"
    with any_database.reader() as session:
        path = write_letter_evidence(session, letter_id, out, data_dir=tmp_path)
        raw = session.get(LetterMessage, letter_id)
        assert raw is not None
        digest = hashlib.sha256(raw.message).hexdigest()
    assert _mode(out) == 0o700 and _mode(path) == 0o600
    text = pdf_text(path.read_bytes(), tmp_path)
    flat = " ".join(text.split())
    assert "120.001 — Çağlayan Şeker Ltd" in flat
    assert digest in flat
    assert "Alıcılar" in flat and "m@alfa.com.tr" in flat
    assert "12.000,00 TL B · 3.000,00 USD A" in flat  # our balance
    assert "Şirketimiz nezdindeki cari hesabınız" in flat  # the letter's text as sent
    assert "Dosyaya yazıldı" in flat  # the (file) backend's answer to the delivery
    assert "Geri dönenler" in flat and "bounce" not in flat  # in Turkish only
    assert "Yanıtlar" in flat and "Mutabık değil · m@alfa.com.tr" in flat  # the responder
    assert "11.500,00 B" in flat and "fark -500,00" in flat
    assert "Mutabık değiliz: bizde 11.500,00 TL borç" in flat
    assert "Kuyrukta -> Gönderiliyor" in flat or "— -> Kuyrukta" in flat  # the history
    assert "Gönderildi -> Mutabık" in flat  # to "Mutabık değil", the cell wraps


PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@needs_poppler
async def test_a_page_answer_shows_its_responder_proof_and_files(
    any_database: Database, any_actor: Actor, tmp_path: Path
) -> None:
    """An answer given through the portal service with files: the letter's evidence lists
    the responder, the hashes the page kept, and each file with its name, size, type and
    SHA-256 — and says so when a stored file is gone or no longer the same."""
    portal_on(any_database, tmp_path)
    [alfa, _beta] = await sent_letters(any_database, any_actor, tmp_path)
    kept = store_file(tmp_path, "../Ekstre Ağustos.pdf", PDF)
    changed = store_file(tmp_path, "mizan.csv", b"hesap;tutar\n120.001;11500\n")
    gone = store_file(tmp_path, "fatura.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    shown = hashlib.sha256(b"the page as shown").hexdigest()
    with any_database.unit_of_work() as session:
        letter = session.get(Letter, alfa.id)
        assert letter is not None
        answer = record_web_answer(
            session,
            letter,
            AnswerKind.DISAGREED,
            {"TRY": (Decimal("11500"), "B"), "USD": (Decimal("3000"), "A")},
            "Fatura 2026/118 bizde yok.",
            Responder("Ayşe Demir", "ayse@alfa.com.tr", "Muhasebe Müdürü", "", "85.105.1.2"),
            shown,
            files=[kept, changed, gone],
        )
        sent = answer.sent_sha256
    assert len(sent) == 64
    (tmp_path / UPLOAD_DIR / changed.stored_name).write_bytes(b"hesap;tutar\n120.001;1\n")
    (tmp_path / UPLOAD_DIR / gone.stored_name).unlink()
    with any_database.reader() as session:
        path = write_letter_evidence(session, alfa.id, tmp_path / "kanit", data_dir=tmp_path)
    flat = " ".join(pdf_text(path.read_bytes(), tmp_path).split())
    assert "Mutabık değil · ayse@alfa.com.tr" in flat and "Kanal yanıt sayfası" in flat
    assert "Yanıtlayan Ayşe Demir, Muhasebe Müdürü" in flat
    assert "IP adresi 85.105.1.2" in flat
    assert f"İleti SHA-256 {sent}" in flat and f"Sayfa SHA-256 {shown}" in flat
    assert f"Ek Ekstre_Agustos.pdf · {len(PDF)} bayt · application/pdf" in flat
    assert f"SHA-256 {hashlib.sha256(PDF).hexdigest()}" in flat
    assert f"Ek mizan.csv · {changed.size} bayt · text/csv" in flat
    now = hashlib.sha256(b"hesap;tutar\n120.001;1\n").hexdigest()
    assert f"SHA-256 {changed.sha256}" in flat
    assert f"Dosya dosya değişmiş, şimdiki SHA-256: {now}" in flat
    assert f"Ek fatura.png · {gone.size} bayt · image/png" in flat
    assert f"Dosya dosya bulunamadı: {gone.stored_name}" in flat


@needs_poppler
async def test_the_batch_pack_summary_pdf_and_xlsx(
    any_database: Database, any_actor: Actor, tmp_path: Path
) -> None:
    batch_id, _letter = await _answered_batch(any_database, any_actor, tmp_path)
    out = tmp_path / "paket"
    out.mkdir(mode=0o755)  # an existing, too open folder is closed
    with any_database.reader() as session:
        written = write_batch_evidence(session, batch_id, out, data_dir=tmp_path)
    assert _mode(out) == 0o700 and _mode(out / "mektuplar") == 0o700
    assert len(written) == 4 and all(_mode(p) == 0o600 for p in written)
    summary = " ".join(pdf_text((out / f"ozet_{batch_id}.pdf").read_bytes(), tmp_path).split())
    assert "Toplu gönderim özeti" in summary
    assert "Yanıt oranı %50,0" in summary
    assert "Işık Gıda" in summary and "500,00 TL B" in summary
    assert "11.500,00 TL B · 3.000,00" in summary and "-500,00 TL · 0,00 USD" in summary
    book = load_workbook(out / f"ozet_{batch_id}.xlsx")
    rows = list(book.worksheets[1].iter_rows(values_only=True))
    assert rows[1][1:4] == ("120.001", "Çağlayan Şeker Ltd", "Mutabık değil")
    assert rows[1][6] == "-500,00 TL · 0,00 USD"


async def test_the_report_command_writes_the_pack(
    database: Database, actor: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch_id, _letter = await _answered_batch(database, actor, tmp_path)
    monkeypatch.setenv("MUTABAKAT_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("MUTABAKAT_DATA_DIR", str(tmp_path))
    url = database.engine.url.render_as_string(hide_password=False)
    out = tmp_path / "cli"
    assert main(["--db", url, "report", "batch", str(batch_id), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "mektuplar",
        f"ozet_{batch_id}.pdf",
        f"ozet_{batch_id}.xlsx",
    ]
    assert len(list((out / "mektuplar").iterdir())) == 2
    assert main(["--db", url, "report", "batch", "999", "--out", str(out)]) == 1


def test_an_unknown_letter_or_batch_is_refused(database: Database, tmp_path: Path) -> None:
    with database.reader() as session, pytest.raises(InvalidInput):
        write_batch_evidence(session, 12345, tmp_path / "x", data_dir=tmp_path)
    with database.reader() as session, pytest.raises(InvalidInput):
        write_letter_evidence(session, 12345, tmp_path / "x", data_dir=tmp_path)


async def test_keys_write_the_batch_pack_and_a_letters_evidence(
    app: MutabakatApp, database: Database, actor: Actor, settings: Settings
) -> None:
    """Pilot, 80×24: F6 on the batch screen writes the pack; F9 → "Kanıt dosyası" on a
    letter writes its PDF; both under `<data>/kanit`, owner-only."""
    batch_id, _letter = await _answered_batch(database, actor, settings.data_dir)
    root = Path(settings.data_dir) / "kanit"
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "f2")
        assert isinstance(app.screen, TrackBatchesScreen)
        await press(pilot, "f6")
        [pack] = list(root.iterdir())
        assert pack.name.startswith(f"toplu-{batch_id}-") and _mode(pack) == 0o700
        assert (pack / f"ozet_{batch_id}.xlsx").exists()
        await press(pilot, "enter")
        assert isinstance(app.screen, TrackLettersScreen)
        await press(pilot, "f9")
        menu = app.screen
        assert isinstance(menu, ActionMenu)
        options = menu.query_one(OptionList)
        options.highlighted = options.get_option_index("evidence")
        await press(pilot, "enter")
        assert isinstance(app.screen, TrackLettersScreen)
    [letters] = [p for p in root.iterdir() if p.name.startswith("mektup-")]
    [pdf] = list(letters.iterdir())
    assert pdf.name == "mektup_1_120.001.pdf" and _mode(pdf) == 0o600
