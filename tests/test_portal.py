"""The answer page (issue 15): links in real letters, the page, its refusals, answers that
land in tracking — Starlette's TestClient against a real database (SQLite, PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from tests.portal_data import (
    ANSWER_BY,
    BASE_URL,
    link_token,
    message_of,
    portal_on,
    sent_letters,
)
from tui_mutabakat.data.outbox_models import Letter, LetterEvent, LetterMessage
from tui_mutabakat.data.session import Database
from tui_mutabakat.data.tracking_models import AnswerAttachment, AnswerBalance, LetterAnswer
from tui_mutabakat.domain.states import LetterState
from tui_mutabakat.portal.app import make_portal
from tui_mutabakat.portal.limits import RateLimiter
from tui_mutabakat.screens.tracking.track_details import details_text
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.portal.answers import open_letter, page_view
from tui_mutabakat.services.portal.links import PortalLinks, load_key
from tui_mutabakat.services.tracking.reminders import send_reminders
from tui_mutabakat.services.tracking.tracking import letter_details

TODAY = dt.date(2026, 12, 5)
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
INVALID = "Bağlantı geçersiz ya da süresi dolmuş"


def _client(
    database: Database,
    links: PortalLinks,
    data_dir: Path,
    today: dt.date = TODAY,
    limiter: RateLimiter | None = None,
) -> TestClient:
    app = make_portal(database, links, data_dir, today=lambda: today, limiter=limiter)
    return TestClient(app, base_url="http://testserver", follow_redirects=False)


def _form_token(page: str) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def _answers(database: Database, letter_id: int) -> list[LetterAnswer]:
    with database.reader() as session:
        return list(
            session.scalars(select(LetterAnswer).where(LetterAnswer.letter_id == letter_id))
        )


def _state(database: Database, letter_id: int) -> LetterState:
    with database.reader() as session:
        letter = session.get(Letter, letter_id)
        assert letter is not None
        return letter.state


def _newest_letter(database: Database) -> int:
    """The id of the newest letter (a reminder just queued)."""
    with database.reader() as session:
        return int(session.scalars(select(Letter.id).order_by(Letter.id.desc())).first() or 0)


@pytest.fixture
async def portal(
    any_database: Database, any_actor: Actor, tmp_path: Path
) -> tuple[Database, PortalLinks, Path, list[Letter]]:
    links = portal_on(any_database, tmp_path)
    letters = await sent_letters(any_database, any_actor, tmp_path)
    return any_database, links, tmp_path, letters


def test_the_key_is_a_private_file_made_once(tmp_path: Path) -> None:
    key = load_key(tmp_path)
    path = tmp_path / "portal.key"
    assert path.stat().st_mode & 0o777 == 0o600
    assert len(key) == 32 and load_key(tmp_path) == key


def test_tokens_refuse_tampering_expiry_and_other_keys(tmp_path: Path) -> None:
    links = PortalLinks(BASE_URL, load_key(tmp_path), 14)
    token = links.token("MTB-0123456789AB", ANSWER_BY)
    target = links.verify(token, ANSWER_BY + dt.timedelta(days=14))
    assert target is not None and target.reply_token == "MTB-0123456789AB"
    assert links.verify(token, ANSWER_BY + dt.timedelta(days=15)) is None  # expired
    payload, mac = token.split(".")
    flipped = mac[:-1] + ("A" if mac[-1] != "A" else "B")
    assert links.verify(f"{payload}.{flipped}", TODAY) is None
    # A later expiry written into the payload does not carry the mac along.
    other = links.token("MTB-0123456789AB", ANSWER_BY + dt.timedelta(days=300))
    assert links.verify(f"{other.split('.')[0]}.{mac}", TODAY) is None
    stranger = PortalLinks(BASE_URL, b"k" * 32, 14)
    assert stranger.verify(token, TODAY) is None
    for junk in ("", ".", "a.b.c", "ü.ş", "x" * 500, token + "."):
        assert links.verify(junk, TODAY) is None


async def test_every_letter_carries_its_link(
    portal: tuple[Database, PortalLinks, Path, list[Letter]],
) -> None:
    database, links, _dir, letters = portal
    for letter in letters:
        token = link_token(database, letter.id)
        target = links.verify(token, TODAY)
        assert target is not None and target.reply_token == letter.token
        assert target.expires == ANSWER_BY + dt.timedelta(days=14)


async def test_without_a_portal_the_letter_is_unchanged(
    database: Database, actor: Actor, tmp_path: Path
) -> None:
    [letter, _beta] = await sent_letters(database, actor, tmp_path)
    message = message_of(database, letter.id)
    body = message.get_body(("plain",))
    assert body is not None and "/m/" not in str(body.get_content())


async def test_the_page_shows_the_letter_with_safe_headers(
    portal: tuple[Database, PortalLinks, Path, list[Letter]],
) -> None:
    database, links, data_dir, [alfa, _beta] = portal
    client = _client(database, links, data_dir)
    response = client.get(f"/m/{link_token(database, alfa.id)}")
    assert response.status_code == 200
    page = response.text
    for shown in ("Örnek Ticaret A.Ş.", "Alfa Ltd.", "30.11.2026", "15.12.2026"):
        assert shown in page
    assert "12.000,00 TL" in page and "Borç (B)" in page
    assert "3.000,00 USD" in page and "Alacak (A)" in page
    # The lira is "TL" on the page; `TRY` only names the form's fields.
    assert "<span>TL</span>" in page and "Tutar (TL)" in page
    assert not re.search(r"\bTRY\b", re.sub(r'(?:id|name|for)="[^"]*"', "", page)), page
    assert "Mutabıkız" in page and "Mutabık değiliz" in page
    assert "<script" not in page and "http" not in page.replace(BASE_URL, "")
    assert 'lang="tr"' in page
    headers = response.headers
    assert headers["content-security-policy"].startswith("default-src 'self'")
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"
    english = client.get(f"/m/{link_token(database, alfa.id)}?lang=en")
    assert "We agree" in english.text and 'lang="en"' in english.text
    css = client.get("/static/portal.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")


async def test_bad_links_get_one_plain_page(
    portal: tuple[Database, PortalLinks, Path, list[Letter]],
) -> None:
    database, links, data_dir, [alfa, _beta] = portal
    token = link_token(database, alfa.id)
    unknown = links.token("MTB-FFFFFFFFFFFF", ANSWER_BY)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    late = _client(database, links, data_dir, today=ANSWER_BY + dt.timedelta(days=15))
    client = _client(database, links, data_dir)
    pages = [
        client.get(f"/m/{unknown}"),
        client.get(f"/m/{tampered}"),
        late.get(f"/m/{token}"),
        client.get("/m/nonsense"),
        client.get("/"),
        client.post(f"/m/{tampered}", data={"choice": "agreed"}),
    ]
    assert {p.status_code for p in pages} == {404}
    assert len({p.text for p in pages}) == 1  # the same page, whatever the reason
    assert INVALID in pages[0].text and "Alfa" not in pages[0].text
    assert _answers(database, alfa.id) == []


async def test_an_agreement_lands_in_tracking_with_its_proof(
    portal: tuple[Database, PortalLinks, Path, list[Letter]],
) -> None:
    database, links, data_dir, [alfa, _beta] = portal
    client = _client(database, links, data_dir)
    token = link_token(database, alfa.id)
    page = client.get(f"/m/{token}").text
    response = client.post(
        f"/m/{token}",
        data={
            "form_token": _form_token(page),
            "choice": "agreed",
            "name": "Ayşe Demir",
            "job": "Muhasebe Müdürü",
            "email": "mali@alfa.com.tr",
        },
        headers={"user-agent": "pytest-browser/1.0"},
    )
    assert response.status_code == 303
    done = client.get(response.headers["location"])
    assert "Teşekkür ederiz" in done.text and "Ayşe Demir" in done.text
    assert _state(database, alfa.id) is LetterState.AGREED
    [answer] = _answers(database, alfa.id)
    assert (answer.kind, answer.channel, answer.from_address) == (
        "agreed",
        "web",
        "mali@alfa.com.tr",
    )
    assert answer.responder == "Ayşe Demir, Muhasebe Müdürü"
    assert answer.user_agent == "pytest-browser/1.0" and answer.client_address
    assert not answer.foreign_sender
    with database.reader() as session:
        raw = session.scalars(
            select(LetterMessage.message).where(LetterMessage.letter_id == alfa.id)
        ).one()
    assert answer.sent_sha256 == hashlib.sha256(raw).hexdigest()
    with database.reader() as session:
        letter = open_letter(session, links, token, TODAY)
        assert letter is not None
        assert answer.shown_sha256 == page_view(session, letter).digest()
        details = letter_details(session, alfa.id)
        said = "Yanıt sayfası: Ayşe Demir <mali@alfa.com.tr>"
        assert any(said in h.reason for h in details.history)
    # A second answer is refused politely: the recorded one is shown, nothing is added.
    again = client.post(
        f"/m/{token}",
        data={
            "form_token": _form_token(page),
            "choice": "disagreed",
            "name": "X",
            "email": "x@alfa.com.tr",
            "amount_TRY": "1",
        },
    )
    assert again.status_code == 200 and "daha önce verildi" in again.text
    assert len(_answers(database, alfa.id)) == 1


async def test_a_disagreement_with_balances_and_a_file(
    portal: tuple[Database, PortalLinks, Path, list[Letter]],
) -> None:
    database, links, data_dir, [alfa, _beta] = portal
    client = _client(database, links, data_dir)
    token = link_token(database, alfa.id)
    page = client.get(f"/m/{token}?lang=en").text
    response = client.post(
        f"/m/{token}?lang=en",
        data={
            "form_token": _form_token(page),
            "choice": "disagreed",
            "amount_TRY": "11.500,00",
            "side_TRY": "B",
            "amount_USD": "3000",
            "side_USD": "A",
            "note": "Fatura 2026/118 bizde yok.",
            "name": "John Smith",
            "email": "john@elsewhere.com.tr",
        },
        files=[("files", ("../../etc/ekstre Ağustos;rm -rf.pdf", PDF, "application/pdf"))],
    )
    assert response.status_code == 303, response.text
    assert _state(database, alfa.id) is LetterState.DISAGREED
    [answer] = _answers(database, alfa.id)
    assert answer.foreign_sender  # not one of the letter's recipients: flagged
    assert answer.note == "Fatura 2026/118 bizde yok."
    with database.reader() as session:
        rows = session.scalars(
            select(AnswerBalance)
            .where(AnswerBalance.answer_id == answer.id)
            .order_by(AnswerBalance.currency)
        ).all()
        [attached] = session.scalars(select(AnswerAttachment)).all()
    assert [(r.currency, r.their_balance, r.their_side, r.difference) for r in rows] == [
        ("TRY", Decimal("11500.00"), "B", Decimal("-500.00")),
        ("USD", Decimal("3000.00"), "A", Decimal("0.00")),
    ]
    assert attached.file_name == "ekstre_Agustos_rm_-rf.pdf" and attached.kind == "pdf"
    stored = data_dir / "portal_uploads" / attached.stored_name
    assert stored.read_bytes() == PDF and stored.stat().st_mode & 0o777 == 0o600
    assert attached.sha256 == hashlib.sha256(PDF).hexdigest()
    done = client.get(response.headers["location"])
    assert "We do not agree" in done.text and "11.500,00 TL" in done.text
    # The details of the letter in the terminal show who answered, the proof and the file.
    with database.reader() as session:
        shown = details_text(letter_details(session, alfa.id))
    assert "yanıt sayfası" in shown and "John Smith <john@elsewhere.com.tr>" in shown
    assert answer.shown_sha256 in shown and answer.sent_sha256 in shown
    assert "ekstre_Agustos_rm_-rf.pdf" in shown and "gönderen mektubun alıcılarından" in shown


@pytest.mark.parametrize(
    ("upload", "expected"),
    [
        (("fatura.pdf", b"MZ\x90\x00 this is a program"), "yalnızca PDF"),
        (("resim.png", b"%PDF" + b"\x00" * 10), "yalnızca PDF"),  # no "%PDF-": not a PDF
        (("büyük.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024)), "10 MB"),
        (("tablo.xlsx", b"PK\x03\x04not really a zip"), "yalnızca PDF"),
    ],
)
async def test_uploads_are_checked_by_content_and_size(
    database: Database, actor: Actor, tmp_path: Path, upload: tuple[str, bytes], expected: str
) -> None:
    links = portal_on(database, tmp_path)
    [alfa, _beta] = await sent_letters(database, actor, tmp_path)
    client = _client(database, links, tmp_path)
    token = link_token(database, alfa.id)
    page = client.get(f"/m/{token}").text
    response = client.post(
        f"/m/{token}",
        data={
            "form_token": _form_token(page),
            "choice": "disagreed",
            "amount_TRY": "11500",
            "side_TRY": "B",
            "name": "Ayşe",
            "email": "ayse@alfa.com.tr",
        },
        files=[("files", (upload[0], upload[1], "application/pdf"))],
    )
    assert response.status_code == 400 and expected in response.text
    assert _answers(database, alfa.id) == []
    uploads = tmp_path / "portal_uploads"
    assert not uploads.exists() or not any(uploads.iterdir())


async def test_more_than_three_files_are_refused(
    database: Database, actor: Actor, tmp_path: Path
) -> None:
    links = portal_on(database, tmp_path)
    [alfa, _beta] = await sent_letters(database, actor, tmp_path)
    client = _client(database, links, tmp_path)
    token = link_token(database, alfa.id)
    page = client.get(f"/m/{token}").text
    response = client.post(
        f"/m/{token}",
        data={
            "form_token": _form_token(page),
            "choice": "agreed",
            "name": "A",
            "email": "a@alfa.com.tr",
        },
        files=[("files", (f"e{n}.pdf", PDF, "application/pdf")) for n in range(4)],
    )
    assert response.status_code == 400 and "En çok 3 dosya" in response.text
    assert _answers(database, alfa.id) == []


async def test_a_form_without_a_valid_token_is_refused(
    database: Database, actor: Actor, tmp_path: Path
) -> None:
    links = portal_on(database, tmp_path)
    [alfa, beta] = await sent_letters(database, actor, tmp_path)
    client = _client(database, links, tmp_path)
    token = link_token(database, alfa.id)
    beta_page = client.get(f"/m/{link_token(database, beta.id)}").text
    fields = {"choice": "agreed", "name": "A", "email": "a@alfa.com.tr"}
    for form_token in ("", "123.abc", _form_token(beta_page)):  # Beta's form for Alfa's link
        response = client.post(f"/m/{token}", data=fields | {"form_token": form_token})
        assert response.status_code == 400 and "Form süresi dolmuş" in response.text
    assert _answers(database, alfa.id) == []
    assert _state(database, alfa.id) is LetterState.SENT


async def test_wrong_fields_are_explained_and_kept(
    database: Database, actor: Actor, tmp_path: Path
) -> None:
    links = portal_on(database, tmp_path)
    [alfa, _beta] = await sent_letters(database, actor, tmp_path)
    client = _client(database, links, tmp_path)
    token = link_token(database, alfa.id)
    page = client.get(f"/m/{token}").text
    response = client.post(
        f"/m/{token}",
        data={
            "form_token": _form_token(page),
            "choice": "disagreed",
            "amount_TRY": "on bin",
            "side_TRY": "B",
            "name": "",
            "email": "not-an-address",
            "note": "<b>x</b>",
        },
    )
    assert response.status_code == 400
    for reason in ("Adınızı yazın", "Geçerli bir e-posta", "Bakiye bir tutar olmalı"):
        assert reason in response.text
    assert "&lt;b&gt;x&lt;/b&gt;" in response.text and "<b>x</b>" not in response.text
    assert _answers(database, alfa.id) == []


async def test_rate_limits_per_address(database: Database, actor: Actor, tmp_path: Path) -> None:
    links = portal_on(database, tmp_path)
    [alfa, _beta] = await sent_letters(database, actor, tmp_path)
    client = _client(database, links, tmp_path, limiter=RateLimiter(per_address=3))
    token = link_token(database, alfa.id)
    codes = [client.get(f"/m/{token}").status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]


async def test_a_cancelled_letter_has_no_page(
    database: Database, actor: Actor, tmp_path: Path
) -> None:
    links = portal_on(database, tmp_path)
    [alfa, _beta] = await sent_letters(database, actor, tmp_path)
    token = link_token(database, alfa.id)
    with database.unit_of_work() as session:
        letter = session.get(Letter, alfa.id)
        assert letter is not None
        letter.state = LetterState.CANCELLED
        session.add(
            LetterEvent(
                letter_id=alfa.id,
                actor="tester",
                from_state="sent",
                to_state="cancelled",
                reason="test",
                at=dt.datetime.now(dt.UTC),
            )
        )
    response = _client(database, links, tmp_path).get(f"/m/{token}")
    assert response.status_code == 404 and INVALID in response.text


async def test_reminders_carry_the_link(database: Database, actor: Actor, tmp_path: Path) -> None:
    # Sent before the portal was on: the reminder brings the link.
    [alfa, beta] = await sent_letters(database, actor, tmp_path)
    links = portal_on(database, tmp_path)
    with database.unit_of_work() as session:
        reminded = send_reminders(session, actor, [alfa.id], TODAY)
    assert reminded == [alfa.id]
    body = message_of(database, _newest_letter(database)).get_body(("plain",))
    assert body is not None
    url = links.url(alfa.token, ANSWER_BY)
    assert str(body.get_content()).count(url) == 1
    # The link of a reminder opens the letter it repeats, not the reminder.
    with database.reader() as session:
        opened = open_letter(session, links, url.rsplit("/", 1)[1], TODAY)
        assert opened is not None and opened.id == alfa.id
    del beta


async def test_a_reminder_of_a_letter_with_a_link_repeats_it_once(
    database: Database, actor: Actor, tmp_path: Path
) -> None:
    links = portal_on(database, tmp_path)
    [alfa, _beta] = await sent_letters(database, actor, tmp_path)
    with database.unit_of_work() as session:
        assert send_reminders(session, actor, [alfa.id], TODAY) == [alfa.id]
    body = message_of(database, _newest_letter(database)).get_body(("plain",))
    assert body is not None
    assert str(body.get_content()).count(links.url(alfa.token, ANSWER_BY)) == 1


async def test_a_body_too_large_is_refused_even_without_a_length(
    database: Database, actor: Actor, tmp_path: Path
) -> None:
    links = portal_on(database, tmp_path)
    [alfa, _beta] = await sent_letters(database, actor, tmp_path)
    client = _client(database, links, tmp_path)
    token = link_token(database, alfa.id)

    def chunks() -> Iterator[bytes]:
        yield b'--x\r\nContent-Disposition: form-data; name="files"; filename="a.pdf"\r\n\r\n'
        for _n in range(33):
            yield b"%PDF-" + b"0" * (1024 * 1024)

    response = client.post(
        f"/m/{token}",
        content=chunks(),
        headers={"content-type": "multipart/form-data; boundary=x"},
    )
    assert response.status_code == 413
    declared = client.post(
        f"/m/{token}", content=b"x", headers={"content-length": str(40 * 1024 * 1024)}
    )
    assert declared.status_code == 413
    assert _answers(database, alfa.id) == []


async def test_an_unclear_emailed_answer_is_made_clear_on_the_page(
    database: Database, actor: Actor, tmp_path: Path
) -> None:
    links = portal_on(database, tmp_path)
    [alfa, _beta] = await sent_letters(database, actor, tmp_path)
    with database.unit_of_work() as session:
        letter = session.get(Letter, alfa.id)
        assert letter is not None
        letter.state = LetterState.UNCLEAR
    client = _client(database, links, tmp_path)
    token = link_token(database, alfa.id)
    page = client.get(f"/m/{token}").text
    fields = {"choice": "agreed", "name": "A", "email": "mali@alfa.com.tr"}
    response = client.post(f"/m/{token}", data=fields | {"form_token": _form_token(page)})
    assert response.status_code == 303
    assert _state(database, alfa.id) is LetterState.AGREED
    # An agreed letter takes no second answer on the page: the recorded one is shown.
    assert "daha önce verildi" in client.get(f"/m/{token}").text
