"""`mutabakat send`: quarter-end sends, scheduled and scripted (SPEC D1–D7).

The arguments are read here; what they mean is decided in `services.send_command`, which
takes the screen's path (criteria, checks, duplicate guard, batch writer, sender).

Accounts that already have a live letter for the date: on a terminal, without `--yes`, the
command asks (skip, the default, or send again); otherwise they are skipped and the
command says so. `--again` sends them again without asking. `--yes` never asks anything.
Exit status: 0 when letters went (or were queued with `--queue-only`), 1 when nothing could
be sent, 2 for wrong arguments.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.i18n import ngettext

if TYPE_CHECKING:
    from tui_mutabakat.config import Settings
    from tui_mutabakat.services.sending.send_command import SendCommand, SendOutcome

#: `InvalidInput.field` values that name an argument of the command (exit status 2).
ARGUMENT_FIELDS = frozenset({"answer_by", "template", "title", "codes", "balance", "currency"})

#: What prints a line (tests pass their own).
Out = Callable[[str], None]


def add_send_parser(commands: Any) -> None:
    """The `send` subcommand and its options."""
    send = commands.add_parser(
        "send",
        help=_("mutabakat mektuplarını komut satırından gönder (bkz. `send --help`)"),
        description=_(
            "Kriterlere uyan hesaplara mutabakat mektubu yazar ve gönderir (ekrandaki "
            "e-Mutabakat Gönder ile aynı kriterler, denetimler ve hata listesi). Bu tarih "
            "için mektubu olan hesaplar atlanır; terminalde --yes verilmezse sorulur. "
            "Çıkış kodu: 0 gönderildi, 1 hiçbir mektup gönderilemedi, 2 hatalı argüman."
        ),
    )
    send.add_argument(
        "--as-of", required=True, metavar=_("TARİH"), help=_("mutabakat tarihi (31.12.2026)")
    )
    send.add_argument(
        "--codes",
        default="",
        metavar=_("BAŞ..SON"),
        help=_("hesap kodu aralığı: 120.001..120.099, 120.. ya da ..329"),
    )
    send.add_argument("--group", default="", help=_("grup kodu"))
    send.add_argument("--sector", default="", help=_("sektör kodu"))
    send.add_argument("--region", default="", help=_("bölge kodu"))
    send.add_argument("--currency", default="", help=_("yalnız bu döviz (TRY, USD, EUR, GBP)"))
    send.add_argument(
        "--balance",
        default="all",
        metavar="all|nonzero|debit|credit|above:" + _("TUTAR"),
        help=_("bakiye süzgeci (varsayılan: all)"),
    )
    send.add_argument(
        "--only-valid", action="store_true", help=_("yalnız geçerli e-posta adresi olanlar")
    )
    send.add_argument("--title", default="", help=_("mektupların konusu (varsayılan: şablondan)"))
    send.add_argument(
        "--answer-by",
        default="",
        metavar=_("TARİH"),
        help=_("geçerlilik (son yanıt) tarihi; varsayılan: çalışma ayarlarından"),
    )
    send.add_argument(
        "--template", default="letter_tr", metavar=_("AD"), help=_("şablon (letter_tr)")
    )
    send.add_argument("--open-items", action="store_true", help=_("açık kalemleri mektuba yaz"))
    send.add_argument("--statement", action="store_true", help=_("ekstreyi ek olarak gönder"))
    send.add_argument("--pdf", action="store_true", help=_("mektubu PDF olarak da ekle"))
    send.add_argument(
        "--per-currency",
        action="store_true",
        help=_("her dövize ayrı mektup (varsayılan: hesap başına tek mektup, her döviz içinde)"),
    )
    send.add_argument(
        "--include-zero", action="store_true", help=_("sıfır bakiyeli hesaplara da gönder")
    )
    send.add_argument(
        "--queue-only",
        action="store_true",
        help=_("yalnız kuyruğa yaz; `mutabakat worker` gönderir"),
    )
    send.add_argument(
        "--again",
        action="store_true",
        help=_("bu tarih için mektubu olan hesaplara da yeniden gönder"),
    )
    send.add_argument(
        "--yes", action="store_true", help=_("hiçbir şey sorma (betikler ve zamanlanmış işler)")
    )


def send_main(
    settings: Settings,
    args: argparse.Namespace,
    *,
    out: Out | None = None,
    ask: Callable[[str], str] | None = None,
) -> int:
    """Run `mutabakat send`; `ask` reads an answer (default: `input` on a terminal)."""
    from tui_mutabakat.data import migrate
    from tui_mutabakat.domain.errors import InvalidInput, ServiceError
    from tui_mutabakat.services.context import resolve_actor
    from tui_mutabakat.services.portal.links import open_database
    from tui_mutabakat.services.sending.send_command import build_command, run_send, select_rows

    say: Out = out or print
    if ask is None and not args.yes and sys.stdin.isatty():
        ask = input
    if args.yes:
        ask = None
    try:
        command = build_command(
            as_of=args.as_of,
            codes=args.codes,
            group=args.group,
            sector=args.sector,
            region=args.region,
            currency=args.currency,
            balance=args.balance,
            only_valid=args.only_valid,
            title=args.title,
            answer_by=args.answer_by,
            template=args.template,
            open_items=args.open_items,
            statement=args.statement,
            per_currency=args.per_currency,
            pdf=args.pdf,
            include_zero=args.include_zero,
            queue_only=args.queue_only,
            again=args.again,
        )
    except InvalidInput as error:
        _error(str(error))
        return 2
    database = open_database(settings)
    try:
        migrate.upgrade(database.engine)
        with database.unit_of_work() as session:
            actor = resolve_actor(session, settings.user_login)
        try:
            selection = select_rows(database, actor, command)
        except ServiceError as error:
            # A wrong argument is 2; what the data or the settings lack (no matching
            # account, no sender address) is 1.
            _error(str(error))
            return 2 if getattr(error, "field", None) in ARGUMENT_FIELDS else 1
        say(
            _("{rows} seçildi ({accounts}).").format(
                rows=ngettext("{count} satır", "{count} satır", len(selection.keys)).format(
                    count=len(selection.keys)
                ),
                accounts=ngettext("{count} hesap", "{count} hesap", selection.accounts).format(
                    count=selection.accounts
                ),
            )
        )
        decided = _decide_duplicates(command, selection.duplicates.accounts, say, ask)
        if decided is None:
            say(_("Vazgeçildi; mektup yazılmadı."))
            return 1
        command = decided
        try:
            outcome = asyncio.run(run_send(database, settings, actor, command, selection.keys))
        except ServiceError as error:
            _error(str(error))
            return 1
    finally:
        database.dispose()
    _print_outcome(settings, command.queue_only, outcome, say)
    return 1 if outcome.nothing_sent(command.queue_only) else 0


def _decide_duplicates(
    command: SendCommand, accounts: int, say: Out, ask: Callable[[str], str] | None
) -> SendCommand | None:
    """The command to run once the accounts that already have a letter are decided on;
    `None`: the user gave up."""
    if not accounts or command.again:
        if accounts:
            say(
                ngettext(
                    "{count} hesabın bu tarih için mektubu var; --again ile yine gönderiliyor.",
                    "{count} hesabın bu tarih için mektubu var; --again ile yine gönderiliyor.",
                    accounts,
                ).format(count=accounts)
            )
        return command
    if ask is not None:
        answer = ask(
            ngettext(
                "{count} hesabın bu tarih için mektubu var. Atla (A), yine gönder (Y), "
                "vazgeç (V)? [A] ",
                "{count} hesabın bu tarih için mektubu var. Atla (A), yine gönder (Y), "
                "vazgeç (V)? [A] ",
                accounts,
            ).format(count=accounts)
        )
        choice = answer.strip().lower()[:1]
        if choice == "v":
            return None
        if choice == "y":
            return replace(command, again=True)
    say(
        ngettext(
            "{count} hesabın bu tarih için mektubu var; atlandı (yine göndermek için --again).",
            "{count} hesabın bu tarih için mektubu var; atlandı (yine göndermek için --again).",
            accounts,
        ).format(count=accounts)
    )
    return command


def _print_outcome(settings: Settings, queue_only: bool, outcome: SendOutcome, say: Out) -> None:
    from tui_mutabakat.services.sending.error_list import error_lines
    from tui_mutabakat.services.sending.send_report import summary_lines

    say(_("Gönderim {batch}.").format(batch=outcome.batch_id))
    if outcome.fill_error:
        say(_("Mektuplar yazılırken hata oldu: {error}").format(error=outcome.fill_error))
    report = outcome.report
    if report is not None and report.transport_error:
        say(_("Sunucu hatası: {error}").format(error=report.transport_error))
    if queue_only:
        say(
            ngettext(
                "{letters} mektup kuyruğa yazıldı; `mutabakat worker` gönderir. Atlandı: {skipped}",
                "{letters} mektup kuyruğa yazıldı; `mutabakat worker` gönderir. Atlandı: {skipped}",
                outcome.letters,
            ).format(letters=outcome.letters, skipped=outcome.summary.skipped)
        )
    else:
        outbox = None if settings.mail_backend == "smtp" else str(settings.mail_outbox / "new")
        for line in summary_lines(outcome.summary, outbox, error_list_key=False):
            say(line)
    lines = error_lines(outcome.errors)
    if lines:
        say("")
        say(_("Hata listesi (ekranda: Gönderilmiş e-Mutabakatlar, F4):"))
        for line in lines:
            say(line)


def _error(message: str) -> None:
    print(f"mutabakat send: {message}", file=sys.stderr)
