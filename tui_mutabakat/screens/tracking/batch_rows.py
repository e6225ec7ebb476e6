"""The batches of "Gönderilmiş e-Mutabakatlar" as table rows (SPEC E1, issue 16 point 4).

At 80 columns a row shows the batch number (batches of one date and title differ by it
only), the title (as wide as the rest leaves, at least `TITLE_MIN`), the
send date, the number of letters — the cancelled ones too — the answered share and the
counts that ask for work; a wider terminal shows more of the counts. Every count of the
highlighted batch is written in full below the table (`batch_line`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from tui_mutabakat.domain.formatting import format_day
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.i18n import ngettext
from tui_mutabakat.services.tracking.dashboard import ANSWERED
from tui_mutabakat.widgets.paged_table import Column, TableRow

#: The title column never gets narrower than this (nor than a quarter of the width).
TITLE_MIN = 20


def count_labels() -> dict[str, str]:
    """The state counts of a batch, by their `COUNT_COLUMNS` key, as the columns name them."""
    return {
        "queued": _("Kuyruk"),
        "sent": _("Gitti"),
        "failed": _("Hata"),
        "bounced": _("Döndü"),
        "agreed": _("Mutabık"),
        "disagreed": _("Mutabık değil"),
        "unclear": _("Belirsiz"),
        "no_answer": _("Yanıtsız"),
        "cancelled": _("İptal"),
    }


def progress_bar(counts: dict[str, int], width: int = 10) -> str:
    """Answered share of the letters as `███░░░░░░░`: agreed, not agreed or an answer not yet
    decided (unclear) — the dashboard's response rate counts the same (`ANSWERED`)."""
    total = sum(v for k, v in counts.items() if k != "cancelled")
    if not total:
        return "░" * width
    done = sum(counts.get(state, 0) for state in ANSWERED)
    filled = round(width * done / total)
    return "█" * filled + "░" * (width - filled)


@dataclass(frozen=True, slots=True)
class BatchInfo:
    """One batch as the list shows it."""

    id: int
    title: str
    as_of: dt.date
    answer_by: dt.date
    sender: str
    #: When the batch was written (its letters sent, or queued to be).
    sent_at: dt.datetime
    counts: dict[str, int]
    in_doubt: int = 0

    @property
    def total(self) -> int:
        """Every letter of the batch, the cancelled ones too."""
        return sum(self.counts.values())

    @property
    def answered(self) -> int:
        return sum(self.counts.get(state, 0) for state in ANSWERED)

    @property
    def live(self) -> int:
        """The letters that were not cancelled."""
        return self.total - self.counts.get("cancelled", 0)


def _local_day(moment: dt.datetime) -> dt.date:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone().date()


def _every_column(title_width: int) -> dict[str, Column]:
    """Every column the list may show by its key; the table takes them in this order while
    they fit."""
    numbers = {
        key: Column(label, max(5, len(label)), align="right")
        for key, label in count_labels().items()
    }
    return {
        # The batch number first: batches of the same date and title differ by it.
        "number": Column(_("No"), 4, align="right"),
        "title": Column(_("Başlık"), title_width, flex=True),
        "sent_at": Column(_("Gönderim"), 10),
        "total": Column(_("Mektup"), 6, align="right"),
        "bar": Column(_("Yanıtlanan"), 14),
        "agreed": numbers["agreed"],
        "disagreed": numbers["disagreed"],
        "unclear": numbers["unclear"],
        "bounced": numbers["bounced"],
        "sent": numbers["sent"],
        "no_answer": numbers["no_answer"],
        "cancelled": numbers["cancelled"],
        "in_doubt": Column(_("Şüpheli"), 7, align="right"),
        "failed": numbers["failed"],
        "queued": numbers["queued"],
        "as_of": Column(_("Tarih"), 10),
        "answer_by": Column(_("Son yanıt"), 10),
        "sender": Column(_("Gönderen"), 10),
    }


def batch_columns(width: int) -> tuple[tuple[str, ...], tuple[Column, ...]]:
    """The keys and columns that fit in `width` cells, in order, the title at least
    `TITLE_MIN` or a quarter of the width wide (the first five always)."""
    every = _every_column(max(TITLE_MIN, width // 4))
    keys: list[str] = []
    used = 1  # the table's left margin
    for key, column in every.items():
        need = used + column.width + 1
        if len(keys) >= 5 and need > width:
            break
        keys.append(key)
        used = need
    return tuple(keys), tuple(every[key] for key in keys)


def batch_cell(info: BatchInfo, key: str) -> str:
    if key == "number":
        return str(info.id)
    if key == "title":
        return info.title
    if key == "sent_at":
        return format_day(_local_day(info.sent_at))
    if key == "total":
        return str(info.total)
    if key == "bar":
        return f"{progress_bar(info.counts, 5)} {info.answered}/{info.live}"
    if key == "in_doubt":
        return str(info.in_doubt)
    if key == "as_of":
        return format_day(info.as_of)
    if key == "answer_by":
        return format_day(info.answer_by)
    if key == "sender":
        return info.sender
    return str(info.counts.get(key, 0))


class BatchSource:
    """The batches, already read, as the table's rows for the columns `keys`."""

    def __init__(self, batches: Sequence[BatchInfo], keys: Sequence[str]) -> None:
        self._rows = [
            TableRow(b.id, tuple(batch_cell(b, key) for key in keys), muted=not b.live)
            for b in batches
        ]

    def count(self) -> int:
        return len(self._rows)

    def rows(self, offset: int, limit: int) -> Sequence[TableRow]:
        return self._rows[offset : offset + limit]

    def index_of(self, key: int) -> int | None:
        return next((i for i, row in enumerate(self._rows) if row.key == key), None)


def batch_line(info: BatchInfo) -> str:
    """The highlighted batch in full, below the table: its title, dates, sender and every
    count that is not zero, the cancelled letters too."""
    sent = info.sent_at if info.sent_at.tzinfo else info.sent_at.replace(tzinfo=dt.UTC)
    local = sent.astimezone()
    dates = _("Gönderim {sent} ({sender}) · Tarih {as_of} · Son yanıt {answer_by}").format(
        sent=f"{format_day(local.date())} {local:%H:%M}",
        as_of=format_day(info.as_of),
        answer_by=format_day(info.answer_by),
        sender=info.sender,
    )
    counts = " · ".join(
        f"{label} {info.counts[key]}"
        for key, label in count_labels().items()
        if info.counts.get(key)
    )
    summary = ngettext("{total} mektup: {counts}", "{total} mektup: {counts}", info.total).format(
        total=info.total, counts=counts
    )
    progress = f"{progress_bar(info.counts)} {info.answered}/{info.live}"
    line = f"{info.title}\n{dates}\n{summary} · {progress}"
    if info.in_doubt:
        line += "\n" + _(
            "⚠ Teslimi belirsiz alıcı: {count} (Enter, sonra F6: yalnız bunlar; F9: karar)"
        ).format(count=info.in_doubt)
    return line
