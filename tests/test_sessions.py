"""Server-side sessions, API tokens and passwords, through real HTTP with CSRF left on.

A session ends when its row says so: log-out, revocation, a disabled account, a new
password, the idle and the absolute time-outs. Each test replays the old cookie (from a fresh
client, as a thief would) and expects the log-in page or a 401. Time passing is simulated by
moving the row's timestamps back, never by sleeping.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from graphapp import accounts, create_app, sessions
from graphapp.db import ApiToken, UserSession, session_scope, utcnow
from graphapp.settings import Settings
from tests.conftest import make_user
from tests.test_web import PASSWORD, audit_rows, csrf_from, login, page_token, redirects_to_login

COOKIE = "casegraph_session"
API = "/api/v1/search?q=andrei"


def cookie_value(client) -> str | None:
    cookie = client.get_cookie(COOKIE)
    return cookie.value if cookie is not None else None


def replay(app, value: str):
    """A fresh client holding only a copy of the cookie, as someone who copied it would."""
    other = app.test_client()
    other.set_cookie(COOKIE, value)
    return other


def assert_logged_out(client) -> None:
    assert redirects_to_login(client.get("/")), "the page still opened"
    assert client.get(API).status_code == 401, "the API still answered"


def row_for(settings, value: str) -> UserSession:
    with session_scope(settings) as s:
        return s.scalar(select(UserSession).where(UserSession.sid_hash == sessions.sid_hash(value)))


def move_back(settings, value: str, **columns: timedelta) -> None:
    """Pretend time passed: move the named timestamps of the cookie's row back."""
    row = row_for(settings, value)
    with session_scope(settings) as s:
        s.execute(update(UserSession).where(UserSession.id == row.id).values(
            {name: getattr(row, name) - delta for name, delta in columns.items()}))


@pytest.fixture
def ines(settings, store, client):
    """The test client logged in as an investigator; returns (client, session cookie)."""
    make_user(settings, "ines", "investigator", {"K-2024-0113": "owner"})
    response = login(client, "ines")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert client.get("/").status_code == 200 and client.get(API).status_code == 200
    return client, cookie_value(client)


# -- the cookie -----------------------------------------------------------------------------------


def test_the_cookie_is_an_opaque_id_httponly_and_samesite_strict(client, settings, store):
    response = client.get("/login")
    header = response.headers["Set-Cookie"]
    value = cookie_value(client)
    assert header.startswith(f"{COOKIE}={value};"), header
    flags = [part.strip().lower() for part in header.split(";")[1:]]
    assert "httponly" in flags and "samesite=strict" in flags, header
    assert "secure" not in flags, "Secure without CASEGRAPH_SECURE_COOKIES would break plain HTTP"
    assert "." not in value and len(value) >= 40, "the cookie should be a random id, not signed data"
    row = row_for(settings, value)
    assert row is not None and row.user_id is None and row.sid_hash != value
    with session_scope(settings) as s:
        stored = [r for r in s.execute(select(UserSession.__table__)).all()]
    assert value not in repr(stored), "the session id itself is stored"


def test_the_cookie_is_secure_when_configured(settings, store):
    assert Settings.from_env({"CASEGRAPH_SECURE_COOKIES": "true"}, data_dir=settings.data_dir).secure_cookies
    assert not Settings.from_env({}, data_dir=settings.data_dir).secure_cookies
    app = create_app(dataclasses.replace(settings, secure_cookies=True), {"TESTING": True})
    header = app.test_client().get("/login", base_url="https://localhost").headers["Set-Cookie"]
    flags = [part.strip().lower() for part in header.split(";")[1:]]
    assert "secure" in flags and "httponly" in flags and "samesite=strict" in flags, header


def test_the_session_cookie_logs_in_over_tls_too(settings, store):
    """Behind TLS, Flask-WTF would demand a Referer that Referrer-Policy: no-referrer removes."""
    make_user(settings, "ines", "investigator", {"K-2024-0113": "owner"})
    app = create_app(dataclasses.replace(settings, secure_cookies=True), {"TESTING": True})
    client = app.test_client()
    page = client.get("/login", base_url="https://localhost")
    response = client.post("/login", base_url="https://localhost", data={
        "username": "ines", "password": PASSWORD, "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert client.get("/", base_url="https://localhost").status_code == 200


# -- fixation, log-out, revocation ----------------------------------------------------------------


def test_login_gives_a_new_session_id_and_the_old_one_stays_anonymous(app, client, settings, store):
    make_user(settings, "ines", "investigator", {"K-2024-0113": "owner"})
    client.get("/login")
    before = cookie_value(client)  # what an attacker could have planted in the browser
    assert before
    assert login(client, "ines").status_code == 302
    after = cookie_value(client)
    assert after and after != before, "the session id was not changed at log-in"
    assert client.get("/").status_code == 200
    assert_logged_out(replay(app, before))
    assert row_for(settings, before) is None or row_for(settings, before).revoked_at is not None
    assert replay(app, after).get("/").status_code == 200


def test_logout_ends_the_session_for_every_copy_of_the_cookie(app, ines, settings):
    client, cookie = ines
    assert client.post("/logout", data={"csrf_token": page_token(client)}).status_code == 302
    assert cookie_value(client) is None, "the log-out response should delete the cookie"
    assert_logged_out(client)
    assert_logged_out(replay(app, cookie))
    assert [r.actor for r in audit_rows(settings, "logout")] == ["ines"]


def test_revoking_the_session_row_ends_it_at_once(app, ines, settings):
    client, cookie = ines
    user = accounts.get_user(settings, "ines")
    [row] = sessions.active(settings, user.id)
    assert row.client == "127.0.0.1" and row.user_agent.startswith("Werkzeug"), (row.client, row.user_agent)
    assert sessions.revoke(settings, row.id) is True
    assert sessions.revoke(settings, row.id) is False, "an ended session cannot end twice"
    assert_logged_out(client)
    assert_logged_out(replay(app, cookie))


def test_revoking_all_of_a_users_sessions(app, ines, settings):
    client, _ = ines
    second = app.test_client()
    assert login(second, "ines").status_code == 302
    assert accounts.revoke_sessions(settings, "ines") == 2
    assert_logged_out(client)
    assert_logged_out(second)


def test_the_session_data_lives_in_the_row(app, ines, settings):
    """The CSRF token is in the row: a token from one session is no good in another."""
    client, cookie = ines
    other = app.test_client()
    assert login(other, "ines").status_code == 302
    token = page_token(client)
    refused = other.post("/logout", data={"csrf_token": token})
    assert refused.status_code == 400, refused.status_code
    assert other.get("/").status_code == 200
    assert "_user_id" in sessions._serializer.loads(row_for(settings, cookie).data)


# -- time-outs ------------------------------------------------------------------------------------


def test_idle_time_out(app, ines, settings):
    client, cookie = ines
    move_back(settings, cookie, last_seen_at=timedelta(minutes=29))
    assert client.get("/").status_code == 200, "29 idle minutes ended the session"
    seen = row_for(settings, cookie).last_seen_at
    assert utcnow() - sessions._aware(seen) < timedelta(minutes=1), "a request did not count as use"
    move_back(settings, cookie, last_seen_at=timedelta(minutes=31))
    assert_logged_out(replay(app, cookie))
    assert_logged_out(client)


def test_absolute_time_out_even_when_busy(app, ines, settings):
    client, cookie = ines
    row = row_for(settings, cookie)
    lifetime = sessions._aware(row.expires_at) - sessions._aware(row.created_at)
    assert lifetime == timedelta(hours=12), lifetime
    move_back(settings, cookie, created_at=timedelta(hours=11, minutes=59),
              expires_at=timedelta(hours=11, minutes=59))
    assert client.get("/").status_code == 200
    move_back(settings, cookie, created_at=timedelta(minutes=2), expires_at=timedelta(minutes=2))
    assert utcnow() - sessions._aware(row_for(settings, cookie).last_seen_at) < timedelta(minutes=1)
    assert_logged_out(client)


def test_time_outs_are_configurable(settings, store):
    env = {"CASEGRAPH_SESSION_IDLE_MINUTES": "5", "CASEGRAPH_SESSION_ABSOLUTE_HOURS": "2"}
    short = Settings.from_env(env, data_dir=settings.data_dir)
    assert (short.session_idle_minutes, short.session_absolute_hours) == (5, 2)
    make_user(settings, "ines", "investigator", {"K-2024-0113": "owner"})
    app = create_app(dataclasses.replace(settings, session_idle_minutes=5, session_absolute_hours=2),
                     {"TESTING": True})
    client = app.test_client()
    assert login(client, "ines").status_code == 302
    cookie = cookie_value(client)
    row = row_for(settings, cookie)
    assert sessions._aware(row.expires_at) - sessions._aware(row.created_at) == timedelta(hours=2)
    move_back(settings, cookie, last_seen_at=timedelta(minutes=6))
    assert_logged_out(client)


# -- passwords ------------------------------------------------------------------------------------


@pytest.mark.parametrize("password", [
    "password1234", "Password1234!", "Sommar2024!!", "123456789012", "1234-5678-9012",
    "aaaaaaaaaaaa", "abababababab", "qwertyuiop123", "iloveyou1234", "Lösenord12345"])
def test_common_passwords_are_refused(settings, password):
    with pytest.raises(accounts.AccountError, match="too common"):
        accounts.check_password_strength(password)
    with pytest.raises(accounts.AccountError):
        accounts.add_user(settings, "pia", "analyst", password)


def test_good_passwords_pass(settings):
    assert len(accounts.common_passwords()) > 300
    for password in (PASSWORD, "a much longer passphrase", "tre blå kaniner i snön"):
        accounts.check_password_strength(password)


def test_the_password_form_refuses_a_common_password(ines, settings):
    client, _ = ines
    token = page_token(client, "/account/password")
    response = client.post("/account/password", data={
        "current": PASSWORD, "new": "password1234", "confirm": "password1234", "csrf_token": token})
    assert response.status_code == 400, response.status_code
    assert "too common" in response.get_data(as_text=True)
    assert accounts.authenticate(settings, "ines", PASSWORD) is not None


def test_a_new_password_ends_the_other_sessions_and_renews_this_one(app, ines, settings):
    client, cookie = ines
    other = app.test_client()
    assert login(other, "ines").status_code == 302
    new = "a much longer passphrase"
    token = page_token(client, "/account/password")
    done = client.post("/account/password", data={
        "current": PASSWORD, "new": new, "confirm": new, "csrf_token": token})
    assert done.status_code == 302, done.get_data(as_text=True)[:500]
    assert cookie_value(client) != cookie, "the session id was not renewed"
    assert client.get("/").status_code == 200, "the session that changed the password ended"
    assert_logged_out(other)
    assert_logged_out(replay(app, cookie))


# -- API tokens and disabled accounts -------------------------------------------------------------


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_expired_and_revoked_tokens_answer_401(client, settings, store):
    token = make_user(settings, "ines", "investigator", {"K-2024-0113": "owner"})
    assert client.get(API, headers=bearer(token)).status_code == 200
    with session_scope(settings) as s:
        s.execute(update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert client.get(API, headers=bearer(token)).status_code == 401

    second, third = accounts.issue_token(settings, "ines"), accounts.issue_token(settings, "ines")
    assert client.get(API, headers=bearer(second)).status_code == 200
    prefix = second[:accounts.TOKEN_SHOWN]
    assert [t.prefix for t in accounts.list_tokens(settings, "ines")][:2] == [
        third[:accounts.TOKEN_SHOWN], prefix]
    assert accounts.revoke_token(settings, prefix) == prefix
    assert client.get(API, headers=bearer(second)).status_code == 401
    assert client.get(API, headers=bearer(third)).status_code == 200
    assert accounts.revoke_token(settings, third) == third[:accounts.TOKEN_SHOWN]  # the whole token
    assert client.get(API, headers=bearer(third)).status_code == 401
    with pytest.raises(accounts.AccountError, match="no token"):
        accounts.revoke_token(settings, "cgt_nothere")

    fourth = accounts.issue_token(settings, "ines")
    assert accounts.revoke_user_tokens(settings, "ines") == 2  # the fourth, and the expired first
    assert client.get(API, headers=bearer(fourth)).status_code == 401


def test_a_disabled_user_loses_sessions_and_tokens_at_once(app, ines, settings):
    client, cookie = ines
    token = accounts.issue_token(settings, "ines")
    assert client.get(API, headers=bearer(token)).status_code == 200
    accounts.disable_user(settings, "ines")
    assert_logged_out(client)
    assert_logged_out(replay(app, cookie))
    assert app.test_client().get(API, headers=bearer(token)).status_code == 401
    assert login(app.test_client(), "ines").status_code == 401

    accounts.enable_user(settings, "ines")  # what was ended stays ended
    assert_logged_out(replay(app, cookie))
    assert app.test_client().get(API, headers=bearer(token)).status_code == 401
    fresh = app.test_client()
    assert login(fresh, "ines").status_code == 302 and fresh.get("/").status_code == 200


def test_a_disabled_flag_alone_stops_a_live_session(app, ines, settings):
    """Even if the rows were not revoked (a database edited by hand), load_user checks it."""
    client, _ = ines
    from graphapp.db import User

    with session_scope(settings) as s:
        s.execute(update(User).where(User.name == "ines").values(disabled=True))
    assert_logged_out(client)
