"""The audit log: append-only, chained with HMAC-SHA-256, its head anchored outside the DB.

Every record's HMAC covers its own fields and the previous record's HMAC, under a key kept
outside the database (``keys/audit_key``, mode 0600, or ``CASEGRAPH_AUDIT_KEY``). One writer
appends at a time (they take turns on one lock row: SQLite's write lock, PostgreSQL's row lock),
and the newest chain head is also written to an anchor file (``CASEGRAPH_AUDIT_ANCHOR``), so
that cutting records off the end is found too. :func:`verify` names the first altered,
inserted or missing record. Nothing in the app updates or deletes a record, and database
triggers refuse it.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import hmac
import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import insert, select, update

from graphapp.db import AuditRecord, AuditWriter, driver_statement, get_engine, session_scope, utcnow
from graphapp.settings import Settings

GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditEvent:
    """Who did what, to which cases, with what outcome."""

    action: str
    actor: str
    outcome: str = "ok"
    cases: tuple[str, ...] = ()
    client: str = ""
    os_user: str = ""
    purpose: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


#: The audit key file's contents by data directory, read once per process: every audited
#: request signs.
_kept_keys: dict[Path, bytes] = {}


def audit_key(settings: Settings) -> bytes:
    env = os.environ.get("CASEGRAPH_AUDIT_KEY", "")
    if env:
        return bytes.fromhex(env)
    key = _kept_keys.get(settings.data_dir)
    if key is None:
        key = _kept_keys[settings.data_dir] = settings.read_or_create_key("audit_key")
    return key


def anchor_path(settings: Settings) -> Path:
    return Path(settings.audit_anchor) if settings.audit_anchor else settings.data_dir / "audit.anchor"


def _stamp(when: datetime) -> str:
    """One text form of a time, whatever the database handed back (SQLite drops the zone)."""
    aware = when if when.tzinfo else when.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _canonical(row) -> bytes:
    body = {
        "id": row.id, "at": _stamp(row.at), "actor": row.actor, "os_user": row.os_user,
        "action": row.action, "outcome": row.outcome, "cases": list(row.cases or []),
        "client": row.client, "purpose": row.purpose, "detail": row.detail or {},
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str).encode("utf-8")


def _sign(key: bytes, prev: str, row) -> str:
    """The HMAC of one record (an ``AuditRecord`` or anything with its fields) after ``prev``."""
    return hmac.new(key, prev.encode("ascii") + b"\x1e" + _canonical(row), hashlib.sha256).hexdigest()


_LOG = AuditRecord.__table__
_WRITER = AuditWriter.__table__
#: The transaction's first statement writes the one lock row, which SQLite answers with its
#: write lock and PostgreSQL with a row lock held to the commit: writers take turns across
#: every app server sharing the database.
_TAKE_WRITER_LOCK = update(_WRITER).where(_WRITER.c.id == 1).values(appends=_WRITER.c.appends + 1)
_CHAIN_HEAD = select(_LOG.c.id, _LOG.c.hmac).order_by(_LOG.c.id.desc()).limit(1)
_APPEND = insert(_LOG)


def record(settings: Settings, event: AuditEvent) -> int:
    """Append one event to the chain; return its record id.

    Every audited request pays for this, so its three statements (the lock row, the chain's
    head, the record) go straight to the database's driver (:func:`driver_statement`):
    SQLAlchemy's execution machinery around them cost as much again as the statements and
    the commit (0.5 of 1.4 ms inside a request)."""
    key = audit_key(settings)
    engine = get_engine(settings)
    take_lock = driver_statement(engine, _TAKE_WRITER_LOCK)
    chain_head = driver_statement(engine, _CHAIN_HEAD)
    append = driver_statement(engine, _APPEND, tuple(c.key for c in _LOG.columns))
    conn = engine.raw_connection()
    try:
        cursor = conn.cursor()
        cursor.execute(take_lock.text, take_lock.params())
        cursor.execute(chain_head.text, chain_head.params())
        last = cursor.fetchone()
        prev_id, prev_hmac = (last[0], last[1]) if last else (0, GENESIS)
        row = SimpleNamespace(
            id=prev_id + 1, at=utcnow(), actor=event.actor, os_user=event.os_user,
            action=event.action, outcome=event.outcome, cases=sorted(set(event.cases)),
            client=event.client, purpose=event.purpose,
            detail=json.loads(json.dumps(dict(event.detail), default=str)),
            prev_hmac=prev_hmac,
        )
        row.hmac = _sign(key, prev_hmac or GENESIS, row)
        cursor.execute(append.text, append.params(vars(row)))
        cursor.close()
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    finally:
        conn.close()
    # After the commit: an anchor ahead of the database would read as truncation.
    _write_anchor(settings, row.id, row.hmac)
    return row.id


def _write_anchor(settings: Settings, seq: int, head: str) -> None:
    """Record the newest head; a writer that lost the race to a newer one leaves it be.

    Written in place under a lock on the anchor itself, as one line of a fixed length within
    the file's first block (a reader holding the lock sees the old line or the new one; a
    rename per record cost a third of the record), and not flushed to disk: the record itself
    is already durable (the database's commit), and after a power cut the anchor can only lag
    behind the database, never lead it, which :func:`verify` accepts (an anchor also lags
    whenever a writer loses the race). A flush here cost as much as the record's own commit,
    on every audited request."""
    line = f"{seq:020d} {head}\n".encode()
    fd = os.open(_anchor_file(str(anchor_path(settings))), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            if int(os.pread(fd, 256, 0).split()[0]) > seq:
                return
        except (ValueError, IndexError):
            pass
        os.pwrite(fd, line, 0)
        if os.fstat(fd).st_size != len(line):
            os.ftruncate(fd, len(line))
    finally:
        os.close(fd)


@functools.lru_cache(maxsize=64)
def _anchor_file(path: str) -> str:
    """The anchor's path, its directory made once."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return path


def _read_anchor(settings: Settings) -> tuple[int, str] | None:
    """The anchor's record id and head (None if there is none), read under its lock.

    :raise ValueError: the anchor is not one id and one head."""
    try:
        fd = os.open(anchor_path(settings), os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        text = os.pread(fd, 4096, 0).decode("ascii", "replace")
    finally:
        os.close(fd)
    anchor_id, anchor_head = text.split()
    return int(anchor_id), anchor_head


@dataclass
class Verdict:
    ok: bool
    records: int
    problem: str = ""


def verify(settings: Settings) -> Verdict:
    """Walk the chain; name the first altered, inserted or missing record (truncation too).

    The anchor is read first: records appended while the walk runs (a live system) then
    leave it behind, never ahead, and its head must match the record it names."""
    key = audit_key(settings)
    unreadable = False
    try:
        anchor = _read_anchor(settings)
    except ValueError:
        anchor, unreadable = None, True
    prev, expected_id, count = GENESIS, 1, 0
    with session_scope(settings) as session:
        for row in session.scalars(select(AuditRecord).order_by(AuditRecord.id)).yield_per(1000):
            count += 1
            if row.id != expected_id:
                if row.id > expected_id:
                    return Verdict(False, count, f"record {expected_id} is missing")
                return Verdict(False, count, f"record {row.id} is inserted (duplicate id)")
            if (row.prev_hmac or GENESIS) != prev or not hmac.compare_digest(
                    row.hmac or "", _sign(key, prev, row)):
                return Verdict(False, count, f"record {row.id} is altered or inserted")
            if anchor is not None and anchor[0] == row.id and anchor[1] != row.hmac:
                return Verdict(False, count, f"record {row.id} does not match the anchor")
            prev, expected_id = row.hmac, expected_id + 1
    last_id = expected_id - 1
    if unreadable:
        return Verdict(False, count, "the anchor file is unreadable (altered, or cut short)")
    if anchor is None:
        if last_id:
            return Verdict(False, count, "the anchor file is missing")
        return Verdict(True, 0)
    if anchor[0] > last_id:
        return Verdict(False, count, f"records {last_id + 1} to {anchor[0]} are missing (truncated)")
    return Verdict(True, count)


#: What the administrators' view shows of a record: who did what, when and how it went, and the
#: purpose they stated; never the cases or the details (search text, entity ids), which are case
#: content.
ADMIN_FIELDS = ("id", "at", "actor", "os_user", "action", "outcome", "client", "purpose")


def admin_view(settings: Settings, *, actor: str = "", action: str = "", since: datetime | None = None,
               until: datetime | None = None, limit: int = 100, offset: int = 0) -> list[dict]:
    """Records for the audit page and ``GET /api/v1/audit``, newest first, filtered."""
    query = select(AuditRecord).order_by(AuditRecord.id.desc())
    if actor:
        query = query.where(AuditRecord.actor == actor)
    if action:
        query = query.where(AuditRecord.action == action)
    if since:
        query = query.where(AuditRecord.at >= since)
    if until:
        query = query.where(AuditRecord.at < until)
    with session_scope(settings) as session:
        rows = session.scalars(query.limit(limit).offset(offset))
        return [{"id": r.id, "at": _stamp(r.at), "actor": r.actor, "os_user": r.os_user,
                 "action": r.action, "outcome": r.outcome, "client": r.client,
                 "purpose": r.purpose} for r in rows]
