"""The error list of a send (SPEC D5): a work list kept on the batch.

The rows are grouped: errors to fix first, then invalid addresses left out of letters that
went, accounts that already had a letter for the date, and zero balances left out. Enter
(or F4) opens the account card to fix the account; F2 sends the fixed accounts again —
every open row of theirs, a new batch with the same options — or, when nothing was fixed
here, the account under the cursor after asking, and says why when a row has nothing to
send. The list is read from the batch each time it shows, so it is the same when reached
again from tracking: rows sent since are marked done, and what still cannot be sent stays
with its new reason.
"""

from __future__ import annotations

import textwrap
from functools import partial
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Header, Label, Static

from tui_mutabakat.data.balance_queries import BalanceKey
from tui_mutabakat.domain.formatting import currency_label
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.i18n import ngettext
from tui_mutabakat.screens.base import AppAccess, tells_refusal
from tui_mutabakat.screens.dialogs.confirm import ConfirmDialog
from tui_mutabakat.services.sending.compose import (
    BatchCreated,
    SendOptions,
    SkipKind,
    SkippedAccount,
)
from tui_mutabakat.services.sending.error_list import (
    ErrorList,
    ErrorRow,
    error_list,
    kind_label,
    resend_keys,
    update_reasons,
)
from tui_mutabakat.widgets.footer import Footer

#: Marks in the first column: fixed here (F2 sends it), sent since.
FIXED = "✎"
DONE = "✓"
#: The reason column's width: with the others the table fits 80 columns.
REASON_WIDTH = 26


class SendErrorsScreen(AppAccess, Screen[None]):
    TITLE = _("Gönderilemeyen hesaplar")
    AUTO_FOCUS = "#send-errors-table"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", _("Kapat"), id="send_errors_back"),
        Binding("enter,f4,ctrl+k", "open_card", _("Kartı aç"), id="send_errors_card"),
        Binding("f2,ctrl+s", "send_again", _("Tekrar gönder"), id="send_errors_again"),
        Binding("f5,ctrl+r", "reload", _("Yenile"), id="send_errors_reload"),
    ]

    def __init__(self, batch_id: int, *, options: SendOptions | None = None) -> None:
        """The error list of `batch_id`; `options`: what the batch was sent with, when
        known (else read from the batch; the subject then comes from the template)."""
        super().__init__()
        self.batch_id = batch_id
        self.given_options = options
        self.errors: ErrorList | None = None
        #: Accounts whose card was saved since they were listed.
        self.fixed: set[int] = set()

    @property
    def rows(self) -> list[ErrorRow]:
        return self.errors.rows if self.errors is not None else []

    @property
    def skipped(self) -> list[SkippedAccount]:
        """The rows still waiting for a letter (errors and zero balances not sent since)."""
        return [row.item for row in self.rows if row.open]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("", id="send-errors-head", markup=False)
        yield DataTable(id="send-errors-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="send-errors-reason", markup=False)
        yield Label(
            _("Enter: kartı aç ve düzelt · F2: düzeltilenleri tekrar gönder · Esc: kapat"),
            classes="hint",
        )
        yield Footer()

    @property
    def table(self) -> DataTable[str]:
        return self.query_one("#send-errors-table", DataTable)

    def on_mount(self) -> None:
        table = self.table
        table.add_column("", width=1, key="mark")
        table.add_column(_("Kod"), width=10, key="code")  # 120.01.008 whole
        table.add_column(_("Ünvan"), width=12, key="title")
        table.add_column(_("Dvz"), width=7, key="currency")  # TRY/EUR
        table.add_column(_("Tür"), width=6, key="kind")
        table.add_column(_("Neden"), width=REASON_WIDTH, key="reason")

    def on_screen_resume(self) -> None:
        """Also right after mounting: read the list from the batch (sent since?)."""
        self.reload()

    def reload(self) -> None:
        with self.database.reader() as session:
            self.errors = error_list(session, self.batch_id)
        self._fill(self.table.cursor_row)

    def _fill(self, cursor: int = 0) -> None:
        table = self.table
        table.clear()
        for n, row in enumerate(self.rows):
            item = row.item
            reason = item.reason
            if row.sent_in is not None:
                reason = _("Gönderildi ({batch} numaralı gönderimde). Önce: {reason}").format(
                    batch=row.sent_in, reason=reason
                )
            lines = textwrap.wrap(reason, REASON_WIDTH) or [""]
            table.add_row(
                self._mark(row),
                item.code,
                item.title,
                currency_label(item.currency) if item.currency else "",
                kind_label(row.kind),
                "\n".join(lines),
                key=str(n),
                height=len(lines),
            )
        if self.rows:
            table.move_cursor(row=min(max(cursor, 0), len(self.rows) - 1))
        head = self.query_one("#send-errors-head", Label)
        head.update(self.errors.head() if self.errors is not None else "")
        self._show_reason()
        self.refresh_bindings()

    def _mark(self, row: ErrorRow) -> str:
        if row.sent_in is not None:
            return DONE
        if row.open and row.item.account_id in self.fixed:
            return FIXED
        return ""

    def current(self) -> ErrorRow | None:
        row = self.table.cursor_row
        rows = self.rows
        if not rows or not 0 <= row < len(rows):
            return None
        return rows[row]

    @on(DataTable.RowHighlighted, "#send-errors-table")
    def _show_reason(self) -> None:
        row = self.current()
        self.query_one("#send-errors-reason", Static).update(
            f"{row.item.code} {row.item.title}: {row.item.reason}" if row else ""
        )

    @on(DataTable.RowSelected, "#send-errors-table")
    def _selected(self) -> None:
        self.action_open_card()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("open_card", "send_again") and not self.rows:
            return None
        return True

    def action_back(self) -> None:
        self.dismiss(None)

    def action_reload(self) -> None:
        self.reload()

    def action_open_card(self) -> None:
        from tui_mutabakat.screens.accounts.account_card import AccountCardScreen

        row = self.current()
        if row is None:
            return
        account_id = row.item.account_id

        def closed(saved_id: int | None) -> None:
            if saved_id is not None:
                self.fixed.add(account_id)
                self._fill(self.table.cursor_row)

        self.app.push_screen(AccountCardScreen(account_id), callback=closed)

    # ---------------------------------------------------------- send again

    def action_send_again(self) -> None:
        """A new batch, same options, for every open row of the fixed accounts; nothing
        fixed here: the account under the cursor, after asking; or why not."""
        assert self.errors is not None
        fixed = [a for a in self.fixed if resend_keys(self.errors, [a])]
        if fixed:
            self._send(fixed)
            return
        self.fixed.clear()
        row = self.current()
        if row is None:
            self.notify(_("Listede gönderilecek hesap yok."), severity="warning")
            return
        why = self._why_not(row)
        if why:
            self.notify(why, severity="warning", timeout=8)
            return
        account = row.item.account_id

        def answered(yes: bool | None) -> None:
            if yes:
                self._send([account])

        question = _(
            "{code} hesabının kartında bu listeden düzeltme kaydedilmedi. Yine de tekrar "
            "gönderilsin mi?"
        ).format(code=row.item.code)
        self.app.push_screen(ConfirmDialog(question, yes=_("Gönder")), answered)

    def _why_not(self, row: ErrorRow) -> str:
        """Why F2 sends nothing for this row; empty when it can be sent again."""
        if row.sent_in is not None:
            return _(
                "Bu hesabın mektubu sonradan gönderildi ({batch} numaralı gönderimde)."
            ).format(batch=row.sent_in)
        if row.kind == SkipKind.ZERO:
            return _(
                "Bakiye sıfır: gönderim seçeneği gereği atlandı. Göndermek için listeden "
                "'Sıfırları atla' işaretsiz gönderin."
            )
        if row.kind == SkipKind.DUPLICATE:
            return _(
                "Bu hesabın bu tarih için mektubu var. İkinci mektup için listeden gönderip "
                "'Yine gönder'i seçin."
            )
        if row.kind == SkipKind.ADDRESS:
            return _("Mektup diğer adreslere gitti; geçersiz adresi kartta düzeltin (Enter).")
        return ""

    def _send(self, accounts: list[int]) -> None:
        from tui_mutabakat.screens.sending.send_flow import SendRequest
        from tui_mutabakat.screens.sending.send_progress import SendProgressScreen

        errors = self.errors
        assert errors is not None
        keys = resend_keys(errors, accounts)
        options = self.given_options or errors.options
        request = SendRequest(
            errors.as_of,
            keys,
            options,
            errors.criteria,
            show_errors=False,
            on_created=partial(self._sent_again, keys, set(accounts)),
        )
        self.app.push_screen(SendProgressScreen(request))

    @tells_refusal
    def _sent_again(
        self, keys: list[BalanceKey], accounts: set[int], created: BatchCreated
    ) -> None:
        """The rows sent show as done; those still wrong keep their new reason."""
        with self.database.unit_of_work() as session:
            update_reasons(session, self.batch_id, keys, created.skipped)
        self.fixed -= accounts
        self.reload()
        self.notify(
            ngettext(
                "{count} mektup kuyruğa alındı.", "{count} mektup kuyruğa alındı.", created.letters
            ).format(count=created.letters),
            timeout=4,
        )
