"""Paired runs for the benches: the product and its anchor interleaved (A B A B …) so that
a change in the machine's load moves both sides of each ratio alike, and the ratios printed
as min / median / max.

    from paired import Pair, interleave, report
    pairs = interleave(3, product=lambda: run_product(), anchor=lambda: run_anchor())
    report("intake messages/s", pairs)
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Pair:
    product: float
    anchor: float

    @property
    def ratio(self) -> float:
        """product / anchor: for rates > 1 beats the anchor; for times < 1 does."""
        return self.product / self.anchor if self.anchor else float("inf")


def interleave(
    runs: int,
    product: Callable[[], float],
    anchor: Callable[[], float],
    label: str = "",
    unit: str = "",
) -> list[Pair]:
    """`runs` pairs, product first then anchor, each printed as it comes."""
    pairs = []
    for run in range(1, runs + 1):
        a = product()
        b = anchor()
        pairs.append(Pair(a, b))
        print(f"  {label} run {run}: product {a:.4g}{unit}, anchor {b:.4g}{unit}, ", end="")
        print(f"ratio {a / b:.3f}")
    return pairs


def spread(values: list[float]) -> str:
    return f"min {min(values):.4g} / median {statistics.median(values):.4g} / max {max(values):.4g}"


def report(label: str, pairs: list[Pair], unit: str = "") -> None:
    """One summary line: product, anchor and the paired ratios, each as min/median/max."""
    ratios = [p.ratio for p in pairs]
    print(f"{label} ({len(pairs)} pairs):")
    print(f"  product {spread([p.product for p in pairs])}{unit}")
    print(f"  anchor  {spread([p.anchor for p in pairs])}{unit}")
    print(f"  ratio product/anchor: {spread(ratios)}")
