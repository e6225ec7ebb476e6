"""The criteria form of "e-Mutabakat Gönder" (menu 371001, SPEC D1).

The user sets the as-of date and narrows the accounts; F2 (or the button) opens the balance
list of those criteria. F10 on a code field opens the account lookup, on the group, sector
and region fields the list of values already used.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import partial
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Header, Input, Label, Select

from tui_mutabakat.data.account_queries import distinct_values
from tui_mutabakat.data.balance_queries import BalanceCriteria, BalanceFilter
from tui_mutabakat.domain.dates import local_today
from tui_mutabakat.domain.enums import CURRENCIES
from tui_mutabakat.domain.errors import InvalidInput
from tui_mutabakat.domain.formatting import currency_choices
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.screens.accounts.account_lookup import AccountLookupScreen
from tui_mutabakat.screens.base import AppAccess
from tui_mutabakat.screens.dialogs.lookup import ValueLookupScreen
from tui_mutabakat.services.accounts.cards import account_name
from tui_mutabakat.widgets.footer import Footer
from tui_mutabakat.widgets.form import (
    amount_input,
    clear_errors,
    date_input,
    field_row,
    input_text,
    optional_amount,
    required_day,
    show_invalid,
    text_input,
)
from tui_mutabakat.widgets.tick import Tick

#: Fields with an F10 list of the values other accounts use: field → lookup title.
_VALUE_FIELDS = ("group_code", "sector_code", "region_code")
_CODE_FIELDS = ("code_from", "code_to")


def default_as_of(today: dt.date | None = None) -> dt.date:
    """The last day of the previous month: reconciliations are usually made at a month end."""
    today = today or local_today()
    return today.replace(day=1) - dt.timedelta(days=1)


def filter_choices() -> list[tuple[str, BalanceFilter]]:
    return [
        (_("Tümü"), BalanceFilter.ALL),
        (_("Bakiyesi olanlar"), BalanceFilter.NON_ZERO),
        (_("Borç bakiyeli (B)"), BalanceFilter.DEBIT),
        (_("Alacak bakiyeli (A)"), BalanceFilter.CREDIT),
        (_("Tutarın üstündekiler"), BalanceFilter.ABOVE),
    ]


def _value_titles() -> dict[str, str]:
    return {
        "group_code": _("Grup kodları"),
        "sector_code": _("Sektör kodları"),
        "region_code": _("Bölge kodları"),
    }


class SendCriteriaScreen(AppAccess, Screen[None]):
    TITLE = _("e-Mutabakat Gönder")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2,ctrl+s", "list", _("Listele"), id="send_criteria_list"),
        Binding("f10,ctrl+l", "lookup", _("Seçim listesi"), id="send_criteria_lookup"),
        Binding("escape", "back", _("Geri"), id="send_criteria_back"),
    ]

    def __init__(self, criteria: BalanceCriteria | None = None) -> None:
        super().__init__()
        self._criteria = criteria or BalanceCriteria(as_of=default_as_of())

    def compose(self) -> ComposeResult:
        c = self._criteria
        f10 = _("F10: liste")
        yield Header()
        with VerticalScroll(id="send-criteria-scroll", can_focus=False):
            yield field_row(_("Mutabakat tarihi"), date_input(c.as_of), "as_of")
            with Horizontal(classes="form-columns"):
                # Each end of the range says which it is (a lone "… kodu" read as a cut label).
                yield field_row(
                    _("İlk hesap kodu"), text_input(c.code_from, placeholder=f10), "code_from"
                )
                yield field_row(
                    _("Son hesap kodu"), text_input(c.code_to, placeholder=f10), "code_to"
                )
            yield field_row(_("Grup kodu"), text_input(c.group_code, placeholder=f10), "group_code")
            yield field_row(
                _("Sektör kodu"), text_input(c.sector_code, placeholder=f10), "sector_code"
            )
            yield field_row(
                _("Bölge kodu"), text_input(c.region_code, placeholder=f10), "region_code"
            )
            yield field_row(
                _("Döviz"),
                Select(
                    [(_("Tümü"), ""), *currency_choices(CURRENCIES)],
                    value=c.currency,
                    allow_blank=False,
                    compact=True,
                ),
                "currency",
            )
            yield field_row(
                _("Bakiye"),
                Select(filter_choices(), value=c.balance_filter, allow_blank=False, compact=True),
                "balance_filter",
            )
            yield field_row(
                _("Tutar (üstü)"),
                amount_input(c.amount, placeholder=_("tutarı yazın")),
                "amount",
            )
            yield field_row(
                _("Alıcı"),
                Tick(
                    _("Yalnız geçerli e-posta adresi olanlar"),
                    c.only_valid_recipients,
                    compact=True,
                ),
                "only_valid",
            )
            with Horizontal(classes="buttons"):
                yield Button(_("Listele (F2)"), id="send-criteria-go", variant="primary")
        yield Label(
            _("Enter: sonraki alan · F10: seçim listesi · F2: listele · Esc: geri"), classes="hint"
        )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#f-as_of", Input).focus()

    @on(Input.Submitted)
    def _enter_moves_on(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    @on(Button.Pressed, "#send-criteria-go")
    def _go(self) -> None:
        self.action_list()

    def action_back(self) -> None:
        self.dismiss(None)

    # ------------------------------------------------------------------ F10

    def action_lookup(self) -> None:
        focused = self.focused
        name = (focused.id or "").removeprefix("f-") if focused is not None else ""
        if name in _CODE_FIELDS:
            self.app.push_screen(
                AccountLookupScreen(input_text(self, name)),
                callback=partial(self._account_picked, name),
            )
        elif name in _VALUE_FIELDS:
            self.app.push_screen(
                ValueLookupScreen(_value_titles()[name], partial(self._values, name)),
                callback=partial(self._value_picked, name),
            )
        else:
            self.notify(_("Bu alanın seçim listesi yok."), timeout=2)

    def _values(self, column: str, prefix: str) -> list[str]:
        with self.database.reader() as session:
            return distinct_values(session, column, prefix)

    def _account_picked(self, name: str, account_id: int | None) -> None:
        if account_id is None:
            return
        with self.database.reader() as session:
            account = account_name(session, account_id)
            code = account.code if account is not None else ""
        self._set(name, code)

    def _value_picked(self, name: str, value: str | None) -> None:
        if value is not None:
            self._set(name, value)

    def _set(self, name: str, value: str) -> None:
        control = self.query_one(f"#f-{name}", Input)
        control.value = value
        control.focus()

    # ----------------------------------------------------------------- list

    def criteria(self) -> BalanceCriteria:
        """The criteria as typed; `InvalidInput` names the field that is wrong."""
        as_of = required_day(self, "as_of")
        balance_filter = self.query_one("#f-balance_filter", Select).value
        if not isinstance(balance_filter, BalanceFilter):
            balance_filter = BalanceFilter.ALL
        amount = optional_amount(self, "amount")
        if balance_filter is BalanceFilter.ABOVE and amount is None:
            raise InvalidInput(_("Hangi tutarın üstündekiler listelensin?"), "amount")
        if amount is not None and amount < Decimal("0"):
            raise InvalidInput(_("Tutar sıfırdan küçük olamaz."), "amount")
        currency = self.query_one("#f-currency", Select).value
        return BalanceCriteria(
            as_of=as_of,
            code_from=input_text(self, "code_from").strip(),
            code_to=input_text(self, "code_to").strip(),
            group_code=input_text(self, "group_code").strip(),
            sector_code=input_text(self, "sector_code").strip(),
            region_code=input_text(self, "region_code").strip(),
            currency=currency if isinstance(currency, str) else "",
            balance_filter=balance_filter,
            amount=amount,
            only_valid_recipients=self.query_one("#f-only_valid", Tick).value,
        )

    def action_list(self) -> None:
        from tui_mutabakat.screens.sending.send_list import SendListScreen

        clear_errors(self)
        try:
            criteria = self.criteria()
        except InvalidInput as error:
            if not show_invalid(self, error):
                self.notify(str(error), severity="error")
            return
        self._criteria = criteria
        self.app.push_screen(SendListScreen(criteria))
