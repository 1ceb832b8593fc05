"""Trafficking pattern detectors: each finds its pattern in the visible cases, with the facts
behind it, and nothing that only a hidden case states."""

from __future__ import annotations

import re

import pytest

from graphapp.services import detectors
from ingest.loader import load_directory
from tests import fourcases, patterncases
from tests.csvfiles import write_files
from tests.patterncases import D1, D2, HIDDEN_WORDS, PHONE

four_cases = fourcases.four_cases  # the fixture
pattern_cases = patterncases.pattern_cases  # the fixture


def run(client, headers, name, **params):
    response = client.get(f"/api/v1/detectors/{name}", query_string=params, headers=headers)
    assert response.status_code == 200, response.json
    body = response.json
    assert not any(w in str(body) for w in HIDDEN_WORDS), body
    return body


def test_the_list_names_and_explains_every_detector(client, pattern_cases):
    body = client.get("/api/v1/detectors", headers=pattern_cases.headers["vera"]).json
    names = [d["name"] for d in body["detectors"]]
    assert names == list(detectors.DETECTORS), names
    assert all(len(d["explanation"]) > 60 and d["parameter"]["default"] >= 2
               for d in body["detectors"])


def test_phone_in_adverts_in_several_cities(client, pattern_cases):
    body = run(client, pattern_cases.headers["vera"], "phone-adverts-cities")
    [finding] = body["findings"]
    assert finding["title"] == f"{PHONE}: adverts in 2 cities", finding
    assert [(f["city"], f["case_id"], f["source"]) for f in finding["facts"]] == [
        ("Gävle", D1, "D1-11"), ("Sundsvall", D2, "D2-11")]
    assert run(client, pattern_cases.headers["vera"], "phone-adverts-cities",
               threshold=3)["findings"] == []


def test_persons_at_one_hotel_on_overlapping_dates(client, pattern_cases):
    body = run(client, pattern_cases.headers["vera"], "hotel-overlapping-stays")
    [finding] = body["findings"]
    assert finding["title"] == "Hotell Nord, Gävle: 2 persons between 2031-01-04 and 2031-01-07"
    assert sorted(e["label"] for e in finding["entities"][1:]) == ["Ana Pop", "Ioana Marin"]
    assert [f["source"] for f in finding["facts"]] == ["D1-8", "D1-9"]
    # hank sees the covert case: Hidden Hanna joins the same window.
    seen = client.get("/api/v1/detectors/hotel-overlapping-stays",
                      headers=pattern_cases.headers["hank"]).json
    assert "Hidden Hanna" in str(seen) and "3 persons" in seen["findings"][0]["title"]


def test_one_phone_used_by_several_persons(client, pattern_cases):
    body = run(client, pattern_cases.headers["vera"], "phone-shared-users")
    [finding] = body["findings"]
    assert finding["title"] == f"{PHONE}: used by 3 persons"
    assert sorted(e["label"] for e in finding["entities"][1:]) == [
        "Ana Pop", "Elena Rus", "Ioana Marin"]
    assert finding["cases"] == [D1, D2]


def test_victims_moved_between_cities(client, pattern_cases):
    body = run(client, pattern_cases.headers["vera"], "victim-movements")
    by_name = {f["entities"][0]["label"]: f for f in body["findings"]}
    ioana = by_name["Ioana Marin"]
    assert ioana["summary"].startswith("Route: 2031-01-04 Gävle > 2031-02-01 Sundsvall"), ioana
    assert {f["type"] for f in ioana["facts"]} == {"STAYED_AT", "LISTS"}


def test_a_suspect_linked_to_victims_in_several_cases(client, pattern_cases):
    body = run(client, pattern_cases.headers["vera"], "suspect-victims-cases")
    [finding] = body["findings"]
    assert finding["entities"][0]["label"] == "Viktor Sten"
    assert finding["cases"] == [D1, D2]
    victims = sorted(e["label"] for e in finding["entities"][1:])
    assert victims == ["Ana Pop", "Elena Rus", "Ioana Marin"], victims
    assert any(f["type"] == "ASSOCIATED_WITH" and "controller" in f["what"] for f in finding["facts"])
    # olga sees one case only: one case is not "several".
    assert run(client, pattern_cases.headers["olga"], "suspect-victims-cases")["findings"] == []


@pytest.mark.parametrize("name", list(detectors.DETECTORS))
def test_no_detector_shows_anything_of_the_four_cases_hidden_ones(client, four_cases, name):
    from tests.fourcases import C, R

    response = client.get(f"/api/v1/detectors/{name}", query_string={"threshold": 2},
                          headers=four_cases.headers["ines"])
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    for word in (R, C, "Ewa Covert", "Sarah Lindh", "+48600100200"):
        assert word not in text, (name, word)


def test_unknown_detector_is_404_and_bad_threshold_400(client, pattern_cases):
    headers = pattern_cases.headers["vera"]
    missing = client.get("/api/v1/detectors/nope", headers=headers)
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"
    bad = client.get("/api/v1/detectors/phone-shared-users?threshold=1", headers=headers)
    assert bad.status_code == 400


def test_the_page_explains_and_shows_findings_with_sources(client, pattern_cases):
    from tests.test_web import login

    login(client, "vera")
    index = client.get("/detectors").get_data(as_text=True)
    assert "Phone in adverts in several cities" in index
    page = client.get("/detectors/suspect-victims-cases").get_data(as_text=True)
    assert "Viktor Sten: linked to 3 victim(s) in 2 cases" in page, page
    assert "D2-12" in page and "controller" in page
    assert not any(w in page for w in HIDDEN_WORDS)
    assert client.get("/detectors/nope").status_code == 404


def test_a_place_mentioned_twice_counts_once(client, pattern_cases, tmp_path):
    """A second batch mentions D1's hotel and advert again, from other documents and with the
    city spelt otherwise (GAVLE, GÄVLE): the same hotel and advert, so a victim still moved
    through two cities, not three, the phone is listed by two adverts, and no fact is shown
    twice (each mention joined every stay and listing, and repeated it)."""
    again = write_files(tmp_path / "again", {
        "hotels.csv": (["case_id", "hotel_name", "street", "postcode", "city", "country", "source"],
                       [[D1, "HOTELL NORD", "Norra gatan 1", "80320", "GAVLE", "SE", "D1-70"]]),
        "adverts.csv": (["case_id", "advert_id", "site", "url", "posted", "city", "number",
                         "source"],
                        [[D1, "501", "escort-example.se", "", "2031-01-05", "GÄVLE",
                          "070-111 22 33", "D1-71"]]),
    })
    result = load_directory(again, pattern_cases.store, pattern_cases.settings)
    assert result.ok, [str(p) for p in result.problems]
    vera = pattern_cases.headers["vera"]

    def shown_once(finding):
        facts = [(f["type"], f["entity"], f["case_id"], f["source"], f["date"])
                 for f in finding["facts"]]
        assert len(facts) == len(set(facts)), finding["facts"]

    moved = {f["entities"][0]["label"]: f for f in run(client, vera, "victim-movements")["findings"]}
    ioana = moved["Ioana Marin"]
    assert ioana["title"] == "Ioana Marin: moved through 2 cities", ioana
    assert re.fullmatch(r"Route: 2031-01-04 (Gävle|GAVLE) > 2031-02-01 Sundsvall \(1 move\(s\)\)\.",
                        ioana["summary"]), ioana
    shown_once(ioana)

    [listed] = run(client, vera, "phone-adverts-cities")["findings"]
    assert re.fullmatch(r"Listed by 2 advert\(s\) in (Gävle|GÄVLE), Sundsvall\.",
                        listed["summary"]), listed
    assert sorted(f["source"] for f in listed["facts"]) == ["D1-11", "D1-71", "D2-11"], listed
    shown_once(listed)


def _load(pattern_cases, directory, files):
    result = load_directory(write_files(directory, files), pattern_cases.store, pattern_cases.settings)
    assert result.ok, [str(p) for p in result.problems]


PERSON_COLUMNS = ["case_id", "person_ref", "name", "birth_date", "national_id", "role", "source"]
PHONE_COLUMNS = ["case_id", "number", "person_ref", "first_seen", "last_seen", "source"]


def test_a_shared_phone_says_which_users_may_be_one_person(client, pattern_cases, tmp_path):
    """D2 records "Ana Popp", born the day D1's Ana Pop was, using the same phone: a merge
    suggestion, not an automatic join. The finding still names four users, says that Ana Pop
    and Ana Popp may be one, and ranks by three."""
    _load(pattern_cases, tmp_path / "popp", {
        "persons.csv": (PERSON_COLUMNS, [[D2, "V4", "Ana Popp", "2001-03-03", "", "victim", "D2-40"]]),
        "phones.csv": (PHONE_COLUMNS, [[D2, "070-111 22 33", "V4", "2031-02-05", "", "D2-41"]]),
    })
    body = run(client, pattern_cases.headers["vera"], "phone-shared-users")
    [finding] = body["findings"]
    assert finding["title"] == f"{PHONE}: used by 4 persons, 3 if the merge suggestions are right"
    assert "Ana Pop and Ana Popp may be one person" in finding["summary"], finding["summary"]
    [pair] = finding["possibly_same"]
    labels = {e["id"]: e["label"] for e in finding["entities"]}
    assert sorted(labels[i] for i in pair) == ["Ana Pop", "Ana Popp"]
    # The page says it too.
    from tests.test_web import login

    login(client, "vera")
    page = client.get("/detectors/phone-shared-users").get_data(as_text=True)
    assert "Ana Pop and Ana Popp may be one person" in page


def test_a_shared_phone_hides_a_suggestion_of_a_hidden_case(client, pattern_cases, tmp_path):
    """The covert case records "Ana Popp" (a suggestion with D1's Ana Pop); D2 records the same
    national id under a name far from Ana Pop's (joined to her, no suggestion of its own) using
    the phone. vera sees both persons through D1 and D2 but not the covert case's suggestion;
    hank, who reads the covert case, sees it."""
    _load(pattern_cases, tmp_path / "covert", {
        "persons.csv": (PERSON_COLUMNS, [
            ["K-2031-0003", "V4", "Ana Popp", "2001-03-03", "20010303-7777", "victim", "DH-40"]]),
    })
    _load(pattern_cases, tmp_path / "open", {
        "persons.csv": (PERSON_COLUMNS, [
            [D2, "V4", "Mirela Dumitrescu", "2001-03-03", "20010303-7777", "victim", "D2-40"]]),
        "phones.csv": (PHONE_COLUMNS, [[D2, "070-111 22 33", "V4", "2031-02-05", "", "D2-41"]]),
    })
    [vera] = run(client, pattern_cases.headers["vera"], "phone-shared-users")["findings"]
    assert vera["title"] == f"{PHONE}: used by 4 persons" and vera["possibly_same"] == [], vera
    hank = client.get("/api/v1/detectors/phone-shared-users", headers=pattern_cases.headers["hank"]).json
    [finding] = [f for f in hank["findings"] if f["entities"][0]["label"] == PHONE]
    # hank also sees Hidden Hanna use the phone
    assert finding["title"] == f"{PHONE}: used by 5 persons, 4 if the merge suggestions are right"
    assert len(finding["possibly_same"]) == 1 and len(finding["possibly_same"][0]) == 2, finding


def test_the_strongest_shared_phone_survives_a_small_limit(client, pattern_cases, tmp_path):
    """+46700000001 has as many users as PHONE (three) and sorts first by number, but its users
    are one person by their merge suggestions: with room for one finding, PHONE's three
    different users are the one shown (the query's own order would have kept the other)."""
    _load(pattern_cases, tmp_path / "lind", {
        "persons.csv": (PERSON_COLUMNS, [
            [D1, "L1", "Maria Lind", "1995-05-05", "", "victim", "D1-50"],
            [D2, "L2", "Maria Lindh", "1995-05-05", "", "victim", "D2-50"],
            [D2, "L3", "Marija Lind", "1995-05-05", "", "victim", "D2-51"]]),
        "phones.csv": (PHONE_COLUMNS, [[D1, "070-000 00 01", "L1", "", "", "D1-52"],
                                       [D2, "070-000 00 01", "L2", "", "", "D2-52"],
                                       [D2, "070-000 00 01", "L3", "", "", "D2-53"]]),
    })
    vera = pattern_cases.headers["vera"]
    both = run(client, vera, "phone-shared-users")["findings"]
    assert [f["title"] for f in both] == [
        f"{PHONE}: used by 3 persons",
        "+46700000001: used by 3 persons, 1 if the merge suggestions are right"], both
    one = run(client, vera, "phone-shared-users", limit=1)
    assert [f["title"] for f in one["findings"]] == [f"{PHONE}: used by 3 persons"]
    assert one["truncated"] is True
