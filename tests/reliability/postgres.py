"""A throwaway PostgreSQL server: `initdb` into a temp dir, serve on 127.0.0.1, stop after.

The Postgres checkpointer is tested against a real server, not a mock: the
claims are about what survives a killed process, and only the real thing
keeps (or loses) a row. The server belongs to the test session, listens on
127.0.0.1 on a free port (other engineers' servers may share the machine),
keeps its socket in its own directory, and runs without fsync: the tests kill
clients, never the server, so they need its commits, not its crash safety.

Run as root, the server runs as the `postgres` user (PostgreSQL refuses
root), which then owns the data and socket directories.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

DEBIAN_ROOT = Path("/usr/lib/postgresql")
"""Where Debian's `postgresql` package puts each major version's binaries."""
SERVER_USER = "postgres"
"""The database superuser, and the system user the server runs as under root."""
START_ATTEMPTS = 3
"""A free port can be taken by someone else before the server binds it; try anew."""


class PostgresStartError(RuntimeError):
    """The server could not be set up; the message says why (and shows its log)."""


@dataclass(frozen=True)
class PostgresServer:
    """A running server the tests may create databases in."""

    port: int
    """TCP port on 127.0.0.1."""

    def url(self, database: str = "postgres") -> str:
        """A libpq URL for one database, as the superuser (trust auth, no password)."""
        return f"postgresql://{SERVER_USER}@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A fresh, empty database; returns its URL (tests never share tables)."""
        name = f"okx_auth_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)


def postgres_bindir() -> Path:
    """The newest Debian PostgreSQL bin directory, else the one `initdb` on PATH is in."""
    versions = sorted(
        (path.parent for path in DEBIAN_ROOT.glob("*/bin/initdb")),
        key=lambda bindir: _major_version(bindir.parent.name),
    )
    if versions:
        return versions[-1]
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    raise PostgresStartError(
        f"PostgreSQL is not installed (no {DEBIAN_ROOT}/*/bin/initdb, no initdb on PATH); "
        "install it with: apt-get install -y postgresql"
    )


def _major_version(name: str) -> int:
    return int(name) if name.isdigit() else -1


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class _Cluster:
    """The on-disk side: binaries, directories and who runs them."""

    bindir: Path
    base: Path
    as_server_user: tuple[str, ...]

    @property
    def data(self) -> Path:
        return self.base / "data"

    @property
    def sockets(self) -> Path:
        return self.base / "sockets"

    @property
    def log(self) -> Path:
        return self.base / "server.log"

    def run(self, tool: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.as_server_user, str(self.bindir / tool), *args],
            cwd=self.base, capture_output=True, text=True, check=False, timeout=120,
        )

    def log_tail(self) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-20:])
        except OSError:
            return "(no server log)"


def _prepare(bindir: Path) -> _Cluster:
    """A temp dir the server's user owns, with a socket dir and an initialized cluster."""
    base = Path(tempfile.mkdtemp(prefix="okx-auth-pg-"))
    (base / "sockets").mkdir()
    as_server_user: tuple[str, ...] = ()
    if os.geteuid() == 0:
        try:
            account = pwd.getpwnam(SERVER_USER)
        except KeyError:
            shutil.rmtree(base)
            raise PostgresStartError(
                f"running as root but there is no {SERVER_USER!r} user to run the server"
            ) from None
        for path in (base, base / "sockets"):
            os.chown(path, account.pw_uid, account.pw_gid)
        as_server_user = ("runuser", "-u", SERVER_USER, "--")
    cluster = _Cluster(bindir, base, as_server_user)
    made = cluster.run(
        "initdb", "-D", str(cluster.data), "-U", SERVER_USER, "--auth=trust",
        "--encoding=UTF8", "--no-locale", "--no-sync",
    )
    if made.returncode != 0:
        shutil.rmtree(base)
        raise PostgresStartError(f"initdb failed ({made.returncode}): {made.stderr.strip()}")
    return cluster


def _start(cluster: _Cluster) -> PostgresServer:
    """Start the server on a free port, trying another one if that port was taken meanwhile."""
    for _ in range(START_ATTEMPTS):
        port = _free_port()
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {cluster.sockets} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        started = cluster.run(
            "pg_ctl", "-D", str(cluster.data), "-l", str(cluster.log), "-w", "-t", "60",
            "-o", options, "start",
        )
        if started.returncode == 0:
            return PostgresServer(port)
        if not re.search(r"could not bind|already in use", cluster.log_tail()):
            break
    raise PostgresStartError(
        f"the PostgreSQL server did not start: {started.stderr.strip()}\n{cluster.log_tail()}"
    )


@contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    """A fresh server for the duration of the block; stopped and deleted after, even on error."""
    cluster = _prepare(postgres_bindir())
    try:
        yield _start(cluster)
    finally:
        with suppress(subprocess.TimeoutExpired):
            cluster.run("pg_ctl", "-D", str(cluster.data), "stop", "-m", "fast", "-w")
        shutil.rmtree(cluster.base, ignore_errors=True)
