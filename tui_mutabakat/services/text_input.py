"""The services' check of typed text (issue 10 point 9): `domain.text.clean_text` with the
column's size and the field's name, so what a form lets through — or what reaches a
service some other way (the command line, an import, a test) — is refused with a message
before the database would refuse it (PostgreSQL: NUL, or a value longer than its column).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any, TypeVar

from tui_mutabakat.domain.errors import InvalidInput
from tui_mutabakat.domain.text import TextProblem, clean_text

#: The most a `Text` column (an address, notes) takes from a form.
TEXT_LIMIT = 4000

T = TypeVar("T")


#: id of a mapped column → its size (the mapped attributes live as long as the program).
_LENGTHS: dict[int, int] = {}


def column_length(column: Any) -> int:
    """The size of a mapped `String(n)` column (`Account.code` → 32); `TEXT_LIMIT` for
    `Text`."""
    known = _LENGTHS.get(id(column))
    if known is None:
        length = getattr(column.property.columns[0].type, "length", None)
        known = _LENGTHS[id(column)] = int(length) if length else TEXT_LIMIT
    return known


def checked_text(
    value: str, column: Any, label: str, field: str, *, multiline: bool = False
) -> str:
    """`value` cleaned for `column`, or `InvalidInput` naming the field."""
    try:
        return clean_text(value, max_length=column_length(column), multiline=multiline)
    except TextProblem as problem:
        raise InvalidInput(f"{label}: {problem}", field) from None


#: field name → (mapped column, label shown to the user, more than one line allowed).
TextFields = Mapping[str, tuple[Any, str, bool]]


def cleaned(data: T, spec: TextFields, *, field_prefix: str = "") -> T:
    """A copy of the dataclass `data` with every field of `spec` cleaned."""
    changes = {
        name: checked_text(
            getattr(data, name), column, label, field_prefix or name, multiline=multiline
        )
        for name, (column, label, multiline) in spec.items()
    }
    return replace(data, **changes)  # type: ignore[type-var]


def check_texts(data: object, spec: TextFields, *, field_prefix: str = "") -> None:
    """`InvalidInput` for the first field of `spec` that `cleaned` would refuse; no copy
    is made (an import checks every row this way)."""
    for name, (column, label, multiline) in spec.items():
        checked_text(getattr(data, name), column, label, field_prefix or name, multiline=multiline)
