"""The default backend when no SMTP server is configured: a maildir on disk (SPEC D9).

Each delivery becomes one file `new/<token>-<first recipient id>.eml` (written in `tmp/`,
then renamed, as maildir wants). The name comes from the letter's reply token and its
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


class FileTransport:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @property
    def description(self) -> str:
        return f"file:{self.directory}"

    @property
    def concurrency(self) -> int:
        # Each file is fsynced before it counts as delivered; the file system commits
        # several writers' fsyncs together (measured on this machine's disk: 8 writers
        # 0.37 ms a file, 2 writers 0.5–1.5 ms). asyncio's default thread pool caps it.
        return 8

    def name_for(self, envelope: Envelope) -> str:
        first = min(rid for rid, _address in envelope.recipients)
        return f"{envelope.token}-{first}"

    async def open(self) -> None:
        for sub in ("tmp", "new", "cur"):
            (self.directory / sub).mkdir(parents=True, exist_ok=True)

    async def deliver(self, envelope: Envelope, handover: HandOver) -> Delivery:
        answer, why = await asyncio.to_thread(self._write, envelope)
        return Delivery(
            results=[
                RecipientResult(rid, RecipientState.ACCEPTED, None, answer, why=why)
                for rid, _address in envelope.recipients
            ]
        )

    def _write(self, envelope: Envelope) -> tuple[str, HistoryReason]:
        """The file written (its path, or its name when it was there already)."""
        name = self.name_for(envelope)
        target = self.directory / "new" / f"{name}.eml"
        if target.exists() or any((self.directory / "cur").glob(f"{name}.eml*")):
            return target.name, reason("already_written", name=target.name)
        header = "X-Envelope-To: " + ", ".join(a for _r, a in envelope.recipients) + "\r\n"
        temporary = self.directory / "tmp" / f"{name}.{os.getpid()}.eml"
        with temporary.open("wb") as handle:
            handle.write(header.encode("utf-8"))
            handle.write(envelope.message)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
        return str(target), reason("written", path=str(target))

    async def close(self) -> None:
        return None
