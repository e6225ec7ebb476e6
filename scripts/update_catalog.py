"""Extract the interface strings and bring the translation catalogs up to date.

    python scripts/update_catalog.py            # or: bash scripts/update_catalog.sh
    python scripts/update_catalog.py --pot OUT  # only extract, into OUT (the i18n test uses it)

Every `_("…")` / `gettext("…")` / `ngettext("…", "…", n)` call under `tui_mutabakat/` is
extracted into `tui_mutabakat/locale/mutabakat.pot` (what `pybabel extract -k _ -k gettext`
does, except that the calls are found in the syntax tree: Babel's tokenizer misses `_()` inside
f-strings before Python 3.12, as in `f"{_('Kullanıcı')}: {login}"`); then each
`locale/<lang>/LC_MESSAGES/mutabakat.po` (English is created when missing) is updated from it
like `pybabel update`: existing translations are kept, new messages arrive untranslated, a
message whose Turkish text changed arrives fuzzy with its old translation for review, and
messages no longer in the code are dropped.

Idempotent: a second run changes nothing. Locations are written without line numbers and the
dates in the headers stay as they were while the messages do not change, so moving code or
running the script again does not touch the catalogs (and parallel branches merge cleanly).
"""

from __future__ import annotations

import argparse
import ast
import io
import sys
import tomllib
from collections.abc import Iterable
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "tui_mutabakat"
LOCALE_DIR = PACKAGE / "locale"
POT_PATH = LOCALE_DIR / "mutabakat.pot"
DOMAIN = "mutabakat"
#: Languages with a catalog; Turkish is the source language and has none.
LANGUAGES = ("en",)
KEYWORDS = ("_", "gettext", "ngettext", "N_")
PROJECT = "tui-mutabakat"
HEADER = (
    "# {title} of the tui-mutabakat interface; the source language is Turkish.\n"
    "# Made by scripts/update_catalog.sh from the _() calls in tui_mutabakat/; see i18n.py.\n"
    "#"
)


def _version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        return str(tomllib.load(handle)["project"]["version"])


Message = str | tuple[str, str]


def find_messages(
    package: Path = PACKAGE,
) -> tuple[list[tuple[str, int, Message]], list[str]]:
    """Every `_("…")` call as (file, line, message), and the calls that cannot be extracted.

    A call whose argument is not one plain string literal (`_(name)`, `_(f"…")`, `_("a" + b)`)
    cannot be translated, since its text is not known before it runs; those are the problems.
    """
    found: list[tuple[str, int, Message]] = []
    problems: list[str] = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package.parent).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in KEYWORDS
            ):
                continue
            args = node.args
            if node.func.id == "ngettext":
                if (
                    len(args) == 3
                    and not node.keywords
                    and all(
                        isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args[:2]
                    )
                ):
                    found.append((relative, node.lineno, (args[0].value, args[1].value)))  # type: ignore[attr-defined]
                else:
                    problems.append(f"{relative}:{node.lineno}: {ast.unparse(node)}")
                continue
            if (
                len(args) == 1
                and not node.keywords
                and isinstance(args[0], ast.Constant)
                and isinstance(args[0].value, str)
            ):
                found.append((relative, node.lineno, args[0].value))
            else:
                problems.append(f"{relative}:{node.lineno}: {ast.unparse(node)}")
    found.sort(key=lambda item: (item[0], item[1], str(item[2])))
    return found, problems


def extract(found: Iterable[tuple[str, int, Message]]) -> Catalog:
    """The template: every message marked in the package, with the files it occurs in."""
    template = Catalog(
        project=PROJECT,
        version=_version(),
        domain=DOMAIN,
        header_comment=HEADER.format(title="Message template"),
        fuzzy=False,
    )
    # Locations without line numbers: messages sort by the files they occur in, and within a
    # file by first occurrence (the order of `found`), so moving code reorders nothing. (None
    # is what Babel's read_po stores for a location without a line; its annotation says int.)
    for filename, _lineno, message in found:
        template.add(message, None, [(filename, None)])  # type: ignore[list-item]
    return template


def render(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(
        out,
        catalog,
        width=100,
        sort_by_file=True,
        ignore_obsolete=True,
        include_lineno=False,
    )
    return out.getvalue()


def _without_dates(content: bytes) -> list[bytes]:
    return [
        line
        for line in content.splitlines()
        if not line.startswith((b'"POT-Creation-Date:', b'"PO-Revision-Date:'))
    ]


def write_if_changed(path: Path, content: bytes) -> bool:
    """Write `content` unless the file already says the same apart from its header dates."""
    if path.exists() and _without_dates(path.read_bytes()) == _without_dates(content):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return True


def update_language(template: Catalog, language: str) -> tuple[bool, Catalog]:
    po_path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if po_path.exists():
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=language, domain=DOMAIN)
        catalog.update(template, update_creation_date=True)
    else:
        catalog = Catalog(
            locale=language,
            domain=DOMAIN,
            project=PROJECT,
            version=template.version,
            header_comment=HEADER.format(title=f"{Locale.parse(language).english_name} messages"),
            creation_date=template.creation_date,
            fuzzy=False,
        )
        catalog.update(template)
    return write_if_changed(po_path, render(catalog)), catalog


def _untranslated(catalog: Catalog) -> Iterable[str]:
    for message in catalog:
        if message.id and (not message.string or message.fuzzy):
            yield str(message.id)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pot", type=Path, help="only extract the template, into this file")
    args = parser.parse_args(argv)
    found, problems = find_messages()
    for problem in problems:
        print(f"not extractable, use one string literal: {problem}", file=sys.stderr)
    template = extract(found)
    if args.pot:
        args.pot.write_bytes(render(template))
        return 1 if problems else 0
    changed = write_if_changed(POT_PATH, render(template))
    print(f"{POT_PATH.relative_to(ROOT)}: {len(template)} messages{'' if changed else ', same'}")
    for language in LANGUAGES:
        po_changed, catalog = update_language(template, language)
        todo = list(_untranslated(catalog))
        state = "updated" if po_changed else "unchanged"
        print(f"{language}: {state}, {len(todo)} to translate or review (untranslated or fuzzy)")
        for message_id in todo:
            print(f"  {message_id!r}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
