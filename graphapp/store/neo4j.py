"""The Neo4j 5 backend: a thin layer over the official ``neo4j`` driver (5.28+ and 6.x).

One driver per process, a session per call. Reads run in read transactions
(``execute_read``: a cluster routes them to readers and the server rejects writes in
them) with ``store_timeout`` as the transaction timeout; writes run in write
transactions (``execute_write``). Both are retried by the driver on transient errors.

Which database: ``graph_name`` is also FalkorDB's graph key and defaults to
``casegraph``, a database that a Neo4j server does not have (Community has only its
default database). So the default name, or an empty one, means the user's *home*
database, which the server decides (``neo4j`` unless ``ALTER USER … SET HOME DATABASE``
says otherwise); any other ``CASEGRAPH_GRAPH_NAME`` names the Neo4j database to use. To
use a database literally called ``casegraph``, make it the user's home database.

A query that returns a relationship must return its two endpoint nodes in the same
result (``RETURN a, r, b``, or a path): Bolt sends a relationship with its endpoints'
ids only, and the neutral :class:`~graphapp.store.types.Relationship` needs their keys.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import neo4j
import neo4j.exceptions as nx
import neo4j.graph
import neo4j.spatial
import neo4j.time

from graphapp.settings import Settings
from graphapp.store import GraphStore
from graphapp.store.types import (
    Node,
    Path,
    Relationship,
    StoreError,
    StoreUnavailable,
    make_node,
    make_relationship,
)

SCHEMA_QUERY = "schema/setup"
DROP_ALL_QUERY = "admin/drop_all"
#: Rows (relationships, then nodes) deleted per transaction by :meth:`Neo4jStore.drop_all`.
DROP_BATCH = 10_000
#: Seconds to wait for a TCP connection; a silent host must not hang a web request.
CONNECT_TIMEOUT = 5.0
#: Ceiling on the driver's retries of a failing transaction (its default is 30 s).
MAX_RETRY_TIME = 15.0

_DEFAULT_GRAPH_NAME = next(
    f.default for f in dataclasses.fields(Settings) if f.name == "graph_name"
)

_UNREACHABLE: tuple[type[Exception], ...] = (
    nx.ServiceUnavailable,  # and its subclass IncompleteCommit
    nx.SessionExpired,
    nx.ConfigurationError,
    nx.TransientError,  # still failing after the driver's retries, e.g. DatabaseUnavailable
    OSError,
) + tuple(  # not exported by neo4j 5.28
    cls for cls in (getattr(nx, "ConnectionPoolError", None),) if cls is not None
)


def database_name(settings: Settings) -> str | None:
    """The Neo4j database for these settings; ``None`` is the user's home database."""
    name = settings.graph_name.strip()
    if not name or name == _DEFAULT_GRAPH_NAME:
        return None
    return name


class Neo4jStore(GraphStore):
    """Named queries against one Neo4j 5 database (single server or cluster)."""

    backend = "neo4j"

    def __init__(self, settings: Settings):
        super().__init__(settings)
        self.database = database_name(settings)
        self._url = _safe_url(settings.graph_url)
        with self._errors():
            self._driver = neo4j.GraphDatabase.driver(
                settings.graph_url,
                auth=(settings.graph_user, settings.graph_password),
                connection_timeout=_capped(CONNECT_TIMEOUT, settings.store_timeout),
                max_transaction_retry_time=_capped(MAX_RETRY_TIME, settings.store_timeout),
                user_agent="casegraph",
            )
        # Shared by every session of this store, so a read sees this process's earlier writes
        # even when a cluster routes it to another member (causal consistency).
        self._bookmarks = neo4j.GraphDatabase.bookmark_manager()
        self._read_work = neo4j.unit_of_work(timeout=settings.store_timeout)(_collect)

    def ensure_schema(self) -> None:
        """Create the constraints and indexes of ``schema/setup``, one transaction each."""
        for statement in self.query(SCHEMA_QUERY).statements:
            self._run(statement, {}, read_only=False)

    def ping(self) -> None:
        with self._errors():
            self._driver.verify_connectivity()

    def close(self) -> None:
        self._driver.close()

    def drop_all(self) -> None:
        """Delete every relationship, then every node, in transactions of ``DROP_BATCH``."""
        for statement in self.query(DROP_ALL_QUERY).statements:
            while self._run(statement, {"batch": DROP_BATCH}, read_only=False)[0]["deleted"]:
                pass

    def _run(self, text: str, params: dict[str, Any], *, read_only: bool,
             timeout: float | None = None) -> list[dict[str, Any]]:
        with self._errors(), self._session() as session:
            if read_only:
                work = self._read_work
                if timeout is not None:
                    work = neo4j.unit_of_work(timeout=min(timeout, self.settings.store_timeout))(_collect)
                records = session.execute_read(work, text, params)
            else:
                records = session.execute_write(_collect, text, params)
        return [{key: to_neutral(value) for key, value in record.items()} for record in records]

    @contextmanager
    def _session(self) -> Iterator[neo4j.Session]:
        with self._driver.session(
            database=self.database, bookmark_manager=self._bookmarks
        ) as session:
            yield session

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Translate driver errors into StoreUnavailable / StoreError with a readable line."""
        try:
            yield
        except (nx.AuthError, *_UNREACHABLE) as exc:
            raise StoreUnavailable(self._unavailable_message(exc)) from None
        except nx.Neo4jError as exc:
            if exc.code == "Neo.ClientError.Database.DatabaseNotFound":
                raise StoreUnavailable(self._unavailable_message(exc)) from None
            raise StoreError(self._scrub(exc.message or str(exc))) from exc
        except nx.DriverError as exc:
            raise StoreError(self._scrub(_one_line(str(exc)))) from exc

    def _unavailable_message(self, exc: Exception) -> str:
        if isinstance(exc, nx.AuthError):
            what = f"refused the credentials of user {self.settings.graph_user!r}"
        elif isinstance(exc, nx.ConfigurationError):
            what = "cannot be used with this configuration"
        elif isinstance(exc, nx.IncompleteCommit):
            what = "lost the connection during a commit (the write may or may not have happened)"
        else:
            what = "is unavailable"
        return self._scrub(f"Neo4j at {self._url} {what}: {_reason(exc)}")

    def _scrub(self, text: str) -> str:
        """Blank out the password (the driver echoes a URL, userinfo and all, in some errors)."""
        for secret in (self.settings.graph_password, urlsplit(self.settings.graph_url).password):
            if secret:
                text = text.replace(secret, "***")
        return text


def _collect(tx: neo4j.ManagedTransaction, text: str, params: dict[str, Any]) -> list:
    """Fetch every record inside the transaction.

    All records are fetched before any is converted: the driver fills in a relationship's
    endpoint nodes from whichever record of the result carries them.
    """
    return list(tx.run(text, params))


def _capped(limit: float, store_timeout: float) -> float:
    """``limit``, or less when the store timeout is shorter (0 means no store timeout)."""
    return min(limit, store_timeout) if store_timeout > 0 else limit


def _reason(exc: Exception) -> str:
    # A DriverError's ``message`` is a generic GQL status text (a preview warning on 5.x).
    server_message = exc.message if isinstance(exc, nx.Neo4jError) else None
    text = server_message or str(exc) or type(exc).__name__
    match = re.search(r"\(reason ([^()]*)\)\s*$", text)
    return _one_line(match.group(1) if match else text)


def _one_line(text: str, limit: int = 300) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    line = lines[-1] if lines else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _safe_url(url: str) -> str:
    """The URL without any user or password in it, for messages."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


# -- value conversion ----------------------------------------------------------------------


def to_neutral(value: Any) -> Any:
    """Turn one value from a Neo4j record into a neutral value (no driver class survives).

    Nodes, relationships and paths become :mod:`graphapp.store.types` values (dropping the
    store's internal properties); temporal values become ISO 8601 strings; points become
    ``{"srid", "x", "y"[, "z"]}``; lists and maps are converted item by item.

    :raise StoreError: a node is not an entity or lacks its key, a relationship lacks its
        ``rel_key``, or its endpoint nodes were not returned with it.
    """
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, neo4j.graph.Node):
        return _node(value)
    if isinstance(value, neo4j.graph.Relationship):
        return _relationship(value)
    if isinstance(value, neo4j.graph.Path):
        return Path(
            nodes=tuple(_node(n) for n in value.nodes),
            relationships=tuple(_relationship(r) for r in value.relationships),
        )
    if isinstance(value, neo4j.time.Date | neo4j.time.DateTime | neo4j.time.Time):
        return value.iso_format()
    if isinstance(value, neo4j.time.Duration):  # a tuple: test before sequences
        return value.iso_format()
    if isinstance(value, dt.date | dt.time):  # datetime is a date
        return value.isoformat()
    if isinstance(value, neo4j.spatial.Point):
        return _point(value)
    if isinstance(value, dict):
        return {str(k): to_neutral(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_neutral(v) for v in value]
    return value


def _node(node: neo4j.graph.Node) -> Node:
    return make_node(sorted(node.labels), _properties(node))


def _relationship(rel: neo4j.graph.Relationship) -> Relationship:
    start, end = rel.start_node, rel.end_node
    if start is None or end is None or not start.labels or not end.labels:
        raise StoreError(
            f"{rel.type} relationship returned without its endpoint nodes: "
            "the query must return both endpoints (or a path) with it"
        )
    return make_relationship(rel.type, _node(start), _node(end), _properties(rel))


def _properties(entity: neo4j.graph.Node | neo4j.graph.Relationship) -> dict[str, Any]:
    return {key: to_neutral(value) for key, value in entity.items()}


def _point(point: neo4j.spatial.Point) -> dict[str, Any]:
    coords = dict(zip("xyz", (float(c) for c in point), strict=False))
    return {"srid": point.srid, **coords}
