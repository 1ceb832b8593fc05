"""Batches: their records (provenance), their locks, commit, recovery and withdrawal.

A batch's facts are written pending (``pending_case`` instead of ``case_id``: invisible to
every read), then one query commits them all. The loader holds a lock file for its batch
while it runs; start-up recovery rolls back only pending batches whose lock is free (a
``serve`` started beside a running load leaves it alone) and finishes committed ones.

A fact another batch already stated (same ``rel_key``) is restated, not written again: the
later batch joins the fact's ``restated_by`` when it states the same values, else its
``differed_by``, with its own statement kept as a dormant edge beside the fact (no read sees
it; ``cypher/ingest/load_*``). The fact shows the values of the batch its ``batch_id``
names. Withdrawing that batch hands the fact to a restater (a same-value one first, else a
dormant statement takes the fact's place), so a fact stays while any committed batch states
it; withdrawing or rolling back a restater only takes it off the lists. Lists and dormant
edges hold only committed batches' statements, and a pending fact no other batch's, because
loads, withdrawals and recovery run one at a time under the ingest lock
(:func:`serialised`), each recovering dead batches first.

A withdrawal, once the hand-overs are done, hides all the batch's facts in one query
(``withdrawn_case`` instead of ``case_id``: every read stops seeing them at once), then
re-derives the nodes at their ends, found through the hidden edges, deletes the orphans
among them, and deletes the edges last; so a withdrawal stopped anywhere (status
``withdrawing``) is finished by recovery running it again, with the same graph as if it
had not stopped (:func:`remove`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import NamedTuple

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


def ingest_lock_path(settings: Settings) -> Path:
    return settings.lock_dir / "ingest.lock"


@contextmanager
def serialised(settings: Settings) -> Iterator[None]:
    """Hold the ingest lock (waiting for it): what writes, rolls back or withdraws a batch
    runs one at a time, so that no batch restates a fact that another, still pending, batch
    wrote, and no withdrawal hands a fact to a batch that is not committed. Taken before any
    batch's own lock; released even on a crash (flock)."""
    settings.lock_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(ingest_lock_path(settings)))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        log.warning("waiting for another ingest load or withdrawal to finish")
        lock.acquire()
    try:
        yield
    finally:
        lock.release()


@contextmanager
def holding_lock(settings: Settings, batch_id: str) -> Iterator[None]:
    """Hold the batch's lock for the duration of a load (released even on a crash: flock)."""
    settings.lock_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(str(lock_path(settings, batch_id))):
        yield


def lock_if_free(settings: Settings, batch_id: str) -> AbstractContextManager[bool]:
    """Take the batch's lock if no one holds it; yield whether it was taken."""
    return _taken_if_free(settings, lock_path(settings, batch_id))


@contextmanager
def _taken_if_free(settings: Settings, path: Path) -> Iterator[bool]:
    settings.lock_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(path))
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


def committed(store: GraphStore, batch_id: str) -> bool:
    """Whether the batch's commit ran: any fact of it is visible (the commit is one query)."""
    row = store.read_unscoped("ingest/count_batch_facts", {"batch_id": batch_id})[0]
    return int(row["facts"]) > 0


class Removal(NamedTuple):
    """What taking a batch out of the graph did: its facts deleted, and those kept because
    another committed batch states them too (handed to that batch)."""

    deleted: int
    kept: int = 0


def remove(store: GraphStore, batch_id: str, *, pending_only: bool) -> Removal:
    """Take the batch's statements out of the graph, re-derive the nodes they touched and
    delete the entities left with no fact; return how many of its facts were deleted and kept.
    Idempotent: safe to run again, and a run stopped anywhere (kill -9, power cut, a store
    error) is finished by the next. Call it holding the ingest lock (:func:`serialised`).

    ``pending_only`` (undoing a batch that never committed): its pending facts and dormant
    statements go, and it leaves every fact's restated_by and differed_by; a batch whose
    commit ran is left as it is (0). Otherwise (withdrawal) each of its facts that another
    batch states is handed to that batch (ingest/hand_over_batch_facts, else
    ingest/promote_restatements: the fact then shows that batch's values), and the rest go.

    A withdrawal also takes away the merge suggestions other batches made for the records
    it removes (ingest/hide_record_suggestions: hidden just before the facts, marked
    withdrawn_by the batch, deleted with its edges); a record another batch still states
    keeps them. The batch's own suggestions go with it unless other batches still state
    both of their records: those are handed over (ingest/hand_over_batch_suggestions), as
    its facts are, and are not counted as kept facts.

    The order keeps every step findable again: the facts are hidden first, all at once
    (ingest/hide_batch_facts: withdrawn_case instead of case_id; pending ones are hidden
    already), then the nodes at their ends are found through the hidden edges, re-derived
    and the orphans among them deleted (with their edges), and the batch's edges left are
    deleted last. A hand-over is never repeated: a handed fact no longer carries this
    batch_id, and a hidden one no longer has a case_id. Run again after a stop, it reports
    as deleted the batch's facts it still found (all of them if it stopped before deleting
    orphans) and as kept only the facts it handed over itself."""
    if pending_only and committed(store, batch_id):
        return Removal(0)
    params = {"batch_id": batch_id}
    kept = promoted = 0
    if not pending_only:
        kept = int(store.write("ingest/hand_over_batch_facts", params)[0]["kept"])
        promoted = int(store.write("ingest/promote_restatements", params)[0]["promoted"])
        if kept or promoted:
            log.info("batch %s: %d facts kept, other batches state them (%d with their values)",
                     batch_id, kept + promoted, promoted)
        handed = int(store.write("ingest/hand_over_batch_suggestions", params)[0]["kept"])
        if handed:
            log.info("batch %s: %d merge suggestions kept, other batches state both records",
                     batch_id, handed)
        # The suggestions other batches made for the records it takes away, hidden before
        # the records (a stop in between hides a suggestion a moment early, never late).
        store.write("ingest/hide_record_suggestions", params)
    both = {**params, "pending_only": pending_only}
    deleted = int(store.write("ingest/hide_batch_facts", both)[0]["facts"] or 0)
    nids = endpoints(store, batch_id)
    derive(store, nids)
    for start in range(0, len(nids), BATCH_SIZE):
        store.write("ingest/delete_orphans", {"nids": nids[start:start + BATCH_SIZE],
                                              "batch_id": batch_id})
    store.write("ingest/delete_batch_edges", both)
    store.write("ingest/forget_batch_restatements", params)
    if not pending_only:
        store.write("ingest/hand_over_created_cases", params)
    store.write("ingest/delete_created_cases", params)
    return Removal(deleted, kept + promoted)


def recover(store: GraphStore, settings: Settings) -> list[str]:
    """Finish committed batches and roll back pending ones whose loader is gone.

    Returns one line per batch acted on, for the operator. Does nothing while another
    process holds the ingest lock: that is a load or a withdrawal, which recovered first.
    """
    with _taken_if_free(settings, ingest_lock_path(settings)) as free:
        if not free:
            log.info("ingest recovery skipped: a load or a withdrawal is running "
                     "(it recovers first)")
            return []
        return recover_held(store, settings)


def recover_held(store: GraphStore, settings: Settings, skip: str = "") -> list[str]:
    """:func:`recover`, by a caller that holds the ingest lock (leaving batch ``skip`` alone)."""
    done = []
    for batch in list_batches(settings, ("pending", "committed", "withdrawing")):
        if batch.batch_id == skip:
            continue
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
        if committed(store, batch.batch_id):
            # Facts of the batch are visible, so its commit (one atomic query) ran before the
            # loader stopped, unrecorded: finish the batch, do not disown them (remove() left
            # the batch as it was).
            from ingest import resolve

            finish(store, batch.batch_id)
            resolve.suggest_for_batch(store, batch.batch_id)
            set_status(settings, batch.batch_id, "complete")
            return f"finished batch {batch.batch_id} (committed before its loader stopped)"
        set_status(settings, batch.batch_id, "rolled-back",
                   error="the loader stopped before the commit")
        return f"rolled back batch {batch.batch_id} ({removed.deleted} pending facts removed)"
    if batch.status == "committed":
        from ingest import resolve

        commit(store, batch.batch_id)
        finish(store, batch.batch_id)
        resolve.suggest_for_batch(store, batch.batch_id)
        set_status(settings, batch.batch_id, "complete")
        return f"finished committed batch {batch.batch_id}"
    return ""


def withdraw(store: GraphStore, settings: Settings, batch_id: str) -> Removal:
    """Remove a loaded batch's facts from the graph; return how many facts were removed and
    how many stayed.

    A fact that another committed batch also states stays, handed to that batch (see
    :func:`remove`). Waits for a running load or withdrawal to end, and recovers dead
    batches first, so that every batch named on a fact's lists is committed."""
    _withdrawable(get_batch(settings, batch_id))
    with serialised(settings):
        recover_held(store, settings, skip=batch_id)
        _withdrawable(get_batch(settings, batch_id))  # it may have changed while we waited
        set_status(settings, batch_id, "withdrawing")
        with holding_lock(settings, batch_id):
            removed = remove(store, batch_id, pending_only=False)
        set_status(settings, batch_id, "withdrawn")
    return removed


def _withdrawable(batch: IngestBatch) -> None:
    if batch.status not in ("complete", "committed", "withdrawing"):
        raise BatchError(f"batch {batch.batch_id} is {batch.status}; "
                         "only a loaded batch can be withdrawn")
