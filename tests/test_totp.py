"""A second factor (TOTP): required for administrators, a code is good once."""

from __future__ import annotations

import re
import time

import pyotp
import pytest

from graphapp import accounts, create_app
from graphapp.db import AuditRecord, User, session_scope

PASSWORD = "correct horse battery staple"


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def login(client, name: str, code: str = ""):
    token = csrf(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"username": name, "password": PASSWORD, "code": code,
                                       "csrf_token": token})


@pytest.fixture
def web(settings, store):
    return create_app(settings, {"TESTING": True}).test_client()


def secret_of(settings, name: str) -> str:
    with session_scope(settings) as s:
        return s.query(User).filter_by(name=name).one().totp_secret


def code_at(secret: str, offset: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + offset)


def test_an_administrator_must_enrol_before_anything_else(settings, web):
    accounts.add_user(settings, "ada", "admin", PASSWORD)
    first = login(web, "ada")
    assert first.status_code == 302 and first.headers["Location"].endswith("/account/totp")
    assert web.get("/").headers["Location"].endswith("/account/totp")
    api = web.get("/api/v1/search?q=x")
    assert api.status_code == 403 and api.json["error"]["code"] == "second_factor_required"
    page = web.get("/account/totp").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page
    secret = secret_of(settings, "ada")
    assert secret in page

    wrong = web.post("/account/totp", data={"code": "000000", "csrf_token": csrf(page)})
    assert wrong.status_code == 200 and web.get("/").status_code == 302
    ok = web.post("/account/totp", data={"code": code_at(secret), "csrf_token": csrf(page)})
    assert ok.status_code == 302 and web.get("/").status_code == 200
    with session_scope(settings) as s:
        outcomes = [r.outcome for r in s.query(AuditRecord).filter_by(action="enrol-totp")]
    assert outcomes == ["failure", "ok"]


def test_log_in_then_needs_the_code_and_a_code_is_good_once(settings, web, store):
    accounts.add_user(settings, "ada", "admin", PASSWORD)
    accounts.totp_begin(settings, "ada")
    secret = secret_of(settings, "ada")
    assert accounts.totp_check(settings, "ada", code_at(secret), confirm=True)

    no_code = login(web, "ada")
    assert no_code.status_code == 401                                # no code
    assert "a missing or wrong code from the authenticator app" in no_code.get_data(as_text=True)
    assert login(web, "ada", "123456").status_code == 401            # wrong code
    fresh = code_at(secret, 30)                                      # the next time step
    assert login(web, "ada", fresh).status_code == 302
    other = create_app(settings, {"TESTING": True}).test_client()
    assert login(other, "ada", fresh).status_code == 401             # replayed


def test_other_roles_may_go_without_and_a_reset_asks_again(settings, web, run):
    accounts.add_user(settings, "ines", "investigator", PASSWORD)
    assert login(web, "ines").headers["Location"].endswith("/")
    accounts.add_user(settings, "ada", "admin", PASSWORD)
    accounts.totp_begin(settings, "ada")
    assert accounts.totp_check(settings, "ada", code_at(secret_of(settings, "ada")), confirm=True)
    run("users", "totp", "ada", "--reset")
    fresh = create_app(settings, {"TESTING": True}).test_client()
    assert login(fresh, "ada").headers["Location"].endswith("/account/totp")
