"""The file backend's durability: a letter counts as delivered only after its file was
fsynced, renamed into `new/` and `new/` itself fsynced — by an fsync that started after
the rename; writers at once share those directory fsyncs. A file already in `new/` is not
written again."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tui_mutabakat.domain.history import reason
from tui_mutabakat.mail import file_backend
from tui_mutabakat.mail.file_backend import FileTransport
from tui_mutabakat.mail.transport import Delivery, Envelope


def _envelope(number: int) -> Envelope:
    recipients = ((number, f"m{number}@firma.example"),)
    return Envelope(f"MTB-{number:08d}", "a@ornek.com.tr", recipients, b"Subject: x\r\n\r\nx\r\n")


async def _noop(_ids: object, _complete: object) -> None:
    raise AssertionError("the file backend needs no hand-over")


def test_a_letter_counts_only_after_a_directory_fsync_that_saw_its_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = file_backend._fsync_directory
    synced: set[str] = set()
    fsyncs: list[int] = []

    def watched(directory: Path) -> None:
        present = {p.name for p in directory.iterdir()}
        real(directory)
        fsyncs.append(len(present))
        synced.update(present)

    monkeypatch.setattr(file_backend, "_fsync_directory", watched)
    transport = FileTransport(tmp_path / "outbox")
    late: list[str] = []

    async def one(number: int) -> Delivery:
        envelope = _envelope(number)
        delivery = await transport.deliver(envelope, _noop)
        name = f"{transport.name_for(envelope)}.eml"
        if name not in synced:
            late.append(name)
        return delivery

    async def run() -> list[Delivery]:
        await transport.open()
        return await asyncio.gather(*(one(n) for n in range(1, 41)))

    deliveries = asyncio.run(run())
    assert all(d.results and d.results[0].state.value == "accepted" for d in deliveries)
    assert late == []
    assert len(list((tmp_path / "outbox" / "new").iterdir())) == 40
    assert list((tmp_path / "outbox" / "tmp").iterdir()) == []
    # Shared: fewer directory fsyncs than files (8 writers at once).
    assert 1 <= len(fsyncs) < 40


def test_a_file_already_in_new_is_not_written_again_but_waits_for_an_fsync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fsyncs: list[Path] = []
    real = file_backend._fsync_directory
    monkeypatch.setattr(file_backend, "_fsync_directory", lambda d: (fsyncs.append(d), real(d))[1])
    transport = FileTransport(tmp_path / "outbox")
    envelope = _envelope(7)

    async def run() -> tuple[Delivery, Delivery]:
        await transport.open()
        return await transport.deliver(envelope, _noop), await transport.deliver(envelope, _noop)

    first, again = asyncio.run(run())
    written = list((tmp_path / "outbox" / "new").iterdir())
    assert len(written) == 1
    assert [first.results[0].why, again.results[0].why] == [
        reason("written", path=str(written[0])),
        reason("already_written", name=written[0].name),
    ]
    # A run that died between its rename and the fsync left the file unsaved: the one
    # that finds it makes it durable before counting it.
    assert len(fsyncs) == 2
