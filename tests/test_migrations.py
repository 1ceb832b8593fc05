"""The Alembic migrations give exactly the models' schema, on SQLite and on PostgreSQL, and an
app server brings an older database to the newest revision at start-up.

A model changed without a migration fails ``test_migrations_give_the_models_schema``: add a
revision under graphapp/migrations/versions (``alembic revision --autogenerate`` with
``graphapp.migrations.config``) until it passes.
"""

from __future__ import annotations

import dataclasses

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.exc import DatabaseError

from graphapp import accounts, migrations
from graphapp.db import Base, User, get_engine, session_scope
from tests.test_postgres import pg_server  # noqa: F401 - the module's throwaway server


def differences(conn) -> list:
    return compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request, tmp_path):
    """The URL of an empty database: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite'}"
        return
    server = request.getfixturevalue("pg_server")
    name = server.create_database("mig")
    yield server.url(name)
    server.drop_database(name)


def test_migrations_give_the_models_schema(empty_url):
    engine = create_engine(empty_url)
    try:
        with engine.begin() as conn:
            command.upgrade(migrations.config(conn), "head")
        with engine.connect() as conn:
            assert differences(conn) == []
            assert migrations.current(conn) == migrations.head()
            assert "audit_log" in inspect(conn).get_table_names()
    finally:
        engine.dispose()


def test_one_line_of_revisions_from_the_baseline():
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrations.config())
    assert len(script.get_heads()) == 1, script.get_heads()
    assert script.get_base() == migrations.BASELINE


def _at(settings, revision: str) -> None:
    """Make the settings' database as it was at ``revision``."""
    engine = create_engine(settings.sqlalchemy_url)
    try:
        with engine.begin() as conn:
            command.upgrade(migrations.config(conn), revision)
            conn.execute(text("INSERT INTO users (name, role, must_change_password, disabled, "
                              "totp_enabled, created_at) VALUES ('old', 'analyst', false, false, "
                              "false, CURRENT_TIMESTAMP)"))
    finally:
        engine.dispose()


def _database_settings(request, settings):
    if request.param == "sqlite":
        return settings
    server = request.getfixturevalue("pg_server")
    name = server.create_database("mig")
    request.addfinalizer(lambda: server.drop_database(name))
    pg = dataclasses.replace(settings, database_url=server.url(name))
    request.addfinalizer(lambda: get_engine(pg).dispose())
    return pg


@pytest.fixture(params=["sqlite", "postgresql"])
def db_settings(request, settings):
    return _database_settings(request, settings)


def test_a_new_database_gets_the_models_and_the_newest_stamp(db_settings):
    with get_engine(db_settings).connect() as conn:
        assert migrations.current(conn) == migrations.head()
        assert differences(conn) == []
    accounts.add_user(db_settings, "alice", "analyst", "correct horse battery staple")
    with pytest.raises(DatabaseError, match="append-only"), get_engine(db_settings).begin() as conn:
        from graphapp import audit

        audit.record(db_settings, audit.AuditEvent(action="x", actor="alice"))
        conn.execute(text("UPDATE audit_log SET actor = 'mallory'"))


def test_a_database_behind_is_upgraded_at_start_up(db_settings):
    _at(db_settings, migrations.BASELINE)
    with get_engine(db_settings).connect() as conn:
        assert migrations.current(conn) == migrations.head()
        assert differences(conn) == []
    with session_scope(db_settings) as s:
        assert s.scalar(select(User.name)) == "old"
    accounts.grant_action(db_settings, "old", "export", granted_by="test")


def test_a_database_from_before_migrations_is_stamped_then_upgraded(db_settings):
    _at(db_settings, migrations.BASELINE)
    engine = create_engine(db_settings.sqlalchemy_url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))
    engine.dispose()
    with get_engine(db_settings).connect() as conn:
        assert migrations.current(conn) == migrations.head()
        assert differences(conn) == []


def test_cli_db_current_and_upgrade(run, settings):
    _at(settings, migrations.BASELINE)
    behind = run("db", "current").output
    assert f"revision {migrations.BASELINE}, newest {migrations.head()} (behind" in behind, behind
    assert f"database at revision {migrations.head()}" in run("db", "upgrade").output
    assert "(up to date)" in run("db", "current").output


def test_a_first_start_killed_before_the_stamp_does_not_stop_the_next(db_settings, monkeypatch):
    """SQLite ran CREATE TABLE outside the transaction: a first start that died between making
    the tables and stamping them left unstamped tables, and every later start stamped the baseline
    and failed on "table already exists". The schema is now made in one real transaction."""
    from graphapp import db

    real_stamp = migrations.command.stamp

    def killed(*args, **kwargs):
        raise KeyboardInterrupt("killed between create_all and the stamp")

    monkeypatch.setattr(migrations.command, "stamp", killed)
    with pytest.raises(KeyboardInterrupt):
        get_engine(db_settings)
    assert db_settings.sqlalchemy_url not in db._engines
    monkeypatch.setattr(migrations.command, "stamp", real_stamp)
    with get_engine(db_settings).connect() as conn:
        assert migrations.current(conn) == migrations.head()
        assert differences(conn) == []
    accounts.add_user(db_settings, "alice", "analyst", "correct horse battery staple")


_START = """
import sys
from graphapp import accounts, migrations
from graphapp.db import get_engine
from graphapp.settings import Settings

settings = Settings.from_env({}, data_dir=sys.argv[1], database_url=sys.argv[2],
                             secret_key="k" * 40, audit_anchor=sys.argv[1] + "/anchor-" + sys.argv[3])
with get_engine(settings).connect() as conn:
    print(migrations.current(conn))
accounts.add_user(settings, "user" + sys.argv[3], "analyst", "correct horse battery staple")
"""


def test_app_servers_starting_at_once_on_a_new_database_all_come_up(db_settings, tmp_path):
    """Two (here three) processes start on one new database at the same moment: the schema
    lock (a file lock beside a SQLite file, an advisory lock on PostgreSQL) lets one make the
    schema; the others find it made."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    procs = [subprocess.Popen([sys.executable, "-c", _START, str(tmp_path), db_settings.sqlalchemy_url,
                               str(i)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for i in range(3)]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [err[-2000:] for _, err in results]
    assert [out.strip() for out, _ in results] == [migrations.head()] * 3
    with get_engine(db_settings).connect() as conn:
        assert differences(conn) == []
    assert sorted(u.name for u in accounts.list_users(db_settings)) == ["user0", "user1", "user2"]
