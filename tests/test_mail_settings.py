"""The mail settings screen (F9 on the main menu) by keys at 80x24: the sender identity,
the SMTP and IMAP servers with password sources (never passwords), and F5 trying both
servers as saved — against a real aiosmtpd and a real Dovecot."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from textual.widgets import Label, Static

from tests.imap_server import dovecot_or_skip
from tests.pilot_keys import press, type_text, wait_for
from tests.smtp_server import running_server
from tui_mutabakat.app import MutabakatApp
from tui_mutabakat.data.models import User
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.enums import SmtpSecurity
from tui_mutabakat.domain.errors import InvalidInput, Refused
from tui_mutabakat.screens.settings.mail_settings import MailSettingsScreen
from tui_mutabakat.services.context import Actor, resolve_actor
from tui_mutabakat.services.settings.users import (
    ImapSettings,
    SmtpSettings,
    UserMail,
    save_user_mail,
    set_imap,
    set_smtp,
    user_logins,
)

SIZE = (80, 24)


def user(database: Database, login: str) -> User:
    with database.reader() as session:
        found = session.scalar(select(User).where(User.login == login))
        assert found is not None
        return found


async def test_servers_are_set_by_keys_and_a_password_itself_is_refused(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "f9")
        screen = app.screen
        assert isinstance(screen, MailSettingsScreen)
        await press(pilot, "enter")  # the name stays; on to the sender address
        await type_text(pilot, "muhasebe@ornek.com.tr")
        await press(pilot, "enter")
        await type_text(pilot, "smtp.ornek.com.tr")
        await press(pilot, "enter")
        await type_text(pilot, "587")
        await press(pilot, "enter", "tab", "tab")  # security (STARTTLS), login
        await type_text(pilot, "gizli-parola")
        await press(pilot, "f2")
        error = str(screen.query_one("#err-smtp_password_ref", Label).content)
        assert error.startswith("Parola kaynağı env:AD")
        assert user(database, actor.login).smtp_host == ""
        await press(pilot, "end", "ctrl+u")
        await type_text(pilot, "env:SMTP_PASS")
        await press(pilot, "f2")
        saved = user(database, actor.login)
        assert (saved.smtp_host, saved.smtp_port, saved.smtp_security) == (
            "smtp.ornek.com.tr",
            587,
            SmtpSecurity.STARTTLS,
        )
        assert saved.smtp_password_ref == "env:SMTP_PASS"
        assert saved.from_address == "muhasebe@ornek.com.tr"
        assert "gizli-parola" not in repr(vars(saved))


async def test_f5_tries_the_smtp_server_and_the_mailbox_as_saved(
    app: MutabakatApp, database: Database, actor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_server() as (_server, port), dovecot_or_skip() as dovecot:
        monkeypatch.setenv("MTB_TEST_IMAP_PASS", dovecot.password)
        with database.unit_of_work() as session:
            smtp = SmtpSettings("127.0.0.1", port, SmtpSecurity.NONE, from_address="a@ornek.com.tr")
            set_smtp(session, actor, actor.login, smtp)
            imap = ImapSettings(
                dovecot.host,
                dovecot.port,
                SmtpSecurity.NONE,
                dovecot.login,
                "env:MTB_TEST_IMAP_PASS",
            )
            set_imap(session, actor, actor.login, imap)
        async with app.run_test(size=SIZE) as pilot:
            await press(pilot, "f9")
            screen = app.screen
            assert isinstance(screen, MailSettingsScreen)
            await press(pilot, "f5")
            result = screen.query_one("#mail-check", Static)
            await wait_for(pilot, lambda: "IMAP" in str(result.content), tries=300)
            lines = str(result.content).splitlines()
            assert lines[0].startswith("✓ SMTP: smtp://127.0.0.1:")
            assert lines[1].startswith("✓ IMAP: " + dovecot.login)
            with database.unit_of_work() as session:
                nobody = ImapSettings(dovecot.host, dovecot.port, SmtpSecurity.NONE, "nobody")
                set_imap(session, actor, actor.login, nobody)
            await press(pilot, "escape", "f9")
            screen = app.screen
            assert isinstance(screen, MailSettingsScreen)
            await press(pilot, "f5")
            result = screen.query_one("#mail-check", Static)
            await wait_for(pilot, lambda: "IMAP" in str(result.content), tries=300)
            assert str(result.content).splitlines()[1].startswith("✗ IMAP: nobody@")


def test_refusals_name_the_server_and_a_user_changes_only_their_own(
    database: Database, actor: Actor
) -> None:
    with database.unit_of_work() as session:
        other = resolve_actor(session, "ayse")  # the second login: an accountant
        assert not other.is_admin and actor.is_admin
        assert user_logins(session, other) == ["ayse"]
        assert user_logins(session, actor) == ["ayse", "tester"]
    imap = ImapSettings("imap.ornek.com.tr", None, SmtpSecurity.TLS, "a", "parola")
    mail = UserMail("ayse", SmtpSettings(""), imap)
    with pytest.raises(InvalidInput) as refused, database.unit_of_work() as session:
        save_user_mail(session, other, mail)
    assert refused.value.field == "imap_password_ref"
    with pytest.raises(Refused), database.unit_of_work() as session:
        save_user_mail(session, other, UserMail("tester", SmtpSettings(""), ImapSettings("")))
    only_sender = SmtpSettings("", from_address="Ayse@Ornek.com.tr", display_name="Ayşe")
    with database.unit_of_work() as session:
        save_user_mail(session, other, UserMail("ayse", only_sender, ImapSettings("")))
    saved = user(database, "ayse")
    assert (saved.from_address, saved.display_name, saved.smtp_host) == (
        "Ayse@ornek.com.tr",
        "Ayşe",
        "",
    )
