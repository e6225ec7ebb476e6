"""Textual's own faults the application works around (widgets/textual_fixes.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: A toast whose message ran out before it was mounted (as when a screen closes just as a
#: message goes): Textual 8.2 started its timer with a negative delay and spun forever.
SCRIPT = """
import asyncio
from textual.notifications import Notification
from textual.widgets._toast import Toast
from tui_mutabakat.app import make_app
from tui_mutabakat.config import Settings

async def main():
    data = __import__("pathlib").Path(DATA)
    url = "sqlite:///" + str(data / "t.sqlite3")
    app = make_app(Settings(data_dir=data, database_url=url, user_login="tester"))
    async with app.run_test() as pilot:
        await app.screen.mount(Toast(Notification("bitti", timeout=-0.001)))
        await pilot.pause(0.2)
        print("still answering")

asyncio.run(main())
"""


def test_a_toast_that_ran_out_before_its_mount_does_not_freeze_the_program(
    tmp_path: Path,
) -> None:
    script = SCRIPT.replace("DATA", repr(str(tmp_path)))
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(ROOT), "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert "still answering" in done.stdout, done.stderr[-2000:]
