"""Import of accounts, contacts, movements and opening balances from ERP files (SPEC B6).

- `readers`: rows of xlsx/xls/ods (python-calamine) and CSV (encoding and delimiter found);
- `fields`: the four kinds, their fields, and the columns found by their headers;
- `values`: numbers, dates, yes/no and B/A marks as ERPs write them;
- `rows`: one row checked and made a record, or the reasons it cannot be;
- `store` (with `store_base`, `store_movements`): the records written in chunks, matched to
  what is stored (re-import adds nothing);
- `run`: one file in one transaction, the errors file, the record of the import;
- `exports`: empty templates with the headers, and exports that import back unchanged;
- `mappings`, `preview`, `report`: saved mappings, what the screen shows first, the summary.

The package imports `run` (and with it openpyxl, the ORM, the stores) only when one of
its names is first asked for: `mutabakat` builds its command line from `Kind` alone, and
the interface starts without any of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tui_mutabakat.services.importing.fields import Kind

if TYPE_CHECKING:
    from tui_mutabakat.services.importing.run import (
        ImportCancelled,
        ImportOptions,
        ImportSummary,
        RowProblem,
        run_import,
    )

_FROM_RUN = frozenset(
    {"ImportCancelled", "ImportOptions", "ImportSummary", "RowProblem", "run_import"}
)


def __getattr__(name: str) -> Any:
    if name in _FROM_RUN:
        from tui_mutabakat.services.importing import run

        return getattr(run, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ImportCancelled",
    "ImportOptions",
    "ImportSummary",
    "Kind",
    "RowProblem",
    "run_import",
]
