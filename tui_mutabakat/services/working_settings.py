"""The global working settings (SPEC C6) and the own company (SPEC A1): one row each."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tui_mutabakat.data.models import RULE_FIELDS, Company, RuleDefaults, WorkingSettings


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
