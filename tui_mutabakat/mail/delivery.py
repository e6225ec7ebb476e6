"""Delivery over SMTP with aiosmtplib (SPEC D9).

A small pool of reused connections (one per concurrent envelope); STARTTLS, implicit TLS,
or plain SMTP on the loopback interface only. Each envelope is one transaction: MAIL, a
RCPT per recipient (a refusal there fails that recipient alone, with the server's answer),
DATA. The final "." is written only after the hand-over callback has made the accepted
recipients durable, so a crash can never lead to the same message being sent twice: see
`services/sending/sender.py` for the guarantee.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import ssl
from dataclasses import dataclass

import aiosmtplib
from aiosmtplib import (
    SMTPException,
    SMTPHeloError,
    SMTPResponse,
    SMTPResponseException,
    SMTPServerDisconnected,
    SMTPTimeoutError,
)

from tui_mutabakat.domain.enums import SmtpSecurity
from tui_mutabakat.domain.states import RecipientState
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.mail.addresses import needs_smtputf8, wire_address
from tui_mutabakat.mail.message import has_ascii_header, without_utf8_mailboxes
from tui_mutabakat.mail.secrets import Secret
from tui_mutabakat.mail.transport import (
    Delivery,
    Envelope,
    HandOver,
    RecipientResult,
    TransportUnavailable,
)

_LEADING_DOT = re.compile(rb"(?m)^\.")


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    host: str
    port: int | None = None
    security: SmtpSecurity = SmtpSecurity.STARTTLS
    login: str = ""
    password: Secret | None = None
    timeout: float = 60.0
    #: Verify the server certificate (turn off only for a test server).
    verify_tls: bool = True
    #: Trust this CA file (PEM) besides the system's, e.g. a company's own mail server CA.
    ca_file: str | None = None
    #: Name to say in EHLO; default: this machine's name.
    local_hostname: str | None = None

    @property
    def effective_port(self) -> int:
        if self.port:
            return self.port
        return {SmtpSecurity.TLS: 465, SmtpSecurity.STARTTLS: 587}.get(self.security, 25)


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def dot_stuff(message: bytes) -> bytes:
    """The body as DATA carries it: CRLF line ends, leading dots doubled, ending in CRLF."""
    if (
        message.endswith(b"\r\n")
        and message.count(b"\n") == message.count(b"\r\n") == message.count(b"\r")
        and b"\n." not in message
        and not message.startswith(b".")
    ):
        return message
    body = message.replace(b"\r\n", b"\n").replace(b"\r", b"\n").replace(b"\n", b"\r\n")
    body = _LEADING_DOT.sub(b"..", body)
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    return body


def _path(address: str, utf8: bool) -> bytes:
    """`<address>` for MAIL FROM and RCPT TO. Addresses reach the sender checked and
    normalised (no quoted local part, no space, no angle bracket), and aiosmtplib refuses
    CR and LF in any command; its own `quote_address` runs every address through
    `email.utils.parseaddr`, which cost more than the rest of the exchange. An IDN domain
    goes as A-labels; a non-ASCII local part raises `UnicodeEncodeError` unless the
    transaction uses SMTPUTF8 (`utf8`)."""
    wire = wire_address(address)
    return b"<" + wire.encode("utf-8" if utf8 else "ascii") + b">"


def no_smtputf8() -> str:
    """Why a recipient with a non-ASCII local part was not sent to (kept on the recipient)."""
    return _(
        "Adresin @ öncesinde ASCII dışı karakter var ve posta sunucusu SMTPUTF8 "
        "desteklemiyor; bu alıcıya gönderilemedi."
    )


def _state_for(code: int) -> RecipientState:
    return RecipientState.DEFERRED if 400 <= code < 500 else RecipientState.REFUSED


class SmtpTransport:
    """Reused SMTP connections, at most `pool_size` at once."""

    def __init__(self, config: SmtpConfig, pool_size: int = 8) -> None:
        if config.security is SmtpSecurity.NONE and not is_loopback(config.host):
            raise TransportUnavailable(
                _(
                    "Şifresiz SMTP yalnızca bu makinedeki sunucuya (localhost) izinlidir; "
                    "{host} için STARTTLS veya TLS seçin."
                ).format(host=config.host)
            )
        self.config = config
        self.pool_size = max(1, pool_size)
        self._idle: list[aiosmtplib.SMTP] = []
        self._slots = asyncio.Semaphore(self.pool_size)

    @property
    def description(self) -> str:
        return f"smtp://{self.config.host}:{self.config.effective_port}"

    @property
    def concurrency(self) -> int:
        return self.pool_size

    async def open(self) -> None:
        async with self._slots:
            self._idle.append(await self._connect())

    async def _connect(self) -> aiosmtplib.SMTP:
        config = self.config
        context: ssl.SSLContext | None = None
        if config.security is not SmtpSecurity.NONE:
            context = ssl.create_default_context(cafile=config.ca_file)
            if not config.verify_tls:
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
        client = aiosmtplib.SMTP(
            hostname=config.host,
            port=config.effective_port,
            use_tls=config.security is SmtpSecurity.TLS,
            start_tls=config.security is SmtpSecurity.STARTTLS,
            tls_context=context,
            validate_certs=config.verify_tls,
            timeout=config.timeout,
            local_hostname=config.local_hostname,
        )
        try:
            await client.connect()
            if config.login:
                password = config.password.reveal() if config.password else ""
                await client.login(config.login, password)
            if client.is_ehlo_or_helo_needed:
                try:
                    await client.ehlo()
                except SMTPHeloError:
                    await client.helo()
        except SMTPResponseException as exc:
            client.close()
            raise TransportUnavailable(
                _("SMTP sunucusu bağlantıyı kabul etmedi: {code} {answer}").format(
                    code=exc.code, answer=exc.message
                )
            ) from None
        except (SMTPException, OSError) as exc:
            client.close()
            raise TransportUnavailable(
                _("SMTP sunucusuna bağlanılamadı ({where}): {reason}").format(
                    where=self.description, reason=exc
                )
            ) from None
        return client

    async def deliver(self, envelope: Envelope, handover: HandOver) -> Delivery:
        async with self._slots:
            reused = bool(self._idle)
            try:
                client = self._idle.pop() if reused else await self._connect()
            except TransportUnavailable as exc:
                return Delivery(connection_error=str(exc))
            delivery, healthy = await self._guarded(client, envelope, handover)
            if delivery.connection_error and reused and not delivery.results:
                # A reused connection the server had dropped while idle: one fresh try.
                try:
                    client = await self._connect()
                except TransportUnavailable as exc:
                    return Delivery(connection_error=str(exc))
                delivery, healthy = await self._guarded(client, envelope, handover)
            if healthy:
                self._idle.append(client)
            else:
                client.close()
            return delivery

    async def _guarded(
        self, client: aiosmtplib.SMTP, envelope: Envelope, handover: HandOver
    ) -> tuple[Delivery, bool]:
        """The transaction; if anything unexpected escapes (the hand-over could not be
        made durable, say), the connection is dropped mid-DATA, so the server discards
        the message, and the error goes up."""
        try:
            return await self._transaction(client, envelope, handover)
        except BaseException:
            client.close()
            raise

    async def _transaction(
        self, client: aiosmtplib.SMTP, envelope: Envelope, handover: HandOver
    ) -> tuple[Delivery, bool]:
        """One MAIL/RCPT/DATA exchange. Returns the outcome and whether the connection
        can be reused."""
        delivery = Delivery()
        # SMTPUTF8 (RFC 6531) only where an address needs it and the server offers it;
        # otherwise the message goes without the UTF-8 mailboxes in its `To` header.
        offered = client.supports_extension("smtputf8")
        utf8 = offered and (
            needs_smtputf8(envelope.sender)
            or any(needs_smtputf8(a) for _r, a in envelope.recipients)
            or not has_ascii_header(envelope.message)
        )
        try:
            extension = [b"SMTPUTF8"] if utf8 else []
            sender = b"FROM:" + _path(envelope.sender, utf8)
            answer = await client.execute_command(b"MAIL", sender, *extension)
        except UnicodeEncodeError:
            answer = SMTPResponse(
                553,
                _("Gönderen adresinde ASCII dışı karakter var ve sunucu SMTPUTF8 desteklemiyor."),
            )
        except (SMTPException, OSError) as exc:
            delivery.connection_error = str(exc) or type(exc).__name__
            return delivery, False
        if answer.code != 250:
            delivery.results = [
                RecipientResult(rid, _state_for(answer.code), answer.code, answer.message)
                for rid, _address in envelope.recipients
            ]
            return delivery, await _reset(client)
        accepted: list[int] = []
        for rid, address in envelope.recipients:
            try:
                answer = await client.execute_command(b"RCPT", b"TO:" + _path(address, utf8))
            except UnicodeEncodeError:
                delivery.results.append(
                    RecipientResult(rid, RecipientState.REFUSED, None, no_smtputf8())
                )
                continue
            except (SMTPException, OSError) as exc:
                delivery.connection_error = str(exc) or type(exc).__name__
                return delivery, False
            if answer.code in (250, 251):
                accepted.append(rid)
            else:
                delivery.results.append(
                    RecipientResult(rid, _state_for(answer.code), answer.code, answer.message)
                )
        if not accepted:
            return delivery, await _reset(client)
        message = envelope.message if utf8 else without_utf8_mailboxes(envelope.message)
        return await self._data(client, message, accepted, delivery, handover)

    async def _data(
        self,
        client: aiosmtplib.SMTP,
        message: bytes,
        accepted: list[int],
        delivery: Delivery,
        handover: HandOver,
    ) -> tuple[Delivery, bool]:
        try:
            start = await client.execute_command(b"DATA")
        except (SMTPException, OSError) as exc:
            delivery.connection_error = str(exc) or type(exc).__name__
            return delivery, False
        if start.code != 354:
            delivery.results += [
                RecipientResult(rid, _state_for(start.code), start.code, start.message)
                for rid in accepted
            ]
            return delivery, await _reset(client)
        protocol = client.protocol
        if protocol is None:
            delivery.connection_error = _("Bağlantı koptu.")
            return delivery, False
        try:
            protocol.write(dot_stuff(message))
        except SMTPServerDisconnected as exc:
            delivery.connection_error = str(exc)
            return delivery, False
        # Nothing is delivered until the final ".": a crash up to here loses nothing and
        # the letter is sent again later. The hand-over is made durable, and the "." is
        # written right after its commit, by `finish`.
        failure: list[str] = []

        def finish() -> None:
            try:
                protocol.write(b".\r\n")
            except SMTPServerDisconnected as exc:
                failure.append(str(exc) or _("Bağlantı koptu."))

        await handover(accepted, finish)
        if failure:
            delivery.connection_error = failure[0]
            return delivery, False
        try:
            reply = await protocol.read_response(timeout=self.config.timeout)
        except (SMTPServerDisconnected, SMTPTimeoutError, OSError) as exc:
            answer = _(
                "İleti gönderildi ama sunucunun yanıtı alınamadı ({reason}); teslim edilmiş "
                "sayıldı, tekrar gönderilmeyecek."
            ).format(reason=exc)
            delivery.results += [
                RecipientResult(rid, RecipientState.ACCEPTED, None, answer, in_doubt=True)
                for rid in accepted
            ]
            return delivery, False
        state = RecipientState.ACCEPTED if reply.code == 250 else _state_for(reply.code)
        delivery.results += [
            RecipientResult(rid, state, reply.code, reply.message) for rid in accepted
        ]
        return delivery, state is RecipientState.ACCEPTED or await _reset(client)

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for client in idle:
            try:
                await asyncio.wait_for(client.quit(), timeout=5)
            except (SMTPException, OSError, TimeoutError):
                client.close()


async def _reset(client: aiosmtplib.SMTP) -> bool:
    """RSET after a failed transaction; whether the connection is still usable."""
    try:
        reply = await client.rset()
    except (SMTPException, OSError):
        return False
    return reply.code == 250
