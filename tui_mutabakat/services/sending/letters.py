"""What goes into a letter: templates by name, recipients, the sender (open items and the
statement: `statement`).

Shared by batch creation, the preview in the send dialog and the template editor.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tui_mutabakat.data.balance_queries import (
    BalanceCriteria,
    BalanceFilter,
    BalanceKey,
    balance_page,
)
from tui_mutabakat.data.models import Account, Contact, User
from tui_mutabakat.data.outbox_models import LetterTemplate
from tui_mutabakat.domain.email_check import check_email
from tui_mutabakat.domain.enums import Routing
from tui_mutabakat.domain.errors import InvalidInput, Refused
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.mail.templates import (
    SHIPPED_TEMPLATES,
    AccountInfo,
    CompanyInfo,
    LetterRenderer,
    LetterTemplateError,
    TemplateSource,
    letter_context,
    sample_facts,
    shipped_template,
)
from tui_mutabakat.services.context import Actor, record
from tui_mutabakat.services.settings.working_settings import get_company
from tui_mutabakat.services.text_input import checked_text


@dataclass(frozen=True, slots=True)
class SenderInfo:
    address: str
    name: str


@dataclass(frozen=True, slots=True)
class Addressee:
    name: str
    address: str
    contact_id: int | None


@dataclass(frozen=True, slots=True)
class AccountRecipients:
    account: AccountInfo
    addressees: tuple[Addressee, ...]
    #: Why an address was left out, or why there is none.
    problems: tuple[str, ...]


def load_template(session: Session, name: str) -> TemplateSource:
    """A user's template of that name, else the shipped one."""
    row = session.scalar(select(LetterTemplate).where(LetterTemplate.name == name))
    if row is not None:
        return TemplateSource(
            name=row.name,
            language=row.language,
            subject=row.subject,
            text=row.text_body,
            html=row.html_body,
            shipped=False,
        )
    try:
        return shipped_template(name)
    except LetterTemplateError as exc:
        raise InvalidInput(str(exc), "template") from exc


def save_template(
    session: Session, actor: Actor, source: TemplateSource, description: str = ""
) -> None:
    """Store a user's template (SPEC D8); it must compile, and replaces any of that name.
    Admins only (SPEC A3)."""
    if not actor.is_admin:
        raise Refused(_("Şablonları yalnızca yönetici değiştirebilir."))
    name = checked_text(source.name, LetterTemplate.name, _("Şablon adı"), "name")
    description = checked_text(
        description, LetterTemplate.description, _("Açıklama"), "description"
    )
    if not name:
        raise InvalidInput(_("Şablon adı boş olamaz."), "name")
    try:
        # It must render, within the sandbox's limits, on a sample letter (the editor also
        # tries it on a real account before it offers to save).
        LetterRenderer(source).render(
            letter_context(sample_facts(source.language), source.language)
        )
    except LetterTemplateError as exc:
        raise InvalidInput(str(exc), "template") from exc
    row = session.scalar(select(LetterTemplate).where(LetterTemplate.name == name))
    if row is None:
        row = LetterTemplate(name=name)
        session.add(row)
    row.language = source.language
    row.description = description
    row.subject = source.subject
    row.text_body = source.text
    row.html_body = source.html
    row.updated_by = actor.login
    session.flush()
    record(session, actor, "save", "letter_template", row.id, name)


def template_choices(session: Session) -> list[tuple[str, str]]:
    """(name, title) of every template the send dialog offers. The name is the template's
    key (`letter_tr`); the title is what users read: a shipped template's in words ("Hazır
    şablon (Türkçe)"), a user's the description saved with it (its name when it has none)."""
    languages = {"tr": _("Türkçe"), "en": _("İngilizce")}
    choices = {
        name: _("Hazır şablon ({language})").format(language=languages.get(language, language))
        for name, language in SHIPPED_TEMPLATES.items()
    }
    for row in session.scalars(select(LetterTemplate).order_by(LetterTemplate.name)):
        choices[row.name] = row.description or row.name
    return sorted(choices.items())


def user_template_names(session: Session) -> set[str]:
    """The templates users saved (the rest of `template_choices` are shipped ones)."""
    return set(session.scalars(select(LetterTemplate.name)))


def template_description(session: Session, name: str) -> str:
    """The description saved with a user's template; empty for a shipped one."""
    found = session.scalar(select(LetterTemplate.description).where(LetterTemplate.name == name))
    return found or ""


def preview_key(session: Session, as_of: dt.date) -> BalanceKey | None:
    """An account to preview a template on: the first with a balance on `as_of`, else the
    first account; `None` when there are no accounts."""
    criteria = BalanceCriteria(as_of=as_of, balance_filter=BalanceFilter.NON_ZERO)
    rows = balance_page(session, criteria, 0, 1)
    if rows:
        return rows[0].key
    account = session.scalar(select(Account).order_by(Account.code).limit(1))
    return None if account is None else (account.id, account.currency)


def company_info(session: Session) -> CompanyInfo:
    company = get_company(session)
    return CompanyInfo(
        title=company.title,
        tax_office=company.tax_office,
        tax_number=company.tax_number,
        address=company.address,
        city=company.city,
        phone=company.phone,
        email=company.email,
        logo_text=company.logo_text,
    )


def sender_info(session: Session, actor: Actor) -> SenderInfo:
    """Who the letters come from: the user's sender identity, else the company's address;
    signed with the user's name, else the company's title."""
    user = session.scalar(select(User).where(User.login == actor.login))
    company = get_company(session)
    address = (user.from_address if user else "") or company.email
    check = check_email(address)
    if not check.ok or check.normalized is None:
        raise InvalidInput(
            _(
                "Gönderen e-posta adresi tanımlı değil ya da geçersiz. Kullanıcı tanımında "
                "gönderen adresini (veya firma e-postasını) girin."
            ),
            "from_address",
        )
    return SenderInfo(check.normalized, person_name(user) or company.title)


def person_name(user: User | None) -> str:
    """The name a user signs with: the sender name set in the mail settings, else the full
    name — never the bare login (older databases stored the login as both names); "" when
    the user has none, and the company signs instead."""
    if user is None:
        return ""
    for name in (user.display_name.strip(), user.full_name.strip()):
        if name and name != user.login:
            return name
    return ""


def recipients_for(session: Session, account_ids: Sequence[int]) -> dict[int, AccountRecipients]:
    """The addresses each account's letters go to (SPEC B2, B3), checked and normalised."""
    accounts = session.execute(
        select(
            Account.id,
            Account.code,
            Account.title,
            Account.tax_number,
            Account.tax_office,
            Account.address,
            Account.city,
            Account.routing,
            Account.department_email,
        ).where(Account.id.in_(account_ids))
    ).all()
    contacts: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    for account_id, contact_id, name, email in session.execute(
        select(Contact.account_id, Contact.id, Contact.name, Contact.email)
        .where(Contact.account_id.in_(account_ids), Contact.receives_reconciliation.is_(True))
        .order_by(Contact.id)
    ):
        contacts[account_id].append((contact_id, name, email))
    result = {}
    for row in accounts:
        info = AccountInfo(
            row.code, row.title, row.tax_number, row.tax_office, row.address, row.city
        )
        candidates: Sequence[tuple[int | None, str, str]]
        if Routing(row.routing) is Routing.DEPARTMENT:
            candidates = [(None, "", row.department_email)]
        else:
            candidates = contacts.get(row.id, [])
        addressees, problems = _check_addresses(candidates, Routing(row.routing), row.title)
        result[row.id] = AccountRecipients(info, tuple(addressees), tuple(problems))
    return result


def _check_addresses(
    candidates: Sequence[tuple[int | None, str, str]], routing: Routing, title: str
) -> tuple[list[Addressee], list[str]]:
    """The valid addressees, and a line for each wrong address naming its contact — not
    when the contact bears the account's title (a sole trader): every list shows the
    reason after the title already ("120.01.008 Selim Ateş: E-posta adresi boş.")."""
    addressees: list[Addressee] = []
    problems: list[str] = []
    seen: set[str] = set()
    for contact_id, name, email in candidates:
        check = check_email(email)
        if not check.ok or check.normalized is None:
            who = name or _("Departman adresi")
            if name.strip().casefold() == title.strip().casefold():
                who = ""
            shown = email.strip()[:120]
            about = f"{who} <{shown}>".strip() if shown else who
            reason = check.reason or ""
            problems.append(f"{about}: {reason}" if about else reason)
            continue
        if check.normalized.lower() in seen:
            continue
        seen.add(check.normalized.lower())
        addressees.append(Addressee(name, check.normalized, contact_id))
    if not candidates:
        if routing is Routing.DEPARTMENT:
            problems.append(_("Departman adresi boş."))
        else:
            problems.append(_("Mutabakat alacak yetkili yok."))
    return addressees, problems
