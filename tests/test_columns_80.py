"""At 80 columns nothing a user needs is cut (issue 11, the 80-column leftovers): Pilot tests
that read the screen as drawn (`screen_text`) and find each date, amount, document number,
column title and label whole."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from decimal import Decimal

from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import DataTable, Label

from tests.ops_data import add_movement, make_account
from tests.pilot_keys import press
from tests.test_ops_screens import choose
from tests.words_walk import screen_text
from tui_mutabakat.app import MutabakatApp
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.enums import DocumentType
from tui_mutabakat.screens.operations.movements import MovementListScreen
from tui_mutabakat.screens.operations.order_form import OrderFormScreen
from tui_mutabakat.screens.operations.orders import SalesOrderListScreen
from tui_mutabakat.screens.operations.rule_decisions import RuleDecisionsScreen
from tui_mutabakat.screens.operations.settle import SettleScreen
from tui_mutabakat.screens.operations.shipment import ShipmentDialog
from tui_mutabakat.services.accounts.cards import AccountData, load_account, save_account
from tui_mutabakat.services.accounts.order_approval import (
    approve_order,
)
from tui_mutabakat.services.accounts.orders import (
    OrderData,
    OrderLineData,
    save_order,
)
from tui_mutabakat.services.context import Actor
from tui_mutabakat.widgets.status_line import StatusLine

SIZE = (80, 24)
LONG = "Çok uzun bir açıklama: mal satışı, altmış gün vadeli, iskontolu"


def seen(pilot: Pilot[None]) -> str:
    return screen_text(pilot.app.export_screenshot())


def shown_in(pilot: Pilot[None], widget: Widget) -> str:
    """The text the screen shows inside `widget`, its lines joined by a space."""
    region = widget.content_region
    lines = seen(pilot).splitlines()[region.y : region.bottom]
    return " ".join(" ".join(line[region.x : region.right].split()) for line in lines).strip()


def movements_account(database: Database, actor: Actor) -> int:
    account = make_account(database, actor)
    add_movement(
        database,
        account,
        debit="128069.64",
        date=dt.date(2026, 7, 1),
        due_date=dt.date(2026, 12, 31),
        doc_type=DocumentType.SALES_ORDER_PAID,
        doc_no="MTB2026000000003",
    )
    add_movement(
        database,
        account,
        credit="1166503.10",
        date=dt.date(2026, 7, 2),
        due_date=dt.date(2026, 8, 30),
        doc_type=DocumentType.BANK,
        doc_no="BNK2026000000002",
    )
    return account


async def test_movements_whole_at_80(app: MutabakatApp, database: Database, actor: Actor) -> None:
    account = movements_account(database, actor)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(MovementListScreen(account))
        await press(pilot)
        text = seen(pilot)
        print(text)
        for whole in (
            "Vade",
            "Açık",
            "31.12.2026",
            "30.08.2026",
            "MTB2026000000003",
            "BNK2026000000002",
            "128.069,64",
            "1.166.503,10",
        ):
            assert whole in text, whole


def settle_account(database: Database, actor: Actor) -> int:
    account = make_account(database, actor)
    add_movement(
        database,
        account,
        debit="1286.28",
        date=dt.date(2026, 6, 1),
        due_date=dt.date(2026, 8, 23),
        doc_type=DocumentType.EXPORT,
        doc_no="IHR2026000000123",
        currency="EUR",
        fx_rate="36.5",
    )
    for day, doc_no in ((10, "BNK2026000000004"), (20, "CEK2026000000011")):
        add_movement(
            database,
            account,
            credit="72779.31",
            date=dt.date(2026, 9, day),
            due_date=dt.date(2026, 10, day),
            doc_type=DocumentType.BANK,
            doc_no=doc_no,
        )
    return account


async def test_settle_document_numbers_whole_at_80(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    account = settle_account(database, actor)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(SettleScreen(account))
        await press(pilot)
        text = seen(pilot)
        print(text)
        for whole in (
            "IHR2026000000123",
            "BNK2026000000004",
            "CEK2026000000011",
            "1.286,28 EUR",
            "72.779,31",
            "23.08.2026",
            "20.10.2026",
        ):
            assert whole in text, whole
        await press(pilot, "space", "tab", "space")  # one of each side marked
        text = seen(pilot)
        for whole in (
            "borç: IHR2026000000123 (1.286,28 EUR)",
            "alacak: BNK2026000000004 (72.779,31 TL)",
        ):
            assert whole in text, whole  # the status line wraps between its parts


def many_currencies(database: Database, actor: Actor) -> None:
    account = make_account(database, actor, "120.01.001")
    for currency, amount in (("TRY", "394779.31"), ("EUR", "1286.28"), ("USD", "627.32")):
        add_movement(
            database,
            account,
            debit=amount,
            date=dt.date(2026, 6, 1),
            doc_no=f"FT-{currency}",
            currency=currency,
            fx_rate=None if currency == "TRY" else "36.5",
        )
    with database.unit_of_work() as session:
        data = load_account(session, account)
        save_account(session, actor, replace(data, city="Şanlıurfa", group_code="PERAKENDE"))


async def test_account_list_fits_80(app: MutabakatApp, database: Database, actor: Actor) -> None:
    many_currencies(database, actor)
    with database.unit_of_work() as session:  # more rows than lines: the scroll bar shows
        for n in range(2, 31):
            save_account(session, actor, AccountData(code=f"120.01.{n:03}", title=f"Hesap {n}"))
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "f3")
        text = seen(pilot)
        print(text)
        header = next(line for line in text.splitlines() if "Kod" in line and "Bakiye" in line)
        assert header.rstrip().endswith("Aktif") and "Grup" not in header
        row = next(line for line in text.splitlines() if line.startswith(" 120.01.001"))
        assert row.rstrip().endswith("Evet") and "Şanlıurfa" in row and "394.779,31 B" in row
        # The status line names every balance whole, wrapped between its parts.
        for whole in ("30 / 30 hesap", "Bakiye: 1.286,28 B EUR", "627,32 B USD", "394.779,31 B TL"):
            assert whole in text, whole
        await press(pilot, "f6", "f6", "f6")  # sorted by group: the group comes back
        header = next(line for line in seen(pilot).splitlines() if "Bakiye" in line)
        assert "Grup ▲" in header and "Aktif" not in header


async def test_send_criteria_labels_whole_at_80(app: MutabakatApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "f4")
        text = seen(pilot)
        print(text)
        labels = [str(label.content) for label in app.screen.query(".field-label").results(Label)]
        assert "İlk hesap kodu" in labels and "Son hesap kodu" in labels
        for label in labels:
            assert not label.startswith("…") and label in text, label


def approved_order(database: Database, actor: Actor, *, partial: bool) -> int:
    account = make_account(database, actor, partial_shipment=partial)
    lines = [
        OrderLineData(
            "Paslanmaz çelik vida M8x40 DIN 912 kutu", Decimal("1250"), "Adet", Decimal("12.75")
        ),
        OrderLineData("Somun M8", Decimal("80"), "Adet", Decimal("0.75")),
    ]
    with database.unit_of_work() as session:
        order = save_order(session, actor, OrderData(account, dt.date(2026, 6, 1), lines=lines))
        approve_order(session, actor, order)
    return account


async def test_shipment_note_wrapped_not_cut_at_80(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    account = approved_order(database, actor, partial=False)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(SalesOrderListScreen(account))
        await press(pilot)
        await press(pilot, "f9")
        await choose(pilot, "ship")
        assert isinstance(app.screen, ShipmentDialog)
        note = app.screen.query_one("#shipment-note", Label)
        assert note.size.height >= 2  # wrapped …
        assert shown_in(pilot, note) == str(note.content)  # … and every word shown


async def test_order_form_lines_whole_at_80(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    """A long item name gives up its width: the quantities, amounts and "Sevk" stay whole."""
    account = approved_order(database, actor, partial=True)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(SalesOrderListScreen(account))
        await press(pilot)
        await press(pilot, "enter")
        assert isinstance(app.screen, OrderFormScreen)
        text = seen(pilot)
        header = next(line for line in text.splitlines() if "Malzeme" in line)
        assert header.split()[-2:] == ["Tutar", "Sevk"]
        assert "Paslanmaz çelik vida" in text and "15.937,50" in text and "1.250" in text


async def test_rule_decisions_whole_at_80(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    """The document stays whole; the line under the table says rule, decision and figures."""
    account = approved_order(database, actor, partial=True)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(RuleDecisionsScreen(account))
        await press(pilot)
        table = app.screen.query_one(DataTable)
        assert table.row_count >= 1
        document = str(table.get_row_at(0)[-1])
        detail = app.screen.query_one("#decisions-detail", Label)
        assert document in seen(pilot)
        assert shown_in(pilot, detail) == " ".join(str(detail.content).split())


async def test_movements_keep_the_cursor_across_a_resize(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    account = movements_account(database, actor)
    async with app.run_test(size=SIZE) as pilot:
        screen = MovementListScreen(account)
        app.push_screen(screen)
        await press(pilot, "up")  # the first movement
        first = screen._current()
        await pilot.resize_terminal(120, 40)
        await press(pilot)
        assert "Borç" in seen(pilot) and screen._current() == first
        await pilot.resize_terminal(80, 24)
        await press(pilot)
        assert "Tutar" in seen(pilot) and screen._current() == first


async def test_account_status_names_the_balance_of_every_row(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    """Not only a row with several currencies: the cursor's account's balance in any row."""
    many_currencies(database, actor)  # 120.01.001: three currencies
    second = make_account(database, actor, "120.01.002")
    add_movement(database, second, credit="1234.56", date=dt.date(2026, 6, 1), doc_no="FT-2")
    make_account(database, actor, "120.01.003")  # no movement: 0,00
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "f3")
        assert "394.779,31 B TL" in seen(pilot)
        await press(pilot, "down")
        status = app.screen.query_one("#account-status", StatusLine)
        assert status.text == "Satır 2 · 3 / 3 hesap · Bakiye: 1.234,56 A TL"
        await press(pilot, "down")
        assert status.text == "Satır 3 · 3 / 3 hesap · Bakiye: 0,00 TL"


async def test_movements_title_keeps_the_balance_with_its_currency_at_80(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    """A title that wraps parts between its parts: never "-1.038.433,46" on one line and "TL"
    on the next (the account's title is made as long as puts the break just there)."""
    account = movements_account(database, actor)
    amount = "1.038.433,46 A"
    head = f"120.01 · 2 hareket · açık bakiye TL karşılığı {amount}"
    with database.unit_of_work() as session:
        data = load_account(session, account)
        title = ("Boğaziçi Kauçuk Plastik Sanayi ve Ticaret " * 2)[: 78 - len(head) - 1].strip()
        save_account(session, actor, replace(data, title=title))
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(MovementListScreen(account))
        await press(pilot)
        text = seen(pilot)
        print(text)
        assert f"açık bakiye TL karşılığı {amount} TL" in text


async def test_send_list_sums_keep_amount_and_currency_together_at_80(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    """The send list's status line wraps between its parts, not between an amount and its
    currency."""
    many_currencies(database, actor)
    for n, amount in ((2, "91234567.89"), (3, "8765432.10")):
        account = make_account(database, actor, f"120.01.00{n}")
        add_movement(database, account, debit=amount, date=dt.date(2026, 6, 1), doc_no=f"F{n}")
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "f4", "f2", "plus")  # every row selected: the sums of three currencies
        text = seen(pilot)
        print(text)
        for whole in ("1.286,28 B EUR", "627,32 B USD", "100.394.779,30 B TL"):
            assert whole in text, whole
        # A line that goes on from the one above says so: it starts with the separator.
        status = app.screen.query_one(StatusLine)
        shown = str(status.render()).splitlines()
        assert len(shown) > 1 and all(line.startswith("· ") for line in shown[1:]), shown


async def test_account_list_group_whole_at_120(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    """With room the group column widens to its longest values (it was cut at 6 cells)."""
    many_currencies(database, actor)  # group PERAKENDE, city Şanlıurfa
    with database.unit_of_work() as session:
        save_account(
            session,
            actor,
            AccountData(
                code="120.01.002", title="Hesap", city="Kahramanmaraş", group_code="IHRACAT"
            ),
        )
    async with app.run_test(size=(120, 40)) as pilot:
        await press(pilot, "f3")
        text = seen(pilot)
        print(text)
        for whole in ("PERAKENDE", "IHRACAT", "Kahramanmaraş"):
            assert whole in text, whole


async def test_rule_decisions_columns_fit_80(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    """The walk found "Vade ta…", "Borç ka…", "Uyarı — eve…" and "Satış Faturası FT-000001
    (irsa" at 80 columns: short rule and decision words in the table, the document whole; the
    full words stay in the line under the table."""
    from tests.test_ops_screens import tracked
    from tui_mutabakat.domain.dates import local_today
    from tui_mutabakat.domain.enums import RuleAction
    from tui_mutabakat.screens.operations.dispatch_invoice import DispatchInvoiceDialog
    from tui_mutabakat.screens.operations.ops_dialogs import TableDialog
    from tui_mutabakat.services.accounts.shipping import ship_order

    account = tracked(database, actor, RuleAction.WARN)
    line = OrderLineData("Vida", Decimal("10"), "Adet", Decimal("12"))
    with database.unit_of_work() as session:
        order = save_order(session, actor, OrderData(account, local_today(), lines=[line]))
        approve_order(session, actor, order)
        ship_order(session, actor, order, invoice_date=local_today(), dispatch=True)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(SalesOrderListScreen(account))
        await press(pilot)
        await press(pilot, "f9")
        await choose(pilot, "invoice_dispatch")
        assert isinstance(app.screen, DispatchInvoiceDialog)
        await press(pilot, "f2")
        assert isinstance(app.screen, TableDialog)
        await press(pilot, "h")  # no: logged, naming the invoice and its dispatch note
        assert isinstance(app.screen, DispatchInvoiceDialog)
        await press(pilot, "f2", "e")  # yes: invoiced, the warning's "yes" logged
        app.push_screen(RuleDecisionsScreen(account))
        await press(pilot)
        text = seen(pilot)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 3  # the approval, the warning answered no, then yes
        for index in range(table.row_count):
            for cell in table.get_row_at(index):
                assert str(cell) in text, (str(cell), text)
        assert "…" not in text
        assert "Satış Faturası FT-000001 (irsaliye IR-000001)" in text
        # the user's column gave way whole: no empty sliver between the time and the rule
        assert re.search(r"\d\d\.\d\d \d\d:\d\d Vade  Uyarı: hayır Satış", text), text
        detail = app.screen.query_one("#decisions-detail", Label)
        full = str(detail.content)
        assert "Vade takibi — Uyarı — evet (kaydedildi)" in full
        assert shown_in(pilot, detail) == " ".join(full.split())
