"""Lock-out and throttling of log-ins, through real HTTP with CSRF left on.

Five failures for a user name within 15 minutes lock it for 15 minutes, even against the
right password; many failures from one client address block that address. The counts are in
the accounts database, so two app instances (two app servers) share them. The person logging
in always gets the same answer; the audit log gets the whole story. Time passing is simulated
by moving the counters' timestamps back.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from graphapp import accounts, create_app
from graphapp.db import LoginThrottle, session_scope
from graphapp.views.auth import LOGIN_REFUSED
from tests.conftest import make_user
from tests.test_web import PASSWORD, audit_rows, csrf_from, page_token

WRONG = "not the password at all"
MESSAGE = LOGIN_REFUSED


def attempt(client, name: str, password: str, address: str = "127.0.0.1"):
    """One log-in attempt from ``address``, with the form's CSRF token."""
    environ = {"REMOTE_ADDR": address}
    page = client.get("/login", environ_base=environ)
    return client.post("/login", environ_base=environ, data={
        "username": name, "password": password, "csrf_token": csrf_from(page.get_data(as_text=True))})


def refused(response) -> bool:
    return response.status_code == 401 and MESSAGE in response.get_data(as_text=True)


def move_back(settings, delta: timedelta) -> None:
    """Pretend ``delta`` passed for every counter and lock-out."""
    with session_scope(settings) as s:
        for row in s.scalars(select(LoginThrottle)):
            row.window_start = row.window_start - delta
            if row.locked_until is not None:
                row.locked_until = row.locked_until - delta


@pytest.fixture
def ines(settings, store):
    make_user(settings, "ines", "investigator", {"K-2024-0113": "owner"})


def test_five_failures_lock_the_account_even_against_the_right_password(app, client, settings, ines):
    for _ in range(accounts.USER_FAILURES):
        assert refused(attempt(client, "ines", WRONG))
    locked = attempt(client, "ines", PASSWORD)
    assert refused(locked), (locked.status_code, locked.headers.get("Location"))
    assert client.get("/").status_code == 302, "the lock-out let the user in"
    assert accounts.lockout_state(settings, "ines") is not None

    logins = audit_rows(settings, "login")
    assert [(r.actor, r.outcome, r.detail["reason"]) for r in logins] == \
        [("ines", "failure", "bad-credentials")] * 5 + [("ines", "failure", "account-locked")]
    assert all(r.client == "127.0.0.1" for r in logins)
    [lockout] = audit_rows(settings, "lockout")
    assert (lockout.actor, lockout.outcome, lockout.detail) == (
        "ines", "locked", {"scope": "user", "minutes": 15})

    move_back(settings, timedelta(minutes=14))
    assert refused(attempt(client, "ines", PASSWORD)), "unlocked before 15 minutes"
    move_back(settings, timedelta(minutes=2))
    ok = attempt(client, "ines", PASSWORD)
    assert ok.status_code == 302, ok.get_data(as_text=True)[:500]
    assert client.get("/").status_code == 200
    assert accounts.lockout_state(settings, "ines") is None
    with session_scope(settings) as s:
        assert s.get(LoginThrottle, "user:ines") is None, "a log-in should clear the user's failures"


def test_failures_spread_over_more_than_the_window_do_not_lock(client, settings, ines):
    for _ in range(accounts.USER_FAILURES - 1):
        assert refused(attempt(client, "ines", WRONG))
    move_back(settings, timedelta(minutes=16))
    for _ in range(accounts.USER_FAILURES - 1):
        assert refused(attempt(client, "ines", WRONG))
    assert attempt(client, "ines", PASSWORD).status_code == 302
    assert audit_rows(settings, "lockout") == []


def test_a_successful_login_starts_the_count_again(client, settings, ines):
    for _ in range(accounts.USER_FAILURES - 1):
        assert refused(attempt(client, "ines", WRONG))
    assert attempt(client, "ines", PASSWORD).status_code == 302
    client.post("/logout", data={"csrf_token": page_token(client)})
    for _ in range(accounts.USER_FAILURES - 1):
        assert refused(attempt(client, "ines", WRONG))
    assert attempt(client, "ines", PASSWORD).status_code == 302


def test_the_count_is_shared_by_app_servers(settings, store, ines):
    """Two app instances on one accounts database: failures on either count together."""
    first = create_app(settings, {"TESTING": True}).test_client()
    second = create_app(settings, {"TESTING": True}).test_client()
    for i in range(accounts.USER_FAILURES):
        assert refused(attempt(first if i % 2 else second, "ines", WRONG))
    assert refused(attempt(first, "ines", PASSWORD))
    assert refused(attempt(second, "ines", PASSWORD))


def test_unknown_and_locked_names_get_the_same_answer(client, settings, ines):
    for _ in range(accounts.USER_FAILURES):
        assert refused(attempt(client, "nobody", WRONG))
        assert refused(attempt(client, "ines", WRONG))
    answers = {attempt(client, name, password).get_data(as_text=True)
               .split('name="csrf_token"')[0]  # the rest differs by the fresh token
               for name, password in (("nobody", WRONG), ("ines", PASSWORD), ("ines", WRONG))}
    assert len(answers) == 1, "a locked account can be told apart from a wrong password"
    assert {r.actor for r in audit_rows(settings, "lockout")} == {"nobody", "ines"}


def test_one_address_trying_many_names_is_blocked(app, client, settings, store):
    make_user(settings, "ines", "investigator", {"K-2024-0113": "owner"})
    attacker = "198.51.100.7"
    for i in range(accounts.ADDRESS_FAILURES):  # a few guesses each on many names: no user lock-out
        assert refused(attempt(client, f"user{i // 3}", WRONG, attacker))
    [lockout] = audit_rows(settings, "lockout")
    assert lockout.detail["scope"] == "address" and lockout.client == attacker, lockout.detail

    assert refused(attempt(client, "ines", PASSWORD, attacker)), "the blocked address logged in"
    assert audit_rows(settings, "login")[-1].detail["reason"] == "address-locked"
    elsewhere = app.test_client()
    assert attempt(elsewhere, "ines", PASSWORD, "203.0.113.20").status_code == 302, \
        "another address should not be blocked"

    move_back(settings, timedelta(minutes=16))
    assert attempt(app.test_client(), "ines", PASSWORD, attacker).status_code == 302


def test_guessing_through_the_password_form_counts_too(client, settings, ines):
    assert attempt(client, "ines", PASSWORD).status_code == 302
    for _ in range(accounts.USER_FAILURES):
        token = page_token(client, "/account/password")
        wrong = client.post("/account/password", data={
            "current": WRONG, "new": "a much longer passphrase", "confirm": "a much longer passphrase",
            "csrf_token": token})
        assert wrong.status_code == 400, wrong.status_code
    assert accounts.lockout_state(settings, "ines") is not None
    assert [r.outcome for r in audit_rows(settings, "change-password")] == ["failure"] * 5
    assert len(audit_rows(settings, "lockout")) == 1
    assert refused(attempt(client.application.test_client(), "ines", PASSWORD))


def test_an_administrator_can_lift_a_lock_out(client, settings, ines):
    for _ in range(accounts.USER_FAILURES):
        attempt(client, "ines", WRONG)
    assert refused(attempt(client, "ines", PASSWORD))
    accounts.unlock(settings, "ines")
    assert attempt(client, "ines", PASSWORD).status_code == 302


def test_concurrent_failures_all_count(settings, store, ines):
    """The counter is one UPDATE in the database: threads failing at once lose no count."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: accounts.attempt_login(settings, "ines", WRONG, "10.1.1.1"),
                                range(12)))
    assert sum("user" in r.locked for r in results) == 1, [r.locked for r in results]
    with session_scope(settings) as s:  # the address counts every one (the user name stops at its lock)
        assert s.get(LoginThrottle, "addr:10.1.1.1").failures == 12
