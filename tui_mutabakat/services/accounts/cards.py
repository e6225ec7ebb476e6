"""Account cards and their contacts: load, validate, save with a version check, delete."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, fields
from decimal import Decimal

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from tui_mutabakat.data.models import Account, AccountParameters, Contact, Movement
from tui_mutabakat.domain.email_check import EmailCheck, check_email
from tui_mutabakat.domain.enums import CURRENCIES, Routing
from tui_mutabakat.domain.errors import ConcurrentChange, InvalidInput, NotFound, Refused
from tui_mutabakat.domain.tax_number import is_valid_tax_number
from tui_mutabakat.i18n import current_language
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.services.context import Actor, record
from tui_mutabakat.services.limits import amount_in_range
from tui_mutabakat.services.settings.working_settings import copy_defaults, get_working_settings
from tui_mutabakat.services.text_input import TextFields, check_texts, cleaned


@dataclass(slots=True)
class ContactData:
    name: str = ""
    title: str = ""
    department: str = ""
    email: str = ""
    phone: str = ""
    receives_reconciliation: bool = True
    id: int | None = None

    def email_check(self) -> EmailCheck:
        return check_email(self.email)


@dataclass(slots=True)
class AccountData:
    """What the account card edits. `version_id` is the version the user started from."""

    code: str = ""
    title: str = ""
    tax_number: str = ""
    tax_office: str = ""
    address: str = ""
    city: str = ""
    phone: str = ""
    currency: str = "TRY"
    group_code: str = ""
    sector_code: str = ""
    region_code: str = ""
    risk_limit: Decimal | None = None
    notes: str = ""
    active: bool = True
    routing: Routing = Routing.CONTACTS
    department_email: str = ""
    contacts: list[ContactData] = field(default_factory=list)
    id: int | None = None
    version_id: int | None = None


_SCALAR_FIELDS = tuple(
    f.name for f in fields(AccountData) if f.name not in ("contacts", "id", "version_id")
)
_CONTACT_FIELDS = tuple(f.name for f in fields(ContactData) if f.name != "id")


def recipient_problems(data: AccountData) -> list[str]:
    """Why letters could not go to this account now (SPEC B3); empty when they can."""
    if data.routing is Routing.DEPARTMENT:
        check = check_email(data.department_email)
        if not check.ok:
            return [_("Departman adresi: {reason}").format(reason=check.reason)]
        return []
    receivers = [c for c in data.contacts if c.receives_reconciliation]
    if not receivers:
        return [_("Mutabakat alacak yetkili yok.")]
    problems = []
    for contact in receivers:
        check = contact.email_check()
        if not check.ok:
            problems.append(f"{contact.name or '?'}: {check.reason}")
    if len(problems) == len(receivers):
        problems.append(_("Geçerli alıcı yok: mutabakat gönderilemez."))
    return problems


def _account_text() -> TextFields:
    return _account_text_in(current_language())


@functools.cache
def _account_text_in(language: str) -> TextFields:
    """The account's text fields with their labels in `language` (built once each)."""
    return {
        "code": (Account.code, _("Hesap kodu"), False),
        "title": (Account.title, _("Ünvan"), False),
        "tax_number": (Account.tax_number, _("Vergi no"), False),
        "tax_office": (Account.tax_office, _("Vergi dairesi"), False),
        "address": (Account.address, _("Adres"), True),
        "city": (Account.city, _("Şehir"), False),
        "phone": (Account.phone, _("Telefon"), False),
        "currency": (Account.currency, _("Döviz"), False),
        "group_code": (Account.group_code, _("Grup kodu"), False),
        "sector_code": (Account.sector_code, _("Sektör kodu"), False),
        "region_code": (Account.region_code, _("Bölge kodu"), False),
        "notes": (Account.notes, _("Notlar"), True),
        "department_email": (Account.department_email, _("Departman e-postası"), False),
    }


def _contact_text() -> TextFields:
    return _contact_text_in(current_language())


@functools.cache
def _contact_text_in(language: str) -> TextFields:
    return {
        "name": (Contact.name, _("Yetkilinin adı"), False),
        "title": (Contact.title, _("Yetkilinin unvanı"), False),
        "department": (Contact.department, _("Yetkilinin departmanı"), False),
        "email": (Contact.email, _("Yetkilinin e-postası"), False),
        "phone": (Contact.phone, _("Yetkilinin telefonu"), False),
    }


def clean_account(data: AccountData) -> AccountData:
    """`data` with every text cleaned (`domain.text.clean_text`): control, bidi and other
    invisible characters refused, zero-width ones removed, column sizes kept."""
    result = cleaned(data, _account_text())
    result.contacts = [
        cleaned(contact, _contact_text(), field_prefix="contacts") for contact in data.contacts
    ]
    return result


def validate(data: AccountData) -> None:
    """Refuse what cannot be stored. Wrong e-mails are stored: they block only sending."""
    check_texts(data, _account_text())
    for contact in data.contacts:
        check_texts(contact, _contact_text(), field_prefix="contacts")
    if not data.code.strip():
        raise InvalidInput(_("Hesap kodu boş olamaz."), "code")
    if len(data.code.strip()) > 32:
        raise InvalidInput(_("Hesap kodu en fazla 32 karakter olabilir."), "code")
    if not data.title.strip():
        raise InvalidInput(_("Ünvan boş olamaz."), "title")
    if data.tax_number and not is_valid_tax_number(data.tax_number.strip()):
        raise InvalidInput(
            _("Vergi/TC kimlik numarası geçersiz (10 veya 11 hane, kontrol hanesi tutmalı)."),
            "tax_number",
        )
    if data.currency not in CURRENCIES:
        raise InvalidInput(
            _("Döviz cinsi şunlardan biri olmalı: {codes}").format(codes=", ".join(CURRENCIES)),
            "currency",
        )
    if data.risk_limit is not None and data.risk_limit < 0:
        raise InvalidInput(_("Risk limiti negatif olamaz."), "risk_limit")
    amount_in_range(data.risk_limit, "risk_limit")
    for contact in data.contacts:
        if not contact.name.strip():
            raise InvalidInput(_("Yetkilinin adı boş olamaz."), "contacts")


def load_account(session: Session, account_id: int) -> AccountData:
    account = session.get(Account, account_id, options=[selectinload(Account.contacts)])
    if account is None:
        raise NotFound(_("Hesap bulunamadı (silinmiş olabilir)."))
    data = AccountData(
        **{name: getattr(account, name) for name in _SCALAR_FIELDS},
        id=account.id,
        version_id=account.version_id,
    )
    data.contacts = [
        ContactData(**{n: getattr(c, n) for n in _CONTACT_FIELDS}, id=c.id)
        for c in account.contacts
    ]
    return data


def save_account(session: Session, actor: Actor, data: AccountData) -> int:
    """Create or update an account with its contacts; returns the account id.

    A new account gets its parameters from the working settings. An update is refused
    with `ConcurrentChange` when someone else saved the card after `data.version_id`.
    """
    data = clean_account(data)
    validate(data)
    code = data.code.strip()
    clash = session.scalar(select(Account.id).where(Account.code == code))
    if clash is not None and clash != data.id:
        raise InvalidInput(_("{code} kodlu bir hesap zaten var.").format(code=code), "code")
    if data.id is None:
        account = Account(created_by=actor.login)
        account.parameters = AccountParameters()
        copy_defaults(get_working_settings(session), account.parameters)
        session.add(account)
        action = "create"
    else:
        found = session.get(Account, data.id, options=[selectinload(Account.contacts)])
        if found is None:
            raise NotFound(_("Hesap bulunamadı (silinmiş olabilir)."))
        if found.version_id != data.version_id:
            raise ConcurrentChange(_concurrent_message(found.updated_by))
        account = found
        action = "update"
    for name in _SCALAR_FIELDS:
        setattr(account, name, getattr(data, name))
    account.code = code
    account.title = data.title.strip()
    account.tax_number = data.tax_number.strip()
    account.department_email = data.department_email.strip()
    account.updated_by = actor.login
    _apply_contacts(account, data.contacts)
    try:
        session.flush()
    except StaleDataError as exc:
        raise ConcurrentChange(_concurrent_message(None)) from exc
    record(session, actor, action, "account", account.id, account.code)
    return account.id


def _concurrent_message(by: str | None) -> str:
    if by:
        return _(
            "Bu kartı siz açtıktan sonra {user} kaydetti. Değişiklikleriniz kaydedilmedi; "
            "kartı yeniden açıp tekrar deneyin."
        ).format(user=by)
    return _(
        "Bu kart siz açtıktan sonra başka bir kullanıcı tarafından değiştirildi. "
        "Değişiklikleriniz kaydedilmedi; kartı yeniden açıp tekrar deneyin."
    )


def _apply_contacts(account: Account, contacts: list[ContactData]) -> None:
    by_id = {c.id: c for c in account.contacts}
    kept: list[Contact] = []
    for data in contacts:
        row = by_id.get(data.id) if data.id is not None else None
        if row is None:
            row = Contact()
        for name in _CONTACT_FIELDS:
            setattr(row, name, getattr(data, name))
        row.name = data.name.strip()
        row.email = data.email.strip()
        kept.append(row)
    account.contacts = kept


def has_movements(session: Session, account_id: int) -> bool:
    return bool(session.scalar(select(exists().where(Movement.account_id == account_id))))


def check_deletable(session: Session, account_id: int) -> None:
    """Refuses an account that may not be deleted: gone, or with movements (SPEC B4) — asked
    before the delete question too, so that a user is not asked about what cannot be done.

    One statement: the code and title with an EXISTS on the movements (served by the index
    starting with `account_id`), so the refusal is immediate however many movements there are;
    it names the account by code and title."""
    has = exists().where(Movement.account_id == account_id)
    row = session.execute(
        select(Account.code, Account.title, has).where(Account.id == account_id)
    ).one_or_none()
    if row is None:
        raise NotFound(_("Hesap bulunamadı (silinmiş olabilir)."))
    code, title, moved = row
    if moved:
        raise Refused(
            _("{code} — {title} hesabının hareketleri var; hareketi olan hesap silinemez.").format(
                code=code, title=title
            )
        )


def delete_account(session: Session, actor: Actor, account_id: int) -> None:
    """Delete an account and its contacts; refused where movements exist (SPEC B4)."""
    check_deletable(session, account_id)
    account = session.get(Account, account_id)
    if account is None:  # deleted between the check and here
        raise NotFound(_("Hesap bulunamadı (silinmiş olabilir)."))
    record(session, actor, "delete", "account", account_id, account.code)
    session.delete(account)


@dataclass(frozen=True, slots=True)
class AccountName:
    """What a screen's title shows of an account."""

    id: int
    code: str
    title: str
    currency: str

    @property
    def label(self) -> str:
        return f"{self.code} {self.title}"


def account_name(session: Session, account_id: int | None) -> AccountName | None:
    """The account's code, title and currency, or `None` when there is no such account."""
    if account_id is None:
        return None
    row = session.execute(
        select(Account.id, Account.code, Account.title, Account.currency).where(
            Account.id == account_id
        )
    ).one_or_none()
    return None if row is None else AccountName(*row)


def count_accounts(session: Session) -> int:
    return session.scalar(select(func.count(Account.id))) or 0
