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
"""

from tui_mutabakat.services.importing.fields import Kind
from tui_mutabakat.services.importing.run import (
    ImportCancelled,
    ImportOptions,
    ImportSummary,
    RowProblem,
    run_import,
)

__all__ = [
    "ImportCancelled",
    "ImportOptions",
    "ImportSummary",
    "Kind",
    "RowProblem",
    "run_import",
]
