"""The answer page served by a real `mutabakat portal` (uvicorn on loopback): a letter's
link opened and answered over HTTP, the answer in tracking; the request log keeps no
whole token."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from tests.portal_data import link_token, portal_on, sent_letters
from tests.portal_server import running_portal
from tui_mutabakat.data.outbox_models import Letter
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.states import LetterState
from tui_mutabakat.services.context import Actor


async def test_a_real_server_takes_an_answer(
    any_database: Database, any_actor: Actor, tmp_path: Path
) -> None:
    portal_on(any_database, tmp_path)
    [alfa, beta] = await sent_letters(any_database, any_actor, tmp_path)
    token = link_token(any_database, alfa.id)
    with running_portal(any_database, tmp_path) as address:
        with httpx.Client(base_url=address, follow_redirects=False, timeout=10) as client:
            page = client.get(f"/m/{token}", headers={"user-agent": "real-client/2"})
            assert page.status_code == 200 and "Alfa Ltd." in page.text
            assert page.headers["x-frame-options"] == "DENY"
            assert "server" not in page.headers
            form_token = re.search(r'name="form_token" value="([^"]+)"', page.text)
            assert form_token is not None
            sent = client.post(
                f"/m/{token}",
                data={
                    "form_token": form_token.group(1),
                    "choice": "agreed",
                    "name": "Ayşe Demir",
                    "email": "mali@alfa.com.tr",
                },
                headers={"user-agent": "real-client/2"},
            )
            assert sent.status_code == 303
            done = client.get(sent.headers["location"])
            assert "Teşekkür ederiz" in done.text
            bad = client.get(f"/m/{link_token(any_database, beta.id)}x")
            assert bad.status_code == 404
    with any_database.reader() as session:
        letter = session.get(Letter, alfa.id)
        assert letter is not None and letter.state is LetterState.AGREED
    log = (tmp_path / "portal.log").read_text()
    assert "real-client/2" in log and "127.0.0.1" in log
    assert token not in log and token[:8] in log


def test_check_says_what_is_missing(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = dict(os.environ)
    env.update(
        MUTABAKAT_DATA_DIR=str(tmp_path),
        MUTABAKAT_CONFIG=str(tmp_path / "none.toml"),
        PYTHONPATH=str(Path(__file__).resolve().parent.parent),
    )
    env.pop("MUTABAKAT_PORTAL_URL", None)
    env.pop("MUTABAKAT_DATABASE_URL", None)
    command = [sys.executable, "-m", "tui_mutabakat", "portal", "--check"]
    off = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert off.returncode == 1 and "missing: portal_url is not set" in off.stdout
    assert not (tmp_path / "mutabakat.sqlite3").exists()  # --check creates nothing
    served = subprocess.run(
        [sys.executable, "-m", "tui_mutabakat", "portal"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert served.returncode == 2 and "portal is off" in served.stderr
    database = Database.from_url(f"sqlite:///{tmp_path / 'mutabakat.sqlite3'}")
    from tui_mutabakat.data import migrate

    migrate.upgrade(database.engine)
    database.dispose()
    env["MUTABAKAT_PORTAL_URL"] = "https://mutabakat.ornek.com.tr"
    on = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert on.returncode == 0 and on.stdout.rstrip().endswith("ok"), on.stdout
    assert "revision: " in on.stdout and "revision: None" not in on.stdout
