"""A compose process that dies (issue 14.1: e.g. a script without an `if __name__ ==
"__main__"` guard): the batch is still written whole, by the thread, and the fall-back is
said once, loudly — not once per chunk, not silently."""

from __future__ import annotations

import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from datetime import date

import pytest

from tests.send_data import accounts_to_send
from tests.smtp_server import running_server
from tui_mutabakat.config import Settings
from tui_mutabakat.data.session import Database
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.sending import batch_writer, send_now
from tui_mutabakat.services.sending.compose import SendOptions
from tui_mutabakat.services.sending.send_now import create_and_send

AS_OF = date(2026, 12, 31)


def _broken_child() -> ProcessPoolExecutor:
    """A real compose process that has died: every later job raises BrokenProcessPool."""
    executor = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    with pytest.raises(BrokenProcessPool):
        executor.submit(os._exit, 3).result(timeout=60)
    return executor


async def test_a_dead_compose_process_is_said_once_and_the_thread_writes_the_rest(
    database: Database,
    actor: Actor,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(batch_writer, "CHUNK", 5)
    monkeypatch.setattr(batch_writer, "FIRST_CHUNK", 5)
    monkeypatch.setattr(send_now, "_child_wanted", lambda *_args: True)
    monkeypatch.setattr(send_now, "_start_child", _broken_child)
    smtp = replace(settings, mail_backend="smtp")
    with caplog.at_level(logging.WARNING, logger=send_now.__name__):
        with running_server() as (server, port):
            keys = accounts_to_send(database, actor, 30, port)
            result = await create_and_send(
                database, smtp, actor, AS_OF, keys, SendOptions(), process_from=1
            )
    assert result.fill_error is None and result.report.progress.sent == 30
    assert server.count() == 30
    said = [r for r in caplog.records if "COMPOSE PROCESS DIED" in r.getMessage()]
    assert len(said) == 1 and said[0].levelno == logging.WARNING
    assert "__main__" in said[0].getMessage()
