"""Fixtures: a real embedded FalkorDB for the session, a fresh SQLite per test, the app."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from graphapp import accounts, create_app
from graphapp.settings import Settings
from graphapp.store import close_stores, get_store
from ingest import demo
from ingest.loader import load_directory

#: Files whose fixtures or tests take the better part of a minute or more (a 120,000-row load
#: and two large views in Chromium; Neo4j's parser over every query file; killed loaders), in
#: the order they start. ``make test`` gives whole files to several workers (pytest-xdist), and
#: one of these started last would run alone at the end while the other workers idle.
RUN_FIRST = ("test_browser_explorer.py", "test_cypher_files.py", "test_batches.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The files of :data:`RUN_FIRST` first, every file's tests in their own order."""
    items.sort(key=lambda item: RUN_FIRST.index(item.path.name) if item.path.name in RUN_FIRST
               else len(RUN_FIRST))


@pytest.fixture(scope="session", autouse=True)
def stop_test_servers(tmp_path_factory):
    """At the end of the run, stop every embedded graph server a test started under the
    run's temporary directory: a server is shared by design and outlives its clients (a
    killed loader's, a private data directory's), and runs would otherwise leave them behind."""
    yield
    import json

    import redis

    for registry in tmp_path_factory.getbasetemp().rglob("*.db.settings"):
        try:
            socket_path = json.loads(registry.read_text())["unixsocket"]
            redis.Redis(unix_socket_path=socket_path, socket_timeout=5).shutdown(nosave=True)
        except (OSError, ValueError, KeyError, redis.RedisError):
            pass  # gone already


@pytest.fixture(scope="session")
def session_settings(tmp_path_factory) -> Settings:
    data_dir = tmp_path_factory.mktemp("casegraph-data")
    return Settings.from_env({}, data_dir=data_dir, secret_key="test-secret-key-" + "x" * 32)


@pytest.fixture(scope="session")
def session_store(session_settings):
    store = get_store(session_settings)
    yield store
    close_stores()


@pytest.fixture
def settings(session_settings, tmp_path) -> Settings:
    """Session graph, but a fresh accounts database for each test."""
    return dataclasses.replace(session_settings,
                               database_url=f"sqlite:///{tmp_path / 'accounts.sqlite'}",
                               audit_anchor=str(tmp_path / "audit.anchor"))


@pytest.fixture
def store(session_store):
    """The session's store with an empty graph (indexes in place)."""
    session_store.drop_all()
    session_store.ensure_schema()
    return session_store


@pytest.fixture
def demo_dir(tmp_path) -> Path:
    return demo.write_scenario(tmp_path / "demo")


@pytest.fixture
def demo_store(store, settings, demo_dir):
    result = load_directory(demo_dir, store, settings)
    assert result.ok, [str(p) for p in result.problems]
    return store


@pytest.fixture
def run(settings):
    """``casegraph`` in this process, on the session graph and this test's accounts database.

    ``run(*args)`` expects success; ``ok=False`` a failure, ``code=N`` that exit status; never
    a traceback.
    """
    from click.testing import CliRunner

    from graphapp import cli

    env = {
        "CASEGRAPH_DATA_DIR": str(settings.data_dir),
        "CASEGRAPH_DATABASE_URL": settings.sqlalchemy_url,
        "CASEGRAPH_AUDIT_ANCHOR": settings.audit_anchor,
        "CASEGRAPH_GRAPH_URL": None,
        "CASEGRAPH_GRAPH_NAME": None,
    }

    def invoke(*args, ok: bool = True, code: int | None = None):
        result = CliRunner().invoke(cli.main, [str(a) for a in args], env=env)
        assert "Traceback" not in result.output, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            f"{args}: {result.exception!r}\n{result.output}")
        if code is not None:
            assert result.exit_code == code, f"{args}: exit {result.exit_code}\n{result.output}"
        elif ok:
            assert result.exit_code == 0, f"{args}: exit {result.exit_code}\n{result.output}"
        else:
            assert result.exit_code != 0, f"{args}: exit 0\n{result.output}"
        return result

    return invoke


def make_user(settings: Settings, name: str, role: str, cases: dict[str, str]) -> str:
    """Create a user with memberships and return an API token for them."""
    accounts.add_user(settings, name, role, password="correct horse battery staple")
    for case_id, access in cases.items():
        accounts.grant_case(settings, name, case_id, access, granted_by="test")
    return accounts.issue_token(settings, name)


#: The demo investigator's and analyst's cases (ingest/demo.py MEMBERSHIPS).
INVESTIGATOR_CASES = {"K-2024-0113": "owner", "K-2024-0287": "read"}
ANALYST_CASES = {"K-2024-0113": "read", "K-2024-0342": "read"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def investigator(settings, demo_store) -> dict[str, str]:
    """API headers of an investigator with the demo investigator's cases."""
    return bearer(make_user(settings, "ines", "investigator", INVESTIGATOR_CASES))


@pytest.fixture
def analyst(settings, demo_store) -> dict[str, str]:
    """API headers of an analyst with the demo analyst's cases."""
    return bearer(make_user(settings, "anna", "analyst", ANALYST_CASES))


@pytest.fixture
def app(settings, store):
    return create_app(settings, {"TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()
