"""The accounts and audit store on PostgreSQL give the same outcomes as on SQLite.

A throwaway server (tests/pg.py) runs for the module; each test gets its own empty database,
owned by an ordinary (non-superuser) role as in a deployment. The audit chain tests are
tests/test_audit.py's own, run against PostgreSQL. Without PostgreSQL binaries the module is
skipped, except in CI (``CI`` set), where that is a failure.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import threading

import pytest
from sqlalchemy import select, text

from graphapp import accounts, audit, create_app
from graphapp.db import AuditRecord, get_engine, session_scope
from tests import pg, test_audit, test_web

PASSWORD = "correct horse battery staple"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        pytest.fail(f"{reason} (CI is set, so the PostgreSQL tests must run)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def pg_server():
    try:
        import psycopg  # noqa: F401 - the driver the URL names: the project's `postgres` extra
    except ImportError:
        _unavailable("psycopg is not installed (pip install -e '.[postgres]')")
    try:
        server = pg.start()
    except pg.Unavailable as exc:
        _unavailable(str(exc))
    yield server
    server.stop()


@pytest.fixture
def pg_settings(pg_server, settings, tmp_path):
    """conftest's settings (session graph and keys), with a fresh PostgreSQL database."""
    name = pg_server.create_database()
    pg_settings = dataclasses.replace(settings, database_url=pg_server.url(name),
                                      audit_anchor=str(tmp_path / "audit.anchor"))
    yield pg_settings
    get_engine(pg_settings).dispose()
    pg_server.drop_database(name)


@pytest.fixture
def pg_tamper(monkeypatch):
    """test_audit's tests, with their tamper() dropping PostgreSQL's trigger instead of SQLite's."""

    def tamper(settings, *statements: str) -> None:
        with get_engine(settings).begin() as conn:
            conn.execute(text("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log"))
            for statement in statements:
                conn.execute(text(statement))

    monkeypatch.setattr(test_audit, "tamper", tamper)
    return tamper


@pytest.fixture
def chain(pg_settings, pg_tamper):
    """Six records, as test_audit's ``chain``."""
    test_audit.append(pg_settings, 6)
    assert audit.verify(pg_settings).ok
    return pg_settings


def _parametrized(test) -> list:
    mark = next(m for m in test.pytestmark if m.name == "parametrize")
    return [pytest.param(*values, id=values[-1]) for values in mark.args[1]]


# -- the audit chain: test_audit.py's tests on PostgreSQL --------------------------------------


def test_it_is_really_postgresql(chain):
    assert get_engine(chain).dialect.name == "postgresql"
    with get_engine(chain).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_log")).scalar() == 6


def test_an_untouched_chain_verifies(chain):
    test_audit.test_an_untouched_chain_verifies(chain)


def test_the_app_cannot_change_or_delete_a_record(chain):
    test_audit.test_the_app_cannot_change_or_delete_a_record(chain)
    verdict = audit.verify(chain)
    assert verdict.ok and verdict.records == 6, verdict


@pytest.mark.parametrize(("statement", "problem"),
                         _parametrized(test_audit.test_edits_and_deletions_are_named))
def test_edits_and_deletions_are_named(chain, statement, problem):
    test_audit.test_edits_and_deletions_are_named(chain, statement, problem)


def test_an_inserted_record_is_named(chain):
    test_audit.test_an_inserted_record_is_named(chain)


def test_truncation_is_found_through_the_anchor(chain):
    test_audit.test_truncation_is_found_through_the_anchor(chain)


def test_truncate_table_is_found_through_the_anchor(chain):
    # TRUNCATE fires no row trigger on PostgreSQL; the anchor outside the database still tells.
    with get_engine(chain).begin() as conn:
        conn.execute(text("TRUNCATE audit_log"))
    verdict = audit.verify(chain)
    assert not verdict.ok and "records 1 to 6 are missing (truncated)" in verdict.problem, verdict


def test_a_rewritten_chain_without_the_key_does_not_verify(chain):
    test_audit.test_a_rewritten_chain_without_the_key_does_not_verify(chain)


def test_cli_verify_exits_non_zero_on_tampering(chain):
    test_audit.test_cli_verify_exits_non_zero_on_tampering(chain)


# -- several writers: threads and processes ---------------------------------------------------


def test_concurrent_threads_keep_one_chain(pg_settings):
    test_audit.test_concurrent_writers_keep_one_chain(pg_settings)


def _run_processes(settings, processes: int) -> None:
    ctx = multiprocessing.get_context("spawn")  # no engine or pool inherited from this process
    go = ctx.Event()
    workers = [ctx.Process(target=pg.append_from_process, args=(settings, p * 30, go))
               for p in range(processes)]
    for w in workers:
        w.start()
    go.set()
    for w in workers:
        w.join(120)
    assert [w.exitcode for w in workers] == [0] * processes, "a writer process failed (see its stderr)"


def test_app_servers_starting_and_writing_together_keep_one_chain(pg_settings):
    """Four processes (app servers, gunicorn workers) with three threads each start at once on
    an empty database: they race to create the schema, then to append."""
    audit.audit_key(pg_settings)  # the key file exists before the race: this is about the database
    _run_processes(pg_settings, 4)
    test_audit.append(pg_settings, 5, start=1000)  # this process's engine appends after them
    verdict = audit.verify(pg_settings)
    assert verdict.ok and verdict.records == 120 + 5, verdict
    with session_scope(pg_settings) as s:
        queries = [d["q"] for d in s.scalars(select(AuditRecord.detail).order_by(AuditRecord.id))]
    assert sorted(queries) == sorted(f"query {i}" for i in [*range(120), *range(1000, 1005)])
    test_audit.test_the_app_cannot_change_or_delete_a_record(pg_settings)  # the trigger is in place


# -- accounts ---------------------------------------------------------------------------------


def test_accounts(pg_settings):
    s = pg_settings
    assert accounts.add_user(s, "ines", "investigator", password=PASSWORD) is None
    with pytest.raises(accounts.AccountError, match="already exists"):
        accounts.add_user(s, "ines", "analyst", password=PASSWORD)
    one_time = accounts.add_user(s, "olle", "analyst")
    assert one_time

    ines = accounts.authenticate(s, "ines", PASSWORD)
    assert ines is not None and ines.role == "investigator" and not ines.must_change_password
    assert accounts.authenticate(s, "ines", "not the password at all") is None
    assert accounts.authenticate(s, "nobody", PASSWORD) is None
    olle = accounts.authenticate(s, "olle", one_time)
    assert olle is not None and olle.must_change_password
    accounts.set_password(s, "olle", "a much longer passphrase")
    assert accounts.authenticate(s, "olle", one_time) is None
    assert not accounts.authenticate(s, "olle", "a much longer passphrase").must_change_password

    token = accounts.issue_token(s, "ines")
    holder = accounts.user_for_token(s, token)
    assert holder is not None and holder.name == "ines"
    assert accounts.user_for_token(s, token + "x") is None
    assert accounts.user_for_token(s, "not-a-token") is None
    expired = accounts.issue_token(s, "ines", days=-1)
    assert accounts.user_for_token(s, expired) is None

    accounts.grant_case(s, "ines", "K-1", "read", granted_by="test")
    accounts.grant_case(s, "ines", "K-2", "owner", granted_by="test")
    accounts.grant_case(s, "ines", "K-1", "edit", granted_by="test")  # replaces the earlier grant
    assert accounts.memberships(s, ines.id) == {"K-1": "edit", "K-2": "owner"}
    assert accounts.memberships(s, olle.id) == {}
    with pytest.raises(accounts.AccountError):
        accounts.grant_case(s, "nobody", "K-1", "read", granted_by="test")


def test_concurrent_failed_logins_all_count_towards_the_lockout(pg_settings):
    # The counter's upsert is the one dialect-specific statement in accounts.
    accounts.add_user(pg_settings, "ines", "investigator", password=PASSWORD)
    accounts.add_user(pg_settings, "olle", "analyst", password=PASSWORD)
    results = []

    def fail(i: int) -> None:
        results.append(accounts.attempt_login(pg_settings, "ines", "not the password", f"10.0.0.{i}"))

    threads = [threading.Thread(target=fail, args=(i,)) for i in range(accounts.USER_FAILURES)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r.user is None for r in results) and len(results) == accounts.USER_FAILURES
    assert sum("user" in r.locked for r in results) == 1, results
    refused = accounts.attempt_login(pg_settings, "ines", PASSWORD, "10.0.1.1")
    assert refused.user is None and refused.reason == "account-locked", refused
    assert accounts.attempt_login(pg_settings, "olle", PASSWORD, "10.0.1.1").user is not None


# -- the log-in page --------------------------------------------------------------------------


@pytest.fixture
def pg_client(pg_settings):
    return create_app(pg_settings, {"TESTING": True}).test_client()


def test_login_page_on_postgresql(pg_client, pg_settings):
    accounts.add_user(pg_settings, "ines", "investigator", password=PASSWORD)
    accounts.grant_case(pg_settings, "ines", "K-1", "read", granted_by="test")

    wrong = test_web.login(pg_client, "ines", "not the password at all")
    assert wrong.status_code == 401, wrong.status_code
    assert test_web.redirects_to_login(pg_client.get("/")), "a failed log-in left a session"

    ok = test_web.login(pg_client, "ines")
    assert ok.status_code == 302 and ok.headers["Location"].endswith("/"), ok.headers.get("Location")
    assert pg_client.get("/").status_code == 200  # the session's user is loaded from PostgreSQL

    token = test_web.csrf_from(pg_client.get("/").get_data(as_text=True))
    out = pg_client.post("/logout", data={"csrf_token": token})
    assert test_web.redirects_to_login(out), out.status_code
    assert test_web.redirects_to_login(pg_client.get("/")), "still logged in after log-out"

    rows = [(r.action, r.actor, r.outcome) for r in test_web.audit_rows(pg_settings, "login")]
    assert rows == [("login", "ines", "failure"), ("login", "ines", "ok")], rows
    assert [r.actor for r in test_web.audit_rows(pg_settings, "logout")] == ["ines"]
    verdict = audit.verify(pg_settings)
    assert verdict.ok, verdict


def test_a_one_time_password_is_replaced_on_postgresql(pg_client, pg_settings):
    one_time = accounts.add_user(pg_settings, "olle", "analyst")
    first = test_web.login(pg_client, "olle", one_time)
    assert first.status_code == 302 and first.headers["Location"].endswith("/account/password"), \
        first.headers.get("Location")
    form = pg_client.get("/account/password")
    new = "a much longer passphrase"
    done = pg_client.post("/account/password", data={
        "current": one_time, "new": new, "confirm": new,
        "csrf_token": test_web.csrf_from(form.get_data(as_text=True))})
    assert done.status_code == 302, done.get_data(as_text=True)[:500]
    assert accounts.authenticate(pg_settings, "olle", new) is not None
    assert accounts.authenticate(pg_settings, "olle", one_time) is None


def test_every_change_to_a_rights_table_replaces_the_stamp_on_postgresql(pg_settings):
    from tests.test_kept_rights import assert_every_change_restamps

    assert_every_change_restamps(pg_settings)
