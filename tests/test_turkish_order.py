"""Turkish everywhere it should be (issue 11.10): titles sorted in Turkish order on both
databases, F10 lookups that fold Turkish letters like the account search, and a command
palette that finds "iptal" whatever its case and lists the F9 menu's Excel export."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from textual.command import CommandList

from tests.pilot_keys import press, type_text, wait_for
from tests.send_data import add_account, add_company, add_movement, configure_sender, write_batch
from tui_mutabakat.app import MutabakatApp
from tui_mutabakat.config import Settings
from tui_mutabakat.data.account_queries import (
    AccountFilter,
    AccountSort,
    account_page,
    distinct_values,
)
from tui_mutabakat.data.models import Account
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.text import sort_key
from tui_mutabakat.screens.tracking.track_letters import TrackLettersScreen
from tui_mutabakat.services.accounts.orders import (
    account_codes,
)
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.sending.compose import SendOptions
from tui_mutabakat.services.sending.worker import send_batch

TITLES = ["Aksoy Ltd", "Akın Gıda", "Çınar Yapı", "Cem Ticaret", "Ölmez A.Ş.", "Ozan Metal"]
TITLES += ["İzmir Kağıt", "Irmak Su", "Şahin Oto", "Sarp Yapı"]
TURKISH_ORDER = [
    "Akın Gıda",
    "Aksoy Ltd",
    "Cem Ticaret",
    "Çınar Yapı",
    "Irmak Su",
    "İzmir Kağıt",
    "Ozan Metal",
    "Ölmez A.Ş.",
    "Sarp Yapı",
    "Şahin Oto",
]


def _accounts(database: Database) -> None:
    with database.unit_of_work() as session:
        cities = ["Kadıköy", "İstanbul", "Iğdır", "Çorum", "Ankara"]
        for number, title in enumerate(TITLES):
            session.add(
                Account(
                    code=f"120.{number:03}",
                    title=title,
                    city=cities[number % len(cities)],
                    tax_office=cities[(number + 1) % len(cities)],
                )
            )


def test_the_sort_key_is_the_turkish_alphabet() -> None:
    assert sorted(TITLES, key=sort_key) == TURKISH_ORDER
    assert sort_key("AKIN") == sort_key("akın") != sort_key("akin")


def test_sorting_by_title_is_turkish_on_both_databases(any_database: Database) -> None:
    _accounts(any_database)
    with any_database.reader() as session:
        rows = account_page(session, AccountFilter(sort=AccountSort.TITLE), 0, 50)
        assert [r.title for r in rows] == TURKISH_ORDER
        back = AccountFilter(sort=AccountSort.TITLE, descending=True)
        assert [r.title for r in account_page(session, back, 0, 50)] == TURKISH_ORDER[::-1]
    with any_database.unit_of_work() as session:  # a renamed account moves to its place
        renamed = session.query(Account).filter_by(title="Sarp Yapı").one()
        renamed.title = "Ağaç Sarp"
    with any_database.reader() as session:
        rows = account_page(session, AccountFilter(sort=AccountSort.TITLE), 0, 3)
        assert [r.title for r in rows] == ["Ağaç Sarp", "Akın Gıda", "Aksoy Ltd"]


def test_lookups_fold_turkish_letters(any_database: Database) -> None:
    _accounts(any_database)
    with any_database.reader() as session:
        assert distinct_values(session, "city", "kadik") == ["Kadıköy"]
        assert distinct_values(session, "city", "ista") == ["İstanbul"]
        assert distinct_values(session, "tax_office", "IGDIR") == ["Iğdır"]
        assert distinct_values(session, "city", "ÇORUM") == ["Çorum"]
        assert distinct_values(session, "city") == [
            "Ankara",
            "Çorum",
            "Iğdır",
            "İstanbul",
            "Kadıköy",
        ]
        assert account_codes(session, "cinar") == ["120.002 — Çınar Yapı"]
        assert account_codes(session, "izmir") == ["120.006 — İzmir Kağıt"]
        assert account_codes(session, "120.00")[:2] == [
            "120.000 — Aksoy Ltd",
            "120.001 — Akın Gıda",
        ]


async def _letters_screen(database: Database, actor: Actor, tmp_path: Path) -> None:
    with database.unit_of_work() as session:
        add_company(session)
        configure_sender(session, actor.login)
        account = add_account(session, "120.001", "Alfa", emails=("m@alfa.com.tr",))
        add_movement(session, account, date(2026, 10, 1), debit="12000")
        session.flush()
    created = write_batch(database, actor, date(2026, 11, 30), [(account.id, "TRY")], SendOptions())
    assert created.batch_id is not None
    url = database.engine.url.render_as_string(hide_password=False)
    await send_batch(database, Settings(data_dir=tmp_path, database_url=url), created.batch_id)


async def test_the_palette_folds_turkish_case_and_lists_menu_entries(
    app: MutabakatApp, database: Database, actor: Actor, tmp_path: Path
) -> None:
    await _letters_screen(database, actor, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await press(pilot, "f2", "enter")
        assert isinstance(app.screen, TrackLettersScreen)

        async def found(query: str) -> list[str]:
            await press(pilot, "ctrl+p")
            await type_text(pilot, query)
            commands = app.screen.query_one(CommandList)
            await wait_for(pilot, lambda: commands.option_count > 0)
            await pilot.pause(0.3)
            prompts = [
                str(commands.get_option_at_index(i).prompt) for i in range(commands.option_count)
            ]
            await press(pilot, "escape")
            return prompts

        for query in ("iptal", "İptal", "IPTAL", "İPTAL", "ıptal"):
            assert any("İptal" in p for p in await found(query)), query
        assert any("Excel" in p for p in await found("excel"))
        assert any("Kanıt dosyası" in p for p in await found("kanit"))
