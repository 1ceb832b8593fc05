"""The audit chain finds every kind of tampering: edit, delete, insert, truncate."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from graphapp import audit
from graphapp.db import get_engine


def append(settings, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        audit.record(settings, audit.AuditEvent(action="search", actor=f"user{i % 3}",
                                                cases=("K-1",), detail={"q": f"query {i}"}))


def tamper(settings, *statements: str) -> None:
    """What someone with write access to the database could do (the triggers dropped first)."""
    with get_engine(settings).begin() as conn:
        conn.execute(text("DROP TRIGGER IF EXISTS audit_log_no_update"))
        conn.execute(text("DROP TRIGGER IF EXISTS audit_log_no_delete"))
        for statement in statements:
            conn.execute(text(statement))


@pytest.fixture
def chain(settings):
    append(settings, 6)
    assert audit.verify(settings).ok
    return settings


def test_an_untouched_chain_verifies(chain):
    verdict = audit.verify(chain)
    assert verdict.ok and verdict.records == 6, verdict


def test_the_app_cannot_change_or_delete_a_record(chain):
    with pytest.raises(Exception, match="append-only"):
        with get_engine(chain).begin() as conn:
            conn.execute(text("UPDATE audit_log SET actor = 'x' WHERE id = 2"))
    with pytest.raises(Exception, match="append-only"):
        with get_engine(chain).begin() as conn:
            conn.execute(text("DELETE FROM audit_log WHERE id = 2"))


@pytest.mark.parametrize(("statement", "problem"), [
    ("UPDATE audit_log SET actor = 'someone else' WHERE id = 3", "record 3 is altered"),
    ("UPDATE audit_log SET detail = '{\"q\": \"changed\"}' WHERE id = 4", "record 4 is altered"),
    ("UPDATE audit_log SET at = '2020-01-01 00:00:00' WHERE id = 2", "record 2 is altered"),
    ("DELETE FROM audit_log WHERE id = 3", "record 3 is missing"),
    ("DELETE FROM audit_log WHERE id = 1", "record 1 is missing"),
])
def test_edits_and_deletions_are_named(chain, statement, problem):
    tamper(chain, statement)
    verdict = audit.verify(chain)
    assert not verdict.ok and problem in verdict.problem, verdict


def test_an_inserted_record_is_named(chain):
    tamper(chain,
           "UPDATE audit_log SET id = id + 100 WHERE id >= 4",
           "INSERT INTO audit_log (id, at, actor, os_user, action, outcome, cases, client, purpose,"
           " detail, prev_hmac, hmac) SELECT 4, at, 'mallory', '', 'login', 'ok', '[]', '', '',"
           " '{}', hmac, hmac FROM audit_log WHERE id = 3",
           "UPDATE audit_log SET id = id - 99 WHERE id >= 104")
    verdict = audit.verify(chain)
    assert not verdict.ok and "record 4 is altered or inserted" in verdict.problem, verdict


def test_truncation_is_found_through_the_anchor(chain):
    tamper(chain, "DELETE FROM audit_log WHERE id >= 5")
    verdict = audit.verify(chain)
    assert not verdict.ok and "records 5 to 6 are missing (truncated)" in verdict.problem, verdict


def test_a_lagging_anchor_is_accepted_and_a_mangled_one_named(chain):
    # After a power cut the anchor (not flushed) may lag behind the durable records; the head
    # it holds must still be the one of the record it names.
    path = audit.anchor_path(chain)
    head = path.read_text()
    with get_engine(chain).connect() as conn:
        fourth = conn.execute(text("SELECT hmac FROM audit_log WHERE id = 4")).scalar()
    path.write_text(f"4 {fourth}\n")
    assert audit.verify(chain).ok
    path.write_text("4 " + "0" * 64 + "\n")
    verdict = audit.verify(chain)
    assert not verdict.ok and "record 4 does not match the anchor" in verdict.problem, verdict
    for mangled in ("", "six " + "0" * 64, "6"):
        path.write_text(mangled)
        verdict = audit.verify(chain)
        assert not verdict.ok and "anchor file is unreadable" in verdict.problem, (mangled, verdict)
    path.write_text(head)
    assert audit.verify(chain).ok


def test_a_rewritten_chain_without_the_key_does_not_verify(chain):
    # Recomputing HMACs needs the key kept outside the database; a forger without it fails.
    tamper(chain, "UPDATE audit_log SET hmac = prev_hmac WHERE id = 6")
    verdict = audit.verify(chain)
    assert not verdict.ok and "record 6" in verdict.problem, verdict


def test_concurrent_writers_keep_one_chain(settings):
    threads = [threading.Thread(target=append, args=(settings, 10, i * 10)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    verdict = audit.verify(settings)
    assert verdict.ok and verdict.records == 40, verdict


def test_cli_verify_exits_non_zero_on_tampering(chain):
    from click.testing import CliRunner

    from graphapp import cli

    env = {"CASEGRAPH_DATA_DIR": str(chain.data_dir), "CASEGRAPH_DATABASE_URL": chain.sqlalchemy_url,
           "CASEGRAPH_AUDIT_ANCHOR": chain.audit_anchor}
    good = CliRunner().invoke(cli.main, ["audit", "verify"], env=env)
    assert good.exit_code == 0 and "intact: 6 records" in good.output, good.output
    exported = CliRunner().invoke(cli.main, ["audit", "export"], env=env)
    assert exported.exit_code == 0 and len(exported.output.splitlines()) == 6, exported.output
    tamper(chain, "UPDATE audit_log SET outcome = 'failure' WHERE id = 2")
    bad = CliRunner().invoke(cli.main, ["audit", "verify"], env=env)
    assert bad.exit_code == 1 and "record 2 is altered" in bad.output, bad.output
    assert "Traceback" not in bad.output


def test_administrators_read_who_did_what_without_case_content(settings, client, demo_store):
    from tests.conftest import INVESTIGATOR_CASES, bearer, make_user

    ines = bearer(make_user(settings, "ines", "investigator", INVESTIGATOR_CASES))
    client.get("/api/v1/search", query_string={"q": "Andrei Popescu"}, headers=ines)
    admin = bearer(make_user(settings, "ada", "admin", {}))
    response = client.get("/api/v1/audit", query_string={"actor": "ines", "purpose": "review"},
                          headers=admin)
    assert response.status_code == 200, response.data
    records = response.json["records"]
    assert [r["action"] for r in records] == ["search"], records
    text = response.get_data(as_text=True)
    assert "Andrei" not in text and "K-2024" not in text, text
    assert client.get("/api/v1/audit", headers=ines).status_code == 403
    bad = client.get("/api/v1/audit?since=yesterday&purpose=review", headers=admin)
    assert bad.status_code == 400 and bad.json["error"]["code"] == "bad_parameter"


def test_records_appended_while_verifying_do_not_read_as_truncation(chain, monkeypatch):
    # A live system keeps appending while an administrator verifies: the anchor, read before
    # the walk, may only fall behind the records the walk then finds.
    from contextlib import contextmanager

    walk = audit.session_scope

    @contextmanager
    def appending_after_the_walk(settings):
        with walk(settings) as session:
            yield session
        append(settings, 2, start=6)

    monkeypatch.setattr(audit, "session_scope", appending_after_the_walk)
    verdict = audit.verify(chain)
    assert verdict.ok and verdict.records == 6, verdict
    assert audit.verify(chain).ok


def test_the_anchor_is_one_line_rewritten_in_place(chain):
    path = audit.anchor_path(chain)
    inode = path.stat().st_ino
    append(chain, 1, start=6)
    seq, head = path.read_text().split()
    assert int(seq) == 7 and len(head) == 64 and path.read_text().count("\n") == 1
    assert path.stat().st_ino == inode and path.stat().st_mode & 0o777 == 0o600
