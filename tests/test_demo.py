"""The demo scenario (ingest/demo.py): the hand-made core stays exactly as it is; the generated
background is reproducible, about the size asked for, valid in every row, streamed, kept apart
from the core, and full of the cross-case links the product is for.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import subprocess
import sys
import tracemalloc
from collections import Counter, defaultdict
from pathlib import Path
from random import Random

import pytest

from graphapp import model
from ingest import demo, normalise
from ingest.files import FILES
from ingest.loader import load_directory
from ingest.readers import read_file

ROOT = Path(__file__).resolve().parent.parent
CORE_CASES = {c[0] for c in demo.CASES}

#: SHA-256 (first 16 hex digits) of each core file as the tests that rely on it know it.
CORE_DIGESTS = {
    "cases.csv": "1850f8cd9d0f9d4d",
    "persons.csv": "c7c4d8af358f4b4b",
    "phones.csv": "fb6c647d8eb1fa07",
    "addresses.csv": "63300a9fc884e937",
    "hotels.csv": "1ee6e6160e9799cb",
    "stays.csv": "c014703385d55f09",
    "calls.csv": "4386b08a4b91857e",
    "adverts.csv": "0eeec9d6aca48fe3",
    "associations.csv": "6dd08b07844c2857",
}


def digest(directory: Path) -> dict[str, str]:
    return {name: hashlib.sha256((directory / name).read_bytes()).hexdigest() for name in demo.FILES}


def core_bytes(name: str) -> bytes:
    """The core file as the module's tables give it."""
    header, rows = demo.FILES[name]
    buf = io.StringIO(newline="")
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def data_rows(directory: Path) -> dict[str, list[dict[str, str]]]:
    out = {}
    for name in demo.FILES:
        with (directory / name).open(encoding="utf-8-sig", newline="") as fh:
            out[name] = list(csv.DictReader(fh))
    return out


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    return demo.write_scenario(tmp_path_factory.mktemp("demo") / "n20000", rows=20000, seed=1)


# -- the core ------------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs", [{}, {"rows": 0}, {"rows": 0, "seed": 99}])
def test_core_scenario_is_exactly_as_before(tmp_path, kwargs):
    directory = demo.write_scenario(tmp_path / "core", **kwargs)
    assert sorted(p.name for p in directory.iterdir()) == sorted(demo.FILES)
    for name in demo.FILES:
        written = (directory / name).read_bytes()
        assert written == core_bytes(name), name
        assert hashlib.sha256(written).hexdigest()[:16] == CORE_DIGESTS[name], name


def test_core_memberships_are_unchanged():
    assert demo.MEMBERSHIPS["investigator"] == {"K-2024-0113": "owner", "K-2024-0287": "read"}
    assert demo.memberships() == demo.MEMBERSHIPS
    assert demo.memberships(0, 5) == demo.MEMBERSHIPS


def test_generated_files_start_with_the_core(generated):
    for name in demo.FILES:
        data = (generated / name).read_bytes()
        core = core_bytes(name)
        if name == demo.BOM_FILE:
            assert data.startswith(b"\xef\xbb\xbf"), "one file carries a BOM"
            data = data[3:]
        assert data.startswith(core), name
        assert len(data) > len(core), f"{name} has no generated rows"


# -- reproducible, sized ---------------------------------------------------------------------


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    first = digest(demo.write_scenario(tmp_path / "a", rows=2000, seed=7))
    again = digest(demo.write_scenario(tmp_path / "b", rows=2000, seed=7))
    other = digest(demo.write_scenario(tmp_path / "c", rows=2000, seed=8))
    assert first == again
    assert all(first[name] != other[name] for name in demo.FILES), "every file depends on the seed"


def test_same_seed_same_bytes_in_another_process(tmp_path):
    """Nothing depends on string hashing (set order) or on state left by this process."""
    here = digest(demo.write_scenario(tmp_path / "here", rows=2000, seed=3))
    code = ("import sys; from pathlib import Path; from ingest import demo; "
            "demo.write_scenario(Path(sys.argv[1]), rows=2000, seed=3)")
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "there")], check=True, env=env, cwd=ROOT)
    assert digest(tmp_path / "there") == here


@pytest.mark.parametrize("rows", [2000, 20000])
def test_about_as_many_rows_as_asked(tmp_path, generated, rows):
    directory = generated if rows == 20000 else demo.write_scenario(tmp_path / "d", rows=rows, seed=1)
    total = sum(len(r) for r in data_rows(directory).values())
    assert 0.9 * rows <= total <= 1.1 * rows, total


def test_case_count_scales_with_rows():
    assert demo._case_count(2000) == 50
    assert 150 <= demo._case_count(20000) <= 200
    assert 300 <= demo._case_count(50000) <= 500
    assert demo._case_count(10_000_000) == 5000


def test_memory_stays_flat_as_rows_grow(tmp_path):
    """Rows are streamed: four times the rows must not need much more memory."""
    peaks = []
    for rows in (4000, 16000):
        tracemalloc.start()
        demo.write_scenario(tmp_path / str(rows), rows=rows, seed=1)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] < peaks[0] + 3_000_000, peaks


# -- valid in every row ----------------------------------------------------------------------


def test_every_row_passes_the_readers_checks(generated):
    for name, spec in FILES.items():
        records, problems = read_file(generated / name, spec)
        assert not problems, [str(p) for p in problems[:10]]
        assert records, name


def test_references_hold_by_construction(generated):
    rows = data_rows(generated)
    cases = [r["case_id"] for r in rows["cases.csv"]]
    assert len(cases) == len(set(cases))
    refs = {(r["case_id"], r["person_ref"]) for r in rows["persons.csv"]}
    assert len(refs) == len(rows["persons.csv"]), "person_ref is unique within a case"
    for name, file_rows in rows.items():
        for r in file_rows:
            assert r["case_id"] in cases, (name, r)
            for col in ("person_ref", "person_ref_a", "person_ref_b"):
                if name != "persons.csv" and r.get(col):
                    assert (r["case_id"], r[col]) in refs, (name, r)


def test_background_keeps_away_from_the_core(generated):
    rows = data_rows(generated)
    core_rows = {name: len(table) for name, (_, table) in demo.FILES.items()}
    background = {name: file_rows[core_rows[name]:] for name, file_rows in rows.items()}
    assert not {r["case_id"] for r in background["cases.csv"]} & CORE_CASES
    assert all(r["case_id"] not in CORE_CASES for table in background.values() for r in table)

    core_phones = demo._core_e164()
    for r in background["phones.csv"]:
        assert normalise.normalise_phone(r["number"], r["country_hint"] or "SE") not in core_phones, r
    for r in background["calls.csv"]:
        numbers = {normalise.normalise_phone(r["from_number"]), normalise.normalise_phone(r["to_number"])}
        assert numbers.isdisjoint(core_phones), r
    for r in background["adverts.csv"]:
        assert not r["number"] or normalise.normalise_phone(r["number"]) not in core_phones, r

    core_names = {normalise.name_tokens(p[2]) for p in demo.PERSONS}
    core_surnames = {normalise.fold_text(p[2]).split()[-1] for p in demo.PERSONS}
    for r in background["persons.csv"]:
        assert normalise.name_tokens(r["name"]) not in core_names, r
        assert not set(normalise.fold_text(r["name"]).split()) & core_surnames, r

    core_addresses, core_hotels = demo._core_places()
    for r in background["addresses.csv"]:
        key = normalise.address_key(r["street"], r["postcode"], r["city"], r["country"])
        assert key not in core_addresses, r
    for r in background["hotels.csv"] + background["stays.csv"]:
        assert normalise.hotel_key(r["hotel_name"], r["city"], r["country"] or "SE") not in core_hotels, r


def test_the_domain_is_all_there(generated):
    rows = data_rows(generated)
    cases = rows["cases.csv"][len(demo.CASES):]
    assert 150 <= len(cases) <= 200
    units = " ".join(c["unit"] for c in cases)
    for region in demo._REGIONS:
        assert f"Polisregion {region}" in units or any(
            f"Polisområde {t[2]}" in units for t in demo._TOWNS if t[1] == region), region
    assert "Noa" in units
    classes = Counter((c["classification"] or "normal").lower() for c in cases)
    assert classes["normal"] > classes["restricted"] > classes["covert"] > 0, classes
    assert {c["crime"] for c in cases} == {"sex purchase", "procuring", "trafficking"}
    assert any(c["jit"] for c in cases)
    nationalities = {p["nationality"].upper() for p in rows["persons.csv"]}
    assert {"SE", "RO", "NG", "PL", "SK", "RU", "TH"} <= nationalities
    roles = Counter(p["role"].lower() for p in rows["persons.csv"])
    assert roles["buyer"] > roles["victim"] > roles["suspect"] > 0 and roles["witness"] > 0, roles
    spellings = [p["number"] for p in rows["phones.csv"]]
    assert any(s.startswith("+46 ") for s in spellings) and any(s.startswith("0046") for s in spellings)
    assert any(s.startswith("07") and "-" in s for s in spellings)
    national_foreign = [p for p in rows["phones.csv"] if p["country_hint"].upper() not in ("", "SE")
                        and not p["number"].startswith(("+", "00"))]
    assert national_foreign, "a foreign number written nationally, with its hint"
    streets = [a["street"] for a in rows["addresses.csv"]]
    assert any("g. " in s for s in streets) and any(":" in s for s in streets)
    assert any("T" in s["check_in"] for s in rows["stays.csv"])
    assert any(not r["check_out"] for r in rows["stays.csv"])


# -- messy spellings of one thing normalise to one key ---------------------------------------


def test_spellings_of_one_thing_meet_on_one_key():
    plan = demo._plan(20000, 1)
    rng = Random(0)
    for hotels in plan.hotels:
        for hotel in hotels:
            keys = {normalise.hotel_key(hotel.spell(rng), hotel.address.city, "SE") for _ in range(30)}
            assert len(keys) == 1, (hotel, keys)
            addresses = set()
            for _ in range(30):
                street, postcode, city = hotel.address.spell(rng)
                addresses.add(normalise.address_key(street, postcode, city, "SE"))
            assert len(addresses) == 1, (hotel.address, addresses)
    for ring in plan.rings:
        for address in [*ring.flats, *(h for h in ring.controller_homes if h)]:
            keys = {normalise.address_key(*address.spell(rng), address.country) for _ in range(30)}
            assert len(keys) == 1, (address, keys)
        for phone in [p for phones in ring.controller_phones + ring.victim_phones for p in phones]:
            e164 = {normalise.normalise_phone(*demo._spell_phone(rng, phone, True)) for _ in range(30)}
            e164 |= {normalise.normalise_phone(demo._spell_phone(rng, phone, False)[0]) for _ in range(30)}
            assert len(e164) == 1, (phone, e164)


def test_variants_fold_apart_and_exact_spellings_fold_alike():
    plan = demo._plan(2000, 1)
    gen = demo._Generator(plan, {name: csv.writer(io.StringIO()) for name in demo.FILES}, 1)
    for ring in plan.rings:
        for person in ring.controllers + ring.victims:
            canonical = normalise.normalise_name(person.name)
            for _ in range(10):
                assert normalise.normalise_name(gen.messy(person.name)) == canonical
                assert normalise.normalise_name(gen.variant(person)) != canonical


# -- memberships -----------------------------------------------------------------------------


def test_memberships_add_generated_cases_of_the_users_region(generated):
    cases = {r["case_id"]: r for r in data_rows(generated)["cases.csv"]}
    members = demo.memberships(20000, 1)
    assert members == demo.memberships(20000, 1)
    for role, core in demo.MEMBERSHIPS.items():
        assert members[role].items() >= core.items(), role
        assert len(members[role]) > len(core) + 5, role
    for granted in members.values():
        for case_id, access in granted.items():
            assert access in model.CASE_ACCESS
            assert case_id in cases
            if case_id not in CORE_CASES:
                assert (cases[case_id]["classification"] or "normal").lower() != "covert"
    extra = set(members["investigator"]) - CORE_CASES
    assert all("Öst" in cases[c]["unit"] or "Polisområde" in cases[c]["unit"] for c in extra)


# -- loaded: the links the product is for ----------------------------------------------------


def test_loads_cleanly_with_cross_case_links(tmp_path, store, settings):
    directory = demo.write_scenario(tmp_path / "n5000", rows=5000, seed=1)
    result = load_directory(directory, store, settings)
    assert result.ok, [str(p) for p in result.problems[:10]]
    joined_on = Counter(j["on"] for j in result.joins)
    assert joined_on["nid"] > 0 and joined_on["nb"] > 0, joined_on

    def raw(text):
        return store._graph.query(text, {}).result_set

    classification = dict(raw("MATCH (c:Case) RETURN c.case_id, c.classification"))
    hidden = {c for c, k in classification.items() if k in ("restricted", "covert")}
    covert = {c for c, k in classification.items() if k == "covert"}
    links = defaultdict(list)
    for label in ("Person", "Phone", "Address", "Hotel", "Advert"):
        for (case_ids,) in raw(f"MATCH (n:{label}) WHERE size(n.case_ids) >= 2 RETURN n.case_ids"):
            links[label].append(set(case_ids))
    assert links["Person"] and links["Phone"] and links["Hotel"], {k: len(v) for k, v in links.items()}
    for label in ("Person", "Phone"):
        assert any(ids & hidden and ids - hidden for ids in links[label]), f"{label}: normal ↔ restricted"
        assert any(ids & covert for ids in links[label]), f"{label}: a link into a covert case"
    mixed = [ids for found in links.values() for ids in found if ids & CORE_CASES and ids - CORE_CASES]
    assert not mixed, "the background never links to the core's cases"
    # Detectors and saved queries read what a case states of a hotel or an address through
    # the Case index (the stating case's own mention): every fact from a case carries its id.
    assert raw("MATCH (c:Case)-[r]->() WHERE r.case_id IS NOT NULL AND r.case_id <> c.case_id "
               "RETURN count(r)") == [[0]]
    assert raw("MATCH (c:Case)-[r]->() WHERE r.case_id = c.case_id RETURN count(r)")[0][0] > 5000
