"""The mailbox reader, without a server: classification, numbers, quotes, bounces."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.mail_samples import (
    Original,
    auto_reply,
    exchange_dsn,
    exim_bounce,
    gmail_html_alternative,
    html_reply,
    plain_reply,
    postfix_dsn,
    spam,
)
from tui_mutabakat.mail.answers import MessageKind, read_message
from tui_mutabakat.mail.reply_text import (
    AnswerKind,
    classify,
    find_balance,
    html_to_text,
    new_text,
    parse_number,
)

TOKEN = "MTB-0123456789AB"
ORIG = Original(
    f"Cari hesap mutabakatı 31.12.2026 [{TOKEN}]",
    "<mutabakat.mtb-0123456789ab.1700000000.abcdef@ornek.com.tr>",
    TOKEN,
    "mutabakat@ornek.com.tr",
    "ali@alfa.com.tr",
)


@pytest.mark.parametrize(
    ("text", "kind", "balance", "side"),
    [
        ("Mutabıkız.", AnswerKind.AGREED, None, ""),
        ("mutabikiz", AnswerKind.AGREED, None, ""),
        ("MUTABIKIZ", AnswerKind.AGREED, None, ""),
        ("Agreed, thanks.", AnswerKind.AGREED, None, ""),
        ("We agree with the balance.", AnswerKind.AGREED, None, ""),
        ("Onaylıyoruz.", AnswerKind.AGREED, None, ""),
        ("Mutabık değiliz. Bakiye 12.345,67 TL", AnswerKind.DISAGREED, "12345.67", ""),
        ("mutabik degiliz 12,345.67 A", AnswerKind.DISAGREED, "12345.67", "A"),
        ("MUTABIK DEĞİLİZ, 12345,67 TL borç", AnswerKind.DISAGREED, "12345.67", "B"),
        ("Not agreed: our balance is 9,876.50 (alacak)", AnswerKind.DISAGREED, "9876.50", "A"),
        ("We do not agree. 31.12.2026 itibarıyla 1.500,00", AnswerKind.DISAGREED, "1500.00", ""),
        ("Mutabık değiliz.", AnswerKind.DISAGREED, None, ""),
        ("Mutabık olmadığımızı bildiririz: 250,00 TL", AnswerKind.DISAGREED, "250.00", ""),
        ("We cannot confirm the balance.", AnswerKind.DISAGREED, None, ""),
        ("We confirm the balance.", AnswerKind.AGREED, None, ""),
        ("Bakiyeler uyuşmuyor.", AnswerKind.DISAGREED, None, ""),
        ("Mutabık mıyız, bilmiyorum.", AnswerKind.UNCLEAR, None, ""),
        ("Ekstreyi gönderir misiniz?", AnswerKind.UNCLEAR, None, ""),
        ("", AnswerKind.UNCLEAR, None, ""),
    ],
)
def test_classify(text: str, kind: AnswerKind, balance: str | None, side: str) -> None:
    reading = classify(text)
    assert reading.kind is kind
    assert reading.balance == (Decimal(balance) if balance else None)
    assert reading.side == side


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12.345,67", "12345.67"),
        ("12,345.67", "12345.67"),
        ("12345,67", "12345.67"),
        ("12345.67", "12345.67"),
        ("1.234.567,89", "1234567.89"),
        ("1,234,567.89", "1234567.89"),
        ("12.345", "12345.00"),
        ("12,5", "12.50"),
        ("700", "700.00"),
    ],
)
def test_numbers_in_both_formats(text: str, value: str) -> None:
    assert parse_number(text) == Decimal(value)


def test_balance_prefers_the_amount_with_a_currency_and_skips_dates() -> None:
    assert find_balance("31.12.2026 tarihli 3 fatura, bakiye 4.500,00 TL") == (
        Decimal("4500.00"),
        "",
    )


@pytest.mark.parametrize(
    ("body", "kept"),
    [
        ("Mutabıkız\n\nOn Mon, 1 Dec 2026, X <x@y.com> wrote:\n> Mutabık değiliz?", "Mutabıkız"),
        ("Mutabıkız\nOn Mon, 1 Dec 2026 at 10:00, Firma <x@y.com>\nwrote:\n> soru", "Mutabıkız"),
        ("Tamam\n1 Ara 2026 Pzt tarihinde Firma <x@y> şunu yazdı:\n> soru", "Tamam"),
        ("Tamam\n\n> alıntı\n> alıntı", "Tamam"),
        ("Tamam\n________________________________\nGönderen: Firma\nKonu: x", "Tamam"),
        ("Tamam\nFrom: Firma <x@y>\nSent: Monday", "Tamam"),
        ("Tamam\n-----Original Message-----\nx", "Tamam"),
        ("Tamam\n-- \nAli Veli\nMuhasebe", "Tamam"),
    ],
)
def test_text_above_the_quote(body: str, kept: str) -> None:
    assert new_text(body) == kept


def test_html_blockquotes_become_quotes() -> None:
    text = html_to_text(
        "<div>Mutabık değiliz<br>1.000,00 TL</div><blockquote>Mutabıkız?</blockquote>"
    )
    assert new_text(text) == "Mutabık değiliz\n1.000,00 TL"


@pytest.mark.parametrize(
    ("raw", "kind", "answer"),
    [
        (plain_reply(ORIG, "Mutabıkız."), MessageKind.ANSWER, AnswerKind.AGREED),
        (
            plain_reply(ORIG, "Mutabık değiliz 12.345,67", prefix="YNT: ", quote="outlook"),
            MessageKind.ANSWER,
            AnswerKind.DISAGREED,
        ),
        (plain_reply(ORIG, "We agree.", quote="outlook_en"), MessageKind.ANSWER, AnswerKind.AGREED),
        (
            plain_reply(ORIG, "Fatura listesi?", quote="gmail_tr"),
            MessageKind.ANSWER,
            AnswerKind.UNCLEAR,
        ),
        (plain_reply(ORIG, "ok", quote="thunderbird"), MessageKind.ANSWER, AnswerKind.UNCLEAR),
        (html_reply(ORIG, "MUTABIKIZ"), MessageKind.ANSWER, AnswerKind.AGREED),
        (gmail_html_alternative(ORIG, "not agreed"), MessageKind.ANSWER, AnswerKind.DISAGREED),
        (auto_reply(ORIG), MessageKind.AUTO, AnswerKind.AUTO),
    ],
    # Explicit ids: the messages carry random Message-IDs, and xdist workers must agree.
    ids=["gmail", "outlook-ynt", "outlook-en", "gmail-tr", "thunderbird", "html", "alt", "auto"],
)
def test_replies_carry_the_token(raw: bytes, kind: str, answer: AnswerKind) -> None:
    read = read_message(raw)
    assert read.kind == kind
    assert read.answer is answer
    assert read.tokens[0] == TOKEN
    assert ORIG.message_id in read.refers_to


def test_the_quoted_letter_never_decides() -> None:
    """The letter asks "mutabıkız / mutabık değiliz": only the new text counts."""
    read = read_message(plain_reply(ORIG, "Merhaba", quote="gmail"))
    assert read.answer is AnswerKind.UNCLEAR


@pytest.mark.parametrize(
    ("builder", "status", "diagnostic"),
    [
        (postfix_dsn, "5.1.1", "User unknown"),
        (exchange_dsn, "5.1.10", "RecipientNotFound"),
        (exim_bounce, "5.1.1", "No such user"),
    ],
)
def test_bounces_name_the_failed_address(builder: object, status: str, diagnostic: str) -> None:
    read = read_message(builder(ORIG, "veli@alfa.com.tr"))  # type: ignore[operator]
    assert read.kind == MessageKind.BOUNCE
    assert [f.address for f in read.failed] == ["veli@alfa.com.tr"]
    assert read.failed[0].status == status
    assert diagnostic in read.failed[0].diagnostic
    assert read.tokens == (TOKEN,)
    assert read.refers_to == (ORIG.message_id,)


def test_spam_refers_to_nothing() -> None:
    read = read_message(spam())
    assert read.tokens == () and read.refers_to == ()


def test_a_message_without_message_id_is_keyed_by_its_bytes() -> None:
    raw = b"From: x@y.com\r\nSubject: hi\r\n\r\nbody\r\n"
    assert read_message(raw).key.startswith("sha256:")
    assert read_message(raw).key == read_message(raw).key


def test_a_delayed_report_bounces_nobody() -> None:
    raw = postfix_dsn(ORIG).replace(b"Action: failed", b"Action: delayed")
    read = read_message(raw)
    assert read.kind == MessageKind.BOUNCE and read.failed == ()


def test_read_receipts_are_automatic() -> None:
    mdn = (
        "From: <ali@alfa.com.tr>\r\nSubject: Okundu: Cari hesap [MTB-0123456789AB]\r\n"
        "Message-ID: <r1@alfa.com.tr>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=disposition-notification; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nİletiniz okundu.\r\n"
        "--b\r\nContent-Type: message/disposition-notification\r\n\r\n"
        "Final-Recipient: rfc822;ali@alfa.com.tr\r\n"
        "Disposition: manual-action/MDN-sent-manually; displayed\r\n"
        "--b--\r\n"
    ).encode()
    read = read_message(mdn)
    assert read.kind == MessageKind.AUTO and read.tokens == (TOKEN,)
    plain = b"From: <a@b.com>\r\nSubject: Read: Cari hesap [MTB-0123456789AB]\r\n\r\nread\r\n"
    assert read_message(plain).kind == MessageKind.AUTO
