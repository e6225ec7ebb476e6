"""A real IMAP server for the tests: Debian's Dovecot in the foreground on loopback.

`running_dovecot()` writes a minimal dovecot.conf into a temporary directory (listen on
127.0.0.1 and a free port, no TLS, plaintext login allowed, one passwd-file user with a
`{PLAIN}` password, maildir in the temporary directory), starts `dovecot -F -c <conf>`,
waits for the port and stops it at the end. As root, Dovecot's own unprivileged users
(`dovecot`, `dovenull`, created by the Debian package) run it and own the mail.

Without Dovecot the tests are skipped, except under CI=true, where they fail.
"""

from __future__ import annotations

import grp
import imaplib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.certificates import self_signed

LOGIN = "muhasebe@firma.example"
PASSWORD = "imap-test-sifre"


class DovecotUnavailable(RuntimeError):
    pass


@dataclass(frozen=True)
class Dovecot:
    host: str
    port: int
    login: str
    password: str
    directory: Path
    #: With `running_dovecot(tls=True)`: the implicit-TLS port (STARTTLS is offered on
    #: `port`) and the self-signed certificate to trust.
    tls_port: int | None = None
    cafile: Path | None = None

    def client(self) -> imaplib.IMAP4:
        conn = imaplib.IMAP4(self.host, self.port, timeout=10)
        conn.login(self.login, self.password)
        return conn

    def append(self, *messages: bytes, folder: str = "INBOX") -> None:
        conn = self.client()
        try:
            for raw in messages:
                typ, data = conn.append(folder, "", None, raw)
                assert typ == "OK", data
        finally:
            conn.logout()

    def flags(self, folder: str = "INBOX") -> dict[int, str]:
        """UID → flags of every message in the folder."""
        conn = self.client()
        try:
            conn.select(folder, readonly=True)
            typ, data = conn.uid("FETCH", "1:*", "(FLAGS)")
            assert typ == "OK", data
            result: dict[int, str] = {}
            for item in data:
                if isinstance(item, bytes) and b"UID" in item:
                    text = item.decode()
                    uid = int(text.split("UID ")[1].split()[0].rstrip(")"))
                    result[uid] = text.split("FLAGS (")[1].split(")")[0]
            return result
        finally:
            conn.logout()


def find_dovecot() -> str | None:
    return shutil.which("dovecot") or (
        "/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _config(
    directory: Path, port: int, user: str, login_user: str, tls_port: int | None = None
) -> str:
    if tls_port is None:
        ssl_lines, imaps_port = "ssl = no", 0
    else:
        ssl_lines = f"ssl = yes\nssl_cert = <{directory}/cert.pem\nssl_key = <{directory}/key.pem"
        imaps_port = tls_port
    return f"""
base_dir = {directory}/run
state_dir = {directory}/state
log_path = {directory}/dovecot.log
info_log_path = {directory}/dovecot.log
protocols = imap
listen = 127.0.0.1
{ssl_lines}
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {user}
default_internal_group = {_group(user)}
default_login_user = {login_user}
first_valid_uid = 0
first_valid_gid = 0
mail_location = maildir:{directory}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {directory}/passwd
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {directory}/passwd
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  chroot =
}}
protocol imap {{
  mail_max_userip_connections = 100
}}
"""


def _group(user: str) -> str:
    return grp.getgrgid(pwd.getpwnam(user).pw_gid).gr_name


def _wait(port: int, process: subprocess.Popen[bytes], log: Path, *, greeting: bool = True) -> None:
    """Until Dovecot listens on `port` (and, on a plain port, greets)."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise DovecotUnavailable(f"dovecot exited: {_tail(log)}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
                if not greeting or conn.recv(64).startswith(b"* OK"):
                    return
        except OSError:
            time.sleep(0.05)
    raise DovecotUnavailable(f"dovecot did not answer on port {port}: {_tail(log)}")


def _tail(log: Path) -> str:
    try:
        return log.read_text(errors="replace")[-2000:]
    except OSError:
        return "(no log)"


def _certificate(directory: Path) -> Path:
    if shutil.which("openssl") is None:
        raise DovecotUnavailable("openssl is not installed")
    return self_signed(directory)[0]


@contextmanager
def running_dovecot(*, tls: bool = False) -> Iterator[Dovecot]:
    binary = find_dovecot()
    if binary is None:
        raise DovecotUnavailable(
            "dovecot is not installed (DEBIAN_FRONTEND=noninteractive apt-get install -y "
            "dovecot-imapd)"
        )
    directory = Path(tempfile.mkdtemp(prefix="mtb-dovecot-"))
    if os.geteuid() == 0:
        user, login_user = "dovecot", "dovenull"
        owner = pwd.getpwnam(user)
    else:
        user = login_user = pwd.getpwuid(os.geteuid()).pw_name
        owner = pwd.getpwuid(os.geteuid())
    port = _free_port()
    for sub in ("run", "state", "mail"):
        (directory / sub).mkdir()
    (directory / "passwd").write_text(
        f"{LOGIN}:{{PLAIN}}{PASSWORD}:{owner.pw_uid}:{owner.pw_gid}::{directory}/mail\n"
    )
    tls_port = _free_port() if tls else None
    cafile = _certificate(directory) if tls else None
    (directory / "dovecot.conf").write_text(_config(directory, port, user, login_user, tls_port))
    if os.geteuid() == 0:
        os.chmod(directory, 0o755)
        os.chown(directory / "mail", owner.pw_uid, owner.pw_gid)
    log = directory / "dovecot.log"
    process = subprocess.Popen(
        [binary, "-F", "-c", str(directory / "dovecot.conf")],
        stdout=subprocess.DEVNULL,
        stderr=open(log, "ab"),  # noqa: SIM115 (closed with the process)
    )
    try:
        _wait(port, process, log)
        if tls_port is not None:
            _wait(tls_port, process, log, greeting=False)
        yield Dovecot("127.0.0.1", port, LOGIN, PASSWORD, directory, tls_port, cafile)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(directory, ignore_errors=True)


@contextmanager
def dovecot_or_skip(*, tls: bool = False) -> Iterator[Dovecot]:
    """A running Dovecot; skips without one, fails under CI=true."""
    try:
        with running_dovecot(tls=tls) as server:
            yield server
    except DovecotUnavailable as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"IMAP tests need Dovecot: {exc}")
        pytest.skip(f"IMAP tests need Dovecot: {exc}")
