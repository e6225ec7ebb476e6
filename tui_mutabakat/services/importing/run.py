"""One import of one file, start to end, in one transaction (SPEC B6).

1. The file's SHA-256 is taken, its rows are read one at a time (`readers`), and the header
   row is found among the first rows (`fields`).
2. Rows are checked (`rows`) and written (`store`) in chunks of `CHUNK`, all in the same
   transaction; a refused row goes to the errors file with its reasons.
3. At the end the transaction is committed only when nothing was refused, or when the
   caller asked for the valid rows alone (`valid_only`), and never for a dry run. Otherwise
   it is rolled back: nothing of the file stays. A process killed on the way leaves an
   unfinished transaction, which the database discards — the same outcome.
4. An `ImportRun` line records the attempt: written "running" before the import's
   transaction begins (so that a user whose write finds the database locked is told by
   which import), finished in the import's transaction when it commits, in one of its own
   when it does not.

`cancelled()` is asked after every chunk; when it says yes the transaction is rolled back
and `ImportCancelled` raised.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from tui_mutabakat.data.base import utcnow
from tui_mutabakat.data.import_models import ImportRun
from tui_mutabakat.data.session import RUNNING, Database
from tui_mutabakat.domain.errors import InvalidInput, ServiceError
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.services.context import Actor, record
from tui_mutabakat.services.importing.errors_file import ErrorsFile
from tui_mutabakat.services.importing.fields import (
    HEADER_SCAN,
    ColumnMapping,
    Kind,
    find_mapping,
    missing_required,
)
from tui_mutabakat.services.importing.readers import (
    SPREADSHEETS,
    NumberedRow,
    file_digest,
    read_rows,
    sheet_names,
)
from tui_mutabakat.services.importing.rows import Parsed, Problem, Record, parse
from tui_mutabakat.services.importing.store import Store
from tui_mutabakat.services.importing.store_base import RowChange
from tui_mutabakat.services.importing.values import is_empty

CHUNK = 2_000
#: Row problems kept for the report; the errors file holds them all.
KEPT_PROBLEMS = 1_000


class ImportCancelled(ServiceError):
    """The user stopped the import; nothing of the file was stored."""


@dataclass(frozen=True, slots=True)
class RowProblem:
    """One reason a row was refused (or, as a warning, imported with a flag)."""

    sheet: str
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = _("{sheet} sayfası, satır {row}").format(sheet=self.sheet, row=self.row)
        if self.column:
            where += _(", sütun {column}").format(column=self.column)
        return f"{where}: {self.reason}"


@dataclass(slots=True)
class ImportOptions:
    kind: Kind
    path: Path
    sheet: str | None = None
    #: field → header text chosen by the user (a saved mapping); the rest found by words.
    mapping: Mapping[str, str] | None = None
    dry_run: bool = False
    update: bool = False
    valid_only: bool = False
    errors_path: Path | None = None
    as_of: dt.date | None = None


@dataclass(slots=True)
class ImportSummary:
    kind: Kind
    file_name: str
    sheet: str
    sha256: str
    mapping: ColumnMapping
    #: About how many data rows the file has (for a progress bar).
    total: int = 0
    read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)
    warning_count: int = 0
    #: imported / dry_run / refused / cancelled / failed.
    outcome: str = ""
    errors_written: Path | None = None
    run_id: int | None = None

    @property
    def stored(self) -> bool:
        return self.outcome == "imported"


#: Called after every chunk with the rows read so far and about how many there are.
Progress = Callable[[int, int], None]


def locks_out_writers(database: Database) -> bool:
    """Whether other sessions cannot write while an import runs: SQLite has one write lock
    for the whole file, and the import holds it from its first row to its commit (one
    transaction, SPEC B6); PostgreSQL locks only the rows written."""
    return database.engine.dialect.name == "sqlite"


def _never() -> bool:
    return False


def open_file(options: ImportOptions) -> tuple[ColumnMapping, Iterator[NumberedRow], str, int]:
    """The mapping found in the file, the data rows after the header, the sheet's name, and
    about how many data rows there are."""
    table = read_rows(options.path, options.sheet)
    rows = table.rows
    head = list(itertools.islice(rows, HEADER_SCAN))
    cells = [r.cells for r in head]
    mapping = find_mapping(options.kind, cells, options.mapping)
    if mapping is None:
        missing = missing_required(options.kind, cells)
        raise InvalidInput(
            _(
                "{name}: başlık satırı bulunamadı. İlk {count} satırda şu sütunlar yok: {missing}"
            ).format(name=options.path.name, count=HEADER_SCAN, missing=", ".join(missing))
        )
    sheet = options.sheet or options.path.stem
    if options.sheet is None and options.path.suffix.lower() in SPREADSHEETS:
        sheet = sheet_names(options.path)[0]
    rest = itertools.chain(head[mapping.header_row + 1 :], rows)
    return mapping, rest, sheet, max(table.total - mapping.header_row - 1, 0)


def run_import(
    database: Database,
    actor: Actor,
    options: ImportOptions,
    *,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] = _never,
) -> ImportSummary:
    """Import one file (see the module text). Raises `InvalidInput` for an unreadable
    file or one without a header row, `ImportCancelled` when stopped."""
    digest = file_digest(options.path)
    mapping, rows, sheet, total = open_file(options)
    summary = ImportSummary(options.kind, options.path.name, sheet, digest, mapping, total=total)
    errors = ErrorsFile(options.errors_path, mapping.headers) if options.errors_path else None
    started = utcnow()
    # Committed before the import's transaction: while that holds the write lock, a user
    # whose write waits in vain is told which import it is (`data.session.busy_error`). A
    # killed process leaves this line "running" and nothing else.
    run_id = _start(database, actor, options, summary, started)
    with database.reader() as session:
        transaction = session.begin()
        try:
            store = Store(
                session, actor, options.kind, update=options.update, present=set(mapping.columns)
            )
            _import_rows(options, mapping, rows, store, summary, errors, progress, cancelled)
            if summary.refused and not options.valid_only:
                summary.outcome = "refused"
            elif options.dry_run:
                summary.outcome = "dry_run"
            else:
                summary.outcome = "imported"
                summary.run_id = _record(session, actor, options, summary, run_id)
                transaction.commit()
        except ImportCancelled:
            transaction.rollback()
            summary.outcome = "cancelled"
            _record_apart(database, actor, options, summary, run_id)
            raise
        except Exception:
            transaction.rollback()
            summary.outcome = "failed"
            with contextlib.suppress(Exception):
                _record_apart(database, actor, options, summary, run_id)
            raise
        finally:
            if transaction.is_active:
                transaction.rollback()
            if errors is not None:
                errors.close()
    if errors is not None and errors.rows:
        summary.errors_written = errors.path
    if not summary.stored:
        summary.run_id = _record_apart(database, actor, options, summary, run_id)
    return summary


def _import_rows(
    options: ImportOptions,
    mapping: ColumnMapping,
    rows: Iterator[NumberedRow],
    store: Store,
    summary: ImportSummary,
    errors: ErrorsFile | None,
    progress: Progress | None,
    cancelled: Callable[[], bool],
) -> None:
    while True:
        raw = list(itertools.islice(rows, CHUNK))
        if not raw:
            break
        chunk = [r for r in raw if not all(is_empty(c) for c in r.cells)]
        parsed = [(row, parse(options.kind, mapping, row.cells, options.as_of)) for row in chunk]
        valid: list[tuple[NumberedRow, Parsed, Record]] = [
            (row, p, p.record) for row, p in parsed if p.record is not None
        ]
        results = store.write([(row.number, rec) for row, _p, rec in valid])
        stored = {row.number: result for (row, _p, _r), result in zip(valid, results, strict=True)}
        for row, p in parsed:
            summary.read += 1
            result = stored.get(row.number)
            problems = p.problems if result is None else result.problems
            if p.problems or (result is not None and result.outcome is RowChange.REFUSED):
                _refuse(summary, errors, mapping, row, problems)
                continue
            _note_warnings(summary, mapping, row, p.warnings)
            if result is not None:
                _note_warnings(summary, mapping, row, result.warnings)
            if result is None:
                summary.unchanged += 1  # a zero opening balance: nothing to store
            elif result.outcome is RowChange.ADDED:
                summary.added += 1
            elif result.outcome is RowChange.UPDATED:
                summary.updated += 1
            else:
                summary.unchanged += 1
        if progress is not None:
            progress(summary.read, max(summary.total, summary.read))
        if cancelled():
            raise ImportCancelled(_("İçe aktarma durduruldu; hiçbir satır alınmadı."))


def _column(mapping: ColumnMapping, name: str) -> str:
    if not name:
        return ""
    index = mapping.columns.get(name)
    letter = _letter(index) if index is not None else ""
    header = mapping.column_header(name)
    return f"{letter} ({header})" if letter else header


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _refuse(
    summary: ImportSummary,
    errors: ErrorsFile | None,
    mapping: ColumnMapping,
    row: NumberedRow,
    problems: list[Problem],
) -> None:
    summary.refused += 1
    reasons = []
    for problem in problems:
        found = RowProblem(
            summary.sheet, row.number, _column(mapping, problem.field), problem.reason
        )
        reasons.append(f"{found.column}: {found.reason}" if found.column else found.reason)
        if len(summary.problems) < KEPT_PROBLEMS:
            summary.problems.append(found)
    if errors is not None:
        errors.add(row.cells, reasons)


def _note_warnings(
    summary: ImportSummary, mapping: ColumnMapping, row: NumberedRow, warnings: list[Problem]
) -> None:
    for warning in warnings:
        summary.warning_count += 1
        if len(summary.warnings) < KEPT_PROBLEMS:
            summary.warnings.append(
                RowProblem(
                    summary.sheet, row.number, _column(mapping, warning.field), warning.reason
                )
            )


def _start(
    database: Database,
    actor: Actor,
    options: ImportOptions,
    summary: ImportSummary,
    started: dt.datetime,
) -> int:
    with database.unit_of_work() as session:
        run = ImportRun(
            kind=options.kind.value,
            file_name=options.path.name[:255],
            sheet=summary.sheet[:100],
            sha256=summary.sha256,
            user_login=actor.login,
            started_at=started,
            outcome=RUNNING,
        )
        session.add(run)
        session.flush()
        return run.id


def _record(
    session: Session,
    actor: Actor,
    options: ImportOptions,
    summary: ImportSummary,
    run_id: int,
) -> int:
    """The import's line finished with what came of it, and the audit record."""
    run = session.get(ImportRun, run_id)
    assert run is not None
    run.finished_at = utcnow()
    run.outcome = summary.outcome
    run.rows_read = summary.read
    run.added = summary.added if summary.stored else 0
    run.updated = summary.updated if summary.stored else 0
    run.unchanged = summary.unchanged
    run.refused = summary.refused
    run.warnings = summary.warning_count
    session.flush()
    detail = (
        f"{options.kind.value} {options.path.name} sha256={summary.sha256[:16]} "
        f"read={summary.read} added={summary.added} updated={summary.updated} "
        f"refused={summary.refused} outcome={summary.outcome}"
    )
    record(session, actor, "import", options.kind.value, run.id, detail)
    return run.id


def _record_apart(
    database: Database,
    actor: Actor,
    options: ImportOptions,
    summary: ImportSummary,
    run_id: int,
) -> int:
    with database.unit_of_work() as session:
        return _record(session, actor, options, summary, run_id)
