"""Letters really composed and sent (file backend) with the portal on, and their links."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import date
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy import select

from tests.send_data import add_account, add_company, add_movement, configure_sender, write_batch
from tui_mutabakat.config import Settings
from tui_mutabakat.data.outbox_models import Letter, LetterMessage
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.states import LetterState
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.portal.links import SESSION_KEY, PortalLinks, load_key
from tui_mutabakat.services.sending.compose import SendOptions
from tui_mutabakat.services.sending.worker import send_batch

AS_OF = date(2026, 11, 30)
ANSWER_BY = date(2026, 12, 15)
BASE_URL = "https://mutabakat.ornek.com.tr"
LINK = re.compile(r"https://mutabakat\.ornek\.com\.tr/m/([A-Za-z0-9_.-]+)")


def portal_on(database: Database, data_dir: Path, base_url: str = BASE_URL) -> PortalLinks:
    """Turn the portal on for this database's sessions, as `open_database` does."""
    links = PortalLinks(base_url, load_key(data_dir), 14)
    database.info[SESSION_KEY] = links
    return links


async def sent_letters(
    database: Database,
    actor: Actor,
    data_dir: Path,
    *,
    open_items: bool = False,
    attach_statement: bool = False,
    attach_pdf: bool = False,
    smtp_port: int | None = None,
) -> list[Letter]:
    """Two accounts' letters, sent: Alfa in TRY and USD, Beta in TRY only — to the file
    backend, or with `smtp_port` to the SMTP server on 127.0.0.1 there."""
    with database.unit_of_work() as session:
        add_company(session)
        if smtp_port is None:
            configure_sender(session, actor.login)
        else:
            configure_sender(session, actor.login, host="127.0.0.1", port=smtp_port)
        alfa = add_account(session, "120.001", "Alfa Ltd.", emails=("mali@alfa.com.tr",))
        add_movement(session, alfa, date(2026, 10, 1), debit="12000")
        add_movement(session, alfa, date(2026, 10, 2), credit="3000", currency="USD")
        beta = add_account(session, "120.002", "Beta A.Ş.", emails=("muhasebe@beta.com.tr",))
        add_movement(session, beta, date(2026, 10, 3), debit="1500.50")
        session.flush()
        options = SendOptions(
            answer_by=ANSWER_BY,
            open_items=open_items,
            attach_statement=attach_statement,
            attach_pdf=attach_pdf,
        )
    created = write_batch(database, actor, AS_OF, [(alfa.id, ""), (beta.id, "")], options)
    assert created.batch_id is not None and created.letters == 2
    url = database.engine.url.render_as_string(hide_password=False)
    backend = "file" if smtp_port is None else "smtp"
    settings = Settings(data_dir=data_dir, database_url=url, mail_backend=backend)
    await send_batch(database, settings, created.batch_id)
    with database.reader() as session:
        letters = list(session.scalars(select(Letter).order_by(Letter.account_code)))
        assert [x.state for x in letters] == [LetterState.SENT, LetterState.SENT]
        for letter in letters:
            session.expunge(letter)
        return letters


def message_of(database: Database, letter_id: int) -> EmailMessage:
    with database.reader() as session:
        raw = session.scalars(
            select(LetterMessage.message).where(LetterMessage.letter_id == letter_id)
        ).one()
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def link_token(database: Database, letter_id: int) -> str:
    """The token of the link in the letter's text part (the HTML part has it too)."""
    return token_in(message_of(database, letter_id))


def token_in(message: EmailMessage) -> str:
    """The token of the link in a letter's text part, also in its HTML part."""
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    found = LINK.findall(str(text.get_content()))
    assert found, "the letter carries no link"
    assert found[0] in str(html.get_content())
    return str(found[0])
