"""Controlled approval ("Kontrollü Onaylama", SPEC C3, issue 11.6): the account's criteria
come ticked as defaults; Space unticks or ticks one for this approval and the verdict is
evaluated again; F2 approves when every ticked criterion passes — or, for an admin, despite
a failed one with a reason. Unticking a default criterion that fails is such an override
(it still blocks, and says so). The service records the ticks changed and the reason."""

from __future__ import annotations

from dataclasses import dataclass

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label

from tui_mutabakat.domain.rules import ApprovalCriteria, ApprovalResult, Criterion
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.screens.base import AppAccess
from tui_mutabakat.services.accounts.order_approval import (
    default_criteria,
    evaluate_approval,
)
from tui_mutabakat.services.accounts.orders import (
    find_order,
)
from tui_mutabakat.widgets.tick import Tick


@dataclass(frozen=True, slots=True)
class ApprovalChoice:
    """What the user decided: approve with these ticks (and a reason when overriding)."""

    criteria: ApprovalCriteria
    reason: str


#: The key line follows the focus: Space ticks a criterion only while a criterion has it (in
#: the reason field it types a space).
CRITERIA_HINT = _("F2: onayla · Boşluk: kriter · Esc: vazgeç")
REASON_HINT = _("F2: onayla · Esc: vazgeç")


class ApprovalDialog(AppAccess, ModalScreen[ApprovalChoice | None]):
    BINDINGS = [
        Binding("f2,ctrl+s", "approve", _("Onayla"), id="approval_approve"),
        Binding("escape", "dismiss(None)", _("Vazgeç"), id="approval_cancel"),
    ]

    def __init__(self, order_id: int, number: str) -> None:
        super().__init__()
        self._order_id = order_id
        self._number = number
        self._ageing_days: int | None = None
        self.result: ApprovalResult | None = None

    def compose(self) -> ComposeResult:
        with self.database.reader() as session:
            order = find_order(session, self._order_id)
            defaults = default_criteria(session, order.account_id)
        self._ageing_days = defaults.ageing_days
        with Vertical(classes="dialog ops-dialog ops-form"):
            yield Label(
                _("Kontrollü Onaylama — {number}").format(number=self._number),
                classes="dialog-title",
            )
            yield Label(
                _("Hesabın kriterleri öndeğerdir; Boşluk ile bu onay için değiştirin."),
                classes="hint",
            )
            for name, ticked in (
                (Criterion.RISK, defaults.risk),
                (Criterion.DUE_DATE, defaults.due_date),
                (Criterion.AGEING, defaults.ageing),
            ):
                yield Tick(name.label, ticked, id=f"c-{name.value}", compact=True)
            yield Label("", id="approval-text", markup=False)
            yield Label("", id="approval-verdict", markup=False)
            yield Input(
                id="approval-reason",
                placeholder=_("(yönetici: sağlanmayan kritere rağmen onay gerekçesi)"),
                max_length=200,
                compact=True,
            )
            yield Label(CRITERIA_HINT, id="approval-hint", classes="hint")

    def on_mount(self) -> None:
        self._evaluate()
        self.query_one(f"#c-{Criterion.RISK.value}", Tick).focus()

    @on(events.DescendantFocus)
    def _focus_moved(self) -> None:
        hint = CRITERIA_HINT if isinstance(self.focused, Tick) else REASON_HINT
        self.query_one("#approval-hint", Label).update(hint)

    def criteria(self) -> ApprovalCriteria:
        def ticked(name: Criterion) -> bool:
            return self.query_one(f"#c-{name.value}", Tick).value

        return ApprovalCriteria(
            ticked(Criterion.RISK),
            ticked(Criterion.DUE_DATE),
            ticked(Criterion.AGEING),
            self._ageing_days,
        )

    @on(Checkbox.Changed)
    def _ticked(self) -> None:
        self._evaluate()

    def _evaluate(self) -> None:
        with self.database.reader() as session:
            self.result = evaluate_approval(session, self._order_id, criteria=self.criteria())
        lines = []
        for criterion in self.result.criteria:
            if criterion.ticked:
                verdict = _("GEÇTİ") if criterion.passed else _("KALDI")
            elif criterion.bypassed:
                verdict = _("KALDI; işareti kaldırmak yönetici onayı ister")
            else:
                verdict = _("işaretsiz; bilgi için: {state}").format(
                    state=_("sağlanıyor") if criterion.passed else _("sağlanmıyor")
                )
            lines.append(f"{criterion.name.label}: {verdict} — {criterion.text}")
        self.query_one("#approval-text", Label).update("\n".join(lines))
        self.query_one("#approval-verdict", Label).update(self.result.text)
        reason = self.query_one("#approval-reason", Input)
        reason.display = not self.result.approved and self.actor.is_admin

    def action_approve(self) -> None:
        result = self.result
        if result is None:
            return
        reason = self.query_one("#approval-reason", Input).value.strip()
        if not result.approved and not (self.actor.is_admin and reason):
            if self.actor.is_admin:
                message = _("Sağlanmayan kritere rağmen onaylamak için gerekçe yazın.")
                self.query_one("#approval-reason", Input).focus()
            else:
                message = _("Sipariş onaylanamaz; sağlanmayan kriter var.")
            self.notify(message, severity="warning")
            return
        self.dismiss(ApprovalChoice(self.criteria(), reason if not result.approved else ""))
