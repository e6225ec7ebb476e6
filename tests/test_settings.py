"""Settings: defaults, then the TOML file, then `MUTABAKAT_*` variables (config.load_settings)."""

from __future__ import annotations

import os
import pwd
from pathlib import Path

import pytest

from tui_mutabakat.config import (
    Settings,
    default_data_dir,
    load_settings,
    os_login,
    sqlite_url,
)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_file_or_environment(tmp_path: Path) -> None:
    settings = load_settings(config_file=tmp_path / "missing.toml", environ={})
    assert settings.data_dir == default_data_dir()
    assert settings.database_url == sqlite_url(default_data_dir() / "mutabakat.sqlite3")
    assert (settings.mail_backend, settings.language, settings.user_login) == ("file", "tr", None)
    assert settings.mail_outbox == default_data_dir() / "outbox"
    assert dict(settings.keymap) == {}


def test_the_file_sets_everything(tmp_path: Path) -> None:
    config = _write(
        tmp_path / "config.toml",
        f"""
data_dir = "{tmp_path / "veri"}"
database_url = "postgresql+psycopg://muhasebe@db.example/mutabakat"
mail_backend = "smtp"
outbox_dir = "{tmp_path / "giden"}"
language = "en"

[keymap]
actions = "f9,ctrl+o"
save = "f2,ctrl+s"
""",
    )
    settings = load_settings(config_file=config, environ={})
    assert settings.data_dir == tmp_path / "veri"
    assert settings.database_url == "postgresql+psycopg://muhasebe@db.example/mutabakat"
    assert (settings.mail_backend, settings.language, settings.user_login) == ("smtp", "en", None)
    assert settings.mail_outbox == tmp_path / "giden"
    assert dict(settings.keymap) == {"actions": "f9,ctrl+o", "save": "f2,ctrl+s"}


def test_the_database_follows_the_data_dir_unless_given(tmp_path: Path) -> None:
    config = _write(tmp_path / "config.toml", f'data_dir = "{tmp_path / "şirket"}"\n')
    settings = load_settings(config_file=config, environ={})
    assert settings.database_url == sqlite_url(tmp_path / "şirket" / "mutabakat.sqlite3")
    assert settings.mail_outbox == tmp_path / "şirket" / "outbox"


def test_environment_wins_over_the_file(tmp_path: Path) -> None:
    config = _write(
        tmp_path / "config.toml",
        'database_url = "sqlite:///dosya.sqlite3"\nmail_backend = "smtp"\nlanguage = "en"\n',
    )
    environ = {
        "MUTABAKAT_DATA_DIR": str(tmp_path / "ortam"),
        "MUTABAKAT_DATABASE_URL": "sqlite:///ortam.sqlite3",
        "MUTABAKAT_MAIL_BACKEND": "file",
        "MUTABAKAT_OUTBOX_DIR": str(tmp_path / "kutu"),
        "MUTABAKAT_LANGUAGE": "tr",
    }
    settings = load_settings(config_file=config, environ=environ)
    assert settings.data_dir == tmp_path / "ortam"
    assert settings.database_url == "sqlite:///ortam.sqlite3"
    assert (settings.mail_backend, settings.language, settings.user_login) == (
        "file",
        "tr",
        None,
    )
    assert settings.mail_outbox == tmp_path / "kutu"


def test_mutabakat_config_names_the_file(tmp_path: Path) -> None:
    chosen = _write(tmp_path / "chosen.toml", 'language = "en"\n')
    ignored = _write(tmp_path / "ignored.toml", 'language = "de"\n')
    settings = load_settings(config_file=ignored, environ={"MUTABAKAT_CONFIG": str(chosen)})
    assert settings.language == "en"


def test_the_process_environment_is_read_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MUTABAKAT_CONFIG", str(tmp_path / "yok.toml"))
    monkeypatch.setenv("MUTABAKAT_DATABASE_URL", "sqlite:///süreç.sqlite3")
    assert load_settings().database_url == "sqlite:///süreç.sqlite3"


def test_no_variable_changes_who_is_acting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The acting user is the login of the real user id (SPEC A2): `MUTABAKAT_USER`,
    `LOGNAME`, `USER` and `LNAME` (which `getpass.getuser` believes) change nothing."""
    real = pwd.getpwuid(os.getuid()).pw_name
    for name in ("MUTABAKAT_USER", "LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(name, "yonetici")
    monkeypatch.setenv("MUTABAKAT_CONFIG", str(tmp_path / "yok.toml"))
    settings = load_settings()
    assert settings.user_login is None
    assert os_login() == real
    assert settings.acting_login == real


@pytest.mark.skipif(os.geteuid() != 0, reason="switching to another login needs root")
def test_another_login_is_itself_whatever_its_environment_says() -> None:
    """A real second login (`nobody`) that names the admin in every variable is still
    `nobody`: a forked child drops to its user id, then asks."""
    other = pwd.getpwnam("nobody")
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover — the child
        try:
            os.setgid(other.pw_gid)
            os.setuid(other.pw_uid)
            for name in ("MUTABAKAT_USER", "LOGNAME", "USER", "LNAME", "USERNAME"):
                os.environ[name] = "root"
            os.write(write, os_login().encode())
        finally:
            os._exit(0)
    os.close(write)
    _, status = os.waitpid(pid, 0)
    answer = os.read(read, 100).decode()
    os.close(read)
    assert os.waitstatus_to_exitcode(status) == 0
    assert answer == "nobody"


def test_the_file_cannot_name_the_user(tmp_path: Path) -> None:
    config = _write(tmp_path / "config.toml", 'user = "yonetici"\n')
    with pytest.raises(ValueError, match="user"):
        load_settings(config_file=config, environ={})


@pytest.mark.parametrize(
    ("text", "environ", "message"),
    [
        ('mail_backend = "pigeon"\n', {}, "mail_backend"),
        ("", {"MUTABAKAT_MAIL_BACKEND": "fax"}, "mail_backend"),
        ('keymap = "f9"\n', {}, "keymap"),
    ],
)
def test_wrong_values_are_refused_with_their_name(
    tmp_path: Path, text: str, environ: dict[str, str], message: str
) -> None:
    config = _write(tmp_path / "config.toml", text)
    with pytest.raises(ValueError, match=message):
        load_settings(config_file=config, environ=environ)


def test_a_broken_file_is_an_error_not_silently_ignored(tmp_path: Path) -> None:
    config = _write(tmp_path / "config.toml", "language = \n")
    with pytest.raises(ValueError):
        load_settings(config_file=config, environ={})


def test_with_database_replaces_only_the_url(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url="sqlite:///a.sqlite3", language="en")
    moved = settings.with_database("postgresql+psycopg://x@y/z")
    assert moved.database_url == "postgresql+psycopg://x@y/z"
    assert (moved.data_dir, moved.language) == (tmp_path, "en")
    assert settings.database_url == "sqlite:///a.sqlite3"


def test_the_intake_limits_are_settings(tmp_path: Path) -> None:
    from tui_mutabakat.mail.limits import ReadLimits

    config = tmp_path / "config.toml"
    assert load_settings(config_file=config, environ={}).read_limits == ReadLimits()
    config.write_text("[intake]\nmax_bytes = 1000000\nmax_depth = 5\n", encoding="utf-8")
    limits = load_settings(config_file=config, environ={}).read_limits
    assert (limits.max_bytes, limits.max_depth, limits.max_parts) == (1_000_000, 5, 500)
    for wrong in ("max_bytes = 0", "max_depth = -1", 'max_parts = "10"', "max_nesting = 3"):
        config.write_text(f"[intake]\n{wrong}\n", encoding="utf-8")
        with pytest.raises(ValueError, match=r"\[intake\]"):
            load_settings(config_file=config, environ={})


def test_the_file_backends_inbox_is_beside_its_outbox(tmp_path: Path) -> None:
    """The demo writes to `<data>/demo/outbox`: a reply dropped beside it is read."""
    plain = Settings(data_dir=tmp_path, database_url="sqlite://")
    assert plain.mail_inbox == tmp_path / "inbox"
    demo = Settings(
        data_dir=tmp_path, database_url="sqlite://", outbox_dir=tmp_path / "demo" / "outbox"
    )
    assert demo.mail_inbox == tmp_path / "demo" / "inbox"
