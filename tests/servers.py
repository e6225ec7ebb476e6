"""A throw-away PostgreSQL server for the test session, from the machine's own binaries.

`initdb` writes a cluster into a fresh temporary directory and `pg_ctl` starts it on
127.0.0.1 and a free port, with its Unix socket in the same directory, so it touches no
system cluster and needs no configuration. PostgreSQL refuses to run as root: as root the
cluster belongs to an unprivileged system user (`postgres`, created by Debian's package,
or created here) and the binaries run through `runuser`.

Each pytest-xdist worker starts its own server, so workers never share a port or a
database. Set `MUTABAKAT_TEST_POSTGRES_URL` (a superuser URL) to use a running server
instead; databases are then named per worker so parallel runs do not collide.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL, make_url

SERVER_USER = "postgres"
EXTERNAL_URL_VARIABLE = "MUTABAKAT_TEST_POSTGRES_URL"
BINDIR_VARIABLE = "MUTABAKAT_TEST_PG_BINDIR"
#: Durability is worthless for a server that is deleted at the end of the run.
_FAST_SETTINGS = (
    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
)


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL could be found or started; the message says what is missing."""


def find_bindir() -> Path | None:
    """The directory holding `initdb` and `pg_ctl`: `pg_config --bindir`, then Debian's paths.

    `MUTABAKAT_TEST_PG_BINDIR` names the directory outright (Homebrew, a source build).
    """
    given = os.environ.get(BINDIR_VARIABLE, "").strip()
    if given:
        directory = Path(given)
        return directory if (directory / "initdb").exists() else None
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        result = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, check=False
        )
        if result.returncode == 0 and result.stdout.strip():
            candidates.append(Path(result.stdout.strip()))
    versions = glob.glob("/usr/lib/postgresql/*/bin")
    candidates.extend(
        Path(p) for p in sorted(versions, key=lambda p: int(Path(p).parent.name), reverse=True)
    )
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).resolve().parent)
    for directory in candidates:
        if (directory / "initdb").exists() and (directory / "pg_ctl").exists():
            return directory
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _system_tool(name: str) -> str:
    """`runuser`/`useradd` live in /usr/sbin, which a CI job's PATH may lack."""
    return shutil.which(name) or f"/usr/sbin/{name}"


def _ensure_server_user() -> pwd.struct_passwd:
    """As root: the unprivileged account the cluster runs as, created when missing."""
    try:
        return pwd.getpwnam(SERVER_USER)
    except KeyError:
        subprocess.run(
            [
                _system_tool("useradd"),
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                SERVER_USER,
            ],
            check=True,
            capture_output=True,
        )
        return pwd.getpwnam(SERVER_USER)


@dataclass
class PostgresServer:
    """One running cluster; `stop()` shuts it down and deletes its files."""

    base_dir: Path
    bindir: Path
    port: int
    run_as: str | None

    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    @property
    def log_file(self) -> Path:
        return self.base_dir / "server.log"

    def url(self, database: str = "postgres") -> URL:
        return URL.create(
            "postgresql+psycopg",
            username=SERVER_USER,
            host="127.0.0.1",
            port=self.port,
            database=database,
        )

    def _run(self, args: Sequence[str], timeout: float = 120) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.run_as:
            command = [_system_tool("runuser"), "-u", self.run_as, "--", *command]
        result = subprocess.run(
            command,
            cwd=self.base_dir,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env={**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"},
        )
        if result.returncode != 0:
            log = self.log_file.read_text() if self.log_file.exists() else ""
            raise PostgresUnavailable(
                f"{' '.join(command)} failed ({result.returncode}):\n"
                f"{result.stdout}\n{result.stderr}\n{log}"
            )

    @classmethod
    def start(cls, bindir: Path, attempts: int = 5) -> PostgresServer:
        parent = Path(os.environ.get("TMPDIR", "/tmp"))
        base = Path(tempfile.mkdtemp(prefix="mutabakat-pg-", dir=parent))
        run_as: str | None = None
        if os.geteuid() == 0:
            user = _ensure_server_user()
            os.chown(base, user.pw_uid, user.pw_gid)
            run_as = user.pw_name
        server = cls(base, bindir, 0, run_as)
        try:
            server._run(
                [
                    "initdb",
                    "--pgdata",
                    str(server.data_dir),
                    "--username",
                    SERVER_USER,
                    "--auth",
                    "trust",
                    "--encoding",
                    "UTF8",
                    "--locale",
                    "C.UTF-8",
                    "--no-sync",
                ]
            )
            for attempt in range(attempts):
                server.port = free_port()
                options = f"-k {base} -h 127.0.0.1 -p {server.port} {_FAST_SETTINGS}"
                try:
                    server._run(
                        [
                            "pg_ctl",
                            "start",
                            "--wait",
                            "--timeout",
                            "60",
                            "--pgdata",
                            str(server.data_dir),
                            "--log",
                            str(server.log_file),
                            "-o",
                            options,
                        ]
                    )
                    return server
                except PostgresUnavailable:
                    # Another process may have taken the port between probe and start.
                    if attempt == attempts - 1:
                        raise
                    time.sleep(0.2)
        except BaseException:
            shutil.rmtree(base, ignore_errors=True)
            raise
        raise AssertionError("unreachable")

    def stop(self) -> None:
        try:
            self._run(["pg_ctl", "stop", "--pgdata", str(self.data_dir), "-m", "immediate"], 60)
        finally:
            shutil.rmtree(self.base_dir, ignore_errors=True)


class DatabaseFactory:
    """Creates and drops databases on a server, each a copy of one migrated template.

    Copying a template (`CREATE DATABASE … TEMPLATE`) is much faster than running the
    migrations for every test; the migrations themselves are tested on an empty database.
    """

    def __init__(self, admin_url: URL, prefix: str) -> None:
        self.admin_url = admin_url
        self.prefix = prefix
        self._admin: Engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        self._counter = 0
        self._template: str | None = None

    def _fresh_name(self) -> str:
        self._counter += 1
        return f"{self.prefix}_{self._counter}"

    def url(self, name: str) -> str:
        return self.admin_url.set(database=name).render_as_string(hide_password=False)

    def create_empty(self) -> str:
        name = self._fresh_name()
        with self._admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0'))
        return name

    def create_migrated(self) -> str:
        if self._template is None:
            self._template = self._build_template()
        name = self._fresh_name()
        with self._admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{self._template}"'))
        return name

    def _build_template(self) -> str:
        from tui_mutabakat.data import migrate

        name = f"{self.prefix}_template"
        with self._admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0'))
        engine = create_engine(self.url(name))
        try:
            migrate.upgrade(engine)
        finally:
            engine.dispose()
        return name

    def drop(self, name: str) -> None:
        with self._admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def close(self) -> None:
        if self._template is not None:
            self.drop(self._template)
        self._admin.dispose()


def external_url() -> URL | None:
    value = os.environ.get(EXTERNAL_URL_VARIABLE, "").strip()
    return make_url(value).set(drivername="postgresql+psycopg") if value else None
