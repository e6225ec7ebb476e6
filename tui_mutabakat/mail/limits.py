"""How much of one mailbox message is read (issue 10); a setting (`[intake]` in the config).

A message over a limit is not read: it is listed as unreadable, and the intake goes on.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True, slots=True)
class ReadLimits:
    #: Bytes of the whole message (fetched at most this many plus one).
    max_bytes: int = 20_000_000
    #: MIME parts, counted over the whole tree.
    max_parts: int = 500
    #: Nesting of multiparts inside multiparts.
    max_depth: int = 30
    #: Characters of decoded text examined (a reply's body, a bounce's text).
    max_text: int = 100_000

    @classmethod
    def from_table(cls, table: dict[str, Any]) -> ReadLimits:
        """From the config's `[intake]` table; unknown keys and non-positive numbers refused."""
        known = {f.name for f in fields(cls)}
        unknown = set(table) - known
        if unknown:
            raise ValueError(f"[intake]: unknown settings {sorted(unknown)}")
        values: dict[str, int] = {}
        for name, value in table.items():
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"[intake] {name} must be a positive whole number")
            values[name] = value
        return cls(**values)


DEFAULT_LIMITS = ReadLimits()
