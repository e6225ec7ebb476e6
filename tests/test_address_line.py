"""An address that already ends with its city shows the city once: on the letter, its PDF
and the invoice print ("… Kadıköy/İstanbul", not "… Kadıköy/İstanbul İstanbul")."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from tests.ops_data import TODAY, make_account
from tests.test_orders_service import approve, new_order
from tests.test_send_letters import FACTS
from tui_mutabakat.data.models import Account
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.text import address_line
from tui_mutabakat.mail.templates import LetterRenderer, letter_context, shipped_template
from tui_mutabakat.services.accounts.invoices import load_document
from tui_mutabakat.services.accounts.shipping import ship_order
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.settings.working_settings import get_company

WITH_CITY = "Kozyatağı Mah. Değirmen Sok. No:18, 34742 Kadıköy/İstanbul"


def test_the_city_follows_the_address_unless_it_ends_with_it() -> None:
    assert address_line("Moda Cad. 1", "İstanbul") == "Moda Cad. 1 İstanbul"
    assert address_line(WITH_CITY, "İstanbul") == WITH_CITY
    assert address_line("Atatürk Cad. 3 Merkez/ISTANBUL", "İstanbul").endswith("/ISTANBUL")
    # Only a whole word: "Karaman" does not end with the city "Aman".
    assert address_line("Yeni Mah. Karaman", "Aman") == "Yeni Mah. Karaman Aman"
    assert address_line("", "Van") == "Van" and address_line("Moda", "") == "Moda"


def test_the_letter_names_the_city_once() -> None:
    company = replace(FACTS.company, address=WITH_CITY, city="İstanbul")
    facts = replace(FACTS, company=company)
    for name, language in (("letter_tr", "tr"), ("letter_en", "en")):
        letter = LetterRenderer(shipped_template(name)).render(letter_context(facts, language))
        assert letter.text.splitlines()[1] == WITH_CITY
        assert "İstanbul İstanbul" not in letter.text
        assert f"{WITH_CITY}<br>" in letter.html and "İstanbul İstanbul" not in letter.html


def test_the_invoice_print_names_the_city_once(database: Database, actor: Actor) -> None:
    account = make_account(database, actor)
    with database.unit_of_work() as session:
        company = get_company(session)
        company.title, company.address, company.city = "Defne A.Ş.", WITH_CITY, "İstanbul"
        stored = session.scalars(select(Account).where(Account.id == account)).one()
        stored.address, stored.city = "Bağlar Cad. 7 Merkez/Van", "Van"
    order = new_order(database, actor, account, "100")
    approve(database, actor, order)
    with database.unit_of_work() as session:
        invoice_id = ship_order(session, actor, order, invoice_date=TODAY, due_date=TODAY)
    with database.reader() as session:
        doc = load_document(session, invoice_id)
    assert doc.seller[1] == WITH_CITY
    assert doc.buyer[1] == "Bağlar Cad. 7 Merkez/Van"
