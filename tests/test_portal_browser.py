"""A real browser on the answer page (issue 15): Debian's Chromium driven by Selenium with
the system chromedriver, headless, against `mutabakat portal` on loopback, opening links
taken from letters the product really composed — agree on one, disagree with a balance
and a PDF on the other — and both land in tracking. Screenshots at 1280×800 and 390×844 go
to `test-artifacts/portal/` (or $MUTABAKAT_ARTIFACTS)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from textual.widgets import Static

from tests.pilot_keys import press
from tests.portal_data import portal_on, sent_letters, token_in
from tests.portal_server import running_portal
from tests.smtp_server import running_server
from tui_mutabakat.app import MutabakatApp
from tui_mutabakat.data.outbox_models import Letter
from tui_mutabakat.data.session import Database
from tui_mutabakat.data.tracking_models import AnswerAttachment, AnswerBalance, LetterAnswer
from tui_mutabakat.domain.states import LetterState
from tui_mutabakat.screens.tracking.track_batches import TrackBatchesScreen
from tui_mutabakat.screens.tracking.track_details import LetterDetailsScreen
from tui_mutabakat.screens.tracking.track_letters import TrackLettersScreen
from tui_mutabakat.services.context import Actor
from tui_mutabakat.widgets.paged_table import PagedTable

DRIVER = "/usr/bin/chromedriver"
ARTIFACTS = (
    Path(
        os.environ.get(
            "MUTABAKAT_ARTIFACTS", Path(__file__).resolve().parent.parent / "test-artifacts"
        )
    )
    / "portal"
)
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"

webdriver = pytest.importorskip("selenium.webdriver")


def _browser_missing() -> str | None:
    if not Path(DRIVER).exists() or shutil.which("chromium") is None:
        return "chromium and chromium-driver are not installed (scripts/test.sh installs them)"
    return None


@pytest.fixture
def browser() -> Iterator[object]:
    missing = _browser_missing()
    if missing:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(missing, pytrace=False)
        pytest.skip(missing)
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = shutil.which("chromium") or "chromium"
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,800",
        "--lang=tr",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _main_text(driver: object, needle: str, timeout: float = 30.0) -> str:
    """The text of the page's <main> once it holds `needle`: a click that submits a form
    returns before the browser has the answer page, so wait for it (and show what the
    browser had instead when it never comes)."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def found(_: object) -> str | bool:
        try:
            text: str = driver.find_element(By.TAG_NAME, "main").text  # type: ignore[attr-defined]
        except (StaleElementReferenceException, WebDriverException):
            return False
        return text if needle in text else False

    try:
        shown = WebDriverWait(driver, timeout, poll_frequency=0.1).until(found)  # type: ignore[type-var]
        return str(shown)
    except WebDriverException as error:
        source = driver.page_source  # type: ignore[attr-defined]
        raise AssertionError(f"{needle!r} never shown; the page was:\n{source[:4000]}") from error


def _shot(driver: object, name: str, width: int, height: int, bottom: bool = False) -> Path:
    """A screenshot of the window (`bottom`: scrolled to the end of the page)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    driver.set_window_size(width, height)  # type: ignore[attr-defined]
    # The viewport itself at that size (a window's size includes the browser's frame).
    driver.execute_cdp_cmd(  # type: ignore[attr-defined]
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
    )
    if bottom:
        driver.execute_script("window.scrollTo(0, document.body.scrollHeight)")  # type: ignore[attr-defined]
    path = ARTIFACTS / f"{name}_{width}x{height}.png"
    assert driver.save_screenshot(str(path))  # type: ignore[attr-defined]
    return path


async def test_a_browser_agrees_on_one_letter_and_disagrees_on_another(
    app: MutabakatApp, database: Database, actor: Actor, tmp_path: Path, browser: object
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    driver = browser
    portal_on(database, tmp_path)
    # the letters as the product really sends them, to aiosmtpd; the links from what it got
    with running_server() as (handler, port):
        [alfa, beta] = await sent_letters(
            database,
            actor,
            tmp_path,
            open_items=True,
            attach_statement=True,
            attach_pdf=True,
            smtp_port=port,
        )
    received = {r.rcpt_tos[0]: token_in(r.message) for r in handler.received}
    assert sorted(received) == ["mali@alfa.com.tr", "muhasebe@beta.com.tr"]
    attachment = tmp_path / "ekstremiz.pdf"
    attachment.write_bytes(PDF)
    with running_portal(database, tmp_path) as address:
        find = driver.find_element  # type: ignore[attr-defined]
        # Beta agrees, seen on a phone first.
        driver.get(f"{address}/m/{received['muhasebe@beta.com.tr']}")  # type: ignore[attr-defined]
        _shot(driver, "beta_page", 390, 844)
        _main_text(driver, "Beta A.Ş.")
        find(By.CSS_SELECTOR, "input[value=agreed]").click()
        find(By.ID, "name").send_keys("Mehmet Kaya")
        find(By.ID, "job").send_keys("Mali İşler")
        find(By.ID, "email").send_keys("muhasebe@beta.com.tr")
        find(By.CSS_SELECTOR, "button[type=submit]").click()
        _main_text(driver, "Teşekkür ederiz")
        _shot(driver, "beta_done", 390, 844)
        # Alfa disagrees on a desktop, in English, with a balance and a PDF.
        driver.set_window_size(1280, 800)  # type: ignore[attr-defined]
        driver.get(f"{address}/m/{received['mali@alfa.com.tr']}")  # type: ignore[attr-defined]
        find(By.LINK_TEXT, "English").click()
        _main_text(driver, "We do not agree")
        _shot(driver, "alfa_page_en", 1280, 800)
        _shot(driver, "alfa_form_en", 1280, 800, bottom=True)
        # the letter's PDF is a real download from the same server, behind the same link
        href = find(By.PARTIAL_LINK_TEXT, ".pdf").get_attribute("href")
        assert href.startswith(f"{address}/m/")
        got = httpx.get(href, timeout=10)
        assert got.status_code == 200 and got.content.startswith(b"%PDF")
        assert got.headers["content-disposition"].startswith("attachment;")
        find(By.CSS_SELECTOR, "input[value=disagreed]").click()
        find(By.ID, "amount_TRY").send_keys("11.500,00")
        Select(find(By.ID, "side_TRY")).select_by_value("B")
        find(By.ID, "note").send_keys("Invoice 2026/118 is not in our books.")
        find(By.ID, "files").send_keys(str(attachment))
        find(By.ID, "name").send_keys("Ayşe Demir")
        find(By.ID, "email").send_keys("mali@alfa.com.tr")
        find(By.CSS_SELECTOR, "button[type=submit]").click()
        assert "ekstremiz.pdf" in _main_text(driver, "Thank you")
        _shot(driver, "alfa_done_en", 1280, 800)
    with database.reader() as session:
        states = {x.id: x.state for x in session.scalars(select(Letter))}
        assert states[beta.id] is LetterState.AGREED
        assert states[alfa.id] is LetterState.DISAGREED
        answer = session.scalars(
            select(LetterAnswer).where(LetterAnswer.letter_id == alfa.id)
        ).one()
        assert answer.channel == "web" and "HeadlessChrome" in answer.user_agent
        [balance] = session.scalars(
            select(AnswerBalance).where(AnswerBalance.answer_id == answer.id)
        ).all()
        assert (balance.currency, balance.their_balance, balance.difference) == (
            "TRY",
            Decimal("11500.00"),
            Decimal("-500.00"),
        )
        [attached] = session.scalars(select(AnswerAttachment)).all()
        assert attached.file_name == "ekstremiz.pdf"
    # and a Pilot test sees both in tracking, from the keys
    async with app.run_test(size=(100, 30)) as pilot:
        await press(pilot, "f2")
        assert isinstance(app.screen, TrackBatchesScreen)
        batches = app.screen
        batch = batches.query_one(PagedTable).cursor_id
        assert batch is not None
        assert (batches.cell(batch, "agreed"), batches.cell(batch, "disagreed")) == ("1", "1")
        await press(pilot, "enter")
        assert isinstance(app.screen, TrackLettersScreen)
        table = app.screen.query_one(PagedTable)
        rows = {r.key: r for r in map(table.row_at, range(table.row_count)) if r is not None}
        assert "Mutabık değil" in rows[alfa.id].cells
        assert "Mutabık" in rows[beta.id].cells
        table.move_cursor(next(i for i, key in enumerate(rows) if key == alfa.id))
        await press(pilot, "enter")
        assert isinstance(app.screen, LetterDetailsScreen)
        text = str(app.screen.query_one("#letter-details", Static).content)
        assert "Ayşe Demir <mali@alfa.com.tr>" in text and "HeadlessChrome" in text
        assert "11.500,00 TL borç" in text and "Fark: -500,00 TL" in text
        assert "Ek: ekstremiz.pdf" in text
