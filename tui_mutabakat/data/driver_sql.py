"""Hot statements run straight through the database driver (the sender's bookkeeping).

SQLAlchemy's Core executes a cached statement by building every row's parameters through
the compiled statement and calling each bind's processor per row (on SQLite a `DATETIME`
is formatted as text each time: the same `now` fifteen times a letter). A `DriverStatement`
is compiled once per dialect; a call applies the bind processors looked up once — each
distinct value processed once per call — and hands plain tuples (or dicts) to the driver's
`execute`/`executemany`. The SQL, the types and what is stored are SQLAlchemy's own.

For statements without expanding (`IN`) parameters, on drivers whose parameter style is
`qmark` (sqlite3) or `pyformat` (psycopg).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, CursorResult, Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    #: Parameter names in the order the SQL wants them (qmark) or their keys (pyformat).
    names: tuple[str, ...]
    processors: tuple[Callable[[Any], Any] | None, ...]
    #: Values fixed in the statement (`values(claimed_by="")`), by name.
    fixed: Mapping[str, Any]
    positional: bool


class DriverStatement:
    """One Core statement, compiled per dialect on first use, run through the driver."""

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}

    def _for(self, dialect: Dialect) -> _Compiled:
        key = f"{dialect.name}+{dialect.driver}"
        known = self._compiled.get(key)
        if known is not None:
            return known
        if dialect.paramstyle not in ("qmark", "pyformat"):
            raise NotImplementedError(f"parameter style {dialect.paramstyle}")
        compiled = self.statement.compile(dialect=dialect, for_executemany=True)
        assert isinstance(compiled, SQLCompiler)
        if compiled.post_compile_params or compiled.escaped_bind_names:
            raise NotImplementedError("expanding or escaped parameters")
        if compiled.insert_prefetch or compiled.update_prefetch:
            # A column default Core computes per row: give every column a value instead.
            raise NotImplementedError("columns left to their Python defaults")
        positional = dialect.paramstyle == "qmark"
        names = tuple(compiled.positiontup or ()) if positional else tuple(compiled.binds)
        # The processors Core itself uses; a tuple-valued one serves only expanding tuples.
        processors = compiled._bind_processors  # noqa: SLF001
        found: list[Callable[[Any], Any] | None] = []
        for name in names:
            processor = processors.get(name)
            if isinstance(processor, Sequence):
                raise NotImplementedError("tuple parameters")
            found.append(processor)
        made = _Compiled(
            compiled.string,
            names,
            tuple(found),
            {n: b.value for n, b in compiled.binds.items() if not b.required},
            positional,
        )
        self._compiled[key] = made
        return made

    def _rows(self, made: _Compiled, rows: Sequence[Mapping[str, Any]]) -> list[Any]:
        columns: list[list[Any]] = []
        for name, processor in zip(made.names, made.processors, strict=True):
            if name in made.fixed:
                values = [made.fixed[name]] * len(rows)
            else:
                values = [row[name] for row in rows]
            if processor is not None:
                done: dict[tuple[type, Any], Any] = {}
                processed: list[Any] = []
                for value in values:
                    if value is None:
                        processed.append(None)
                        continue
                    if isinstance(value, dict | list):  # JSON: not a key, rarely repeated
                        processed.append(processor(value))
                        continue
                    key = (type(value), value)
                    if key not in done:
                        done[key] = processor(value)
                    processed.append(done[key])
                values = processed
            columns.append(values)
        if made.positional:
            return list(zip(*columns, strict=True)) if columns else [() for _ in rows]
        return [dict(zip(made.names, cells, strict=True)) for cells in zip(*columns, strict=True)]

    def execute(self, conn: Connection, row: Mapping[str, Any]) -> CursorResult[Any]:
        """One execution (use it for `RETURNING`)."""
        made = self._for(conn.dialect)
        return conn.exec_driver_sql(made.sql, self._rows(made, [row])[0])

    def executemany(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """One `executemany` of every row; nothing when `rows` is empty."""
        if not rows:
            return
        made = self._for(conn.dialect)
        conn.exec_driver_sql(made.sql, self._rows(made, rows))
