"""Two years of movements per account, settled first-in first-out, as rows for a bulk insert.

The shape follows what an accountant sees in a real ledger. Customers get sales (or export)
invoices due in 30, 60 or 90 days and pay them by bank transfer, cash or cheque, mostly
around the due date; a few are slow payers who pay late and in part, so their old invoices
stay open and overdue. Suppliers send purchase invoices and we pay them. Most accounts
start with an opening balance two years back. Amounts are computed in kuruş (integers) and
become `Decimal` with two places only in the rows; `settled` is what FIFO matching of the
debits against the credits (per currency) has closed of each movement.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import deque
from decimal import Decimal
from typing import Any, NamedTuple

from tui_mutabakat.demo import names
from tui_mutabakat.demo.accounts import AccountPlan
from tui_mutabakat.domain.enums import DocumentType

Row = dict[str, Any]


class Match(NamedTuple):
    """One match of the FIFO settlement, by the movements' places in the account's list
    (`later`: the movement that made it, dated on or after the other)."""

    debit: int
    credit: int
    cents: int
    later: int


HISTORY_DAYS = 730
#: Today's demo exchange rates (TL per unit); earlier days are derived from them.
RATES_TODAY = {"USD": 42.35, "EUR": 49.10}
_LONGEST_TERM = 120  # days: the longest due term (cheques)
_ZERO = Decimal("0.00")


class _Kind(NamedTuple):
    """A kind of movement: its type, number series, text, due term in days, size factor."""

    doc_type: DocumentType
    series: str
    text: str
    term: int
    factor: float = 1.0


class _Event(NamedTuple):
    offset: int
    doc_type: DocumentType
    doc_no: str
    text: str
    is_debit: bool
    cents: int
    currency: str
    due: int


_OPENING = _Kind(DocumentType.OPENING, "ACL", "Açılış bakiyesi (önceki dönemden devir)", 0, 2.0)


def spread(rng: random.Random, total: int, accounts: int) -> list[int]:
    """Split `total` movements over `accounts` unevenly (some busy, some quiet), exactly."""
    if accounts <= 0:
        if total:
            raise ValueError("movements need at least one account")
        return []
    weights = [rng.lognormvariate(0, 0.8) for _ in range(accounts)]
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    for index in rng.sample(range(accounts), total - sum(counts)):
        counts[index] += 1
    return counts


def _cents(value: int) -> Decimal:
    return Decimal(value).scaleb(-2)


def _round_down(cents: int) -> int:
    """A payment a person would type: whole hundreds or thousands of lira."""
    step = 100_000 if cents >= 2_000_000 else 10_000 if cents >= 100_000 else 100
    return max(cents - cents % step, 100)


class MovementFactory:
    """Makes the movement rows of one account at a time; counters run across accounts."""

    def __init__(self, rng: random.Random, *, today: dt.date, actor: str = "demo") -> None:
        self.rng = rng
        self.actor = actor
        start = today - dt.timedelta(days=HISTORY_DAYS)
        self.dates = [start + dt.timedelta(days=d) for d in range(HISTORY_DAYS + _LONGEST_TERM + 1)]
        self.stamps = [
            dt.datetime(d.year, d.month, d.day, 9, 0, tzinfo=dt.UTC)
            for d in self.dates[: HISTORY_DAYS + 1]
        ]
        self.rates = {code: self._rate_curve(rate) for code, rate in RATES_TODAY.items()}
        self.counters: dict[str, int] = {}
        self.bank_in = [f"{bank} havale/EFT ile tahsilat" for bank in names.BANKS]
        self.bank_out = [f"{bank} EFT ile ödeme" for bank in names.BANKS]
        self.sales_texts = {
            term: [f"{text} - {term} gün vade" for text in names.SALES_TEXTS]
            for term in (30, 60, 90)
        }

    def _rate_curve(self, today_rate: float) -> list[Decimal]:
        """A rate per day: the lira loses about 40 % a year, with a small wave on top."""
        rates = []
        for offset in range(HISTORY_DAYS + 1):
            days_ago = HISTORY_DAYS - offset
            value = today_rate * math.exp(-0.00085 * days_ago) * (1 + 0.006 * math.sin(offset / 11))
            rates.append(Decimal(f"{value:.4f}"))
        return rates

    def _number(self, series: str, year: int) -> str:
        """The next document number of a series, e-invoice style: `MTB2026000000123`."""
        key = f"{series}{year}"
        count = self.counters.get(key, 0) + 1
        self.counters[key] = count
        if len(series) == 3:
            return f"{key}{count:09d}"
        return f"{series}-{year}-{count:06d}"

    def for_account(
        self, plan: AccountPlan, count: int, matches: list[Match] | None = None
    ) -> list[Row]:
        """`count` movements of the account in date order, with FIFO settlement filled in;
        each match of the settlement is appended to `matches` when it is given."""
        rng = self.rng
        if count <= 0:
            return []
        offsets = sorted(rng.randrange(HISTORY_DAYS + 1) for _ in range(count))
        opening = rng.random() < 0.6
        if opening:
            offsets[0] = 0
        foreign_share = 0.03 if plan.currency == "TRY" else 0.9
        scales = {
            "TRY": plan.scale_tl_cents,
            "USD": plan.scale_tl_cents / RATES_TODAY["USD"],
            "EUR": plan.scale_tl_cents / RATES_TODAY["EUR"],
        }
        events: list[_Event] = []
        settled: list[int] = []
        dues: list[int] = []
        queues: dict[str, tuple[deque[list[int]], deque[list[int]]]] = {}
        for index, offset in enumerate(offsets):
            if rng.random() < foreign_share:
                currency = plan.currency if plan.currency != "TRY" else rng.choice(("USD", "EUR"))
            else:
                currency = "TRY"
            open_debits, open_credits = queues.setdefault(currency, (deque(), deque()))
            if (index == 0 and opening) or rng.random() < (0.62 if plan.slow_payer else 0.55):
                kind = _OPENING if index == 0 and opening else self._invoice_kind(plan, currency)
                is_debit = plan.customer
                cents = self._amount(scales[currency] * kind.factor)
            else:
                kind = self._payment_kind(plan)
                is_debit = not plan.customer
                invoices = open_debits if plan.customer else open_credits
                cents = self._payment_amount(plan, offset, invoices, dues, scales[currency])
            number = self._number(kind.series, self.dates[offset].year)
            due = offset + kind.term
            events.append(
                _Event(offset, kind.doc_type, number, kind.text, is_debit, cents, currency, due)
            )
            dues.append(due)
            opposite, own = (open_credits, open_debits) if is_debit else (open_debits, open_credits)
            remaining = cents
            while remaining and opposite:
                item = opposite[0]
                take = min(item[1], remaining)
                item[1] -= take
                settled[item[0]] += take
                if matches is not None:
                    pair = (index, item[0]) if is_debit else (item[0], index)
                    matches.append(Match(pair[0], pair[1], take, index))
                remaining -= take
                if not item[1]:
                    opposite.popleft()
            settled.append(cents - remaining)
            if remaining:
                own.append([index, remaining])
        return [self._row(plan.id, event, settled[i]) for i, event in enumerate(events)]

    def _row(
        self,
        account_id: int,
        event: _Event,
        settled: int,
    ) -> Row:
        offset, doc_type, doc_no, text, is_debit, cents, currency, due = event
        amount = _cents(cents)
        return {
            "account_id": account_id,
            "date": self.dates[offset],
            "doc_type": doc_type,
            "doc_no": doc_no,
            "description": text,
            "debit": amount if is_debit else _ZERO,
            "credit": _ZERO if is_debit else amount,
            "currency": currency,
            "fx_rate": None if currency == "TRY" else self.rates[currency][offset],
            "due_date": self.dates[due],
            "settled": _cents(settled),
            "created_at": self.stamps[offset],
            "created_by": self.actor,
        }

    def _amount(self, scale: float, sigma: float = 0.7) -> int:
        return max(int(scale * self.rng.lognormvariate(0, sigma)), 1_000)

    def _invoice_kind(self, plan: AccountPlan, currency: str) -> _Kind:
        """What the account owes (customer: a debit) or we owe it (supplier: a credit)."""
        rng = self.rng
        roll = rng.random()
        if not plan.customer:
            if roll < 0.05:
                text = rng.choice(names.VOUCHER_DEBIT_TEXTS[:2])
                return _Kind(DocumentType.ACCOUNT_VOUCHER, "CH", text, 30, 0.05)
            term = rng.choice((30, 45, 60, 90))
            text = f"{rng.choice(names.PURCHASE_TEXTS)} - {term} gün vade"
            return _Kind(DocumentType.PURCHASE_INVOICE, plan.series, text, term)
        if roll < 0.05:
            text = rng.choice(names.PAID_ORDER_TEXTS)
            return _Kind(DocumentType.SALES_ORDER_PAID, "SIP", text, 0, 0.6)
        if roll < 0.09:
            text = rng.choice(names.VOUCHER_DEBIT_TEXTS)
            return _Kind(DocumentType.ACCOUNT_VOUCHER, "CH", text, 30, 0.05)
        term = rng.choices((30, 60, 90), cum_weights=(3, 5, 6))[0]
        if currency != "TRY" and roll < 0.75:
            return _Kind(DocumentType.EXPORT, "IHR", rng.choice(names.EXPORT_TEXTS), term)
        return _Kind(DocumentType.SALES_INVOICE, "MTB", rng.choice(self.sales_texts[term]), term)

    def _payment_kind(self, plan: AccountPlan) -> _Kind:
        """A collection from a customer (credit) or our payment to a supplier (debit)."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.75:
            texts = self.bank_in if plan.customer else self.bank_out
            return _Kind(DocumentType.BANK, "BNK", rng.choice(texts), 0)
        if roll < 0.88:
            text = "Nakit tahsilat" if plan.customer else "Nakit ödeme"
            return _Kind(DocumentType.CASH, "KSA", text, 0)
        text = "Çek tahsilatı" if plan.customer else "Verilen çek ile ödeme"
        return _Kind(DocumentType.ACCOUNT_VOUCHER, "CEK", text, rng.choice((30, 60, 90, 120)))

    def _payment_amount(
        self,
        plan: AccountPlan,
        offset: int,
        invoices: deque[list[int]],
        dues: list[int],
        scale: float,
    ) -> int:
        """How much the payer pays: what has fallen due, mostly; slow payers only a part."""
        rng = self.rng
        due = sum(rest for index, rest in invoices if dues[index] <= offset + 10)
        if plan.slow_payer:
            amount = _round_down(int(due * rng.uniform(0.3, 0.7))) if due else 0
        elif due:
            amount = due if rng.random() < 0.8 else _round_down(int(due * rng.uniform(0.5, 0.9)))
        elif invoices and rng.random() < 0.5:
            amount = invoices[0][1]
        else:
            amount = 0
        return amount if amount >= 100 else _round_down(self._amount(scale, 0.5))
