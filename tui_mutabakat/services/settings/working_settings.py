"""The global working settings (SPEC C6) and the own company (SPEC A1): one row each."""

from __future__ import annotations

from dataclasses import dataclass, fields

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from tui_mutabakat.data.models import (
    RULE_FIELDS,
    AccountParameters,
    Company,
    RuleDefaults,
    WorkingSettings,
)
from tui_mutabakat.domain.errors import ConcurrentChange, InvalidInput, Refused
from tui_mutabakat.domain.tax_number import is_valid_tax_number
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.i18n import ngettext
from tui_mutabakat.services.context import Actor, record
from tui_mutabakat.services.limits import day_count_in_range
from tui_mutabakat.services.text_input import cleaned


def get_working_settings(session: Session) -> WorkingSettings:
    settings = session.scalar(select(WorkingSettings).order_by(WorkingSettings.id).limit(1))
    if settings is None:
        settings = WorkingSettings(
            partial_shipment=False,
            invoice_copies=1,
            approve_by_risk=False,
            approve_by_due_date=False,
            approve_by_ageing=False,
            due_track_types="",
        )
        session.add(settings)
        session.flush()
    return settings


def get_company(session: Session) -> Company:
    company = session.scalar(select(Company).order_by(Company.id).limit(1))
    if company is None:
        company = Company(title="")
        session.add(company)
        session.flush()
    return company


def copy_defaults(source: RuleDefaults, target: RuleDefaults) -> None:
    """Copy every rule parameter from the working settings onto an account's parameters."""
    for name in RULE_FIELDS:
        setattr(target, name, getattr(source, name))


@dataclass(slots=True)
class WorkingExtras:
    """The working settings beside the rule defaults: answer period and reminders (SPEC E6)."""

    answer_period_days: int = 30
    reminder_days_before: int = 7


def load_extras(session: Session) -> WorkingExtras:
    settings = get_working_settings(session)
    return WorkingExtras(settings.answer_period_days, settings.reminder_days_before)


def validate_extras(data: WorkingExtras) -> None:
    if data.answer_period_days < 1:
        raise InvalidInput(_("Cevap süresi en az 1 gün olmalı."), "answer_period_days")
    if data.reminder_days_before < 0:
        raise InvalidInput(_("Gün sayısı negatif olamaz."), "reminder_days_before")
    day_count_in_range(data.answer_period_days, "answer_period_days")
    day_count_in_range(data.reminder_days_before, "reminder_days_before")
    if data.reminder_days_before >= data.answer_period_days:
        raise InvalidInput(
            ngettext(
                "Hatırlatma, cevap süresinden ({days} gün) az gün önce olmalı.",
                "Hatırlatma, cevap süresinden ({days} gün) az gün önce olmalı.",
                data.answer_period_days,
            ).format(days=data.answer_period_days),
            "reminder_days_before",
        )


def save_extras(session: Session, actor: Actor, data: WorkingExtras) -> None:
    """Store the extras. No version check of its own: call it in the same unit of work as
    `parameters.save_defaults`, which checks the version of the same row."""
    if not actor.is_admin:
        raise Refused(_("Çalışma bilgilerini yalnızca yönetici değiştirebilir."))
    validate_extras(data)
    settings = get_working_settings(session)
    settings.answer_period_days = data.answer_period_days
    settings.reminder_days_before = data.reminder_days_before
    session.flush()
    record(session, actor, "update", "working_settings", settings.id, "extras")


@dataclass(slots=True)
class CompanyData:
    """What the company screen edits (SPEC A1); `version_id` is the version it started from."""

    title: str = ""
    tax_office: str = ""
    tax_number: str = ""
    address: str = ""
    city: str = ""
    phone: str = ""
    email: str = ""
    logo_text: str = ""
    version_id: int | None = None


_COMPANY_FIELDS = tuple(f.name for f in fields(CompanyData) if f.name != "version_id")


def load_company(session: Session) -> CompanyData:
    company = get_company(session)
    return CompanyData(
        **{name: getattr(company, name) for name in _COMPANY_FIELDS},
        version_id=company.version_id,
    )


def clean_company(data: CompanyData) -> CompanyData:
    """`data` with its texts cleaned (`domain.text.clean_text`, the columns' sizes)."""
    return cleaned(
        data,
        {
            "title": (Company.title, _("Firma ünvanı"), False),
            "tax_office": (Company.tax_office, _("Vergi dairesi"), False),
            "tax_number": (Company.tax_number, _("Vergi no"), False),
            "address": (Company.address, _("Adres"), True),
            "city": (Company.city, _("Şehir"), False),
            "phone": (Company.phone, _("Telefon"), False),
            "email": (Company.email, _("E-posta"), False),
            "logo_text": (Company.logo_text, _("Logo metni"), False),
        },
    )


def validate_company(data: CompanyData) -> None:
    clean_company(data)
    if not data.title.strip():
        raise InvalidInput(_("Firma ünvanı boş olamaz."), "title")
    tax_number = data.tax_number.strip()
    if tax_number and not is_valid_tax_number(tax_number):
        raise InvalidInput(
            _("Vergi/TC kimlik numarası geçersiz (10 veya 11 hane, kontrol hanesi tutmalı)."),
            "tax_number",
        )
    if data.email.strip():
        from tui_mutabakat.domain.email_check import check_email  # not at start-up

        check = check_email(data.email)
        if not check.ok:
            raise InvalidInput(check.reason or "", "email")


def save_company(session: Session, actor: Actor, data: CompanyData) -> int:
    """Store the own company; refused for non-admins and when someone saved it meanwhile.

    Returns the new version, so the screen can keep editing without reopening.
    """
    if not actor.is_admin:
        raise Refused(_("Firma bilgilerini yalnızca yönetici değiştirebilir."))
    data = clean_company(data)
    validate_company(data)
    company = get_company(session)
    if data.version_id is not None and company.version_id != data.version_id:
        raise ConcurrentChange(_company_changed())
    for name in _COMPANY_FIELDS:
        setattr(company, name, getattr(data, name).strip())
    from tui_mutabakat.domain.email_check import check_email  # not at start-up

    email = check_email(data.email) if data.email.strip() else None
    if email is not None and email.normalized:
        company.email = email.normalized
    try:
        session.flush()
    except StaleDataError as exc:
        raise ConcurrentChange(_company_changed()) from exc
    record(session, actor, "update", "company", company.id, company.title)
    return company.version_id


def _company_changed() -> str:
    return _(
        "Firma bilgileri siz açtıktan sonra başka bir kullanıcı tarafından değiştirildi. "
        "Değişiklikleriniz kaydedilmedi; ekranı yeniden açıp tekrar deneyin."
    )


def parameter_values(settings: WorkingSettings) -> dict[str, object]:
    """The parameter columns a new account gets: the working settings, via `copy_defaults`."""
    template = AccountParameters()
    copy_defaults(settings, template)
    return {name: getattr(template, name) for name in RULE_FIELDS}
