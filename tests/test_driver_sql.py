"""`DriverStatement` stores exactly what Core stores: the same SQL, types and values (dates
as the engine's dates, enums as their values, fixed values of the statement), on SQLite
and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import bindparam, insert, select, text, update

from tests.send_data import accounts_to_send, write_batch
from tui_mutabakat.data.driver_sql import DriverStatement
from tui_mutabakat.data.outbox_models import Letter, LetterEvent, Recipient
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.states import RecipientState
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.sending.compose import SendOptions

AS_OF = dt.date(2026, 12, 31)


def queue_letters(database: Database, actor: Actor, count: int) -> list[int]:
    keys = accounts_to_send(database, actor, count)
    write_batch(database, actor, AS_OF, keys, SendOptions())
    with database.engine.connect() as conn:
        return list(conn.scalars(select(Letter.id).order_by(Letter.id)))


def _raw(database: Database, table: str, ids: list[int]) -> list[tuple[Any, ...]]:
    """The stored cells as the driver gives them back (text on SQLite), not as types
    read them."""
    with database.engine.connect() as conn:
        marks = ", ".join(str(int(i)) for i in ids)
        return [
            tuple(r) for r in conn.execute(text(f"SELECT * FROM {table} WHERE id IN ({marks})"))
        ]


def test_an_update_many_stores_what_core_stores(any_database: Database, any_actor: Actor) -> None:
    letters = queue_letters(any_database, any_actor, 4)
    with any_database.engine.connect() as conn:
        ids = list(conn.scalars(select(Recipient.id).order_by(Recipient.id)))[:4]
    assert len(ids) == 4
    at = dt.datetime(2026, 12, 6, 1, 2, 3, 456789, tzinfo=dt.UTC)
    statement = (
        update(Recipient)
        .where(Recipient.id == bindparam("r_id"))
        .values(
            state=bindparam("r_state"),
            last_attempt_at=bindparam("r_at"),
            accepted_at=bindparam("r_accepted"),
            in_doubt=bindparam("r_doubt"),
            smtp_answer="fixed",
        )
    )
    rows = [
        {
            "r_id": rid,
            "r_state": RecipientState.ACCEPTED if n % 2 else RecipientState.DEFERRED,
            "r_at": at,
            "r_accepted": at if n % 2 else None,
            "r_doubt": bool(n % 2),
        }
        for n, rid in enumerate(ids)
    ]
    with any_database.engine.begin() as conn:
        conn.execute(statement, rows[:2])
        DriverStatement(statement).executemany(conn, rows[2:])
    core, driver = (
        _raw(any_database, "recipient", ids[:2]),
        _raw(any_database, "recipient", ids[2:]),
    )
    for made_by_core, made_by_driver in zip(core, driver, strict=True):
        # Everything but the id and the row's own letter, address and contact.
        keep = [i for i, _c in enumerate(made_by_core) if i not in (0, 1, 2, 4)]
        assert [made_by_core[i] for i in keep] == [made_by_driver[i] for i in keep]
    assert letters


def test_an_insert_many_and_one_execute(any_database: Database, any_actor: Actor) -> None:
    letter_id = queue_letters(any_database, any_actor, 1)[0]
    names = ("letter_id", "actor", "from_state", "to_state", "reason", "reason_code")
    statement = insert(LetterEvent).values(
        {name: bindparam(name) for name in (*names, "reason_args", "at")}
    )
    at = dt.datetime(2026, 12, 6, 1, 2, 3, tzinfo=dt.UTC)
    row = {
        "letter_id": letter_id,
        "actor": "t",
        "from_state": None,
        "to_state": "x",
        "reason_code": "written",
        "reason_args": {"path": "/tmp/ş.eml"},  # JSON, processed as Core does
        "at": at,
    }
    with any_database.engine.begin() as conn:
        conn.execute(statement, [{**row, "reason": "core"}])
        DriverStatement(statement).executemany(conn, [{**row, "reason": "driver"}])
        DriverStatement(statement).execute(conn, {**row, "reason": "one"})
        DriverStatement(statement).executemany(conn, [])
    with any_database.engine.connect() as conn:
        stored = conn.execute(
            select(
                LetterEvent.reason,
                LetterEvent.at,
                text("CAST(at AS TEXT)"),
                LetterEvent.reason_args,
            )
            .where(LetterEvent.actor == "t")
            .order_by(LetterEvent.id)
        ).all()
    assert [r[0] for r in stored] == ["core", "driver", "one"]
    assert [r[3] for r in stored] == [{"path": "/tmp/ş.eml"}] * 3
    assert {r[1].replace(tzinfo=dt.UTC) if r[1].tzinfo is None else r[1] for r in stored} == {at}
    assert len({r[2] for r in stored}) == 1


def test_expanding_parameters_are_refused(database: Database) -> None:
    statement = select(Recipient.id).where(Recipient.id.in_(bindparam("ids", expanding=True)))
    with database.engine.connect() as conn, pytest.raises(NotImplementedError):
        DriverStatement(statement).execute(conn, {"ids": [1]})
