"""`mutabakat portal` run for real: uvicorn on loopback in a process of its own."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.portal_data import BASE_URL
from tests.servers import free_port
from tui_mutabakat.data.session import Database


@contextmanager
def running_portal(database: Database, data_dir: Path) -> Iterator[str]:
    """Start `python -m tui_mutabakat portal` on 127.0.0.1 and a free port; yield its
    address; stop it (and only it) afterwards."""
    port = free_port()
    env = dict(os.environ)
    env.update(
        MUTABAKAT_DATA_DIR=str(data_dir),
        MUTABAKAT_DATABASE_URL=database.engine.url.render_as_string(hide_password=False),
        MUTABAKAT_PORTAL_URL=BASE_URL,
        MUTABAKAT_CONFIG=str(data_dir / "none.toml"),
        PYTHONPATH=str(Path(__file__).resolve().parent.parent),
    )
    log = (data_dir / "portal.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "tui_mutabakat", "portal", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError((data_dir / "portal.log").read_text(errors="replace"))
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the portal did not start") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
