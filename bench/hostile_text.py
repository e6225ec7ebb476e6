"""Hostile text against the mailbox reader (issue 10, item 2): seconds per adversarial input.

    python bench/hostile_text.py [--sizes 10000,20000,40000] [--limit 60]

Each case builds one adversarial message body of the given size and times the function of
the reader that examines it (the whole `read_message` and the pure text function). Each
measurement runs in a child process killed after `--limit` seconds, so the quadratic cases
of the old reader report "> limit" instead of hanging the bench.

Measured 2026-12-05 on the shared 2-core machine (seconds for one `read_message`; a
single run each, so small figures carry the machine's noise). Before = commit 2130b67,
child killed at 30 s:

    case                     10 KB     40 KB    160 KB
    dashes line (bounce)     1.924    > 30      > 30
    no-@ run (bounce)        0.079     1.253    > 30
    tarihinde (reply)        0.204     2.570    > 30
    wrote/yazdi (reply)      0.011     0.028     0.104
    many @ (bounce)          0.010     0.012     0.047
    message-id (bounce)      0.511     8.623    > 30
    mutabik spaces (reply)   0.015     0.024     0.074
    numbers (reply)          0.031     0.096     0.379
    worst: dashes line at 40 KB, over 30 s (28 s in the issue)

After (this branch):

    case                     10 KB     40 KB    160 KB    1000 KB
    dashes line (bounce)     0.002     0.044     0.063     0.054
    no-@ run (bounce)        0.006     0.008     0.031     0.074
    tarihinde (reply)        0.004     0.015     0.044     0.078
    wrote/yazdi (reply)      0.006     0.006     0.003     0.040
    many @ (bounce)          0.010     0.008     0.033     0.077
    message-id (bounce)      0.001     0.002     0.021     0.031
    mutabik spaces (reply)   0.010     0.002     0.009     0.046
    numbers (reply)          0.058     0.121     0.257     0.287
    worst: numbers (reply) at 1 MB, 0.29 s (linear figure parsing over the 100 000
    characters the reader examines)
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def bounce(body: str) -> bytes:
    return (
        "From: MAILER-DAEMON@mx.example.com\r\nTo: mutabakat@ornek.com.tr\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <b1@mx.example.com>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body
    ).encode()


def reply(body: str) -> bytes:
    return (
        "From: ali@alfa.com.tr\r\nTo: mutabakat@ornek.com.tr\r\n"
        "Subject: YNT: Cari hesap mutabakati\r\nMessage-ID: <r1@alfa.com.tr>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body
    ).encode()


def cases() -> dict[str, Callable[[int], bytes]]:
    return {
        "dashes line (bounce)": lambda n: bounce("-" * n + "\r\n"),
        "no-@ run (bounce)": lambda n: bounce("a" * n + "\r\n"),
        "tarihinde (reply)": lambda n: reply("tarihinde " * (n // 10) + "\r\n"),
        "wrote/yazdi (reply)": lambda n: reply("On wrote: " * (n // 10) + "x\r\n"),
        "many @ (bounce)": lambda n: bounce("a@" * (n // 2) + "\r\n"),
        "message-id (bounce)": lambda n: bounce("Message-ID: <" + "@" * n + "\r\n"),
        "mutabik spaces (reply)": lambda n: reply("mutabik " + " " * n + "x\r\n"),
        "numbers (reply)": lambda n: reply("mutabik degiliz " + "1 111" * (n // 5) + "\r\n"),
    }


def _time(name: str, size: int, queue: multiprocessing.Queue[float]) -> None:
    from tui_mutabakat.mail.answers import read_message

    raw = cases()[name](size)
    started = time.perf_counter()
    read_message(raw)
    queue.put(time.perf_counter() - started)


def measure(name: str, size: int, limit: float) -> float | None:
    queue: multiprocessing.Queue[float] = multiprocessing.Queue()
    child = multiprocessing.Process(target=_time, args=(name, size, queue))
    child.start()
    child.join(limit)
    if child.is_alive():
        child.kill()
        child.join()
        return None
    return queue.get() if not queue.empty() else None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,40000,160000,1000000")
    parser.add_argument("--limit", type=float, default=60.0)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    worst: tuple[float, str, int] = (0.0, "", 0)
    print(f"{'case':24}" + "".join(f"{s // 1000:>10} KB" for s in sizes))
    for name in cases():
        cells = []
        for size in sizes:
            seconds = measure(name, size, args.limit)
            cells.append(f"> {args.limit:.0f} s" if seconds is None else f"{seconds:.3f} s")
            cost = args.limit if seconds is None else seconds
            if cost > worst[0]:
                worst = (cost, name, size)
            sys.stdout.flush()
        print(f"{name:24}" + "".join(f"{c:>13}" for c in cells), flush=True)
    print(f"worst: {worst[1]} at {worst[2] // 1000} KB: {worst[0]:.3f} s")


if __name__ == "__main__":
    main()
