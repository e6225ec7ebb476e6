"""The file backend against the SMTP backend: the same queued batch delivered by the
sender (`send_batch`, claims, outcomes and history included) once to the file backend's
maildir and once over SMTP to an aiosmtpd sink in another process, interleaved (A B A B …).

    python bench/file_backend.py [--letters 3000] [--runs 3] [--connections 16]

Each letter to the file backend is one file written in `tmp/`, fsynced, renamed into
`new/`, and the directory fsynced before the letter counts as delivered (one directory
fsync serves every rename made before it started). The batch is written before the clock
starts. Printed: ms a letter for each, and min / median / max of the paired ratios
(file / SMTP: at most 1, the file backend is at least as fast).

Measured 2026-12-06, 2 000 letters, 3 pairs, load average 7–8 on 2 cores: before the
directory fsync (a rename was not yet durable when the letter counted) 0.85 (0.66–0.92),
1.57 ms against 1.85 ms; with one shared directory fsync 0.70 (0.31–0.91), 1.22 ms against
1.73 ms (issue 14.7).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.paired import interleave, report  # noqa: E402
from bench.send_throughput import AS_OF, _check, _prepared  # noqa: E402
from tui_mutabakat.config import Settings  # noqa: E402
from tui_mutabakat.services.context import resolve_actor  # noqa: E402
from tui_mutabakat.services.sending.batch_writer import write_chunks  # noqa: E402
from tui_mutabakat.services.sending.batches import start_batch  # noqa: E402
from tui_mutabakat.services.sending.compose import SendOptions  # noqa: E402
from tui_mutabakat.services.sending.worker import send_batch  # noqa: E402


def deliver(letters: int, connections: int, backend: str) -> float:
    """ms a letter: the queued batch delivered through `backend` ("file" or "smtp")."""
    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
        workdir = Path(tmp)
        sink, database, keys = _prepared(workdir, backend, letters)
        settings = Settings(data_dir=workdir, database_url="", mail_backend=backend)
        with database.unit_of_work() as session:
            actor = resolve_actor(session, "bench")
        created = write_chunks(database, start_batch(database, actor, AS_OF, keys, SendOptions()))
        assert created.batch_id is not None and created.letters == letters
        started = time.perf_counter()
        result = asyncio.run(
            send_batch(database, settings, created.batch_id, connections=connections)
        )
        elapsed = time.perf_counter() - started
        assert result.progress.sent == letters, result
        if backend == "smtp":
            _check(sink, database, letters)
        else:
            sink.stop()
            database.dispose()
            written = list((settings.mail_outbox / "new").iterdir())
            assert len(written) == letters, len(written)
    return elapsed / letters * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--letters", type=int, default=3_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16, help="SMTP connections")
    args = parser.parse_args()
    print(f"{args.letters} letters, this machine:")
    pairs = interleave(
        args.runs,
        lambda: deliver(args.letters, args.connections, "file"),
        lambda: deliver(args.letters, args.connections, "smtp"),
        "ms a letter",
        " ms",
    )
    report("file backend vs SMTP backend, the whole delivery, ms a letter", pairs, " ms")


if __name__ == "__main__":
    main()
