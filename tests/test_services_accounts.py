"""Account services (SPEC B1–B4, C6) on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tui_mutabakat.data.models import Account, AccountParameters, AuditEvent, Contact, Movement
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.enums import DocumentType, Routing, RuleAction
from tui_mutabakat.domain.errors import ConcurrentChange, InvalidInput, NotFound, Refused
from tui_mutabakat.services.accounts.cards import (
    AccountData,
    ContactData,
    delete_account,
    load_account,
    recipient_problems,
    save_account,
)
from tui_mutabakat.services.accounts.parameters import load_defaults, load_parameters, save_defaults
from tui_mutabakat.services.context import Actor, resolve_actor


def _card(**values: Any) -> AccountData:
    values.setdefault("code", "120.001")
    values.setdefault("title", "Anadolu Gıda A.Ş.")
    return AccountData(**values)


def _create(db: Database, actor: Actor, data: AccountData) -> int:
    with db.unit_of_work() as session:
        return save_account(session, actor, data)


def _load(db: Database, account_id: int) -> AccountData:
    with db.reader() as session:
        return load_account(session, account_id)


def _other_user(db: Database, login: str = "ayse") -> Actor:
    with db.unit_of_work() as session:
        return resolve_actor(session, login)


def _events(db: Database) -> list[tuple[str, str, str, str, str]]:
    with db.reader() as session:
        rows = session.execute(
            select(
                AuditEvent.user_login,
                AuditEvent.action,
                AuditEvent.entity,
                AuditEvent.entity_id,
                AuditEvent.detail,
            )
            .where(AuditEvent.entity != "user")
            .order_by(AuditEvent.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def test_save_and_load_a_card_with_contacts(any_database: Database, any_actor: Actor) -> None:
    data = _card(
        tax_number="1234567890",
        tax_office="Kadıköy",
        city="İSTANBUL",
        currency="USD",
        group_code="TOPTAN",
        risk_limit=Decimal("250000.00"),
        contacts=[
            ContactData(name=" Ayşe Yılmaz ", department="Muhasebe", email="ayse@example.com"),
            ContactData(name="Mehmet Öz", email="mehmet@", receives_reconciliation=False),
        ],
    )
    account_id = _create(any_database, any_actor, data)
    loaded = _load(any_database, account_id)
    assert (loaded.id, loaded.version_id) == (account_id, 1)
    assert (loaded.code, loaded.title, loaded.city) == ("120.001", "Anadolu Gıda A.Ş.", "İSTANBUL")
    assert (loaded.currency, loaded.risk_limit) == ("USD", Decimal("250000.00"))
    assert [(c.name, c.email, c.receives_reconciliation) for c in loaded.contacts] == [
        ("Ayşe Yılmaz", "ayse@example.com", True),
        ("Mehmet Öz", "mehmet@", False),
    ]
    with any_database.reader() as session:
        account = session.get(Account, account_id)
        assert account is not None
        assert (account.created_by, account.updated_by) == ("tester", "tester")


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"code": "  "}, "code"),
        ({"code": "X" * 33}, "code"),
        ({"title": ""}, "title"),
        ({"tax_number": "1234567891"}, "tax_number"),
        ({"currency": "XYZ"}, "currency"),
        ({"risk_limit": Decimal("-1")}, "risk_limit"),
        ({"contacts": [ContactData(name=" ", email="a@example.com")]}, "contacts"),
    ],
)
def test_what_cannot_be_stored_is_refused(
    database: Database, actor: Actor, values: dict[str, Any], field: str
) -> None:
    data = _card(**values)
    with pytest.raises(InvalidInput) as caught, database.unit_of_work() as session:
        save_account(session, actor, data)
    assert caught.value.field == field
    assert str(caught.value)
    with database.reader() as session:
        assert session.scalar(select(Account.id)) is None


def test_account_code_is_unique(any_database: Database, any_actor: Actor) -> None:
    first = _create(any_database, any_actor, _card(code="320.01"))
    with pytest.raises(InvalidInput, match="320.01") as caught:
        _create(any_database, any_actor, _card(code=" 320.01 ", title="Başka Firma"))
    assert caught.value.field == "code"
    # Saving the same account under its own code is not a clash.
    card = _load(any_database, first)
    card.title = "Yeni Ünvan"
    with any_database.unit_of_work() as session:
        save_account(session, any_actor, card)
    assert _load(any_database, first).title == "Yeni Ünvan"


def test_a_new_account_takes_the_working_settings_defaults(
    any_database: Database, any_actor: Actor
) -> None:
    with any_database.unit_of_work() as session:
        defaults = load_defaults(session)
        defaults.partial_shipment = True
        defaults.invoice_copies = 3
        defaults.approve_by_ageing = True
        defaults.ageing_days = 45
        defaults.due_track_types = frozenset({DocumentType.SALES_INVOICE, DocumentType.BANK})
        defaults.due_track_days = 10
        defaults.due_track_amount = Decimal("2500.50")
        defaults.due_track_action = RuleAction.STOP
        defaults.close_check_days = 7
        defaults.close_check_action = RuleAction.WARN
        save_defaults(session, any_actor, defaults)
    account_id = _create(any_database, any_actor, _card())
    with any_database.reader() as session:
        assert session.get(AccountParameters, account_id) is not None, "created with the card"
        params = load_parameters(session, account_id)
    assert params.partial_shipment is True
    assert params.invoice_copies == 3
    assert (params.approve_by_ageing, params.ageing_days) == (True, 45)
    assert params.due_track_types == {DocumentType.SALES_INVOICE, DocumentType.BANK}
    assert (params.due_track_days, params.due_track_amount) == (10, Decimal("2500.50"))
    assert params.due_track_action is RuleAction.STOP
    assert (params.close_check_days, params.close_check_action) == (7, RuleAction.WARN)

    # Changing the defaults later leaves the existing account alone.
    with any_database.unit_of_work() as session:
        later = load_defaults(session)
        later.invoice_copies = 5
        save_defaults(session, any_actor, later)
    with any_database.reader() as session:
        assert load_parameters(session, account_id).invoice_copies == 3


def test_second_save_of_the_same_version_is_refused(
    any_database: Database, any_actor: Actor
) -> None:
    """Two users open the same card; the one who saves second is told, nothing is lost."""
    account_id = _create(any_database, any_actor, _card(city="ANKARA"))
    ayse = _other_user(any_database)
    mine = _load(any_database, account_id)
    hers = _load(any_database, account_id)
    hers.city = "İZMİR"
    with any_database.unit_of_work() as session:
        save_account(session, ayse, hers)
    mine.city = "BURSA"
    mine.title = "Benim Ünvanım"
    with pytest.raises(ConcurrentChange, match="ayse"), any_database.unit_of_work() as session:
        save_account(session, any_actor, mine)
    stored = _load(any_database, account_id)
    assert (stored.city, stored.title, stored.version_id) == ("İZMİR", "Anadolu Gıda A.Ş.", 2)
    # After reloading, the second user can save.
    stored.title = "Benim Ünvanım"
    with any_database.unit_of_work() as session:
        save_account(session, any_actor, stored)
    assert _load(any_database, account_id).version_id == 3


def test_a_save_racing_past_the_version_check_is_refused(
    any_database: Database, any_actor: Actor
) -> None:
    """Both saves pass the check in Python; the database's versioned UPDATE stops the second."""
    account_id = _create(any_database, any_actor, _card(city="ANKARA"))
    ayse = _other_user(any_database)
    with any_database.reader() as late:
        # The card as it was (version 1), held in this session's identity map, loaded as
        # save_account loads it; the other user's save commits while this one is "thinking".
        held = late.get(Account, account_id, options=[selectinload(Account.contacts)])
        assert held is not None and held.version_id == 1
        hers = _load(any_database, account_id)
        hers.city = "İZMİR"
        with any_database.unit_of_work() as session:
            save_account(session, ayse, hers)
        mine = _load(any_database, account_id)
        mine.version_id = 1
        mine.city = "BURSA"
        with pytest.raises(ConcurrentChange, match="başka bir kullanıcı"):
            save_account(late, any_actor, mine)
        late.rollback()
    assert _load(any_database, account_id).city == "İZMİR"


def test_contacts_are_edited_added_and_removed(any_database: Database, any_actor: Actor) -> None:
    account_id = _create(
        any_database,
        any_actor,
        _card(
            contacts=[
                ContactData(name="Ayşe", email="ayse@example.com"),
                ContactData(name="Burak", email="burak@example.com"),
                ContactData(name="Cem", email="cem@example.com"),
            ]
        ),
    )
    card = _load(any_database, account_id)
    ayse, burak, cem = card.contacts
    ayse.email = "ayse.yilmaz@example.com"
    ayse.receives_reconciliation = False
    card.contacts = [cem, ayse, ContactData(name="Deniz", email="deniz@example.com")]
    with any_database.unit_of_work() as session:
        save_account(session, any_actor, card)
    after = _load(any_database, account_id)
    by_name = {c.name: c for c in after.contacts}
    assert set(by_name) == {"Ayşe", "Cem", "Deniz"}
    assert by_name["Ayşe"].id == ayse.id, "an edited contact keeps its row"
    assert by_name["Cem"].id == cem.id
    assert by_name["Ayşe"].email == "ayse.yilmaz@example.com"
    assert by_name["Ayşe"].receives_reconciliation is False
    assert by_name["Deniz"].id not in (ayse.id, burak.id, cem.id)
    with any_database.reader() as session:
        assert session.get(Contact, burak.id) is None, "a removed contact is deleted"
        assert len(session.scalars(select(Contact.id)).all()) == 3

    card = _load(any_database, account_id)
    card.contacts = []
    with any_database.unit_of_work() as session:
        save_account(session, any_actor, card)
    with any_database.reader() as session:
        assert session.scalar(select(Contact.id)) is None


def test_delete_is_refused_while_movements_exist(any_database: Database, any_actor: Actor) -> None:
    account_id = _create(
        any_database, any_actor, _card(contacts=[ContactData(name="Ayşe", email="a@example.com")])
    )
    with any_database.unit_of_work() as session:
        session.add(
            Movement(
                account_id=account_id,
                date=dt.date(2026, 1, 5),
                doc_type=DocumentType.SALES_INVOICE,
                debit=Decimal("100.00"),
            )
        )
    with pytest.raises(Refused, match="120.001"), any_database.unit_of_work() as session:
        delete_account(session, any_actor, account_id)
    assert _load(any_database, account_id).contacts[0].name == "Ayşe"

    with any_database.unit_of_work() as session:
        session.query(Movement).delete()
    with any_database.unit_of_work() as session:
        delete_account(session, any_actor, account_id)
    with any_database.reader() as session:
        assert session.get(Account, account_id) is None
        assert session.scalar(select(Contact.id)) is None
        assert session.get(AccountParameters, account_id) is None
    with pytest.raises(NotFound), any_database.unit_of_work() as session:
        delete_account(session, any_actor, account_id)
    with pytest.raises(NotFound):
        _load(any_database, account_id)


def test_every_change_is_in_the_audit_trail(any_database: Database, any_actor: Actor) -> None:
    account_id = _create(any_database, any_actor, _card(code="600.01"))
    ayse = _other_user(any_database)
    card = _load(any_database, account_id)
    card.title = "Değişti"
    with any_database.unit_of_work() as session:
        save_account(session, ayse, card)
    with any_database.unit_of_work() as session:
        delete_account(session, any_actor, account_id)
    assert _events(any_database) == [
        ("tester", "create", "account", str(account_id), "600.01"),
        ("ayse", "update", "account", str(account_id), "600.01"),
        ("tester", "delete", "account", str(account_id), "600.01"),
    ]


def test_a_refused_save_leaves_no_audit_line(any_database: Database, any_actor: Actor) -> None:
    _create(any_database, any_actor, _card(code="600.01"))
    with pytest.raises(InvalidInput):
        _create(any_database, any_actor, _card(code="600.01"))
    assert [e[1] for e in _events(any_database)] == ["create"]


def _problems(**values: Any) -> list[str]:
    return recipient_problems(_card(**values))


def test_no_contacts_means_no_recipient() -> None:
    problems = _problems(contacts=[])
    assert problems == ["Mutabakat alacak yetkili yok."]


def test_contacts_that_do_not_receive_letters_do_not_count() -> None:
    problems = _problems(
        contacts=[ContactData(name="Ayşe", email="ayse@example.com", receives_reconciliation=False)]
    )
    assert problems == ["Mutabakat alacak yetkili yok."]


def test_every_invalid_address_is_named_and_sending_is_blocked() -> None:
    problems = _problems(
        contacts=[
            ContactData(name="Ayşe", email="ayse.example.com"),
            ContactData(name="Burak", email=""),
        ]
    )
    assert problems[0].startswith("Ayşe: ") and "@" in problems[0]
    assert problems[1] == "Burak: E-posta adresi boş."
    assert problems[2] == "Geçerli alıcı yok: mutabakat gönderilemez."


def test_one_valid_address_is_enough_to_send_but_the_wrong_one_is_shown() -> None:
    problems = _problems(
        contacts=[
            ContactData(name="Ayşe", email="ayse@example.com"),
            ContactData(name="Burak", email="burak@@example.com"),
        ]
    )
    assert problems == ["Burak: Adreste birden fazla @ işareti var."]


def test_all_valid_contacts_have_no_problem() -> None:
    assert _problems(contacts=[ContactData(name="Ayşe", email="ayse@örnek.com.tr")]) == []


def test_department_routing_checks_only_the_department_address() -> None:
    broken_contacts = [ContactData(name="Ayşe", email="yanlış")]
    assert (
        _problems(
            routing=Routing.DEPARTMENT,
            department_email="muhasebe@example.com",
            contacts=broken_contacts,
        )
        == []
    )
    assert _problems(routing=Routing.DEPARTMENT, department_email="") == [
        "Departman adresi: E-posta adresi boş."
    ]
    assert _problems(routing=Routing.DEPARTMENT, department_email="muhasebe@firma") == [
        "Departman adresi: Alan adı eksik (örnek: firma.com.tr)."
    ]


def test_wrong_addresses_are_stored_they_only_block_sending(
    any_database: Database, any_actor: Actor
) -> None:
    card = _card(contacts=[ContactData(name="Ayşe", email="ayse@")])
    account_id = _create(any_database, any_actor, card)
    loaded = _load(any_database, account_id)
    assert loaded.contacts[0].email == "ayse@"
    assert recipient_problems(loaded)[-1] == "Geçerli alıcı yok: mutabakat gönderilemez."
