"""A real PostgreSQL server for tests, started by the test suite itself.

`PostgresServer.start()` runs `initdb` in a temporary directory (as the `postgres` user
when the suite runs as root: initdb refuses root), starts the server with `pg_ctl` on a
free loopback port with its socket in the same directory, and `stop()` shuts it down and
removes the directory. `create_database()` makes a fresh database per test by copying a
template (`CREATE DATABASE … TEMPLATE …`, a file copy: tens of milliseconds).

The binaries are looked up on the PATH, then in /usr/lib/postgresql/<version>/bin.
`make test` installs Debian's `postgresql` package when they are missing (see
.ci/ensure_postgres.sh).
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg

BINARIES = ("initdb", "pg_ctl")
BACKENDS = ("sqlite", "postgresql")  # parametrize "db_backend" with these to run a test on both


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL binaries on this machine."""


def find_bin_dir() -> Path:
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(os.path.realpath(found)).parent
    roots = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: _version(p.parent.name), reverse=True)
    for root in roots:
        if all((root / name).exists() for name in BINARIES):
            return root
    raise PostgresUnavailable(
        "PostgreSQL binaries (initdb, pg_ctl) not found: install Debian's 'postgresql' package "
        "(make test does it when run as root)"
    )


def _version(name: str) -> int:
    return int(name) if name.isdigit() else 0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresServer:
    def __init__(self) -> None:
        self.bin_dir = find_bin_dir()
        self.port = 0
        self.root: Path | None = None
        self._as_postgres = os.geteuid() == 0
        self._names = itertools.count(1)

    @property
    def data_dir(self) -> Path:
        assert self.root is not None
        return self.root / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *argv: str) -> None:
        command = [str(self.bin_dir / argv[0]), *argv[1:]]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd="/")
        if result.returncode != 0:
            raise RuntimeError(f"{argv[0]} failed ({result.returncode}): {result.stderr.strip() or result.stdout.strip()}")

    def start(self) -> "PostgresServer":
        self.root = Path(tempfile.mkdtemp(prefix="ottenok-pg-"))
        if self._as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        self.port = free_port()
        self._run("initdb", "-D", str(self.data_dir), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        self._run("pg_ctl", "-D", str(self.data_dir), "-l", str(self.root / "server.log"), "-o", options, "-w",
                  "-t", "60", "start")
        return self

    def stop(self) -> None:
        if self.root is None:
            return
        try:
            self._run("pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "-w", "-t", "30", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    def execute(self, sql: str, database: str = "postgres") -> None:
        with psycopg.connect(self.url(database), autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]  # test-controlled identifiers only

    def create_database(self, template: str = "template0") -> str:
        """A new empty (or template-copied) database; returns its URL."""
        name = f"t{os.getpid()}_{next(self._names)}"
        self.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
