"""A fixture of four cases that share a phone, a hotel and a person, for the compartment,
deconfliction and output-safety tests (issue 7).

| case | classification | who sees it |
|---|---|---|
| K-2030-0001 (A) | normal | ines (owner), olle (read) |
| K-2030-0002 (B) | normal | ines (read) |
| K-2030-0003 (R) | restricted | rita (owner) |
| K-2030-0004 (C) | covert | cora (owner), carl (read) |

Shared by all four: the phone +46709990011 (typed differently in each case), the hotel
"Hotell Kusten, Gävle" and the person Sara Lind (national id 19900101-1234; the restricted
case spells her "Sarah Lindh"). A and C hold a person named with a hostile string. C alone
holds the phone +48600100200 (called from the shared phone) and the person Ewa Covert.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from ingest.loader import load_directory
from tests.conftest import bearer, make_user
from tests.csvfiles import write_files

A, B, R, C = "K-2030-0001", "K-2030-0002", "K-2030-0003", "K-2030-0004"
PHONE = "+46709990011"
PHONE_ID = "phone:" + PHONE
COVERT_PHONE = "+48600100200"
NATIONAL_ID = "19900101-1234"
HOSTILE = "<img src=x onerror=alert(1)>"
HIDDEN_SPELLING = "Sarah Lindh"
UNITS = {
    A: ("Polisregion Mitt, grova brott", "Insp. Anna Ek, 010-100 00 01"),
    B: ("Polisregion Väst, människohandel", "Insp. Bo Ask, 010-100 00 02"),
    R: ("Noa, särskilda utredningar", "Kriminalinsp. Rut Sten, 010-100 00 03"),
    C: ("Underrättelsesektionen Mitt", "Sektionschef Cilla Al, 010-100 00 04"),
}

FILES = {
    "cases.csv": (
        ["case_id", "title", "unit", "opened", "classification", "crime", "jit", "contact"],
        [[A, "Koppleri Gävle", UNITS[A][0], "2030-01-02", "normal", "procuring", "", UNITS[A][1]],
         [B, "Sexköp Borås", UNITS[B][0], "2030-01-03", "normal", "sex purchase", "", UNITS[B][1]],
         [R, "Människohandel JIT", UNITS[R][0], "2030-01-04", "restricted", "trafficking", "JIT-9",
          UNITS[R][1]],
         [C, "Människohandel, underrättelse", UNITS[C][0], "2030-01-05", "covert", "trafficking", "",
          UNITS[C][1]]]),
    "persons.csv": (
        ["case_id", "person_ref", "name", "birth_date", "nationality", "national_id", "role", "source"],
        [[A, "A1", "Sara Lind", "1990-01-01", "SE", NATIONAL_ID, "victim", "A-1"],
         [A, "A2", HOSTILE, "1985-05-05", "SE", "", "suspect", "A-2"],
         [B, "B1", "Sara Lind", "1990-01-01", "SE", NATIONAL_ID, "victim", "B-1"],
         [R, "R1", HIDDEN_SPELLING, "1990-01-01", "SE", NATIONAL_ID, "victim", "R-1"],
         [C, "C1", "Sara Lind", "1990-01-01", "SE", NATIONAL_ID, "victim", "C-1"],
         [C, "C2", HOSTILE, "1985-05-05", "SE", "", "suspect", "C-2"],
         [C, "C3", "Ewa Covert", "1970-07-07", "PL", "", "suspect", "C-3"]]),
    "phones.csv": (
        ["case_id", "number", "person_ref", "country_hint", "first_seen", "last_seen", "source"],
        [[A, "070-999 00 11", "A2", "SE", "", "", "A-3"],
         [B, "+46 70 999 00 11", "", "", "", "", "B-2"],
         [R, "0046709990011", "R1", "", "", "", "R-2"],
         [C, "070 9990011", "C2", "SE", "", "", "C-4"],
         [C, "+48 600 100 200", "C3", "", "", "", "C-5"]]),
    "hotels.csv": (
        ["case_id", "hotel_name", "street", "postcode", "city", "country", "source"],
        [[case, "Hotell Kusten", "Hamngatan 1", "802 50", "Gävle", "SE", f"{case}-H"]
         for case in (A, B, R, C)]),
    "stays.csv": (
        ["case_id", "person_ref", "hotel_name", "city", "country", "check_in", "check_out", "room",
         "source"],
        [[A, "A1", "Hotell Kusten", "Gävle", "SE", "2030-01-01", "", "12", "A-4"],
         [R, "R1", "Hotell Kusten", "Gävle", "SE", "2030-02-01", "", "14", "R-3"],
         [C, "C1", "Hotell Kusten", "Gävle", "SE", "2030-03-01", "", "16", "C-6"]]),
    "calls.csv": (
        ["case_id", "from_number", "to_number", "first_call", "last_call", "count", "source"],
        [[C, "070-999 00 11", "+48 600 100 200", "2030-03-01", "2030-03-02", "7", "C-7"]]),
}


def write_four_cases(directory: Path) -> Path:
    return write_files(directory, FILES)


#: Users and their memberships; every one an investigator but rita (analyst) and adam (admin).
MEMBERS = {
    "ines": ("investigator", {A: "owner", B: "read"}),
    "olle": ("investigator", {A: "read"}),
    "rita": ("analyst", {R: "owner"}),
    "cora": ("investigator", {C: "owner"}),
    "carl": ("investigator", {C: "read"}),
    "adam": ("admin", {}),
    "pia": ("prosecutor", {A: "read"}),
}
PASSWORD = "correct horse battery staple"


@dataclass
class FourCases:
    store: object
    settings: object
    #: user name -> API headers
    headers: dict[str, dict[str, str]]


@pytest.fixture
def four_cases(store, settings, tmp_path) -> FourCases:
    """The four cases loaded into an empty graph, and one API user per membership above."""
    return load_four_cases(store, settings, tmp_path)


def load_four_cases(store, settings, tmp_path) -> FourCases:
    """:func:`four_cases` for a fixture that changes FILES first."""
    result = load_directory(write_four_cases(tmp_path / "four"), store, settings)
    assert result.ok, [str(p) for p in result.problems]
    headers = {name: bearer(make_user(settings, name, role, cases))
               for name, (role, cases) in MEMBERS.items()}
    return FourCases(store=store, settings=settings, headers=headers)
