"""The letters of a batch as table rows (SPEC E2, issue 16 point 4): the paged source of the
letter list, its columns, the quick state filters with their keys, and the F10 state picker."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import ClassVar

from textual.binding import Binding, BindingType

from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.formatting import format_moment
from tui_mutabakat.domain.states import LetterState, letter_state_label
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.i18n import ngettext
from tui_mutabakat.screens.dialogs.action_menu import ActionMenu, MenuItem
from tui_mutabakat.services.tracking.letter_balances import figures_text
from tui_mutabakat.services.tracking.letter_list import (
    LetterFilter,
    LetterRow,
    LetterSort,
    count_letters,
    letter_page,
    position_of,
)
from tui_mutabakat.widgets.paged_table import Column, PagedTable, TableRow

TICK = "✓"

#: The sorts in the order of the table's columns (after the tick column): Ctrl+S walks them.
SORT_ORDER: tuple[LetterSort, ...] = (
    LetterSort.CODE,
    LetterSort.TITLE,
    LetterSort.BALANCE,
    LetterSort.STATE,
    LetterSort.LAST,
)


def when(moment: dt.datetime | None) -> str:
    """A stored moment in local time, `31.12.2026 14:05`."""
    return "" if moment is None else format_moment(moment)


def letter_columns(titles: int = 0) -> tuple[Column, ...]:
    """`titles`: the length of the batch's longest account name, when known. The name
    column then grows up to it once the balances have room for two currencies, and the
    balances take the rest (two flex columns shared the room: a wide terminal cut the names
    while short right-aligned balances left half of theirs empty)."""
    if titles > 14:
        # 14: at 80 columns the name keeps the width it had beside a flex balance column.
        name = Column(_("Hesap adı"), 14, wide=titles)
    else:
        name = Column(_("Hesap adı"), 12, flex=True)
    return (
        Column(" ", 1),
        Column(_("Kod"), 11),
        name,
        Column(_("Bakiye"), 16, align="right", flex=True),
        Column(_("Durum"), 14),
        Column(_("Son olay"), 16),
    )


def state_text(row: LetterRow) -> str:
    """`Mutabık değil ⚠ başka adres ⚠1`: the state, an answer from a stranger, recipients in
    doubt."""
    text = letter_state_label(row.state)
    if row.foreign:
        text += f" ⚠ {_('başka adres')}"
    if row.in_doubt:
        text += f" ⚠{row.in_doubt}"
    return text


def letter_cells(row: LetterRow) -> tuple[str, ...]:
    return (
        "",
        row.account_code,
        row.account_title,
        figures_text(row.figures),
        state_text(row),
        when(row.state_at),
    )


def letter_note(row: LetterRow) -> str:
    """What the marks of a flagged letter mean, in words (for the status line)."""
    notes = []
    if row.foreign:
        notes.append(_("⚠ yanıt alıcılardan biri olmayan bir adresten geldi"))
    if row.in_doubt:
        notes.append(
            ngettext(
                "⚠{count}: {count} alıcının teslimi belirsiz (F9: karar)",
                "⚠{count}: {count} alıcının teslimi belirsiz (F9: karar)",
                row.in_doubt,
            ).format(count=row.in_doubt)
        )
    return " · ".join(notes)


class LetterSource:
    """The letters matching `flt`, a page at a time (a short read session per call)."""

    def __init__(self, database: Database, flt: LetterFilter) -> None:
        self.database = database
        self.filter = flt
        #: `letter_note` of the flagged letters read so far, by letter id.
        self.notes: dict[int, str] = {}

    def count(self) -> int:
        with self.database.reader() as session:
            return count_letters(session, self.filter)

    def rows(self, offset: int, limit: int) -> Sequence[TableRow]:
        with self.database.reader() as session:
            page = letter_page(session, self.filter, offset, limit)
        self.notes.update((r.id, letter_note(r)) for r in page if r.foreign or r.in_doubt)
        return [
            TableRow(r.id, letter_cells(r), muted=r.state is LetterState.CANCELLED) for r in page
        ]

    def index_of(self, key: int) -> int | None:
        with self.database.reader() as session:
            return position_of(session, self.filter, key)


class LetterTable(PagedTable):
    """The paged letters; the first cell shows the tick of a letter chosen with Space."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", _("Ayrıntı"), id="letters_table_open"),
    ]

    def __init__(self, ticked: set[int], **kwargs: object) -> None:
        # Pages of 100: two and a half screens at 40 lines, and half the work of the
        # first page of a big batch (the balances are formatted a row at a time).
        super().__init__(letter_columns(), page_size=100, **kwargs)  # type: ignore[arg-type]
        #: The ticked letters (the screen's own set, shared).
        self.ticked = ticked

    def row_at(self, index: int) -> TableRow | None:
        row = super().row_at(index)
        if row is None:
            return None
        mark = TICK if row.key in self.ticked else ""
        return replace(row, cells=(mark, *row.cells[1:]))


@dataclass(frozen=True, slots=True)
class QuickFilter:
    """A filter one key away: its id, what the status line calls it, what it shows."""

    id: str
    label: str
    states: frozenset[LetterState] = frozenset()
    in_doubt: bool = False

    def applied(self, flt: LetterFilter) -> LetterFilter:
        return replace(flt, states=self.states, in_doubt=self.in_doubt)

    def active(self, flt: LetterFilter) -> bool:
        return flt.states == self.states and flt.in_doubt == self.in_doubt


def quick_filters() -> dict[str, QuickFilter]:
    """The filters of the keys (F2, F3, F6, F7, F11, F12 — see the screen's bindings)."""
    found = (
        QuickFilter(
            "waiting",
            _("Yanıt bekleyen"),
            frozenset({LetterState.SENT, LetterState.NO_ANSWER}),
        ),
        QuickFilter("agreed", _("Mutabık"), frozenset({LetterState.AGREED})),
        QuickFilter("disagreed", _("Mutabık değil"), frozenset({LetterState.DISAGREED})),
        QuickFilter("unclear", _("Belirsiz yanıt"), frozenset({LetterState.UNCLEAR})),
        QuickFilter("bounced", _("Geri döndü"), frozenset({LetterState.BOUNCED})),
        QuickFilter("in_doubt", _("Teslimi belirsiz"), in_doubt=True),
    )
    return {q.id: q for q in found}


def filter_label(flt: LetterFilter) -> str:
    """What the status line says the filter shows ("" when it shows every state)."""
    for quick in quick_filters().values():
        if (flt.states or flt.in_doubt) and quick.active(flt):
            return quick.label
    return ", ".join(letter_state_label(s) for s in sorted(flt.states))


#: The F10 picker's entry that shows every letter again.
ALL_STATES = "all"


class StatePicker(ActionMenu):
    """F10: any state, with the count of each; F10 or Esc closes it without a change."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f10,ctrl+f", "dismiss(None)", show=False, id="state_picker_close"),
    ]


def picker_items(
    counts: dict[LetterState, int], in_doubt: int, keys: dict[str, str]
) -> list[MenuItem]:
    """The picker's entries: every letter, each state with its count, the in-doubt ones.
    `keys`: the key of a quick filter by its id, shown beside its entry."""
    by_state = {next(iter(q.states)): q.id for q in quick_filters().values() if len(q.states) == 1}
    total = sum(counts.values())
    items: list[MenuItem] = [
        (ALL_STATES, _("Tümü ({count}) — süzgeci kaldır").format(count=total), "")
    ]
    waiting = quick_filters()["waiting"]
    items.append(
        (
            waiting.id,
            f"{waiting.label} ({sum(counts.get(s, 0) for s in waiting.states)})",
            keys.get(waiting.id, ""),
        )
    )
    for state in LetterState:
        label = f"{letter_state_label(state)} ({counts.get(state, 0)})"
        items.append((state.value, label, keys.get(by_state.get(state, ""), "")))
    doubt = quick_filters()["in_doubt"]
    items.append((doubt.id, f"{doubt.label} ({in_doubt})", keys.get(doubt.id, "")))
    return items
