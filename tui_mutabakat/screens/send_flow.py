"""From selected rows to letters on their way: the send dialog, the batch, then the screens.

`start_sending` asks for the options (SPEC D4), writes the batch (its letters are queued in
the outbox before anything is sent, D6), then opens the progress screen for the letters and,
on top of it, the error list of the accounts that could not be sent (D5). The list screen
and the error list's "send again" both go through here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from tui_mutabakat.data.balance_queries import BalanceKey
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.screens.base import AppAccess
from tui_mutabakat.screens.confirm import MessageDialog
from tui_mutabakat.services.batches import BatchCreated, SendOptions, create_batch
from tui_mutabakat.services.errors import ServiceError

#: Told which rows got a letter in the batch.
Queued = Callable[[list[BalanceKey]], None]


def start_sending(
    screen: AppAccess,
    as_of: date,
    keys: Sequence[BalanceKey],
    *,
    criteria: dict[str, Any] | None = None,
    done: Queued | None = None,
) -> None:
    """Open the send dialog for `keys`; on F2 queue the letters and show how they go."""
    from tui_mutabakat.screens.send_dialog import SendDialog

    def chosen(options: SendOptions | None) -> None:
        if options is not None:
            send_with_options(screen, as_of, keys, options, criteria=criteria, done=done)

    screen.app.push_screen(SendDialog(as_of, list(keys)), callback=chosen)


def send_with_options(
    screen: AppAccess,
    as_of: date,
    keys: Sequence[BalanceKey],
    options: SendOptions,
    *,
    criteria: dict[str, Any] | None = None,
    done: Queued | None = None,
    show_errors: bool = True,
) -> BatchCreated | None:
    """Queue the letters of `keys` and open the progress screen (and the error list, unless
    the caller is that list)."""
    from tui_mutabakat.screens.send_errors import SendErrorsScreen
    from tui_mutabakat.screens.send_progress import SendProgressScreen

    try:
        with screen.database.unit_of_work() as session:
            created = create_batch(
                session, screen.actor, as_of, list(keys), options, criteria=criteria
            )
    except ServiceError as error:
        screen.app.push_screen(MessageDialog(str(error), title=_("Gönderilemedi")))
        return None
    skipped = {(s.account_id, s.currency) for s in created.skipped}
    queued = [key for key in keys if key not in skipped]
    if created.letters and created.batch_id is not None:
        screen.app.push_screen(SendProgressScreen(created.batch_id, created.letters))
    if created.skipped and show_errors:
        screen.app.push_screen(SendErrorsScreen(as_of, options, created.skipped, criteria))
    if created.warnings:
        warning = _("{count} hesabın geçersiz bazı adresleri atlandı; mektup diğerlerine gider.")
        screen.app.notify(
            warning.format(count=len(created.warnings)),
            severity="warning",
            timeout=6,
        )
    if done is not None:
        done(queued)
    return created
