"""history reasons as a code and its values, put into words when shown (issue 11.11)

Adds `reason_code` and `reason_args` to `letter_event` and `recipient_event`, and gives the
rows written before them a code where their text has one of the forms the application wrote
(Turkish, or English when it ran in English): such a row then reads in the interface's
language. A text of no known form keeps no code and is shown as it was stored. A recipient's
"250 250 …" (the server's code repeated before its answer) becomes a delivered event.

This file holds its own copy of the old forms: a migration does not change with the code.

Revision ID: 0008w_history_codes
Revises: 0007y_title_key
Create Date: 2026-12-06
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0008w_history_codes"
down_revision = "0007y_title_key"
branch_labels = None
depends_on = None

_BATCH = 5000
_TABLES = ("letter_event", "recipient_event")

_FIXED = {
    "Gönderim kuyruğuna alındı": "queued",
    "Queued for sending": "queued",
    "Gönderen süreç yarıda kaldı; kaldığı yerden sürdürülüyor.": "resumed",
    "The sending process was interrupted; resuming where it stopped.": "resumed",
    "Yarıda kalan gönderim kurtarıldı: teslim edilmiş sayıldı, tekrar gönderilmeyecek.": (
        "recovered_delivered"
    ),
    "An interrupted delivery was recovered: it counts as delivered and will not be sent "
    "again.": "recovered_delivered",
    "Gönderim durduruldu; mektup kuyrukta bekliyor.": "stopped_waiting",
    "Sending stopped; the letter waits in the queue.": "stopped_waiting",
    "Gönderim iptal edildi.": "send_cancelled",
    "The batch was cancelled.": "send_cancelled",
    "Kullanıcı gönderimi iptal etti.": "user_cancelled",
    "The user cancelled the batch.": "user_cancelled",
    "Yanıt tarihi geçti": "answer_overdue",
}
_KIND = r"(?P<kind>mutabık değil|mutabık|belirsiz|agreed|disagreed|unclear)"
_NOTE = r"(?: — (?P<note>.*))?"
_PATTERNS = [
    (
        re.compile(
            r"(?:Teslimi belirsiz alıcılara yeniden gönderim|Resent to the recipients in "
            r"doubt): (?P<addresses>.*?)" + _NOTE
        ),
        "resend_in_doubt",
    ),
    (
        re.compile(
            r"(?:Kullanıcı teslim edilmiş saydı|Taken as delivered by the user): "
            r"(?P<addresses>.*?)" + _NOTE
        ),
        "marked_delivered",
    ),
    (re.compile(r"Yeniden gönderim: (?P<addresses>.*)"), "resend"),
    (re.compile(r"Hatırlatma kuyruğa alındı \((?P<addresses>.*)\)"), "reminder_queued"),
    (re.compile(r"Hatırlatma \((?P<account>.*), mektup (?P<letter>\d+)\)"), "reminder"),
    (re.compile(r"(?P<channel>Telefon|Kâğıt): " + _KIND + _NOTE), "manual_answer"),
    (re.compile(r"Karar: " + _KIND + _NOTE), "decided"),
    (
        re.compile(
            r"E-posta yanıtı: " + _KIND + r" \((?P<sender>[^()]*?)(?P<foreign>, alıcılardan "
            r"değil)?\)(?P<balances>(?:, bakiye .*)?)"
        ),
        "email_answer",
    ),
    (
        re.compile(
            r"portal: (?P<name>.*) <(?P<email>[^<>]*)>, (?P<address>[^,]*): "
            r"(?P<kind>agreed|disagreed|unclear)(?: — (?P<note>.*?))?"
            r"(?P<replaced> \(önceki yanıtın yerine\))?"
        ),
        "portal_answer",
    ),
    (re.compile(r"Geri döndü: (?P<detail>.*)"), "bounced"),
    (re.compile(r"Gecikme bildirimi \(hâlâ deneniyor\): (?P<detail>.*)"), "delayed"),
    (re.compile(r"(?:Dosyaya yazıldı|Written to file): (?P<path>.*)"), "written"),
    (re.compile(r"(?:Dosya zaten yazılmış|File already written): (?P<name>.*)"), "already_written"),
    (re.compile(r"(?P<answer>.*) \((?P<count>\d+) denemeden sonra vazgeçildi\)"), "gave_up"),
]
_KINDS = {"mutabık": "agreed", "mutabık değil": "disagreed", "belirsiz": "unclear"}
_CHANNELS = {"Telefon": "phone", "Kâğıt": "paper"}
_BALANCE = re.compile(
    r", bakiye (?P<amount>-?[\d.,]+)(?: (?P<currency>[A-Z]{3}|TL))?(?: (?P<side>borç|alacak))?"
)
_SIDES = {"borç": "B", "alacak": "A"}
_DELIVERED = re.compile(r"(?:250 )+(?P<rest>.*)|250")


def _amount(text: str) -> str:
    if "," in text:  # Turkish: 1.234,56
        text = text.replace(".", "").replace(",", ".")
    return str(Decimal(text))


def _balances(text: str) -> list[list[str]] | None:
    found = []
    end = 0
    for match in _BALANCE.finditer(text):
        if match.start() != end:
            return None
        end = match.end()
        currency = match["currency"] or "TRY"
        found.append(
            [
                _amount(match["amount"]),
                "TRY" if currency == "TL" else currency,
                _SIDES.get(match["side"] or "", ""),
            ]
        )
    return found if end == len(text) else None


def recognise(text: str, to_state: str, smtp_code: int | None) -> tuple[str, dict[str, Any]]:
    """An old reason's code and values; ("", {}) when it has no known form."""
    text = text.strip()
    if text in _FIXED:
        return _FIXED[text], {}
    if to_state == "accepted" and (smtp_code in (None, 250)):
        delivered = _DELIVERED.fullmatch(text)
        if delivered is not None:
            rest = (delivered["rest"] or "").strip()
            if rest in ("", "250"):
                return "delivered", {}
            if rest.endswith(".eml") and rest.startswith("/"):
                return "written", {"path": rest}
            return "delivered_answer", {"answer": rest}
    for pattern, code in _PATTERNS:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        args = {k: v for k, v in match.groupdict().items() if v}
        try:
            if "kind" in args:
                args["kind"] = _KINDS.get(args["kind"], args["kind"])
            if "channel" in args:
                args["channel"] = _CHANNELS[args["channel"]]
            if code == "email_answer":
                if args.pop("foreign", ""):
                    code = "email_answer_foreign"
                if "balances" in args:
                    balances = _balances(args.pop("balances"))
                    if balances is None:
                        return "", {}
                    args["balances"] = balances
            if "replaced" in args:
                args["replaced"] = True
        except (KeyError, InvalidOperation):
            return "", {}
        return code, args
    return "", {}


def upgrade() -> None:
    for name in _TABLES:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("reason_code", sa.String(length=40), nullable=False, server_default="")
            )
            batch_op.add_column(sa.Column("reason_args", sa.JSON(none_as_null=True), nullable=True))
    connection = op.get_bind()
    for name in _TABLES:
        _convert(connection, name)


def _convert(connection: sa.Connection, name: str) -> None:
    columns: list[sa.ColumnClause[Any]] = [
        sa.column("id", sa.Integer),
        sa.column("to_state", sa.String),
        sa.column("reason", sa.Text),
        sa.column("reason_code", sa.String),
        sa.column("reason_args", sa.JSON(none_as_null=True)),
    ]
    if name == "recipient_event":
        columns.append(sa.column("smtp_code", sa.Integer))
    table = sa.table(name, *columns)
    code_of = table.c.smtp_code if name == "recipient_event" else sa.null()
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(table.c.id, table.c.to_state, table.c.reason, code_of)
            .where(table.c.id > last_id, table.c.reason != "")
            .order_by(table.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            break
        changes = []
        for row_id, to_state, text, smtp_code in rows:
            code, args = recognise(text or "", to_state, smtp_code)
            if code:
                changes.append({"row_id": row_id, "code": code, "args": args or None})
        if changes:
            connection.execute(
                table.update()
                .where(table.c.id == sa.bindparam("row_id"))
                .values(reason_code=sa.bindparam("code"), reason_args=sa.bindparam("args")),
                changes,
            )
        last_id = rows[-1][0]


def downgrade() -> None:
    for name in _TABLES:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_column("reason_args")
            batch_op.drop_column("reason_code")
