"""New rows of append-only tables (history, marks), written one by one or in bulk.

The ORM writes each new object of a table with an integer key in its own `INSERT …
RETURNING` on SQLite (it cannot trust the order of a batch's returned keys there), and
building, adding and flushing an ORM object costs more than the row itself. A chunk of
mailbox messages adds a processed-message mark, a history row and often an answer for
each: written through `BulkRows` they are plain values until the chunk ends, then one
`executemany` per table, in the same transaction, with the same column defaults. Their
keys are never read back, so only rows nothing needs the key of go this way.

`SessionRows` writes through the ORM as before: what a single message outside a chunk
uses, and what a chunk's message-by-message retry uses (each in its own savepoint).
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from tui_mutabakat.data.base import Base

#: Per table, the columns with a default (a None for them means the default).
_defaulted: dict[Table, frozenset[str]] = {}


class Rows(Protocol):
    """Where new append-only rows go."""

    def add(self, model: type[Base], **values: Any) -> None: ...


class SessionRows:
    """Each row an ORM object added to the session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, model: type[Base], **values: Any) -> None:
        self._session.add(model(**values))


class BulkRows:
    """Rows kept as values until `write`: one statement per table and set of columns."""

    def __init__(self) -> None:
        self._rows: dict[tuple[Table, frozenset[str]], list[dict[str, Any]]] = {}
        self._trees: dict[
            tuple[Table, Table, str, frozenset[str]],
            list[tuple[dict[str, Any], list[dict[str, Any]]]],
        ] = {}

    def add(self, model: type[Base], **values: Any) -> None:
        table, row = _row(model, values)
        self._rows.setdefault((table, frozenset(row)), []).append(row)

    def add_tree(
        self,
        model: type[Base],
        values: dict[str, Any],
        child: type[Base],
        children: list[dict[str, Any]],
        key: str,
    ) -> None:
        """A row whose key its `children` need (in their column `key`): written before
        them, its key read back in order (`INSERT … RETURNING`)."""
        table, row = _row(model, values)
        child_table = child.__table__
        assert isinstance(child_table, Table)
        rows = [_row(child, c)[1] for c in children]
        self._trees.setdefault((table, child_table, key, frozenset(row)), []).append((row, rows))

    def __len__(self) -> int:
        trees = sum(1 + len(rows) for items in self._trees.values() for _row, rows in items)
        return trees + sum(len(rows) for rows in self._rows.values())

    def write(self, session: Session) -> None:
        """Insert every row kept, in the session's transaction; then keep none."""
        for (table, child, key, _columns), trees in self._trees.items():
            statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
            ids = session.execute(statement, [row for row, _children in trees]).scalars().all()
            children = [
                {**c, key: row_id}
                for row_id, (_row, rows) in zip(ids, trees, strict=True)
                for c in rows
            ]
            if children:
                session.execute(insert(child), children)
        self._trees.clear()
        for (table, _columns), rows in self._rows.items():
            session.execute(insert(table), rows)
        self._rows.clear()


def _row(model: type[Base], values: dict[str, Any]) -> tuple[Table, dict[str, Any]]:
    """The model's table and the row as the ORM writes it: None on a column with a
    default means the default."""
    table = model.__table__
    assert isinstance(table, Table)
    defaulted = _defaulted.get(table)
    if defaulted is None:
        defaulted = _defaulted[table] = frozenset(
            c.key for c in table.columns if c.default is not None or c.server_default is not None
        )
    return table, {k: v for k, v in values.items() if v is not None or k not in defaulted}
