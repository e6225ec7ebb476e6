"""What a send comes to, as text: the summary the progress screen and `mutabakat send`
show when a batch ends (SPEC D7)."""

from __future__ import annotations

from tui_mutabakat.domain.states import LetterState, letter_state_label
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.services.sending.batch_status import BatchSummary


def summary_lines(
    summary: BatchSummary, outbox: str | None, *, error_list_key: bool = True
) -> list[str]:
    """What the user reads when the batch ends: counts, failures with why, skipped
    (`error_list_key`: point to the F4 error list; the command line prints the list)."""
    counts = summary.counts
    lines = [
        _("Gönderildi: {sent} · Gönderilemedi: {failed} · Atlandı: {skipped}").format(
            sent=summary.sent,
            failed=counts.get(LetterState.FAILED.value, 0),
            skipped=summary.skipped,
        )
    ]
    extra = [
        f"{letter_state_label(state)}: {counts[state.value]}"
        for state in (LetterState.CANCELLED, LetterState.QUEUED, LetterState.SENDING)
        if counts.get(state.value)
    ]
    if extra:
        lines.append(" · ".join(extra))
    if summary.waiting:
        lines.append(
            _(
                "Bekleyen mektuplar kuyrukta kalır; `mutabakat worker` ya da yeni bir "
                "gönderim onları gönderir."
            )
        )
    if summary.failed:
        lines += ["", _("Gönderilemeyenler:")]
        lines += [f"  {f.account_code} {f.account_title}: {f.reason}" for f in summary.failed]
    if summary.refused:
        lines += ["", _("Sunucunun reddettiği adresler:")]
        lines += [f"  {r.account_code} {r.address}: {r.answer}" for r in summary.refused]
    if summary.skipped and error_list_key:
        lines += ["", _("Atlanan hesapların nedenleri ve düzeltme: F4 hata listesi.")]
    if outbox:
        lines += ["", _("Mektuplar bu klasörde: {path}").format(path=outbox)]
    return lines
