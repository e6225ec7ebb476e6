"""`mutabakat import …` and `mutabakat export …`: the import of SPEC B6 from the command line.

    mutabakat import accounts|contacts|movements|balances FILE [--sheet NAME]
        [--mapping NAME|FILE] [--save-mapping NAME] [--dry-run] [--update] [--valid-only]
        [--errors OUT.xlsx] [--as-of DATE]
    mutabakat import --template KIND OUT.xlsx
    mutabakat export accounts|contacts|movements OUT.xlsx|OUT.csv

Progress goes to stderr, the summary and the refused rows to stdout. The exit status is
0 when the file was imported (or a dry run found nothing wrong), 1 when refused rows
stopped the import or the file could not be read, 2 for a wrong command line.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.i18n import ngettext
from tui_mutabakat.services.importing.fields import Kind

if TYPE_CHECKING:
    from tui_mutabakat.config import Settings
    from tui_mutabakat.data.session import Database


def register(commands: Any) -> None:
    """Add the `import` and `export` subcommands to the `mutabakat` parser."""
    kinds = [k.value for k in Kind]
    imp = commands.add_parser(
        "import", help="import accounts, contacts, movements or opening balances from a file"
    )
    imp.add_argument("kind", nargs="?", choices=kinds, help="what the file holds")
    imp.add_argument("file", nargs="?", type=Path, help=".xlsx, .xls, .ods or .csv")
    imp.add_argument("--sheet", help="the sheet to read (default: the first)")
    imp.add_argument("--mapping", help="a saved mapping's name, or a JSON file {field: header}")
    imp.add_argument("--save-mapping", metavar="NAME", help="save --mapping under this name")
    imp.add_argument("--dry-run", action="store_true", help="check and count, store nothing")
    imp.add_argument("--update", action="store_true", help="change known accounts/contacts")
    imp.add_argument(
        "--valid-only", action="store_true", help="import the valid rows even if some are refused"
    )
    imp.add_argument("--errors", type=Path, metavar="OUT.xlsx", help="write refused rows here")
    imp.add_argument("--as-of", metavar="DATE", help="date of the balances (balances)")
    imp.add_argument(
        "--template",
        nargs=2,
        metavar=("KIND", "OUT.xlsx"),
        help="write an empty file with the headers of KIND",
    )
    exp = commands.add_parser("export", help="export accounts, contacts or movements")
    exp.add_argument("kind", choices=[k.value for k in Kind if k is not Kind.BALANCES])
    exp.add_argument("file", type=Path, help="OUT.xlsx or OUT.csv")


def main(settings: Settings, args: argparse.Namespace) -> int:
    from tui_mutabakat.domain.errors import ServiceError

    try:
        if args.command == "export":
            return _export(settings, args)
        if args.template:
            return _template(args.template)
        if args.kind is None or args.file is None:
            print(_("mutabakat import: tür ve dosya gerekli (ya da --template)."), file=sys.stderr)
            return 2
        return _import(settings, args)
    except ServiceError as error:
        print(f"mutabakat: {error}", file=sys.stderr)
        return 1


def _template(given: list[str]) -> int:
    from tui_mutabakat.services.importing.exports import write_template

    kind_text, out = given
    try:
        kind = Kind(kind_text)
    except ValueError:
        kinds = ", ".join(k.value for k in Kind)
        print(_("Bilinmeyen tür: {kind} ({kinds})").format(kind=kind_text, kinds=kinds))
        return 2
    write_template(kind, Path(out))
    print(_("{path}: {kind} şablonu yazıldı.").format(path=out, kind=kind.value))
    return 0


def _open(settings: Settings) -> Database:
    from tui_mutabakat.data import migrate
    from tui_mutabakat.data.session import Database

    database = Database.from_url(settings.database_url)
    migrate.upgrade(database.engine)
    return database


def _export(settings: Settings, args: argparse.Namespace) -> int:
    from tui_mutabakat.services.importing.exports import export

    database = _open(settings)
    try:
        with database.reader() as session:
            count = export(session, Kind(args.kind), args.file)
    finally:
        database.dispose()
    print(
        ngettext("{path}: {count} satır yazıldı.", "{path}: {count} satır yazıldı.", count).format(
            path=args.file, count=count
        )
    )
    return 0


class _StderrProgress:
    """A line on stderr now and then: rows read and the rate."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.perf_counter()
        if now - self.last < 1.0:
            return
        self.last = now
        rate = done / max(now - self.started, 1e-6)
        text = ngettext(
            "{rows}/{total} satır okundu ({rate} satır/sn)",
            "{rows}/{total} satır okundu ({rate} satır/sn)",
            total,
        ).format(rows=done, total=total, rate=int(rate))
        print(text, file=sys.stderr, flush=True)


def _import(settings: Settings, args: argparse.Namespace) -> int:
    from tui_mutabakat.domain.formatting import parse_day
    from tui_mutabakat.services.context import resolve_actor
    from tui_mutabakat.services.importing import ImportOptions, run_import
    from tui_mutabakat.services.importing.mappings import load_mapping, save_mapping
    from tui_mutabakat.services.importing.report import summary_lines
    from tui_mutabakat.services.importing.run import locks_out_writers

    kind = Kind(args.kind)
    as_of = None
    if args.as_of:
        try:
            as_of = parse_day(args.as_of)
        except ValueError:
            print(_("--as-of tarihi geçersiz: {text}").format(text=args.as_of), file=sys.stderr)
            return 2
    database = _open(settings)
    try:
        with database.unit_of_work() as session:
            actor = resolve_actor(session, settings.user_login)
            chosen = load_mapping(session, kind, args.mapping) if args.mapping else None
            if chosen is not None and args.save_mapping:
                save_mapping(session, actor, kind, args.save_mapping, chosen)
        options = ImportOptions(
            kind,
            args.file,
            sheet=args.sheet,
            mapping=chosen,
            dry_run=args.dry_run,
            update=args.update,
            valid_only=args.valid_only,
            errors_path=args.errors,
            as_of=as_of,
        )
        if locks_out_writers(database):
            print(
                _("Not: içe aktarma bitene kadar başka oturumlar veritabanına yazamaz."),
                file=sys.stderr,
            )
        summary = run_import(database, actor, options, progress=_StderrProgress())
    finally:
        database.dispose()
    _print_mapping(kind, summary.mapping.columns, summary.mapping.headers)
    hint = _("Düzeltip yeniden deneyin ya da yalnız geçerli satırlar için --valid-only verin.")
    for line in summary_lines(summary, hint):
        print(line)
    return 1 if summary.outcome == "refused" else 0


def _print_mapping(kind: Kind, columns: dict[str, int], headers: tuple[str, ...]) -> None:
    from tui_mutabakat.services.importing.fields import fields_of

    parts = []
    for field in fields_of(kind):
        index = columns.get(field.name)
        if index is not None and index < len(headers):
            parts.append(f"{field.header} ← {headers[index]}")
    print(_("Sütunlar: {parts}").format(parts="; ".join(parts)), file=sys.stderr)
