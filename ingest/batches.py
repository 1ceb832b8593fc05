"""Batches: their records (provenance), their locks, commit, recovery and withdrawal.

A batch's facts are written pending (``pending_case`` instead of ``case_id``: invisible to
every read), then one query commits them all. The loader holds a lock file for its batch
while it runs; start-up recovery rolls back only pending batches whose lock is free (a
``serve`` started beside a running load leaves it alone) and finishes committed ones.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout
from sqlalchemy import select

from graphapp.db import IngestBatch, session_scope, utcnow
from graphapp.settings import Settings
from graphapp.store import BATCH_SIZE, GraphStore

log = logging.getLogger(__name__)


class BatchError(Exception):
    """A batch operation that cannot be carried out; the message says why."""


def lock_path(settings: Settings, batch_id: str) -> Path:
    return settings.lock_dir / f"batch-{batch_id}.lock"


@contextmanager
def holding_lock(settings: Settings, batch_id: str) -> Iterator[None]:
    """Hold the batch's lock for the duration of a load (released even on a crash: flock)."""
    settings.lock_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(str(lock_path(settings, batch_id))):
        yield


@contextmanager
def lock_if_free(settings: Settings, batch_id: str) -> Iterator[bool]:
    """Take the batch's lock if no one holds it; yield whether it was taken."""
    settings.lock_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(lock_path(settings, batch_id)))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        yield False
        return
    try:
        yield True
    finally:
        lock.release()


def record_start(settings: Settings, batch_id: str, **fields) -> None:
    with session_scope(settings) as s:
        s.add(IngestBatch(batch_id=batch_id, status="pending", **fields))


def set_status(settings: Settings, batch_id: str, status: str, **fields) -> None:
    with session_scope(settings) as s:
        row = s.get(IngestBatch, batch_id)
        if row is None:
            raise BatchError(f"no batch {batch_id!r}")
        row.status = status
        for key, value in fields.items():
            setattr(row, key, value)
        if status in ("complete", "rolled-back", "withdrawn", "failed"):
            row.finished_at = utcnow()


def get_batch(settings: Settings, batch_id: str) -> IngestBatch:
    with session_scope(settings) as s:
        row = s.get(IngestBatch, batch_id)
    if row is None:
        raise BatchError(f"no batch {batch_id!r}")
    return row


def list_batches(settings: Settings, statuses: tuple[str, ...] | None = None) -> list[IngestBatch]:
    with session_scope(settings) as s:
        query = select(IngestBatch).order_by(IngestBatch.started_at)
        if statuses:
            query = query.where(IngestBatch.status.in_(statuses))
        return list(s.scalars(query))


# -- graph side ----------------------------------------------------------------------------


def endpoints(store: GraphStore, batch_id: str) -> list[int]:
    """Internal ids of the nodes at either end of the batch's facts (valid for this run)."""
    return [int(r["nid"]) for r in store.read_unscoped("ingest/batch_endpoints",
                                                       {"batch_id": batch_id})]


def derive(store: GraphStore, nids: list[int]) -> None:
    """Recompute ``case_ids`` (and persons' ``match_keys``) of these nodes from their facts."""
    for start in range(0, len(nids), BATCH_SIZE):
        chunk = nids[start:start + BATCH_SIZE]
        store.write("ingest/derive_nodes", {"nids": chunk})
        store.write("ingest/derive_persons", {"nids": chunk})


def commit(store: GraphStore, batch_id: str) -> tuple[int, int]:
    """Make every pending fact of the batch visible and derive the indexes of the nodes they
    touch, in one query; return how many facts and how many nodes.

    A commit that finds nothing pending is counted again from the graph: either the batch
    stated nothing new (a re-load: 0 again), or the query ran twice - the store client sends
    a query once more when its answer takes longer than the socket timeout (a 1M-row commit
    on a busy machine) - and the second run found the first one's work done."""
    row = store.write("ingest/commit_batch", {"batch_id": batch_id})[0]
    if int(row["committed"]) == 0:
        row = store.read_unscoped("ingest/count_batch_facts", {"batch_id": batch_id})[0]
        return int(row["facts"]), int(row["nodes"])
    return int(row["committed"]), int(row["nodes"])


def finish(store: GraphStore, batch_id: str) -> int:
    """Derive the indexes of every node the batch touched; return how many nodes."""
    nids = endpoints(store, batch_id)
    derive(store, nids)
    return len(nids)


def remove(store: GraphStore, batch_id: str, *, pending_only: bool) -> int:
    """Delete the batch's facts (its pending ones only, or all), re-derive the nodes they
    touched and delete the entities left with no fact. Idempotent: safe to run again."""
    nids = endpoints(store, batch_id)
    deleted = int(store.write("ingest/delete_batch_edges",
                              {"batch_id": batch_id, "pending_only": pending_only})[0]["deleted"])
    derive(store, nids)
    for start in range(0, len(nids), BATCH_SIZE):
        store.write("ingest/delete_orphans", {"nids": nids[start:start + BATCH_SIZE],
                                              "batch_id": batch_id})
    store.write("ingest/delete_created_cases", {"batch_id": batch_id})
    return deleted


def recover(store: GraphStore, settings: Settings) -> list[str]:
    """Finish committed batches and roll back pending ones whose loader is gone.

    Returns one line per batch acted on, for the operator.
    """
    done = []
    for batch in list_batches(settings, ("pending", "committed", "withdrawing")):
        with lock_if_free(settings, batch.batch_id) as free:
            if free:  # else a loader is still working on it
                line = _recover_one(store, settings, batch)
                if line:
                    done.append(line)
    for line in done:
        log.warning("ingest recovery: %s", line)
    return done


def _recover_one(store: GraphStore, settings: Settings, batch: IngestBatch) -> str:
    batch = get_batch(settings, batch.batch_id)  # re-read under the lock
    if batch.status == "withdrawing":
        remove(store, batch.batch_id, pending_only=False)
        set_status(settings, batch.batch_id, "withdrawn")
        return f"finished withdrawing batch {batch.batch_id}"
    if batch.status == "pending":
        removed = remove(store, batch.batch_id, pending_only=True)
        if endpoints(store, batch.batch_id):
            # Facts of the batch remain, so its commit (one atomic query) ran before the loader
            # stopped, unrecorded: the facts are visible; finish the batch, do not disown them.
            from ingest import resolve

            finish(store, batch.batch_id)
            resolve.suggest_for_batch(store, batch.batch_id)
            set_status(settings, batch.batch_id, "complete")
            return f"finished batch {batch.batch_id} (committed before its loader stopped)"
        set_status(settings, batch.batch_id, "rolled-back",
                   error="the loader stopped before the commit")
        return f"rolled back batch {batch.batch_id} ({removed} pending facts removed)"
    if batch.status == "committed":
        from ingest import resolve

        commit(store, batch.batch_id)
        finish(store, batch.batch_id)
        resolve.suggest_for_batch(store, batch.batch_id)
        set_status(settings, batch.batch_id, "complete")
        return f"finished committed batch {batch.batch_id}"
    return ""


def withdraw(store: GraphStore, settings: Settings, batch_id: str) -> int:
    """Remove a loaded batch's facts from the graph; return how many facts were removed."""
    batch = get_batch(settings, batch_id)
    if batch.status not in ("complete", "committed", "withdrawing"):
        raise BatchError(f"batch {batch_id} is {batch.status}; only a loaded batch can be withdrawn")
    set_status(settings, batch_id, "withdrawing")
    with holding_lock(settings, batch_id):
        removed = remove(store, batch_id, pending_only=False)
    set_status(settings, batch_id, "withdrawn")
    return removed
