"""`mutabakat report batch N --out DIR`: the evidence pack of a batch for the auditor
(SPEC F1): a summary (PDF, xlsx) and a PDF per letter, written owner-only.
Exit status: 0 written, 1 no such batch or the folder cannot be written, 2 wrong arguments."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.i18n import ngettext

if TYPE_CHECKING:
    from tui_mutabakat.config import Settings


def add_report_parser(commands: Any) -> None:
    report = commands.add_parser("report", help=_("denetçi için kanıt dosyaları"))
    kinds = report.add_subparsers(dest="report_command", required=True)
    batch = kinds.add_parser("batch", help=_("bir toplu gönderimin kanıt paketi"))
    batch.add_argument("batch_id", type=int, metavar="N")
    batch.add_argument("--out", required=True, type=Path, metavar="DIR")


def report_main(settings: Settings, args: argparse.Namespace) -> int:
    from tui_mutabakat.data import migrate
    from tui_mutabakat.data.session import Database
    from tui_mutabakat.domain.errors import ServiceError
    from tui_mutabakat.services.reports.evidence import write_batch_evidence

    database = Database.from_url(settings.database_url)
    try:
        migrate.upgrade(database.engine)
        with database.reader() as session:
            written = write_batch_evidence(
                session, args.batch_id, args.out, data_dir=Path(settings.data_dir)
            )
    except ServiceError as error:
        print(f"mutabakat: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"mutabakat: {args.out}: {error}", file=sys.stderr)
        return 1
    finally:
        database.dispose()
    print(
        ngettext(
            "{count} dosya yazıldı: {path}", "{count} dosya yazıldı: {path}", len(written)
        ).format(count=len(written), path=args.out)
    )
    return 0
