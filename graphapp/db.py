"""The relational store for accounts, memberships, ingest batches and the audit log.

Credentials never go into the graph: analysts can read the graph with Cypher (DESIGN.md 2).
SQLite in the data directory by default; PostgreSQL through ``CASEGRAPH_DATABASE_URL``.
"""

from __future__ import annotations

import functools
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.pool import NullPool

from graphapp.settings import Settings


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    #: argon2id hash; NULL means the account cannot log in with a password.
    password_hash: Mapped[str | None] = mapped_column(Text)
    #: Set for generated one-time passwords: the first login must choose a new one.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    disabled: Mapped[bool] = mapped_column(default=False)
    #: TOTP second factor (RFC 6238): the shared secret, whether enrolment was confirmed, and
    #: the last time step accepted (a code is good once).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled: Mapped[bool] = mapped_column(default=False)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: SHA-256 of the token: the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The first characters, so a user can tell their tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class UserSession(Base):
    """A web session (graphapp.sessions). The browser holds only a random id; the row holds its
    hash, its owner, its data and its time-outs, so that log-out and revocation end it at
    once on every app server."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: SHA-256 of the cookie's session id: a stolen database copy holds no usable cookie.
    sid_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: NULL until someone logs in (a log-in form's CSRF token lives in an anonymous session).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: Flask's tagged JSON of the session dict: Flask-Login's keys, the CSRF token, flashes.
    data: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: The absolute time-out, fixed when the session is created.
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    client: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(256), default="")


class LoginThrottle(Base):
    """Failed log-ins counted per user name (``user:NAME``) and per client address
    (``addr:ADDRESS``) in a window, and the lock-out they led to; in the database so that
    every app server sees the same counts (graphapp.accounts.attempt_login)."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CaseMembership(Base):
    __tablename__ = "case_memberships"
    __table_args__ = (UniqueConstraint("user_id", "case_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    case_id: Mapped[str] = mapped_column(String(120), index=True)
    access: Mapped[str] = mapped_column(String(10))
    granted_by: Mapped[str] = mapped_column(String(120), default="")
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class UserAction(Base):
    """An action granted to one user on top of their role's (DESIGN.md section 5: "a user's
    extra grants add actions"); read into ``Actor.extra_actions`` at every request."""

    __tablename__ = "user_actions"
    __table_args__ = (UniqueConstraint("user_id", "action"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(60))
    granted_by: Mapped[str] = mapped_column(String(120), default="")
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CaseAccessRequest(Base):
    """A user's request to become a member of a case; an administrator's only way to a case
    (DESIGN.md section 5). The membership is made only when an owner of the case approves.

    Status: ``pending`` → ``approved`` | ``rejected``; or ``withdrawn`` by the requester.
    """

    __tablename__ = "case_access_requests"
    #: One pending request per user and case, even when two are made at the same moment.
    __table_args__ = (Index("uq_case_access_requests_pending", "user_id", "case_id", unique=True,
                            sqlite_where=text("status = 'pending'"),
                            postgresql_where=text("status = 'pending'")),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    case_id: Mapped[str] = mapped_column(String(120), index=True)
    access: Mapped[str] = mapped_column(String(10))
    #: Why the requester needs the case, shown to the owners who decide.
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_by: Mapped[str] = mapped_column(String(120), default="")
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class IngestBatch(Base):
    """One ingest run: its provenance (files and digests, who, when) and where it stands.

    Status: ``pending`` (facts written, invisible) → ``committed`` → ``complete``; or
    ``rolled-back`` (undone before commit) and, later, ``withdrawn``.
    """

    __tablename__ = "ingest_batches"

    batch_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    directory: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(120))
    os_user: Mapped[str] = mapped_column(String(120), default="")
    status: Mapped[str] = mapped_column(String(20), index=True)
    cases: Mapped[list] = mapped_column(JSON, default=list)
    #: file name -> {"sha256", "bytes", "rows"}
    files: Mapped[dict] = mapped_column(JSON, default=dict)
    #: rows read, facts stated and created, entities created and matched, seconds
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    facts_created: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PersonJoin(Base):
    """Every join of case records into one person (automatic, confirmed merge) and every
    split, with the records it moved: what a later split needs to undo a join."""

    __tablename__ = "person_joins"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # auto | merge | split
    into_person: Mapped[str] = mapped_column(String(64), index=True)
    from_person: Mapped[str] = mapped_column(String(64), default="")
    #: ["case_id:person_ref", …] of the records that moved or joined
    records: Mapped[list] = mapped_column(JSON, default=list)
    rule: Mapped[str] = mapped_column(String(40), default="")
    actor: Mapped[str] = mapped_column(String(120))
    batch_id: Mapped[str] = mapped_column(String(40), default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditRecord(Base):
    """One audited event. Rows are only ever inserted (a database trigger refuses the rest)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(120))
    os_user: Mapped[str] = mapped_column(String(120), default="")
    action: Mapped[str] = mapped_column(String(60), index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    cases: Mapped[list] = mapped_column(JSON, default=list)
    client: Mapped[str] = mapped_column(String(64), default="")
    purpose: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    #: HMAC-SHA-256 chain: the previous record's HMAC, and this one's (graphapp.audit).
    prev_hmac: Mapped[str | None] = mapped_column(String(64))
    hmac: Mapped[str | None] = mapped_column(String(64))


class Notification(Base):
    """A covert case's owner told that someone touched one of its entities (DESIGN.md section 5,
    deconfliction): who looked, which entity, when. One row per owner at the time of the look;
    shown only while the recipient still owns the case (graphapp.services.notifications)."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    case_id: Mapped[str] = mapped_column(String(120))
    #: The public entity id (``phone:+4670…``, ``person:…``) of the covert case's entity.
    entity_id: Mapped[str] = mapped_column(String(300))
    #: The user who looked, and how: an entity page (``entity``) or a hit check (``hit-check``).
    looker: Mapped[str] = mapped_column(String(120))
    via: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ExportPackage(Base):
    """An evidence package (graphapp.services.exports): a frozen, signed snapshot of one user's
    view, kept in its own owner-only directory under ``exports/`` in the data directory."""

    __tablename__ = "export_packages"

    #: Random, 32 hex digits: the package's directory name and its id in URLs.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    exporter_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    exporter: Mapped[str] = mapped_column(String(120))
    #: The operating-system account when made with the command line, else empty.
    os_user: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    title: Mapped[str] = mapped_column(Text, default="")
    #: ``{"kind", "params"}``: what produced the package.
    view: Mapped[dict] = mapped_column(JSON, default=dict)
    formats: Mapped[list] = mapped_column(JSON, default=list)
    cases: Mapped[list] = mapped_column(JSON, default=list)
    #: file name -> {"sha256", "bytes"}, as the signed manifest lists them.
    files: Mapped[dict] = mapped_column(JSON, default=dict)
    #: SHA-256 of manifest.json (also in the audit log).
    manifest_sha256: Mapped[str] = mapped_column(String(64))


class ExportShare(Base):
    """A package shared with a prosecutor by its exporter; ``revoked_at`` ends it."""

    __tablename__ = "export_shares"
    __table_args__ = (UniqueConstraint("package_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    package_id: Mapped[str] = mapped_column(ForeignKey("export_packages.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    shared_by: Mapped[str] = mapped_column(String(120))
    shared_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class QueryDraft(Base):
    """A query an analyst drafts in the UI (ad-hoc Cypher, issue 10). Drafts run only on the
    runner's projection, approved or not; approval by a reviewer who is a member of every case
    in ``for_cases`` shares it with those cases' members. Editing the text withdraws it."""

    __tablename__ = "query_drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    author: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    statement: Mapped[str] = mapped_column(Text)
    #: The cases it is meant for: who may review it, and with whom approval shares it.
    for_cases: Mapped[list] = mapped_column(JSON, default=list)
    #: draft → submitted → approved | rejected; an edit returns it to draft.
    status: Mapped[str] = mapped_column(String(12), default="draft", index=True)
    reviewer: Mapped[str] = mapped_column(String(120), default="")
    review_note: Mapped[str] = mapped_column(Text, default="")
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditWriter(Base):
    """One row whose update makes audit writers take turns (see graphapp.audit)."""

    __tablename__ = "audit_writer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    appends: Mapped[int] = mapped_column(Integer, default=0)


class AccessStamp(Base):
    """One random stamp that database triggers replace on every change to users, API tokens,
    case memberships and extra actions, whoever makes it (the app, the CLI, SQL by hand): a
    request compares it with the stamp its user's rights were read under (graphapp.accounts),
    so a revocation takes effect at the next request on every app server. Random rather than
    a count, so that a database restored from a backup or made anew never repeats one."""

    __tablename__ = "access_stamp"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stamp: Mapped[str] = mapped_column(String(36))


#: The tables whose rows make up a request's rights (its user, token, cases and actions).
RIGHTS_TABLES = ("users", "api_tokens", "case_memberships", "user_actions")
_RESTAMP = {
    "sqlite": "UPDATE access_stamp SET stamp = lower(hex(randomblob(16))) WHERE id = 1",
    "postgresql": "UPDATE access_stamp SET stamp = gen_random_uuid()::text WHERE id = 1",
}
_STAMP_EVENTS = ("INSERT", "UPDATE", "DELETE")
#: The triggers that replace the stamp, made at every start (as the audit log's are).
ACCESS_STAMP_TRIGGERS = {
    "sqlite": [
        f"CREATE TRIGGER IF NOT EXISTS {table}_{event.lower()}_access AFTER {event} ON {table} "
        f"BEGIN {_RESTAMP['sqlite']}; END"
        for table in RIGHTS_TABLES for event in _STAMP_EVENTS
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION access_restamp() RETURNS trigger AS $$ "
        f"BEGIN {_RESTAMP['postgresql']}; RETURN NULL; END $$ LANGUAGE plpgsql",
        *[stmt for table in RIGHTS_TABLES for stmt in (
            f"DROP TRIGGER IF EXISTS {table}_access ON {table}",
            f"CREATE TRIGGER {table}_access AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION access_restamp()")],
    ],
}
#: What takes them away again (migration 0007's downgrade).
ACCESS_STAMP_TRIGGERS_DROPPED = {
    "sqlite": [f"DROP TRIGGER IF EXISTS {table}_{event.lower()}_access"
               for table in RIGHTS_TABLES for event in _STAMP_EVENTS],
    "postgresql": [*[f"DROP TRIGGER IF EXISTS {table}_access ON {table}" for table in RIGHTS_TABLES],
                   "DROP FUNCTION IF EXISTS access_restamp()"],
}

_APPEND_ONLY = {
    "sqlite": [
        "CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$ LANGUAGE plpgsql",
        "DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log",
        "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
    ],
}

#: pg_advisory_xact_lock key taken while an app server creates the schema (b"cgschema").
_PG_SCHEMA_LOCK = 7162820603146497377

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def get_engine(settings: Settings) -> Engine:
    """One engine per database URL and process; creates the tables on first use."""
    url = settings.sqlalchemy_url
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            if url.startswith("sqlite:///"):
                settings.ensure_data_dir()
            engine = create_engine(url, future=True)
            if engine.dialect.name == "sqlite":
                event.listen(engine, "connect", _sqlite_pragmas)
            with _sqlite_schema_lock(engine), _schema_engine(engine) as schema, schema.begin() as conn:
                if engine.dialect.name == "postgresql":
                    # App servers starting at once would race on the DDL ("tuple concurrently
                    # updated", duplicate tables): one at a time, until this transaction ends.
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_SCHEMA_LOCK})
                # A new database gets the models' tables; an older one is upgraded to the newest
                # Alembic revision (graphapp/migrations).
                from graphapp.migrations import bring_to_head

                bring_to_head(conn)
                for stmt in (_APPEND_ONLY.get(engine.dialect.name, [])
                             + ACCESS_STAMP_TRIGGERS.get(engine.dialect.name, [])):
                    conn.execute(text(stmt))
                if conn.execute(text("SELECT count(*) FROM audit_writer")).scalar() == 0:
                    conn.execute(text("INSERT INTO audit_writer (id, appends) VALUES (1, 0)"))
                if conn.execute(text("SELECT count(*) FROM access_stamp")).scalar() == 0:
                    conn.execute(text("INSERT INTO access_stamp (id, stamp) VALUES (1, :stamp)"),
                                 {"stamp": secrets.token_hex(16)})
            _engines[url] = engine
        return engine


@contextmanager
def _schema_engine(engine: Engine) -> Iterator[Engine]:
    """The engine the schema is made or upgraded on, in one transaction that holds the DDL too.

    pysqlite runs CREATE TABLE outside any transaction: a first start that died between making
    the tables and stamping their revision left unstamped tables, which every later start took
    for a database from before migrations and failed to upgrade ("table already exists"). On a
    SQLite file this is a separate, short-lived engine with SQLAlchemy's pysqlite recipe for
    transactional DDL (the driver's own transaction handling off, an explicit BEGIN), so that
    a failed start leaves the database as it was; PostgreSQL's DDL is transactional already.
    """
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        yield engine
        return
    schema = create_engine(engine.url, poolclass=NullPool)

    @event.listens_for(schema, "connect")
    def _connect(dbapi_conn, record) -> None:
        dbapi_conn.isolation_level = None
        _sqlite_pragmas(dbapi_conn, record)

    @event.listens_for(schema, "begin")
    def _begin(conn) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    try:
        yield schema
    finally:
        schema.dispose()


def _sqlite_schema_lock(engine: Engine):
    """On SQLite, a file lock beside the database while the schema is made or upgraded, so that
    processes starting at once take turns before any of them reads the revision (PostgreSQL
    takes an advisory lock instead)."""
    from contextlib import nullcontext

    from filelock import FileLock

    path = engine.url.database if engine.dialect.name == "sqlite" else None
    if not path or path == ":memory:":
        return nullcontext()
    return FileLock(path + ".schema.lock", timeout=120)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


@dataclass(frozen=True)
class DriverStatement:
    """A Core statement as the database's driver takes it: its text, its parameters' order
    (None: by name), their fixed values, and each column's own conversion of its value."""

    text: str
    order: tuple[str, ...] | None
    fixed: dict[str, Any]
    convert: dict[str, Any]

    def params(self, values: dict[str, Any] | None = None) -> list | dict:
        bound = {**self.fixed, **(values or {})}
        for name, convert in self.convert.items():
            if name in bound:
                bound[name] = convert(bound[name])
        return [bound[name] for name in self.order] if self.order is not None else bound


@functools.cache
def driver_statement(engine: Engine, statement, column_keys: tuple[str, ...] = ()) -> DriverStatement:
    """``statement`` compiled once for this engine's dialect, with the bind conversions
    SQLAlchemy itself applies (the JSON text, the stored form of a time), to run on the
    driver's own cursor: for the statements every request runs (the access stamp, the
    audit record), whose cost was mostly SQLAlchemy's execution machinery around them."""
    dialect = engine.dialect
    c = statement.compile(dialect=dialect, column_keys=list(column_keys) or None)
    convert = {}
    for name, bind in c.binds.items():
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            convert[name] = process
    order = tuple(c.positiontup) if c.positiontup is not None else None
    return DriverStatement(c.string, order, c.construct_params(dict.fromkeys(column_keys)),
                           convert)


@functools.cache
def _session_factory(engine: Engine) -> sessionmaker:
    """One session factory per engine: making one sets up its events, a cost every request
    paid again."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(settings: Settings) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    session = _session_factory(get_engine(settings))()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
