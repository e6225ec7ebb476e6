"""Hostile files never crash the import: random bytes under any name, random cells under
the right headers. The outcome is a summary or a Turkish message, nothing else."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.import_files import write_xlsx
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.errors import ServiceError
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.importing import ImportOptions, Kind, readers, run_import
from tui_mutabakat.services.importing.exports import headers
from tui_mutabakat.services.importing.fields import fields_of, find_mapping
from tui_mutabakat.services.importing.rows import parse

# openpyxl refuses control characters other than tab and line breaks in a cell.
_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters=[chr(c) for c in range(32)]),
    max_size=30,
)
_CELL = st.one_of(
    st.none(),
    _TEXT,
    st.sampled_from(
        ["1.234,56", "1,234.56", "-5", "B", "A", "TL", "31.12.2026", "USD", "Evet", "0"]
    ),
    st.integers(min_value=-(10**18), max_value=10**18),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(9999, 12, 31)),
    st.booleans(),
)
_SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _message_is_turkish_text(error: ServiceError) -> None:
    text = str(error)
    assert text and "Traceback" not in text


@_SETTINGS
@given(
    data=st.binary(max_size=2000),
    suffix=st.sampled_from([".csv", ".xlsx", ".xls", ".ods", ".txt"]),
    kind=st.sampled_from(list(Kind)),
    streamed=st.booleans(),
)
def test_random_bytes_give_a_summary_or_a_message(
    database: Database,
    actor: Actor,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    data: bytes,
    suffix: str,
    kind: Kind,
    streamed: bool,
) -> None:
    # Both xlsx readers: calamine, and openpyxl's streaming one for large files.
    monkeypatch.setattr(readers, "STREAMING_XLSX_BYTES", 0 if streamed else 32 << 20)
    path = tmp_path / f"dosya{suffix}"
    path.write_bytes(data)
    try:
        summary = run_import(
            database, actor, ImportOptions(kind, path, as_of=dt.date(2026, 12, 31))
        )
    except ServiceError as error:
        _message_is_turkish_text(error)
    else:
        assert summary.outcome in ("imported", "refused")


@_SETTINGS
@given(
    kind=st.sampled_from(list(Kind)),
    rows=st.lists(st.lists(_CELL, min_size=0, max_size=16), min_size=0, max_size=12),
    streamed=st.booleans(),
)
def test_random_cells_under_the_right_headers_are_checked_not_crashed(
    database: Database,
    actor: Actor,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    kind: Kind,
    rows: list[list[object]],
    streamed: bool,
) -> None:
    monkeypatch.setattr(readers, "STREAMING_XLSX_BYTES", 0 if streamed else 32 << 20)
    path = write_xlsx(tmp_path / "rastgele.xlsx", [headers(kind), *rows])
    try:
        summary = run_import(
            database,
            actor,
            ImportOptions(kind, path, valid_only=True, errors_path=tmp_path / "hata.xlsx"),
        )
    except ServiceError as error:
        _message_is_turkish_text(error)
    else:
        counted = summary.added + summary.updated + summary.unchanged + summary.refused
        assert counted == summary.read
        assert all(p.reason for p in summary.problems)


@settings(max_examples=400, deadline=None)
@given(kind=st.sampled_from(list(Kind)), cells=st.lists(_CELL, max_size=16))
def test_a_row_of_anything_parses_or_gives_reasons(kind: Kind, cells: list[object]) -> None:
    header = [f.header for f in fields_of(kind)]
    mapping = find_mapping(kind, [header])
    assert mapping is not None
    parsed = parse(kind, mapping, cells, dt.date(2026, 12, 31))
    assert parsed.record is None or not parsed.problems
    assert all(p.reason for p in parsed.problems)
