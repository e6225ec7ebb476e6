"""A later answer on the page replaces the earlier one until the answer-by date, and both
stay in the history (issue 15, point 3) — but only when asked for from the recorded answer
(a form sent twice is not a change), only while the page's answer is the latest (not after
the accountant recorded another), and never after the answer-by date."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from sqlalchemy import select
from starlette.testclient import TestClient

from tests.portal_data import ANSWER_BY, link_token, portal_on, sent_letters
from tui_mutabakat.data.outbox_models import Letter, LetterEvent
from tui_mutabakat.data.session import Database
from tui_mutabakat.data.tracking_models import LetterAnswer
from tui_mutabakat.domain.states import LetterState
from tui_mutabakat.mail.reply_text import AnswerKind
from tui_mutabakat.portal.app import make_portal
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.portal.links import PortalLinks
from tui_mutabakat.services.tracking.tracking import record_manual_answer

TODAY = dt.date(2026, 12, 5)
AGREE = {"choice": "agreed", "name": "Ayşe Demir", "email": "mali@alfa.com.tr"}
DISAGREE = AGREE | {"choice": "disagreed", "amount_TRY": "11.500,00", "side_TRY": "B"}


def _client(database: Database, links: PortalLinks, data_dir: Path, today: dt.date) -> TestClient:
    portal = make_portal(database, links, data_dir, today=lambda: today)
    return TestClient(portal, follow_redirects=False)


def _hidden(page: str, name: str) -> str | None:
    found = re.search(rf'name="{name}" value="([^"]+)"', page)
    return found.group(1) if found else None


def _post(client: TestClient, token: str, page: str, fields: dict[str, str]) -> int:
    data = fields | {"form_token": _hidden(page, "form_token") or ""}
    replaces = _hidden(page, "replaces")
    if replaces:
        data["replaces"] = replaces
    return client.post(f"/m/{token}", data=data).status_code


def _letter(database: Database, letter_id: int) -> tuple[LetterState, list[str], list[str]]:
    with database.reader() as session:
        letter = session.get(Letter, letter_id)
        assert letter is not None
        kinds = list(
            session.scalars(
                select(LetterAnswer.kind)
                .where(LetterAnswer.letter_id == letter_id)
                .order_by(LetterAnswer.id)
            )
        )
        events = list(
            session.scalars(
                select(LetterEvent.reason)
                .where(LetterEvent.letter_id == letter_id, LetterEvent.actor == "portal")
                .order_by(LetterEvent.id)
            )
        )
        return letter.state, kinds, events


async def test_a_later_answer_replaces_the_earlier_one_and_both_stay(
    database: Database, actor: Actor, tmp_path: Path
) -> None:
    links = portal_on(database, tmp_path)
    [alfa, _beta] = await sent_letters(database, actor, tmp_path)
    token = link_token(database, alfa.id)
    client = _client(database, links, tmp_path, TODAY)
    first_form = client.get(f"/m/{token}").text
    assert _post(client, token, first_form, AGREE) == 303
    done = client.get(f"/m/{token}").text
    assert f'href="/m/{token}?lang=tr&amp;change=1"' in done and "Yanıtımı değiştir" in done
    # the same form sent again is not a change: the recorded answer is shown
    again = client.post(
        f"/m/{token}", data=DISAGREE | {"form_token": _hidden(first_form, "form_token") or ""}
    )
    assert again.status_code == 200 and "daha önce verildi" in again.text
    assert _letter(database, alfa.id)[:2] == (LetterState.AGREED, ["agreed"])
    # asked for: the form again, saying it replaces the earlier answer
    change = client.get(f"/m/{token}?lang=tr&change=1").text
    assert _hidden(change, "replaces") and "önceki yanıtınızın yerine geçecek" in change
    assert _post(client, token, change, DISAGREE) == 303
    state, kinds, events = _letter(database, alfa.id)
    assert (state, kinds) == (LetterState.DISAGREED, ["agreed", "disagreed"])
    assert len(events) == 2 and "önceki yanıtın yerine" in events[1]
    shown = client.get(f"/m/{token}").text
    assert "Mutabık değiliz" in shown and "11.500,00" in shown
    # that change form, sent once more, is stale now: refused, nothing added
    assert _post(client, token, change, AGREE) == 200
    assert _letter(database, alfa.id)[1] == ["agreed", "disagreed"]
    # the same answer with other figures: the state stays, the history says so
    change = client.get(f"/m/{token}?change=1").text
    assert _post(client, token, change, DISAGREE | {"amount_TRY": "11.400,00"}) == 303
    state, kinds, events = _letter(database, alfa.id)
    assert (state, kinds) == (LetterState.DISAGREED, ["agreed", "disagreed", "disagreed"])
    assert len(events) == 3
    # after the answer-by date (the link still opens in its grace days): no more changes
    late = _client(database, links, tmp_path, ANSWER_BY + dt.timedelta(days=1))
    page = late.get(f"/m/{token}?change=1").text
    assert "Yanıtımı değiştir" not in page and _hidden(page, "replaces") is None
    stale = client.get(f"/m/{token}?change=1").text  # a change form from before the date
    assert _hidden(stale, "replaces")
    assert _post(late, token, stale, AGREE) == 200
    assert len(_letter(database, alfa.id)[1]) == 3


async def test_no_change_after_the_accountant_recorded_another_answer(
    database: Database, actor: Actor, tmp_path: Path
) -> None:
    links = portal_on(database, tmp_path)
    [alfa, _beta] = await sent_letters(database, actor, tmp_path)
    token = link_token(database, alfa.id)
    client = _client(database, links, tmp_path, TODAY)
    assert _post(client, token, client.get(f"/m/{token}").text, DISAGREE) == 303
    change = client.get(f"/m/{token}?change=1").text
    with database.unit_of_work() as session:
        record_manual_answer(session, actor, alfa.id, AnswerKind.AGREED, note="telefonla")
    assert _post(client, token, change, AGREE) == 200
    assert "Yanıtımı değiştir" not in client.get(f"/m/{token}").text
    state, kinds, _events = _letter(database, alfa.id)
    assert (state, kinds) == (LetterState.AGREED, ["disagreed", "agreed"])
