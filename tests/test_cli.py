"""The ``casegraph`` command line (DESIGN.md section 6), run in-process with click's CliRunner.

Each command builds its settings from the environment, so the runner gets the session's data
directory (the graph store already open in this process is reused) and this test's accounts
database.
"""

from __future__ import annotations

import csv
import getpass
import json
import re

import pytest
from click.testing import Result
from sqlalchemy import func, select

from graphapp import accounts, cli
from graphapp.db import AuditRecord, User, session_scope
from graphapp.store import store_is_open
from ingest import demo

OPERATOR = f"operator:{getpass.getuser()}"
PASSWORD = "correct horse battery staple"
ALL_CASES = sorted(c[0] for c in demo.CASES)


def last_line(result: Result) -> str:
    return result.stdout.strip().splitlines()[-1].strip()


def audit_log(settings, action: str | None = None) -> list[dict]:
    with session_scope(settings) as s:
        query = select(AuditRecord).order_by(AuditRecord.id)
        if action:
            query = query.where(AuditRecord.action == action)
        return [
            {"action": r.action, "actor": r.actor, "os_user": r.os_user, "outcome": r.outcome,
             "cases": list(r.cases), "detail": dict(r.detail)}
            for r in s.scalars(query)
        ]


def user_count(settings) -> int:
    with session_scope(settings) as s:
        return s.scalar(select(func.count()).select_from(User))


def graph_counts(store) -> tuple[int, int]:
    nodes = store._graph.query("MATCH (n) RETURN count(n)").result_set[0][0]
    edges = store._graph.query("MATCH ()-[e]->() RETURN count(e)").result_set[0][0]
    return nodes, edges


def new_facts(result: Result) -> int:
    match = re.search(r"(\d+) new facts", result.output)
    assert match, result.output
    return int(match.group(1))


# -- init --------------------------------------------------------------------------------


def test_init_creates_one_admin_with_a_one_time_password(run, settings, store):
    first = run("init")
    password = last_line(first)
    assert "created administrator 'admin'" in first.output, first.output
    assert " " not in password and len(password) >= 12, password
    user = accounts.authenticate(settings, "admin", password)
    assert user is not None and user.role == "admin" and user.must_change_password, user
    # The command must not close the store this process already had open.
    assert store_is_open(settings)

    second = run("init")
    assert "created administrator" not in second.output, second.output
    assert password not in second.output
    assert user_count(settings) == 1, user_count(settings)
    assert accounts.authenticate(settings, "admin", password) is not None

    records = audit_log(settings)
    assert [(r["action"], r["actor"], r["os_user"]) for r in records] == [
        ("add-user", OPERATOR, getpass.getuser())], records
    assert records[0]["detail"] == {"user": "admin", "role": "admin"}, records[0]


# -- users -------------------------------------------------------------------------------


def test_users_add_with_password_file(run, settings, tmp_path):
    secret = tmp_path / "pw"
    secret.write_text(PASSWORD + "\n")
    result = run("users", "add", "alice", "--role", "analyst", "--password-file", secret)
    assert "created analyst 'alice'" in result.output, result.output
    assert PASSWORD not in result.output
    user = accounts.authenticate(settings, "alice", PASSWORD)
    assert user is not None and user.role == "analyst" and not user.must_change_password
    records = audit_log(settings, "add-user")
    assert len(records) == 1 and records[0]["actor"] == OPERATOR, records
    assert records[0]["detail"] == {"user": "alice", "role": "analyst"}, records


def test_users_add_without_password_prints_a_one_time_password(run, settings):
    result = run("users", "add", "bob", "--role", "investigator")
    password = last_line(result)
    user = accounts.authenticate(settings, "bob", password)
    assert user is not None and user.must_change_password, result.output


def test_users_add_refuses_a_short_password(run, settings, tmp_path):
    secret = tmp_path / "pw"
    secret.write_text("short\n")
    result = run("users", "add", "alice", "--role", "analyst", "--password-file", secret,
                 ok=False)
    assert result.exit_code == 1, result.exit_code
    assert "at least 12 characters" in result.output, result.output
    assert user_count(settings) == 0
    assert audit_log(settings, "add-user") == []


def test_users_add_refuses_an_unknown_role(run, settings, tmp_path):
    secret = tmp_path / "pw"
    secret.write_text(PASSWORD)
    result = run("users", "add", "alice", "--role", "boss", "--password-file", secret, ok=False)
    assert "boss" in result.output and "analyst" in result.output, result.output
    assert user_count(settings) == 0


def test_users_add_refuses_a_duplicate(run, settings, tmp_path):
    secret = tmp_path / "pw"
    secret.write_text(PASSWORD)
    run("users", "add", "alice", "--role", "analyst", "--password-file", secret)
    result = run("users", "add", "alice", "--role", "admin", "--password-file", secret, ok=False)
    assert "'alice' already exists" in result.output, result.output
    assert user_count(settings) == 1
    assert accounts.get_user(settings, "alice").role == "analyst"
    assert len(audit_log(settings, "add-user")) == 1


def test_users_token_prints_a_working_token_alone_on_the_last_line(run, settings):
    accounts.add_user(settings, "alice", "analyst", PASSWORD)
    result = run("users", "token", "alice")
    token = last_line(result)
    assert token.startswith(accounts.TOKEN_PREFIX) and " " not in token, result.output
    user = accounts.user_for_token(settings, token)
    assert user is not None and user.name == "alice", user
    assert accounts.user_for_token(settings, token + "x") is None
    records = audit_log(settings, "issue-token")
    assert len(records) == 1 and records[0]["actor"] == OPERATOR, records
    assert records[0]["detail"]["user"] == "alice"
    assert token not in json.dumps(records), "the token itself must not be audited"


def test_users_token_for_an_unknown_user_fails_clearly(run, settings):
    result = run("users", "token", "ghost", ok=False)
    assert "no user named 'ghost'" in result.output, result.output


# -- cases -------------------------------------------------------------------------------


def test_cases_grant(run, settings, demo_store):
    accounts.add_user(settings, "alice", "investigator", PASSWORD)
    result = run("cases", "grant", "alice", "K-2024-0113", "--access", "read")
    assert "alice now has read access to K-2024-0113" in result.output, result.output
    user = accounts.get_user(settings, "alice")
    assert accounts.memberships(settings, user.id) == {"K-2024-0113": "read"}
    run("cases", "grant", "alice", "K-2024-0113", "--access", "edit")
    assert accounts.memberships(settings, user.id) == {"K-2024-0113": "edit"}
    records = audit_log(settings, "grant-case")
    assert [(r["actor"], r["cases"], r["detail"]["access"]) for r in records] == [
        (OPERATOR, ["K-2024-0113"], "read"), (OPERATOR, ["K-2024-0113"], "edit")], records


def test_cases_grant_refuses_unknown_case_or_user(run, settings, demo_store):
    accounts.add_user(settings, "alice", "investigator", PASSWORD)
    result = run("cases", "grant", "alice", "K-1999-0001", "--access", "read", ok=False)
    assert "no case 'K-1999-0001' is loaded" in result.output, result.output
    result = run("cases", "grant", "ghost", "K-2024-0113", "--access", "read", ok=False)
    assert "no user named 'ghost'" in result.output, result.output
    result = run("cases", "grant", "alice", "K-2024-0113", "--access", "admin", ok=False)
    assert "admin" in result.output, result.output
    user = accounts.get_user(settings, "alice")
    assert accounts.memberships(settings, user.id) == {}
    # The refusal that reached accounts is audited (an unknown case or access stops earlier).
    assert [(r["actor"], r["outcome"], r["detail"]["user"]) for r in audit_log(settings, "grant-case")] == [
        (OPERATOR, "denied", "ghost")]


# -- ingest ------------------------------------------------------------------------------


def make_bad_directory(directory):
    directory.mkdir()
    (directory / "cases.csv").write_text("case_id,title,unit\nK-1,Test,Unit\n")
    (directory / "persons.csv").write_text(
        "case_id,person_ref,name,birth_date,nationality,role,source\n"
        "K-1,P1,Anna Berg,2024-13-01,SE,victim,R1\n"
        "K-1,P2,Bo Ek,1980-01-01,XX,boss,R2\n"
    )
    (directory / "phones.csv").write_text("case_id,number,imei,source\nK-1,0701112233,1,R1\n")
    (directory / "phone.csv").write_text("case_id,number,source\n")
    return directory


BAD_PROBLEMS = {
    ("persons.csv", "2", "birth_date"),
    ("persons.csv", "3", "nationality"),
    ("persons.csv", "3", "role"),
    ("phones.csv", "1", "imei"),
    ("phone.csv", "0", ""),
}


def first_stated(result: Result) -> int:
    """Facts the files state: new plus those already present or repeated."""
    match = re.search(r"(\d+) new facts \((\d+) already present or repeated\)", result.output)
    assert match, result.output
    return int(match.group(1)) + int(match.group(2))


def test_ingest_demo_then_again_changes_nothing(run, settings, store, demo_dir):
    first = run("ingest", demo_dir)
    created = new_facts(first)
    counts = graph_counts(store)
    assert created > 0 and created == counts[1], (created, counts)
    for case_id in ALL_CASES:
        assert case_id in first.output, first.output

    second = run("ingest", demo_dir)
    assert new_facts(second) == 0, second.output
    assert f"({first_stated(first)} already present or repeated)" in second.output, second.output
    assert graph_counts(store) == counts

    records = audit_log(settings, "ingest")
    assert [(r["actor"], r["outcome"], r["detail"]["facts_created"]) for r in records] == [
        (OPERATOR, "ok", created), (OPERATOR, "ok", 0)], records
    assert records[0]["cases"] == ALL_CASES, records[0]
    assert records[0]["os_user"] == getpass.getuser()


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_ingest_bad_directory_reports_every_problem(run, settings, store, tmp_path, suffix):
    bad = make_bad_directory(tmp_path / "bad")
    report = tmp_path / f"r{suffix}"
    result = run("ingest", bad, "--report", report, ok=False)
    assert result.exit_code == 1, result.exit_code
    assert "nothing was written" in result.output, result.output
    assert "persons.csv:2 [birth_date]" in result.output, result.output
    assert graph_counts(store) == (0, 0), graph_counts(store)

    if suffix == ".csv":
        with report.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            assert reader.fieldnames == ["file", "line", "column", "reason"], reader.fieldnames
            rows = list(reader)
    else:
        data = json.loads(report.read_text(encoding="utf-8"))
        assert data["ok"] is False, data
        rows = [{k: str(v) for k, v in p.items()} for p in data["problems"]]
    assert {(r["file"], r["line"], r["column"]) for r in rows} == BAD_PROBLEMS, rows
    assert all(r["reason"] for r in rows), rows
    reasons = " ".join(r["reason"] for r in rows)
    for word in ("2024-13-01", "XX", "boss", "unknown column", "unknown file"):
        assert word in reasons, reasons

    records = audit_log(settings, "ingest")
    assert [(r["actor"], r["outcome"], r["detail"]["problems"]) for r in records] == [
        (OPERATOR, "rejected", len(BAD_PROBLEMS))], records


def test_ingest_dry_run_writes_nothing(run, settings, store, demo_dir):
    result = run("ingest", demo_dir, "--dry-run")
    assert "dry run:" in result.output and "nothing was written" in result.output, result.output
    assert re.search(r"dry run: [1-9]\d* rows, [1-9]\d* facts", result.output), result.output
    assert graph_counts(store) == (0, 0), graph_counts(store)
    records = audit_log(settings, "ingest")
    assert [(r["actor"], r["outcome"]) for r in records] == [(OPERATOR, "dry-run")], records


def test_ingest_as_user_with_edit_rights_loads_and_names_both(run, settings, store, demo_dir):
    accounts.add_user(settings, "eve", "investigator", PASSWORD)
    for case_id in ALL_CASES:
        accounts.grant_case(settings, "eve", case_id, "edit", granted_by="test")
    result = run("ingest", demo_dir, "--as", "eve")
    assert new_facts(result) > 0
    records = audit_log(settings, "ingest")
    assert [(r["actor"], r["os_user"], r["outcome"]) for r in records] == [
        ("eve", getpass.getuser(), "ok")], records


def _batch_touching_the_covert_case(directory, case_id: str = "K-2024-0287"):
    """A batch naming the covert case's suspect exactly (an automatic join on name and birth
    date), his phone (known only there) and a near spelling of its victim."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "persons.csv").write_text(
        "case_id,person_ref,name,birth_date,source\n"
        f"{case_id},V9,Florin Dumitru,1990-07-22,F-90\n"
        f"{case_id},V10,Aleksandra Nowack,1998-04-17,F-91\n", encoding="utf-8")
    (directory / "phones.csv").write_text(
        "case_id,number,person_ref,source\n"
        f"{case_id},+40 744 123 987,V9,F-90\n", encoding="utf-8")
    return directory


def test_ingest_report_as_user_tells_nothing_of_hidden_cases(run, settings, store, demo_dir,
                                                              tmp_path):
    """Loaded --as a user, the report leaves out what only a hidden (here covert) case could
    explain: entities already known, records joined to a known person, suggestions against
    hidden records. The operator's report of the same kind of batch names them."""
    run("ingest", demo_dir)
    accounts.add_user(settings, "vera", "investigator", PASSWORD)
    accounts.grant_case(settings, "vera", "K-2024-0287", "edit", granted_by="test")
    result = run("ingest", _batch_touching_the_covert_case(tmp_path / "vera"), "--as", "vera")
    assert new_facts(result) == 4, result.output  # two records, a mention, a use
    assert "matched" not in result.output and "joined" not in result.output, result.output
    assert "0 suggestions between cases you may see" in result.output, result.output

    operator = run("ingest", _batch_touching_the_covert_case(tmp_path / "op", "K-2024-0113"))
    assert re.search(r"[1-9]\d* matched, [1-9]\d* records joined to a known person, [1-9]\d* suggestions",
                     operator.output), operator.output


def _user_without_edit_rights(settings) -> None:
    accounts.add_user(settings, "rita", "investigator", PASSWORD)
    accounts.grant_case(settings, "rita", "K-2024-0113", "read", granted_by="test")
    accounts.grant_case(settings, "rita", "K-2024-0287", "edit", granted_by="test")


def test_ingest_as_user_without_edit_rights_is_refused(run, settings, store, demo_dir):
    _user_without_edit_rights(settings)
    result = run("ingest", demo_dir, "--as", "rita", ok=False)
    assert result.exit_code == 1, result.exit_code
    assert "rita has no edit rights on" in result.output, result.output
    for case_id in ("K-2024-0113", "K-2024-0342", "K-2025-0019"):
        assert case_id in result.output, result.output


def test_ingest_as_user_without_edit_rights_writes_nothing(run, settings, store, demo_dir):
    _user_without_edit_rights(settings)
    run("ingest", demo_dir, "--as", "rita", ok=False)
    assert graph_counts(store) == (0, 0), graph_counts(store)


def test_refused_ingest_is_audited(run, settings, store, demo_dir):
    _user_without_edit_rights(settings)
    run("ingest", demo_dir, "--as", "rita", ok=False)
    records = audit_log(settings, "ingest")
    assert [(r["actor"], r["os_user"]) for r in records] == [("rita", getpass.getuser())], records
    assert records[0]["outcome"] not in ("ok", "dry-run"), records


def test_ingest_as_unknown_user_is_refused(run, settings, store, demo_dir):
    result = run("ingest", demo_dir, "--as", "ghost", ok=False)
    assert "no user named 'ghost'" in result.output, result.output
    assert graph_counts(store) == (0, 0)


def test_ingest_of_a_missing_directory_fails_cleanly(run, settings, store, tmp_path):
    result = run("ingest", tmp_path / "nowhere", ok=False)
    assert "not a directory" in result.output or "does not exist" in result.output, result.output


# -- demo --------------------------------------------------------------------------------


def test_demo_loads_the_scenario_and_creates_one_user_per_role(run, settings, store):
    result = run("demo", "--no-serve", "--rows", "0")
    assert new_facts(result) > 0, result.output
    for name, role in cli.DEMO_USERS:
        line = next(ln for ln in result.output.splitlines() if ln.strip().startswith(name))
        password = line.split()[-1]
        user = accounts.authenticate(settings, name, password)
        assert user is not None and user.role == role, (name, line)
    investigator = accounts.get_user(settings, "demo-investigator")
    assert accounts.memberships(settings, investigator.id) == demo.MEMBERSHIPS["investigator"]
    records = audit_log(settings, "ingest")
    assert len(records) == 1 and records[0]["actor"] == OPERATOR, records
    assert records[0]["cases"] == ALL_CASES, records


# -- the store survives the CLI ----------------------------------------------------------


def test_store_fixture_still_works_after_cli_commands(store):
    """Runs after the commands above: the session store must still be open."""
    store.ping()
    assert graph_counts(store) == (0, 0)


def test_ingest_as_a_user_reports_a_hidden_case_like_a_missing_one(run, settings, store, demo_dir,
                                                                    tmp_path):
    run("ingest", demo_dir)
    accounts.add_user(settings, "ulla", "investigator", "correct horse battery staple")
    accounts.grant_case(settings, "ulla", "K-2024-0113", "edit", granted_by="test")
    outputs = []
    for case_id in ("K-2025-0019", "K-9999-0001"):  # hidden and existing; missing altogether
        d = tmp_path / case_id
        d.mkdir()
        (d / "phones.csv").write_text(f"case_id,number,source\n{case_id},070-555 12 34,X-1\n")
        result = run("ingest", d, "--as", "ulla", ok=False)
        outputs.append(result.output.replace(case_id, "CASE"))
    assert outputs[0] == outputs[1], outputs


def test_users_disable_revoke_and_cases_revoke(run, settings, store, demo_dir):
    run("ingest", demo_dir)
    run("users", "add", "vera", "--role", "investigator")
    token = run("users", "token", "vera").output.strip().splitlines()[-1]
    run("cases", "grant", "vera", "K-2024-0113", "--access", "read")
    assert "vera" in run("cases", "list").output
    assert accounts.user_for_token(settings, token) is not None
    run("users", "revoke", token[:10])
    assert accounts.user_for_token(settings, token) is None
    second = run("users", "token", "vera").output.strip().splitlines()[-1]
    run("users", "disable", "vera")
    assert accounts.user_for_token(settings, second) is None
    assert "disabled" in run("users", "list").output
    run("cases", "revoke", "vera", "K-2024-0113")
    assert accounts.memberships(settings, accounts.get_user(settings, "vera").id) == {}
    again = run("cases", "revoke", "vera", "K-2024-0113", ok=False)
    assert "not a member" in again.output
    new_password = run("users", "reset-password", "vera").output.strip().splitlines()[-1]
    run("users", "enable", "vera")
    assert accounts.authenticate(settings, "vera", new_password) is not None
    with session_scope(settings) as s:
        actions = {r.action for r in s.scalars(select(AuditRecord))}
    assert {"revoke-token", "disable-user", "revoke-case", "reset-password", "enable-user"} <= actions
