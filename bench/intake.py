"""Mailbox intake throughput: answers and bounces, mixed, in a real Dovecot, paired with a
bare `imaplib` FETCH of the same messages from the same Dovecot.

    python bench/intake.py [--messages 10000] [--chunk 200] [--runs 3] [--profile FILE]

Writes that many sent letters (one accepted recipient each) straight into a fresh SQLite
database, puts one message per letter into INBOX (replies from Outlook, Gmail and
Thunderbird, HTML-only, DSNs from Postfix and Exchange, Exim bounces, auto-replies, spam):
by APPEND up to `--append-up-to` messages, straight into the maildir above. Then, `--runs`
times: `read_mailbox` on a fresh copy of the database (messages/s), then the anchor (log
in, SELECT, UID FETCH BODY.PEEK[] in chunks of the same size). Set-up is outside the clock.

Measured 2026-12-05, 3 000 messages, 3 pairs, load average ~10 on 2 cores: before issue 14,
0.013× the bare FETCH (3.9 s CPU); after (no autoflush per query, a chunk's balances and
recipients in one query each, text fast paths) 0.025× (0.021–0.029), 2.1 s CPU. About
half of the CPU left is parsing (`email` package, `read_message`), a fifth the chunk's
flush; 10k → 40k messages: CPU per message +7 %, wall per message grows with Dovecot's
`UID STORE +FLAGS (\\Seen)` (maildir renames in a big folder: 0.15 → 2.0 ms a message).

Measured again the same day, load average 9–11, 3 000 messages, two rounds of 3 pairs, the
tree before and after in turn: 0.027× / 0.034× (1.93–2.02 s CPU) → 0.045× / 0.042×
(1.37–1.49 s CPU) after a chunk's new rows went by one executemany per table
(`data/bulk_insert.BulkRows`: the ORM wrote each in its own INSERT … RETURNING on SQLite)
and a plain From went without `parseaddr`. Where the CPU goes now (cProfile of the
processing alone, 3 000 messages): reading ~200 µs a message, of which the `email` parser
~60 µs and the rest `email.message` header lookups, header decoding, reply classification
and HTML; applying ~200 µs, mostly the ORM loading the chunk's letters and recipients
(`LetterLookup`) and flushing the changed letters. The 0.1× goal needs both halves
rewritten (no `email.message.Message`, Core rows instead of ORM letters).

2026-12-06, issue 14.3, load average 12–16 on 2 cores, 3 000 messages, two rounds of 3
pairs, the tree before (0fd4d3b) and after in turn: median ratio 0.019× (0.015–0.045) /
0.041× (0.037–0.047), 1.52–1.66 s CPU, 550–700 msg/s → 0.070× (0.040–0.077) / 0.066×
(0.062–0.076), 0.94–1.06 s CPU, 760–1 040 msg/s. What changed: a message of one text part
or of one level of parts (alternative, mixed, related, a delivery report) is read without
the `email` parser (`mail/simple_part.py`, held equal to the parser's reading by
tests/test_mail_simple_part.py; every message of this bench now goes that way); a chunk's
letters and recipients are plain Core rows (`services/tracking/letter_rows.py`), their
changed states one executemany per table, answers with balances one INSERT … RETURNING;
`\\Seen` is set 2 000 messages a STORE. The wall clock is ~3× the CPU at that load (the
process gets a third of a core), so the 0.1× goal is not shown here; 0.3 ms of CPU a
message against an anchor of 25–35k msg/s would be about 0.1× on a quiet machine (not
measured: there was none). Where the CPU goes
now (cProfile of `read_maildir` on the same messages, whole chunk = 100 %): reading 58 %
(the fast reader 15 %, header fields 12 %, HTML to text 6 %, the rest the reply's
classification, tokens and the bounce's scans), applying: new rows' executemany 14 %
(SQLAlchemy's per-row parameter processing), the chunk's queries 8 %, the rules per
message 11 %, state updates 6 %.

Why a message costs more at 100 000 than at 10 000 (`read_mailbox` of the tree at
8e2aa94, the same mix of messages, one run each, load ~8): CPU per message 351 → 363 µs
(first tenth of the 100k run 360, last 398: the SQLite indexes of the processed messages
and histories deepen as they grow, +10 % over the run), FETCH 57 → 89 µs of wall a
message, and Dovecot's `UID STORE +FLAGS (\\Seen)` 147 → 564 µs: in a maildir folder a
flag is a rename of the message's file, and each STORE also rewrites Dovecot's index and
uidlist, whose size grows with the folder (measured apart: 66 → 247 µs a message for
STOREs of 200, 30–53 → 143–178 µs for STOREs of 2 000, at 10k and 50k messages). The
growth is the server's; hence STOREs of 2 000.
"""

from __future__ import annotations

import argparse
import cProfile
import imaplib
import os
import shutil
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402

from bench.paired import interleave, report  # noqa: E402
from tests.imap_server import Dovecot, running_dovecot  # noqa: E402
from tests.mail_samples import (  # noqa: E402
    Original,
    auto_reply,
    exchange_dsn,
    exim_bounce,
    gmail_html_alternative,
    html_reply,
    plain_reply,
    postfix_dsn,
    spam,
)
from tui_mutabakat.config import sqlite_url  # noqa: E402
from tui_mutabakat.data import migrate  # noqa: E402
from tui_mutabakat.data.outbox_models import Letter, Recipient, ReconciliationBatch  # noqa: E402
from tui_mutabakat.data.session import Database  # noqa: E402
from tui_mutabakat.domain.enums import SmtpSecurity  # noqa: E402
from tui_mutabakat.domain.states import LetterState, RecipientState  # noqa: E402
from tui_mutabakat.mail.imap import ImapConfig  # noqa: E402
from tui_mutabakat.mail.message import new_message_id, new_token, subject_with_token  # noqa: E402
from tui_mutabakat.mail.secrets import Secret  # noqa: E402
from tui_mutabakat.services.tracking.mailbox import read_mailbox  # noqa: E402

SENDER = "mutabakat@ornek.com.tr"


def _letters(database: Database, count: int) -> list[Original]:
    with database.unit_of_work() as session:
        batch = ReconciliationBatch(
            title="Bench",
            as_of=date(2026, 12, 31),
            answer_by=date(2027, 1, 31),
            template_name="letter_tr",
            sender_login="bench",
            from_address=SENDER,
            created_by="bench",
        )
        session.add(batch)
        session.flush()
        rows = []
        originals = []
        for i in range(count):
            token = new_token()
            subject = subject_with_token(f"Cari hesap mutabakatı 31.12.2026 — {i}", token)
            message_id = new_message_id(token, SENDER)
            rows.append(
                {
                    "batch_id": batch.id,
                    "account_code": f"120.{i:05d}",
                    "account_title": f"Firma {i}",
                    "currency": "TRY",
                    "debit_total": Decimal("1000"),
                    "credit_total": Decimal("0"),
                    "balance": Decimal("1000"),
                    "side": "B",
                    "token": token,
                    "message_id": message_id,
                    "subject": subject,
                    "state": LetterState.SENT,
                }
            )
            originals.append(Original(subject, message_id, token, SENDER, f"f{i}@firma.example"))
        ids = session.scalars(
            insert(Letter).returning(Letter.id, sort_by_parameter_order=True), rows
        ).all()
        session.execute(
            insert(Recipient),
            [
                {
                    "letter_id": letter_id,
                    "address": original.recipient,
                    "state": RecipientState.ACCEPTED,
                }
                for letter_id, original in zip(ids, originals, strict=True)
            ],
        )
    return originals


def _message(i: int, original: Original) -> bytes:
    kind = i % 10
    if kind == 0:
        return plain_reply(original, "Mutabıkız.")
    if kind == 1:
        return plain_reply(
            original, "Mutabık değiliz, bakiye 12.345,67 TL B", prefix="YNT: ", quote="outlook"
        )
    if kind == 2:
        return gmail_html_alternative(original, "We agree.")
    if kind == 3:
        return html_reply(original, "MUTABIKIZ")
    if kind == 4:
        return plain_reply(original, "Ekstre gönderir misiniz?", quote="thunderbird")
    if kind == 5:
        return postfix_dsn(original)
    if kind == 6:
        return exchange_dsn(original)
    if kind == 7:
        return exim_bounce(original)
    if kind == 8:
        return auto_reply(original)
    return spam()


def _deliver(server: Dovecot, originals: list[Original], append_up_to: int) -> str:
    """Put one message per letter into INBOX: by IMAP APPEND for a small run, straight into
    the maildir's `new/` for a large one (APPEND slows as the mailbox grows; Dovecot indexes
    the files on the first SELECT)."""
    if len(originals) <= append_up_to:
        conn = server.client()
        for i, original in enumerate(originals):
            conn.append("INBOX", "", None, _message(i, original))
        conn.logout()
        return "APPEND"
    home = server.directory / "mail"
    inbox = home / server.login
    for sub in ("cur", "new", "tmp"):
        (inbox / sub).mkdir(parents=True, exist_ok=True)
    owner = home.stat()
    stamp = int(time.time())
    for i, original in enumerate(originals):
        path = inbox / "new" / f"{stamp}.M{i}P{os.getpid()}.bench"
        path.write_bytes(_message(i, original))
        os.chown(path, owner.st_uid, owner.st_gid)
    for directory in (inbox, *(inbox / sub for sub in ("cur", "new", "tmp"))):
        os.chown(directory, owner.st_uid, owner.st_gid)
    return "maildir"


def bare_fetch(server: Dovecot, chunk: int) -> tuple[int, float]:
    """The anchor: plain imaplib, log in, SELECT, UID FETCH BODY.PEEK[] of every message in
    chunks of the product's size; nothing parsed, nothing stored."""
    started = time.perf_counter()
    conn = imaplib.IMAP4(server.host, server.port)
    conn.login(server.login, server.password)
    conn.select("INBOX")
    typ, data = conn.uid("SEARCH", "UID", "1:*")
    assert typ == "OK", data
    uids = data[0].split()
    fetched = 0
    for at in range(0, len(uids), chunk):
        part = b",".join(uids[at : at + chunk]).decode()
        typ, data = conn.uid("FETCH", part, "(BODY.PEEK[])")
        assert typ == "OK", data
        fetched += sum(1 for item in data if isinstance(item, tuple))
    conn.logout()
    return fetched, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--chunk", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3, help="product/anchor pairs")
    parser.add_argument("--append-up-to", type=int, default=2_000)
    parser.add_argument("--profile", help="write a cProfile of an extra, unpaired product run here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        template = Path(tmp) / "template.db"
        database = Database.from_url(sqlite_url(template))
        migrate.upgrade(database.engine)
        originals = _letters(database, args.messages)
        database.dispose()
        with running_dovecot() as server:
            started = time.perf_counter()
            how = _deliver(server, originals, args.append_up_to)
            took = time.perf_counter() - started
            print(f"set-up: {args.messages} messages by {how} in {took:.1f} s")
            settings = ImapConfig(
                server.host, server.port, SmtpSecurity.NONE, server.login, Secret(server.password)
            )
            warm, _ = bare_fetch(server, args.chunk)  # Dovecot builds its index once
            assert warm == args.messages, warm
            runs = iter(range(args.runs + 1))

            def intake(profile: str | None = None) -> float:
                run_number = next(runs)
                path = Path(tmp) / f"run{run_number}.db"
                shutil.copyfile(template, path)
                database = Database.from_url(sqlite_url(path))
                profiler = cProfile.Profile() if profile else None
                cpu = time.process_time()
                if profiler is not None:
                    profiler.enable()
                run = read_mailbox(database, settings, chunk=args.chunk)
                if profiler is not None:
                    profiler.disable()
                    profiler.dump_stats(profile)
                cpu = time.process_time() - cpu
                print(
                    f"  intake: {run.fetched} messages in {run.seconds:.2f} s wall, "
                    f"{cpu:.2f} s CPU; {dict(run.outcomes)}"
                )
                again = read_mailbox(database, settings)
                assert again.fetched == 0, again
                with database.reader() as session:
                    states = session.execute(
                        select(Letter.state, func.count()).group_by(Letter.state)
                    ).all()
                print("  letters:", {str(s.value): n for s, n in states})
                database.dispose()
                assert run.fetched == args.messages, run.fetched
                return run.fetched / run.seconds

            def product() -> float:
                return intake()

            if args.profile:
                # A run of its own: a profiled run is slower and is not one of the pairs.
                print(f"profiled run (not paired) into {args.profile}:")
                intake(args.profile)
            else:
                next(runs)

            def anchor() -> float:
                fetched, seconds = bare_fetch(server, args.chunk)
                assert fetched == args.messages, fetched
                return fetched / seconds

            pairs = interleave(args.runs, product, anchor, "messages/s")
            report(f"intake of {args.messages} messages, messages/s", pairs)


if __name__ == "__main__":
    main()
