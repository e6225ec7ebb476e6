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
from tui_mutabakat.mail.answers import (
    LimitExceeded,
    _leaf_parts,
    _reports,
    read_message,
    read_parsed,
)
from tui_mutabakat.mail.bounces import _blocks
from tui_mutabakat.mail.limits import DEFAULT_LIMITS
from tui_mutabakat.mail.simple_part import simple_part


def _as_parsed(raw: bytes) -> bool:
    """True when `simple_part` takes the message; then it must agree with `email`."""
    simple = simple_part(raw)
    if simple is None:
        return False
    message = email.message_from_bytes(raw)
    assert simple.fields == list(message.raw_items())
    assert simple.content_type == message.get_content_type()
    assert message.is_multipart() == simple.content_type.startswith("multipart/")
    if message.is_multipart():
        children = message.get_payload()
        assert isinstance(children, list) and len(children) == simple.parts
        reports = _reports(message, DEFAULT_LIMITS)
        if simple.report_blocks is None:
            assert reports == []
        else:
            [report] = reports
            # Blocks with fields, in order (an empty line more makes an empty block, which
            # names nobody).
            blocks = [list(block.raw_items()) for block in _blocks(report)]
            assert simple.report_blocks == [block for block in blocks if block]
        if simple.content_type == "multipart/report":
            assert simple.report_type == str(message.get_param("report-type", "")).lower()
    parts = list(_leaf_parts(message, DEFAULT_LIMITS))
    for leaf, part in zip(simple.leaves, parts, strict=True):
        assert leaf.content_type == part.get_content_type()
        assert leaf.disposition == part.get_content_disposition()
        if leaf.payload is None:
            assert not leaf.content_type.startswith("text/")
        else:
            assert leaf.payload == part.get_payload(decode=True)
            assert leaf.charset == part.get_content_charset()
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
    "attachment": (
        b"From: Ali <ali@alfa.com.tr>\r\nSubject: Re: Mutabakat [MTB-0123456789AB]\r\n"
        b"Message-ID: <x1@alfa.com.tr>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed;\r\n\tboundary="----=_Part_1_2.3"\r\n\r\n'
        b"This is a multi-part message in MIME format.\r\n"
        b"------=_Part_1_2.3\r\nContent-Type: text/plain; charset=windows-1254\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        b"Mutab=FDk de=F0iliz, bakiye 1.500,00 TL A.\r\n\r\n"
        b"------=_Part_1_2.3\r\n"
        b'Content-Type: application/pdf; name="=?utf-8?q?Mutabakat_formu.pdf?="\r\n'
        b"Content-Disposition: attachment; filename*=utf-8''Mutabakat%20formu.pdf\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n"
        b"------=_Part_1_2.3--\r\n\r\nepilogue\r\n"
    ),
}


def test_the_common_answers_take_the_fast_path_and_read_the_same() -> None:
    taken = {name for name, raw in SAMPLES.items() if _as_parsed(raw)}
    # One text part, or one level of parts (delivery reports too): read without the parser.
    assert taken == set(SAMPLES)
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


@settings(max_examples=300, deadline=None)
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


_PART_FIELD = st.sampled_from(
    [
        "Content-Type: text/plain; charset=utf-8",
        "Content-Type: text/html",
        'Content-Type: text/plain;\r\n\tcharset="iso-8859-9"',
        "Content-Type: application/pdf; name=a.pdf",
        'Content-Type: application/pdf; name="=?utf-8?q?=C5=9F.pdf?="',
        "Content-Type: image/png",
        "Content-Type: message/rfc822",
        "Content-Type: multipart/alternative; boundary=b",
        "Content-Type: message/delivery-status",
        "Content-Type: text/plain; charset*=utf-8''x",
        "Content-Disposition: attachment",
        "Content-Disposition: inline; filename=x",
        "Content-Disposition: ATTACHMENT ; x=y",
        "Content-Transfer-Encoding: base64",
        "Content-Transfer-Encoding: quoted-printable",
        "Content-Transfer-Encoding: 8bit",
        "X-Other: y",
        "From x",
        " folded",
    ]
    + ["Content-Type: text/plain", "Content-Type: text/html; charset=utf-8"] * 4
)
_PART_BODY = st.sampled_from(
    [
        "Mutabıkız.",
        "Mutabık değiliz, bakiye 1.234,56 TL B",
        "TXV0YWLEsWvEsXo=",
        "TXV0YWLEsWvEsX",
        "=C5=9Fimdi=",
        "<p>MUTABIKIZ</p>",
        "",
        "--bb",
        "--b -",
        "-- b",
        " --b",
        "--b",
        "--b--",
        "\x00\xff",
        "Final-Recipient: rfc822; ali@alfa.com.tr",
        "Original-Recipient: rfc822;veli@alfa.com.tr",
        "Action: failed",
        "Action: delayed",
        "Status: 5.1.1",
        "Diagnostic-Code: smtp; 550 5.1.1 unknown",
        "  folded on",
        "Reporting-MTA: dns; mx.example",
        "Content-Type: message/delivery-status",
    ]
)
_EOL = st.sampled_from(["\r\n"] * 12 + ["\n"] * 6 + ["\r"])
_SEPARATOR = st.sampled_from(["--b", "--b", "--b ", "--b\t \t", "--b--"])


_MOSTLY = st.sampled_from([True] * 9 + [False])


@st.composite
def _multipart_body(draw: st.DrawFn) -> str:
    """Preamble, parts (a separator, fields, an empty line, body lines), a close boundary
    and an epilogue — each piece now and then out of shape."""
    out = [draw(st.sampled_from(["", "This is a multi-part message.\r\n", "--bb\r\n"]))]
    for _part in range(draw(st.sampled_from([2, 1, 3, 4]))):
        out.append(draw(_SEPARATOR) + draw(_EOL))
        for field in draw(st.lists(_PART_FIELD, max_size=3)):
            out.append(field + draw(_EOL))
        if draw(_MOSTLY):
            out.append(draw(_EOL))  # the empty line, mostly there
        for line in draw(st.lists(_PART_BODY, min_size=1, max_size=3)):
            out.append(line + draw(_EOL))
    if draw(_MOSTLY):
        out.append(draw(st.sampled_from(["--b--", "--b-- ", "--b--x"])) + draw(_EOL))
    out.append(draw(st.sampled_from(["", "epilogue\r\n", "\r\n--b\r\n"])))
    return "".join(out)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(
        [
            "multipart/alternative; boundary=b",
            'multipart/mixed; boundary="b"',
            "multipart/related;\r\n boundary=b; type=text/html",
            "multipart/report; report-type=delivery-status; boundary=b",
            "multipart/digest; boundary=b",
            "multipart/alternative",
            "multipart/alternative; boundary=b; boundary=c",
            "Multipart/Alternative; BOUNDARY=b",
        ]
    ),
    _multipart_body(),
)
def test_generated_multiparts_read_as_the_parser_reads_them(content_type: str, body: str) -> None:
    raw = f"Subject: Re: x\r\nContent-Type: {content_type}\r\n\r\n{body}".encode(
        "utf-8", "surrogateescape"
    )
    _as_parsed(raw)
    _same_reading(raw)


def test_generated_multiparts_take_the_fast_path_when_plain() -> None:
    raw = (
        b"Subject: x\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\npre\r\n"
        b"--b\r\nContent-Type: text/plain\r\n\r\nMutabikiz.\r\n\r\n--b  \r\n\r\n<p>x</p>\r\n"
        b"--b--\r\n"
    )
    assert _as_parsed(raw)
    _same_reading(raw)


_DSN_LINE = st.sampled_from(
    [
        "Reporting-MTA: dns; mx.example",
        "Final-Recipient: rfc822; ali@alfa.com.tr",
        "Original-Recipient: rfc822;veli@alfa.com.tr",
        "Action: failed",
        "Action: delayed",
        "Status: 5.1.1",
        "Status: 4.4.1",
        "Diagnostic-Code: smtp; 550 5.1.1 unknown",
        "  folded on",
        "",
        "",
        "junk line",
        "From mx",
    ]
)


@st.composite
def _report_body(draw: st.DrawFn) -> str:
    """A delivery report: a text part, one (now and then two) delivery-status parts of
    field blocks, the returned original or its headers."""
    eol = draw(st.sampled_from(["\r\n", "\n"]))
    out = [f"--b{eol}Content-Type: text/plain{eol}{eol}Mail could not be delivered.{eol}"]
    for _report in range(draw(st.sampled_from([1, 1, 1, 2]))):
        kind = draw(
            st.sampled_from(["message/delivery-status"] * 4 + ["message/global-delivery-status"])
        )
        out.append(f"--b{eol}Content-Type: {kind}{eol}{eol}")
        out.extend(line + eol for line in draw(st.lists(_DSN_LINE, max_size=12)))
    original = draw(
        st.sampled_from(
            [
                "Content-Type: text/rfc822-headers",
                "Content-Type: message/rfc822",
                "Content-Type: message/rfc822",
            ]
        )
    )
    inner = draw(
        st.sampled_from(
            [
                "Subject: x",
                "Content-Type: multipart/mixed; boundary=c",
                "Content-Type: message/delivery-status",
            ]
        )
    )
    out.append(f"--b{eol}{original}{eol}{eol}{inner}{eol}{eol}letter{eol}--b--{eol}")
    return "".join(out)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(
        [
            "report-type=delivery-status; ",
            'report-type="Delivery-Status"; ',
            "report-type=disposition-notification; ",
            "",
        ]
    ),
    _report_body(),
)
def test_generated_delivery_reports_read_as_the_parser_reads_them(kind: str, body: str) -> None:
    raw = (
        "From: MAILER-DAEMON@mx.example\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        f"Content-Type: multipart/report; {kind}boundary=b\r\n\r\n" + body
    ).encode()
    _as_parsed(raw)
    _same_reading(raw)
