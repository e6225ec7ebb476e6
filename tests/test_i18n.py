"""The English catalog: complete, placeholders intact, and the app really starts in English.

The main test process stays Turkish (other tests read Turkish texts, and key descriptions are
bound when the screen classes are imported), so the English app runs in a child process.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from string import Formatter

from babel.messages.pofile import read_po

from tui_mutabakat.i18n import LOCALE_DIR, current_language, gettext, ngettext, read_catalog

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "update_catalog.py"
EN_PO = LOCALE_DIR / "en" / "LC_MESSAGES" / "mutabakat.po"
FIX = (
    "run `bash scripts/update_catalog.sh`, then translate the entries it lists in "
    "tui_mutabakat/locale/en/LC_MESSAGES/mutabakat.po (fill msgstr, remove `#, fuzzy`)"
)
#: Key names that must survive translation: "F2: kaydet" → "F2: save". (Only those of the
#: Turkish text are looked for: English uses "Enter" as a verb too.)
KEY_NAME = re.compile(r"\b(?:F\d{1,2}|Esc|Ins|Enter|Tab|Del|Ctrl\+\w+)\b")


def _extract(tmp_path: Path) -> tuple[set[str], str]:
    pot = tmp_path / "extracted.pot"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--pot", str(pot)],
        capture_output=True,
        text=True,
        check=False,
    )
    with pot.open("rb") as handle:
        # A plural message (`ngettext`) by its singular, as `read_catalog` keys it.
        ids = {str(m.id[0] if isinstance(m.id, tuple) else m.id) for m in read_po(handle) if m.id}
    problems = done.stderr if done.returncode else ""
    return ids, problems


def _fields(text: str) -> list[tuple[str | None, str | None, str | None]]:
    return sorted(
        (name, spec, conversion)
        for _literal, name, spec, conversion in Formatter().parse(text)
        if name is not None
    )


def test_every_message_in_the_code_is_translated(tmp_path: Path) -> None:
    extracted, problems = _extract(tmp_path)
    assert not problems, f"_() calls the catalog cannot hold:\n{problems}"
    assert len(extracted) > 400  # the extraction found the interface, not an empty tree
    translated = read_catalog(EN_PO)
    missing = sorted(extracted - translated.keys())
    assert not missing, (
        f"{len(missing)} interface strings have no English translation; {FIX}:\n"
        + "\n".join(f"  {m!r}" for m in missing)
    )


def test_the_english_catalog_has_no_fuzzy_or_empty_entries() -> None:
    with EN_PO.open("rb") as handle:
        catalog = read_po(handle)
    unfinished = [
        str(m.id)
        for m in catalog
        if m.id and (m.fuzzy or not m.string or (isinstance(m.string, tuple) and not all(m.string)))
    ]
    assert not unfinished, f"unfinished English entries; {FIX}:\n" + "\n".join(unfinished)


def test_placeholders_and_key_names_survive_translation() -> None:
    wrong = []
    for source, english in read_catalog(EN_PO).items():
        try:
            same_fields = _fields(source) == _fields(english)
        except ValueError:  # an unbalanced brace
            same_fields = False
        if not same_fields:
            wrong.append(f"placeholders differ: {source!r} → {english!r}")
        lost = set(KEY_NAME.findall(source)) - set(KEY_NAME.findall(english))
        if lost:
            wrong.append(f"key names {sorted(lost)} lost: {source!r} → {english!r}")
    assert not wrong, "\n".join(wrong)


def test_fuzzy_and_empty_entries_fall_back_to_turkish(tmp_path: Path) -> None:
    po = tmp_path / "x.po"
    po.write_text(
        textwrap.dedent(
            """\
            msgid ""
            msgstr ""
            "Content-Type: text/plain; charset=utf-8\\n"

            msgid "Kaydet"
            msgstr "Save"

            #, fuzzy
            msgid "Vazgeç"
            msgstr "Give up"

            msgid "Sil"
            msgstr ""
            """
        ),
        encoding="utf-8",
    )
    assert read_catalog(po) == {"Kaydet": "Save"}


def _import_time_calls(path: Path) -> list[int]:
    """Lines of `_()` calls that run when the module is imported (not inside a function)."""
    lines: list[int] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                for expr in [*child.decorator_list, *child.args.defaults, *child.args.kw_defaults]:
                    if expr is not None:
                        visit(expr)
                continue  # the body runs when called
            if isinstance(child, ast.Lambda):
                continue
            if (
                isinstance(child, ast.Call)
                and isinstance(child.func, ast.Name)
                and child.func.id in ("_", "gettext")
            ):
                lines.append(child.lineno)
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return lines


def test_the_core_translates_only_when_called() -> None:
    """The command line imports config and the data layer before it sets the language, and
    any entry point may import the core early: a core text bound at import stays Turkish."""
    package = ROOT / "tui_mutabakat"
    early = [package / "cli.py", package / "config.py", package / "i18n.py"]
    for layer in ("domain", "data", "services", "mail"):
        early += sorted((package / layer).rglob("*.py"))
    bound = {
        str(path.relative_to(ROOT)): lines for path in early if (lines := _import_time_calls(path))
    }
    assert not bound, f"translated at import, before the language is set: {bound}"


ENGLISH_APP = """
import asyncio, sys
from pathlib import Path

import tui_mutabakat.cli  # what `mutabakat --lang en` has loaded when it sets the language
early = sorted(m for m in sys.modules if m.startswith(
    ("tui_mutabakat.app", "tui_mutabakat.screens", "tui_mutabakat.widgets")))
print("EARLY", early)

from tui_mutabakat.i18n import set_language
set_language("en")

from textual.widgets import OptionList
from tui_mutabakat.app import make_app
from tui_mutabakat.config import Settings, sqlite_url
from tui_mutabakat.data import migrate
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.email_check import check_email

async def main(tmp):
    url = sqlite_url(tmp / "en.sqlite3")
    database = Database.from_url(url)
    migrate.upgrade(database.engine)
    app = make_app(Settings(data_dir=tmp, database_url=url, user_login="tester"), database)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        menu = app.screen.query_one(OptionList)
        print("TITLE", app.screen.title)
        for index in range(menu.option_count):
            print("MENU", menu.get_option_at_index(index).prompt)
        for binding in app.screen.active_bindings.values():
            print("KEY", binding.binding.description)
        await pilot.press("f3")
        await pilot.pause()
        print("SCREEN", app.screen.title)
    from tui_mutabakat.i18n import ngettext
    for n in (1, 2):
        print("PLURAL", ngettext("{count} hesap", "{count} hesap", n).format(count=n))
    print("CORE", check_email("").reason)
    database.dispose()

asyncio.run(main(Path(sys.argv[1])))
"""


def test_the_app_starts_in_english_in_a_child_process(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", ENGLISH_APP, str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "EARLY []" in out, f"the CLI imports interface modules before set_language:\n{out}"
    assert "TITLE Main menu" in out
    assert "MENU 1. Accounts" in out
    assert "MENU 2. Send e-Reconciliation" in out
    assert "MENU 3. Sent e-Reconciliations" in out
    assert "MENU 5. Working settings" in out
    assert "KEY Accounts" in out and "KEY Help" in out
    assert "SCREEN Accounts" in out
    assert "PLURAL 1 account\n" in out and "PLURAL 2 accounts\n" in out
    assert "CORE The e-mail address is empty." in out
    assert "Cari Hesaplar" not in out and "Yardım" not in out
    # This process is untouched: still Turkish for the other tests.
    assert current_language() == "tr" and gettext("Cari Hesaplar") == "Cari Hesaplar"
    assert ngettext("{count} hesap", "{count} hesap", 1) == "{count} hesap"


def test_the_update_script_keeps_translations_and_is_idempotent(tmp_path: Path) -> None:
    """On a copy of the tree: a new string arrives untranslated beside the kept translations,
    a changed one arrives fuzzy with its old translation, and a second run changes nothing."""
    (tmp_path / "scripts").mkdir()
    shutil.copy(SCRIPT, tmp_path / "scripts")
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    shutil.copytree(
        ROOT / "tui_mutabakat", tmp_path / "tui_mutabakat", ignore=shutil.ignore_patterns("*.pyc")
    )
    screen = tmp_path / "tui_mutabakat" / "screens" / "main.py"
    source = screen.read_text(encoding="utf-8")
    assert '_("Ana Menü")' in source
    screen.write_text(
        source.replace('_("Ana Menü")', '_("Ana Menü!")')
        + '\n\ndef _new() -> str:\n    return _("Zqxw yepyeni deneme 4711")\n',
        encoding="utf-8",
    )
    po = tmp_path / "tui_mutabakat" / "locale" / "en" / "LC_MESSAGES" / "mutabakat.po"
    before = read_catalog(po)

    def update() -> str:
        done = subprocess.run(
            [sys.executable, str(tmp_path / "scripts" / "update_catalog.py")],
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    update()
    with po.open("rb") as handle:
        catalog = read_po(handle)
    assert catalog["Zqxw yepyeni deneme 4711"].string == ""
    changed = catalog["Ana Menü!"]
    assert changed.fuzzy and changed.string == "Main menu"
    after = read_catalog(po)
    assert after == {k: v for k, v in before.items() if k != "Ana Menü"}

    files = {p: p.read_bytes() for p in (tmp_path / "tui_mutabakat" / "locale").rglob("*.po*")}
    second = update()
    assert "unchanged" in second and ", same" in second
    assert {p: p.read_bytes() for p in files} == files
