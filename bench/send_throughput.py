"""Send throughput: the whole pipeline (render, outbox, SMTP) against an aiosmtpd sink in
another process, paired with Postfix's `smtp-source` on the same kind of sink.

    python bench/send_throughput.py [--letters 10000] [--connections 16] [--runs 3] [--halves]

The headline: `create_and_send`, what the interface does on "send" (letters composed by a
helper process and written while the sender delivers), then `smtp-source -s 16` with the
same message size, `--runs` times interleaved (A B A B …); printed as min / median / max
of the ratios. The data set is built before the clock starts. `--halves` adds one run each
of: the batch written first and delivered after, `mutabakat worker` running beside, and a
bare aiosmtplib loop, each followed by its own smtp-source run.

Needs smtp-source (`apt-get install postfix`). Measured 2026-12-05, 3 000 letters, 3 pairs,
load average ~10 on 2 cores: 0.19× smtp-source (0.15–0.40). 2026-12-06 (issue 14.5), before
the sender's bookkeeping went through the driver: 0.24× (0.15–0.42) at 3 000 letters and
0.31× (0.21–0.39) at 10 000, load ~1–3; after, load 9–13: 0.21× (0.18–0.38) — under that
load the wall clock is the sink's share of the cores. What the change bought is CPU: the
sender process's CPU a letter, before and after in turn (3 runs each, 3 000 letters, same
load), 0.88 → 0.69 ms (whole pipeline) and 0.50 → 0.38 ms (delivery of a written batch); a
bare aiosmtplib loop takes 0.28 ms. Where the rest goes (cProfile of the delivery, the
time not waiting in epoll, before → after): SQLAlchemy 29 % → 14 %, socket calls 24 % →
28 % (one write and one read per SMTP command), asyncio and aiosmtplib 18 % → 23 %
(a `wait_for` per answer), SQLite's C code 10 % → 12 %, the product's own code 9 % → 14 %.
The compose child spends ~0.65 s CPU importing the ORM models,
Jinja2 and the PDF writer before its first chunk (`compose_child.py` no longer loads the
sender and the SMTP client).
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.paired import interleave, report  # noqa: E402
from tui_mutabakat.config import Settings, sqlite_url  # noqa: E402
from tui_mutabakat.data import migrate  # noqa: E402
from tui_mutabakat.data.models import Account, Company, Contact, Movement, User  # noqa: E402
from tui_mutabakat.data.session import Database  # noqa: E402
from tui_mutabakat.domain.enums import DocumentType, SmtpSecurity  # noqa: E402
from tui_mutabakat.services.context import resolve_actor  # noqa: E402
from tui_mutabakat.services.sending.batch_writer import write_chunks  # noqa: E402
from tui_mutabakat.services.sending.batches import start_batch  # noqa: E402
from tui_mutabakat.services.sending.compose import SendOptions  # noqa: E402
from tui_mutabakat.services.sending.worker import send_batch  # noqa: E402

AS_OF = date(2026, 12, 31)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Sink:
    def __init__(self) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "smtp_sink.py"), str(self.port)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == "ready"

    def stop(self) -> tuple[int, int, int]:
        self.process.send_signal(signal.SIGTERM)
        out, _err = self.process.communicate(timeout=60)
        messages, distinct, size = (int(x) for x in out.split())
        return messages, distinct, size


def build_data(database: Database, letters: int, port: int) -> list[tuple[int, str]]:
    with database.unit_of_work() as session:
        actor = resolve_actor(session, "bench")
        session.add(Company(title="Örnek Ticaret A.Ş.", email="muhasebe@ornek.com.tr"))
        user = session.query(User).filter_by(login=actor.login).one()
        user.from_address = "mutabakat@ornek.com.tr"
        user.display_name = "Örnek Muhasebe"
        user.smtp_host, user.smtp_port, user.smtp_security = "127.0.0.1", port, SmtpSecurity.NONE
        accounts = [
            Account(code=f"120.{n:06d}", title=f"Müşteri {n} Ticaret Ltd. Şti.")
            for n in range(letters)
        ]
        session.add_all(accounts)
        session.flush()
        session.add_all(
            Contact(account_id=a.id, name=f"Yetkili {a.id}", email=f"muhasebe{a.id}@firma.com.tr")
            for a in accounts
        )
        session.add_all(
            Movement(
                account_id=a.id,
                date=date(2026, 6, 1),
                doc_type=DocumentType.SALES_INVOICE,
                debit=Decimal(1000 + a.id) + Decimal("0.45"),
                credit=Decimal("0"),
            )
            for a in accounts
        )
        return [(a.id, "TRY") for a in accounts]


def _prepared(
    workdir: Path, name: str, letters: int
) -> tuple[Sink, Database, list[tuple[int, str]]]:
    sink = Sink()
    database = Database.from_url(sqlite_url(workdir / f"{name}.sqlite3"))
    migrate.upgrade(database.engine)
    return sink, database, build_data(database, letters, sink.port)


def _check(sink: Sink, database: Database, letters: int) -> int:
    messages, distinct, size = sink.stop()
    database.dispose()
    assert messages == distinct == letters, (messages, distinct)
    return size // max(1, messages)


def send_now(letters: int, connections: int, workdir: Path) -> tuple[float, int]:
    """What the interface does on "send": `create_and_send` writes the letters (in a child
    process for a batch this large) while the sender delivers them. From the keypress to
    the last letter accepted by the server."""
    from tui_mutabakat.services.sending.send_now import create_and_send

    sink, database, keys = _prepared(workdir, "now", letters)
    settings = Settings(data_dir=workdir, database_url="", mail_backend="smtp")
    with database.unit_of_work() as session:
        actor = resolve_actor(session, "bench")
    started = time.perf_counter()
    result = asyncio.run(
        create_and_send(
            database, settings, actor, AS_OF, keys, SendOptions(), connections=connections
        )
    )
    elapsed = time.perf_counter() - started
    assert result.fill_error is None and result.report.progress.sent == letters, result
    return elapsed, _check(sink, database, letters)


def one_after_the_other(letters: int, connections: int, workdir: Path) -> tuple[float, float]:
    """The two halves measured apart: write the whole batch, then deliver it."""
    sink, database, keys = _prepared(workdir, "apart", letters)
    settings = Settings(data_dir=workdir, database_url="", mail_backend="smtp")
    started = time.perf_counter()
    with database.unit_of_work() as session:
        actor = resolve_actor(session, "bench")
    created = write_chunks(database, start_batch(database, actor, AS_OF, keys, SendOptions()))
    queued = time.perf_counter()
    assert created.batch_id is not None and created.letters == letters
    report = asyncio.run(
        send_batch(database, replace(settings), created.batch_id, connections=connections)
    )
    finished = time.perf_counter()
    assert report.progress.sent == letters, report
    _check(sink, database, letters)
    return queued - started, finished - queued


def overlapped(letters: int, connections: int, workdir: Path) -> float:
    """The same pipeline with `mutabakat worker` running beside the interface: the batch
    is committed chunk by chunk while the worker process already delivers."""
    import os

    from sqlalchemy import func, select

    from tui_mutabakat.data.outbox_models import Letter
    from tui_mutabakat.domain.states import LetterState

    sink, database, keys = _prepared(workdir, "overlap", letters)
    url = sqlite_url(workdir / "overlap.sqlite3")
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "MUTABAKAT_MAIL_BACKEND": "smtp",
        "MUTABAKAT_DATA_DIR": str(workdir),
        "MUTABAKAT_CONFIG": str(workdir / "none.toml"),
    }
    code = "import sys; from tui_mutabakat.cli_worker import worker_main; "
    code += "sys.exit(worker_main(sys.argv[1:]))"
    worker = subprocess.Popen(
        [sys.executable, "-c", code, "--db", url, "--poll", "0.05", "--no-migrate"]
        + ["--connections", str(connections)],
        env=env,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(2.0)
    started = time.perf_counter()
    with database.unit_of_work() as session:
        actor = resolve_actor(session, "bench")
    write_chunks(database, start_batch(database, actor, AS_OF, keys, SendOptions()))
    sent = 0
    while sent < letters:
        time.sleep(0.02)
        with database.reader() as session:
            statement = select(func.count()).where(Letter.state == LetterState.SENT)
            sent = int(session.scalar(statement) or 0)
    elapsed = time.perf_counter() - started
    worker.send_signal(signal.SIGTERM)
    worker.wait(timeout=60)
    _check(sink, database, letters)
    return elapsed


def bare_aiosmtplib(letters: int, connections: int, size: int) -> float:
    """The floor of any aiosmtplib sender: a loop of `sendmail` on reused connections, the
    same message each time (no database, no rendering)."""
    import aiosmtplib

    sink = Sink()
    line = b"x" * 74 + b"\r\n"
    body = b"Subject: bench\r\nMessage-ID: <%d@bench>\r\n\r\n" + line * (size // len(line))
    queue = list(range(letters))

    async def connection() -> None:
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=sink.port, start_tls=False)
        await client.connect()
        while queue:
            n = queue.pop()
            await client.sendmail("a@ornek.com.tr", ["b@firma.com.tr"], body % n)
        await client.quit()

    async def run() -> float:
        started = time.perf_counter()
        await asyncio.gather(*(connection() for _ in range(connections)))
        return time.perf_counter() - started

    elapsed = asyncio.run(run())
    messages, distinct, _size = sink.stop()
    assert messages == distinct == letters
    return letters / elapsed


def smtp_source(letters: int, size: int | None) -> float | None:
    tool = shutil.which("smtp-source") or "/usr/sbin/smtp-source"
    if not Path(tool).exists():
        return None
    sink = Sink()
    command = [tool, "-s", "16", "-d", "-m", str(letters), "-f", "a@ornek.com.tr"]
    command += ["-t", "b@firma.com.tr"]
    if size:
        command += ["-l", str(size)]
    started = time.perf_counter()
    subprocess.run([*command, f"127.0.0.1:{sink.port}"], check=True, capture_output=True)
    elapsed = time.perf_counter() - started
    messages, _distinct, _size = sink.stop()
    assert messages == letters, messages
    return letters / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--letters", type=int, default=10_000)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--runs", type=int, default=3, help="product/anchor pairs")
    parser.add_argument(
        "--halves", action="store_true", help="also: write then deliver, the worker, bare loop"
    )
    args = parser.parse_args()
    n, connections = args.letters, args.connections
    tool = shutil.which("smtp-source") or "/usr/sbin/smtp-source"
    if not Path(tool).exists():
        print("smtp-source: not installed (apt-get install postfix); no anchor, no ratio")
        return
    sizes: list[int] = []

    def product() -> float:
        with tempfile.TemporaryDirectory() as tmp:
            whole, size = send_now(n, connections, Path(tmp))
        sizes.append(size)
        return n / whole

    def anchor() -> float:
        rate = smtp_source(n, sizes[-1])
        assert rate is not None
        return rate

    print(f"{n} letters, {connections} SMTP connections, this machine:")
    pairs = interleave(args.runs, product, anchor, "letters/s")
    report(
        f"whole pipeline as the interface sends vs smtp-source -s 16 -l {sizes[-1]}, letters/s",
        pairs,
    )
    if not args.halves:
        return
    size = sizes[-1]
    with tempfile.TemporaryDirectory() as tmp:
        write, deliver = one_after_the_other(n, connections, Path(tmp))
    same = smtp_source(n, size) or 0.0
    with tempfile.TemporaryDirectory() as tmp:
        beside = overlapped(n, connections, Path(tmp))
    again = smtp_source(n, size) or 0.0
    bare = bare_aiosmtplib(n, connections, size)
    last = smtp_source(n, size) or 0.0
    print("one run each, each beside an smtp-source run right after it:")
    print(f"  write the batch {write:6.2f} s ({n / write:6.0f} /s), then deliver")
    print(f"  {deliver:6.2f} s ({n / deliver:6.0f} /s) = {n / deliver / same:.2f}x smtp-source")
    print(f"  written here, delivered by `mutabakat worker`: {n / beside:6.0f} /s", end="")
    print(f" = {n / beside / again:.2f}x")
    print(f"  bare aiosmtplib loop (no database, one message): {bare:6.0f} /s = {bare / last:.2f}x")


if __name__ == "__main__":
    main()
