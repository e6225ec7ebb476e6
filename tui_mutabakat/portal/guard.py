"""The answer page's guard, an ASGI middleware around every request: the security headers
on every response, a body size limit (also for a body sent without a length), and a log
line per request — time, address, user agent, status, the path with the token cut short."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.exceptions import HTTPException
from starlette.responses import Response

from tui_mutabakat.services.portal.files import MAX_BYTES, MAX_FILES

log = logging.getLogger("mutabakat.portal")
#: A request body larger than this is refused before it is read (3 files and the fields).
MAX_BODY = MAX_FILES * MAX_BYTES + 256 * 1024
SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'self'; frame-ancestors 'none'; form-action 'self'"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"cache-control", b"no-store"),
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def short(token: str) -> str:
    """A token as the log shows it: never in full."""
    return token[:8] + "…" if len(token) > 8 else token


class Guard:
    """ASGI middleware: the security headers on every response, a body size limit, and a
    log line for every request (time, address, user agent, path with the token cut)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.monotonic()
        status = 0

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = list(message.get("headers", [])) + SECURITY_HEADERS
            await send(message)

        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length", b"0")
        try:
            too_big = int(length) > MAX_BODY
        except ValueError:
            too_big = True
        received = 0

        async def counted_receive() -> Message:
            # A body without a length (chunked) is counted as it comes.
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > MAX_BODY:
                # Starlette answers it (413) from wherever the body was being read.
                raise HTTPException(413, "Request too large")
            return message

        try:
            if too_big:
                await Response("Request too large", 413)(scope, receive, send_with_headers)
            else:
                await self.app(scope, counted_receive, send_with_headers)
        finally:
            path = str(scope.get("path", ""))
            if path.startswith("/m/"):
                token, slash, rest = path[3:].partition("/")
                path = "/m/" + short(token) + slash + rest[:40]
            client = scope.get("client") or ("-", 0)
            agent = headers.get(b"user-agent", b"-").decode("latin-1")[:200]
            log.info(
                '%s "%s %s" %s %.0fms "%s"',
                client[0],
                scope.get("method", ""),
                path,
                status,
                (time.monotonic() - started) * 1000,
                agent,
            )
