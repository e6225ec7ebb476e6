"""Generated hostile mail (issue 10): what anyone on the internet can put in the mailbox.

`hostile_messages(seed)` yields (category, raw bytes) — truncated MIME, broken encoded
words, unknown and lying charsets, 8-bit and control bytes in headers, deep nesting, huge
parts, 100 000 parts, delivery reports with fields missing, and random byte damage to real
replies and bounces. Reproducible from the seed.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

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

TOKEN = "MTB-0123456789AB"
ORIG = Original(
    f"Cari hesap mutabakatı 31.12.2026 [{TOKEN}]",
    "<mutabakat.mtb-0123456789ab.1700000000.abcdef@ornek.com.tr>",
    TOKEN,
    "mutabakat@ornek.com.tr",
    "ali@alfa.com.tr",
)

BROKEN_WORDS = [
    b"=?utf-8?b?Q\x1f?=",
    b"=?utf-8?b?Q?=",
    b"=?utf-8?b?====?=",
    b"=?utf-8?q?=ZZ=?=",
    b"=?x-unknown?q?abc?=",
    b"=?utf-8*tr?b?w4fDhw==?=",
    b"=??b?QUJD?=",
    b"=?utf-8??QUJD?=",
    b"=?rot13?q?nop?=",
    b"=?base64?b?QUJD?=",
    b"=?hex?q?41?=",
    b"=?zlib?b?eJw=?=",
    b"=?idna?q?xn--?=",
    b"=?punycode?q?-?=",
    b"=?utf-16?b?2D3eAA==?=",
    b"=?utf-7?q?+AGE-?=",
    b"=?iso-2022-jp?b?GyRC?=",
    b"=?utf-8?b?" + b"A" * 5000 + b"?=",
    b"=?" * 2000,
    b"=?utf-8?q?" + b"=" * 3000,
]
CHARSETS = [
    "x-bogus",
    "utf-7",
    "utf-16",
    "utf-32",
    "rot13",
    "base64",
    "hex",
    "zlib",
    "uu",
    "idna",
    "punycode",
    "undefined",
    "unicode-escape",
    "raw-unicode-escape",
    "cp1254",
    "iso-8859-9",
    "ascii",
    "",
    "\x00",
    "a" * 300,
]


def _valid(rng: random.Random) -> bytes:
    makers = [
        lambda: plain_reply(ORIG, "Mutabık değiliz, bakiye 12.345,67 TL", quote="outlook"),
        lambda: plain_reply(ORIG, "Mutabıkız.", quote="thunderbird"),
        lambda: html_reply(ORIG, "MUTABIKIZ"),
        lambda: gmail_html_alternative(ORIG, "We agree."),
        lambda: auto_reply(ORIG),
        lambda: postfix_dsn(ORIG),
        lambda: exchange_dsn(ORIG),
        lambda: exim_bounce(ORIG),
        spam,
    ]
    return rng.choice(makers)()


def _simple(subject: bytes, body: bytes, extra: bytes = b"") -> bytes:
    return (
        b"From: Ali <ali@alfa.com.tr>\r\nTo: mutabakat@ornek.com.tr\r\nSubject: "
        + subject
        + b"\r\nMessage-ID: <h"
        + str(abs(hash(subject + body)) % 10**12).encode()
        + b"@alfa.com.tr>\r\n"
        + extra
        + b"\r\n"
        + body
    )


def truncated(rng: random.Random) -> bytes:
    raw = _valid(rng)
    return raw[: rng.randrange(0, len(raw))]


def damaged(rng: random.Random) -> bytes:
    raw = bytearray(_valid(rng))
    for _ in range(rng.randrange(1, 40)):
        raw[rng.randrange(len(raw))] = rng.randrange(256)
    return bytes(raw)


def broken_word(rng: random.Random) -> bytes:
    words = b" ".join(rng.choice(BROKEN_WORDS) for _ in range(rng.randrange(1, 4)))
    header = rng.choice([b"Subject: ", b"From: ", b"In-Reply-To: ", b"X-Mutabakat-Token: "])
    raw = _simple(b"YNT: " + words, b"Mutabikiz.\r\n")
    return raw.replace(header, header + words + b" ", 1)


def lying_charset(rng: random.Random) -> bytes:
    charset = rng.choice(CHARSETS).encode("utf-8", "replace")
    body = rng.choice(
        ["Mutabık değiliz, 1.000,00 TL".encode(), "Mutabık".encode("utf-16"), bytes(range(256))]
    )
    encoding = rng.choice([b"8bit", b"base64", b"quoted-printable", b"x-uuencode", b"bogus"])
    extra = b"Content-Type: text/plain; charset=" + charset + b"\r\n"
    extra += b"Content-Transfer-Encoding: " + encoding + b"\r\n"
    subject = b"=?" + charset + b"?q?abc=C4=B1?="
    return _simple(subject, body, extra)


def eight_bit_headers(rng: random.Random) -> bytes:
    junk = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200)))
    name = rng.choice([b"Subject", b"From", b"Message-ID", b"In-Reply-To", b"References", b"X-"])
    raw = _simple("Otomatik yanıt: izindeyim".encode(), b"hi\r\n")
    return raw.replace(b"To: ", name + b": " + junk + b"\r\nTo: ", 1)


def nested(depth: int) -> bytes:
    head = b"From: a@b.com\r\nSubject: nested\r\nMessage-ID: <n%d@b.com>\r\n" % depth
    opening = b"".join(
        b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i)
        for i in range(depth)
    )
    closing = b"".join(b"\r\n--b%d--\r\n" % i for i in reversed(range(depth)))
    return head + opening + b"Content-Type: text/plain\r\n\r\nmutabikiz" + closing


def many_parts(count: int) -> bytes:
    part = b"--p\r\nContent-Type: text/plain\r\n\r\nx\r\n"
    return (
        b"From: a@b.com\r\nSubject: parts\r\nMessage-ID: <p@b.com>\r\n"
        b'Content-Type: multipart/mixed; boundary="p"\r\n\r\n' + part * count + b"--p--\r\n"
    )


def huge_part(size: int) -> bytes:
    return _simple(b"huge", b"mutabikiz " * (size // 10), b"Content-Type: text/plain\r\n")


def broken_dsn(rng: random.Random) -> bytes:
    raw = rng.choice([postfix_dsn, exchange_dsn])(ORIG)
    lines = raw.split(b"\r\n")
    drop = {
        b"Action:",
        b"Final-Recipient:",
        b"Original-Recipient:",
        b"Status:",
        b"Diagnostic-Code:",
        b"--",
        b"Content-Type:",
        b"Reporting-MTA:",
    }
    chosen = rng.sample(sorted(drop), rng.randrange(1, 4))
    kept = [line for line in lines if not any(line.startswith(c) for c in chosen)]
    if rng.random() < 0.3:
        kept = [
            line.replace(b"failed", rng.choice([b"", b"x" * 500, b"\xff\xfe"])) for line in kept
        ]
    return b"\r\n".join(kept)


GENERATORS = {
    "truncated MIME": truncated,
    "damaged bytes": damaged,
    "broken encoded words": broken_word,
    "lying or unknown charsets": lying_charset,
    "8-bit headers": eight_bit_headers,
    "DSN fields missing": broken_dsn,
}


def hostile_messages(seed: int, each: int) -> Iterator[tuple[str, bytes]]:
    """`each` messages of every generated category, then the few expensive ones."""
    rng = random.Random(seed)
    for name, make in GENERATORS.items():
        for _ in range(each):
            yield name, make(rng)
    for depth in (31, 100, 1000):
        yield "deep nesting", nested(depth)
    yield "100 000 parts", many_parts(100_000)
    yield "501 parts", many_parts(501)
    yield "huge part", huge_part(5_000_000)
    yield "over the size limit", huge_part(21_000_000)
