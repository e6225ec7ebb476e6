"""One typed settings object, from defaults, a TOML file and `MUTABAKAT_*` variables.

Precedence: environment over file over defaults. The settings are built once by the command
line and handed to whatever needs them; nothing deep in the code reads the environment.

Who is acting is not a setting (SPEC A2): it is the login of the process's real user id
(`os_login`). Neither a variable nor the file changes it; only code (the tests) can pass
another login to `Settings`.
"""

from __future__ import annotations

import os
import pwd
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


def os_login() -> str:
    """The login of the process's real user id: who is acting (SPEC A2). `getpass.getuser`
    is not used — it believes `LOGNAME` and `USER`, which anyone can set."""
    uid = os.getuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid{uid}"


def os_real_name(login: str) -> str:
    """The person's name the system knows for `login` (the first field of its GECOS entry),
    "" when there is none or it only repeats the login (root's is "root")."""
    try:
        gecos = pwd.getpwnam(login).pw_gecos
    except KeyError:
        return ""
    name = gecos.split(",", 1)[0].strip()
    return "" if name == login else name


def private_directory(path: Path) -> Path:
    """`path`, created when missing readable by its owner only (0700; the parents are
    made as usual). An existing directory is left as it is: its owner chose its mode."""
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.chmod(0o700)  # whatever the umask
    return path


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
    #: Another login to act as, for tests only: set in code, never from a variable or the
    #: file. `None` (always, in the program) means the login of the real user id.
    user_login: str | None = None
    #: How much of one mailbox message is read (`[intake]`: max_bytes, max_parts,
    #: max_depth, max_text); over a limit the message is listed as unreadable.
    read_limits: ReadLimits = field(default_factory=ReadLimits)
    #: The public address of the answer page (`https://mutabakat.firma.com.tr`); "" = off.
    portal_url: str = ""
    #: Days after the answer-by date a letter's link still opens the page.
    portal_grace_days: int = 14

    @property
    def acting_login(self) -> str:
        """Who this process acts as, and whose password references it may resolve."""
        return self.user_login or os_login()

    @property
    def mail_outbox(self) -> Path:
        return self.outbox_dir or self.data_dir / "outbox"

    @property
    def mail_inbox(self) -> Path:
        """Where replies are read from with the file backend: beside the outbox (the demo's
        `<data_dir>/demo/inbox`, else `<data_dir>/inbox`)."""
        return self.mail_outbox.parent / "inbox"

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
    if "user" in values:
        raise ValueError("'user' is not a setting any more: you act as the login of your user id")
    keymap = values.get("keymap", {})
    if not isinstance(keymap, dict):
        raise ValueError("[keymap] must be a table of binding id = keys")
    intake = values.get("intake", {})
    if not isinstance(intake, dict):
        raise ValueError("[intake] must be a table of limits")
    portal_url = str(env.get("MUTABAKAT_PORTAL_URL", values.get("portal_url", ""))).strip()
    if portal_url and not portal_url.startswith(("https://", "http://")):
        raise ValueError("portal_url must start with https:// (or http:// for a test)")
    grace = env.get("MUTABAKAT_PORTAL_GRACE_DAYS", values.get("portal_grace_days", 14))
    try:
        grace_days = int(grace)
    except (TypeError, ValueError):
        raise ValueError(f"portal_grace_days must be a whole number, not {grace!r}") from None
    if not 0 <= grace_days <= 365:
        raise ValueError("portal_grace_days must be between 0 and 365")
    return Settings(
        data_dir=data_dir,
        database_url=str(database_url),
        mail_backend=str(mail_backend),
        outbox_dir=Path(outbox) if outbox else None,
        language=language,
        keymap={str(k): str(v) for k, v in keymap.items()},
        read_limits=ReadLimits.from_table(intake),
        portal_url=portal_url.rstrip("/"),
        portal_grace_days=grace_days,
    )
