"""Order shipment (SPEC C1) and invoice copies (SPEC C2).

Partial shipment "no": an order ships only whole ("Sipariş Fişi Aktar") — every line with
something left, its whole remaining quantity, in the ordered unit; a request that differs is
refused. "yes": any line in any quantity 0 < q ≤ remaining; a line asked with 0 is left out.
The unit is always the ordered one: the plan carries it from the order line, so a shipment
cannot change it (unit conversion is out of scope).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from tui_mutabakat.domain.formatting import format_amount
from tui_mutabakat.domain.rules.common import ZERO, Refusal
from tui_mutabakat.i18n import gettext as _


@dataclass(frozen=True, slots=True)
class OrderLine:
    line_id: int
    item: str
    quantity: Decimal
    unit: str
    shipped: Decimal = ZERO

    @property
    def remaining(self) -> Decimal:
        return max(ZERO, self.quantity - self.shipped)


@dataclass(frozen=True, slots=True)
class ShipmentLine:
    """One line to ship: `quantity` now, `remaining_after` left on the order afterwards."""

    line_id: int
    item: str
    quantity: Decimal
    unit: str
    remaining_after: Decimal


@dataclass(frozen=True, slots=True)
class ShipmentPlan:
    lines: tuple[ShipmentLine, ...]
    #: True when nothing is left on the order after this shipment.
    completes_order: bool


def plan_shipment(
    partial_allowed: bool,
    lines: Sequence[OrderLine],
    requested: Mapping[int, Decimal] | None = None,
) -> ShipmentPlan | Refusal:
    """Plan a shipment of `requested` quantities by line id (None: all that remains)."""
    open_lines = [line for line in lines if line.remaining > ZERO]
    if not open_lines:
        return Refusal(_("Siparişin sevk edilecek kalanı yok."))
    whole = {line.line_id: line.remaining for line in open_lines}
    if requested is None:
        requested = whole
    known = {line.line_id: line for line in lines}
    for line_id, quantity in requested.items():
        line = known.get(line_id)
        if line is None:
            return Refusal(_("Siparişte olmayan satır: {line}.").format(line=line_id))
        if not quantity.is_finite() or quantity < ZERO:
            return Refusal(_("{item}: miktar geçersiz.").format(item=line.item))
    wanted = {line_id: q for line_id, q in requested.items() if q > ZERO}
    if not partial_allowed and wanted != whole:
        return Refusal(
            _(
                "Bu hesapta parçalı sevkiyat yapılmaz: siparişin tamamı, kalan tüm satırlarıyla "
                "ve sipariş edilen miktar ve birimle sevk edilmelidir."
            )
        )
    if not wanted:
        return Refusal(_("Sevk edilecek miktar girilmedi."))
    planned: list[ShipmentLine] = []
    for line in lines:
        ship = wanted.get(line.line_id)
        if ship is None:
            continue
        if ship > line.remaining:
            return Refusal(
                _("{item}: sevk miktarı kalan miktarı ({remaining} {unit}) aşıyor.").format(
                    item=line.item, remaining=format_amount(line.remaining), unit=line.unit
                )
            )
        planned.append(
            ShipmentLine(line.line_id, line.item, ship, line.unit, line.remaining - ship)
        )
    completes = all(wanted.get(line.line_id, ZERO) == line.remaining for line in open_lines)
    return ShipmentPlan(tuple(planned), completes_order=completes)


def invoice_copies_default(value: int | None) -> int:
    """The number of copies an invoice print offers: the account's count, at least 1."""
    if value is None:
        return 1
    return max(1, value)
