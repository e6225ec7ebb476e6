"""Plausible Turkish current accounts and their contacts, as rows ready for a bulk insert.

Everything is drawn from one `random.Random`, so a seed gives the same accounts every time.
Some imperfections are made on purpose, as in any real customer file: about 5 % of the
contacts have no e-mail, 5 % a wrong one, and about 10 % of the companies want their letters
at a department address (`muhasebe@…`) instead of named contacts.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from itertools import accumulate
from typing import Any

from tui_mutabakat.demo import names
from tui_mutabakat.domain.enums import Routing
from tui_mutabakat.domain.tax_number import vkn_check_digit
from tui_mutabakat.domain.text import search_key, sort_key

CUSTOMER_PREFIX = "120"
SUPPLIER_PREFIX = "320"

Row = dict[str, Any]


@dataclass(slots=True)
class AccountPlan:
    """What the movement generator needs to know about one account."""

    id: int
    customer: bool
    currency: str
    #: A typical invoice of this account in Turkish lira, in kuruş.
    scale_tl_cents: int
    #: Pays late and only in part: leaves overdue items open.
    slow_payer: bool
    #: Three letters for the supplier's own invoice numbers.
    series: str


def account_code(prefix: str, number: int) -> str:
    """The `number`-th (from 0) code under `prefix`: `120.01.001` … `120.01.999`, `120.02.001`."""
    return f"{prefix}.{number // 999 + 1:02d}.{number % 999 + 1:03d}"


def make_vkn(rng: random.Random) -> str:
    first_nine = str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(8))
    return first_nine + str(vkn_check_digit(first_nine))


def make_tckn(rng: random.Random) -> str:
    digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(8)]
    tenth = (sum(digits[0:9:2]) * 7 - sum(digits[1:8:2])) % 10
    digits.append(tenth)
    digits.append(sum(digits) % 10)
    return "".join(str(d) for d in digits)


class _Weighted:
    """A fast repeated weighted choice (`random.choices` recomputes the totals each call)."""

    def __init__(self, items: list[Any], weights: list[float]) -> None:
        self.items = items
        self.cumulative = list(accumulate(weights))

    def pick(self, rng: random.Random) -> Any:
        return rng.choices(self.items, cum_weights=self.cumulative)[0]


_PROVINCES = _Weighted(list(names.PROVINCES), [p.weight for p in names.PROVINCES])
_GROUPS = _Weighted([g for g, _w in names.CUSTOMER_GROUPS], [w for _g, w in names.CUSTOMER_GROUPS])
_SUFFIXES = _Weighted([s for s, _w in names.TITLE_SUFFIXES], [w for _s, w in names.TITLE_SUFFIXES])
_SECTOR_CODES = tuple(names.SECTORS)
_CUSTOMER_RISK = _Weighted(
    [None, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000],
    [2.0, 2.0, 3.0, 3.0, 2.0, 1.0, 0.5],
)
_FOREIGN_RISK = _Weighted([None, 10_000, 25_000, 50_000, 100_000], [1.0, 2.0, 3.0, 2.0, 1.0])


class AccountFactory:
    """Makes account, parameter and contact rows; `now` is their creation stamp."""

    def __init__(
        self,
        rng: random.Random,
        *,
        now: dt.datetime,
        parameters: Row,
        max_contacts: int = 3,
        unique_titles: bool = False,
        actor: str = "demo",
    ) -> None:
        self.rng = rng
        #: Titles given so far, when titles must not repeat (the demo's few hundred).
        self.titles: set[str] | None = set() if unique_titles else None
        self.now = now
        self.parameters = parameters
        self.max_contacts = max_contacts
        self.actor = actor

    def make(
        self, account_id: int, code: str, *, customer: bool
    ) -> tuple[Row, list[Row], AccountPlan]:
        """One account row, its contact rows, and the plan for its movements."""
        rng = self.rng
        province = _PROVINCES.pick(rng)
        person = customer and rng.random() < 0.10
        sector = rng.choice(_SECTOR_CODES)
        for _attempt in range(20):
            if person:
                first, last = self._person_name()
                title = f"{first} {last}"
            else:
                stem = rng.choice(names.TITLE_STEMS)
                words = rng.choice(names.SECTORS[sector])
                title = f"{stem} {words} {_SUFFIXES.pick(rng)}"
            if self.titles is None or title not in self.titles:
                break
        if self.titles is not None:
            self.titles.add(title)
        if person:
            tax_number = make_tckn(rng)
            domain = rng.choice(names.PERSONAL_MAIL_DOMAINS)
            series = names.ascii_fold(last[:3]).upper()
        else:
            tax_number = make_vkn(rng)
            domain = names.ascii_fold(f"{stem}{words.split()[0]}").lower() + ".com.tr"
            series = names.ascii_fold(stem[:3]).upper().ljust(3, "X")
        if customer:
            group = "PERAKENDE" if person else _GROUPS.pick(rng)
            currency = self._customer_currency(group)
        else:
            group = names.SUPPLIER_GROUP
            currency = _pick_currency(rng, 0.85, 0.10)
        department = not person and rng.random() < 0.10
        account: Row = {
            "id": account_id,
            "code": code,
            "title": title,
            "tax_number": tax_number,
            "search_text": search_key(title),
            "title_key": sort_key(title),
            "tax_office": self._tax_office(province.name),
            "address": self._address(province.name),
            "city": province.name,
            "phone": self._phone(province),
            "currency": currency,
            "group_code": group,
            "sector_code": "" if person else sector,
            "region_code": province.region,
            "risk_limit": self._risk_limit(customer, currency),
            "notes": rng.choice(names.NOTES) if rng.random() < 0.05 else "",
            "active": rng.random() >= 0.03,
            "routing": Routing.DEPARTMENT if department else Routing.CONTACTS,
            "department_email": f"{rng.choice(('muhasebe', 'finans'))}@{domain}"
            if department
            else "",
            "created_at": self.now,
            "created_by": self.actor,
            "updated_at": self.now,
            "updated_by": self.actor,
            "version_id": 1,
        }
        contacts = self._contacts(account_id, domain, title if person else None)
        scale = int(2_500_000 * rng.lognormvariate(0, 0.9))
        plan = AccountPlan(
            id=account_id,
            customer=customer,
            currency=currency,
            scale_tl_cents=max(scale, 20_000),
            slow_payer=customer and rng.random() < 0.15,
            series=series,
        )
        return account, contacts, plan

    def parameters_row(self, account_id: int) -> Row:
        return {"account_id": account_id, "version_id": 1, **self.parameters}

    def _customer_currency(self, group: str) -> str:
        if group == "IHRACAT":
            return _pick_currency(self.rng, 0.25, 0.40)
        return _pick_currency(self.rng, 0.93, 0.04)

    def _person_name(self) -> tuple[str, str]:
        rng = self.rng
        first = rng.choice(names.FIRST_NAMES_F if rng.random() < 0.5 else names.FIRST_NAMES_M)
        return first, rng.choice(names.SURNAMES)

    def _tax_office(self, city: str) -> str:
        offices = names.TAX_OFFICES.get(city)
        return self.rng.choice(offices) if offices else city

    def _address(self, city: str) -> str:
        rng = self.rng
        district = rng.choice(names.DISTRICTS.get(city, ("Merkez",)))
        return (
            f"{rng.choice(names.NEIGHBOURHOODS)} Mah. {rng.choice(names.STREETS)} "
            f"No:{rng.randint(1, 180)} {district}/{city}"
        )

    def _phone(self, province: names.Province) -> str:
        rng = self.rng
        area = province.area_code
        if area == "212" and rng.random() < 0.45:
            area = "216"
        return f"0 ({area}) {rng.randint(200, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}"

    def _mobile(self) -> str:
        rng = self.rng
        return (
            f"05{rng.choice(('32', '33', '35', '42', '44', '05', '06', '52', '53'))} "
            f"{rng.randint(200, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
        )

    def _risk_limit(self, customer: bool, currency: str) -> Decimal | None:
        if not customer:
            return None
        pick = (_CUSTOMER_RISK if currency == "TRY" else _FOREIGN_RISK).pick(self.rng)
        return None if pick is None else Decimal(pick).quantize(Decimal("0.01"))

    def _contacts(self, account_id: int, domain: str, person: str | None) -> list[Row]:
        rng = self.rng
        if person is not None:
            first, _sep, last = person.partition(" ")
            people = [(first, last, ("Firma Sahibi", "Yönetim", True))]
        else:
            count = rng.randint(1, self.max_contacts)
            people = [(*self._person_name(), rng.choice(names.CONTACT_ROLES)) for _ in range(count)]
            if not any(role[2] for _f, _l, role in people):
                people[0] = (people[0][0], people[0][1], names.CONTACT_ROLES[0])
        rows = []
        for first, last, (title, department, receives) in people:
            rows.append(
                {
                    "account_id": account_id,
                    "name": f"{first} {last}",
                    "title": title,
                    "department": department,
                    "email": self._email(first, last, domain),
                    "phone": self._mobile(),
                    "receives_reconciliation": receives,
                }
            )
        return rows

    def _email(self, first: str, last: str, domain: str) -> str:
        """A correct address mostly; about 5 % empty and 5 % wrong in a typical way."""
        rng = self.rng
        f = names.ascii_fold(first).lower()
        la = names.ascii_fold(last).lower()
        roll = rng.random()
        if roll < 0.05:
            return ""
        if roll < 0.10:
            return rng.choice(
                (
                    f"{f}.{la}@{domain.split('.')[0]}",
                    f"{f}.{la}.{domain}",
                    f"{f} {la}@{domain}",
                    f"{f}.{la}@@{domain}",
                    f"{f}..{la}@{domain}",
                )
            )
        if roll < 0.25:
            return f"{f[0]}{la}@{domain}"
        return f"{f}.{la}@{domain}"


def _pick_currency(rng: random.Random, try_share: float, usd_share: float) -> str:
    roll = rng.random()
    if roll < try_share:
        return "TRY"
    return "USD" if roll < try_share + usd_share else "EUR"
