"""A fixture graph on which every saved query has a known answer (issue 10).

Three cases the analyst ``lina`` sees, two she does not (``hugo`` sees those):

| case | what | lina | hugo |
|---|---|---|---|
| K-2031-0001 (L1) | procuring, Gävle | read | |
| K-2031-0002 (L2) | sex purchase, Sundsvall | read | |
| K-2031-0003 (L3) | trafficking, JIT with Romania | read | |
| K-2031-0008 (N) | normal, another region | | owner |
| K-2031-0009 (H) | covert, a second JIT | | owner |

The story: Dan Kontroll, suspect in L1 and L3, controls Vera Ivanova (victim in L1 and L3),
who is advertised in Gävle and Sundsvall on her phone and moved from Gävle to Sundsvall and
back. Buyers Bo and Bert (L2) call her phone and Dan's. Wanda Walker (L3) and Wanda Wallker
(L2) share a phone and may be one person. Ulf (L1) and Ulla (L2) share an address without
any recorded link. The hidden cases touch the same phone, persons, hotels and address with
facts of their own (Hanna, Hugo, Umeå, Luleå, a second JIT): none of which may show to lina.

The facts come in two batches: the first is dated 2020-06-01 in the accounts database, the
second (one call of Bo's to Dan's phone, and hidden facts) is loaded at test time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import update

from graphapp.db import IngestBatch, session_scope
from ingest.loader import load_directory
from tests.conftest import bearer, make_user
from tests.csvfiles import write_files

L1, L2, L3, N, H = "K-2031-0001", "K-2031-0002", "K-2031-0003", "K-2031-0008", "K-2031-0009"
VISIBLE = (L1, L2, L3)
HIDDEN = (N, H)
JIT = "JIT-RO-SE-2031-01"
DAN_PHONE, VERA_PHONE, BO_PHONE, BERT_PHONE = "+46701110001", "+46701110002", "+46702220001", "+46702220002"
WANDA_PHONE = "+46703330003"
#: Strings that only the hidden cases state: none may reach lina.
HIDDEN_ONLY = (N, H, "Hanna", "Hugo", "Walkr", "Umeå", "Luleå", "JIT-PL", "+46702220009",
               "+46709990001", "+46709990002", "+46709990003", "C-300", "D-400", "H-1", "N-1")
#: Strings that only lina's cases state: none may reach hugo.
VISIBLE_ONLY = (L1, L2, L3, "Bert", "Ulla", "Ulf", "Wallker", "Wanda Walker", JIT, "Kopparv",
                BERT_PHONE, WANDA_PHONE, "A-100", "B-200")
FIRST_BATCH_AT = datetime(2020, 6, 1, 12, 0, tzinfo=UTC)
FORMULA_URL = "=HYPERLINK(\"http://x.example\",\"click\")"

FIRST = {
    "cases.csv": (
        ["case_id", "title", "unit", "opened", "classification", "crime", "jit", "contact"],
        [[L1, "Koppleri Gävle", "Polisregion Mitt", "2031-01-01", "normal", "procuring", "",
          "Insp. A, 010-1"],
         [L2, "Sexköp Sundsvall", "Polisregion Nord", "2031-01-02", "normal", "sex purchase", "",
          "Insp. B, 010-2"],
         [L3, "Människohandel JIT Rumänien", "Noa", "2031-01-03", "normal", "trafficking", JIT,
          "Insp. C, 010-3"],
         [N, "Koppleri Luleå", "Polisregion Nord", "2031-01-04", "normal", "procuring", "",
          "Insp. D, 010-4"],
         [H, "Människohandel, underrättelse", "Underrättelse", "2031-01-05", "covert",
          "trafficking", "JIT-PL-2031", "Sektion E"]]),
    "persons.csv": (
        ["case_id", "person_ref", "name", "birth_date", "nationality", "national_id", "role", "source"],
        [[L1, "P1", "Dan Kontroll", "1980-01-01", "RO", "", "suspect", "L1-1"],
         [L1, "P2", "Vera Ivanova", "2000-02-02", "RO", "", "victim", "L1-2"],
         [L1, "U2", "Ulf Andersson", "1991-09-09", "SE", "", "other", "L1-3"],
         [L2, "B1", "Bo Köpare", "1970-05-05", "SE", "", "buyer", "L2-1"],
         [L2, "B2", "Bert Köpare", "1971-06-06", "SE", "", "buyer", "L2-2"],
         [L2, "U1", "Ulla Berg", "1990-08-08", "SE", "", "witness", "L2-3"],
         [L2, "V3", "Wanda Wallker", "2001-03-03", "NG", "", "victim", "L2-4"],
         [L3, "S1", "Dan Kontroll", "1980-01-01", "RO", "", "suspect", "L3-1"],
         [L3, "V1", "Vera Ivanova", "2000-02-02", "RO", "", "victim", "L3-2"],
         [L3, "V2", "Wanda Walker", "2001-03-03", "NG", "", "victim", "L3-3"],
         [H, "X1", "Dan Kontroll", "1980-01-01", "RO", "", "suspect", "H-1"],
         [H, "X2", "Hanna Dold", "2002-04-04", "PL", "", "victim", "H-2"],
         [H, "X3", "Hugo Dold", "1972-07-07", "SE", "", "buyer", "H-3"],
         [H, "X4", "Wanda Walkr", "2001-03-03", "NG", "", "victim", "H-4"],
         [N, "Y1", "Vera Ivanova", "2000-02-02", "RO", "", "suspect", "N-1"],
         [N, "Y2", "Bo Köpare", "1970-05-05", "SE", "", "buyer", "N-2"]]),
    "phones.csv": (
        ["case_id", "number", "person_ref", "country_hint", "first_seen", "last_seen", "source"],
        [[L1, "070-111 00 01", "P1", "SE", "2031-01-01", "2031-03-01", "L1-4"],
         [L1, "070-111 00 02", "P2", "SE", "2031-01-05", "", "L1-5"],
         [L2, "070-222 00 01", "B1", "SE", "", "", "L2-5"],
         [L2, "070-222 00 02", "B2", "SE", "", "", "L2-6"],
         [L2, WANDA_PHONE, "V3", "", "", "", "L2-14"],
         [L3, DAN_PHONE, "S1", "", "", "", "L3-4"],
         [L3, WANDA_PHONE, "V2", "", "", "", "L3-6"],
         [H, DAN_PHONE, "X1", "", "", "", "H-5"],
         [H, "+46702220009", "X3", "", "", "", "H-6"],
         [H, VERA_PHONE, "X2", "", "", "", "H-7"],
         [N, BO_PHONE, "Y2", "", "", "", "N-3"]]),
    "calls.csv": (
        ["case_id", "from_number", "to_number", "first_call", "last_call", "count", "source"],
        [[L1, VERA_PHONE, DAN_PHONE, "2031-01-05", "2031-01-20", "12", "L1-6"],
         [L2, BO_PHONE, VERA_PHONE, "2031-01-11", "2031-01-11", "2", "L2-7"],
         [L2, BERT_PHONE, DAN_PHONE, "2031-01-12", "2031-01-14", "3", "L2-8"],
         [L3, DAN_PHONE, WANDA_PHONE, "2031-02-01", "2031-02-02", "5", "L3-7"],
         [H, "+46702220009", DAN_PHONE, "2031-01-15", "", "4", "H-8"],
         [H, "+46709990001", DAN_PHONE, "", "", "1", "H-9"],
         [H, "+46709990002", DAN_PHONE, "", "", "1", "H-10"]]),
    "associations.csv": (
        ["case_id", "person_ref_a", "person_ref_b", "kind", "source"],
        [[L1, "P1", "P2", "controller", "L1-7"],
         [H, "X1", "X2", "controller", "H-11"]]),
    "addresses.csv": (
        ["case_id", "street", "postcode", "city", "country", "person_ref", "kind", "source"],
        [[L1, "Kopparvägen 1", "80250", "Gävle", "SE", "P1", "residence", "L1-8"],
         [L1, "Kopparvägen 1", "80250", "Gävle", "SE", "P2", "residence", "L1-9"],
         [L1, "Storgatan 5", "80251", "Gävle", "SE", "U2", "residence", "L1-10"],
         [L2, "Storgatan 5", "80251", "Gävle", "SE", "U1", "work", "L2-9"],
         [H, "Storgatan 5", "80251", "Gävle", "SE", "X3", "residence", "H-12"]]),
    "hotels.csv": (
        ["case_id", "hotel_name", "street", "postcode", "city", "country", "source"],
        [[L1, "Hotell Norr", "Esplanaden 1", "85230", "Sundsvall", "SE", "L1-11"],
         [L1, "Hotell Syd", "Södra vägen 2", "80252", "Gävle", "SE", "L1-12"],
         [L2, "Hotell Norr", "", "", "Sundsvall", "SE", "L2-10"],
         [L3, "Hotell Norr", "", "", "Sundsvall", "SE", "L3-8"],
         [L3, "Hotell Syd", "", "", "Gävle", "SE", "L3-9"],
         [H, "Hotell Syd", "", "", "Gävle", "SE", "H-13"],
         [N, "Hotell Syd", "", "", "Gävle", "SE", "N-4"]]),
    "stays.csv": (
        ["case_id", "person_ref", "hotel_name", "city", "country", "check_in", "check_out", "room",
         "source"],
        [[L1, "P2", "Hotell Syd", "Gävle", "SE", "2031-01-01", "2031-01-02", "101", "L1-13"],
         [L1, "P2", "Hotell Norr", "Sundsvall", "SE", "2031-01-10", "2031-01-12", "201", "L1-14"],
         [L2, "B1", "Hotell Norr", "Sundsvall", "SE", "2031-01-11T21:00", "", "", "L2-11"],
         [L3, "V2", "Hotell Norr", "Sundsvall", "SE", "2031-02-01", "2031-02-03", "305", "L3-10"],
         [L3, "V1", "Hotell Syd", "Gävle", "SE", "2031-02-10", "", "", "L3-11"],
         [H, "X2", "Hotell Norr", "Sundsvall", "SE", "2031-01-11", "2031-01-12", "202", "H-15"],
         [H, "X2", "Hotell Väst", "Umeå", "SE", "2031-03-01", "", "", "H-16"],
         [N, "Y1", "Hotell Väst", "Umeå", "SE", "2031-03-05", "", "", "N-5"]]),
    "adverts.csv": (
        ["case_id", "advert_id", "site", "url", "posted", "city", "number", "source"],
        [[L1, "A-100", "escortsite.example", "https://escortsite.example/a/100", "2031-01-03",
          "Gävle", "070-111 00 02", "L1-15"],
         [L2, "B-200", "annonssida.example", "", "2031-01-09", "Sundsvall", VERA_PHONE, "L2-12"],
         [L2, "B-201", "annonssida.example", FORMULA_URL, "2031-01-10", "SUNDSVALL", VERA_PHONE,
          "L2-13"],
         [H, "C-300", "escortsite.example", "", "2031-03-01", "Umeå", VERA_PHONE, "H-17"],
         [N, "D-400", "escortsite.example", "", "2031-03-02", "Luleå", VERA_PHONE, "N-6"]]),
}

SECOND = {
    "calls.csv": (
        ["case_id", "from_number", "to_number", "first_call", "last_call", "count", "source"],
        [[L2, BO_PHONE, DAN_PHONE, "2031-04-01", "2031-04-01", "1", "L2-20"],
         [H, "+46709990003", DAN_PHONE, "2031-04-02", "", "1", "H-20"],
         [N, BO_PHONE, VERA_PHONE, "2031-04-03", "", "1", "N-20"]]),
}

MEMBERS = {
    "lina": ("analyst", {L1: "read", L2: "read", L3: "read"}),
    "hugo": ("analyst", {N: "owner", H: "owner"}),
}


@dataclass
class Library:
    store: object
    settings: object
    headers: dict[str, dict[str, str]]
    first_batch: str
    second_batch: str


def load_library_cases(store, settings, tmp_path: Path) -> tuple[str, str]:
    """Load both batches; date the first one back to 2020-06-01. Returns the batch ids."""
    first = load_directory(write_files(tmp_path / "first", FIRST), store, settings)
    assert first.ok, [str(p) for p in first.problems]
    with session_scope(settings) as s:
        s.execute(update(IngestBatch).where(IngestBatch.batch_id == first.batch_id)
                  .values(started_at=FIRST_BATCH_AT, finished_at=FIRST_BATCH_AT))
    second = load_directory(write_files(tmp_path / "second", SECOND), store, settings)
    assert second.ok, [str(p) for p in second.problems]
    return first.batch_id, second.batch_id


@pytest.fixture
def library_cases(store, settings, tmp_path) -> Library:
    """The five cases in an empty graph, and the users lina and hugo with API tokens."""
    first, second = load_library_cases(store, settings, tmp_path)
    headers = {name: bearer(make_user(settings, name, role, cases))
               for name, (role, cases) in MEMBERS.items()}
    return Library(store=store, settings=settings, headers=headers, first_batch=first,
                   second_batch=second)
