"""Deconfliction (DESIGN.md section 5): hits by the hidden case's classification, on the entity
page, in ``GET /api/v1/entities/{id}`` and ``GET /api/v1/hits``; covert owners notified; every
hit audited; ``casegraph cases reclassify``.

Real HTTP through Flask's test client and the real embedded store, on the four cases of
tests/fourcases.py: olle sees only A, so B (normal), R (restricted) and C (covert) are
hidden from him; ines sees A and B.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from sqlalchemy import select

from graphapp.db import AuditRecord, Notification, session_scope
from graphapp.services import hits
from graphapp.store import Node, StoreError
from tests import fourcases
from tests.fourcases import (
    COVERT_PHONE,
    HIDDEN_SPELLING,
    HOSTILE,
    NATIONAL_ID,
    PHONE,
    PHONE_ID,
    UNITS,
    A,
    B,
    C,
    R,
)
from tests.test_web import login

four_cases = fourcases.four_cases  # the fixture

NORMAL_B = {"classification": "normal", "case_id": B, "unit": UNITS[B][0], "contact": UNITS[B][1]}
RESTRICTED_R = {"classification": "restricted", "unit": UNITS[R][0], "contact": UNITS[R][1]}


def get(client, path: str, headers, **query):
    response = client.get("/api/v1" + path, query_string=query, headers=headers)
    assert response.is_json, (path, response.status_code, response.get_data(as_text=True)[:300])
    return response


def assert_nothing_of(text: str, *cases: str) -> None:
    """No id, unit or contact of these cases in a response."""
    for case in cases:
        for secret in (case, *UNITS[case]):
            assert secret not in text, f"{secret!r} of {case} leaked: {text[:2000]}"


def audit(settings, action: str) -> list[AuditRecord]:
    with session_scope(settings) as s:
        return list(s.scalars(select(AuditRecord).where(AuditRecord.action == action)
                              .order_by(AuditRecord.id)))


def notifications_of(client, headers) -> list[dict]:
    response = get(client, "/notifications", headers)
    assert response.status_code == 200, response.json
    return response.json["notifications"]


def person_id(client, headers, name: str) -> str:
    results = get(client, "/search", headers, q=name).json["results"]
    persons = [r["id"] for r in results if r["kind"] == "person"]
    assert len(persons) == 1, results
    return persons[0]


# -- hits of a visible entity ----------------------------------------------------------------


def test_entity_hits_follow_the_hidden_cases_classification(client, four_cases):
    olle, ines = four_cases.headers["olle"], four_cases.headers["ines"]
    response = get(client, f"/entities/{PHONE_ID}", olle)
    assert response.status_code == 200, response.json
    assert response.json["hits"] == [NORMAL_B, RESTRICTED_R], response.json["hits"]
    text = response.get_data(as_text=True)
    assert R not in text, "a restricted case's id leaked"
    assert_nothing_of(text, C)

    # ines sees B herself: only the restricted case is a hit for her.
    mine = get(client, f"/entities/{PHONE_ID}", ines)
    assert mine.json["hits"] == [RESTRICTED_R], mine.json["hits"]
    assert_nothing_of(mine.get_data(as_text=True), C)

    # The shared person and hotel too; a person's hits never carry a hidden spelling.
    sara = person_id(client, olle, "Sara")
    person = get(client, f"/entities/{quote(sara)}", olle)
    assert person.json["hits"] == [NORMAL_B, RESTRICTED_R], person.json["hits"]
    assert HIDDEN_SPELLING not in person.get_data(as_text=True)
    hotel = [r for r in get(client, "/search", olle, q="Kusten").json["results"] if r["kind"] == "hotel"]
    assert get(client, f"/entities/{quote(hotel[0]['id'])}", olle).json["hits"] == [NORMAL_B, RESTRICTED_R]

    # A case is never a hit on itself or others.
    assert get(client, f"/entities/case:{A}", olle).json["hits"] == []


def test_entity_page_shows_hits_by_classification(client, four_cases):
    assert login(client, "olle").status_code == 302
    page = client.get(f"/entities/{quote(PHONE_ID, safe=':')}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    section = html[html.index('id="hits"'):]
    section = section[:section.index("</section>")]
    for shown in (B, *UNITS[B], *UNITS[R]):
        assert shown in section, (shown, section)
    assert "A restricted case" in section, section
    assert R not in html, "a restricted case's id leaked into the page"
    assert_nothing_of(html, C)


def test_several_restricted_cases_of_one_unit_are_one_hit():
    rows = [{"case_id": f"K-{i}", "classification": "restricted", "unit": "Noa", "contact": "x"}
            for i in range(3)]
    shown = hits.disclose(hits._hidden_cases(rows, entity_id=PHONE_ID))
    assert shown == [{"classification": "restricted", "unit": "Noa", "contact": "x"}], shown


def test_unknown_classifications_are_covert_and_a_missing_one_is_ingests_default_normal():
    rows = [{"case_id": "K-1", "classification": "secret", "unit": "U", "contact": "c"},
            {"case_id": "K-3", "classification": "Covert ", "unit": "W", "contact": "e"},
            {"case_id": "K-2", "classification": None, "unit": "V", "contact": "d"},
            {"case_id": "K-4", "classification": "", "unit": "X", "contact": "f"}]
    hidden = hits._hidden_cases(rows, entity_id=PHONE_ID)
    # Present and unknown: fail closed. Empty or missing: normal, as ingest loads an empty cell.
    assert [h.covert for h in hidden] == [True, True, False, False], hidden
    assert hits.disclose(hidden) == [
        {"classification": "normal", "case_id": "K-2", "unit": "V", "contact": "d"},
        {"classification": "normal", "case_id": "K-4", "unit": "X", "contact": "f"}]


@pytest.mark.parametrize("row", [
    {"case_id": "K-1", "classification": "normal", "unit": "U", "contact": "c", "title": "t"},
    {"case_id": "K-1", "classification": "normal", "unit": "U",
     "contact": Node(id="case:K-1", kind="case", key="K-1")},
])
def test_a_hidden_case_query_returning_more_than_case_attributes_is_refused(row):
    with pytest.raises(StoreError):
        hits._hidden_cases([row], entity_id=PHONE_ID)


def test_the_hidden_case_queries_return_only_case_attributes(four_cases):
    """The deliberate reads of hidden cases carry four strings per case (and the entity id the
    service keeps for notifications), nothing else: checked on the real store."""
    store, allowed = four_cases.store, [A]
    nid = store.read("views/entity/phone", {"keys": [PHONE]}, allowed_cases=allowed)[0]["nid"]
    rows = store.read("views/hits_entity", {"nid": nid}, allowed_cases=allowed)
    assert {frozenset(r) for r in rows} == {frozenset({"case_id", "classification", "unit", "contact"})}
    assert sorted(r["case_id"] for r in rows) == [B, R, C], rows
    phone_rows = store.read("views/hits_phone", {"e164": PHONE}, allowed_cases=allowed)
    assert {frozenset(r) for r in phone_rows} == {
        frozenset({"case_id", "classification", "unit", "contact", "entity_id"})}
    # Started from an entity the caller cannot see, the entity read yields nothing at all.
    covert_nid = store.read("views/entity/phone", {"keys": [COVERT_PHONE]}, allowed_cases=[C])[0]["nid"]
    assert store.read("views/hits_entity", {"nid": covert_nid}, allowed_cases=allowed) == []


# -- covert: nothing to the user, the owners notified -----------------------------------------


def test_covert_hits_are_invisible_and_the_owners_are_notified(client, four_cases):
    h = four_cases.headers
    assert notifications_of(client, h["cora"]) == []
    response = get(client, f"/entities/{PHONE_ID}", h["olle"])
    assert_nothing_of(response.get_data(as_text=True), C)

    notes = notifications_of(client, h["cora"])
    assert len(notes) == 1, notes
    note = notes[0]
    assert (note["looker"], note["via"], note["case_id"], note["read"]) == ("olle", "entity", C, False), note
    assert note["entity"]["id"] == PHONE_ID and note["entity"]["label"] == PHONE, note
    assert note["at"].endswith("Z"), note
    assert get(client, "/notifications", h["cora"]).json["unread"] == 1

    # Nobody else hears of it: a reader of the covert case, the restricted case's owner, the
    # looker, the other investigator; and nothing of C reaches them.
    for name in ("carl", "rita", "olle", "ines"):
        assert notifications_of(client, h[name]) == [], name
    # An owner of only visible cases is not told when someone looks at their case's entity.
    with session_scope(four_cases.settings) as s:
        assert s.query(Notification).count() == 1


def test_a_covert_owner_sees_the_entity_labelled_from_their_own_facts(client, four_cases):
    h = four_cases.headers
    hostile = person_id(client, h["olle"], "img")
    get(client, f"/entities/{quote(hostile)}", h["olle"])
    notes = notifications_of(client, h["cora"])
    assert [(n["entity"]["id"], n["entity"]["label"]) for n in notes] == [(hostile, HOSTILE)], notes


def test_a_notification_is_only_shown_while_its_reader_owns_the_case(client, four_cases, run):
    h = four_cases.headers
    get(client, f"/entities/{PHONE_ID}", h["olle"])
    assert len(notifications_of(client, h["cora"])) == 1
    run("cases", "grant", "cora", C, "--access", "read")  # demoted
    assert notifications_of(client, h["cora"]) == []


# -- GET /api/v1/hits -------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["070 999 00 11", "+46 70-999 00 11", "0046709990011", "0709990011"])
def test_hit_check_on_a_phone_typed_in_any_format(client, four_cases, typed):
    response = get(client, "/hits", four_cases.headers["olle"], identifier=typed)
    assert response.status_code == 200, response.json
    assert response.json == {"hit": True, "hits": [NORMAL_B, RESTRICTED_R], "phone": PHONE,
                             "checked": ["phone", "national_id"]}, response.json
    assert_nothing_of(response.get_data(as_text=True), C)
    assert "person:" not in response.get_data(as_text=True), "the entity is revealed"


@pytest.mark.parametrize("typed", [NATIONAL_ID, "199001011234", " 19900101 1234 "])
def test_hit_check_on_a_national_id(client, four_cases, typed):
    response = get(client, "/hits", four_cases.headers["olle"], identifier=typed, kind="national_id")
    assert response.status_code == 200, response.json
    assert response.json == {"hit": True, "hits": [NORMAL_B, RESTRICTED_R],
                             "checked": ["national_id"]}, response.json
    text = response.get_data(as_text=True)
    assert "person:" not in text and "Sara" not in text and HIDDEN_SPELLING not in text, text
    assert_nothing_of(text, C)


def test_hit_check_for_an_entity_the_user_cannot_see_at_all(client, four_cases):
    """rita sees only R: the shared phone is a hit on A and B (normal); C stays silent."""
    h = four_cases.headers
    response = get(client, "/hits", h["rita"], identifier="070-999 00 11", kind="phone")
    assert response.json["hits"] == [
        {"classification": "normal", "case_id": A, "unit": UNITS[A][0], "contact": UNITS[A][1]},
        NORMAL_B], response.json
    # An investigator with no cases at all gets the same rules.
    carl = get(client, "/hits", h["carl"], identifier=NATIONAL_ID, kind="national_id").json
    assert carl["hits"] == [{"classification": "normal", "case_id": A, "unit": UNITS[A][0],
                             "contact": UNITS[A][1]}, NORMAL_B, RESTRICTED_R], carl


def test_a_covert_only_identifier_answers_exactly_like_an_unknown_one(client, four_cases):
    h = four_cases.headers
    covert = get(client, "/hits", h["olle"], identifier="+48 600 100 200")
    unknown = get(client, "/hits", h["olle"], identifier="+48 600 100 299")
    assert covert.status_code == unknown.status_code == 200
    assert {**covert.json, "phone": "-"} == {**unknown.json, "phone": "-"} == {
        "hit": False, "hits": [], "phone": "-", "checked": ["phone", "national_id"]}, covert.json
    assert len(covert.data) == len(unknown.data)

    notes = notifications_of(client, h["cora"])
    assert [(n["looker"], n["via"], n["entity"]["id"]) for n in notes] == [
        ("olle", "hit-check", "phone:" + COVERT_PHONE)], notes
    assert notifications_of(client, h["carl"]) == []


@pytest.fixture
def covert_only_id(monkeypatch, store, settings, tmp_path) -> fourcases.FourCases:
    """The four cases, but only the covert case's record of Sara Lind holds her national id: the
    others name her with the same birth date, so she is one person across all four."""
    header, rows = fourcases.FILES["persons.csv"]
    column = header.index("national_id")
    rows = [[*r[:column], r[column] if r[1] == "C1" else "", *r[column + 1:]] for r in rows]
    monkeypatch.setitem(fourcases.FILES, "persons.csv", (header, rows))
    return fourcases.load_four_cases(store, settings, tmp_path)


def test_a_national_id_only_a_covert_case_holds_answers_like_an_unknown_one(client, covert_only_id):
    h = covert_only_id.headers
    sara = person_id(client, h["olle"], "Sara")
    assert {n["case_id"] for n in [*get(client, f"/entities/{quote(sara)}", h["olle"]).json["hits"]]
            if "case_id" in n} == {B}, "the fixture no longer joins Sara across the cases"
    for name in ("olle", "ines", "rita"):
        covert = get(client, "/hits", h[name], identifier=NATIONAL_ID, kind="national_id")
        unknown = get(client, "/hits", h[name], identifier="19800101-9999", kind="national_id")
        assert covert.status_code == unknown.status_code == 200
        assert covert.json == unknown.json == {"hit": False, "hits": [], "checked": ["national_id"]}, (
            name, covert.json)
        assert covert.data == unknown.data
    # The covert case's owner hears of every check that reached her record.
    assert [(n["looker"], n["via"]) for n in notifications_of(client, h["cora"])
            if n["via"] == "hit-check"] == [("rita", "hit-check"), ("ines", "hit-check"),
                                            ("olle", "hit-check")]


def test_hit_checks_are_audited_without_the_national_id_in_clear(client, four_cases):
    settings, olle = four_cases.settings, four_cases.headers["olle"]
    get(client, "/hits", olle, identifier="070 999 00 11", kind="phone")
    get(client, "/hits", olle, identifier=NATIONAL_ID, kind="national_id")
    get(client, "/hits", olle, identifier="+46 70 000 00 00", kind="phone")
    rows = audit(settings, "check-hit")
    assert [(r.actor, r.outcome) for r in rows] == [("olle", "hit"), ("olle", "hit"), ("olle", "no-hit")]
    phone, national, none = rows
    assert phone.detail["phone"] == PHONE and phone.detail["shown"] == 2, phone.detail
    assert phone.cases == [B, R, C], phone.cases  # the audit trail names the covert case too
    assert {h["case_id"]: h["classification"] for h in phone.detail["hidden"]} == {
        B: "normal", R: "restricted", C: "covert"}, phone.detail
    assert phone.detail["owners_notified"] == 1, phone.detail
    assert national.detail["national_id_key"].startswith("nid:"), national.detail
    assert "1234" not in str(national.detail), national.detail
    assert none.cases == [] and none.detail["shown"] == 0, none.detail


def test_a_national_id_checked_without_a_kind_is_not_audited_in_clear_as_a_phone(client, four_cases):
    """The hit-check form's default (no kind) reads 19900101-1234 as a phone too, and some
    national ids are valid phone numbers: with both readings the phone is audited as a key."""
    settings, olle = four_cases.settings, four_cases.headers["olle"]
    for typed in (NATIONAL_ID, "9001011234"):
        assert get(client, "/hits", olle, identifier=typed).status_code == 200
    for row in audit(settings, "check-hit"):
        assert row.detail["national_id_key"].startswith("nid:"), row.detail
        assert row.detail["phone_key"].startswith("phone:") and "phone" not in row.detail, row.detail
        assert "1234" not in str(row.detail), row.detail


def test_the_audit_outcome_is_what_the_user_was_told(client, four_cases):
    """A covert-only hit is "no-hit" like an unknown identifier (the administrators' audit view
    shows outcomes); the record's cases and detail, which that view hides, name the covert case."""
    olle = four_cases.headers["olle"]
    get(client, "/hits", olle, identifier="+48 600 100 200", kind="phone")
    get(client, "/hits", olle, identifier="+48 600 100 299", kind="phone")
    covert, unknown = audit(four_cases.settings, "check-hit")
    assert covert.outcome == unknown.outcome == "no-hit"
    assert covert.cases == [C] and covert.detail["hidden"] == [{"case_id": C, "classification": "covert"}]
    from graphapp import audit as audit_log

    shown = {r["id"]: r for r in audit_log.admin_view(four_cases.settings, action="check-hit")}
    assert shown[covert.id] == {**shown[unknown.id], "id": covert.id, "at": shown[covert.id]["at"]}


def test_entity_hits_are_audited(client, four_cases):
    get(client, f"/entities/{PHONE_ID}", four_cases.headers["olle"])
    rows = audit(four_cases.settings, "hit")
    assert [(r.actor, r.outcome, r.cases) for r in rows] == [("olle", "hit", [B, R, C])], rows
    assert rows[0].detail["entity"] == PHONE_ID and rows[0].detail["via"] == "entity", rows[0].detail


@pytest.mark.parametrize("query, message", [
    ({}, "identifier is required"),
    ({"identifier": "x" * 65}, "identifier is longer than 64 characters"),
    ({"identifier": "hello"}, "identifier is neither a phone number nor a national id"),
    ({"identifier": "070 999 00 11", "kind": "email"}, "kind must be one of: phone, national_id"),
    ({"identifier": "abcdef", "kind": "phone"}, "identifier is not a valid phone number"),
])
def test_a_bad_identifier_is_a_400(client, four_cases, query, message):
    response = get(client, "/hits", four_cases.headers["olle"], **query)
    assert response.status_code == 400, response.json
    assert response.json == {"error": {"code": "bad_parameter", "message": message}}


def test_roles_without_check_hit_get_403(client, four_cases):
    for name in ("pia", "adam"):
        response = get(client, "/hits", four_cases.headers[name], identifier=PHONE)
        assert response.status_code == 403, (name, response.json)
        assert response.json["error"]["code"] == "forbidden"
    assert audit(four_cases.settings, "check-hit") == []


def test_the_hit_check_page(client, four_cases):
    assert login(client, "olle").status_code == 302
    html = client.get("/hits", query_string={"identifier": "070 999 00 11"}).get_data(as_text=True)
    assert "Hit:" in html and B in html and UNITS[R][0] in html, html[-2000:]
    assert R not in html
    assert_nothing_of(html, C)
    html = client.get("/hits", query_string={"identifier": "+48 600 100 200"}).get_data(as_text=True)
    assert "No hit" in html and C not in html, html[-2000:]


# -- notifications: the UI, and one's own only ------------------------------------------------


def test_the_notifications_page_and_its_count(client, four_cases):
    get(client, f"/entities/{PHONE_ID}", four_cases.headers["olle"])
    get(client, "/hits", four_cases.headers["olle"], identifier="+48 600 100 200")
    get(client, "/links/cross-case", four_cases.headers["ines"])
    assert login(client, "cora").status_code == 302
    home = client.get("/").get_data(as_text=True)
    nav = home[home.index('id="nav-notifications"'):]
    count = int(re.search(r'<span class="count">(\d+)</span>', nav[:200])[1])
    page = client.get("/notifications")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count("olle") >= 2 and "hit check" in html and "opened the entity" in html, html
    # What the cross-case report told cora's case is said as such, not as an opened entity.
    assert count > 2 and html.count("listed it in the cross-case report") == count - 2, html
    assert PHONE in html and COVERT_PHONE in html, html
    from tests.test_web import csrf_from

    done = client.post("/notifications/read", data={"csrf_token": csrf_from(html)})
    assert done.status_code == 302, done.status_code
    home = client.get("/").get_data(as_text=True)
    assert 'class="count"' not in home
    assert [n["read"] for n in notifications_of(client, four_cases.headers["cora"])] == [True] * count


def test_marking_another_users_notification_answers_like_a_missing_one(client, four_cases):
    h = four_cases.headers
    get(client, f"/entities/{PHONE_ID}", h["olle"])
    note = notifications_of(client, h["cora"])[0]
    answers = {}
    for name in ("carl", "olle", "rita", "cora"):
        for nid in (note["id"], 99999):
            r = client.post(f"/api/v1/notifications/{nid}/read", headers=h[name])
            answers[(name, nid)] = (r.status_code, r.get_data(as_text=True))
    missing = answers[("cora", 99999)]
    assert missing[0] == 404 and '"not_found"' in missing[1], missing
    for key in [("carl", note["id"]), ("olle", note["id"]), ("rita", note["id"])]:
        assert answers[key] == missing, (key, answers[key])
    assert answers[("cora", note["id"])][0] == 200, answers
    assert notifications_of(client, h["cora"])[0]["read"] is True


# -- casegraph cases reclassify --------------------------------------------------------------


def test_reclassify_changes_what_a_hit_shows_and_is_audited(client, four_cases, run):
    olle = four_cases.headers["olle"]
    out = run("cases", "reclassify", R, "normal").output
    assert f"{R}: restricted -> normal" in out, out
    assert get(client, f"/entities/{PHONE_ID}", olle).json["hits"] == [
        NORMAL_B, {"classification": "normal", "case_id": R, "unit": UNITS[R][0], "contact": UNITS[R][1]}]
    run("cases", "reclassify", B, "covert")
    assert get(client, f"/entities/{PHONE_ID}", olle).json["hits"] == [
        {"classification": "normal", "case_id": R, "unit": UNITS[R][0], "contact": UNITS[R][1]}]
    rows = audit(four_cases.settings, "reclassify-case")
    assert [(r.cases, r.detail, r.outcome) for r in rows] == [
        ([R], {"from": "restricted", "to": "normal"}, "ok"),
        ([B], {"from": "normal", "to": "covert"}, "ok")], rows
    assert all(r.os_user for r in rows)


def test_reclassify_refuses_unknown_cases_and_classifications(four_cases, run):
    out = run("cases", "reclassify", "K-1999-0001", "normal", ok=False).output
    assert "no case 'K-1999-0001'" in out, out
    run("cases", "reclassify", R, "secret", code=2)
    assert [r.outcome for r in audit(four_cases.settings, "reclassify-case")] == ["failure"]
