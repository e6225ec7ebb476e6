"""Pictures of the main screens at 80x24, compared with the stored SVGs.

Update them on purpose with `pytest tests/test_snapshots.py --snapshot-update` and look at
`snapshot_report.html` before committing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from tui_mutabakat.app import MutabakatApp
from tui_mutabakat.data.models import Movement
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.enums import DocumentType, Routing
from tui_mutabakat.services.accounts.cards import AccountData, ContactData, save_account
from tui_mutabakat.services.context import Actor

SIZE = (80, 24)


async def _settle(pilot: Pilot[None]) -> None:
    """Let timers, workers and layout finish even on a loaded machine; stop cursor blinking."""
    await pilot.app.workers.wait_for_complete()
    for _ in range(3):
        await pilot.pause(0.05)
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


def _fill(database: Database, actor: Actor) -> None:
    titles = [
        ("120.01.001", "Anadolu Gıda San. ve Tic. A.Ş.", "İstanbul", "TOPTAN"),
        ("120.01.002", "Yılmaz İnşaat Ltd. Şti.", "Ankara", "BAYI"),
        ("120.01.003", "Ayşe Demir", "İzmir", "PERAKENDE"),
        ("320.01.001", "Ege Ambalaj Sanayi A.Ş.", "Manisa", "TEDARIK"),
    ]
    with database.unit_of_work() as session:
        for code, title, city, group in titles:
            account_id = save_account(
                session,
                actor,
                AccountData(
                    code=code,
                    title=title,
                    city=city,
                    group_code=group,
                    tax_number="1234567890",
                    contacts=[
                        ContactData(
                            name="Mehmet Kaya", title="Muhasebe Müdürü", email="mehmet@firma.com.tr"
                        ),
                        ContactData(name="Zeynep Ak", email="zeynep.firma.com.tr"),
                    ],
                    routing=Routing.CONTACTS,
                ),
            )
            session.add(
                Movement(
                    account_id=account_id,
                    date=dt.date(2026, 1, 15),
                    doc_type=DocumentType.SALES_INVOICE,
                    doc_no=f"F-{account_id}",
                    debit=Decimal("1234567.89") / account_id,
                    credit=Decimal("0"),
                    due_date=dt.date(2026, 2, 15),
                )
            )


def test_account_list(
    snap_compare: Any, app: MutabakatApp, database: Database, actor: Actor
) -> None:
    _fill(database, actor)

    async def open_list(pilot: Pilot[None]) -> None:
        await pilot.press("f3")
        await _settle(pilot)

    assert snap_compare(app, run_before=open_list, terminal_size=SIZE)


def test_account_card(
    snap_compare: Any, app: MutabakatApp, database: Database, actor: Actor
) -> None:
    _fill(database, actor)

    async def open_card(pilot: Pilot[None]) -> None:
        await pilot.press("f3")
        await _settle(pilot)
        await pilot.press("enter")
        await _settle(pilot)

    assert snap_compare(app, run_before=open_card, terminal_size=SIZE)


def test_main_menu(snap_compare: Any, app: MutabakatApp) -> None:
    assert snap_compare(app, terminal_size=SIZE)
