"""Start-up checks the schema revision cheaply (issue 14.4): the head is read from the
migration files, an up-to-date database costs one query and Alembic is not even imported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic.script import ScriptDirectory

from tui_mutabakat.config import sqlite_url
from tui_mutabakat.data import migrate
from tui_mutabakat.data.session import Database

ROOT = Path(__file__).resolve().parent.parent


def test_head_from_the_files_is_alembics_head() -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    assert migrate.head_revision() == script.get_current_head()


def test_an_up_to_date_database_is_checked_without_alembic(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "db.sqlite3")
    database = Database.from_url(url)
    assert migrate.database_revision(database.engine) is None
    migrate.upgrade(database.engine)
    assert migrate.database_revision(database.engine) == migrate.head_revision()
    database.dispose()
    code = (
        "import sys\n"
        "from tui_mutabakat.cli import main\n"
        "from tui_mutabakat.data import migrate\n"
        "from tui_mutabakat.data.session import Database\n"
        f"database = Database.from_url({url!r})\n"
        "migrate.upgrade(database.engine)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_a_database_behind_is_migrated(tmp_path: Path) -> None:
    database = Database.from_url(sqlite_url(tmp_path / "db.sqlite3"))
    migrate.upgrade(database.engine, "0005_tracking")
    assert migrate.database_revision(database.engine) == "0005_tracking"
    migrate.upgrade(database.engine)
    assert migrate.current_revision(database.engine) == migrate.head_revision()
    database.dispose()


def test_the_command_line_loads_no_import_machinery() -> None:
    """`mutabakat` builds its parser from the import kinds alone: openpyxl and the import
    run (ORM, stores) are loaded only by `mutabakat import`/`export` and the screen."""
    code = (
        "import sys\n"
        "from tui_mutabakat.cli import _parser\n"
        "_parser()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'openpyxl'"
        " or m.startswith('tui_mutabakat.services.importing.run')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
