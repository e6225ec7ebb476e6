"""Order shipment (SPEC C1) and invoice copies (SPEC C2)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tui_mutabakat.domain.rules import (
    OrderLine,
    Refusal,
    ShipmentLine,
    ShipmentPlan,
    invoice_copies_default,
    plan_shipment,
)

D = Decimal
ORDER = (
    OrderLine(1, "Vida M6", D("100"), "ADET"),
    OrderLine(2, "Kablo", D("25.5"), "M"),
    OrderLine(3, "Boya", D("10"), "KG", shipped=D("4")),
)
WHOLE = ShipmentPlan(
    (
        ShipmentLine(1, "Vida M6", D("100"), "ADET", D("0")),
        ShipmentLine(2, "Kablo", D("25.5"), "M", D("0")),
        ShipmentLine(3, "Boya", D("6"), "KG", D("0")),
    ),
    completes_order=True,
)
NOT_PARTIAL = "parçalı sevkiyat yapılmaz"

CASES: dict[str, tuple[bool, dict[int, D] | None, ShipmentPlan | str]] = {
    "no partial, nothing asked: the whole remaining order": (False, None, WHOLE),
    "no partial, exactly the remaining order": (
        False,
        {1: D("100"), 2: D("25.50"), 3: D("6")},
        WHOLE,
    ),
    "no partial, one line less: refused": (
        False,
        {1: D("99"), 2: D("25.5"), 3: D("6")},
        NOT_PARTIAL,
    ),
    "no partial, a line left out: refused": (False, {1: D("100"), 2: D("25.5")}, NOT_PARTIAL),
    "no partial, a line at zero: refused": (
        False,
        {1: D("100"), 2: D("25.5"), 3: D("0")},
        NOT_PARTIAL,
    ),
    "no partial, more than ordered: refused": (
        False,
        {1: D("101"), 2: D("25.5"), 3: D("6")},
        NOT_PARTIAL,
    ),
    "partial, everything remaining": (True, None, WHOLE),
    "partial, parts of two lines": (
        True,
        {1: D("40"), 3: D("6"), 2: D("0")},
        ShipmentPlan(
            (
                ShipmentLine(1, "Vida M6", D("40"), "ADET", D("60")),
                ShipmentLine(3, "Boya", D("6"), "KG", D("0")),
            ),
            completes_order=False,
        ),
    ),
    "partial, more than remains: refused": (True, {3: D("6.001")}, "kalan miktarı (6,00 KG)"),
    "partial, negative: refused": (True, {1: D("-1")}, "miktar geçersiz"),
    "partial, not a number: refused": (True, {1: D("NaN")}, "miktar geçersiz"),
    "partial, unknown line: refused": (True, {9: D("1")}, "Siparişte olmayan satır: 9"),
    "partial, all zero: refused": (True, {1: D("0")}, "Sevk edilecek miktar girilmedi"),
    "partial, empty request: refused": (True, {}, "Sevk edilecek miktar girilmedi"),
}


@pytest.mark.parametrize(("partial", "requested", "expected"), CASES.values(), ids=CASES.keys())
def test_plan_shipment(
    partial: bool, requested: dict[int, D] | None, expected: ShipmentPlan | str
) -> None:
    result = plan_shipment(partial, ORDER, requested)
    if isinstance(expected, str):
        assert isinstance(result, Refusal)
        assert expected in result.reason
    else:
        assert result == expected


def test_shipped_lines_keep_the_ordered_units() -> None:
    result = plan_shipment(True, ORDER, {2: D("0.5")})
    assert isinstance(result, ShipmentPlan)
    assert [(line.unit, line.remaining_after) for line in result.lines] == [("M", D("25.0"))]


def test_partly_shipped_order_without_partial_ships_what_remains() -> None:
    """An account switched to "no" after a part shipment: the rest goes whole."""
    lines = (OrderLine(1, "Vida", D("10"), "ADET", D("10")), OrderLine(2, "Somun", D("5"), "ADET"))
    result = plan_shipment(False, lines, {2: D("5")})
    assert result == ShipmentPlan((ShipmentLine(2, "Somun", D("5"), "ADET", D("0")),), True)
    refused = plan_shipment(False, lines, {1: D("1"), 2: D("5")})
    assert isinstance(refused, Refusal)


def test_fully_shipped_order_is_refused() -> None:
    lines = (OrderLine(1, "Vida", D("10"), "ADET", D("10")),)
    for partial in (False, True):
        result = plan_shipment(partial, lines, None)
        assert isinstance(result, Refusal)
        assert "kalanı yok" in result.reason


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, 1), (0, 1), (-3, 1), (1, 1), (3, 3)],
    ids=["empty", "zero", "negative", "one", "three"],
)
def test_invoice_copies_default(value: int | None, expected: int) -> None:
    assert invoice_copies_default(value) == expected
