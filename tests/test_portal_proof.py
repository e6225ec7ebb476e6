"""The proof of a page answer (issue 15, points 5 and 6): the responder (flagged when their
e-mail is not one of the letter's recipients), the history line, and the SHA-256 of the
message as sent and of the page as shown — in the details and in both exports."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from starlette.testclient import TestClient

from tests.portal_data import link_token, portal_on, sent_letters
from tui_mutabakat.data.outbox_models import Letter, LetterMessage
from tui_mutabakat.data.session import Database
from tui_mutabakat.data.tracking_models import AnswerAttachment, LetterAnswer
from tui_mutabakat.domain.errors import InvalidInput
from tui_mutabakat.portal.app import make_portal
from tui_mutabakat.screens.tracking.track_details import details_text
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.portal.files import UPLOAD_DIR, save_copy, store_file
from tui_mutabakat.services.tracking.letter_export import export_letters
from tui_mutabakat.services.tracking.tracking import letter_details


def _answer(client: TestClient, token: str, fields: dict[str, str]) -> None:
    page = client.get(f"/m/{token}").text
    found = re.search(r'name="form_token" value="([^"]+)"', page)
    assert found is not None
    sent = client.post(f"/m/{token}", data=fields | {"form_token": found.group(1)})
    assert sent.status_code == 303, sent.text


async def test_the_responder_and_the_hashes_are_in_the_details_and_the_exports(
    database: Database, actor: Actor, tmp_path: Path
) -> None:
    links = portal_on(database, tmp_path)
    [alfa, beta] = await sent_letters(database, actor, tmp_path)
    client = TestClient(
        make_portal(database, links, tmp_path, today=lambda: dt.date(2026, 12, 5)),
        follow_redirects=False,
        headers={"user-agent": "Firefox/140"},
    )
    # Alfa's answer comes from an address the letter was not sent to
    _answer(
        client,
        link_token(database, alfa.id),
        {
            "choice": "disagreed",
            "amount_TRY": "11.500,00",
            "side_TRY": "B",
            "name": "Ayşe Demir",
            "job": "Muhasebe Müdürü",
            "email": "ayse.demir@gmail.com",
        },
    )
    _answer(
        client,
        link_token(database, beta.id),
        {"choice": "agreed", "name": "Mehmet Kaya", "email": "MUHASEBE@beta.com.tr"},
    )
    with database.reader() as session:
        answers = {a.letter_id: a for a in session.scalars(select(LetterAnswer))}
        message = session.scalars(
            select(LetterMessage.message).where(LetterMessage.letter_id == alfa.id)
        ).one()
        text = details_text(letter_details(session, alfa.id))
        beta_text = details_text(letter_details(session, beta.id))
        batch_id = session.scalars(select(Letter.batch_id)).first()
    proof = answers[alfa.id]
    assert proof.sent_sha256 == hashlib.sha256(message).hexdigest()
    assert re.fullmatch(r"[0-9a-f]{64}", proof.shown_sha256)
    assert proof.foreign_sender and not answers[beta.id].foreign_sender
    # the details: who, from where, flagged, both hashes, the history line
    assert "Ayşe Demir, Muhasebe Müdürü <ayse.demir@gmail.com>, testclient" in text
    assert "gönderen mektubun alıcılarından biri değil" in text
    assert proof.sent_sha256 in text and proof.shown_sha256 in text
    assert "Yanıt sayfası: Ayşe Demir <ayse.demir@gmail.com>, testclient" in text
    assert "alıcılarından biri değil" not in beta_text
    assert batch_id is not None
    # the exports: a line per currency, the answer on each
    with database.reader() as session:
        export_letters(session, batch_id, tmp_path / "mektuplar.csv")
        export_letters(session, batch_id, tmp_path / "mektuplar.xlsx")
    with (tmp_path / "mektuplar.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    sheet = load_workbook(tmp_path / "mektuplar.xlsx").active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    book = [dict(zip(values[0], row, strict=True)) for row in values[1:]]
    for lines in (rows, book):
        by_key = {(r["Hesap kodu"], r["Döviz"]): r for r in lines}
        assert set(by_key) == {("120.001", "TL"), ("120.001", "USD"), ("120.002", "TL")}
        try_line = by_key[("120.001", "TL")]
        assert try_line["Yanıtlayan"] == "Ayşe Demir, Muhasebe Müdürü"
        assert try_line["Yanıtlayanın e-postası"] == "ayse.demir@gmail.com"
        assert try_line["Alıcı değil"] == "⚠"
        assert try_line["Yanıt kanalı"] == "yanıt sayfası"
        assert try_line["Yanıt adresi (IP)"] == "testclient"
        assert try_line["İleti SHA-256"] == proof.sent_sha256
        assert try_line["Sayfa SHA-256"] == proof.shown_sha256
        assert try_line["Onların B/A"] == "borç"
        usd_line = by_key[("120.001", "USD")]
        assert usd_line["Onların bakiyesi"] in ("", None)  # no USD figure in the answer
        assert usd_line["Sayfa SHA-256"] == proof.shown_sha256
        assert by_key[("120.002", "TL")]["Alıcı değil"] in ("", None)
    assert by_key[("120.001", "TL")]["Onların bakiyesi"] == 11500  # a number in the book
    assert by_key[("120.001", "TL")]["Fark"] == -500
    csv_line = {(r["Hesap kodu"], r["Döviz"]): r for r in rows}[("120.001", "TL")]
    assert (csv_line["Onların bakiyesi"], csv_line["Fark"]) == ("11.500,00", "-500,00")


def test_a_saved_copy_is_the_file_as_recorded_or_nothing(tmp_path: Path) -> None:
    stored = store_file(tmp_path, "../Ekstre Şubat.pdf", b"%PDF-1.4\n%%EOF\n")
    item = AnswerAttachment(
        answer_id=1,
        file_name=stored.file_name,
        stored_name=stored.stored_name,
        kind=stored.kind,
        size=stored.size,
        sha256=stored.sha256,
    )
    folder = tmp_path / "out"
    assert save_copy(tmp_path, item, folder) == folder / "Ekstre_Subat.pdf"
    assert save_copy(tmp_path, item, folder) == folder / "Ekstre_Subat-2.pdf"
    # the stored bytes changed since the answer: refused, nothing written
    (tmp_path / UPLOAD_DIR / stored.stored_name).write_bytes(b"%PDF-1.4\n% changed\n")
    with pytest.raises(InvalidInput, match="değişmiş"):
        save_copy(tmp_path, item, folder)
    # a stored name that is a path is never followed
    item.stored_name = "../../etc/passwd"
    with pytest.raises(InvalidInput):
        save_copy(tmp_path, item, folder)
    assert len(list(folder.iterdir())) == 2
