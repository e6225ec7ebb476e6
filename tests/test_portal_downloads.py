"""What the answer page offers for download (issue 15, point 3): the letter's own files as
they were e-mailed (its statement CSV, its PDF) and the open items it shows, each a real
download behind the same link check as the page."""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.portal_data import link_token, message_of, portal_on, sent_letters
from tui_mutabakat.data.session import Database
from tui_mutabakat.portal.app import make_portal
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.portal.links import PortalLinks

INVALID = "Bağlantı geçersiz ya da süresi dolmuş"


def _client(database: Database, links: PortalLinks, data_dir: Path, today: dt.date) -> TestClient:
    portal = make_portal(database, links, data_dir, today=lambda: today)
    return TestClient(portal, follow_redirects=False)


async def test_the_letters_files_and_open_items_are_downloads(
    database: Database, actor: Actor, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="mutabakat.portal")
    links = portal_on(database, tmp_path)
    [alfa, _beta] = await sent_letters(
        database, actor, tmp_path, open_items=True, attach_statement=True, attach_pdf=True
    )
    token = link_token(database, alfa.id)
    client = _client(database, links, tmp_path, dt.date(2026, 12, 5))
    page = client.get(f"/m/{token}").text
    sent = {
        part.get_filename(): part.get_payload(decode=True)
        for part in message_of(database, alfa.id).iter_attachments()
    }
    assert sorted(sent) == ["Mutabakat_120.001_20261130.pdf", "ekstre_120.001.csv"]
    links_on_page = re.findall(rf'href="(/m/{re.escape(token)}/file/\d)" download="([^"]+)"', page)
    assert sorted(name for _href, name in links_on_page) == sorted(sent)
    for href, name in links_on_page:
        got = client.get(href)
        assert got.status_code == 200
        assert got.content == sent[name]  # the file as it was e-mailed, byte for byte
        assert got.headers["content-disposition"] == f'attachment; filename="{name}"'
        assert got.headers["x-content-type-options"] == "nosniff"
        assert "default-src 'self'" in got.headers["content-security-policy"]
    kinds = {name: client.get(href).headers["content-type"] for href, name in links_on_page}
    assert kinds["Mutabakat_120.001_20261130.pdf"] == "application/pdf"
    # the open items as the page shows them, in the page's language
    assert f'href="/m/{token}/open-items.csv?lang=tr"' in page
    items = client.get(f"/m/{token}/open-items.csv?lang=tr")
    assert items.status_code == 200 and items.content.startswith("\ufeff".encode())
    text = items.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Para birimi;Tarih;Belge no")
    assert "TL;01.10.2026;" in text and ";12.000,00;B" in text  # TL, as every screen says
    assert "USD;02.10.2026;" in text and ";3.000,00;A" in text
    english = client.get(f"/m/{token}/open-items.csv?lang=en").content.decode("utf-8-sig")
    assert english.startswith("Currency;Date;Document")
    # no such file, a tampered link, an expired one: the one plain refusal
    for path in (f"/m/{token}/file/2", f"/m/{token}x/file/0", f"/m/{token[1:]}/open-items.csv"):
        refused = client.get(path)
        assert refused.status_code == 404 and INVALID in refused.text
    # the log names the route, never the whole token
    logged = [r.getMessage() for r in caplog.records if "/file/0" in r.getMessage()]
    assert logged and all(token not in line for line in logged)
    assert f'"GET /m/{token[:8]}…/file/0"' in logged[0]
    late = _client(database, links, tmp_path, dt.date(2027, 2, 1))
    assert late.get(f"/m/{token}/file/0").status_code == 404
    assert late.get(f"/m/{token}/open-items.csv").status_code == 404


async def test_a_letter_without_files_offers_none(
    database: Database, actor: Actor, tmp_path: Path
) -> None:
    links = portal_on(database, tmp_path)
    [alfa, _beta] = await sent_letters(database, actor, tmp_path)
    token = link_token(database, alfa.id)
    client = _client(database, links, tmp_path, dt.date(2026, 12, 5))
    page = client.get(f"/m/{token}").text
    assert "/file/" not in page and "open-items.csv" not in page
    assert client.get(f"/m/{token}/file/0").status_code == 404
    assert client.get(f"/m/{token}/open-items.csv").status_code == 404
