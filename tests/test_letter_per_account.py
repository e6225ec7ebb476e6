"""One letter per account listing every currency (issue 9 point 2), and the open items and
statement in it (point 1), through the one send pipeline."""

from __future__ import annotations

import email
import email.policy
from datetime import date
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select
from textual.widgets import Static

from tests.pilot_keys import press, wait_for
from tests.send_data import add_account, add_company, add_movement, configure_sender, write_batch
from tui_mutabakat.app import MutabakatApp
from tui_mutabakat.config import Settings
from tui_mutabakat.data.outbox_models import Letter, LetterBalance, LetterMessage, LetterTemplate
from tui_mutabakat.data.session import Database
from tui_mutabakat.screens.dialogs.action_menu import ActionMenu
from tui_mutabakat.screens.sending.send_criteria import SendCriteriaScreen
from tui_mutabakat.screens.sending.send_dialog import SendDialog
from tui_mutabakat.screens.sending.send_list import SendListScreen
from tui_mutabakat.screens.sending.send_progress import SendProgressScreen
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.sending.compose import SendOptions, preview_letter
from tui_mutabakat.services.tracking.letter_balances import figures_text, letter_figures
from tui_mutabakat.services.tracking.letter_export import export_letters

AS_OF = date(2026, 11, 30)


def _account(database: Database, actor: Actor, code: str = "120.001") -> int:
    """TL and USD movements, and movements after the as-of date."""
    with database.unit_of_work() as session:
        add_company(session)
        configure_sender(session, actor.login)
        account = add_account(session, code, "Alfa Ltd", emails=("a@alfa.com.tr",))
        add_movement(session, account, date(2026, 10, 1), debit="12000", doc_no="F1")
        add_movement(session, account, date(2026, 10, 5), credit="3000", currency="USD")
        add_movement(session, account, date(2026, 12, 5), credit="12000", doc_no="SONRA")
        session.flush()
        return account.id


def _letters(database: Database) -> list[tuple[Letter, list[LetterBalance], EmailMessage]]:
    with database.reader() as session:
        letters = list(session.scalars(select(Letter).order_by(Letter.id)))
        result = []
        for letter in letters:
            rows = list(
                session.scalars(
                    select(LetterBalance)
                    .where(LetterBalance.letter_id == letter.id)
                    .order_by(LetterBalance.position)
                )
            )
            raw = session.get(LetterMessage, letter.id)
            assert raw is not None
            message = email.message_from_bytes(raw.message, policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            result.append((letter, rows, message))
        return result


def _text(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return " ".join(str(part.get_content()).split())


def test_choosing_the_usd_row_sends_the_accounts_one_letter_with_both_balances(
    any_database: Database, any_actor: Actor
) -> None:
    account = _account(any_database, any_actor)
    created = write_batch(any_database, any_actor, AS_OF, [(account, "USD")], SendOptions())
    assert created.letters == 1 and not created.skipped
    [(letter, rows, message)] = _letters(any_database)
    assert [(r.currency, r.balance, r.side) for r in rows] == [
        ("TRY", Decimal("12000.00"), "B"),
        ("USD", Decimal("-3000.00"), "A"),
    ]
    assert (letter.currency, letter.balance) == ("TRY", Decimal("12000.00"))
    text = _text(message)
    assert "12.000,00 TL borç" in text and "3.000,00 USD alacak" in text
    assert "aşağıdaki bakiyeleri vermektedir" in text
    with any_database.reader() as session:
        shown = figures_text(letter_figures(session, [letter])[letter.id])
    assert shown == "12.000,00 TL B · 3.000,00 USD A"


def test_every_row_of_an_account_still_makes_one_letter(
    any_database: Database, any_actor: Actor
) -> None:
    account = _account(any_database, any_actor)
    keys = [(account, "TRY"), (account, "USD")]
    created = write_batch(any_database, any_actor, AS_OF, keys, SendOptions())
    assert created.letters == 1


def test_one_letter_per_currency_is_an_option(any_database: Database, any_actor: Actor) -> None:
    account = _account(any_database, any_actor)
    keys = [(account, "TRY"), (account, "USD")]
    created = write_batch(any_database, any_actor, AS_OF, keys, SendOptions(per_currency=True))
    assert created.letters == 2
    letters = _letters(any_database)
    assert [[r.currency for r in rows] for _l, rows, _m in letters] == [["TRY"], ["USD"]]
    assert "12.000,00 TL borç bakiyesi" in _text(letters[0][2])
    assert "3.000,00 USD alacak bakiyesi" in _text(letters[1][2])


def test_english_letter_lists_every_currency(database: Database, actor: Actor) -> None:
    account = _account(database, actor)
    write_batch(database, actor, AS_OF, [(account, "TRY")], SendOptions(template="letter_en"))
    [(_letter, _rows, message)] = _letters(database)
    text = _text(message)
    assert "shows the following balances: 12.000,00 TL debit" in text
    assert "3.000,00 USD credit" in text and "naming the currency of each" in text
    html = message.get_body(("html",))
    assert html is not None
    page = str(html.get_content())
    assert "<td>TL</td>" in page and "<td>USD</td>" in page
    assert "12.000,00 TL" in page and "3.000,00 USD" in page


def test_open_items_and_the_statement_as_of_the_date(database: Database, actor: Actor) -> None:
    account = _account(database, actor)
    options = SendOptions(open_items=True, attach_statement=True)
    write_batch(database, actor, AS_OF, [(account, "TRY")], options)
    [(_letter, _rows, message)] = _letters(database)
    text = _text(message)
    assert "30.11.2026 tarihinde açık kalemler (TL)" in text
    assert "01.10.2026 Satış faturası F1 Belge F1 vade - açık tutar 12.000,00 B" in text
    assert "Toplam: 12.000,00 TL B" in text
    assert "30.11.2026 tarihinde açık kalemler (USD)" in text and "SONRA" not in text
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "ekstre_120.001.csv"
    csv_text = attachment.get_content()
    if isinstance(csv_text, bytes):
        csv_text = csv_text.decode("utf-8-sig")
    assert "01.10.2026;Satış faturası;F1;Belge F1;12.000,00;;12.000,00;borç" in csv_text
    assert "05.10.2026;Banka;;Belge ;;3.000,00;3.000,00;alacak" in csv_text
    assert "SONRA" not in csv_text and "sales_invoice" not in csv_text


def test_items_settled_without_a_recorded_match_leave_a_difference_line(
    database: Database, actor: Actor
) -> None:
    """Imported `settled` amounts have no match to date them: the letter shows what the
    items do not explain on a line of its own, so the page adds up."""
    with database.unit_of_work() as session:
        add_company(session)
        configure_sender(session, actor.login)
        account = add_account(session, "120.009", "Eski", emails=("e@eski.com.tr",))
        add_movement(session, account, date(2026, 10, 1), debit="1000", settled="400")
        add_movement(session, account, date(2026, 12, 1), credit="400", settled="400")
        session.flush()
        key = (account.id, "TRY")
        preview = preview_letter(session, actor, AS_OF, key, SendOptions(open_items=True))
    text = " ".join(preview.text.split())
    assert "açık tutar 600,00 B" in text
    assert "Kalemlere dağıtılmamış tutar: 400,00 B" in text
    assert "Toplam: 1.000,00 TL B" in text


def test_a_one_currency_template_cannot_write_a_letter_of_two_currencies(
    database: Database, actor: Actor
) -> None:
    account = _account(database, actor)
    with database.unit_of_work() as session:
        session.add(
            LetterTemplate(
                name="tek",
                subject="Mutabakat {{ as_of }}",
                text_body="Bakiye {{ balance.text }}",
                html_body="",
            )
        )
        session.flush()
        preview = preview_letter(
            session, actor, AS_OF, (account, "USD"), SendOptions("", None, "tek")
        )
    created = write_batch(database, actor, AS_OF, [(account, "USD")], SendOptions(template="tek"))
    per_currency = write_batch(
        database,
        actor,
        AS_OF,
        [(account, "USD")],
        SendOptions(template="tek", per_currency=True),
    )
    assert "balances" in preview.problems[0]
    assert created.letters == 0 and "balances" in created.skipped[0].reason
    assert created.skipped[0].currency == "TRY/USD"
    assert per_currency.letters == 1


async def test_sending_the_usd_row_from_the_list_sends_one_letter_with_both_balances(
    app: MutabakatApp, database: Database, settings: Settings
) -> None:
    """Pilot, 80×24: the list keeps a row per currency; choosing the USD row of an account
    with TL and USD sends that account's one letter, with both balances."""
    with database.unit_of_work() as session:
        add_company(session)
        configure_sender(session, "tester")
        account = add_account(session, "120.001", "Anadolu Gıda", emails=("ali@anadolu.com.tr",))
        add_movement(session, account, date(2020, 3, 1), debit="12000")
        add_movement(session, account, date(2020, 3, 2), credit="3000", currency="USD")
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "f4")
        assert isinstance(app.screen, SendCriteriaScreen)
        await press(pilot, "f2")
        screen = app.screen
        assert isinstance(screen, SendListScreen)
        assert screen.table.row_count == 2
        await press(pilot, "down", "space")
        assert [currency for _a, currency in screen.selection.keys] == ["USD"]
        await press(pilot, "f9")
        assert isinstance(app.screen, ActionMenu)
        await press(pilot, "enter")
        dialog = app.screen
        assert isinstance(dialog, SendDialog)
        preview = " ".join(str(dialog.query_one("#send-preview", Static).content).split())
        assert "12.000,00 TL borç" in preview and "3.000,00 USD alacak" in preview
        await press(pilot, "f2")
        progress = app.screen
        assert isinstance(progress, SendProgressScreen)
        await wait_for(pilot, lambda: not progress.running)
        summary = str(progress.query_one("#send-summary", Static).content)
        assert "Gönderildi: 1" in summary
    files = sorted((settings.mail_outbox / "new").glob("*.eml"))
    assert len(files) == 1
    message = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    text = _text(message)
    assert "12.000,00 TL borç" in text and "3.000,00 USD alacak" in text
    with database.reader() as session:
        [letter] = session.scalars(select(Letter)).all()
        shown = figures_text(letter_figures(session, [letter])[letter.id])
    assert shown == "12.000,00 TL B · 3.000,00 USD A"


def test_the_export_has_a_line_per_currency_of_a_letter(
    database: Database, actor: Actor, tmp_path: Path
) -> None:
    account = _account(database, actor)
    created = write_batch(database, actor, AS_OF, [(account, "USD")], SendOptions())
    assert created.batch_id is not None
    with database.reader() as session:
        count = export_letters(session, created.batch_id, tmp_path / "mektuplar.xlsx")
    assert count == 2
    sheet = load_workbook(tmp_path / "mektuplar.xlsx").active
    assert sheet is not None
    rows = [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert [(r[0], r[2], r[3], r[4]) for r in rows] == [
        ("120.001", "TL", 12000, "borç"),  # exports say TL, as the screens do
        ("120.001", "USD", 3000, "alacak"),
    ]
