"""The answer page under load (issue 15): 50 concurrent clients, 2 000 page views and 500
answers against a real `mutabakat portal` (uvicorn) on loopback, beside a bare Starlette
"hello" on the same uvicorn in the same run.

    PYTHONPATH=. python bench/portal.py [--letters 500] [--views 2000] [--clients 50] [--runs 3]

Each run is a portal part (the views and the answers shuffled together; an answer is a GET
of its page then the POST of its form, on fresh letters every run) followed by the hello
part with as many requests (bench/paired.py: product and anchor interleaved, the paired
ratios as min / median / max). Reports requests/s and p50/p95 latency of each part, the
errors (any status but the expected one, any exception) and the answers lost (acknowledged
with a 303, yet not in the database). SQLite in a temporary directory; the letters are
really composed and sent to the file backend first.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import paired  # noqa: E402
from tests.send_data import (  # noqa: E402
    add_account,
    add_company,
    add_movement,
    configure_sender,
    write_batch,  # noqa: E402
)
from tui_mutabakat.config import Settings, sqlite_url  # noqa: E402
from tui_mutabakat.data import migrate  # noqa: E402
from tui_mutabakat.data.outbox_models import Letter  # noqa: E402
from tui_mutabakat.data.session import Database  # noqa: E402
from tui_mutabakat.data.tracking_models import LetterAnswer  # noqa: E402
from tui_mutabakat.services.context import resolve_actor  # noqa: E402
from tui_mutabakat.services.portal.links import PortalLinks, load_key  # noqa: E402
from tui_mutabakat.services.sending.compose import SendOptions  # noqa: E402
from tui_mutabakat.services.sending.worker import send_batch  # noqa: E402

BASE_URL = "https://mutabakat.bench.com.tr"
AS_OF = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
HELLO = """
import sys, uvicorn
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
async def hello(request):
    return PlainTextResponse("hello")
app = Starlette(routes=[Route("/", hello)])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=False, server_header=False,
            log_level="warning")
"""
FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("the server did not start")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not start in time")


async def make_letters(database: Database, data_dir: Path, count: int) -> list[str]:
    with database.unit_of_work() as session:
        actor = resolve_actor(session, "bench")
        add_company(session)
        configure_sender(session, actor.login)
        ids = []
        for n in range(count):
            account = add_account(
                session, f"120.{n:05d}", f"Bench Cari {n}", emails=(f"c{n}@bench.com.tr",)
            )
            add_movement(session, account, AS_OF - dt.timedelta(days=3), debit=f"{1000 + n}")
            ids.append(account.id)
        session.flush()
        answer_by = AS_OF + dt.timedelta(days=15)
    created = write_batch(
        database, actor, AS_OF, [(i, "") for i in ids], SendOptions(answer_by=answer_by)
    )
    assert created.batch_id is not None
    url = database.engine.url.render_as_string(hide_password=False)
    await send_batch(database, Settings(data_dir=data_dir, database_url=url), created.batch_id)
    links = PortalLinks(BASE_URL, load_key(data_dir), 14)
    with database.reader() as session:
        tokens = session.scalars(select(Letter.token).order_by(Letter.id)).all()
    return [links.token(t, answer_by) for t in tokens]


async def run(jobs: list[tuple[str, str, str]], clients: int, address: str) -> dict[str, object]:
    """Each job: (kind, method, path); kind "answer" is a GET of the page then its POST."""
    queue: asyncio.Queue[tuple[str, str, str]] = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)
    latencies: dict[str, list[float]] = {}
    errors: list[str] = []
    acknowledged = 0

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal acknowledged
        while not queue.empty():
            kind, method, path = queue.get_nowait()
            started = time.perf_counter()
            try:
                if kind == "answer":
                    page = await client.get(path)
                    found = FORM_TOKEN.search(page.text)
                    if page.status_code != 200 or found is None:
                        errors.append(f"page {page.status_code}")
                        continue
                    latencies.setdefault("answer page", []).append(time.perf_counter() - started)
                    kind, started = "answer post", time.perf_counter()
                    answer = await client.post(
                        path,
                        data={
                            "form_token": found.group(1),
                            "choice": "agreed",
                            "name": "Bench",
                            "email": "bench@bench.com.tr",
                        },
                    )
                    if answer.status_code != 303:
                        errors.append(f"answer {answer.status_code}")
                        continue
                    acknowledged += 1
                else:
                    response = await client.request(method, path)
                    if response.status_code != 200:
                        errors.append(f"{kind} {response.status_code}")
                        continue
            except httpx.HTTPError as error:
                errors.append(f"{kind} {type(error).__name__}")
                continue
            latencies.setdefault(kind, []).append(time.perf_counter() - started)

    started = time.perf_counter()
    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(base_url=address, timeout=60, limits=limits) as client:
        await asyncio.gather(*(worker(client) for _ in range(clients)))
    elapsed = time.perf_counter() - started
    return {"elapsed": elapsed, "latencies": latencies, "errors": errors, "ok": acknowledged}


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


def report(name: str, result: dict[str, object], requests: int) -> tuple[float, float]:
    """Print one part; return its requests/s and the p95 of all its requests (s)."""
    elapsed = float(result["elapsed"])  # type: ignore[arg-type]
    latencies: dict[str, list[float]] = result["latencies"]  # type: ignore[assignment]
    errors: list[str] = result["errors"]  # type: ignore[assignment]
    rate = requests / elapsed
    print(
        f"  {name}: {requests} requests in {elapsed:.2f} s = {rate:.0f} req/s, "
        f"{len(errors)} errors {sorted(set(errors))[:5]}"
    )
    for kind, values in latencies.items():
        print(
            f"    {kind}: n={len(values)} p50 {statistics.median(values) * 1000:.1f} ms, "
            f"p95 {p95(values) * 1000:.1f} ms"
        )
    every = [v for values in latencies.values() for v in values]
    return rate, p95(every) if every else float("nan")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", type=int, default=500)
    parser.add_argument("--views", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3, help="paired runs (default 3)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        data_dir = Path(temp)
        database = Database.from_url(sqlite_url(data_dir / "bench.sqlite3"))
        migrate.upgrade(database.engine)
        print(f"composing and sending {args.letters} letters for each of {args.runs} runs…")
        tokens = await make_letters(database, data_dir, args.letters * args.runs)
        env = dict(
            os.environ,
            MUTABAKAT_DATA_DIR=str(data_dir),
            MUTABAKAT_DATABASE_URL=sqlite_url(data_dir / "bench.sqlite3"),
            MUTABAKAT_PORTAL_URL=BASE_URL,
            MUTABAKAT_CONFIG=str(data_dir / "no.toml"),
            PYTHONPATH=str(ROOT),
        )
        port, hello_port = free_port(), free_port()
        portal = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tui_mutabakat",
                "portal",
                "--port",
                str(port),
                "--per-address",
                "1000000",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        hello = subprocess.Popen([sys.executable, "-c", HELLO, str(hello_port)], env=env)
        rates: list[paired.Pair] = []
        latencies: list[paired.Pair] = []
        errors = acknowledged = 0
        try:
            wait_port(port, portal)
            wait_port(hello_port, hello)
            for run_no in range(args.runs):
                mine = tokens[run_no * args.letters : (run_no + 1) * args.letters]
                views = [("view", "GET", f"/m/{mine[n % len(mine)]}") for n in range(args.views)]
                answers = [("answer", "POST", f"/m/{token}") for token in mine]
                mixed = views + answers
                random.Random(7 + run_no).shuffle(mixed)  # answers among the views
                requests = len(views) + 2 * len(answers)
                print(f"run {run_no + 1}:")
                result = await run(mixed, args.clients, f"http://127.0.0.1:{port}")
                product = report("portal (views; an answer is a GET and a POST)", result, requests)
                base = await run(
                    [("hello", "GET", "/")] * requests,
                    args.clients,
                    f"http://127.0.0.1:{hello_port}",
                )
                anchor = report("bare Starlette hello, as many requests", base, requests)
                rates.append(paired.Pair(product[0], anchor[0]))
                latencies.append(paired.Pair(product[1] * 1000, anchor[1] * 1000))
                errors += len(result["errors"]) + len(base["errors"])  # type: ignore[arg-type]
                acknowledged += int(result["ok"])  # type: ignore[call-overload]
        finally:
            for process in (portal, hello):
                process.terminate()
                process.wait(10)
        with database.reader() as session:
            stored = session.scalar(
                select(func.count()).select_from(LetterAnswer).where(LetterAnswer.channel == "web")
            )
        database.dispose()
        lost = acknowledged - int(stored or 0)
        print(f"errors {errors}; answers acknowledged {acknowledged}, stored {stored}, lost {lost}")
        paired.report("requests/s, portal vs hello", rates, " req/s")
        paired.report("p95 latency of every request, portal vs hello", latencies, " ms")


if __name__ == "__main__":
    asyncio.run(main())
