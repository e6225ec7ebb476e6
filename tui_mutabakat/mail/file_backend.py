"""The default backend when no SMTP server is configured: a maildir on disk (SPEC D9).

Each delivery becomes one file `new/<token>-<first recipient id>.eml`: written in `tmp/`
and fsynced, renamed into `new/` (as maildir wants), and counted as delivered only once
`new/` itself is fsynced — a crash leaves no half file in `new/` and loses no file that
was counted. One directory fsync serves every rename made before it started, so the
writers share them (`_DirectorySync`). The name comes from the letter's reply token and its
recipient rows, so delivering the same letter to the same recipients again (a resumed run)
finds the file already there and writes nothing: the file backend is exactly-once without the
hand-over bookkeeping SMTP needs. A resend to corrected addresses has new recipient rows and so
writes a new file. Any mail reader that opens maildirs shows the outbox.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from tui_mutabakat.domain.history import HistoryReason, reason
from tui_mutabakat.domain.states import RecipientState
from tui_mutabakat.mail.transport import Delivery, Envelope, HandOver, RecipientResult


class _DirectorySync:
    """Makes renames into a directory durable, several at a time: `after_rename` returns
    once an fsync of the directory that started after the caller's rename has finished."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._renamed = 0
        self._synced = 0
        self._running: asyncio.Future[None] | None = None

    async def after_rename(self) -> None:
        self._renamed += 1
        mine = self._renamed
        while self._synced < mine:
            running = self._running
            if running is None:
                running = asyncio.ensure_future(self._sync(self._renamed))
                self._running = running
            await asyncio.shield(running)

    async def _sync(self, covers: int) -> None:
        try:
            await asyncio.to_thread(_fsync_directory, self.directory)
            self._synced = max(self._synced, covers)
        finally:
            self._running = None


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class FileTransport:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._new = _DirectorySync(directory / "new")

    @property
    def description(self) -> str:
        return f"file:{self.directory}"

    @property
    def concurrency(self) -> int:
        # Each file is fsynced before it counts as delivered; the file system commits
        # several writers' fsyncs together (measured on this machine's disk: 8 writers
        # 0.37 ms a file, 2 writers 0.5–1.5 ms), and one fsync of `new/` serves them
        # all. asyncio's default thread pool caps it.
        return 8

    def name_for(self, envelope: Envelope) -> str:
        first = min(rid for rid, _address in envelope.recipients)
        return f"{envelope.token}-{first}"

    async def open(self) -> None:
        for sub in ("tmp", "new", "cur"):
            (self.directory / sub).mkdir(parents=True, exist_ok=True)

    async def deliver(self, envelope: Envelope, handover: HandOver) -> Delivery:
        answer, why, in_new = await asyncio.to_thread(self._write, envelope)
        if in_new:
            # Renamed now, or by a run that may have died before its directory fsync.
            await self._new.after_rename()
        return Delivery(
            results=[
                RecipientResult(rid, RecipientState.ACCEPTED, None, answer, why=why)
                for rid, _address in envelope.recipients
            ]
        )

    def _write(self, envelope: Envelope) -> tuple[str, HistoryReason, bool]:
        """Write the letter's file unless it is there already: the file (its path, or its
        name when it was there already), the history's words, and whether it is in `new/`
        (and so counts only after the directory's fsync)."""
        name = self.name_for(envelope)
        target = self.directory / "new" / f"{name}.eml"
        if target.exists():
            return target.name, reason("already_written", name=target.name), True
        if any((self.directory / "cur").glob(f"{name}.eml*")):
            return target.name, reason("already_written", name=target.name), False
        header = "X-Envelope-To: " + ", ".join(a for _r, a in envelope.recipients) + "\r\n"
        temporary = self.directory / "tmp" / f"{name}.{os.getpid()}.eml"
        with temporary.open("wb") as handle:
            handle.write(header.encode("utf-8"))
            handle.write(envelope.message)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
        return str(target), reason("written", path=str(target)), True

    async def close(self) -> None:
        return None
