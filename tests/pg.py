"""A throwaway PostgreSQL server for tests: initdb into a temporary directory, a unix socket only.

Nothing depends on a system cluster: the server's data, socket and log live in one temporary
directory that is removed afterwards. PostgreSQL refuses to run as root (CI is root), so as
root the server runs as the ``postgres`` OS user that Debian's package creates; otherwise as
the current user. There is no TCP listener; clients connect through the socket directory.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import re
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

ADMIN = "postgres"  # the superuser initdb creates: it makes the databases
APP_ROLE = "casegraph"  # what the app connects as: owns its database, no superuser
PORT = 5432  # only names the socket file (.s.PGSQL.5432) in a private directory
_SAFE_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


class Unavailable(Exception):
    """No PostgreSQL server binaries on this machine (the message says what was looked for)."""


def find_bindir() -> Path:
    """Where initdb and pg_ctl are: ``CASEGRAPH_TEST_PG_BIN``, Debian's newest, or the PATH."""
    if os.environ.get("CASEGRAPH_TEST_PG_BIN"):
        candidates = [Path(os.environ["CASEGRAPH_TEST_PG_BIN"])]
    else:
        debian = sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
                        reverse=True)
        candidates = [Path(p) for p in debian]
        on_path = shutil.which("initdb")
        if on_path:
            candidates.append(Path(on_path).resolve().parent)
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
            return bindir
    raise Unavailable("no PostgreSQL server binaries (initdb, pg_ctl) in /usr/lib/postgresql/*/bin, "
                      "on the PATH or in CASEGRAPH_TEST_PG_BIN; install Debian's postgresql package")


@dataclass
class Server:
    """One running throwaway server; :meth:`create_database` gives each test its own database."""

    bindir: Path
    base: Path
    run_as: str | None  # OS user for initdb/pg_ctl when we are root, else None
    _counter: itertools.count

    @property
    def data(self) -> Path:
        return self.base / "data"

    @property
    def socket_dir(self) -> Path:
        return self.base / "socket"

    def url(self, database: str, user: str = APP_ROLE) -> str:
        """SQLAlchemy URL for psycopg 3 over the unix socket."""
        return f"postgresql+psycopg://{user}@/{database}?host={self.socket_dir}&port={PORT}"

    def admin_connect(self, database: str = "postgres"):
        import psycopg

        return psycopg.connect(host=str(self.socket_dir), port=PORT, user=ADMIN, dbname=database,
                               autocommit=True)

    def create_database(self, prefix: str = "t") -> str:
        """A new empty database owned by the app role; returns its name."""
        name = f"{prefix}_{next(self._counter)}"
        assert _SAFE_NAME.match(name), name
        with self.admin_connect() as conn:
            conn.execute(f'CREATE DATABASE "{name}" OWNER {APP_ROLE}')
        return name

    def drop_database(self, name: str) -> None:
        assert _SAFE_NAME.match(name), name
        with self.admin_connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def log(self) -> str:
        try:
            return (self.base / "server.log").read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def stop(self) -> None:
        _run(self.run_as, [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                           "-w", "stop"], check=False)
        shutil.rmtree(self.base, ignore_errors=True)


def append_from_process(settings, start: int, go) -> None:
    """A multiprocessing target (kept in this light module, so a spawned child starts quickly):
    one app server with its own engine and pool, three threads appending ten records each."""
    from tests.test_audit import append

    go.wait(60)
    threads = [threading.Thread(target=append, args=(settings, 10, start + i * 10)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def _run(run_as: str | None, argv: list[str], check: bool = True) -> subprocess.CompletedProcess:
    if run_as:
        argv = ["runuser", "-u", run_as, "--", *argv]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({result.returncode}):\n"
                           f"{result.stdout}\n{result.stderr}")
    return result


def start() -> Server:
    """initdb a temporary cluster and start it; raises :class:`Unavailable` without binaries."""
    bindir = find_bindir()
    run_as = None
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError as exc:
            raise RuntimeError("running as root, but there is no 'postgres' OS user to run "
                               "PostgreSQL as (Debian's postgresql package creates it)") from exc
        if shutil.which("runuser") is None:
            raise RuntimeError("running as root, but runuser (util-linux) is missing")
        run_as = owner.pw_name
    # As root, under /tmp itself: the postgres user cannot enter pytest's per-user temporary
    # tree or a private TMPDIR (mode 0700, root's); short, too (a socket path is <= 107 bytes).
    base = Path(tempfile.mkdtemp(prefix="casegraph-pg-", dir="/tmp" if run_as else None))
    server = Server(bindir, base, run_as, itertools.count(1))
    try:
        server.socket_dir.mkdir(mode=0o700)
        if run_as:
            owner = pwd.getpwnam(run_as)
            for path in (base, server.socket_dir):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        _run(run_as, [str(bindir / "initdb"), "-D", str(server.data), "-U", ADMIN, "--auth=trust",
                      "--encoding=UTF8", "--locale=C", "--no-sync"])
        options = (f"-k {server.socket_dir} -p {PORT} -c listen_addresses='' -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        _run(run_as, [str(bindir / "pg_ctl"), "-D", str(server.data), "-l", str(base / "server.log"),
                      "-o", options, "-w", "-t", "60", "start"])
        with server.admin_connect() as conn:
            conn.execute(f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE")
    except BaseException as exc:
        log = server.log()
        server.stop()
        if isinstance(exc, Exception) and log:
            raise RuntimeError(f"{exc}\n--- server log ---\n{log}") from exc
        raise
    return server
