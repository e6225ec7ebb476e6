"""Walk the main screens in one language and print every text they show (tests/test_words_seen.py).

Run as `python -m tests.words_walk LANG DIR`: the language must be set before the interface
modules are imported (their key descriptions are bound then), so each language walks in its
own process. Prints one JSON object: {"data": words of the data this walk stored, "screens":
{name: the screen's text, line by line}}.
"""

from __future__ import annotations

import asyncio
import html
import json
import re
import sys
from datetime import date
from pathlib import Path

from tui_mutabakat.i18n import set_language

#: The data the walk stores; any word of it may appear on a screen in any language.
COMPANY_AND_ACCOUNTS = (
    "Örnek Ticaret A.Ş. Kadıköy Moda Cad. İstanbul ÖRNEK muhasebe ornek com tr "
    "Zümrüt Kuyumculuk Poyraz Lojistik Yetkili zumrut poyraz tester letter_tr"
)

_TEXT = re.compile(
    r'<text[^>]*\bx="([\d.]+)"[^>]*\by="([\d.]+)"[^>]*\btextLength="([\d.]+)"[^>]*>(.*?)</text>',
    re.S,
)


def screen_text(svg: str) -> str:
    """The characters of a Textual screenshot, line by line, each span at its column (the
    SVG leaves out blank cells, so the spans are placed by their x; `textLength` gives the
    width of a cell)."""
    spans = _TEXT.findall(svg)
    widths = [float(w) / len(html.unescape(t)) for _x, _y, w, t in spans if t]
    cell = min(widths) if widths else 1.0
    lines: dict[float, dict[int, str]] = {}
    for x, y, _width, text in spans:
        row = lines.setdefault(float(y), {})
        for offset, char in enumerate(html.unescape(text)):
            row[round(float(x) / cell) + offset] = char
    return "\n".join(
        "".join(row.get(i, " ") for i in range(max(row) + 1)).replace("\xa0", " ").rstrip()
        for _y, row in sorted(lines.items())
    )


async def walk(directory: Path) -> dict[str, str]:
    from sqlalchemy import select
    from textual.pilot import Pilot
    from textual.widgets import Select

    from tests.pilot_keys import press, type_text, wait_for
    from tests.send_data import add_account, add_company, add_movement, configure_sender
    from tui_mutabakat.app import make_app
    from tui_mutabakat.config import Settings, sqlite_url
    from tui_mutabakat.data import migrate
    from tui_mutabakat.data.outbox_models import Letter
    from tui_mutabakat.data.session import Database
    from tui_mutabakat.screens.sending.send_progress import SendProgressScreen
    from tui_mutabakat.services.context import resolve_actor

    url = sqlite_url(directory / "words.sqlite3")
    database = Database.from_url(url)
    migrate.upgrade(database.engine)
    with database.unit_of_work() as session:
        resolve_actor(session, "tester")
    with database.unit_of_work() as session:
        add_company(session)
        configure_sender(session, "tester")
        first = add_account(session, "120.001", "Zümrüt Kuyumculuk", emails=("a@zumrut.com.tr",))
        add_movement(session, first, date(2020, 3, 1), debit="2000.00")
        second = add_account(session, "120.002", "Poyraz Lojistik", emails=("b@poyraz.com.tr",))
        add_movement(session, second, date(2020, 3, 1), credit="50.00", currency="USD")
    settings = Settings(
        data_dir=directory, database_url=url, mail_backend="file", user_login="tester"
    )
    app = make_app(settings, database)
    seen: dict[str, str] = {}

    async def look(pilot: Pilot[None], name: str) -> None:
        await pilot.pause()
        seen[name] = screen_text(app.export_screenshot())

    async with app.run_test(size=(100, 30)) as pilot:
        await look(pilot, "main")
        await press(pilot, "f1")
        await look(pilot, "main-help")
        await press(pilot, "escape", "ctrl+p")
        await look(pilot, "palette")
        await type_text(pilot, "zzqx")
        await pilot.pause(0.8)
        await look(pilot, "palette-no-match")
        await press(pilot, "escape", "f3")
        await look(pilot, "accounts")
        await press(pilot, "enter")
        await look(pilot, "card")
        await press(pilot, "escape", "escape", "f4")
        await look(pilot, "send-criteria")
        app.screen.query(Select).first().focus()
        await press(pilot, "space")  # opens it (Enter moves to the next field)
        await look(pilot, "dropdown-open")
        await press(pilot, "escape", "f2")
        await look(pilot, "send-list")
        await press(pilot, "space")
        await look(pilot, "send-list-one")
        await press(pilot, "f1")
        await look(pilot, "send-list-help")
        await press(pilot, "escape", "f2")
        await look(pilot, "send-dialog")
        await press(pilot, "f2")
        await wait_for(pilot, lambda: isinstance(app.screen, SendProgressScreen))
        progress = app.screen
        assert isinstance(progress, SendProgressScreen)
        await wait_for(pilot, lambda: not progress.running)
        await look(pilot, "send-progress")
        while len(app.screen_stack) > 2:
            await press(pilot, "escape")
        await press(pilot, "f2")
        await look(pilot, "tracking")
        await press(pilot, "enter")
        await look(pilot, "letters")
        await press(pilot, "enter")
        await look(pilot, "letter-details")
    with database.reader() as session:
        # The letter's token is in its subject and file name: data too.
        tokens = " ".join(session.scalars(select(Letter.token)))
    database.dispose()
    seen["_data"] = f"{tokens} zzqx {settings.mail_outbox}/new {settings.mail_inbox}"
    return seen


def main() -> None:
    language, directory = sys.argv[1], Path(sys.argv[2])
    set_language(language)
    seen = asyncio.run(walk(directory))
    data = f"{COMPANY_AND_ACCOUNTS} {directory} {seen.pop('_data')}"
    print(json.dumps({"data": data, "screens": seen}, ensure_ascii=False))


if __name__ == "__main__":
    main()
