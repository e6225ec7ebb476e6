"""STARTTLS and implicit TLS with login, against aiosmtpd with a certificate made here; and
plain SMTP refused for a server that is not on this machine."""

from __future__ import annotations

import shutil
import ssl
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.certificates import self_signed
from tests.send_data import add_account, add_company, add_movement, configure_sender, write_batch
from tests.smtp_server import RecordingHandler, free_port
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.enums import SmtpSecurity
from tui_mutabakat.mail.delivery import SmtpConfig, SmtpTransport
from tui_mutabakat.mail.secrets import resolve_secret
from tui_mutabakat.mail.transport import TransportUnavailable
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.sending.compose import SendOptions
from tui_mutabakat.services.sending.sender import OutboxSender

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    return self_signed(tmp_path)


def _check_login(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data == (b"muhasebe", b"s3cret!")
    return AuthResult(success=ok, handled=False)


@pytest.mark.parametrize("security", [SmtpSecurity.STARTTLS, SmtpSecurity.TLS])
async def test_letters_go_over_tls_with_login(
    database: Database,
    actor: Actor,
    certificate: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    security: SmtpSecurity,
) -> None:
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    handler = RecordingHandler()
    port = free_port()
    extra: dict[str, Any] = (
        {"tls_context": context, "require_starttls": True}
        if security is SmtpSecurity.STARTTLS
        else {"ssl_context": context}
    )
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        authenticator=_check_login,
        # aiosmtpd only knows about STARTTLS; on an implicit-TLS port it is TLS anyway.
        auth_require_tls=security is SmtpSecurity.STARTTLS,
        **extra,
    )
    controller.start()
    try:
        with database.unit_of_work() as session:
            add_company(session)
            configure_sender(session, actor.login)
            account = add_account(session, "120.001", "Alfa", emails=("a@alfa.com.tr",))
            add_movement(session, account, date(2026, 3, 1), debit="1234.56")
        created = write_batch(
            database, actor, date(2026, 12, 31), [(account.id, "TRY")], SendOptions()
        )
        monkeypatch.setenv("MUTABAKAT_TEST_SMTP_PASSWORD", "s3cret!")
        config = SmtpConfig(
            host="127.0.0.1",
            port=port,
            security=security,
            login="muhasebe",
            password=resolve_secret("env:MUTABAKAT_TEST_SMTP_PASSWORD"),
            ca_file=str(cert),
        )
        report = await OutboxSender(
            database, SmtpTransport(config, pool_size=2), batch_id=created.batch_id
        ).run(once=True)
    finally:
        controller.stop()
    assert report.transport_error is None and report.progress.sent == 1
    assert [r.rcpt_tos for r in handler.received] == [("a@alfa.com.tr",)]


async def test_a_wrong_password_is_reported_and_nothing_is_sent(
    database: Database, actor: Actor, certificate: tuple[Path, Path]
) -> None:
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    port = free_port()
    controller = Controller(
        RecordingHandler(),
        hostname="127.0.0.1",
        port=port,
        ssl_context=context,
        authenticator=_check_login,
        auth_require_tls=False,
    )
    controller.start()
    try:
        config = SmtpConfig(
            host="127.0.0.1",
            port=port,
            security=SmtpSecurity.TLS,
            login="muhasebe",
            password=resolve_secret("cmd:echo yanlis"),
            ca_file=str(cert),
            timeout=10,
        )
        with pytest.raises(TransportUnavailable, match="535"):
            await SmtpTransport(config).open()
    finally:
        controller.stop()


def test_plain_smtp_only_on_loopback() -> None:
    with pytest.raises(TransportUnavailable, match="localhost"):
        SmtpTransport(SmtpConfig(host="mail.ornek.com.tr", security=SmtpSecurity.NONE))
    assert SmtpTransport(SmtpConfig(host="::1", security=SmtpSecurity.NONE)).pool_size == 8
