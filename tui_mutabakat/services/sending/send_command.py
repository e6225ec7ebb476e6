"""Sending from the command line (`mutabakat send`, SPEC D1–D7): the screen's path without
the screen.

The criteria are the criteria form's (`BalanceCriteria`, the same query picks the rows),
the options the send dialog's (`SendOptions`, the same checks refuse them), the duplicate
guard is `send_guard`'s, and the batch is written and delivered by `send_now`, or only
written (`queue_only`) for `mutabakat worker` to deliver. What comes back holds the
summary and the error list, as the progress screen shows them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from tui_mutabakat.config import Settings
from tui_mutabakat.data.balance_queries import (
    BalanceCriteria,
    BalanceFilter,
    BalanceKey,
    balance_keys,
)
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.dates import local_today
from tui_mutabakat.domain.enums import CURRENCIES
from tui_mutabakat.domain.errors import InvalidInput
from tui_mutabakat.domain.formatting import parse_amount, parse_day
from tui_mutabakat.domain.money import MAX_AMOUNT, OutOfRange
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.sending.batch_status import BatchSummary, stored_summary
from tui_mutabakat.services.sending.batch_writer import write_chunks
from tui_mutabakat.services.sending.batches import start_batch
from tui_mutabakat.services.sending.compose import BatchCreated, Composer, SendOptions
from tui_mutabakat.services.sending.error_list import ErrorList, error_list
from tui_mutabakat.services.sending.letters import template_choices
from tui_mutabakat.services.sending.send_guard import Duplicates, find_duplicates
from tui_mutabakat.services.sending.send_now import create_and_send
from tui_mutabakat.services.sending.sender_types import DeliveryOptions, RunReport


def checked_day(text: str, what: str) -> date:
    """`31.12.2026` (or `2026-12-31`) within sane years; `InvalidInput` naming `what`."""
    try:
        return parse_day(text)
    except OutOfRange as exc:
        raise InvalidInput(f"{what}: {exc}", what) from exc
    except ValueError as exc:
        raise InvalidInput(
            _("{what}: tarihi gün.ay.yıl olarak girin (31.12.2026).").format(what=what), what
        ) from exc


def parse_codes(text: str) -> tuple[str, str]:
    """`120.001..120.099`, `120..` (from), `..329` (up to) or one code."""
    if ".." not in text:
        code = text.strip()
        return code, code
    start, end = text.split("..", 1)
    if not start.strip() and not end.strip():
        raise InvalidInput(_("--codes: BAŞ..SON olarak girin (120.001..120.099)."), "codes")
    return start.strip(), end.strip()


def parse_balance(text: str) -> tuple[BalanceFilter, Decimal | None]:
    """`all`, `nonzero`, `debit`, `credit` or `above:AMOUNT`."""
    words = {
        "all": BalanceFilter.ALL,
        "nonzero": BalanceFilter.NON_ZERO,
        "debit": BalanceFilter.DEBIT,
        "credit": BalanceFilter.CREDIT,
    }
    value = text.strip().lower()
    if value in words:
        return words[value], None
    if value.startswith("above:"):
        try:
            amount = parse_amount(value.removeprefix("above:"))
        except (ValueError, ArithmeticError) as exc:
            raise InvalidInput(
                _("--balance above: tutarı 150000,00 gibi girin."), "balance"
            ) from exc
        if amount < 0 or amount > MAX_AMOUNT:  # parse_amount refuses |amount| > MAX_AMOUNT
            raise InvalidInput(
                _("--balance above: tutar 0 ile {max} arasında olmalı.").format(max=MAX_AMOUNT),
                "balance",
            )
        return BalanceFilter.ABOVE, amount
    raise InvalidInput(
        _("--balance: all, nonzero, debit, credit ya da above:TUTAR olmalı."), "balance"
    )


@dataclass(frozen=True, slots=True)
class SendCommand:
    """What `mutabakat send` was asked, checked."""

    criteria: BalanceCriteria
    options: SendOptions
    queue_only: bool = False
    #: Write letters also to accounts that already have a live letter for the date.
    again: bool = False


def build_command(
    *,
    as_of: str,
    codes: str = "",
    group: str = "",
    sector: str = "",
    region: str = "",
    currency: str = "",
    balance: str = "all",
    only_valid: bool = False,
    title: str = "",
    answer_by: str = "",
    template: str = "letter_tr",
    open_items: bool = False,
    statement: bool = False,
    per_currency: bool = False,
    pdf: bool = False,
    include_zero: bool = False,
    queue_only: bool = False,
    again: bool = False,
) -> SendCommand:
    """The command's words checked as the criteria form and the send dialog check them;
    `InvalidInput` says what is wrong."""
    day = checked_day(as_of, "--as-of")
    answer_day = checked_day(answer_by, "--answer-by") if answer_by.strip() else None
    if answer_day is not None and answer_day < local_today():
        raise InvalidInput(
            _("--answer-by: geçerlilik tarihi geçmiş bir gün olamaz: bugün ya da sonrası olmalı."),
            "answer_by",
        )
    if answer_day is not None and answer_day < day:
        raise InvalidInput(
            _("--answer-by: geçerlilik tarihi mutabakat tarihinden önce olamaz."), "answer_by"
        )
    code_from, code_to = parse_codes(codes) if codes.strip() else ("", "")
    currency = currency.strip().upper()
    if currency in ("TL", "₺"):
        currency = "TRY"
    if currency and currency not in CURRENCIES:
        raise InvalidInput(
            _("--currency: {choices} olmalı.").format(choices=", ".join(CURRENCIES)), "currency"
        )
    balance_filter, amount = parse_balance(balance)
    if len(title) > 400:
        raise InvalidInput(_("--title en çok 400 karakter olabilir."), "title")
    criteria = BalanceCriteria(
        as_of=day,
        code_from=code_from,
        code_to=code_to,
        group_code=group.strip(),
        sector_code=sector.strip(),
        region_code=region.strip(),
        currency=currency,
        balance_filter=balance_filter,
        amount=amount,
        only_valid_recipients=only_valid,
    )
    options = SendOptions(
        title=title.strip(),
        answer_by=answer_day,
        template=template.strip() or "letter_tr",
        attach_statement=statement,
        attach_pdf=pdf,
        open_items=open_items,
        exclude_zero=not include_zero,
        per_currency=per_currency,
    )
    return SendCommand(criteria, options, queue_only, again)


@dataclass(frozen=True, slots=True)
class Selection:
    """The rows the criteria select and those whose account already has its letter."""

    keys: list[BalanceKey]
    duplicates: Duplicates

    @property
    def accounts(self) -> int:
        return len({account for account, _currency in self.keys})


def select_rows(database: Database, actor: Actor, command: SendCommand) -> Selection:
    """The rows of the criteria (the list screen's query), after checking the options
    (template, sender, answer-by) as the send would: nothing is written yet."""
    with database.reader() as session:
        names = {name for name, _description in template_choices(session)}
        if command.options.template not in names:
            raise InvalidInput(
                _("--template: '{name}' yok; şablonlar: {names}.").format(
                    name=command.options.template, names=", ".join(sorted(names))
                ),
                "template",
            )
        Composer(session, actor, command.criteria.as_of, command.options)
        keys = balance_keys(session, command.criteria)
        duplicates = find_duplicates(session, command.criteria.as_of, keys)
    if not keys:
        raise InvalidInput(_("Bu kriterlere uyan hesap yok."))
    return Selection(keys, duplicates)


@dataclass(frozen=True, slots=True)
class SendOutcome:
    batch_id: int
    created: BatchCreated | None
    summary: BatchSummary
    errors: ErrorList
    report: RunReport | None = None
    #: Why writing the letters stopped halfway (the letters written before still went).
    fill_error: str | None = None

    @property
    def letters(self) -> int:
        return self.created.letters if self.created is not None else self.summary.total

    def nothing_sent(self, queue_only: bool) -> bool:
        """Nothing could be sent: no letter written, or (delivering) none delivered."""
        if queue_only:
            return self.letters == 0
        return self.summary.sent == 0


async def run_send(
    database: Database,
    settings: Settings,
    actor: Actor,
    command: SendCommand,
    keys: Sequence[BalanceKey],
    *,
    delivery: DeliveryOptions | None = None,
) -> SendOutcome:
    """Write (and unless `queue_only`, deliver) the letters of `keys`; the summary and the
    error list as kept on the batch. `ServiceError` when nothing could be written."""
    criteria = _criteria_record(command.criteria)
    as_of = command.criteria.as_of
    report: RunReport | None = None
    fill_error: str | None = None
    if command.queue_only:
        writer = start_batch(
            database, actor, as_of, keys, command.options, criteria=criteria, again=command.again
        )
        created: BatchCreated | None = write_chunks(database, writer)
        assert created is not None and created.batch_id is not None
        batch_id = created.batch_id
    else:
        result = await create_and_send(
            database,
            settings,
            actor,
            as_of,
            keys,
            command.options,
            criteria=criteria,
            delivery=delivery,
            again=command.again,
        )
        batch_id, created, report = result.batch_id, result.created, result.report
        fill_error = result.fill_error
    with database.reader() as session:
        summary = stored_summary(session, batch_id)
        errors = error_list(session, batch_id)
    return SendOutcome(batch_id, created, summary, errors, report, fill_error)


def _criteria_record(criteria: BalanceCriteria) -> dict[str, Any]:
    """The criteria as the list screen keeps them on the batch."""
    return asdict(criteria)
