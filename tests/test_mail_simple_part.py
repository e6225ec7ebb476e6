"""The reader's fast path for one text part (issue 14) reads every message as the `email`
parser does: field for field, the same payload and charset, the same `ReadMessage` — on
the samples, on the generated hostile mail and on generated header blocks — or declines
and leaves the message to the parser."""

from __future__ import annotations

import email
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.hostile_mail import ORIG, hostile_messages
from tests.mail_samples import (
    auto_reply,
    exchange_dsn,
    exim_bounce,
    gmail_html_alternative,
    html_reply,
    plain_reply,
    postfix_dsn,
    spam,
)
from tui_mutabakat.mail.answers import LimitExceeded, read_message, read_parsed
from tui_mutabakat.mail.limits import DEFAULT_LIMITS
from tui_mutabakat.mail.simple_part import simple_part


def _as_parsed(raw: bytes) -> bool:
    """True when `simple_part` takes the message; then it must agree with `email`."""
    simple = simple_part(raw)
    if simple is None:
        return False
    message = email.message_from_bytes(raw)
    assert not message.is_multipart()
    assert simple.fields == list(message.raw_items())
    assert simple.content_type == message.get_content_type()
    assert message.get_content_disposition() is None
    assert simple.payload == message.get_payload(decode=True)
    assert simple.charset == message.get_content_charset()
    return True


def _same_reading(raw: bytes) -> None:
    try:
        fast = read_message(raw)
    except LimitExceeded:
        return
    except Exception as exc:  # noqa: BLE001 — then the parser's reading fails alike
        try:
            read_parsed(raw)
        except type(exc):
            return
        raise AssertionError(f"only the fast path failed: {exc!r}") from exc
    assert fast == read_parsed(raw)


SAMPLES = {
    "plain": plain_reply(ORIG, "Mutabıkız."),
    "outlook": plain_reply(ORIG, "Mutabık değiliz, bakiye 1.234,56 TL B", quote="outlook"),
    "thunderbird": plain_reply(ORIG, "Ekstre?", quote="thunderbird"),
    "html": html_reply(ORIG, "MUTABIKIZ"),
    "alternative": gmail_html_alternative(ORIG, "We agree."),
    "auto": auto_reply(ORIG),
    "postfix": postfix_dsn(ORIG),
    "exchange": exchange_dsn(ORIG),
    "exim": exim_bounce(ORIG),
    "spam": spam(),
}


def test_the_common_answers_take_the_fast_path_and_read_the_same() -> None:
    taken = {name for name, raw in SAMPLES.items() if _as_parsed(raw)}
    # One text part each: read without the parser. Multiparts go to the parser.
    assert {"plain", "outlook", "thunderbird", "html", "exim"} <= taken
    assert not taken & {"alternative", "postfix", "exchange"}
    for raw in SAMPLES.values():
        _same_reading(raw)
        _same_reading(raw.replace(b"\r\n", b"\n"))


def test_generated_hostile_mail_reads_the_same_either_way() -> None:
    taken: Counter[str] = Counter()
    for category, raw in hostile_messages(seed=20261206, each=300):
        if len(raw) > DEFAULT_LIMITS.max_bytes:
            continue
        if _as_parsed(raw):
            taken[category] += 1
        _same_reading(raw)
    assert sum(taken.values()) > 500  # the fast path is exercised, not always declined


_NAME = st.sampled_from(
    [
        "Subject",
        "subject",
        "From",
        "Message-ID",
        "In-Reply-To",
        "References",
        "Content-Type",
        "content-type",
        "Content-Transfer-Encoding",
        "Content-Disposition",
        "X-Mutabakat-Token",
        "Auto-Submitted",
        "From ",
        "",
        " Subject",
        "X:Y",
        "Ş",
    ]
)
_VALUE = st.sampled_from(
    [
        "Re: Mutabakat [MTB-0123456789AB]",
        "=?utf-8?b?TXV0YWLEsWvEsXo=?=",
        "Ali <ali@alfa.com.tr>",
        "<a@b.c>",
        "text/plain",
        'text/plain; charset="utf-8"',
        "text/plain;\r\n\tcharset=UTF-8; format=flowed",
        "text/html; charset=windows-1254",
        "text/plain; charset*=utf-8''x",
        "TEXT/PLAIN; CHARSET=ISO-8859-9",
        "text/plain; charset=utf-8; charset=ascii",
        'text/plain; name="a;b"',
        "text/plain;",
        "text",
        "multipart/mixed; boundary=x",
        "message/rfc822",
        "base64",
        "quoted-printable",
        "Base64 ",
        "8bit",
        "x-uuencode",
        "inline",
        "auto-replied",
        "şçğ",
        "",
        " ",
        "\t",
    ]
)
_SEP = st.sampled_from(["\r\n", "\n", "\r", "\r\n ", "\n\t", " \r\n"])
_BODY = st.sampled_from(
    [
        "Mutabıkız.",
        "TXV0YWLEsWvEsXo=",
        "TXV0YWLEsWvEsXo",
        "=C5=9F=\r\nimdi",
        "<p>MUTABIKIZ</p>",
        "\r\n\r\nbody\r\n",
        "From me\n",
        "Subject: inside\r\n",
        "\x00\x85\xff",
        "",
    ]
)


@settings(max_examples=600, deadline=None)
@given(
    st.lists(st.tuples(_NAME, _VALUE, _SEP), max_size=8),
    st.sampled_from(["\r\n", "\n", "\r", "\n\r\n", ""]),
    _BODY,
)
def test_generated_header_blocks_read_as_the_parser_reads_them(
    fields: list[tuple[str, str, str]], blank: str, body: str
) -> None:
    head = "".join(f"{name}:{value}{sep}" for name, value, sep in fields)
    raw = (head + blank + body).encode("utf-8", "surrogateescape")
    _as_parsed(raw)
    _same_reading(raw)
