"""Turkish folding inside SQL: `folded(column)` compares like `domain.text.fold` does.

SQLite's `lower()` folds ASCII only and PostgreSQL's depends on the database's locale (a
Turkish one makes "I" a dotless "ı"). So `folded()` is, on SQLite, a function registered on
every connection (`register_fold`, Python's own `fold`, one call a row), and elsewhere a
chain of `replace()` that turns every Turkish letter (and the dot of a decomposed "i̇")
into its ASCII form before `lower()`.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from sqlalchemy import String, func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from tui_mutabakat.domain.text import fold

SQLITE_FOLD = "mutabakat_fold"

#: Turkish letters as `fold` turns them; capital I before `lower()` (see above).
_REPLACED: tuple[tuple[str, str], ...] = (
    ("\u0307", ""),
    ("İ", "i"),
    ("I", "i"),
    ("ı", "i"),
    ("Ç", "c"),
    ("ç", "c"),
    ("Ğ", "g"),
    ("ğ", "g"),
    ("Ö", "o"),
    ("ö", "o"),
    ("Ş", "s"),
    ("ş", "s"),
    ("Ü", "u"),
    ("ü", "u"),
    ("Â", "a"),
    ("â", "a"),
    ("Î", "i"),
    ("î", "i"),
    ("Û", "u"),
    ("û", "u"),
)


def search_fold(text: str) -> str:
    """`fold`, also without the combining dot of a decomposed "i̇" (`"İ".lower()`)."""
    return fold(unicodedata.normalize("NFC", text)).replace("\u0307", "")


def _sqlite_fold(value: object) -> str | None:
    return None if value is None else search_fold(str(value))


def register_fold(dbapi_connection: Any, _record: Any = None) -> None:
    """Make `mutabakat_fold()` known to a new SQLite connection."""
    dbapi_connection.create_function(SQLITE_FOLD, 1, _sqlite_fold, deterministic=True)


class folded(FunctionElement[str]):  # noqa: N801 - an SQL function, named like one
    """The folded text of a column, for `LIKE '%…%'` with a `search_fold`-ed pattern."""

    type = String()
    inherit_cache = True
    name = "folded"


@compiles(folded)
def _folded_default(element: folded, compiler: SQLCompiler, **kw: Any) -> str:
    (argument,) = element.clauses
    expression: Any = argument
    for old, new in _REPLACED:
        expression = func.replace(expression, old, new)
    return compiler.process(func.lower(expression), **kw)


@compiles(folded, "sqlite")
def _folded_sqlite(element: folded, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{SQLITE_FOLD}({compiler.process(element.clauses, **kw)})"
