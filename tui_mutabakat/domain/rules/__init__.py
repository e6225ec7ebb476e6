"""The account-parameter rules of SPEC C1–C5 as pure functions: no database, no interface.

Each rule takes the parameters, the account's open items and today's date, and returns a
frozen result carrying its decision and the figures behind it (for a dialog and the audit
log). Services load the inputs, call these, and act on `Outcome`.
"""

from tui_mutabakat.domain.rules.common import (
    Figure,
    OpenItem,
    Outcome,
    Refusal,
    format_figure,
    outcome_for,
    total_unsettled,
)
from tui_mutabakat.domain.rules.debt_closing import (
    ClosingResult,
    Match,
    evaluate_closing_gap,
    evaluate_closing_match,
    fifo_order,
    plan_fifo,
    plan_match,
)
from tui_mutabakat.domain.rules.due_tracking import (
    DueTrackingParams,
    DueTrackingResult,
    evaluate_due_tracking,
    overdue_items,
)
from tui_mutabakat.domain.rules.order_approval import (
    ApprovalCriteria,
    ApprovalResult,
    Criterion,
    CriterionResult,
    evaluate_order_approval,
)
from tui_mutabakat.domain.rules.shipment import (
    OrderLine,
    ShipmentLine,
    ShipmentPlan,
    invoice_copies_default,
    plan_shipment,
)

__all__ = [
    "ApprovalCriteria",
    "ApprovalResult",
    "ClosingResult",
    "Criterion",
    "CriterionResult",
    "DueTrackingParams",
    "DueTrackingResult",
    "Figure",
    "Match",
    "OpenItem",
    "OrderLine",
    "Outcome",
    "Refusal",
    "ShipmentLine",
    "ShipmentPlan",
    "evaluate_closing_gap",
    "evaluate_closing_match",
    "evaluate_due_tracking",
    "evaluate_order_approval",
    "fifo_order",
    "format_figure",
    "invoice_copies_default",
    "outcome_for",
    "overdue_items",
    "plan_fifo",
    "plan_match",
    "plan_shipment",
    "total_unsettled",
]
