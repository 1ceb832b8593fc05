"""The administrators' pages and the owners' access-request page, through the test client with
CSRF protection on: each page's happy path, 403 for everyone else, CSRF refused on every POST,
no case content on any admin page, the self-grant that waits for an owner, and ProxyFix."""

from __future__ import annotations

import dataclasses
import re
import time
from datetime import UTC, datetime

import pyotp
import pytest
from sqlalchemy import select

from graphapp import accounts, create_app
from graphapp.access import Actor, allowed, visible_case_ids
from graphapp.db import AuditRecord, session_scope
from graphapp.settings import ConfigError, Settings
from ingest import demo
from tests.conftest import bearer, make_user
from tests.test_web import PASSWORD, csrf_from, login, page_token

TITLES = [c[1] for c in demo.CASES]
CONTACTS = [c[7] for c in demo.CASES]


def audit_rows(settings, *actions: str) -> list[AuditRecord]:
    with session_scope(settings) as s:
        return list(s.scalars(select(AuditRecord).where(AuditRecord.action.in_(actions))
                              .order_by(AuditRecord.id)))


def enrolled_admin(settings, name: str = "ada") -> str:
    """Create an administrator with a second factor in force; the code for their log-in."""
    make_user(settings, name, "admin", {})
    secret = re.search(r"secret=([A-Z2-7]+)", accounts.totp_begin(settings, name)).group(1)
    # The log-in's code is the step after the confirmed one, counted from the same instant: a
    # code reckoned from a later clock was two steps ahead, out of the allowed drift, whenever
    # a 30-second boundary fell in between (a slow machine made that a failure now and then).
    enrolled = time.time()
    assert accounts.totp_check(settings, name, pyotp.TOTP(secret).at(enrolled), confirm=True)
    return pyotp.TOTP(secret).at(enrolled + 30)


def admin_login(client, settings, name: str = "ada"):
    """Create an administrator with a second factor in force and log the client in."""
    code = enrolled_admin(settings, name)
    token = csrf_from(client.get("/login").get_data(as_text=True))
    answer = client.post("/login", data={"username": name, "password": PASSWORD, "csrf_token": token,
                                         "code": code})
    assert answer.status_code == 302 and answer.headers["Location"] == "/", answer.headers
    return client


@pytest.fixture
def ada(app, settings, demo_store):
    """A logged-in administrator; ines owns K-2024-0113, otto owns K-2024-0287."""
    make_user(settings, "ines", "investigator", {"K-2024-0113": "owner", "K-2024-0287": "read"})
    make_user(settings, "otto", "investigator", {"K-2024-0287": "owner"})
    return admin_login(app.test_client(), settings)


def post(client, path: str, page: str = "/admin/users", **data):
    return client.post(path, data={"csrf_token": page_token(client, page), **data})


def actor(settings, name: str) -> Actor:
    return Actor.from_user(settings, accounts.get_user(settings, name))


# -- users -------------------------------------------------------------------------------------


def test_the_users_page_lists_users_with_their_state(ada, settings):
    html = ada.get("/admin/users").get_data(as_text=True)
    for text in ("ines", "investigator", "K-2024-0113:owner", "otto", "ada"):
        assert text in html, text
    row = re.search(r'<tr id="user-ada">(.*?)</tr>', html, re.S).group(1)
    assert "UTC" in row and "<td>yes</td>" in row, row  # last log-in, second factor
    assert "Administration" in ada.get("/").get_data(as_text=True)  # the navigation link
    # A new user's role starts at investigator, never at the first choice, admin.
    assert re.search(r'<option selected value="investigator">', html), \
        re.findall(r"<option[^>]*>", html)
    # ines (investigator, no second factor): no "Reset second factor", and no extra action
    # her role already has is offered.
    ines = re.search(r'<tr id="user-ines">(.*?)</tr>', html, re.S).group(1)
    assert "Reset second factor" not in ines and "New one-time password" in ines, ines
    select = ines.split('name="action"', 1)[1].split("</select>", 1)[0]
    offered = re.findall(r'<option value="([a-z-]+)">', select)
    assert offered and "search" not in offered and "view-network" not in offered, offered
    assert "use-cypher-console" in offered, offered


def test_adding_a_user_shows_the_one_time_password_once(ada, settings, app):
    answer = post(ada, "/admin/users", name="nils", role="analyst")
    assert answer.status_code == 200, answer.status_code
    html = answer.get_data(as_text=True)
    password = re.search(r'<code class="secret">([^<]+)</code>', html).group(1)
    assert password not in ada.get("/admin/users").get_data(as_text=True)
    assert accounts.get_user(settings, "nils").must_change_password
    assert login(app.test_client(), "nils", password).headers["Location"].endswith("/account/password")
    [row] = audit_rows(settings, "add-user")
    assert (row.actor, row.detail, row.outcome) == ("ada", {"user": "nils", "role": "analyst"}, "ok")
    assert password not in str(row.detail)
    again = post(ada, "/admin/users", name="nils", role="analyst")
    assert again.status_code == 400 and "already exists" in again.get_data(as_text=True)


def test_disable_enable_reset_and_revoke_from_the_users_page(ada, settings, app):
    token = accounts.issue_token(settings, "ines")
    ines = app.test_client()
    assert login(ines, "ines").status_code == 302
    assert post(ada, "/admin/users/ines/end-sessions").status_code == 302
    assert ines.get("/").status_code == 302  # logged out
    script = app.test_client()  # no session: the token alone
    assert script.get("/api/v1/search?q=x", headers=bearer(token)).status_code == 200
    assert post(ada, "/admin/users/ines/revoke-tokens").status_code == 302
    assert script.get("/api/v1/search?q=x", headers=bearer(token)).status_code == 401
    post(ada, "/admin/users/ines/disable")
    assert accounts.get_user(settings, "ines").disabled
    assert login(app.test_client(), "ines").status_code == 401
    post(ada, "/admin/users/ines/enable")
    assert not accounts.get_user(settings, "ines").disabled
    reset = post(ada, "/admin/users/ines/reset-password").get_data(as_text=True)
    password = re.search(r'<code class="secret">([^<]+)</code>', reset).group(1)
    assert login(app.test_client(), "ines", password).status_code == 302
    assert post(ada, "/admin/users/ines/fly").status_code == 404
    assert post(ada, "/admin/users/nobody/disable").status_code == 404
    # Not on one's own account (no administrator locks themselves out by a click).
    post(ada, "/admin/users/ada/disable")
    assert not accounts.get_user(settings, "ada").disabled
    actions = [(r.action, r.outcome, r.detail.get("user")) for r in audit_rows(
        settings, "revoke-sessions", "revoke-token", "disable-user", "enable-user", "reset-password")]
    assert actions == [("revoke-sessions", "ok", "ines"), ("revoke-token", "ok", "ines"),
                       ("disable-user", "ok", "ines"), ("enable-user", "ok", "ines"),
                       ("reset-password", "ok", "ines"), ("disable-user", "denied", "ada")]


def test_extra_actions_from_the_users_page(ada, settings):
    assert not allowed(actor(settings, "ines"), "use-cypher-console")
    post(ada, "/admin/users/ines/actions", action="use-cypher-console", op="grant")
    assert allowed(actor(settings, "ines"), "use-cypher-console")
    assert "+use-cypher-console" in ada.get("/admin/users").get_data(as_text=True)
    post(ada, "/admin/users/ines/actions", action="use-cypher-console", op="revoke")
    assert not allowed(actor(settings, "ines"), "use-cypher-console")
    post(ada, "/admin/users/ines/actions", action="manage-users", op="grant")  # not offered, refused
    assert not allowed(actor(settings, "ines"), "manage-users")
    # ... and refused by accounts itself, whatever a form offers (ADMIN_ACTIONS).
    for action in sorted(accounts.ADMIN_ACTIONS):
        with pytest.raises(accounts.AccountError, match="administrator's action"):
            accounts.grant_action(settings, "ines", action, granted_by="ada")
        assert not allowed(actor(settings, "ines"), action)
    changes = audit_rows(settings, "grant-action", "revoke-action")
    assert [(r.action, r.outcome, r.detail) for r in changes] == [
        ("grant-action", "ok", {"user": "ines", "action": "use-cypher-console"}),
        ("revoke-action", "ok", {"user": "ines", "action": "use-cypher-console"}),
        ("grant-action", "denied", {"user": "ines", "reason": "invalid form", "errors": ["action"]})]


def test_no_administrator_gives_themselves_or_a_prosecutor_hit_checks(ada, settings, app, demo_store):
    """check-hit names hidden cases: an administrator who could grant it to themselves, another
    administrator or a prosecutor would run hit checks across every case."""
    make_user(settings, "pia", "prosecutor", {})
    make_user(settings, "abe", "admin", {})
    for name in ("ada", "pia", "abe"):
        for action in ("check-hit", "read-notifications"):
            post(ada, f"/admin/users/{name}/actions", action=action, op="grant")
            assert action not in accounts.extra_actions(settings, accounts.get_user(settings, name).id)
    assert ada.get("/api/v1/hits", query_string={"identifier": "070 999 00 11"}).status_code == 403
    for role_holder in ("pia", "abe"):
        with pytest.raises(accounts.AccountError, match="tells of cases one cannot see"):
            accounts.grant_action(settings, role_holder, "check-hit", granted_by="test")
    # Other extra actions of one's own are another administrator's call too.
    post(ada, "/admin/users/ada/actions", action="export", op="grant")
    assert accounts.extra_actions(settings, accounts.get_user(settings, "ada").id) == frozenset()
    rows = [(r.detail["user"], r.detail["action"], r.outcome,
             "role" if "tells of cases" in r.detail["reason"] else r.detail["reason"])
            for r in audit_rows(settings, "grant-action")]
    assert rows == [("ada", "check-hit", "denied", "oneself"),
                    ("ada", "read-notifications", "denied", "oneself"),
                    ("pia", "check-hit", "denied", "role"), ("pia", "read-notifications", "denied", "role"),
                    ("abe", "check-hit", "denied", "role"), ("abe", "read-notifications", "denied", "role"),
                    ("ada", "export", "denied", "oneself")], rows


# -- cases, memberships and access requests ----------------------------------------------------


def test_the_cases_page_shows_ids_units_classifications_and_members_but_no_content(ada, settings):
    html = ada.get("/admin/cases").get_data(as_text=True)
    for case in demo.CASES:
        assert case[0] in html and case[2] in html, case[0]
    assert "ines:owner" in html and "covert" in html
    for secret in TITLES + CONTACTS:
        assert secret not in html, secret
    # Nor through the other admin pages, nor the search an administrator's role has.
    for path in ("/admin/users", "/admin/audit?purpose=check", "/?q=Koppleri", "/?q=Andrei"):
        text = ada.get(path).get_data(as_text=True)
        assert not any(t in text for t in TITLES), path
        assert "kind-person" not in text and "kind-case" not in text, path


def test_granting_and_revoking_others_from_the_cases_page(ada, settings):
    post(ada, "/admin/cases/grant", "/admin/cases", user="otto", case_id="K-2024-0342", access="read")
    assert actor(settings, "otto").cases == {"K-2024-0287": "owner", "K-2024-0342": "read"}
    post(ada, "/admin/cases/revoke", "/admin/cases", user="otto", case_id="K-2024-0342")
    assert actor(settings, "otto").cases == {"K-2024-0287": "owner"}
    post(ada, "/admin/cases/grant", "/admin/cases", user="otto", case_id="K-NOPE", access="read")
    assert actor(settings, "otto").cases == {"K-2024-0287": "owner"}
    rows = [(r.action, r.cases, r.detail) for r in audit_rows(settings, "grant-case", "revoke-case")]
    assert rows == [("grant-case", ["K-2024-0342"], {"user": "otto", "access": "read"}),
                    ("revoke-case", ["K-2024-0342"], {"user": "otto"}),
                    ("grant-case", ["K-NOPE"], {"user": "otto", "access": "read", "reason": "no such case"})]


def test_an_administrator_gets_a_case_only_when_its_owner_approves(ada, settings, app):
    answer = post(ada, "/admin/cases/grant", "/admin/cases", user="ada", case_id="K-2024-0113",
                  access="read")
    assert "cannot grant yourself" in ada.get(answer.headers["Location"]).get_data(as_text=True)
    assert visible_case_ids(actor(settings, "ada")) == frozenset()
    post(ada, "/admin/cases/request", "/admin/cases", case_id="K-2024-0113", access="read",
         reason="complaint 2024-17")
    [pending] = accounts.list_requests(settings)
    assert (pending["user"], pending["case_id"], pending["status"]) == ("ada", "K-2024-0113", "pending")
    assert visible_case_ids(actor(settings, "ada")) == frozenset()
    assert "complaint 2024-17" in ada.get("/admin/cases").get_data(as_text=True)
    # The owner of another case sees nothing to decide and cannot decide it.
    otto = app.test_client()
    assert login(otto, "otto").status_code == 302
    assert "No request is waiting" in otto.get("/case-requests").get_data(as_text=True)
    refused = post(otto, f"/case-requests/{pending['id']}", "/case-requests", decision="approve")
    assert refused.status_code == 404
    # Nor can the administrator approve it (they own nothing; and never their own request).
    assert post(ada, f"/case-requests/{pending['id']}", "/admin/cases", decision="approve").status_code == 404
    assert visible_case_ids(actor(settings, "ada")) == frozenset()
    ines = app.test_client()
    assert login(ines, "ines").status_code == 302
    page = ines.get("/case-requests").get_data(as_text=True)
    assert "complaint 2024-17" in page and "Access requests" in page
    # The owner's menu counts what waits for them, on every page; another case's owner's not.
    waiting = re.compile(r'id="nav-requests">Access requests <span class="count"[^>]*>(\d+)</span>')
    assert waiting.search(ines.get("/").get_data(as_text=True))[1] == "1"
    assert 'id="nav-requests">Access requests</a>' in otto.get("/").get_data(as_text=True)
    done = post(ines, f"/case-requests/{pending['id']}", "/case-requests", decision="approve")
    assert done.status_code == 302
    assert not waiting.search(ines.get("/").get_data(as_text=True))
    assert visible_case_ids(actor(settings, "ada")) == {"K-2024-0113"}
    rows = [(r.action, r.actor, r.outcome, r.purpose) for r in audit_rows(
        settings, "grant-case", "request-case", "approve-case-request")]
    assert rows == [("grant-case", "ada", "denied", ""), ("request-case", "ada", "ok", "complaint 2024-17"),
                    ("approve-case-request", "otto", "denied", ""),
                    ("approve-case-request", "ada", "denied", ""),
                    ("approve-case-request", "ines", "ok", "")]


def test_a_rejected_request_makes_no_membership(ada, settings, app):
    request_id = accounts.request_case(settings, "ada", "K-2024-0287", "read", "review")
    otto = app.test_client()
    assert login(otto, "otto").status_code == 302
    post(otto, f"/case-requests/{request_id}", "/case-requests", decision="reject")
    assert accounts.get_request(settings, request_id)["status"] == "rejected"
    assert visible_case_ids(actor(settings, "ada")) == frozenset()


def test_deciding_a_request_one_may_not_answers_like_a_missing_one(ada, settings, app):
    """Request ids are sequential: a different answer for "exists, not yours" would let anyone
    walk them and read the (perhaps covert) case ids off the refusals."""
    request_id = accounts.request_case(settings, "ada", "K-2024-0113", "read", "review")
    otto = app.test_client()
    assert login(otto, "otto").status_code == 302
    answers = [post(otto, f"/case-requests/{rid}", "/case-requests", decision=d)
               for rid in (request_id, request_id + 100) for d in ("approve", "reject")]
    assert {(a.status_code, a.get_data(as_text=True)) for a in answers} == {
        (answers[-1].status_code, answers[-1].get_data(as_text=True))}, [a.status_code for a in answers]
    assert answers[0].status_code == 404 and "K-2024-0113" not in answers[0].get_data(as_text=True)
    assert accounts.get_request(settings, request_id)["status"] == "pending"
    rows = [(r.actor, r.outcome, r.cases, r.detail["request"]) for r in audit_rows(
        settings, "approve-case-request", "reject-case-request")]
    assert rows == [("otto", "denied", ["K-2024-0113"], request_id),
                    ("otto", "denied", ["K-2024-0113"], request_id),
                    ("otto", "denied", [], request_id + 100), ("otto", "denied", [], request_id + 100)]
    # Deciding twice is refused, and audited.
    ines = app.test_client()
    assert login(ines, "ines").status_code == 302
    post(ines, f"/case-requests/{request_id}", "/case-requests", decision="reject")
    again = post(ines, f"/case-requests/{request_id}", "/case-requests", decision="approve")
    assert again.status_code == 302 and accounts.get_request(settings, request_id)["status"] == "rejected"
    last = audit_rows(settings, "approve-case-request")[-1]
    assert (last.actor, last.outcome, "decided already" in last.detail["reason"]) == ("ines", "failure", True)


def test_an_administrators_grant_of_an_owned_case_is_a_request_its_owner_decides(ada, settings, app):
    make_user(settings, "anna", "analyst", {})
    post(ada, "/admin/cases/grant", "/admin/cases", user="anna", case_id="K-2024-0113", access="owner")
    assert actor(settings, "anna").cases == {}
    ines = app.test_client()
    assert login(ines, "ines").status_code == 302
    page = ines.get("/case-requests").get_data(as_text=True)
    assert "anna" in page and "administrator ada" in page, page
    [pending] = accounts.list_requests(settings, case_ids=["K-2024-0113"])
    post(ines, f"/case-requests/{pending['id']}", "/case-requests", decision="approve")
    assert actor(settings, "anna").cases == {"K-2024-0113": "owner"}
    # Another administrator is never granted a case, owned or not.
    make_user(settings, "abe", "admin", {})
    for case_id in ("K-2024-0113", "K-2024-0342"):
        post(ada, "/admin/cases/grant", "/admin/cases", user="abe", case_id=case_id, access="read")
    assert actor(settings, "abe").cases == {} and accounts.list_requests(settings) == []
    assert [(r.outcome, r.detail.get("user")) for r in audit_rows(settings, "grant-case")] == [
        ("pending", "anna"), ("denied", "abe"), ("denied", "abe")]


def test_refused_membership_changes_are_audited(ada, settings):
    post(ada, "/admin/cases/revoke", "/admin/cases", user="otto", case_id="K-2024-0342")
    post(ada, "/admin/cases/request", "/admin/cases", case_id="K-NOPE", access="read", reason="r")
    post(ada, "/admin/cases/request", "/admin/cases", case_id="K-2024-0113", access="read", reason="r")
    post(ada, "/admin/cases/request", "/admin/cases", case_id="K-2024-0113", access="read", reason="r")
    post(ada, "/admin/cases/request", "/admin/cases", case_id="K-2024-0113", access="read")
    post(ada, "/admin/users/otto/actions", action="export", op="revoke")
    rows = [(r.action, r.outcome, r.detail.get("reason", "")[:16]) for r in audit_rows(
        settings, "revoke-case", "request-case", "revoke-action")]
    assert rows == [("revoke-case", "failure", "no such membersh"),
                    ("request-case", "failure", "no such case"), ("request-case", "ok", ""),
                    ("request-case", "failure", "request 1 for K-"),
                    ("request-case", "denied", "invalid form"),
                    ("revoke-action", "failure", "no such grant")], rows


# -- audit -------------------------------------------------------------------------------------


def test_the_audit_page_asks_a_purpose_and_shows_who_did_what_without_content(ada, settings, app):
    ines = app.test_client()
    assert login(ines, "ines").status_code == 302
    ines.get("/?q=Andrei+Popescu")
    first = ada.get("/admin/audit?actor=ines").get_data(as_text=True)
    assert "Purpose (required)" in first and "<tbody>" not in first
    assert audit_rows(settings, "read-audit") == []
    html = ada.get("/admin/audit?actor=ines&purpose=complaint+2024-17").get_data(as_text=True)
    assert re.search(r"<td>ines</td>.*?<td>search</td>", html, re.S), html
    assert "Andrei" not in html and "K-2024" not in html
    [read] = audit_rows(settings, "read-audit")
    assert (read.actor, read.purpose, read.detail["actor"]) == ("ada", "complaint 2024-17", "ines")
    again = ada.get("/admin/audit?action=read-audit&purpose=second+look").get_data(as_text=True)
    assert "complaint 2024-17" in again  # the purpose stated is shown in the log
    # From = Until = today is today's records; a bad date lists nothing rather than everything.
    today = datetime.now(UTC).date().isoformat()
    day = ada.get(f"/admin/audit?actor=ines&since={today}&until={today}&purpose=day").get_data(as_text=True)
    assert re.search(r"<td>ines</td>.*?<td>search</td>", day, re.S) and "matching record(s)" in day, day
    bad = ada.get("/admin/audit?actor=ines&since=yesterday&purpose=bad").get_data(as_text=True)
    assert "since must be a date" in bad and "<tbody>" not in bad, bad


def test_the_audit_api_asks_a_purpose_too(ada, settings):
    """The page's "purpose required" would mean nothing if the API read the same records without
    one (and they show other readers' purposes)."""
    token = bearer(accounts.issue_token(settings, "ada"))
    refused = ada.get("/api/v1/audit", headers=token)
    assert refused.status_code == 400 and refused.json == {"error": {
        "code": "bad_parameter", "message": "purpose is required: why you read the audit log"}}
    assert ada.get("/api/v1/audit", query_string={"purpose": "  "}, headers=token).status_code == 400
    assert audit_rows(settings, "read-audit") == []
    answer = ada.get("/api/v1/audit", query_string={"purpose": "complaint 2024-17", "actor": "ines"},
                     headers=token)
    assert answer.status_code == 200, answer.json
    [read] = audit_rows(settings, "read-audit")
    assert (read.actor, read.purpose, read.detail["actor"]) == ("ada", "complaint 2024-17", "ines")


# -- who may, and CSRF -------------------------------------------------------------------------


def _admin_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] in ("admin", "owner") and rule.endpoint.startswith("admin."):
            path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: {"op": "disable", "name": "otto"}.get(
                m.group(1), "1"), rule.rule)
            yield path, "POST" if "POST" in rule.methods else "GET"


def test_everyone_but_an_administrator_gets_403_on_every_admin_page(app, settings, demo_store):
    make_user(settings, "ines", "investigator", {"K-2024-0113": "owner"})
    make_user(settings, "otto", "investigator", {})
    routes = list(_admin_routes(app))
    assert len(routes) == 10, routes
    client = app.test_client()
    assert login(client, "ines").status_code == 302
    token = page_token(client)
    assert "Administration" not in client.get("/").get_data(as_text=True)
    for path, method in routes:
        answer = client.open(path, method=method, data={"csrf_token": token, "name": "x", "role": "admin",
                                                        "user": "ines", "case_id": "K-2024-0113",
                                                        "access": "owner", "reason": "r"})
        assert answer.status_code == 403, (path, method, answer.status_code)
    assert not accounts.get_user(settings, "otto").disabled
    with pytest.raises(accounts.AccountError):
        accounts.get_user(settings, "x")
    anonymous = app.test_client()
    for path, method in routes:
        assert anonymous.open(path, method=method).status_code in (302, 400), path
    # With a good CSRF token (from the log-in page), a POST still needs a log-in.
    token = csrf_from(anonymous.get("/login").get_data(as_text=True))
    for path, method in [*routes, ("/case-requests/1", "POST")]:
        answer = anonymous.open(path, method=method, data={"csrf_token": token, "name": "x", "role": "admin",
                                                           "decision": "approve"})
        assert answer.status_code == 302 and "/login" in answer.headers["Location"], (
            path, answer.status_code)
    api = bearer(accounts.issue_token(settings, "ines"))
    assert anonymous.get("/admin/users", headers=api).status_code == 302  # pages take no token


@pytest.mark.parametrize("token", [None, "forged", "other-session"])
def test_every_admin_post_refuses_a_missing_or_forged_csrf_token(ada, app, settings, token):
    other = app.test_client()
    assert login(other, "otto").status_code == 302
    value = {"forged": "ImZvcmdlZCI.AAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAA",
             "other-session": page_token(other)}.get(token)
    posts = [(path, m) for path, m in _admin_routes(app) if m == "POST"] + [("/case-requests/1", "POST")]
    for path, _ in posts:
        data = {"name": "eve", "role": "admin", "user": "otto", "case_id": "K-2024-0113",
                "access": "owner", "reason": "r", "action": "export", "op": "grant", "decision": "approve"}
        if value:
            data["csrf_token"] = value
        answer = ada.post(path, data=data)
        assert answer.status_code == 400, (path, answer.status_code)
        assert "The form expired" in answer.get_data(as_text=True)
    assert not accounts.get_user(settings, "otto").disabled
    assert "K-2024-0113" not in actor(settings, "otto").cases
    assert all(u.name != "eve" for u in accounts.list_users(settings))


# -- behind a reverse proxy --------------------------------------------------------------------


def _login_client(settings) -> str:
    client = create_app(settings, {"TESTING": True}).test_client()
    headers = {"X-Forwarded-For": "203.0.113.7"}
    token = csrf_from(client.get("/login", headers=headers).get_data(as_text=True))
    client.post("/login", headers=headers, data={"username": "ines", "password": PASSWORD,
                                                 "csrf_token": token})
    return audit_rows(settings, "login")[-1].client


def test_the_audit_log_names_the_forwarded_client_only_behind_a_configured_proxy(settings, store):
    make_user(settings, "ines", "investigator", {})
    assert _login_client(settings) == "127.0.0.1"
    assert _login_client(dataclasses.replace(settings, proxy_hops=1)) == "203.0.113.7"


def test_proxy_hops_setting(tmp_path):
    assert Settings.from_env({"CASEGRAPH_DATA_DIR": str(tmp_path)}).proxy_hops == 0
    env = {"CASEGRAPH_DATA_DIR": str(tmp_path)}
    assert Settings.from_env({**env, "CASEGRAPH_PROXY_HOPS": "2"}).proxy_hops == 2
    for bad in ("x", "-1", "9"):
        with pytest.raises(ConfigError, match="CASEGRAPH_PROXY_HOPS"):
            Settings.from_env({**env, "CASEGRAPH_PROXY_HOPS": bad})
