"""Drafted queries: ad-hoc Cypher that runs only on the runner's projection, shared after a
review by a member of every case it is meant for (issue 10, item 6). Administrators do not
review; every step is audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from graphapp import accounts
from graphapp.access import Actor, Forbidden
from graphapp.db import AuditRecord, session_scope
from graphapp.services import drafts
from tests import librarycases
from tests.conftest import make_user
from tests.librarycases import L1, L2, L3, H, N

library_cases = librarycases.library_cases  # the fixture

CASES_QUERY = "MATCH (c:Case) RETURN c.case_id AS case_id ORDER BY case_id"
PEOPLE = {
    # name: (role, cases, extra actions)
    "rex": ("analyst", {L1: "read", L2: "read"}, ()),
    "rae": ("analyst", {L1: "read"}, ()),
    "ivan": ("investigator", {L1: "read"}, ()),
    "adam": ("admin", {L1: "read", L2: "read"}, ("publish-query",)),
}


@pytest.fixture
def people(library_cases):
    settings = library_cases.settings
    actors = {}
    for name, (role, cases, extra) in PEOPLE.items():
        make_user(settings, name, role, cases)
        for action in extra:
            accounts.grant_action(settings, name, action, granted_by="test")
        actors[name] = Actor.from_user(settings, accounts.get_user(settings, name))
    actors["lina"] = Actor.from_user(settings, accounts.get_user(settings, "lina"))
    actors["hugo"] = Actor.from_user(settings, accounts.get_user(settings, "hugo"))
    return actors


def audit_actions(settings) -> list[tuple[str, str, str]]:
    with session_scope(settings) as s:
        return [(r.action, r.actor, r.outcome) for r in s.scalars(
            select(AuditRecord).where(AuditRecord.action.in_(
                ("draft-query", "submit-query", "approve-query", "reject-query", "run-draft")))
            .order_by(AuditRecord.id))]


def test_draft_review_share_and_withdraw(library_cases, people):
    store, settings = library_cases.store, library_cases.settings
    lina, rex, rae, ivan, adam, hugo = (people[n] for n in ("lina", "rex", "rae", "ivan", "adam", "hugo"))
    d = drafts.save(settings, lina, title="Cases I see", description="a check",
                    statement=CASES_QUERY, for_cases=[L1, L2])
    assert d.status == "draft" and d.for_cases == (L1, L2), d
    # The author runs it on her own projection: all of her cases, nothing else.
    assert drafts.run(store, settings, lina, d.id)["rows"] == [[L1], [L2], [L3]]
    for other in (rex, ivan, hugo):
        with pytest.raises(drafts.DraftNotFound):
            drafts.get(settings, other, d.id)
    drafts.submit(settings, lina, d.id)
    assert [x.id for x in drafts.visible(settings, rex)["to_review"]] == [d.id]
    assert drafts.visible(settings, rae)["to_review"] == []
    with pytest.raises(Forbidden):
        drafts.review(settings, lina, d.id, True)  # not one's own
    for nobody in (rae, adam):
        with pytest.raises((Forbidden, drafts.DraftNotFound)):
            drafts.review(settings, nobody, d.id, True)
    # The reviewer may run it before deciding: on the reviewer's own projection.
    assert drafts.run(store, settings, rex, d.id)["rows"] == [[L1], [L2]]
    approved = drafts.review(settings, rex, d.id, True, "fine")
    assert approved.status == "approved" and approved.reviewer == "rex", approved
    # Shared only with users who are members of every case it is for: ivan, of L1 alone,
    # must not learn of it (its title, text and case list may speak of L2).
    assert drafts.visible(settings, ivan)["shared"] == []
    for other in (ivan, hugo):
        with pytest.raises(drafts.DraftNotFound):
            drafts.get(settings, other, d.id)
    # A draft for L1 alone is shared with him; he runs it on his own projection.
    mine = drafts.save(settings, lina, title="L1 only", description="", statement=CASES_QUERY,
                       for_cases=[L1])
    drafts.submit(settings, lina, mine.id)
    drafts.review(settings, rex, mine.id, True, "fine")
    assert [x.id for x in drafts.visible(settings, ivan)["shared"]] == [mine.id]
    assert drafts.run(store, settings, ivan, mine.id)["rows"] == [[L1]]
    # An edit withdraws the approval.
    edited = drafts.save(settings, lina, draft_id=d.id, title="Cases I see", description="",
                         statement=CASES_QUERY + " LIMIT 1", for_cases=[L1, L2])
    assert edited.status == "draft" and edited.reviewer == "", edited
    with pytest.raises(drafts.DraftNotFound):
        drafts.get(settings, ivan, d.id)
    actions = audit_actions(settings)
    assert actions[:2] == [("draft-query", "lina", "ok"), ("run-draft", "lina", "ok")], actions
    assert ("submit-query", "lina", "ok") in actions and ("approve-query", "rex", "ok") in actions
    assert ("approve-query", "adam", "denied") in actions and ("approve-query", "rae", "denied") in actions
    assert ("run-draft", "ivan", "ok") in actions and actions[-1] == ("draft-query", "lina", "ok")


def test_a_draft_never_reaches_the_full_graph(library_cases, people):
    """Even approved, a draft that counts hidden facts finds none: it runs on the projection."""
    store, settings = library_cases.store, library_cases.settings
    lina, rex = people["lina"], people["rex"]
    probe = (f"MATCH (n) WHERE '{H}' IN n.case_ids OR '{N}' IN n.case_ids RETURN count(n) AS n")
    d = drafts.save(settings, lina, title="Probe", description="", statement=probe, for_cases=[L1])
    drafts.submit(settings, lina, d.id)
    drafts.review(settings, rex, d.id, True)
    assert drafts.run(store, settings, lina, d.id)["rows"] == [[0]]
    with session_scope(settings) as s:
        record = s.scalars(select(AuditRecord).where(AuditRecord.action == "run-draft")).first()
        assert record.detail["statement"] == probe and record.detail["draft"] == d.id, record.detail


@pytest.mark.parametrize("statement,for_cases,message", [
    ("MATCH (n) DETACH DELETE n", [L1], "only reads"),
    ("CALL db.labels()", [L1], "not allowed"),
    (CASES_QUERY, [], "meant for"),
    (CASES_QUERY, [H], "member"),
])
def test_bad_drafts_are_never_stored(library_cases, people, statement, for_cases, message):
    with pytest.raises(drafts.BadDraft, match=message):
        drafts.save(library_cases.settings, people["lina"], title="x", description="",
                    statement=statement, for_cases=for_cases)
    assert drafts.visible(library_cases.settings, people["lina"])["mine"] == []


def test_drafting_needs_the_console_action(library_cases, people):
    with pytest.raises(Forbidden):
        drafts.save(library_cases.settings, people["ivan"], title="x", description="",
                    statement=CASES_QUERY, for_cases=[L1])


def test_drafts_in_the_ui(client, library_cases, people):
    from tests.test_web import login, page_token

    settings = library_cases.settings
    accounts.set_password(settings, "lina", "correct horse battery staple")
    assert login(client, "lina").status_code == 302
    token = page_token(client, "/drafts")
    created = client.post("/drafts", data={"csrf_token": token, "title": "Phones per case",
                                           "description": "d", "for_cases": [L1, L2],
                                           "statement": "MATCH (p:Phone) RETURN count(p) AS n"})
    assert created.status_code == 302, created.data
    page_url = created.headers["Location"]
    ran = client.post(page_url + "/run", data={"csrf_token": token})
    assert ran.status_code == 200 and 'id="result-table"' in ran.get_data(as_text=True)
    refused = client.post("/drafts", data={"csrf_token": token, "title": "bad", "for_cases": [L1],
                                           "statement": "MATCH (n) SET n.x = 1"})
    assert refused.status_code == 400 and "only reads" in refused.get_data(as_text=True)
    assert client.post(page_url + "/submit", data={"csrf_token": token}).status_code == 302
    waiting = client.get(page_url).get_data(as_text=True)
    assert "submitted" in waiting
    assert "another analyst who is a member of every case it is meant for" in waiting, waiting
    client.post("/logout", data={"csrf_token": token})
    assert login(client, "rex").status_code == 302
    token = page_token(client, "/drafts")
    review_page = client.get(page_url).get_data(as_text=True)
    assert 'id="review-form"' in review_page, review_page
    decided = client.post(page_url + "/review", data={"csrf_token": token, "decision": "approve"})
    assert decided.status_code == 302
    assert "approved" in client.get(page_url).get_data(as_text=True)
    client.post("/logout", data={"csrf_token": token})
    assert login(client, "hugo").status_code == 302
    assert client.get(page_url).status_code == 404
