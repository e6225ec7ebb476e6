"""An SMTP sink for benchmarks: aiosmtpd on loopback that only counts what it accepts.

`python bench/smtp_sink.py PORT` prints "ready", and on SIGTERM prints
"<messages> <distinct Message-IDs> <bytes>".
"""

from __future__ import annotations

import re
import signal
import sys
import threading
from typing import Any

from aiosmtpd.controller import Controller

_MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


class CountingHandler:
    def __init__(self) -> None:
        self.messages = 0
        self.size = 0
        self.ids: set[bytes] = set()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        content = envelope.content
        self.messages += 1
        self.size += len(content)
        found = _MESSAGE_ID.search(content[:4096])
        if found:
            self.ids.add(found.group(1))
        return "250 2.0.0 Ok"


def main() -> None:
    port = int(sys.argv[1])
    handler = CountingHandler()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    controller = Controller(handler, hostname="127.0.0.1", port=port, decode_data=False)
    controller.start()
    print("ready", flush=True)
    done.wait()
    controller.stop()
    print(handler.messages, len(handler.ids), handler.size, flush=True)


if __name__ == "__main__":
    main()
