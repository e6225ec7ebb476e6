"""From selected rows to letters on their way: the send dialog, the batch, then the screens.

`start_sending` asks for the options (SPEC D4), asks whether accounts that already have a
live letter for the date are skipped or sent again (D5), then opens the progress screen,
whose worker thread writes the batch (its letters are queued in the outbox before anything
is sent, D6) and sends it; the error list of the accounts that could not be sent opens on
top (D5). The list screen and the error list's "send again" both go through here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from tui_mutabakat.data.balance_queries import BalanceKey
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.screens.base import AppAccess
from tui_mutabakat.services.accounts.cards import account_name
from tui_mutabakat.services.sending.compose import BatchCreated, SendOptions, sent_keys
from tui_mutabakat.services.sending.send_guard import find_duplicates, nothing_left_message

#: Told which rows got a letter in the batch.
Queued = Callable[[list[BalanceKey]], None]


@dataclass(frozen=True, slots=True)
class SendRequest:
    """Letters to queue and send: what the progress screen's worker does first."""

    as_of: date
    keys: list[BalanceKey]
    options: SendOptions
    criteria: dict[str, Any] | None = None
    #: Open the error list when rows are skipped (not when the error list itself sends).
    show_errors: bool = True
    #: Called on the interface thread once the batch is written.
    on_created: Callable[[BatchCreated], None] | None = None
    #: Write letters also to accounts that already have a live letter for the date.
    again: bool = False


def start_sending(
    screen: AppAccess,
    as_of: date,
    keys: Sequence[BalanceKey],
    *,
    criteria: dict[str, Any] | None = None,
    done: Queued | None = None,
) -> None:
    """Open the send dialog for `keys`; on F2 queue the letters and show how they go."""
    from tui_mutabakat.screens.sending.send_dialog import SendDialog

    def chosen(options: SendOptions | None) -> None:
        if options is not None:
            send_with_options(screen, as_of, keys, options, criteria=criteria, done=done)

    screen.mutabakat.push_screen(SendDialog(as_of, list(keys)), callback=chosen)


def send_with_options(
    screen: AppAccess,
    as_of: date,
    keys: Sequence[BalanceKey],
    options: SendOptions,
    *,
    criteria: dict[str, Any] | None = None,
    done: Queued | None = None,
) -> None:
    """Ask first when some accounts already have a live letter for the date (skip them, the
    default, or send again); then open the progress screen, which queues the letters of
    `keys` and sends them; the error list opens on top of it when some rows cannot be
    sent."""
    from tui_mutabakat.screens.sending.send_guard_dialog import Choice, DuplicateDialog
    from tui_mutabakat.screens.sending.send_progress import SendProgressScreen

    keys = list(keys)

    def created(batch: BatchCreated) -> None:
        if done is not None:
            # Rows left out as already sent leave the selection too: they have their letter.
            done(sent_keys(keys, batch.skipped, options))

    def go(again: bool) -> None:
        request = SendRequest(as_of, keys, options, criteria, on_created=created, again=again)
        screen.mutabakat.push_screen(SendProgressScreen(request))

    with screen.database.reader() as session:
        duplicates = find_duplicates(session, as_of, keys)
    if not duplicates:
        go(False)
        return

    def answered(choice: Choice | None) -> None:
        if choice is None:
            return
        if choice == "skip" and len(duplicates.keys) == len(set(keys)):
            notify = screen.mutabakat.notify
            notify(nothing_left_message(duplicates.accounts), severity="warning", timeout=8)
            return
        go(choice == "again")

    accounts = len({account for account, _currency in keys})
    named = duplicate_lines(screen, duplicates.batches)
    screen.mutabakat.push_screen(DuplicateDialog(duplicates.accounts, accounts, named), answered)


#: Accounts the duplicate question names one by one (the rest are counted).
NAMED_DUPLICATES = 5


def duplicate_lines(screen: AppAccess, batches: dict[int, int]) -> list[str]:
    """ "120.01.001 Akın Medikal A.Ş.: 12 numaralı gönderimde mektubu var" for the first
    accounts that already have a live letter for the date: the account and its letter."""
    first = sorted(batches)[:NAMED_DUPLICATES]
    with screen.database.reader() as session:
        names = [name for account in first if (name := account_name(session, account))]
    names.sort(key=lambda name: name.code)
    return [
        _("{account}: {batch} numaralı gönderimde mektubu var").format(
            account=name.label, batch=batches[name.id]
        )
        for name in names
    ]
