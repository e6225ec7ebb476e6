"""The file backend's writers: `FileTransport.deliver` of the same letters by 2 writers
(before issue 14.7) and by the transport's own `concurrency`, interleaved (A B A B …).

    python bench/file_backend.py [--letters 2000] [--runs 3] [--size 6000]

Each letter is one file, written in `tmp/`, fsynced, renamed into `new/` (the durability
is the same for both). Printed: ms a letter, and min / median / max of the paired ratios
(product / anchor: below 1, the product's writers are faster).

Measured 2026-12-05 on the shared 2-core machine (load average ~9), 3 pairs: 2 000
letters, 8 writers 0.58–0.88 ms a letter, 2 writers 1.10–1.53 ms, ratio 0.58 (0.49–0.58);
1 000 letters, 0.76–0.85 ms against 0.90–1.25 ms, ratio 0.85 (0.64–0.92). Not yet
measured: the whole send to the file backend against the SMTP backend (issue 14.7).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from itertools import count
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.paired import interleave, report  # noqa: E402
from tui_mutabakat.mail.file_backend import FileTransport  # noqa: E402
from tui_mutabakat.mail.transport import Envelope  # noqa: E402


async def _write(directory: Path, writers: int, letters: int, size: int, first: int) -> float:
    """ms a letter for `letters` new letters delivered by `writers` at once."""
    transport = FileTransport(directory)
    await transport.open()
    message = b"Subject: bench\r\n\r\n" + b"x" * size
    queue: asyncio.Queue[Envelope] = asyncio.Queue()
    for number in range(first, first + letters):
        recipients = ((number, f"f{number}@firma.example"),)
        queue.put_nowait(Envelope(f"MTB-{number:012d}", "a@ornek.com.tr", recipients, message))

    async def writer() -> None:
        while not queue.empty():
            envelope = queue.get_nowait()
            delivery = await transport.deliver(envelope, None)  # type: ignore[arg-type]
            assert delivery.results, delivery

    started = time.perf_counter()
    await asyncio.gather(*(writer() for _ in range(writers)))
    return (time.perf_counter() - started) / letters * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--letters", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--size", type=int, default=6_000, help="bytes of each message")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
        directory = Path(tmp)
        product_writers = FileTransport(directory).concurrency
        starts = count(0, args.letters)

        def run(writers: int) -> float:
            return asyncio.run(_write(directory, writers, args.letters, args.size, next(starts)))

        pairs = interleave(
            args.runs, lambda: run(product_writers), lambda: run(2), "ms a letter", " ms"
        )
    report(f"file backend, {product_writers} writers vs 2, ms a letter", pairs, " ms")


if __name__ == "__main__":
    main()
