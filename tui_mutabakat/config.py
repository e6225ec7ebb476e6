"""One typed settings object, from defaults, a TOML file and `MUTABAKAT_*` variables.

Precedence: environment over file over defaults. The settings are built once by the command
line and handed to whatever needs them; nothing deep in the code reads the environment.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from platformdirs import user_config_dir, user_data_dir

from tui_mutabakat.mail.limits import ReadLimits

APP_NAME = "mutabakat"
MAIL_BACKENDS = ("file", "smtp")
LANGUAGES = ("tr", "en")


def default_config_file() -> Path:
    return Path(user_config_dir(APP_NAME)) / "config.toml"


def default_data_dir() -> Path:
    return Path(user_data_dir(APP_NAME))


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the application needs to know about where it runs."""

    data_dir: Path
    database_url: str
    mail_backend: str = "file"
    outbox_dir: Path | None = None
    language: str = "tr"
    #: Binding id → keys, e.g. `{"actions": "f9,ctrl+o"}` (Textual's `set_keymap`).
    keymap: Mapping[str, str] = field(default_factory=dict)
    #: The operating-system login to act as; `None` means the current one.
    user_login: str | None = None
    #: How much of one mailbox message is read (`[intake]`: max_bytes, max_parts,
    #: max_depth, max_text); over a limit the message is listed as unreadable.
    read_limits: ReadLimits = field(default_factory=ReadLimits)

    @property
    def mail_outbox(self) -> Path:
        return self.outbox_dir or self.data_dir / "outbox"

    def with_database(self, url: str) -> Settings:
        return replace(self, database_url=url)


def load_settings(
    *,
    config_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    env = os.environ if environ is None else environ
    path = Path(env["MUTABAKAT_CONFIG"]) if "MUTABAKAT_CONFIG" in env else config_file
    path = path or default_config_file()
    values: dict[str, Any] = {}
    if path.exists():
        with path.open("rb") as handle:
            values = tomllib.load(handle)
    data_dir = Path(env.get("MUTABAKAT_DATA_DIR", values.get("data_dir", default_data_dir())))
    database_url = env.get(
        "MUTABAKAT_DATABASE_URL",
        values.get("database_url", sqlite_url(data_dir / "mutabakat.sqlite3")),
    )
    mail_backend = env.get("MUTABAKAT_MAIL_BACKEND", values.get("mail_backend", "file"))
    if mail_backend not in MAIL_BACKENDS:
        raise ValueError(f"mail_backend must be one of {MAIL_BACKENDS}, not {mail_backend!r}")
    language = str(env.get("MUTABAKAT_LANGUAGE", values.get("language", "tr")))
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {language!r}")
    outbox = env.get("MUTABAKAT_OUTBOX_DIR", values.get("outbox_dir"))
    keymap = values.get("keymap", {})
    if not isinstance(keymap, dict):
        raise ValueError("[keymap] must be a table of binding id = keys")
    intake = values.get("intake", {})
    if not isinstance(intake, dict):
        raise ValueError("[intake] must be a table of limits")
    return Settings(
        data_dir=data_dir,
        database_url=str(database_url),
        mail_backend=str(mail_backend),
        outbox_dir=Path(outbox) if outbox else None,
        language=language,
        keymap={str(k): str(v) for k, v in keymap.items()},
        user_login=env.get("MUTABAKAT_USER", values.get("user")),
        read_limits=ReadLimits.from_table(intake),
    )
