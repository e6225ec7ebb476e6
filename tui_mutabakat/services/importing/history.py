"""The imports done so far, newest first, as the import screen lists them (SPEC B6: every
import is recorded — who, when, which file and its SHA-256, what came of it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tui_mutabakat.data.base import as_utc
from tui_mutabakat.data.import_models import ImportRun
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.services.importing.fields import Kind, kind_label

#: The most recent imports listed; older ones stay in the table (and the audit log).
HISTORY_LIMIT = 500
SHORT_DIGEST = 12


@dataclass(frozen=True, slots=True)
class PastImport:
    id: int
    at: dt.datetime
    user: str
    kind: str
    file_name: str
    sheet: str
    sha256: str
    outcome: str
    read: int
    added: int
    updated: int
    unchanged: int
    refused: int

    @property
    def short_digest(self) -> str:
        return self.sha256[:SHORT_DIGEST]


def outcome_label(outcome: str) -> str:
    labels = {
        "imported": _("alındı"),
        "dry_run": _("deneme"),
        "refused": _("reddedildi"),
        "cancelled": _("durduruldu"),
        "failed": _("hata"),
        "running": _("bitmedi"),
    }
    return labels.get(outcome, outcome)


def _kind_label(value: str) -> str:
    try:
        return kind_label(Kind(value))
    except ValueError:
        return value


def past_imports(session: Session, limit: int = HISTORY_LIMIT) -> list[PastImport]:
    """The last `limit` imports, newest first, each in the local time of this machine."""
    runs = session.scalars(
        select(ImportRun).order_by(ImportRun.started_at.desc(), ImportRun.id.desc()).limit(limit)
    )
    return [
        PastImport(
            id=run.id,
            at=as_utc(run.started_at).astimezone(),
            user=run.user_login,
            kind=_kind_label(run.kind),
            file_name=run.file_name,
            sheet=run.sheet,
            sha256=run.sha256,
            outcome=outcome_label(run.outcome),
            read=run.rows_read,
            added=run.added,
            updated=run.updated,
            unchanged=run.unchanged,
            refused=run.refused,
        )
        for run in runs
    ]
