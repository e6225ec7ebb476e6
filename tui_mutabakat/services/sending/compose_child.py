"""What the compose process runs (`send_now` starts it for a large batch): only what
composing needs is imported here — not the sender, the SMTP client or the worker — since a
spawned child imports it all again before its first chunk."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tui_mutabakat.data.balance_queries import BalanceKey
from tui_mutabakat.data.session import Database
from tui_mutabakat.i18n import set_language
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.sending.batch_writer import ComposedChunk, SendPlan, compose_chunk
from tui_mutabakat.services.sending.compose import Composer, SendOptions


def warm_up() -> None:
    """Runs in the child process: importing this module loaded what composing needs,
    before the first chunk."""


@dataclass(frozen=True, slots=True)
class ChildJob:
    """What the child process needs to compose the plan's chunks: the plan without its
    composer (which holds a compiled template and cannot be pickled), rebuilt there."""

    url: str
    language: str
    actor: Actor
    batch_id: int
    as_of: date
    options: SendOptions
    #: The parent's `Database.info` (the portal's link maker).
    info: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(
        cls, plan: SendPlan, url: str, language: str, batch_id: int, info: dict[str, Any]
    ) -> ChildJob:
        return cls(url, language, plan.actor, batch_id, plan.as_of, plan.options, info)


#: In the child process: the database and composer of the job it serves.
_child_state: dict[int, tuple[Database, Composer]] = {}


def compose_in_child(job: ChildJob, part: list[BalanceKey]) -> ComposedChunk:
    """Runs in the child process: compose one chunk, on the child's own engine, in the
    user's language (the reasons an account is skipped are stored as they will be read)."""
    if job.batch_id not in _child_state:
        set_language(job.language)
        database = Database.from_url(job.url, job.info)
        with database.reader() as session:
            composer = Composer(session, job.actor, job.as_of, job.options)
        _child_state[job.batch_id] = (database, composer)
    database, composer = _child_state[job.batch_id]
    with database.reader() as session:
        return compose_chunk(session, composer, part)
