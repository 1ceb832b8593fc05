"""Alembic migrations of the accounts and audit database (graphapp.db).

The scripts live in this package (``env.py``, ``versions/``), so an installed app carries them.
An app server brings its database to the newest revision at start-up (:func:`bring_to_head`,
called by :func:`graphapp.db.get_engine` under the schema lock); ``casegraph db upgrade`` and
``casegraph db current`` do the same by hand. A new or changed model needs a new revision:
tests/test_migrations.py fails until the migrations give exactly the models' schema.
"""

from __future__ import annotations

from functools import cache

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

#: The revision whose schema ``Base.metadata.create_all`` made before there were migrations: a
#: database with the tables but no ``alembic_version`` is stamped with it, then upgraded.
BASELINE = "0001"


def config(connection: Connection | None = None, url: str = "") -> Config:
    """An Alembic configuration for this package's scripts, without an ini file; migrations run
    on ``connection`` (inside its transaction) or, failing that, on ``url``."""
    cfg = Config()
    cfg.set_main_option("script_location", "graphapp:migrations")
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@cache
def head() -> str:
    """The newest revision of the scripts."""
    return ScriptDirectory.from_config(config()).get_current_head()


def current(connection: Connection) -> str | None:
    """The revision the database is at (None: never stamped)."""
    return MigrationContext.configure(connection).get_current_revision()


def bring_to_head(connection: Connection) -> str:
    """Bring the database on ``connection`` to the newest revision; return what was done.

    An empty database gets the models' tables at once and is stamped with the head (Alembic's
    cookbook: create_all, then stamp); one made before migrations existed is stamped with the
    baseline and upgraded; one behind is upgraded. Runs inside the caller's transaction, DDL
    included (PostgreSQL's is transactional; on SQLite graphapp.db makes it so): a failed start
    or upgrade leaves the database as it was.
    """
    from graphapp.db import Base

    at = current(connection)
    if at == head():
        return "current"
    cfg = config(connection)
    if at is None:
        tables = set(inspect(connection).get_table_names())
        if not tables & set(Base.metadata.tables):
            Base.metadata.create_all(connection)
            command.stamp(cfg, "head")
            return "created"
        command.stamp(cfg, BASELINE)
    command.upgrade(cfg, "head")
    return "upgraded"
