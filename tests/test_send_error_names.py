"""The error list names an account once (issue 11): a sole trader's contact bears the
account's title, and its wrong address must not read "Selim Ateş: Selim Ateş: …"."""

from __future__ import annotations

from datetime import date

from tests.send_data import add_account, add_company, add_movement, configure_sender, write_batch
from tui_mutabakat.data.models import Contact
from tui_mutabakat.data.session import Database
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.sending.compose import SendOptions
from tui_mutabakat.services.sending.error_list import error_lines, error_list
from tui_mutabakat.services.sending.letters import recipients_for


def test_the_error_list_names_a_sole_traders_account_once(database: Database, actor: Actor) -> None:
    with database.unit_of_work() as session:
        add_company(session)
        configure_sender(session, actor.login)
        sole = add_account(session, "120.01.008", "Selim Ateş")
        sole.contacts = [Contact(name="selim ateş ", email="", receives_reconciliation=True)]
        firm = add_account(session, "120.01.009", "Kaya Ltd.")
        firm.contacts = [
            Contact(name="Ayşe Kaya", email="", receives_reconciliation=True),
            Contact(name="Selim Ateş", email="selim@", receives_reconciliation=True),
        ]
        for account in (sole, firm):
            add_movement(session, account, date(2026, 2, 1), debit="100")
        keys = [(sole.id, "TRY"), (firm.id, "TRY")]
        found = recipients_for(session, [sole.id, firm.id])
        assert found[sole.id].problems == ("E-posta adresi boş.",)
        # another account's contacts keep their names: they are not its title
        assert found[firm.id].problems[0] == "Ayşe Kaya: E-posta adresi boş."
        assert found[firm.id].problems[1].startswith("Selim Ateş <selim@>: ")
    created = write_batch(database, actor, date(2026, 3, 31), keys, SendOptions())
    with database.reader() as session:
        lines = error_lines(error_list(session, created.batch_id))
    [line] = [ln for ln in lines if "120.01.008" in ln]
    assert line.strip() == "120.01.008 Selim Ateş TL: E-posta adresi boş."
    assert line.count("Selim Ateş") == 1
