"""Rights kept between requests (graphapp.accounts.KeptRights) end at the next request after
any change to users, tokens, memberships or extra actions, whoever makes it.

The changes here are made with plain SQL on the database, not through graphapp.accounts: the
database's triggers, not the app's own functions, are what replace the access stamp, so a
revocation by another app server, the CLI or an administrator's SQL is seen all the same.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from graphapp import accounts
from graphapp.db import RIGHTS_TABLES, get_engine
from tests.conftest import INVESTIGATOR_CASES, bearer, make_user
from tests.test_web import login

SEARCH = "/api/v1/search?q=andrei"


def by_hand(settings, statement: str, **params) -> None:
    with get_engine(settings).begin() as conn:
        conn.execute(text(statement), params)


def stamp(settings) -> str:
    with get_engine(settings).connect() as conn:
        return conn.execute(text("SELECT stamp FROM access_stamp WHERE id = 1")).scalar_one()


def found_cases(response) -> set[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return {c for r in response.json["results"] for c in r["cases"]}


def test_a_membership_deleted_by_hand_hides_its_case_at_the_next_api_request(client, settings,
                                                                            demo_store):
    token = make_user(settings, "ines", "investigator", INVESTIGATOR_CASES)
    for _ in range(2):  # the second answer comes from the kept rights
        assert "K-2024-0113" in found_cases(client.get(SEARCH, headers=bearer(token)))
    by_hand(settings, "DELETE FROM case_memberships WHERE case_id = 'K-2024-0113'")
    assert "K-2024-0113" not in found_cases(client.get(SEARCH, headers=bearer(token)))


def test_a_membership_deleted_by_hand_hides_its_case_at_the_next_page(app, settings, demo_store):
    make_user(settings, "ines", "investigator", INVESTIGATOR_CASES)
    browser = app.test_client()
    assert login(browser, "ines").status_code == 302
    for _ in range(2):
        assert 'href="/entities/person:' in browser.get("/search?q=andrei").get_data(as_text=True)
    by_hand(settings, "DELETE FROM case_memberships")
    page = browser.get("/search?q=andrei")
    assert page.status_code == 200 and 'href="/entities/' not in page.get_data(as_text=True)


@pytest.mark.parametrize("statement", [
    "UPDATE api_tokens SET revoked_at = CURRENT_TIMESTAMP",
    "UPDATE users SET disabled = 1",
    "DELETE FROM api_tokens",
], ids=["token revoked", "user disabled", "token deleted"])
def test_a_token_ended_by_hand_answers_401_at_the_next_request(client, settings, store, statement):
    token = make_user(settings, "ines", "investigator", {"K-2024-0113": "owner"})
    for _ in range(2):
        assert client.get(SEARCH, headers=bearer(token)).status_code == 200
    by_hand(settings, statement)
    assert client.get(SEARCH, headers=bearer(token)).status_code == 401


def test_an_extra_action_granted_by_hand_counts_at_the_next_request(settings, store):
    make_user(settings, "ines", "investigator", {})
    user = accounts.get_user(settings, "ines")
    assert accounts.rights(settings, user.id) == ({}, frozenset())
    by_hand(settings, "INSERT INTO user_actions (user_id, action, granted_by, granted_at) "
                      "VALUES (:uid, 'view-audit', 'sql', CURRENT_TIMESTAMP)", uid=user.id)
    assert accounts.rights(settings, user.id) == ({}, frozenset({"view-audit"}))


def assert_every_change_restamps(settings) -> None:
    """Inserting, updating and deleting a row of each rights table replaces the stamp."""
    make_user(settings, "ines", "investigator", {"K-1": "read"})
    uid = accounts.get_user(settings, "ines").id
    changes = {
        "users": ["INSERT INTO users (name, role, must_change_password, disabled, totp_enabled, "
                  "created_at) VALUES ('olle', 'analyst', false, false, false, CURRENT_TIMESTAMP)",
                  "UPDATE users SET role = 'analyst' WHERE name = 'olle'",
                  "DELETE FROM users WHERE name = 'olle'"],
        "api_tokens": ["INSERT INTO api_tokens (user_id, token_hash, prefix, created_at) "
                       "VALUES (:uid, 'h', 'cgt_x', CURRENT_TIMESTAMP)",
                       "UPDATE api_tokens SET prefix = 'cgt_y' WHERE token_hash = 'h'",
                       "DELETE FROM api_tokens WHERE token_hash = 'h'"],
        "case_memberships": ["INSERT INTO case_memberships (user_id, case_id, access, granted_by, "
                             "granted_at) VALUES (:uid, 'K-2', 'read', 'sql', CURRENT_TIMESTAMP)",
                             "UPDATE case_memberships SET access = 'edit' WHERE case_id = 'K-2'",
                             "DELETE FROM case_memberships WHERE case_id = 'K-2'"],
        "user_actions": ["INSERT INTO user_actions (user_id, action, granted_by, granted_at) "
                         "VALUES (:uid, 'view-audit', 'sql', CURRENT_TIMESTAMP)",
                         "UPDATE user_actions SET granted_by = 'x' WHERE user_id = :uid",
                         "DELETE FROM user_actions WHERE user_id = :uid"],
    }
    assert sorted(changes) == sorted(RIGHTS_TABLES)
    seen = {stamp(settings)}
    for table, statements in changes.items():
        for statement in statements:
            by_hand(settings, statement, **({"uid": uid} if ":uid" in statement else {}))
            now = stamp(settings)
            assert now not in seen, f"{table}: {statement} left the stamp as it was"
            seen.add(now)


def test_every_change_to_a_rights_table_replaces_the_stamp(settings, store):
    assert_every_change_restamps(settings)


def test_nothing_is_kept_without_a_stamp():
    kept = accounts.KeptRights(limit=2)
    kept.put(("a",), None, ("rights",))
    assert kept.get(("a",), None) is None
    kept.put(("a",), "s1", ("rights",))
    assert kept.get(("a",), "s1") == ("rights",) and kept.get(("a",), "s2") is None
    kept.put(("b",), "s1", ("b",))
    kept.put(("c",), "s1", ("c",))  # over the limit: the least recently used goes
    assert kept.get(("a",), "s1") is None and kept.get(("c",), "s1") == ("c",)
