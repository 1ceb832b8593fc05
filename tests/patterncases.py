"""Three cases with known paths, cross-case links and trafficking patterns (issue 9): two the
test users see, one covert that only some of them see, and whose facts would change every answer
if they leaked.

| case | classification | who sees it |
|---|---|---|
| K-2031-0001 (D1) | normal | vera (owner), hank (read) |
| K-2031-0002 (D2) | normal | vera (read), hank (read) |
| K-2031-0003 (DH) | covert | dora (owner), hank (read) |

Patterns in D1 + D2 (what vera must find):

- Viktor Sten, suspect in D1 and D2 (and DH), is associated with Ioana Marin (D1) and Elena
  Rus (D2), and recorded with Ana Pop (D1) and Ioana (D2): a suspect linked to victims in two
  cases;
- +46701112233 is used by Ioana and Ana (D1) and Elena (D2), and listed by adverts in Gävle
  (D1) and Sundsvall (D2);
- Ioana and Ana stay at Hotell Nord, Gävle, on overlapping dates (D1); Ioana later at Hotell
  Syd, Sundsvall (D2): moved between cities.

What DH adds, and vera must never see: Hidden Hanna (a victim of Viktor's, using the same phone,
at Hotell Nord on the same dates), an advert for the phone in Umeå, and the phone +46709998877
that Pia Start, Quentin End and Tove Only use, the shortest path between any two of them.

Paths: Pia (D1) to Quentin (D2) is 2 hops through DH's phone, and 3 hops visibly (Pia stayed
at Hotell Väst (D1), where Rolf Ek stayed (D2), who is associated with Quentin (D2)). Pia to
Tove (D2) exists only through DH.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from ingest.loader import load_directory
from tests.conftest import bearer, make_user
from tests.csvfiles import write_files

D1, D2, DH = "K-2031-0001", "K-2031-0002", "K-2031-0003"
PHONE = "+46701112233"
HIDDEN_PHONE = "+46709998877"
HIDDEN_UNIT = "Underrättelsesektionen Bergslagen"
HIDDEN_WORDS = ("Hidden Hanna", "Umeå", HIDDEN_PHONE, DH, HIDDEN_UNIT, "DH-")

FILES = {
    "cases.csv": (
        ["case_id", "title", "unit", "opened", "classification", "contact"],
        [[D1, "Koppleri Gävle", "Polisregion Mitt", "2031-01-02", "normal", "Insp. Ada Berg"],
         [D2, "Människohandel Sundsvall", "Polisregion Nord", "2031-01-03", "normal", "Insp. Bo Ek"],
         [DH, "Underrättelse", HIDDEN_UNIT, "2031-01-04", "covert", "Sektionschef Dag"]]),
    "persons.csv": (
        ["case_id", "person_ref", "name", "birth_date", "national_id", "role", "source"],
        [[D1, "S", "Viktor Sten", "1980-01-01", "19800101-1111", "suspect", "D1-1"],
         [D1, "V1", "Ioana Marin", "2000-02-02", "20000202-2222", "victim", "D1-2"],
         [D1, "V2", "Ana Pop", "2001-03-03", "", "victim", "D1-3"],
         [D1, "P", "Pia Start", "1990-04-04", "19900404-3333", "witness", "D1-4"],
         [D2, "S", "Viktor Sten", "1980-01-01", "19800101-1111", "suspect", "D2-1"],
         [D2, "V1", "Ioana Marin", "2000-02-02", "20000202-2222", "victim", "D2-2"],
         [D2, "V3", "Elena Rus", "2002-05-05", "", "victim", "D2-3"],
         [D2, "Q", "Quentin End", "1991-06-06", "19910606-4444", "other", "D2-4"],
         [D2, "R", "Rolf Ek", "1975-07-07", "", "buyer", "D2-5"],
         [D2, "T", "Tove Only", "1992-08-08", "19920808-5555", "other", "D2-6"],
         [DH, "S", "Viktor Sten", "1980-01-01", "19800101-1111", "suspect", "DH-1"],
         [DH, "VH", "Hidden Hanna", "2003-09-09", "", "victim", "DH-2"],
         [DH, "P", "Pia Start", "1990-04-04", "19900404-3333", "other", "DH-3"],
         [DH, "Q", "Quentin End", "1991-06-06", "19910606-4444", "other", "DH-4"],
         [DH, "T", "Tove Only", "1992-08-08", "19920808-5555", "other", "DH-5"]]),
    "phones.csv": (
        ["case_id", "number", "person_ref", "first_seen", "last_seen", "source"],
        [[D1, "070-111 22 33", "V1", "2031-01-01", "", "D1-5"],
         [D1, "070-111 22 33", "V2", "2031-01-02", "", "D1-6"],
         [D2, "+46 70 111 22 33", "V3", "2031-02-01", "", "D2-7"],
         [DH, "0701112233", "VH", "2031-01-03", "", "DH-6"],
         [DH, "070-999 88 77", "P", "", "", "DH-7"],
         [DH, "070-999 88 77", "Q", "", "", "DH-8"],
         [DH, "070-999 88 77", "T", "", "", "DH-9"]]),
    "hotels.csv": (
        ["case_id", "hotel_name", "street", "postcode", "city", "country", "source"],
        [[D1, "Hotell Nord", "Norra gatan 1", "803 20", "Gävle", "SE", "D1-7"],
         [D2, "Hotell Syd", "Södra gatan 2", "852 30", "Sundsvall", "SE", "D2-8"]]),
    "stays.csv": (
        ["case_id", "person_ref", "hotel_name", "city", "country", "check_in", "check_out", "room",
         "source"],
        [[D1, "V1", "Hotell Nord", "Gävle", "SE", "2031-01-04", "2031-01-06", "11", "D1-8"],
         [D1, "V2", "Hotell Nord", "Gävle", "SE", "2031-01-05", "2031-01-07", "12", "D1-9"],
         [D2, "V1", "Hotell Syd", "Sundsvall", "SE", "2031-02-01", "2031-02-03", "21", "D2-9"],
         [DH, "VH", "Hotell Nord", "Gävle", "SE", "2031-01-05", "2031-01-06", "13", "DH-10"],
         [D1, "P", "Hotell Väst", "Borås", "SE", "2031-03-01", "", "", "D1-10"],
         [D2, "R", "Hotell Väst", "Borås", "SE", "2031-03-02", "", "", "D2-10"]]),
    "adverts.csv": (
        ["case_id", "advert_id", "site", "url", "posted", "city", "number", "source"],
        [[D1, "501", "escort-example.se", "", "2031-01-05", "Gävle", "070-111 22 33", "D1-11"],
         [D2, "502", "escort-example.se", "", "2031-02-01", "Sundsvall", "070-111 22 33", "D2-11"],
         [DH, "503", "escort-example.se", "", "2031-01-20", "Umeå", "070-111 22 33", "DH-11"]]),
    "associations.csv": (
        ["case_id", "person_ref_a", "person_ref_b", "kind", "source"],
        [[D1, "S", "V1", "controller", "D1-12"],
         [D2, "S", "V3", "controller", "D2-12"],
         [D2, "R", "Q", "acquaintance", "D2-13"],
         [DH, "S", "VH", "controller", "DH-12"]]),
}

MEMBERS = {
    "vera": ("investigator", {D1: "owner", D2: "read"}),
    "hank": ("investigator", {D1: "read", D2: "read", DH: "read"}),
    "dora": ("investigator", {DH: "owner"}),
    "olga": ("investigator", {D1: "read"}),
    "alf": ("analyst", {D1: "read", D2: "read"}),
}


def write_pattern_cases(directory: Path) -> Path:
    return write_files(directory, FILES)


@dataclass
class PatternCases:
    store: object
    settings: object
    headers: dict[str, dict[str, str]]

    def person(self, client, user: str, name: str) -> str:
        """The entity id of the one person ``user`` finds by ``name``."""
        found = [r for r in client.get("/api/v1/search", query_string={"q": name},
                                       headers=self.headers[user]).json["results"]
                 if r["kind"] == "person" and r["label"] == name]
        assert len(found) == 1, (user, name, found)
        return found[0]["id"]


@pytest.fixture
def pattern_cases(store, settings, tmp_path) -> PatternCases:
    """The three cases loaded into an empty graph, and one API user per membership above."""
    result = load_directory(write_pattern_cases(tmp_path / "patterns"), store, settings)
    assert result.ok, [str(p) for p in result.problems]
    headers = {name: bearer(make_user(settings, name, role, cases))
               for name, (role, cases) in MEMBERS.items()}
    return PatternCases(store=store, settings=settings, headers=headers)
