"""A secret is resolved only by its owner; a timed-out password command dies with its
children; the database and its directory are private (issue 10, point 8; SPEC A2)."""

from __future__ import annotations

import logging
import os
import stat
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.send_data import add_account, add_company, add_movement, configure_sender, write_batch
from tests.smtp_server import running_server
from tui_mutabakat.config import Settings, private_directory, sqlite_url
from tui_mutabakat.data import migrate
from tui_mutabakat.data.models import User
from tui_mutabakat.data.outbox_models import Letter
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.errors import InvalidInput, PermissionDenied, ServiceError
from tui_mutabakat.domain.states import LetterState
from tui_mutabakat.mail.imap import ImapError
from tui_mutabakat.mail.secrets import NotOwner, SecretError, resolve_owned, resolve_secret
from tui_mutabakat.services.context import Actor, resolve_actor
from tui_mutabakat.services.sending.compose import SendOptions
from tui_mutabakat.services.sending.worker import run_worker
from tui_mutabakat.services.settings.mail_servers import check_servers
from tui_mutabakat.services.settings.user_admin import set_send_via
from tui_mutabakat.services.tracking.mailbox import mailbox_of
from tui_mutabakat.services.tracking.tracking_worker import track_once

AS_OF = date(2026, 12, 31)


def _marker_command(marker: Path) -> str:
    """A password command that leaves a trace: the file exists iff the command ran."""
    return f"cmd:touch {marker}; echo parola"


def _queue_for(database: Database, login: str, port: int, ref: str) -> None:
    """A batch of two letters sent by `login`, whose SMTP password reference is `ref`."""
    with database.unit_of_work() as session:
        resolve_actor(session, "tester")  # the first user, the admin
        actor = resolve_actor(session, login)
        add_company(session)
        configure_sender(session, login, host="127.0.0.1", port=port)
        session.scalars(select(User).where(User.login == login)).one().smtp_password_ref = ref
        keys = []
        for n in range(2):
            account = add_account(session, f"120.{n:03d}", f"Firma {n}", emails=(f"a{n}@x.com.tr",))
            add_movement(session, account, date(2026, 5, 1), debit=f"{100 + n}.25")
            keys.append((account.id, "TRY"))
    created = write_batch(database, actor, AS_OF, keys, SendOptions())
    assert created.letters == 2


def test_a_reference_of_another_login_runs_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    with pytest.raises(NotOwner, match="ayse"):
        resolve_owned(_marker_command(marker), owner="ayse", acting="mehmet")
    with pytest.raises(NotOwner):
        resolve_owned(f"file:{tmp_path / 'secret'}", owner="ayse", acting="mehmet")
    with pytest.raises(NotOwner):
        resolve_owned("env:PATH", owner="ayse", acting="mehmet")  # the process's, not hers
    assert not marker.exists()
    secret = resolve_owned(_marker_command(marker), owner="ayse", acting="ayse")
    assert secret is not None and secret.reveal() == "parola"
    assert marker.exists()
    assert resolve_owned("", owner="ayse", acting="mehmet") is None


async def test_the_worker_of_another_login_leaves_her_letters_queued(
    database: Database, settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    marker = tmp_path / "ran"
    with running_server() as (server, port):
        _queue_for(database, "ayse", port, _marker_command(marker))
        smtp = replace(settings, mail_backend="smtp")  # the worker acts as "tester"
        with caplog.at_level(logging.WARNING, "mutabakat.worker"):
            reports = await run_worker(database, smtp, once=True)
        assert not marker.exists(), "ayse's command ran in tester's worker"
        assert server.count() == 0
        assert reports == []
        assert "ayse" in caplog.text and "mutabakat worker" in caplog.text
        with database.reader() as session:
            assert set(session.scalars(select(Letter.state))) == {LetterState.QUEUED}
        # her own worker resolves it and sends
        reports = await run_worker(database, replace(smtp, user_login="ayse"), once=True)
        assert marker.exists()
        assert server.count() == 2
    with database.reader() as session:
        assert set(session.scalars(select(Letter.state))) == {LetterState.SENT}


def test_mailboxes_and_server_checks_of_another_login_run_nothing(
    database: Database, settings: Settings, tmp_path: Path
) -> None:
    marker = tmp_path / "ran"
    with database.unit_of_work() as session:
        resolve_actor(session, "tester")
        resolve_actor(session, "ayse")
        ayse = session.scalars(select(User).where(User.login == "ayse")).one()
        ayse.imap_host = ayse.smtp_host = "127.0.0.1"
        ayse.imap_port = ayse.smtp_port = 9
        ayse.imap_password_ref = ayse.smtp_password_ref = _marker_command(marker)
    with pytest.raises(ImapError, match="ayse"):
        mailbox_of(database, "ayse", acting="tester")
    track_once(database, settings)  # tester's worker skips ayse's mailbox
    checks = check_servers(database, settings, "ayse")  # an admin trying her servers
    assert [c.ok for c in checks] == [False, False]
    assert all("ayse" in c.detail for c in checks)
    assert not marker.exists()


def _gone(pid: int) -> bool:
    """No such process, or only a zombie waiting for a parent that does not reap."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "State:\tZ" in status


def test_a_command_that_times_out_is_killed_with_its_children(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    command = f"cmd:sh -c 'sleep 60 & echo $! > {pids}; sleep 60'"
    started = time.monotonic()
    with pytest.raises(SecretError, match="saniyede bitmedi"):
        resolve_secret(command, timeout=1.0)
    assert time.monotonic() - started < 10
    grandchild = int(pids.read_text())
    deadline = time.monotonic() + 5
    while not _gone(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _gone(grandchild), f"the grandchild {grandchild} outlived the timeout"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_database_file_and_its_directory_are_private(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        directory = tmp_path / "veri"
        database = Database.from_url(sqlite_url(directory / "mutabakat.sqlite3"))
        migrate.upgrade(database.engine)
        with database.unit_of_work() as session:
            resolve_actor(session, "tester")
        files = sorted(directory.iterdir())
        assert _mode(directory) == 0o700
        assert directory / "mutabakat.sqlite3" in files
        assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}
        database.dispose()
        data = private_directory(tmp_path / "data" / "dir")
        assert _mode(data) == 0o700
    finally:
        os.umask(old)


async def test_a_service_sender_set_by_an_admin_sends_through_its_own_worker(
    database: Database, settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    marker = tmp_path / "ran"
    with running_server() as (server, port):
        _queue_for(database, "ayse", port, "")
        with database.unit_of_work() as session:
            admin = resolve_actor(session, "tester")
            service = resolve_actor(session, "servis")
            configure_sender(session, "servis", host="127.0.0.1", port=port)
            user = session.scalars(select(User).where(User.login == "servis")).one()
            user.smtp_password_ref = _marker_command(marker)
            with pytest.raises(PermissionDenied):
                set_send_via(session, service, "ayse", "servis")
            set_send_via(session, admin, "ayse", "servis")
        smtp = replace(settings, mail_backend="smtp")
        with caplog.at_level(logging.WARNING, "mutabakat.worker"):
            await run_worker(database, replace(smtp, user_login="ayse"), once=True)
        assert not marker.exists(), "the service's command ran in ayse's worker"
        assert server.count() == 0
        assert "servis" in caplog.text
        await run_worker(database, replace(smtp, user_login="servis"), once=True)
        assert marker.exists()
        assert server.count() == 2
    with database.reader() as session:
        assert set(session.scalars(select(Letter.state))) == {LetterState.SENT}


def test_service_senders_are_checked(database: Database, actor: Actor) -> None:
    with database.unit_of_work() as session:
        for login in ("ayse", "servis"):
            resolve_actor(session, login)
    for login, via in (("ayse", "ayse"), ("ayse", "yok")):
        with pytest.raises(ServiceError):
            with database.unit_of_work() as session:
                set_send_via(session, actor, login, via)
    with database.unit_of_work() as session:
        set_send_via(session, actor, "ayse", "servis")
    with pytest.raises(InvalidInput):  # no chains: ayse is not a service for anyone
        with database.unit_of_work() as session:
            set_send_via(session, actor, "servis", "ayse")
    with database.unit_of_work() as session:
        set_send_via(session, actor, "ayse", "")
        assert session.scalars(select(User.send_via).where(User.login == "ayse")).one() == ""


def test_a_command_whose_child_leaves_the_group_does_not_hang_the_caller(tmp_path: Path) -> None:
    """A grandchild in a session of its own keeps the output pipe open: the caller still
    returns soon after the timeout (that process is its owner's to stop)."""
    pids = tmp_path / "pids"
    command = f"cmd:setsid sh -c 'echo $$ > {pids}; exec sleep 30' & sleep 60"
    started = time.monotonic()
    try:
        with pytest.raises(SecretError, match="saniyede bitmedi"):
            resolve_secret(command, timeout=1.0)
        assert time.monotonic() - started < 8
    finally:
        if pids.exists():
            try:
                os.kill(int(pids.read_text()), 9)
            except (ProcessLookupError, ValueError):
                pass
