"""The answer page's own PostgreSQL role (issue 15, point 4): made by `mutabakat db roles
--portal LOGIN`, it reads letters and records answers through the real page, and the
database refuses it everything else — changing an account, reading the users (their mail
settings and password references), the accounts, the settings, the audit trail."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.engine import make_url
from starlette.testclient import TestClient

from tests.portal_data import link_token, portal_on, sent_letters
from tui_mutabakat import cli
from tui_mutabakat.config import Settings
from tui_mutabakat.data.models import Account, AuditEvent, User, WorkingSettings
from tui_mutabakat.data.outbox_models import Letter, LetterBalance
from tui_mutabakat.data.session import Database
from tui_mutabakat.data.tracking_models import AnswerAttachment, AnswerBalance, LetterAnswer
from tui_mutabakat.domain.errors import PermissionDenied
from tui_mutabakat.domain.states import LetterState
from tui_mutabakat.portal.app import make_portal
from tui_mutabakat.portal.serve import check
from tui_mutabakat.services.context import resolve_actor

PORTAL_LOGIN = "mutabakat_web"
PDF = b"%PDF-1.4\n%%EOF\n"


def _as(database: Database, login: str) -> Database:
    url = make_url(database.engine.url.render_as_string(hide_password=False))
    return Database.from_url(url.set(username=login).render_as_string(hide_password=False))


@pytest.fixture
def quiet_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MUTABAKAT_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("MUTABAKAT_DATA_DIR", str(tmp_path / "data"))


async def test_the_portal_role_records_answers_and_nothing_else(
    pg_database: Database,
    tmp_path: Path,
    quiet_settings: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pg_database.unit_of_work() as session:
        actor = resolve_actor(session, "tester")
    links = portal_on(pg_database, tmp_path)
    [alfa, beta] = await sent_letters(pg_database, actor, tmp_path, open_items=True)
    url = pg_database.engine.url.render_as_string(hide_password=False)
    assert cli.main(["--db", url, "db", "roles", "--portal", PORTAL_LOGIN]) == 0
    assert cli.main(["--db", url, "db", "roles", "--portal", PORTAL_LOGIN]) == 0  # idempotent
    web = _as(pg_database, PORTAL_LOGIN)
    try:
        # the page, as the portal's role: shown (open items too) and answered with a file
        portal = make_portal(web, links, tmp_path, today=lambda: dt.date(2026, 12, 5))
        client = TestClient(portal, follow_redirects=False)
        token = link_token(pg_database, alfa.id)
        page = client.get(f"/m/{token}")
        assert page.status_code == 200 and "Alfa Ltd." in page.text and "12.000,00" in page.text
        found = re.search(r'name="form_token" value="([^"]+)"', page.text)
        assert found is not None
        sent = client.post(
            f"/m/{token}",
            data={
                "form_token": found.group(1),
                "choice": "disagreed",
                "amount_TRY": "11.500,00",
                "side_TRY": "B",
                "name": "Ayşe Demir",
                "email": "mali@alfa.com.tr",
            },
            files=[("files", ("ekstre.pdf", PDF, "application/pdf"))],
        )
        assert sent.status_code == 303, sent.text
        assert "Ayşe Demir" in client.get(sent.headers["location"]).text
        # what the database refuses it
        refused = [
            update(Account).where(Account.code == "120.001").values(title="Başka"),
            select(User.smtp_password_ref),
            select(User.login),
            select(Account.title),
            select(WorkingSettings.id),
            select(AuditEvent.id),
            update(LetterBalance).values(balance=Decimal("1")),
            update(Letter).where(Letter.id == beta.id).values(account_title="Başka"),
            delete(LetterAnswer),
            update(LetterAnswer).values(note="değişti"),
            insert(AuditEvent).values(user_login="portal", action="x", entity="y"),
            text("CREATE TABLE portal_was_here (id int)"),
        ]
        for statement in refused:
            with pytest.raises(PermissionDenied):
                with web.unit_of_work() as session:
                    session.execute(statement)
        # … while the owner sees the answer landed in tracking
        with pg_database.reader() as session:
            letter = session.get(Letter, alfa.id)
            assert letter is not None and letter.state is LetterState.DISAGREED
            answer = session.scalars(select(LetterAnswer)).one()
            assert answer.channel == "web" and answer.responder == "Ayşe Demir"
            assert session.scalars(select(AnswerBalance.their_balance)).one() == Decimal("11500")
            assert session.scalars(select(AnswerAttachment.file_name)).one() == "ekstre.pdf"
        # a role the database refuses to record with: the visitor is told, nothing is kept
        with pg_database.engine.begin() as connection:
            connection.exec_driver_sql("REVOKE INSERT ON letter_answer FROM mutabakat_portal")
        uploads = sorted((tmp_path / "portal_uploads").iterdir())
        token = link_token(pg_database, beta.id)
        form = client.get(f"/m/{token}").text
        found = re.search(r'name="form_token" value="([^"]+)"', form)
        assert found is not None
        refused_answer = client.post(
            f"/m/{token}",
            data={
                "form_token": found.group(1),
                "choice": "agreed",
                "name": "Mehmet Kaya",
                "email": "muhasebe@beta.com.tr",
            },
            files=[("files", ("ekstre.pdf", PDF, "application/pdf"))],
        )
        assert refused_answer.status_code == 503
        assert "şu an kaydedilemedi" in refused_answer.text
        assert sorted((tmp_path / "portal_uploads").iterdir()) == uploads
        # `portal --check` tells the roles apart
        capsys.readouterr()
        web_url = web.engine.url.render_as_string(hide_password=False)
        page_url = "https://mutabakat.ornek.com.tr"
        assert check(Settings(tmp_path, web_url, portal_url=page_url)) == 0
        assert "letters and answers only" in capsys.readouterr().out
        assert check(Settings(tmp_path, url, portal_url=page_url)) == 1
        assert "mutabakat db roles --portal" in capsys.readouterr().out
    finally:
        web.dispose()
