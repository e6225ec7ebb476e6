"""What the answer page lets the visitor download (issue 15, point 3): the letter's own
files as they were e-mailed (its statement, its PDF) and the open items the page shows, as
a CSV in the page's language. Each behind the same link check as the page."""

from __future__ import annotations

import csv
import io
import re

from starlette.responses import Response

from tui_mutabakat.domain.formatting import currency_label
from tui_mutabakat.mail.templates import fast_amount, fast_day
from tui_mutabakat.services.portal.answers import Document, PageView

#: A spreadsheet takes a cell starting with one of these as a formula.
_FORMULA = re.compile(r"^[=+\-@\t\r]")


def _cell(text: str) -> str:
    return "'" + text if _FORMULA.match(text) else text


def attachment(content: bytes, content_type: str, name: str) -> Response:
    """A download: never shown inline, never sniffed, its name plain ASCII."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name)[:100] or "belge"
    return Response(
        content,
        media_type=content_type,
        headers={"content-disposition": f'attachment; filename="{safe}"'},
    )


def document_response(document: Document) -> Response:
    return attachment(document.content, document.content_type, document.name)


def open_items_csv(view: PageView, w: dict[str, str]) -> bytes:
    """The open items of every currency, `;`-separated UTF-8 with a byte-order mark (as
    Turkish Excel opens it), amounts and dates written as the page shows them."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [w["currency"], w["date"], w["doc_no"], w["description"], w["due"], w["open"], "B/A"]
    )
    for currency, items in view.open_items.items():
        for item in items:
            writer.writerow(
                [
                    currency_label(currency),
                    fast_day(item.date),
                    _cell(item.doc_no),
                    _cell(item.description),
                    fast_day(item.due_date),
                    fast_amount(item.open_amount),
                    "B" if item.debit > 0 else "A",
                ]
            )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def open_items_name(view: PageView) -> str:
    return f"acik_kalemler_{view.account_code}_{view.as_of.isoformat()}.csv"
