"""The answer page as a Starlette application (SPEC E5, issue 15).

Routes: `GET /m/<token>` shows a letter and its form (or the answer already recorded);
`POST /m/<token>` records an answer; `GET /m/<token>/file/<n>` downloads the letter's n-th
own file (its statement, its PDF, as e-mailed) and `GET /m/<token>/open-items.csv` the open
items the page shows, both behind the same link check; `GET /static/portal.css`. Anything
else, and every link that does not verify, gets one plain page that reveals nothing. The
form carries a signed token (CSRF without cookies or JavaScript); every response carries
the security headers; every request is logged with its time, address and user agent, the
token cut short. The use cases are `services/portal/answers.py`'s; this module only reads and shows.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from tui_mutabakat.data.base import as_utc
from tui_mutabakat.data.session import Database
from tui_mutabakat.data.tracking_models import AnswerBalance
from tui_mutabakat.domain.errors import InvalidInput, PermissionDenied, Refused
from tui_mutabakat.domain.formatting import currency_label
from tui_mutabakat.mail.reply_text import AnswerKind
from tui_mutabakat.mail.templates import fast_amount, fast_day, fast_money
from tui_mutabakat.portal.downloads import (
    attachment,
    document_response,
    open_items_csv,
    open_items_name,
)
from tui_mutabakat.portal.form import read_answer
from tui_mutabakat.portal.guard import ASGIApp, Guard
from tui_mutabakat.portal.limits import RateLimiter
from tui_mutabakat.portal.words import LANGUAGES, words_for
from tui_mutabakat.services.portal.answers import (
    OPEN_STATES,
    Document,
    PageView,
    Responder,
    StoredFile,
    attachments_of,
    can_replace,
    letter_documents,
    open_letter,
    page_view,
    record_web_answer,
    web_answer,
)
from tui_mutabakat.services.portal.files import MAX_BYTES, MAX_FILES, UploadRefused, store_file
from tui_mutabakat.services.portal.links import PortalLinks

log = logging.getLogger("mutabakat.portal")
HERE = Path(__file__).resolve().parent
#: How long a shown form may be sent back (seconds).
FORM_MAX_AGE = 4 * 3600


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["money"] = fast_money
    env.filters["amount"] = fast_amount
    env.filters["day"] = fast_day
    env.filters["currency"] = currency_label
    env.filters["moment"] = _moment
    return env


#: Turkey's time, all year round since 2016.
TURKEY = dt.timezone(dt.timedelta(hours=3))


def _moment(moment: dt.datetime) -> str:
    """A recorded time as the visitor reads it: `05.12.2026 14:30 (UTC+3)`."""
    local = as_utc(moment).astimezone(TURKEY)
    return f"{fast_day(local.date())} {local:%H:%M} (UTC+3)"


class Portal:
    """The routes, with what they need: the database, the link maker, the upload folder."""

    def __init__(
        self,
        database: Database,
        links: PortalLinks,
        data_dir: Path,
        *,
        today: Callable[[], dt.date] | None = None,
        clock: Callable[[], float] = time.time,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.database = database
        self.links = links
        self.data_dir = data_dir
        self.today = today or (lambda: dt.datetime.now(dt.UTC).date())
        self.clock = clock
        self.limiter = limiter or RateLimiter()
        self.env = _environment()

    # -- helpers ------------------------------------------------------------------------

    def _page(self, name: str, status: int = 200, **values: Any) -> HTMLResponse:
        return HTMLResponse(self.env.get_template(name).render(**values), status)

    def invalid(self, language: str = "tr", status: int = 404) -> HTMLResponse:
        return self._page("invalid.html", status, w=words_for(language))

    def _language(self, request: Request, view: PageView) -> str:
        asked = request.query_params.get("lang", "")
        return asked if asked in LANGUAGES else view.language

    def _load(self, token: str) -> tuple[PageView, dict[str, Any] | None, bool, bool] | None:
        """The page view of the token's letter, the web answer already given (as the
        done page needs it), whether the letter still takes a first answer and whether
        the given one may still be replaced; None: invalid."""
        with self.database.reader() as session:
            letter = open_letter(session, self.links, token, self.today())
            if letter is None:
                return None
            view = page_view(session, letter)
            answer = web_answer(session, letter.id)
            recorded = None
            if answer is not None:
                balances = session.query(AnswerBalance).filter_by(answer_id=answer.id).all()
                recorded = {
                    "answer": answer,
                    "balances": balances,
                    "files": attachments_of(session, answer.id),
                }
            replaceable = answer is not None and can_replace(session, letter, self.today())
            return view, recorded, letter.state in OPEN_STATES, replaceable

    def _form_page(
        self,
        token: str,
        view: PageView,
        language: str,
        *,
        errors: list[str] | None = None,
        form: dict[str, str] | None = None,
        status: int = 200,
    ) -> HTMLResponse:
        return self._page(
            "page.html",
            status,
            w=words_for(language),
            other="en" if language == "tr" else "tr",
            view=view,
            token=token,
            form_token=self.links.form_token(token, int(self.clock())),
            errors=errors or [],
            form=form or {},
        )

    def _done_page(
        self,
        token: str,
        view: PageView,
        language: str,
        recorded: dict[str, Any],
        message: str,
        fresh: bool,
        replaceable: bool,
    ) -> HTMLResponse:
        return self._page(
            "done.html",
            w=words_for(language),
            view=view,
            token=token,
            message=message,
            fresh=fresh,
            replaceable=replaceable,
            **recorded,
        )

    def _limited(self, request: Request, token: str, post: bool) -> bool:
        address = request.client.host if request.client else "-"
        return not self.limiter.allow(address, token, post, self.clock())

    # -- routes -------------------------------------------------------------------------

    async def show(self, request: Request) -> Response:
        token = request.path_params["token"]
        if self._limited(request, token, post=False):
            return Response("Too many requests", 429, {"retry-after": "60"})
        loaded = await run_in_threadpool(self._load, token)
        if loaded is None:
            return self.invalid()
        view, recorded, open_, replaceable = loaded
        language = self._language(request, view)
        w = words_for(language)
        if recorded is not None:
            if replaceable and request.query_params.get("change") == "1":
                replaces = {"replaces": str(recorded["answer"].id)}
                return self._form_page(token, view, language, form=replaces)
            fresh = request.query_params.get("done") == "1"
            message = w["thanks" if fresh else "already"]
            return self._done_page(token, view, language, recorded, message, fresh, replaceable)
        if not open_:
            return self._page("invalid.html", 200, w=w | {"invalid": w["closed"]})
        return self._form_page(token, view, language)

    async def answer(self, request: Request) -> Response:
        token = request.path_params["token"]
        if self._limited(request, token, post=True):
            return Response("Too many requests", 429, {"retry-after": "60"})
        loaded = await run_in_threadpool(self._load, token)
        if loaded is None:
            return self.invalid()
        view, recorded, open_, replaceable = loaded
        language = self._language(request, view)
        w = words_for(language)
        already = partial(
            self._done_page, token, view, language, recorded or {}, w["already"], False
        )
        if recorded is not None and not replaceable:
            return already(False)
        if recorded is None and not open_:
            return self._page("invalid.html", 200, w=w | {"invalid": w["closed"]})
        async with request.form(max_files=10, max_fields=40) as form:
            fields = {k: v for k, v in form.items() if isinstance(v, str)}
            replaces = recorded["answer"].id if recorded is not None else None
            if replaces is not None and fields.get("replaces") != str(replaces):
                # Not a change asked for from the recorded answer: a second send.
                return already(True)
            uploads = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
            if not self.links.check_form_token(
                token, fields.get("form_token", ""), int(self.clock()), FORM_MAX_AGE
            ):
                return self._form_page(
                    token, view, language, errors=[w["e_form"]], form=fields, status=400
                )
            errors, kind, theirs = read_answer(fields, view, w)
            if len(uploads) > MAX_FILES:
                errors.append(w["e_files"])
            contents: list[tuple[str, bytes]] = []
            for upload in uploads[:MAX_FILES]:
                contents.append((upload.filename or "", await upload.read(MAX_BYTES + 1)))
        if errors:
            return self._form_page(token, view, language, errors=errors, form=fields, status=400)
        responder = Responder(
            name=fields["name"].strip()[:200],
            email=fields["email"].strip()[:254],
            title=fields.get("job", "").strip()[:120],
            phone=fields.get("phone", "").strip()[:40],
            client_address=request.client.host if request.client else "",
            user_agent=request.headers.get("user-agent", "")[:400],
        )
        note = fields.get("note", "").strip()
        try:
            stored = [store_file(self.data_dir, name, data) for name, data in contents]
        except UploadRefused as refused:
            message = w["e_size" if refused.reason == "size" else "e_type"]
            return self._form_page(
                token,
                view,
                language,
                errors=[message.format(name=refused.name)],
                form=fields,
                status=400,
            )
        try:
            await run_in_threadpool(
                self._record, token, kind, theirs, note, responder, view.digest(), stored, replaces
            )
        except InvalidInput as error:
            self._discard(stored)
            return self._form_page(
                token,
                view,
                language,
                errors=[w["e_balance"].format(reason=error)],
                form=fields,
                status=400,
            )
        except PermissionDenied as denied:
            # The database refused the portal's role: a fault of the set-up, not the visitor's.
            self._discard(stored)
            log.error("the database refused to record an answer: %s", denied)
            return self._page("invalid.html", 503, w=w | {"invalid": w["unavailable"]})
        except Refused:
            self._discard(stored)
            return await self.show(request)
        return RedirectResponse(f"/m/{token}?lang={language}&done=1", 303)

    def _record(
        self,
        token: str,
        kind: AnswerKind,
        theirs: dict[str, tuple[Decimal, str]],
        note: str,
        responder: Responder,
        digest: str,
        stored: list[StoredFile],
        replaces: int | None,
    ) -> None:
        with self.database.unit_of_work() as session:
            today = self.today()
            letter = open_letter(session, self.links, token, today)
            if letter is None:
                raise Refused("gone")
            record_web_answer(
                session,
                letter,
                kind,
                theirs,
                note,
                responder,
                digest,
                stored,
                replaces=replaces,
                today=today,
            )

    def _discard(self, stored: list[StoredFile]) -> None:
        for f in stored:
            (self.data_dir / "portal_uploads" / f.stored_name).unlink(missing_ok=True)

    async def document(self, request: Request) -> Response:
        """One of the letter's own files, as it was e-mailed."""
        token = request.path_params["token"]
        if self._limited(request, token, post=False):
            return Response("Too many requests", 429, {"retry-after": "60"})
        found = await run_in_threadpool(self._document, token, request.path_params["n"])
        return self.invalid() if found is None else document_response(found)

    def _document(self, token: str, n: int) -> Document | None:
        with self.database.reader() as session:
            letter = open_letter(session, self.links, token, self.today())
            if letter is None:
                return None
            documents = letter_documents(session, letter)
            return documents[n] if 0 <= n < len(documents) else None

    async def open_items(self, request: Request) -> Response:
        """The open items the page shows, as a CSV in the page's language."""
        token = request.path_params["token"]
        if self._limited(request, token, post=False):
            return Response("Too many requests", 429, {"retry-after": "60"})
        loaded = await run_in_threadpool(self._load, token)
        if loaded is None or not loaded[0].open_items:
            return self.invalid()
        view = loaded[0]
        content = open_items_csv(view, words_for(self._language(request, view)))
        return attachment(content, "text/csv; charset=utf-8", open_items_name(view))

    async def style(self, request: Request) -> Response:
        css = (HERE / "static" / "portal.css").read_bytes()
        return Response(css, media_type="text/css", headers={"cache-control": "max-age=3600"})

    async def not_found(self, request: Request, exc: Exception) -> Response:
        return self.invalid()


def make_portal(
    database: Database,
    links: PortalLinks,
    data_dir: Path,
    *,
    today: Callable[[], dt.date] | None = None,
    clock: Callable[[], float] = time.time,
    limiter: RateLimiter | None = None,
) -> ASGIApp:
    """The ASGI application of the answer page."""
    portal = Portal(database, links, data_dir, today=today, clock=clock, limiter=limiter)
    app = Starlette(
        routes=[
            Route("/m/{token}", portal.show, methods=["GET", "HEAD"]),
            Route("/m/{token}", portal.answer, methods=["POST"]),
            Route("/m/{token}/file/{n:int}", portal.document, methods=["GET", "HEAD"]),
            Route("/m/{token}/open-items.csv", portal.open_items, methods=["GET", "HEAD"]),
            Route("/static/portal.css", portal.style, methods=["GET", "HEAD"]),
        ],
        exception_handlers={404: portal.not_found, 405: portal.not_found},
    )
    app.state.portal = portal
    return Guard(app)
