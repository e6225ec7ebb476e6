"""The letter as a PDF (issue 16 point 1, SPEC F1): read back with pdftotext (Debian's
poppler-utils, installed by scripts/test.sh), attached to the e-mail beside the statement."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import shutil
import subprocess
import time
from datetime import date
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.portal_data import portal_on
from tests.send_data import add_account, add_company, add_movement, configure_sender, write_batch
from tui_mutabakat.data.outbox_models import Letter, LetterMessage, ReconciliationBatch
from tui_mutabakat.data.session import Database
from tui_mutabakat.mail.letter_pdf import letter_pdf, pdf_name
from tui_mutabakat.mail.templates import sample_facts
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.sending.compose import SendOptions
from tui_mutabakat.services.sending.error_list import batch_options

AS_OF = date(2026, 11, 30)

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed"
)


def pdf_text(data: bytes, tmp_path: Path, name: str = "x.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    )
    return out.stdout


def _flat(text: str) -> str:
    return " ".join(text.split())


def _facts_with_items(count: int = 20) -> object:
    facts = sample_facts()
    item = facts.balances[0].open_items[0]
    items = tuple(
        dataclasses.replace(item, doc_no=f"A-{n:04d}", description="Şişli İğdır şubesi çöğü")
        for n in range(count)
    )
    first = dataclasses.replace(facts.balances[0], open_items=items)
    return dataclasses.replace(facts, balances=(first, facts.balances[1]))


@needs_poppler
def test_the_pdf_reads_back_in_turkish_with_the_amounts(tmp_path: Path) -> None:
    facts = sample_facts()
    account = dataclasses.replace(facts.account, title="Güneş Çiğdem Işık Ödül Ürün Ltd. Şti.")
    facts = dataclasses.replace(facts, account=account)
    text = _flat(pdf_text(letter_pdf(facts, "tr"), tmp_path))
    assert "Örnek Ticaret A.Ş." in text and "İstanbul" in text
    assert "Sayın Güneş Çiğdem Işık Ödül Ürün Ltd. Şti." in text
    assert "Konu: 31.12.2026 tarihli cari hesap mutabakatı" in text
    assert "2.501,00 TL" in text and "310,25 USD" in text
    assert "MUTABIK DEĞİLİZ" in text and "15.01.2027" in text
    assert "MTB-ORNEK0000000" in text
    assert "31.12.2026 tarihinde açık kalemler (TL)" in text
    assert "03.11.2026 Satış faturası A-0003 Örnek fatura 03.12.2026 1.250,50 B" in text
    assert "ekstre.csv" in text and "Hata ve unutma müstesnadır." in text
    assert set("şğıİüöçŞĞÜÖÇ") <= set(text)


@needs_poppler
def test_the_answer_page_link_is_under_the_instructions(tmp_path: Path) -> None:
    facts = sample_facts()
    url = "https://mutabakat.ornek.com.tr/m/ORNEK"
    assert facts.answer_url == url
    turkish = pdf_text(letter_pdf(facts, "tr"), tmp_path)
    assert f"Yanıt sayfası: {url}" in _flat(turkish)
    # below the answer instructions and the reference, above the closing words
    assert turkish.index("MUTABIK DEĞİLİZ") < turkish.index("Yanıt sayfası:")
    assert turkish.index("Yanıt sayfası:") < turkish.index("Saygılarımızla")
    english = _flat(pdf_text(letter_pdf(facts, "en"), tmp_path))
    assert f"Answer page: {url}" in english
    without = _flat(pdf_text(letter_pdf(dataclasses.replace(facts, answer_url=""), "tr"), tmp_path))
    assert "Yanıt sayfası" not in without and "/m/" not in without


@needs_poppler
async def test_a_sent_letters_pdf_carries_its_own_link(
    any_database: Database, any_actor: Actor, tmp_path: Path
) -> None:
    """With the portal on, the PDF attached to a letter the product sent holds the link
    that letter's text holds."""
    links = portal_on(any_database, tmp_path)
    with any_database.unit_of_work() as session:
        add_company(session)
        configure_sender(session, any_actor.login)
        account = add_account(session, "120.001", "Çağrı Şeker Ltd", emails=("a@alfa.com.tr",))
        add_movement(session, account, date(2026, 10, 1), debit="12000")
        session.flush()
        options = SendOptions(attach_pdf=True, answer_by=date(2026, 12, 20))
    created = write_batch(any_database, any_actor, AS_OF, [(account.id, "TRY")], options)
    with any_database.reader() as session:
        [raw] = session.scalars(select(LetterMessage))
        [letter] = session.scalars(select(Letter))
        url = links.url(letter.token, date(2026, 12, 20))
    assert created.letters == 1
    message = email.message_from_bytes(raw.message, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    [attachment] = list(message.iter_attachments())
    data = attachment.get_content()
    assert isinstance(data, bytes)
    # A link longer than a line goes on after the label, cut where the line is full.
    assert f"Yanıtsayfası:{url}" in "".join(pdf_text(data, tmp_path).split())
    body = message.get_body(("plain",))
    assert body is not None and url in str(body.get_content())


@needs_poppler
def test_many_open_items_flow_onto_numbered_pages(tmp_path: Path) -> None:
    text = pdf_text(letter_pdf(_facts_with_items(60), "en"), tmp_path)  # type: ignore[arg-type]
    assert "Page 1/2" in text and "Page 2/2" in text
    assert "A-0059" in text and "Şişli İğdır şubesi çöğü" in text
    assert "Items open on 31.12.2026 (TL)" in text


def test_a_letter_with_twenty_items_renders_fast() -> None:
    """Issue 16 asks ≥ 100 letters/s; measured ~190/s on the 2-core machine. The bound
    here is loose (shared CI machines) but catches a return to per-letter font work."""
    facts = _facts_with_items()
    letter_pdf(facts, "tr")  # type: ignore[arg-type]  # the font subset, once per process
    started = time.perf_counter()
    for _ in range(20):
        letter_pdf(facts, "tr")  # type: ignore[arg-type]
    assert time.perf_counter() - started < 2.0


def test_pdf_names() -> None:
    assert pdf_name("120.001", AS_OF) == "Mutabakat_120.001_20261130.pdf"
    assert pdf_name("120 Ş/1", AS_OF, "USD") == "Mutabakat_120_1_USD_20261130.pdf"


@needs_poppler
def test_the_send_option_attaches_the_pdf_beside_the_statement(
    any_database: Database, any_actor: Actor, tmp_path: Path
) -> None:
    with any_database.unit_of_work() as session:
        add_company(session)
        configure_sender(session, any_actor.login)
        account = add_account(session, "120.001", "Çağrı Şeker Ltd", emails=("a@alfa.com.tr",))
        add_movement(session, account, date(2026, 10, 1), debit="12000", doc_no="F1")
        add_movement(session, account, date(2026, 10, 5), credit="3000", currency="USD")
        session.flush()
        options = SendOptions(attach_statement=True, attach_pdf=True, open_items=True)
    created = write_batch(any_database, any_actor, AS_OF, [(account.id, "TRY")], options)
    assert created.letters == 1
    with any_database.reader() as session:
        [raw] = session.scalars(select(LetterMessage))
        [batch] = session.scalars(select(ReconciliationBatch))
        assert batch.attach_pdf and batch_options(batch).attach_pdf
        message = email.message_from_bytes(raw.message, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    attachments = list(message.iter_attachments())
    assert [a.get_filename() for a in attachments] == [
        "ekstre_120.001.csv",
        "Mutabakat_120.001_20261130.pdf",
    ]
    assert attachments[1].get_content_type() == "application/pdf"
    data = attachments[1].get_content()
    assert isinstance(data, bytes) and data.startswith(b"%PDF-")
    text = _flat(pdf_text(data, tmp_path))
    assert "Sayın Çağrı Şeker Ltd" in text
    assert "12.000,00 TL" in text and "3.000,00 USD" in text
    assert "01.10.2026 Satış faturası F1" in text
    assert "ekstre_120.001.csv" in text
    assert message.get_body(("plain",)) is not None
