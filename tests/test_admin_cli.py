"""Administrators' CLI: extra actions, cases added and listed without content, and the access
request an owner of the case must approve before an administrator becomes a member."""

from __future__ import annotations

import pytest

from graphapp import accounts
from graphapp.access import Actor, allowed, visible_case_ids
from tests.conftest import bearer, make_user
from tests.test_cli import OPERATOR, audit_log

PASSWORD = "correct horse battery staple"


def actor(settings, name: str) -> Actor:
    return Actor.from_user(settings, accounts.get_user(settings, name))


# -- extra actions -----------------------------------------------------------------------------


def test_an_extra_action_takes_effect_and_is_revoked(run, settings, store, client):
    token = make_user(settings, "pia", "prosecutor", {})
    assert client.get("/api/v1/search?q=x", headers=bearer(token)).status_code == 403
    assert "pia may now search" in run("users", "grant-action", "pia", "search").output
    assert allowed(actor(settings, "pia"), "search")
    answer = client.get("/api/v1/search?q=x", headers=bearer(token))
    assert answer.status_code == 200, answer.json
    assert answer.json["results"] == []  # a prosecutor still sees no live case
    assert "+search" in run("users", "list").output
    run("users", "revoke-action", "pia", "search")
    assert not allowed(actor(settings, "pia"), "search")
    assert client.get("/api/v1/search?q=x", headers=bearer(token)).status_code == 403
    run("users", "revoke-action", "pia", "search", ok=False)
    assert [(r["action"], r["actor"], r["detail"]["action"]) for r in audit_log(settings)
            if r["action"].endswith("-action")] == [
        ("grant-action", OPERATOR, "search"), ("revoke-action", OPERATOR, "search")]


def test_unknown_and_administrators_actions_are_refused(run, settings):
    make_user(settings, "ines", "investigator", {})
    assert "unknown action 'fly'" in run("users", "grant-action", "ines", "fly", ok=False).output
    refused = run("users", "grant-action", "ines", "manage-users", ok=False).output
    assert "administrator's action" in refused, refused
    assert not allowed(actor(settings, "ines"), "manage-users")
    run("users", "grant-action", "nobody", "search", ok=False)


# -- cases add and list ------------------------------------------------------------------------


def test_cases_add_then_list_shows_metadata_and_members_but_no_title(run, settings, store):
    make_user(settings, "olle", "investigator", {})
    out = run("cases", "add", "K-2099-0001", "--title", "Operation Secret Garden", "--unit",
              "Region Syd GOA", "--classification", "restricted", "--opened", "2099-01-02").output
    assert "case K-2099-0001 added" in out, out
    run("cases", "grant", "olle", "K-2099-0001", "--access", "owner")
    listed = run("cases", "list").output
    line = next(x for x in listed.splitlines() if x.startswith("K-2099-0001"))
    assert "restricted" in line and "Region Syd GOA" in line and "olle:owner" in line, line
    assert "Secret Garden" not in listed
    assert "exists already" in run("cases", "add", "K-2099-0001", "--title", "t", "--unit", "u",
                                   ok=False).output
    assert "opened must be a date" in run("cases", "add", "K-2099-0002", "--title", "t", "--unit", "u",
                                          "--opened", "soon", ok=False).output
    added = audit_log(settings, "add-case")
    assert [(r["outcome"], r["cases"]) for r in added] == [
        ("ok", ["K-2099-0001"]), ("failure", ["K-2099-0001"]), ("failure", ["K-2099-0002"])]
    # The new case is visible to its owner at once: the owner can load into it --as themselves.
    assert visible_case_ids(actor(settings, "olle")) == {"K-2099-0001"}


# -- access requests ---------------------------------------------------------------------------


def test_an_administrator_reaches_a_case_only_through_an_owners_approval(run, settings, demo_store):
    make_user(settings, "ada", "admin", {})
    make_user(settings, "ines", "investigator", {"K-2024-0113": "owner"})
    make_user(settings, "otto", "investigator", {"K-2024-0287": "owner"})
    # Granting oneself is refused, and audited.
    refused = run("cases", "grant", "ada", "K-2024-0113", "--access", "read", "--as", "ada", ok=False)
    assert "cannot grant yourself" in refused.output, refused.output
    assert visible_case_ids(actor(settings, "ada")) == frozenset()
    # The administrator may still grant others a case with no owner yet.
    run("cases", "grant", "otto", "K-2024-0342", "--access", "read", "--as", "ada")
    out = run("cases", "request", "K-2024-0113", "--access", "read", "--as", "ada",
              "--reason", "audit of a complaint").output
    request_id = int(out.split()[1].rstrip(":"))
    assert "/case-requests" in out, out
    assert visible_case_ids(actor(settings, "ada")) == frozenset()
    assert "already waiting" in run("cases", "request", "K-2024-0113", "--access", "read", "--as", "ada",
                                    ok=False).output
    pending = run("cases", "requests", "--as", "ines").output
    assert f"{request_id}" in pending and "audit of a complaint" in pending, pending
    assert "no requests" in run("cases", "requests", "--as", "otto").output
    # Owners decide in the web app under their own log-in: the shell cannot decide as an owner.
    for verb in ("approve", "reject"):
        assert run("cases", verb, request_id, "--as", "ines", code=2).exit_code == 2
    assert accounts.get_request(settings, request_id)["status"] == "pending"
    accounts.decide_request(settings, request_id, "ines", approve=True)
    assert visible_case_ids(actor(settings, "ada")) == {"K-2024-0113"}
    assert "no case 'K-NOPE'" in run("cases", "request", "K-NOPE", "--access", "read", "--as", "ada",
                                     ok=False).output
    decisions = [(r["action"], r["actor"], r["outcome"]) for r in audit_log(settings)
                 if r["action"] in ("grant-case", "request-case")]
    assert decisions == [
        ("grant-case", "ada", "denied"), ("grant-case", "ada", "ok"), ("request-case", "ada", "ok")]


def test_an_administrators_grant_of_an_owned_case_waits_for_its_owner(run, settings, demo_store):
    make_user(settings, "ada", "admin", {})
    make_user(settings, "ines", "investigator", {"K-2024-0113": "owner"})
    make_user(settings, "anna", "analyst", {})
    out = run("cases", "grant", "anna", "K-2024-0113", "--access", "owner", "--as", "ada").output
    assert "request" in out and "/case-requests" in out, out
    assert visible_case_ids(actor(settings, "anna")) == frozenset()
    [pending] = accounts.list_requests(settings, case_ids=["K-2024-0113"])
    assert (pending["user"], pending["access"]) == ("anna", "owner")
    assert "administrator ada" in pending["reason"]
    accounts.decide_request(settings, pending["id"], "ines", approve=True)
    assert visible_case_ids(actor(settings, "anna")) == {"K-2024-0113"}
    granted = audit_log(settings, "grant-case")
    assert [(r["actor"], r["outcome"], r["detail"].get("request")) for r in granted] == [
        ("ada", "pending", pending["id"])]


def test_nobody_grants_an_administrator_a_case(run, settings, demo_store):
    """Not another administrator (two would grant each other), not the operator at the shell:
    an administrator's only way to a case is a request an owner approves."""
    make_user(settings, "ada", "admin", {})
    make_user(settings, "abe", "admin", {})
    for extra in (("--as", "abe"), ()):
        out = run("cases", "grant", "ada", "K-2024-0342", "--access", "owner", *extra, ok=False).output
        assert "ada is an administrator" in out, out
    with pytest.raises(accounts.AccountError, match="administrator"):
        accounts.grant_case_by(settings, "abe", "ada", "K-2024-0342", "read")
    assert visible_case_ids(actor(settings, "ada")) == frozenset()
    assert [(r["actor"], r["outcome"]) for r in audit_log(settings, "grant-case")] == [
        ("abe", "denied"), (OPERATOR, "denied")]


def test_an_approval_never_lowers_a_membership_granted_since_the_request(settings, demo_store):
    make_user(settings, "ines", "investigator", {"K-2024-0113": "owner"})
    make_user(settings, "anna", "analyst", {})
    request_id = accounts.request_case(settings, "anna", "K-2024-0113", "read", "r")
    accounts.grant_case(settings, "anna", "K-2024-0113", "edit", granted_by="test")
    assert accounts.decide_request(settings, request_id, "ines", approve=True)["status"] == "approved"
    assert actor(settings, "anna").cases == {"K-2024-0113": "edit"}


def test_one_pending_request_per_user_and_case_even_at_the_same_moment(settings):
    """The check before the insert cannot see a request committed meanwhile: the database's
    partial unique index refuses the second (a rejected or approved one does not count)."""
    from sqlalchemy.exc import IntegrityError

    from graphapp.db import CaseAccessRequest, session_scope

    make_user(settings, "anna", "analyst", {})
    user_id = accounts.get_user(settings, "anna").id
    first = accounts.request_case(settings, "anna", "K-1", "read", "r")
    with pytest.raises(IntegrityError), session_scope(settings) as s:  # what a racing insert meets
        s.add(CaseAccessRequest(user_id=user_id, case_id="K-1", access="edit", reason=""))
    with session_scope(settings) as s:
        s.get(CaseAccessRequest, first).status = "rejected"
    accounts.request_case(settings, "anna", "K-1", "read", "again")


def test_only_an_administrator_grants_with_as(run, settings, demo_store):
    make_user(settings, "ines", "investigator", {"K-2024-0113": "owner"})
    make_user(settings, "anna", "analyst", {})
    out = run("cases", "grant", "anna", "K-2024-0113", "--access", "read", "--as", "ines", ok=False).output
    assert "ines may not manage-users" in out, out
    assert accounts.memberships(settings, accounts.get_user(settings, "anna").id) == {}
