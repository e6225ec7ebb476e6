"""The balance list of "e-Mutabakat Gönder" as table rows, and the selection of its rows.

A row of the list is an (account, currency) pair (`BalanceKey`); the paged table wants an
`int` key, so `KeyNumbers` gives each pair a number that stays the same for the life of the
screen (a refresh keeps the cursor and the ticks on the same rows).

The selection is a set of keys kept by the screen, not state of the widget: the table only
asks whether a row is ticked when it draws it, so a page re-read from the database shows its
ticks as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from tui_mutabakat.data.balance_list import KeyList, list_keys, page_rows
from tui_mutabakat.data.balance_queries import (
    BalanceCriteria,
    BalanceKey,
    BalanceRow,
    BalanceSums,
)
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.formatting import currency_label, format_amount
from tui_mutabakat.domain.states import BalanceSide
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.i18n import ngettext
from tui_mutabakat.widgets.paged_table import Column, PagedTable, TableRow

#: The mark of a ticked row, and of an account with / without a usable address.
TICK = "✓"
NO_ADDRESS = "✗"


class KeyNumbers:
    """A stable `int` for every (account, currency) key, both ways."""

    def __init__(self) -> None:
        self._numbers: dict[BalanceKey, int] = {}
        self._keys: list[BalanceKey] = []

    def number(self, key: BalanceKey) -> int:
        found = self._numbers.get(key)
        if found is None:
            found = len(self._keys)
            self._numbers[key] = found
            self._keys.append(key)
        return found

    def key(self, number: int) -> BalanceKey:
        return self._keys[number]


def side_text(side: BalanceSide) -> str:
    if side is BalanceSide.DEBIT:
        return _("B")
    if side is BalanceSide.CREDIT:
        return _("A")
    return ""


def balance_columns() -> tuple[Column, ...]:
    """Tick, code, title, currency, debit, credit, balance with its side, address ok."""
    return (
        Column("", 1),
        Column(_("Kod"), 10),
        Column(_("Ünvan"), 10, flex=True),
        Column(_("Dvz"), 3),
        Column(_("Borç"), 13, align="right"),
        Column(_("Alacak"), 13, align="right"),
        Column(_("Bakiye"), 15, align="right"),
        Column(_("Posta"), 5, align="center"),
    )


def balance_cells(row: BalanceRow) -> tuple[str, ...]:
    """The cells after the tick column."""
    balance = format_amount(abs(row.balance))
    side = side_text(row.side)
    return (
        row.code,
        row.title,
        currency_label(row.currency),
        format_amount(row.debit),
        format_amount(row.credit),
        f"{balance} {side}".rstrip(),
        TICK if row.recipient_ok else NO_ADDRESS,
    )


class BalanceSource:
    """The balance rows of `criteria`, a page at a time (a short read session per call).

    The list is read once, when it is first asked for (the table asks for the count first):
    the keys of all its rows in their order, with one aggregate (`list_keys`, issue 14.6).
    The count is their number, and a page — the first or the last alike — is a slice of
    them whose balances are read for those keys alone. The members and their order are
    those of that read; the figures of each page are read when it is shown. F5 makes a new
    source. A letter never takes its balance from here: the send reads it afresh."""

    def __init__(self, database: Database, criteria: BalanceCriteria, numbers: KeyNumbers) -> None:
        self.database = database
        self.criteria = criteria
        self.numbers = numbers
        self._keys: KeyList | None = None

    def keys(self) -> KeyList:
        """Every key of the list in its order, read on first use."""
        if self._keys is None:
            with self.database.reader() as session:
                self._keys = list_keys(session, self.criteria)
        return self._keys

    def count(self) -> int:
        return len(self.keys())

    def rows(self, offset: int, limit: int) -> Sequence[TableRow]:
        keys = self.keys().slice(offset, offset + limit)
        if not keys:
            return []
        with self.database.reader() as session:
            page = page_rows(session, self.criteria.as_of, keys)
        return [
            TableRow(self.numbers.number(r.key), balance_cells(r), muted=not r.recipient_ok)
            for r in page
        ]

    def index_of(self, key: int) -> int | None:
        """Where the row numbered `key` is now (after F5 the cursor stays on its row)."""
        return self.keys().index(self.numbers.key(key))


class BalanceTable(PagedTable):
    """The paged balance table; the first column shows whether the row is selected."""

    def __init__(
        self,
        columns: Sequence[Column],
        is_selected: Callable[[int], bool],
        *,
        empty_text: str = "",
        id: str | None = None,  # noqa: A002 - Textual's own parameter name
    ) -> None:
        super().__init__(columns, page_size=100, empty_text=empty_text, id=id)
        self._is_selected = is_selected

    def row_at(self, index: int) -> TableRow | None:
        row = super().row_at(index)
        if row is None:
            return None
        mark = TICK if self._is_selected(row.key) else ""
        return TableRow(row.key, (mark, *row.cells), row.muted)


class Selection:
    """The selected keys of the list, in the order they were selected."""

    def __init__(self) -> None:
        self._keys: dict[BalanceKey, None] = {}

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    @property
    def keys(self) -> list[BalanceKey]:
        return list(self._keys)

    def toggle(self, key: BalanceKey) -> bool:
        """Tick or untick `key`; returns whether it is ticked now."""
        if key in self._keys:
            del self._keys[key]
            return False
        self._keys[key] = None
        return True

    def set_all(self, keys: Iterable[BalanceKey]) -> None:
        self._keys = dict.fromkeys(keys)

    def clear(self) -> None:
        self._keys.clear()

    def invert(self, every: Iterable[BalanceKey]) -> None:
        self._keys = {key: None for key in every if key not in self._keys}

    def keep_only(self, every: Iterable[BalanceKey]) -> None:
        """Forget selected keys that are no longer in the list (after new criteria)."""
        present = set(every)
        self._keys = {key: None for key in self._keys if key in present}


def subtract_sums(total: Sequence[BalanceSums], part: Sequence[BalanceSums]) -> list[BalanceSums]:
    """The sums of the whole list minus those of some of its rows, per currency."""
    taken = {item.currency: item for item in part}
    result = []
    for item in total:
        minus = taken.get(item.currency)
        if minus is None:
            result.append(item)
            continue
        count = item.count - minus.count
        if count:
            result.append(
                BalanceSums(
                    item.currency,
                    count,
                    item.debit - minus.debit,
                    item.credit - minus.credit,
                    item.balance - minus.balance,
                )
            )
    return result


def sums_parts(count: int, sums: Sequence[BalanceSums], accounts: int | None = None) -> list[str]:
    """`Seçili: 3 hesap`, `toplam 1.234,56 B TL`, `50,00 A USD`: the parts of `sums_text`
    for a status line (which wraps between them, never inside an amount)."""
    accounts = count if accounts is None else accounts
    what = ngettext("{count} hesap", "{count} hesap", accounts).format(count=accounts)
    if accounts != count:
        rows = ngettext("{count} satır", "{count} satır", count).format(count=count)
        what = f"{rows}, {what}"
    head = _("Seçili: {what}").format(what=what)
    if not count:
        return [head]
    parts = []
    for item in sums:
        side = _("B") if item.balance > 0 else _("A") if item.balance < 0 else ""
        amount = format_amount(abs(item.balance))
        parts.append(f"{amount} {side} {currency_label(item.currency)}".replace("  ", " "))
    if not parts:
        return [head, _("toplam {sums}").format(sums="")]
    return [head, _("toplam {sums}").format(sums=parts[0]), *parts[1:]]


def sums_text(count: int, sums: Sequence[BalanceSums], accounts: int | None = None) -> str:
    """`Seçili: 3 hesap · toplam 1.234,56 B TL · 50,00 A USD`; when the `count` rows span
    fewer `accounts` (an account has a row per currency), both: `Seçili: 540 satır, 300
    hesap`."""
    return " · ".join(sums_parts(count, sums, accounts))
