"""The graph store: the only code that talks to a graph driver.

One small interface (:class:`GraphStore`), two backends: embedded FalkorDB (default) and
Neo4j 5 (``CASEGRAPH_GRAPH_URL=bolt://…``). Queries are named files under ``cypher/``;
results come back as neutral values (:mod:`graphapp.store.types`).

Every read takes the caller's visible case ids and binds them as ``$allowed_cases``; a
read query that does not use that parameter is refused, so no read path can forget it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from graphapp.settings import Settings
from graphapp.store.queries import Query, QueryLibrary, load_library
from graphapp.store.types import (
    Node,
    Path,
    QueryNotFound,
    Relationship,
    StoreError,
    StoreUnavailable,
    scope_rows,
)

__all__ = [
    "GraphStore",
    "Node",
    "Path",
    "QueryNotFound",
    "Relationship",
    "StoreError",
    "StoreUnavailable",
    "close_store",
    "get_store",
    "store_is_open",
    "open_store",
]

#: Rows per write query: FALKORDB.md measured about 5,000 as the sweet spot.
BATCH_SIZE = 5000


class GraphStore:
    """Run named queries against one graph; subclasses supply the driver calls."""

    backend: str = ""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.library: QueryLibrary = load_library(str(settings.cypher_dir))

    # -- the interface -------------------------------------------------------------------

    def read(
        self,
        name: str,
        params: dict[str, Any] | None = None,
        *,
        allowed_cases: Iterable[str],
        timeout: float | None = None,
    ) -> list[dict[str, Any]]:
        """Run a read-only query with ``$allowed_cases`` bound to the caller's visible cases.

        Args:
            name: query file name under ``cypher/`` without ``.cypher`` (``views/search_phone``).
            params: the query's other parameters.
            allowed_cases: case ids the caller may see; an empty list sees nothing.
            timeout: seconds before the store aborts the query (at most the store's own).
        Returns:
            one dict per row, with neutral values.
        """
        query = self._scoped_query(name)
        allowed = self._case_set(allowed_cases)
        return scope_rows(self._read_scoped(query, dict(params or {}), allowed, timeout), allowed)

    def _scoped_query(self, name: str) -> Query:
        """The named read query, refused unless it filters by ``$allowed_cases``."""
        query = self.query(name)
        if "allowed_cases" not in query.used_params():
            raise StoreError(f"read query {name} does not filter by $allowed_cases")
        return query

    @staticmethod
    def _case_set(allowed_cases: Iterable[str]) -> frozenset[str]:
        if isinstance(allowed_cases, str):
            raise TypeError("allowed_cases must be a collection of case ids, not a string")
        return frozenset(allowed_cases)

    def _read_scoped(self, query: Query, params: dict[str, Any], allowed: frozenset[str],
                     timeout: float | None) -> list[dict[str, Any]]:
        """Run a read with ``$allowed_cases`` bound (a backend may bind it its own way)."""
        return self._run(query.text, {**params, "allowed_cases": sorted(allowed)},
                         read_only=True, timeout=timeout)

    #: Reads of one request the backend may run side by side (the FalkorDB server answers
    #: as many queries at once as it has threads); 1 runs them one after the other.
    concurrent_reads: int = 1

    def read_all(self, reads: Sequence[tuple[str, dict[str, Any]]], *,
                 allowed_cases: Iterable[str], timeout: float | None = None) -> list[list[dict[str, Any]]]:
        """Run independent reads (``(name, params)`` each, as :meth:`read` takes them) with the
        same visible cases; return their rows in the same order. A backend that can run
        several at once (:attr:`concurrent_reads`) does: a report's follow-up reads (labels,
        dates, hits) need not wait for each other. Here, one after the other."""
        allowed = self._case_set(allowed_cases)
        return [self.read(name, params, allowed_cases=allowed, timeout=timeout)
                for name, params in reads]

    def read_unscoped(self, name: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Read across every case, read-only: ingest's own lookups, never a user's read path.

        A test keeps this out of ``graphapp/views`` and ``graphapp/services``.
        """
        return scope_rows(self._run(self.query(name).text, dict(params or {}), read_only=True), None)

    def write(self, name: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run a write query once (each single query is atomic on both backends)."""
        return scope_rows(self._run(self.query(name).text, dict(params or {}), read_only=False), None)

    def write_each(self, name: str, params: dict[str, Any] | None = None) -> list[list[dict[str, Any]]]:
        """Run every statement of a multi-statement file in order (each one atomic, the
        sequence not: callers make the sequence safe to run again)."""
        query = self.query(name)
        return [scope_rows(self._run(text, dict(params or {}), read_only=False), None)
                for text in query.statements]

    def load_batch(
        self,
        name: str,
        rows: Sequence[dict[str, Any]],
        params: dict[str, Any] | None = None,
        batch_size: int = BATCH_SIZE,
    ) -> int:
        """Write ``rows`` through ``UNWIND $rows`` in chunks of ``batch_size``; return rows sent."""
        query = self.query(name)
        if "rows" not in query.used_params():
            raise StoreError(f"batch query {name} does not take $rows")
        sent = 0
        for chunk in _chunks(rows, batch_size):
            self._run(query.text, {**(params or {}), "rows": chunk}, read_only=False)
            sent += len(chunk)
        return sent

    def query(self, name: str) -> Query:
        return self.library.get(name, self.backend)

    #: Whether this backend can build per-user projections (the Cypher console and drafts
    #: run only on one: graphapp/store/projection.py). Neo4j cannot, so far.
    supports_projection: bool = False

    def data_version(self) -> int:
        """A counter that changes after every write to the graph (projections follow it)."""
        return 0

    def read_projection(self, allowed_cases: Iterable[str], text: str, *,
                        timeout: float | None = None, owner: str = "") -> list[dict[str, Any]]:
        """Run ad-hoc read-only Cypher on a graph holding only ``allowed_cases``' facts."""
        raise StoreError(f"the {self.backend} store builds no projections")

    def ensure_schema(self) -> None:
        """Create indexes and uniqueness constraints if missing; wait until they are usable."""
        raise NotImplementedError

    def ping(self) -> None:
        """Raise :class:`StoreUnavailable` unless the store answers."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def drop_all(self) -> None:
        """Delete the whole graph (tests and ``init --reset`` only)."""
        raise NotImplementedError

    # -- for subclasses ------------------------------------------------------------------

    def _run(self, text: str, params: dict[str, Any], *, read_only: bool,
             timeout: float | None = None) -> list[dict[str, Any]]:
        raise NotImplementedError


def _chunks(rows: Sequence[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    rows = list(rows)
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def open_store(settings: Settings) -> GraphStore:
    """Open the backend the settings name: Neo4j for a bolt/neo4j URL, else embedded FalkorDB."""
    if settings.graph_url:
        from graphapp.store.neo4j import Neo4jStore

        return Neo4jStore(settings)
    from graphapp.store.falkor import FalkorStore

    return FalkorStore(settings)


_stores: dict[tuple, GraphStore] = {}
_stores_lock = threading.Lock()


def _store_key(settings: Settings) -> tuple:
    return (settings.graph_url, str(settings.data_dir), settings.graph_name)


def store_is_open(settings: Settings) -> bool:
    with _stores_lock:
        return _store_key(settings) in _stores


def close_store(settings: Settings) -> None:
    """Close the process's store for these settings, if open."""
    with _stores_lock:
        store = _stores.pop(_store_key(settings), None)
    if store is not None:
        store.close()


def get_store(settings: Settings) -> GraphStore:
    """The process's one long-lived store for these settings (closing it would stop the server)."""
    key = _store_key(settings)
    with _stores_lock:
        store = _stores.get(key)
        if store is None:
            store = open_store(settings)
            store.ensure_schema()
            _stores[key] = store
        return store


def close_stores() -> None:
    """Close every store this process opened (tests, and the end of a CLI command)."""
    with _stores_lock:
        for store in _stores.values():
            store.close()
        _stores.clear()
