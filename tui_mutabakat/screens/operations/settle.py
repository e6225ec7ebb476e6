"""Borç Takip (SPEC C5): open debits beside open credits, matched by hand or FIFO, undone."""

from __future__ import annotations

from decimal import Decimal

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Header, Label

from tui_mutabakat.domain.enums import RuleAction
from tui_mutabakat.domain.errors import ServiceError
from tui_mutabakat.domain.formatting import (
    currency_label,
    format_amount,
    format_day,
    format_money,
    parse_amount,
)
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.screens.accounts.account_rows import literal
from tui_mutabakat.screens.base import AppAccess, tells_refusal
from tui_mutabakat.screens.dialogs.confirm import ConfirmDialog, MessageDialog
from tui_mutabakat.screens.operations.ops_dialogs import (
    NumberPrompt,
    TableDialog,
    cursor_key,
    plain,
    right,
)
from tui_mutabakat.services.accounts.cards import account_name
from tui_mutabakat.services.accounts.settlement import (
    ClosingControl,
    ClosingStop,
    ClosingWarning,
    FifoPlan,
    FifoWarning,
    PairCheck,
    SettleItem,
    SettleView,
    closing_control,
    last_fifo_run,
    last_match_id,
    load_view,
    log_closing,
    pair_document,
    settle_fifo,
    settle_pair,
    undo_fifo_run,
    undo_match,
)
from tui_mutabakat.widgets.fit_table import FitTable
from tui_mutabakat.widgets.footer import Footer
from tui_mutabakat.widgets.status_line import StatusLine

MARK = "✓"


def _action_label(action: RuleAction) -> str:
    labels = {
        RuleAction.CONTINUE: _("devam"),
        RuleAction.WARN: _("uyar"),
        RuleAction.STOP: _("durdur"),
    }
    return labels[action]


def _amount(item: SettleItem) -> str:
    """The open amount with its currency, TL too: a column of mixed currencies reads the
    same in every row."""
    return f"{format_amount(item.unsettled)} {currency_label(item.currency)}"


class SettleScreen(AppAccess, Screen[None]):
    """Mark one debit (left) and one credit (right) with Space, then M or Enter matches."""

    TITLE = _("Borç Takip")
    #: `-narrow` stacks the two sides (see `app.tcss`).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    BINDINGS = [
        Binding("space", "mark", _("İşaretle"), id="settle_mark"),
        Binding("m", "match", _("Eşle"), id="settle_match"),
        # The tables take Enter themselves (RowSelected); this names it in F1 and Ctrl+P.
        Binding("enter", "choose", _("İşaretle, eşle"), id="settle_choose"),
        Binding("f6,ctrl+k", "fifo", _("FIFO kapat"), id="settle_fifo"),
        Binding("u", "undo", _("Geri al"), id="settle_undo"),
        Binding("escape", "app.pop_screen", _("Geri"), id="settle_back"),
    ]

    def __init__(self, account_id: int) -> None:
        super().__init__()
        self.account_id = account_id
        self.marked: dict[str, int | None] = {"debits": None, "credits": None}
        self._view = SettleView((), (), ())
        self._control = ClosingControl(None, RuleAction.CONTINUE)
        self._seen = -1

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("", id="settle-title", classes="section-title")
        with Horizontal(id="settle-tables"):
            with Vertical(classes="settle-side"):
                yield Label(_("Borç (kapanmamış)"), classes="section-title")
                yield FitTable(id="settle-debits")
            with Vertical(classes="settle-side"):
                yield Label(_("Alacak (kapanmamış)"), classes="section-title")
                yield FitTable(id="settle-credits")
        yield Label(
            _("Eşlemeler (U: seçili eşlemeyi ya da son eşlemeyi / FIFO'yu geri al)"),
            classes="hint",
        )
        yield FitTable(id="settle-matches", shrink=(("user", 4),))
        yield StatusLine(id="settle-status")
        yield Footer()

    def on_mount(self) -> None:
        for side in ("debits", "credits"):
            table = self._table(side)
            table.add_column(" ", key="mark")
            table.add_columns(_("Vade"), _("Açık"), _("Belge"))
        matches = self._table("matches")
        matches.add_columns(_("Tutar"), _("Borç belge"), _("Alacak belge"))
        matches.add_column(_("Kullanıcı"), key="user")
        self.reload()
        self._table("debits").focus()

    def _table(self, name: str) -> DataTable[object]:
        return self.query_one(f"#settle-{name}", DataTable)

    @tells_refusal
    def _log_closing(self, action: str, pair: PairCheck, how: str = "manual") -> None:
        """A match the control stopped, or whose warning was answered "no": logged on the
        account in a unit of work of its own (issue 11.8)."""
        documents = {i.movement_id: i.doc_no for i in (*self._view.debits, *self._view.credits)}
        document = pair_document(documents, pair.match.debit_id, pair.match.credit_id)
        with self.database.unit_of_work() as session:
            log_closing(session, self.actor, self.account_id, action, pair, document, how=how)

    def on_screen_resume(self) -> None:
        """Back from a screen that saved something: show what the database now holds."""
        if self.database.commits != self._seen:
            self.reload()

    def reload(self) -> None:
        self._seen = self.database.commits
        with self.database.reader() as session:
            account = account_name(session, self.account_id)
            self._view = load_view(session, self.account_id)
            self._control = closing_control(session, self.account_id)
        name = account.label if account else "?"
        if self._control.days is None:
            rule = _("vade farkı kontrolü yok")
        else:
            rule = _("vade farkı > {days} gün: {action}").format(
                days=self._control.days, action=_action_label(self._control.action)
            )
        self.query_one("#settle-title", Label).update(f"{name} · {rule}")
        for side, items in (("debits", self._view.debits), ("credits", self._view.credits)):
            ids = {item.movement_id for item in items}
            if self.marked[side] not in ids:
                self.marked[side] = None
            self._fill(side, items)
        matches = self._table("matches")
        matches.clear()
        for match in self._view.matches:
            matches.add_row(
                right(format_money(match.amount, match.currency)),
                plain(match.debit_doc or f"#{match.debit_id}"),
                plain(match.credit_doc or f"#{match.credit_id}"),
                plain(match.created_by),
                key=str(match.id),
            )
        if self._view.matches:
            matches.move_cursor(row=len(self._view.matches) - 1)
        self._show_status()

    def _fill(self, side: str, items: tuple[SettleItem, ...]) -> None:
        table = self._table(side)
        keep = cursor_key(table)
        table.clear()
        for item in items:
            table.add_row(
                MARK if self.marked[side] == item.movement_id else "",
                format_day(item.effective_due),
                right(_amount(item)),
                plain(item.doc_no or f"#{item.movement_id}"),
                key=str(item.movement_id),
            )
        if keep is not None and keep in {str(i.movement_id) for i in items}:
            table.move_cursor(row=table.get_row_index(keep))

    def _item(self, side: str, movement_id: int | None) -> SettleItem | None:
        items = self._view.debits if side == "debits" else self._view.credits
        return next((i for i in items if i.movement_id == movement_id), None)

    def _show_status(self) -> None:
        """The marked items and the keys, wrapped between them at 80 columns."""
        marks = []
        for side, label in (("debits", _("borç")), ("credits", _("alacak"))):
            item = self._item(side, self.marked[side])
            text = f"{item.doc_no or item.movement_id} ({_amount(item)})" if item else "-"
            marks.append(f"{label}: {literal(text)}")
        self.query_one("#settle-status", StatusLine).show(
            [
                _("İşaretli — {debit}").format(debit=marks[0]),
                marks[1],
                _("Boşluk: işaretle · M/Enter: eşle · F6: FIFO"),
            ]
        )

    def _focused_side(self) -> str | None:
        focused = self.focused
        if isinstance(focused, DataTable) and focused.id in ("settle-debits", "settle-credits"):
            return "debits" if focused.id == "settle-debits" else "credits"
        return None

    def _set_mark(self, side: str, movement_id: int | None) -> None:
        table = self._table(side)
        previous = self.marked[side]
        if previous is not None and str(previous) in table.rows:
            table.update_cell(str(previous), "mark", "")
        self.marked[side] = movement_id
        if movement_id is not None:
            table.update_cell(str(movement_id), "mark", MARK)
        self._show_status()

    def action_mark(self) -> None:
        side = self._focused_side()
        if side is None:
            return
        key = cursor_key(self._table(side))
        if key is None:
            return
        current = int(key)
        self._set_mark(side, None if self.marked[side] == current else current)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if self._focused_side() is not None:
            event.stop()
            self.action_choose()

    def action_choose(self) -> None:
        """Enter: mark the row under the cursor; with both sides marked, match them."""
        side = self._focused_side()
        key = cursor_key(self._table(side)) if side is not None else None
        if side is None or key is None:
            return
        self._set_mark(side, int(key))
        if all(self.marked.values()):
            self.action_match()
        else:
            other = "credits" if side == "debits" else "debits"
            self._table(other).focus()

    def _pick(self, side: str) -> SettleItem | None:
        """The marked item of a side, else the one under that side's cursor."""
        chosen = self.marked[side]
        if chosen is None:
            key = cursor_key(self._table(side))
            chosen = int(key) if key is not None else None
        return self._item(side, chosen)

    def action_match(self) -> None:
        debit, credit = self._pick("debits"), self._pick("credits")
        if debit is None or credit is None:
            self.notify(_("Bir borç ve bir alacak kalemi seçin."), severity="warning")
            return
        largest = min(debit.unsettled, credit.unsettled)
        prompt = NumberPrompt(
            _("Eşle: {debit} ↔ {credit}").format(
                debit=debit.doc_no or debit.movement_id, credit=credit.doc_no or credit.movement_id
            ),
            _("Tutar"),
            format_amount(largest),
            parse_amount,
        )

        def entered(amount: Decimal | None) -> None:
            if amount is not None:
                self._settle(debit.movement_id, credit.movement_id, amount, confirmed=False)

        self.app.push_screen(prompt, entered)

    def _settle(self, debit_id: int, credit_id: int, amount: Decimal, *, confirmed: bool) -> None:
        try:
            with self.database.unit_of_work() as session:
                settle_pair(
                    session,
                    self.actor,
                    self.account_id,
                    debit_id,
                    credit_id,
                    amount,
                    confirmed=confirmed,
                )
        except ClosingWarning as warning:
            pair = warning.pair

            def answered(yes: bool | None) -> None:
                if yes:
                    self._settle(debit_id, credit_id, amount, confirmed=True)
                else:
                    self._log_closing("closing_declined", pair)

            self.app.push_screen(ConfirmDialog(str(warning), yes=_("Kapat")), answered)
            return
        except ClosingStop as stop:
            self._log_closing("closing_stop", stop.pair)
            title = _("Borç Kapama Vade Kontrolü — Durduruldu")
            self.app.push_screen(MessageDialog(str(stop), title=title))
            return
        except ServiceError as error:
            self.app.push_screen(MessageDialog(str(error), title=_("Eşlenemedi")))
            return
        self.marked = {"debits": None, "credits": None}
        self.notify(_("Eşleme kaydedildi."))
        self.reload()

    def action_fifo(self) -> None:
        self._fifo(confirmed=False)

    def _fifo(self, *, confirmed: bool) -> None:
        try:
            with self.database.unit_of_work() as session:
                outcome = settle_fifo(session, self.actor, self.account_id, confirmed=confirmed)
        except FifoWarning as warning:
            plan = warning.plan

            def answered(yes: bool | None) -> None:
                if yes:
                    self._fifo(confirmed=True)
                    return
                for pair in plan.warned:  # nothing was matched: each "no" logged
                    self._log_closing("closing_declined", pair, "fifo")

            self.app.push_screen(self._fifo_dialog(str(warning), plan), answered)
            return
        except ServiceError as error:
            self.app.push_screen(MessageDialog(str(error), title=_("FIFO kapama yapılamadı")))
            return
        totals = ", ".join(format_money(v, c) for c, v in sorted(outcome.totals.items()))
        message = (
            _("FIFO: {count} eşleme, toplam {totals}.").format(count=outcome.count, totals=totals)
            if outcome.count
            else _("FIFO: kapatılacak açık borç ve alacak çifti yok.")
        )
        if outcome.stopped:
            message += " " + _("Vade kontrolünün durdurduğu {n} eşleşme atlandı.").format(
                n=outcome.stopped
            )
        self.notify(message)
        self.marked = {"debits": None, "credits": None}
        self.reload()

    def _fifo_dialog(self, text: str, plan: FifoPlan) -> TableDialog:
        docs = {i.movement_id: i.doc_no for i in (*self._view.debits, *self._view.credits)}
        rows = [
            (
                plain(docs.get(p.match.debit_id, str(p.match.debit_id))),
                plain(docs.get(p.match.credit_id, str(p.match.credit_id))),
                right(str(p.closing.gap_days)),
                right(format_money(p.match.amount, p.currency)),
            )
            for p in plan.warned
        ]
        columns = (_("Borç belge"), _("Alacak belge"), _("Gün farkı"), _("Tutar"))
        return TableDialog(
            _("Borç Kapama Vade Kontrolü"), text, columns, rows, confirm=_("Hepsini kapat")
        )

    def action_undo(self) -> None:
        """U: the pair selected in the matches table; else the last FIFO run as a whole (one
        key put them there, one key takes them back); else the last pair."""
        matches = self._table("matches")
        target: int | None = None
        if self.focused is matches:
            key = cursor_key(matches)
            target = int(key) if key is not None else None
        if target is None:
            with self.database.reader() as session:
                run = last_fifo_run(session, self.account_id)
            if len(run) > 1:
                self._undo_run(run)
                return
        if target is None:
            with self.database.reader() as session:
                target = last_match_id(session, self.account_id)
        if target is None:
            self.notify(_("Geri alınacak eşleme yok."), severity="warning")
            return
        chosen = target

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                with self.database.unit_of_work() as session:
                    undo_match(session, self.actor, chosen)
            except ServiceError as error:
                self.app.push_screen(MessageDialog(str(error), title=_("Geri alınamadı")))
                return
            self.notify(_("Eşleme geri alındı."))
            self.reload()

        match = next((m for m in self._view.matches if m.id == chosen), None)
        what = (
            f"{match.debit_doc} ↔ {match.credit_doc} {format_money(match.amount, match.currency)}"
            if match
            else f"#{chosen}"
        )
        question = _("Eşleme geri alınsın mı? {what}").format(what=what)
        self.app.push_screen(ConfirmDialog(question, yes=_("Geri al")), answered)

    def _undo_run(self, run: tuple[int, ...]) -> None:
        """Ask, then undo every pair of a FIFO run in one transaction."""
        pairs = [m for m in self._view.matches if m.id in run]
        totals: dict[str, Decimal] = {}
        for match in pairs:
            totals[match.currency] = totals.get(match.currency, Decimal("0")) + match.amount
        total = ", ".join(format_money(v, c) for c, v in sorted(totals.items()))
        question = _("FIFO eşlemesi geri alınsın mı? {count} eşleme, toplam {total}").format(
            count=len(run), total=total
        )

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                with self.database.unit_of_work() as session:
                    undo_fifo_run(session, self.actor, run)
            except ServiceError as error:
                self.app.push_screen(MessageDialog(str(error), title=_("Geri alınamadı")))
                return
            self.notify(_("FIFO eşlemesi geri alındı ({count} eşleme).").format(count=len(run)))
            self.reload()

        self.app.push_screen(ConfirmDialog(question, yes=_("Geri al")), answered)
