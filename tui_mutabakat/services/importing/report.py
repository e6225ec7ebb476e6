"""The summary of an import as lines for people: the command line and the screen say the same."""

from __future__ import annotations

from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.i18n import ngettext
from tui_mutabakat.services.importing.run import ImportSummary

#: Row problems listed; the errors file holds every refused row.
SHOWN_PROBLEMS = 50


def summary_lines(summary: ImportSummary, refused_hint: str) -> list[str]:
    """The problems (first `SHOWN_PROBLEMS`), the warnings, the counts and what came of it;
    `refused_hint` says how to import the valid rows where the user is (option or checkbox)."""
    lines = [_("HATA  {problem}").format(problem=p) for p in summary.problems[:SHOWN_PROBLEMS]]
    if summary.refused > SHOWN_PROBLEMS:
        lines.append(
            ngettext(
                "… ve {count} hata daha.",
                "… ve {count} hata daha.",
                summary.refused - SHOWN_PROBLEMS,
            ).format(count=summary.refused - SHOWN_PROBLEMS)
        )
    lines += [_("UYARI {problem}").format(problem=w) for w in summary.warnings[:SHOWN_PROBLEMS]]
    counts = (
        _(
            "Okunan: {read}, eklenen: {added}, güncellenen: {updated}, değişmeyen: "
            "{unchanged}, reddedilen: {refused}"
        )
        if summary.stored
        else _(
            "Okunan: {read}, eklenecek: {added}, güncellenecek: {updated}, değişmeyen: "
            "{unchanged}, reddedilen: {refused} (kaydedilmedi)"
        )
    )
    lines.append(
        counts.format(
            read=summary.read,
            added=summary.added,
            updated=summary.updated,
            unchanged=summary.unchanged,
            refused=summary.refused,
        )
    )
    if summary.errors_written is not None:
        lines.append(_("Hatalı satırlar: {path}").format(path=summary.errors_written))
    if summary.outcome == "refused":
        lines.append(
            _("Hatalı satırlar olduğu için hiçbir satır alınmadı. {hint}").format(hint=refused_hint)
        )
    elif summary.outcome == "dry_run":
        lines.append(_("Deneme: hiçbir şey kaydedilmedi."))
    elif not (summary.added or summary.updated):
        lines.append(_("Yeni ya da değişen satır yok: hiçbir şey eklenmedi."))
    if summary.stored and summary.refused and summary.errors_written is not None:
        lines.append(
            ngettext(
                "Geçerli satırlar alındı. Reddedilen {count} satırı hata dosyasında düzeltip "
                "o dosyayı içe aktarın.",
                "Geçerli satırlar alındı. Reddedilen {count} satırı hata dosyasında düzeltip "
                "o dosyayı içe aktarın.",
                summary.refused,
            ).format(count=summary.refused)
        )
    elif summary.stored and summary.refused:
        lines.append(
            ngettext(
                "Geçerli satırlar alındı; reddedilen {count} satır alınmadı.",
                "Geçerli satırlar alındı; reddedilen {count} satır alınmadı.",
                summary.refused,
            ).format(count=summary.refused)
        )
    return lines
