"""Where the SMTP password comes from (SPEC A2): never the database, never a log.

A user's `smtp_password_ref` names the source:

- `env:NAME` — the environment variable NAME;
- `file:/path` — the first line of a file only its owner can read or write (mode 0600 or
  stricter; anything looser is refused, like ssh does with keys);
- `cmd:command line` — the first line printed by a command run with `/bin/sh -c`, like
  msmtp's `passwordeval` (e.g. `cmd:pass show mail/muhasebe`).

The value is wrapped in `Secret`, whose `repr` and `str` do not show it; error messages
name the source, never the value.

A reference is resolved only by its owner (`resolve_owned`): in a process acting as the
login whose sender identity it is. Another login's worker would otherwise run her command
under its own account, read its own files or hand its own environment's password to her
server. `env:` follows the same rule — the variable is the process's, not the owner's.

A command that does not finish in time is killed with its whole process group, so a
`sh -c 'sleep 60 & …'` leaves nothing behind.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
from pathlib import Path

from tui_mutabakat.i18n import gettext as _


class SecretError(Exception):
    """The password could not be read; the message says why (without the password)."""


class NotOwner(SecretError):
    """The reference belongs to another login: it is left alone, nothing is run or read."""


class Secret:
    """A password that does not print itself."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)


def resolve_owned(ref: str, *, owner: str, acting: str, timeout: float = 15.0) -> Secret | None:
    """`resolve_secret`, only when the process acts as `owner`, the login whose sender
    identity `ref` belongs to; `NotOwner` otherwise, before anything is run or read."""
    if not ref.strip():
        return None
    if owner != acting:
        raise NotOwner(
            _(
                "{owner} kullanıcısının parolası yalnızca {owner} oturumunda okunur; bu süreç "
                "{acting} olarak çalışıyor."
            ).format(owner=owner, acting=acting)
        )
    return resolve_secret(ref, timeout=timeout)


def resolve_secret(ref: str, *, timeout: float = 15.0) -> Secret | None:
    """Read the password `ref` points at; `None` when there is no reference."""
    ref = ref.strip()
    if not ref:
        return None
    kind, sep, rest = ref.partition(":")
    if not sep or not rest.strip():
        raise SecretError(
            _("Parola kaynağı anlaşılmadı; env:AD, file:/yol veya cmd:komut biçiminde olmalı.")
        )
    if kind == "env":
        return _from_env(rest.strip())
    if kind == "file":
        return _from_file(Path(rest.strip()).expanduser())
    if kind == "cmd":
        return _from_command(rest, timeout)
    raise SecretError(
        _("Bilinmeyen parola kaynağı '{kind}'; env:, file: veya cmd: kullanın.").format(kind=kind)
    )


def _from_env(name: str) -> Secret:
    value = os.environ.get(name)
    if value is None:
        raise SecretError(_("Ortam değişkeni {name} tanımlı değil.").format(name=name))
    return Secret(value)


def _from_file(path: Path) -> Secret:
    try:
        info = path.stat()
    except OSError as exc:
        raise SecretError(
            _("Parola dosyası okunamadı: {path} ({reason})").format(path=path, reason=exc.strerror)
        ) from None
    if not stat.S_ISREG(info.st_mode):
        raise SecretError(_("Parola dosyası normal bir dosya değil: {path}").format(path=path))
    loose = stat.S_IMODE(info.st_mode) & 0o077
    if loose:
        raise SecretError(
            _(
                "Parola dosyasını başkaları okuyabiliyor ({path}, izinler {mode:o}); "
                "'chmod 600' ile yalnız sahibine açın."
            ).format(path=path, mode=stat.S_IMODE(info.st_mode))
        )
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise SecretError(_("Parola dosyasının sahibi siz değilsiniz: {path}").format(path=path))
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise SecretError(_("Parola dosyası okunamadı: {path}").format(path=path)) from None
    return Secret(_first_line(text))


def _from_command(command: str, timeout: float) -> Secret:
    try:
        # A session (and process group) of its own: on timeout the whole group is killed,
        # children the shell started included.
        child = subprocess.Popen(
            ["/bin/sh", "-c", command],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except OSError as exc:
        raise SecretError(
            _("Parola komutu çalıştırılamadı ({reason}).").format(reason=exc.strerror)
        ) from None
    try:
        stdout, _stderr = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(child)
        raise SecretError(
            _("Parola komutu {seconds:g} saniyede bitmedi.").format(seconds=timeout)
        ) from None
    finally:
        if child.returncode is None:
            _kill_group(child)
    if child.returncode != 0:
        raise SecretError(
            _("Parola komutu hata ile bitti (çıkış kodu {code}).").format(code=child.returncode)
        )
    try:
        text = stdout.decode("utf-8")
    except UnicodeDecodeError:
        raise SecretError(_("Parola komutunun çıktısı UTF-8 değil.")) from None
    return Secret(_first_line(text))


def _kill_group(child: subprocess.Popen[bytes]) -> None:
    """Kill the command's process group (its pid is the group's id) and reap the shell."""
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        child.communicate(timeout=2)
    except subprocess.TimeoutExpired:
        # A process that left the group (a session of its own) still holds the pipes.
        for pipe in (child.stdout, child.stderr):
            if pipe is not None:
                pipe.close()
        child.wait()


def _first_line(text: str) -> str:
    return text.split("\n", 1)[0].rstrip("\r")
