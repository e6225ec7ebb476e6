# ruff: noqa: E501  (raw messages read best one header per line)
"""Realistic messages that come back to the sender's mailbox: replies from Outlook, Gmail
and Thunderbird (Turkish and English, quoted, HTML-only), DSNs from Postfix and Exchange,
a non-standard Exim bounce, an out-of-office reply and spam.

Each builder takes the letter's subject (with its `[MTB-…]` token), Message-ID and
addresses, as a real client would have seen them, and returns the raw bytes.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from email.header import Header


def _subj(text: str) -> str:
    """The subject as a mail client writes it: RFC 2047 words when not ASCII."""
    return text if text.isascii() else Header(text, "utf-8").encode(linesep="\r\n")


@dataclass(frozen=True)
class Original:
    subject: str
    message_id: str
    token: str
    sender: str
    recipient: str


def _mid(domain: str = "client.example") -> str:
    return f"<{uuid.uuid4().hex}@{domain}>"


def _headers(orig: Original, subject: str, extra: str = "") -> str:
    return (
        f"From: Muhasebe <{orig.recipient}>\r\n"
        f"To: <{orig.sender}>\r\n"
        f"Subject: {_subj(subject)}\r\n"
        "Date: Tue, 24 Nov 2026 10:00:00 +0300\r\n"
        f"Message-ID: {_mid()}\r\n"
        f"In-Reply-To: {orig.message_id}\r\n"
        f"References: {orig.message_id}\r\n"
        "MIME-Version: 1.0\r\n"
        f"{extra}"
    )


def _b64(text: str) -> str:
    return base64.encodebytes(text.encode("utf-8")).decode("ascii").replace("\n", "\r\n")


def plain_reply(orig: Original, text: str, *, prefix: str = "Re: ", quote: str = "gmail") -> bytes:
    quotes = {
        "gmail": (
            "On Mon, 23 Nov 2026 at 09:00, Firma <{s}> wrote:\r\n"
            "> Sayın yetkili, 31.12.2026 tarihli bakiyeniz 10.000,00 TL borçtur.\r\n"
            "> Mutabıkız / mutabık değiliz yazarak yanıtlayınız.\r\n"
        ),
        "gmail_tr": (
            "23 Kas 2026 Pzt, 09:00 tarihinde Firma <{s}> şunu yazdı:\r\n"
            "> Mutabıkız veya mutabık değiliz yazarak yanıtlayınız. 10.000,00 TL\r\n"
        ),
        "outlook": (
            "________________________________\r\n"
            "Gönderen: Firma <{s}>\r\n"
            "Gönderildi: 23 Kasım 2026 Pazartesi 09:00\r\n"
            "Konu: {subj}\r\n\r\n"
            "Mutabıkız veya mutabık değiliz yazarak yanıtlayınız. 10.000,00 TL\r\n"
        ),
        "outlook_en": (
            "From: Firma <{s}>\r\nSent: Monday, November 23, 2026 9:00 AM\r\n"
            "Subject: {subj}\r\n\r\nPlease answer agreed or not agreed. 10,000.00\r\n"
        ),
        "thunderbird": (
            "23.11.2026 09:00 tarihinde Firma yazdı:\r\n"
            "> Mutabıkız / mutabık değiliz yazarak yanıtlayınız. 10.000,00 TL\r\n"
        ),
    }
    body = f"{text}\r\n\r\n" + quotes[quote].format(s=orig.sender, subj=orig.subject)
    head = _headers(orig, prefix + orig.subject)
    return (
        head + 'Content-Type: text/plain; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n" + _b64(body)
    ).encode("ascii")


def html_reply(orig: Original, text: str, *, prefix: str = "RE: ") -> bytes:
    """Outlook-style HTML-only reply: the original below a divRplyFwdMsg block."""
    html = (
        "<html><head><style>p{margin:0}</style></head><body>"
        f"<div><p>{text}</p></div>"
        '<hr><div id="divRplyFwdMsg"><b>From:</b> Firma &lt;' + orig.sender + "&gt;<br>"
        f"<b>Subject:</b> {orig.subject}</div>"
        "<div>Mutabıkız veya mutabık değiliz yazarak yanıtlayınız.</div></body></html>"
    )
    head = _headers(orig, prefix + orig.subject)
    return (
        head + 'Content-Type: text/html; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n" + _b64(html)
    ).encode("ascii")


def gmail_html_alternative(orig: Original, text: str) -> bytes:
    """Gmail: multipart/alternative, the quote in a gmail_quote blockquote."""
    boundary = "000000000000gmailbnd"
    plain = f"{text}\r\n\r\nOn Mon, 23 Nov 2026 at 09:00, Firma <{orig.sender}>\r\nwrote:\r\n> mutabıkız?\r\n"
    html = (
        f'<div dir="ltr">{text}</div><br><div class="gmail_quote"><div class="gmail_attr">'
        f"On Mon wrote:</div><blockquote>mutabık değiliz?</blockquote></div>"
    )
    head = _headers(orig, "Re: " + orig.subject)
    return (
        head + f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n'
        f'--{boundary}\r\nContent-Type: text/plain; charset="UTF-8"\r\n'
        f"Content-Transfer-Encoding: base64\r\n\r\n{_b64(plain)}"
        f'--{boundary}\r\nContent-Type: text/html; charset="UTF-8"\r\n'
        f"Content-Transfer-Encoding: base64\r\n\r\n{_b64(html)}--{boundary}--\r\n"
    ).encode("ascii")


def auto_reply(orig: Original) -> bytes:
    head = (
        f"From: <{orig.recipient}>\r\nTo: <{orig.sender}>\r\n"
        f"Subject: {_subj('Otomatik yanıt: ' + orig.subject)}\r\nMessage-ID: {_mid()}\r\n"
        f"In-Reply-To: {orig.message_id}\r\nAuto-Submitted: auto-replied\r\n"
        "X-Autoreply: yes\r\nMIME-Version: 1.0\r\n"
    )
    body = "Ofis dışındayım, 1 Aralık'ta döneceğim. Mutabıkız konusunu o zaman yanıtlarım.\r\n"
    return (
        head + 'Content-Type: text/plain; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n" + _b64(body)
    ).encode("ascii")


def _original_headers(orig: Original) -> str:
    return (
        f"From: Firma <{orig.sender}>\r\nTo: <{orig.recipient}>\r\n"
        f"Subject: {_subj(orig.subject)}\r\nMessage-ID: {orig.message_id}\r\n"
        f"X-Mutabakat-Token: {orig.token}\r\nAuto-Submitted: auto-generated\r\n"
    )


def postfix_dsn(orig: Original, failed: str | None = None) -> bytes:
    failed = failed or orig.recipient
    boundary = "D1A2B3C4.1700000000/mx.example"
    return (
        "From: MAILER-DAEMON@mx.example (Mail Delivery System)\r\n"
        f"To: {orig.sender}\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: {_mid('mx.example')}\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
        f'Content-Type: multipart/report; report-type=delivery-status;\r\n boundary="{boundary}"\r\n\r\n'
        f"--{boundary}\r\nContent-Description: Notification\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        "This is the mail system at host mx.example.\r\n\r\nI'm sorry to have to inform you that"
        " your message could not\r\nbe delivered to one or more recipients.\r\n\r\n"
        f"<{failed}>: host mx.client.example[192.0.2.1] said: 550 5.1.1\r\n"
        "    User unknown (in reply to RCPT TO command)\r\n\r\n"
        f"--{boundary}\r\nContent-Description: Delivery report\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example\r\nX-Postfix-Queue-ID: 4ABC123\r\n"
        "Arrival-Date: Mon, 23 Nov 2026 09:00:01 +0300\r\n\r\n"
        f"Final-Recipient: rfc822; {failed}\r\nOriginal-Recipient: rfc822;{failed}\r\n"
        "Action: failed\r\nStatus: 5.1.1\r\nRemote-MTA: dns; mx.client.example\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 <" + failed + ">: Recipient address rejected:\r\n"
        "    User unknown in virtual mailbox table\r\n\r\n"
        f"--{boundary}\r\nContent-Description: Undelivered Message Headers\r\n"
        f"Content-Type: text/rfc822-headers\r\n\r\n{_original_headers(orig)}\r\n--{boundary}--\r\n"
    ).encode("ascii")


def exchange_dsn(orig: Original, failed: str | None = None) -> bytes:
    failed = failed or orig.recipient
    boundary = "_000_exchangeboundary_"
    return (
        "From: Microsoft Outlook <postmaster@client.example>\r\n"
        f"To: <{orig.sender}>\r\nSubject: {_subj('Teslim edilemedi: ' + orig.subject)}\r\n"
        f"Message-ID: {_mid('client.example')}\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
        f'Content-Type: multipart/report; report-type="delivery-status";\r\n\tboundary="{boundary}"\r\n\r\n'
        f'--{boundary}\r\nContent-Type: text/html; charset="utf-8"\r\n\r\n'
        "<html><body><p>İletiniz alıcıya teslim edilemedi.</p>"
        f"<p>{failed}</p><p>Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound'"
        "</p></body></html>\r\n"
        f"--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns;EX01.client.example\r\nReceived-From-MTA: dns;EX02.client.example\r\n\r\n"
        f"Final-Recipient: rfc822;{failed}\r\nAction: failed\r\nStatus: 5.1.10\r\n"
        "Diagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup\r\n\r\n"
        f"--{boundary}\r\nContent-Type: message/rfc822\r\n\r\n{_original_headers(orig)}"
        'Content-Type: text/plain; charset="utf-8"\r\n\r\nletter\r\n\r\n'
        f"--{boundary}--\r\n"
    ).encode()


def exim_bounce(orig: Original, failed: str | None = None) -> bytes:
    """Exim's classic non-standard bounce: plain text, the original quoted below."""
    failed = failed or orig.recipient
    return (
        "From: Mail Delivery System <Mailer-Daemon@mx.example>\r\n"
        f"To: {orig.sender}\r\nSubject: Mail delivery failed: returning message to sender\r\n"
        f"Message-ID: {_mid('mx.example')}\r\nAuto-Submitted: auto-replied\r\n\r\n"
        "This message was created automatically by mail delivery software.\r\n\r\n"
        "A message that you sent could not be delivered to one or more of its\r\n"
        "recipients. This is a permanent error. The following address(es) failed:\r\n\r\n"
        f"  {failed}\r\n    SMTP error from remote mail server after RCPT TO:<{failed}>:\r\n"
        "    550 5.1.1 No such user here\r\n\r\n"
        "------ This is a copy of the message, including all the headers. ------\r\n\r\n"
        f"{_original_headers(orig)}\r\nletter\r\n"
    ).encode("ascii")


def spam() -> bytes:
    return (
        "From: Kampanya <noreply@spam.example>\r\nTo: muhasebe@firma.example\r\n"
        f"Subject: {_subj('Kazandınız! Hemen tıklayın')}\r\nMessage-ID: {_mid('spam.example')}\r\n"
        'MIME-Version: 1.0\r\nContent-Type: text/plain; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: 8bit\r\n\r\nMutabıkız mı? Tebrikler, 1.000.000 TL kazandınız.\r\n"
    ).encode()
