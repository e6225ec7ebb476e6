"""An account's movements (SPEC B5): list, entry form, edit, delete — under due-date tracking."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar, cast

from rich.text import Text
from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Header, Input, Label, Select

from tui_mutabakat.domain.dates import local_today
from tui_mutabakat.domain.enums import CURRENCIES, DocumentType
from tui_mutabakat.domain.errors import InvalidInput, ServiceError
from tui_mutabakat.domain.formatting import (
    currency_choices,
    currency_label,
    format_amount,
    format_day,
    parse_amount,
    parse_day,
)
from tui_mutabakat.domain.money import check_rate
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.i18n import ngettext
from tui_mutabakat.screens.accounts.account_rows import balance_text, literal
from tui_mutabakat.screens.base import AppAccess
from tui_mutabakat.screens.dialogs.action_menu import ActionMenu, MenuItem
from tui_mutabakat.screens.dialogs.confirm import ConfirmDialog, MessageDialog
from tui_mutabakat.screens.form_screen import GuardedLeave
from tui_mutabakat.screens.operations.due_date_follow import FollowingDueDate
from tui_mutabakat.screens.operations.ops_dialogs import (
    ask_due_tracking,
    cursor_key,
    plain,
    refuse_for_due_tracking,
    right,
)
from tui_mutabakat.services.accounts.cards import account_name
from tui_mutabakat.services.accounts.movements import (
    DueTrackingStop,
    DueTrackingWarning,
    MovementData,
    MovementRow,
    delete_movement,
    doc_type_label,
    list_movements,
    load_movement,
    movement_to_delete,
    open_balance,
    save_movement,
)
from tui_mutabakat.services.accounts.parameters import default_due_date
from tui_mutabakat.widgets.fit_table import FitTable
from tui_mutabakat.widgets.footer import Footer
from tui_mutabakat.widgets.form import date_input, field_row, parse_problem
from tui_mutabakat.widgets.status_line import StatusLine

#: Below this many columns the list shows one amount column ("1.234,56 B") instead of Borç and
#: Alacak, so the dates, the document number and the open amount stay whole at 80 columns.
NARROW = 100

#: What the account list's F9 menu can offer for the highlighted account (see `open_for_account`).
ACCOUNT_ACTIONS: list[MenuItem] = [
    ("movements", _("Hareketler"), ""),
    ("settle", _("Borç Takip"), ""),
    ("orders", _("Satış Siparişleri"), ""),
    ("decisions", _("Kural kararları"), ""),
    ("parameters", _("Parametreler"), ""),
]


def open_for_account(app: App[object], action_id: str, account_id: int) -> bool:
    """Open the screen of an `ACCOUNT_ACTIONS` entry; False for an id it does not know."""
    from tui_mutabakat.screens.operations.orders import SalesOrderListScreen
    from tui_mutabakat.screens.operations.parameters import AccountParametersScreen
    from tui_mutabakat.screens.operations.rule_decisions import RuleDecisionsScreen
    from tui_mutabakat.screens.operations.settle import SettleScreen

    screens: dict[str, Callable[[], Screen[Any]]] = {
        "movements": lambda: MovementListScreen(account_id),
        "settle": lambda: SettleScreen(account_id),
        "orders": lambda: SalesOrderListScreen(account_id),
        "decisions": lambda: RuleDecisionsScreen(account_id),
        "parameters": lambda: AccountParametersScreen(account_id),
    }
    factory = screens.get(action_id)
    if factory is None:
        return False
    app.push_screen(factory())
    return True


T = TypeVar("T")


def _optional_day(text: str) -> dt.date | None:
    return parse_day(text) if text.strip() else None


def _amount(text: str) -> Decimal:
    return parse_amount(text) if text.strip() else Decimal("0")


def _rate(text: str) -> Decimal | None:
    """An exchange rate: up to six decimals, typed `32,5` or `32.5`."""
    cleaned = text.strip().replace(".", "").replace(",", ".") if "," in text else text.strip()
    if not cleaned:
        return None
    value = Decimal(cleaned)
    if not value.is_finite():
        raise ValueError(text)
    return check_rate(value).quantize(Decimal("0.000001"))


class MovementDialog(AppAccess, GuardedLeave[int | None], ModalScreen[int | None]):
    """Enter or edit one movement; F2 saves through due-date tracking; Esc asks first when
    something was typed."""

    BINDINGS = [
        Binding("f2,ctrl+s", "save", _("Kaydet"), id="movement_save"),
        Binding("escape", "leave", _("Vazgeç"), id="movement_cancel"),
    ]

    def __init__(self, account_id: int, movement_id: int | None = None) -> None:
        super().__init__()
        self._account_id = account_id
        self._movement_id = movement_id
        self._pending: MovementData | None = None
        self._due: FollowingDueDate | None = None

    def compose(self) -> ComposeResult:
        types = [(doc_type_label(kind), kind) for kind in DocumentType]
        currencies = currency_choices(CURRENCIES)
        with Vertical(classes="dialog ops-dialog ops-form"):
            yield Label(_("Hareket"), classes="dialog-title", id="movement-title")
            yield field_row(
                _("Fiş türü"),
                Select(types, allow_blank=False, id="m-type", compact=True),
            )
            yield field_row(_("Belge no"), Input(id="m-doc-no", max_length=40, compact=True))
            yield field_row(_("Tarih"), date_input(id="m-date"))
            yield field_row(_("Açıklama"), Input(id="m-description", max_length=200, compact=True))
            yield field_row(_("Borç"), Input(id="m-debit", compact=True))
            yield field_row(_("Alacak"), Input(id="m-credit", compact=True))
            yield field_row(
                _("Döviz"), Select(currencies, allow_blank=False, id="m-currency", compact=True)
            )
            yield field_row(_("Kur (TL)"), Input(id="m-fx-rate", compact=True))
            yield field_row(
                _("Vade tarihi"),
                date_input(id="m-due-date", placeholder=_("boş: belge tarihinde vadeli")),
            )
            yield Label("", id="m-error", classes="error-text")
            yield Label(_("F2: kaydet · Esc: vazgeç"), classes="hint")

    def on_mount(self) -> None:
        if self._movement_id is None:
            today = local_today()
            self._input("m-date").value = format_day(today)
            # A new movement is in the account's currency unless changed.
            with self.database.reader() as session:
                account = account_name(session, self._account_id)
            if account is not None and account.currency in CURRENCIES:
                self.query_one("#m-currency", Select).value = account.currency
            self._due = FollowingDueDate(self._input("m-due-date"), self._due_for)
            self._due.fill(self._due_for(today))
        else:
            with self.database.reader() as session:
                data = load_movement(session, self._movement_id)
            self.query_one("#m-type", Select).value = data.doc_type
            self._input("m-doc-no").value = data.doc_no
            self._input("m-date").value = format_day(data.date)
            self._input("m-description").value = data.description
            self._input("m-debit").value = format_amount(data.debit) if data.debit else ""
            self._input("m-credit").value = format_amount(data.credit) if data.credit else ""
            self.query_one("#m-currency", Select).value = data.currency
            self._input("m-fx-rate").value = str(data.fx_rate or "")
            self._input("m-due-date").value = format_day(data.due_date)
        self.mark_clean()
        self.query_one("#m-type", Select).focus()

    def leave_result(self) -> int | None:
        return None

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter moves to the next field, as in the ERP forms; F2 saves."""
        event.stop()
        self.focus_next()

    def _due_for(self, doc_date: dt.date) -> dt.date:
        """The default due date: the document date + the account's payment term."""
        with self.database.reader() as session:
            return default_due_date(session, self._account_id, doc_date)

    def on_input_changed(self, event: Input.Changed) -> None:
        """A new document date moves a due date the user has not typed over (a new
        movement only: an edited one keeps its own)."""
        if event.input.id == "m-date" and self._due is not None:
            self._due.date_changed(event.value)

    def _input(self, name: str) -> Input:
        return self.query_one(f"#{name}", Input)

    def _parsed(self, name: str, parse: Callable[[str], T]) -> T:
        try:
            return parse(self._input(name).value)
        except (ValueError, ArithmeticError) as exc:
            raise InvalidInput(parse_problem(exc, _("Bu alanın değeri geçersiz.")), name) from exc

    def _read(self) -> MovementData:
        return MovementData(
            account_id=self._account_id,
            doc_type=cast(DocumentType, self.query_one("#m-type", Select).value),
            date=self._parsed("m-date", parse_day),
            doc_no=self._input("m-doc-no").value,
            description=self._input("m-description").value,
            debit=self._parsed("m-debit", _amount),
            credit=self._parsed("m-credit", _amount),
            currency=str(self.query_one("#m-currency", Select).value),
            fx_rate=self._parsed("m-fx-rate", _rate),
            due_date=self._parsed("m-due-date", _optional_day),
            id=self._movement_id,
        )

    def action_save(self) -> None:
        try:
            data = self._read()
        except InvalidInput as error:
            self._show_error(error)
            return
        self._save(data, confirmed=False)

    def _show_error(self, error: InvalidInput) -> None:
        self.query_one("#m-error", Label).update(str(error))
        names = {"debit": "m-debit", "fx_rate": "m-fx-rate", "due_date": "m-due-date"}
        target = names.get(error.field or "", error.field or "")
        if target and self.query(f"#{target}"):
            self.query_one(f"#{target}").focus()

    def _save(self, data: MovementData, *, confirmed: bool) -> None:
        try:
            with self.database.unit_of_work() as session:
                movement_id = save_movement(session, self.actor, data, confirmed=confirmed)
        except DueTrackingWarning as warning:
            self._pending = data
            what = f"{data.doc_type.value} {data.doc_no}"
            ask_due_tracking(self, warning, data.account_id, what, self._confirmed)
            return
        except DueTrackingStop as stop:
            refuse_for_due_tracking(
                self, stop, data.account_id, f"{data.doc_type.value} {data.doc_no}"
            )
            return
        except InvalidInput as error:
            self._show_error(error)
            return
        except ServiceError as error:
            self.app.push_screen(MessageDialog(str(error), title=_("Kaydedilemedi")))
            return
        self.dismiss(movement_id)

    def _confirmed(self) -> None:
        if self._pending is not None:
            self._save(self._pending, confirmed=True)


class MovementListScreen(AppAccess, Screen[None]):
    """The movements of one account ("hareketler"), oldest first."""

    TITLE = _("Hareketler")
    BINDINGS = [
        Binding("f4,insert,ctrl+n", "new", _("Yeni"), id="movements_new"),
        Binding("enter", "edit", _("Düzelt"), id="movements_edit"),
        Binding("f8,ctrl+d", "delete", _("Sil"), id="movements_delete"),
        Binding("f9,ctrl+o", "actions", _("İşlemler"), id="movements_actions"),
        Binding("f7,ctrl+t", "decisions", _("Kararlar"), id="movements_decisions"),
        Binding("escape", "app.pop_screen", _("Geri"), id="movements_back"),
    ]

    def __init__(self, account_id: int) -> None:
        super().__init__()
        self.account_id = account_id
        #: `Database.commits` when the list was last read: anything saved since (on this
        #: screen or one opened from it — Borç Takip, orders, shipping) reloads it on return.
        self._seen = -1
        self._rows: dict[str, MovementRow] = {}
        self._narrow = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield StatusLine(id="movements-title", classes="section-title")
        # The description gives up its width first, then the type: the detail line under
        # the table shows both in full for the row under the cursor.
        yield FitTable(id="movements-table", shrink=(("desc", 0), ("type", 6)))
        yield Label("", id="movements-detail")
        yield Footer()

    def on_mount(self) -> None:
        self._narrow = self.app.size.width < NARROW
        self._add_columns()
        self.reload()
        self.query_one(DataTable).focus()

    def _add_columns(self) -> None:
        table: DataTable[object] = self.query_one(DataTable)
        table.clear(columns=True)
        amounts = (
            [(_("Tutar"), "amount")]
            if self._narrow
            else [(_("Borç"), "debit"), (_("Alacak"), "credit")]
        )
        for label, key in (
            (_("Tarih"), "date"),
            (_("Tür"), "type"),
            (_("Belge No"), "doc"),
            *amounts,
            (_("Dvz"), "cur"),
            (_("Vade"), "due"),
            (_("Açık"), "open"),
            (_("Açıklama"), "desc"),
        ):
            table.add_column(label, key=key)

    def on_resize(self, event: events.Resize) -> None:
        narrow = event.size.width < NARROW
        if narrow != self._narrow:
            self._narrow = narrow
            keep = self._current()  # the same movement under the cursor in the other layout
            self._add_columns()
            self.reload(select=keep)

    def _amounts(self, row: MovementRow) -> tuple[Text, ...]:
        if self._narrow:
            return (right(balance_text(row.debit - row.credit)),)
        return (
            right(format_amount(row.debit) if row.debit else ""),
            right(format_amount(row.credit) if row.credit else ""),
        )

    def reload(self, select: int | None = None) -> None:
        table: DataTable[object] = self.query_one(DataTable)
        self._seen = self.database.commits
        with self.database.reader() as session:
            account = account_name(session, self.account_id)
            rows = list_movements(session, self.account_id)
            balance = open_balance(session, self.account_id)
        self._rows = {str(row.id): row for row in rows}
        title = account.label if account else "?"
        # Parts of a status line: the balance never parted from its currency by a wrap.
        self.query_one("#movements-title", StatusLine).show(
            [
                literal(title),
                ngettext("{count} hareket", "{count} hareket", len(rows)).format(count=len(rows)),
                # Every currency's open items at their TL value (the rules' figure): said
                # so, beside the account list's per-currency balances.
                _("açık bakiye TL karşılığı {balance} TL").format(balance=balance_text(balance)),
            ]
        )
        keep = select if select is not None else self._current()
        table.clear()
        for row in rows:
            table.add_row(
                format_day(row.date),
                plain(doc_type_label(row.doc_type)),
                plain(row.doc_no),
                *self._amounts(row),
                currency_label(row.currency),
                format_day(row.due_date),
                right(format_amount(row.unsettled)),
                plain(row.description),
                key=str(row.id),
            )
        if keep is not None and str(keep) in self._rows:
            table.move_cursor(row=table.get_row_index(str(keep)))
        elif rows:
            table.move_cursor(row=len(rows) - 1)
        self._show_detail()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        """The cursor row's type, document and description in full (the table may cut them)."""
        key = cursor_key(self.query_one(DataTable))
        row = self._rows.get(key) if key is not None else None
        parts = [doc_type_label(row.doc_type), row.doc_no, row.description] if row else []
        self.query_one("#movements-detail", Label).update(
            plain(" · ".join(part for part in parts if part))
        )

    def _current(self) -> int | None:
        key = cursor_key(self.query_one(DataTable))
        return int(key) if key is not None else None

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def _after_save(self, movement_id: int | None) -> None:
        if movement_id is not None:
            self.notify(_("Hareket kaydedildi."))
            self.reload(select=movement_id)

    def action_new(self) -> None:
        self.app.push_screen(MovementDialog(self.account_id), self._after_save)

    def action_edit(self) -> None:
        current = self._current()
        if current is not None:
            self.app.push_screen(MovementDialog(self.account_id, current), self._after_save)

    def action_delete(self) -> None:
        current = self._current()
        if current is None:
            return

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                with self.database.unit_of_work() as session:
                    delete_movement(session, self.actor, current)
            except ServiceError as error:
                self.app.push_screen(MessageDialog(str(error), title=_("Silinemedi")))
                return
            self.notify(_("Hareket silindi."))
            self.reload()

        try:  # what cannot be deleted is refused before the question
            with self.database.reader() as session:
                document = movement_to_delete(session, current)
        except ServiceError as error:
            self.app.push_screen(MessageDialog(str(error), title=_("Silinemedi")))
            return
        question = _("{document}\nhareketi silinsin mi?").format(document=literal(document))
        self.app.push_screen(ConfirmDialog(question, yes=_("Sil"), danger=True), answered)

    def action_actions(self) -> None:
        items: list[MenuItem] = [
            ("new", _("Yeni hareket"), "F4"),
            ("edit", _("Düzelt"), "Enter"),
            ("delete", _("Sil"), "F8"),
            ("settle", _("Borç Takip"), ""),
            ("orders", _("Satış Siparişleri"), ""),
            ("decisions", _("Kural kararları"), "F7"),
        ]

        def chosen(action: str | None) -> None:
            if action in ("new", "edit", "delete"):
                getattr(self, f"action_{action}")()
            elif action is not None:
                open_for_account(self.app, action, self.account_id)

        # The menu names the movement its Düzelt and Sil act on.
        current = self._current()
        row = self._rows.get(str(current)) if current is not None else None
        title = _("Hareket İşlemleri")
        if row is not None:
            document = " ".join(p for p in (doc_type_label(row.doc_type), row.doc_no) if p)
            title = f"{document} {format_day(row.date)} — {title}"
        self.app.push_screen(ActionMenu(title, items), chosen)

    def action_decisions(self) -> None:
        """Every decision of the account's rules (issue 11.8)."""
        open_for_account(self.app, "decisions", self.account_id)

    def on_screen_resume(self) -> None:
        if self.database.commits != self._seen:
            self.reload()
