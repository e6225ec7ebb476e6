"""Account parameters (SPEC C1–C5) and the working-settings defaults they come from (C6)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from tui_mutabakat.data.models import (
    RULE_FIELDS,
    Account,
    AccountParameters,
    RuleDefaults,
    WorkingSettings,
)
from tui_mutabakat.domain.enums import DUE_TRACKABLE_TYPES, DocumentType, RuleAction
from tui_mutabakat.domain.errors import ConcurrentChange, InvalidInput, NotFound, Refused
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.services.context import Actor, record
from tui_mutabakat.services.limits import MAX_COPIES, amount_in_range, day_count_in_range
from tui_mutabakat.services.settings.working_settings import copy_defaults, get_working_settings


@dataclass(slots=True)
class RuleParameters:
    """The rule fields as a form edits them; the same shape for an account and the defaults."""

    partial_shipment: bool = False
    invoice_copies: int = 1
    approve_by_risk: bool = False
    approve_by_due_date: bool = False
    approve_by_ageing: bool = False
    ageing_days: int | None = None
    due_track_types: frozenset[DocumentType] = frozenset()
    due_track_days: int | None = None
    due_track_amount: Decimal | None = None
    due_track_action: RuleAction = RuleAction.CONTINUE
    close_check_days: int | None = None
    close_check_action: RuleAction = RuleAction.CONTINUE
    payment_days: int | None = None
    version_id: int | None = None


_NAMES = tuple(f.name for f in fields(RuleParameters) if f.name != "version_id")


def _types_from_text(text: str) -> frozenset[DocumentType]:
    return frozenset(DocumentType(part) for part in text.split(",") if part)


def _types_to_text(types: frozenset[DocumentType]) -> str:
    return ",".join(t.value for t in DUE_TRACKABLE_TYPES if t in types)


def _read(row: RuleDefaults, version_id: int) -> RuleParameters:
    values = {name: getattr(row, name) for name in _NAMES}
    values["due_track_types"] = _types_from_text(row.due_track_types)
    return RuleParameters(**values, version_id=version_id)


def _write(data: RuleParameters, row: RuleDefaults) -> None:
    validate(data)
    for name in _NAMES:
        setattr(row, name, getattr(data, name))
    row.due_track_types = _types_to_text(data.due_track_types)


def validate(data: RuleParameters) -> None:
    if data.invoice_copies < 1:
        raise InvalidInput(_("Fatura yazım sayısı en az 1 olmalı."), "invoice_copies")
    for name in ("ageing_days", "due_track_days", "close_check_days", "payment_days"):
        value = getattr(data, name)
        if value is not None and value < 0:
            raise InvalidInput(_("Gün sayısı negatif olamaz."), name)
    if data.due_track_amount is not None and data.due_track_amount < 0:
        raise InvalidInput(_("Tutar negatif olamaz."), "due_track_amount")
    amount_in_range(data.due_track_amount, "due_track_amount")
    for name in ("ageing_days", "due_track_days", "close_check_days", "payment_days"):
        day_count_in_range(getattr(data, name), name)
    if data.invoice_copies > MAX_COPIES:
        raise InvalidInput(
            _("Fatura yazım sayısı en fazla {count} olabilir.").format(count=MAX_COPIES),
            "invoice_copies",
        )
    if data.approve_by_ageing and data.ageing_days is None:
        raise InvalidInput(
            _("Yaşlandırma kriteri seçildiyse yaşlanma günü girilmeli."), "ageing_days"
        )
    wrong = [t for t in data.due_track_types if t not in DUE_TRACKABLE_TYPES]
    if wrong:
        raise InvalidInput(_("Bu fiş türünde vade takibi yapılmaz."), "due_track_types")


def _parameters_of(session: Session, account_id: int) -> AccountParameters:
    params = session.get(AccountParameters, account_id)
    if params is None:
        if session.get(Account, account_id) is None:
            raise NotFound(_("Hesap bulunamadı (silinmiş olabilir)."))
        params = AccountParameters(account_id=account_id)
        copy_defaults(get_working_settings(session), params)
        session.add(params)
        session.flush()
    return params


def load_parameters(session: Session, account_id: int) -> RuleParameters:
    params = _parameters_of(session, account_id)
    return _read(params, params.version_id)


def default_due_date(session: Session, account_id: int, doc_date: dt.date) -> dt.date:
    """The due date a new debit of the account gets unless the user types another: the
    document date + the account's payment term (no term: the document date itself)."""
    days = load_parameters(session, account_id).payment_days
    return doc_date + dt.timedelta(days=days or 0)


def save_parameters(session: Session, actor: Actor, account_id: int, data: RuleParameters) -> None:
    params = _parameters_of(session, account_id)
    if data.version_id is not None and params.version_id != data.version_id:
        raise ConcurrentChange(
            _("Parametreler siz açtıktan sonra başka bir kullanıcı tarafından değiştirildi.")
        )
    _write(data, params)
    try:
        session.flush()
    except StaleDataError as exc:
        raise ConcurrentChange(_("Parametreler başka bir kullanıcı tarafından değişti.")) from exc
    record(session, actor, "update", "account_parameters", account_id)


def default_parameters(session: Session) -> RuleParameters:
    """The working-settings defaults, as a new account would get them."""
    settings = get_working_settings(session)
    return _read(settings, settings.version_id)


def load_defaults(session: Session) -> RuleParameters:
    return default_parameters(session)


def save_defaults(session: Session, actor: Actor, data: RuleParameters) -> None:
    """Change the defaults; existing accounts keep their own values (SPEC C6)."""
    if not actor.is_admin:
        raise Refused(_("Çalışma bilgilerini yalnızca yönetici değiştirebilir."))
    settings = get_working_settings(session)
    if data.version_id is not None and settings.version_id != data.version_id:
        raise ConcurrentChange(
            _("Çalışma bilgileri siz açtıktan sonra başka bir kullanıcı tarafından değiştirildi.")
        )
    _write(data, settings)
    session.flush()
    record(session, actor, "update", "working_settings", settings.id)


def count_parameter_sets(session: Session) -> int:
    """How many accounts have their own parameters (what "apply to all" would change)."""
    return session.scalar(select(func.count()).select_from(AccountParameters)) or 0


def apply_defaults_to_all(session: Session, actor: Actor) -> int:
    """Overwrite every account's parameters with the defaults; returns how many changed."""
    if not actor.is_admin:
        raise Refused(_("Öndeğerleri tüm hesaplara yalnızca yönetici uygulayabilir."))
    settings: WorkingSettings = get_working_settings(session)
    values = {name: getattr(settings, name) for name in RULE_FIELDS}
    result = session.execute(
        update(AccountParameters).values(**values, version_id=AccountParameters.version_id + 1),
        execution_options={"synchronize_session": False},
    )
    count = int(result.rowcount)  # type: ignore[attr-defined]
    record(session, actor, "apply_defaults", "account_parameters", "*", f"{count} accounts")
    return count
