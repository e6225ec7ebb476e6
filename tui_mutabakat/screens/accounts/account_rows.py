"""Accounts as table rows: the source the account list and the F10 account lookup page from."""

from __future__ import annotations

import time
from collections.abc import Sequence
from decimal import Decimal
from typing import ClassVar
from weakref import WeakKeyDictionary

from textual import events
from textual.binding import Binding, BindingType
from textual.widgets import Input

from tui_mutabakat.data.account_queries import (
    AccountFilter,
    AccountRow,
    account_page,
    count_accounts,
    position_of,
)
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.formatting import currency_label, format_amount
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.widgets.paged_table import Column, PagedTable, TableRow


def balance_text(balance: Decimal | None) -> str:
    """`1.234,56 B` when the account owes us (borç), `1.234,56 A` when we owe it (alacak)."""
    if balance is None:
        return ""
    if balance == 0:
        return format_amount(Decimal("0"))
    side = _("B") if balance > 0 else _("A")
    return f"{format_amount(abs(balance))} {side}"


def balance_cells(row: AccountRow) -> tuple[str, str]:
    """The balance and currency cells: the first non-zero currency balance (the account's own
    currency first), and `+N` beside its currency when N other currencies have one too —
    never "0,00 EUR" for an account whose whole balance is in TL."""
    if not row.balances:
        return balance_text(row.balance), currency_label(row.currency)
    currency, amount = row.balances[0]
    more = len(row.balances) - 1
    label = currency_label(currency)
    return balance_text(amount), f"{label} +{more}" if more else label


#: The index of the currency cell in `full_cells` (it carries `+N` for more currencies).
FULL_CURRENCY_CELL = 5


def full_columns() -> tuple[Column, ...]:
    """At 80 columns the group (its code is cut at 6 cells anyway, and F11 filters by it)
    is left out first, then "Aktif" (a passive account's row is dimmed): the code, the
    title, the balance and its currency stay readable. With room (120 columns) the city and
    the group widen to show their longest values whole before the title takes the rest."""
    return (
        Column(_("Kod"), 12),
        Column(_("Ünvan"), 14, flex=True),
        Column(_("Şehir"), 11, wide=14),
        Column(_("Grup"), 6, drop=1, wide=12),
        Column(_("Bakiye"), 18, align="right"),
        Column(_("Dvz"), 7),
        Column(_("Aktif"), 6, align="center", drop=2),
    )


def full_cells(row: AccountRow) -> tuple[str, ...]:
    return (
        row.code,
        row.title,
        row.city,
        row.group_code,
        *balance_cells(row),
        _("Evet") if row.active else _("Hayır"),
    )


def compact_columns() -> tuple[Column, ...]:
    return (
        Column(_("Kod"), 12),
        Column(_("Ünvan"), 14, flex=True),
        Column(_("Şehir"), 11),
        Column(_("Bakiye"), 18, align="right"),
        Column(_("Dvz"), 7),
    )


def compact_cells(row: AccountRow) -> tuple[str, ...]:
    return (
        row.code,
        row.title,
        row.city,
        *balance_cells(row),
    )


class AccountSource:
    """The accounts matching `flt`, a page at a time (a short read session per call)."""

    def __init__(self, database: Database, flt: AccountFilter, *, compact: bool = False) -> None:
        self.database = database
        self.filter = flt
        self._cells = compact_cells if compact else full_cells

    def count(self) -> int:
        with self.database.reader() as session:
            return count_accounts(session, self.filter)

    def rows(self, offset: int, limit: int) -> Sequence[TableRow]:
        with self.database.reader() as session:
            page = account_page(session, self.filter, offset, limit)
        return [TableRow(r.id, self._cells(r), muted=not r.active) for r in page]

    def index_of(self, key: int) -> int | None:
        with self.database.reader() as session:
            return position_of(session, self.filter, key)


class AccountTable(PagedTable):
    """The paged table of accounts: Enter opens the account card under the cursor."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", _("Kartı aç"), id="account_table_open"),
    ]


def literal(text: str) -> str:
    """`text` to show as it is inside Textual markup (account titles may contain brackets).

    Textual's own `escape` leaves `[Merkez]` alone (it only escapes lowercase tags), and the
    markup parser then swallows it as a tag.
    """
    return text.replace("[", "\\[")


def redirect_typing(event: events.Key, table: PagedTable, search: Input) -> bool:
    """A letter typed on the table starts a new search with it (incremental search): the
    text searched before is replaced, not added to ("120.01.004" then "selim" searches
    "selim"). Moving into the field with the keys (↑, Tab) keeps its text to edit.

    Returns whether the key was taken.
    """
    if table.has_focus and event.is_printable and event.character:
        # Focusing must not select the new letter (the next key would replace it).
        search.select_on_focus = False
        search.focus()
        now = time.monotonic()
        last = _redirected.get(search)
        # Letters that came in one read reach the table before the focus has moved: they
        # go on the word this started ("selim", not "m").
        going_on = last is not None and now - last[0] < WORD_PAUSE and search.value == last[1]
        search.value = (search.value if going_on else "") + event.character
        search.cursor_position = len(search.value)
        _redirected[search] = (now, search.value)
        event.stop()
        event.prevent_default()
        return True
    return False


#: Letters typed on the table this close together (seconds) are one word.
WORD_PAUSE = 0.5

#: The search field → when a letter typed on the table last went to it, and its text then.
_redirected: WeakKeyDictionary[Input, tuple[float, str]] = WeakKeyDictionary()
