"""Person resolution: exact joins, near-match suggestions (never merged), merge and split."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from graphapp.access import Actor
from graphapp.db import PersonJoin, session_scope
from ingest import resolve
from ingest.loader import load_directory

BASE = [
    "case_id,title,unit,classification",
    "K-1,Koppleri Jönköping,Region Öst,normal",
    "K-2,Människohandel Malmö,Region Syd,normal",
    "K-3,Covert Sundsvall,Region Nord,covert",
]


def write(directory: Path, name: str, lines: list[str]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def load(store, settings, directory: Path):
    result = load_directory(directory, store, settings)
    assert result.ok, [str(p) for p in result.problems]
    return result


def load_persons(store, settings, directory: Path, lines: list[str]):
    """Load BASE's cases and these persons.csv lines (header first) as one batch."""
    write(directory, "cases.csv", BASE)
    write(directory, "persons.csv", lines)
    return load(store, settings, directory)


def person_of(store, case_id: str, ref: str) -> str:
    rows = store._graph.ro_query(
        "MATCH (c:Case {case_id: $c})-[i:INVOLVES]->(p:Person) WHERE i.person_ref = $r "
        "RETURN p.person_id", {"c": case_id, "r": ref}).result_set
    assert len(rows) == 1, rows
    return rows[0][0]


def facts_of(store, person_id: str) -> set[tuple]:
    rows = store._graph.ro_query(
        "MATCH (p:Person {person_id: $p})-[r]-(x) RETURN type(r), r.rel_key, r.case_id",
        {"p": person_id}).result_set
    return {tuple(r) for r in rows}


def actor(cases: dict[str, str]) -> Actor:
    return Actor(name="rita", role="investigator", cases=cases)


@pytest.fixture
def variants(store, settings, tmp_path):
    """Records of K-2 and K-3 that are near variants of K-1's persons, plus one exact join."""
    d = tmp_path / "b1"
    write(d, "cases.csv", BASE)
    write(d, "persons.csv", [
        "case_id,person_ref,name,birth_date,national_id,source",
        "K-1,P1,Andrei Popescu,1987-05-14,,S1",
        "K-1,P2,Alexander Petrov,1979-03-02,,S2",
        "K-1,P3,Maria Ionescu,,,S3",
        "K-1,P4,Johan Karlsson,1971-11-30,197111309876,S4",
        "K-2,A,Popescu Andrej,1987-05-14,,S5",       # swapped order + typo
        "K-2,B,Александр Петров,1979-03-02,,S6",     # Cyrillic: transliterates to Aleksandr
        "K-2,C,María Ionesco,,,S7",                  # accent + ending, no birth date
        "K-2,D,Jon Karlson,1971-11-30,197111309876,S8",  # same national id: an exact join
        "K-3,X,Andrei Popescu,1990-01-01,,S9",       # same name, different birth date
    ])
    write(d, "phones.csv", ["case_id,number,person_ref,source",
                            "K-1,070-111 22 33,P1,S1", "K-2,070-444 55 66,A,S5"])
    return load(store, settings, d)


def test_exact_national_id_joins_automatically_and_is_logged(variants, store, settings):
    assert person_of(store, "K-1", "P4") == person_of(store, "K-2", "D")
    assert [j["record"] for j in variants.joins] == ["K-2:D"], variants.joins
    with session_scope(settings) as s:
        logged = s.scalars(select(PersonJoin).where(PersonJoin.kind == "auto")).all()
        assert [(j.records, j.rule) for j in logged] == [(["K-2:D"], "nid")]


def test_a_name_in_another_script_joins_its_exact_transliteration(store, settings, tmp_path):
    load_persons(store, settings, tmp_path / "cyr", ["case_id,person_ref,name,birth_date,source",
                                                     "K-1,P,Aleksandr Petrov,1979-03-02,S1",
                                                     "K-2,Q,Александр Петров,1979-03-02,S2"])
    assert person_of(store, "K-1", "P") == person_of(store, "K-2", "Q")


def test_near_variants_become_suggestions_never_merges(variants, store):
    for a, b in (("P1", "A"), ("P2", "B"), ("P3", "C")):
        assert person_of(store, "K-1", a) != person_of(store, "K-2", b), (a, b)
    found = resolve.suggestions(store, actor({"K-1": "edit", "K-2": "edit", "K-3": "read"}))
    pairs = {tuple(sorted(s["evidence"]["records"])) for s in found}
    assert {("K-1:P1", "K-2:A"), ("K-1:P2", "K-2:B"), ("K-1:P3", "K-2:C")} <= pairs, pairs
    # A different birth date is not a near match, however alike the names.
    assert not any("K-3:X" in p for p in pairs), pairs
    assert variants.suggestions >= 3


def test_a_birth_date_with_day_and_month_swapped_is_a_suggestion(store, settings, tmp_path):
    """1982-10-05 against 1982-05-10 is one date written in two orders (the demo's "Nagy Peter"
    and "Peter Nagy" shared a phone without a suggestion); a date that differs otherwise still
    rules a pair out."""
    load_persons(store, settings, tmp_path / "swapped", ["case_id,person_ref,name,birth_date,source",
                                                         "K-1,P,Peter Nagy,1982-10-05,S1",
                                                         "K-2,Q,Nagy Peter,1982-05-10,S2",
                                                         "K-3,R,Peter Nagy,1982-10-06,S3"])
    found = resolve.suggestions(store, actor({"K-1": "edit", "K-2": "edit", "K-3": "read"}))
    by_records = {tuple(s["evidence"]["records"]): s["evidence"] for s in found}
    assert list(by_records) == [("K-1:P", "K-2:Q")], by_records
    assert by_records[("K-1:P", "K-2:Q")]["birth_date"] == "day and month swapped"
    assert person_of(store, "K-1", "P") != person_of(store, "K-2", "Q")  # never merged


def test_suggestions_need_both_records_visible(variants, store):
    only_k1 = resolve.suggestions(store, actor({"K-1": "edit"}))
    assert only_k1 == [], only_k1


def test_merge_then_split_restores_the_facts(variants, store, settings):
    rita = actor({"K-1": "edit", "K-2": "edit"})
    into, other = person_of(store, "K-1", "P1"), person_of(store, "K-2", "A")
    before_into, before_other = facts_of(store, into), facts_of(store, other)
    done = resolve.merge(store, settings, rita, into, other)
    assert done["records"] == ["K-2:A"], done
    assert person_of(store, "K-2", "A") == into
    assert facts_of(store, other) == set()
    merged = facts_of(store, into)
    # Every fact moves; only the suggestion between the two merged persons is dropped.
    assert {f[1] for f in merged} == {f[1] for f in before_into | before_other
                                      if f[0] != "MAYBE_SAME_AS"}
    assert not any(f[0] == "MAYBE_SAME_AS" for f in merged), merged
    case_ids = store._graph.ro_query("MATCH (p:Person {person_id: $p}) RETURN p.case_ids",
                                     {"p": into}).result_set[0][0]
    assert sorted(case_ids) == ["K-1", "K-2"], case_ids

    back = resolve.split(store, settings, rita, into, "K-2:A")
    new_id = back["person_id"]
    assert person_of(store, "K-2", "A") == new_id
    assert {f[1] for f in facts_of(store, new_id)} == {f[1] for f in before_other
                                                       if f[0] != "MAYBE_SAME_AS"}
    assert {f[1] for f in facts_of(store, into)} == {f[1] for f in before_into
                                                     if f[0] != "MAYBE_SAME_AS"}
    with session_scope(settings) as s:
        kinds = [j.kind for j in s.scalars(select(PersonJoin).order_by(PersonJoin.id))]
    assert kinds[-2:] == ["merge", "split"], kinds


def test_merge_needs_edit_rights_on_both(variants, store, settings):
    into, other = person_of(store, "K-1", "P1"), person_of(store, "K-2", "A")
    with pytest.raises(resolve.ResolveError):
        resolve.merge(store, settings, actor({"K-1": "edit", "K-2": "read"}), into, other)
    assert person_of(store, "K-2", "A") == other


def test_split_refuses_a_lone_record(variants, store, settings):
    pid = person_of(store, "K-1", "P2")
    with pytest.raises(resolve.ResolveError, match="only record"):
        resolve.split(store, settings, actor({"K-1": "edit"}), pid, "K-1:P2")


def test_cli_suggestions_merge_and_split_are_audited(variants, store, settings):
    from click.testing import CliRunner

    from graphapp import accounts, cli
    from graphapp.db import AuditRecord

    accounts.add_user(settings, "rita", "investigator", "correct horse battery staple")
    for case_id in ("K-1", "K-2"):
        accounts.grant_case(settings, "rita", case_id, "edit", granted_by="test")
    env = {"CASEGRAPH_DATA_DIR": str(settings.data_dir), "CASEGRAPH_DATABASE_URL": settings.sqlalchemy_url,
           "CASEGRAPH_AUDIT_ANCHOR": settings.audit_anchor}

    def run(*args: str):
        result = CliRunner().invoke(cli.main, list(args), env=env)
        assert "Traceback" not in result.output, result.output
        return result

    listed = run("persons", "suggestions", "--as", "rita")
    assert listed.exit_code == 0 and "K-1:P1, K-2:A" in listed.output, listed.output
    into, other = person_of(store, "K-1", "P1"), person_of(store, "K-2", "A")
    merged = run("persons", "merge", into, other, "--as", "rita")
    assert merged.exit_code == 0 and "K-2:A" in merged.output, merged.output
    split = run("persons", "split", into, "--record", "K-2:A", "--as", "rita")
    assert split.exit_code == 0, split.output
    assert person_of(store, "K-2", "A") not in (into, other)
    refused = run("persons", "split", into, "--record", "K-3:X", "--as", "rita")
    assert refused.exit_code == 1 and "no edit rights on K-3" in refused.output, refused.output
    with session_scope(settings) as s:
        audited = [(r.action, r.outcome) for r in s.scalars(select(AuditRecord))
                   if r.action in ("merge-persons", "split-person")]
    assert audited == [("merge-persons", "ok"), ("split-person", "ok"), ("split-person", "denied")]


def _pairwise(group: list[dict], batch_id: str) -> list[dict]:
    """The suggestions of one group as a plain loop over its pairs finds them."""
    from rapidfuzz import fuzz

    names = resolve._NameCache()
    found = []
    for i, a in enumerate(group):
        if a["batch_id"] != batch_id:
            continue
        for j, b in enumerate(group):
            if i == j or (b["batch_id"] == batch_id and j < i):
                continue
            score = fuzz.token_sort_ratio(names[a["name"]], names[b["name"]], processor=None,
                                          score_cutoff=resolve.MIN_SCORE)
            if score >= resolve.MIN_SCORE:
                row = resolve._suggestion(a, b, score)
                if row is not None:
                    found.append(row)
    return found


def test_group_scoring_in_slices_finds_what_a_loop_over_pairs_finds(monkeypatch):
    """cdist over slices of the batch's records suggests exactly the pairs, scores and
    evidence a loop scoring each pair alone does, in the same order."""
    import random

    random.seed(5)
    first = ["Ana", "Anna", "Ann", "Aleksandr", "Alexander", "Oleksandr", "Şerban", "Serban"]
    last = ["Popescu", "Popesku", "Petrov", "Petrow", "Öberg", "Oberg", "Ionescu"]
    group = []
    for n in range(120):
        name = f"{random.choice(first)} {random.choice(last)}"
        if n % 3 == 0:
            name = " ".join(reversed(name.split()))
        group.append({"person_id": f"p{n % 90}", "case_id": f"K-{n % 7}", "person_ref": f"r{n}",
                      "name": name, "birth_date": random.choice(["", "1990-01-02", "1991-03-04"]),
                      "batch_id": "b-new" if n % 2 else "b-old"})
    expected = _pairwise(group, "b-new")
    assert expected
    assert list(resolve._group_suggestions(group, "b-new", resolve._NameCache())) == expected
    monkeypatch.setattr(resolve, "SCORE_CELLS", 7 * len(group))
    assert list(resolve._group_suggestions(group, "b-new", resolve._NameCache())) == expected


@pytest.fixture
def joined_with_covert(store, settings, tmp_path):
    """Anna's records in K-1 and K-2 (near variants, not joined), and a covert K-3 record
    joined with K-2's by national id."""
    d = tmp_path / "covert"
    write(d, "cases.csv", BASE)
    write(d, "persons.csv", [
        "case_id,person_ref,name,birth_date,national_id,source",
        "K-1,P,Anna Berg,1990-01-01,,S1",
        "K-2,Q,Ana Berg,1990-01-01,199001011234,S2",
        "K-3,Z,Anna Bergh,1990-01-01,199001011234,S3",
        "K-3,W,Lone Wolf,1970-01-01,,S4",
    ])
    write(d, "phones.csv", ["case_id,number,person_ref,source",
                            "K-2,070-111 22 33,Q,S2", "K-3,070-999 88 77,Z,S3"])
    load(store, settings, d)
    assert person_of(store, "K-2", "Q") == person_of(store, "K-3", "Z")
    return d


def test_a_merge_reports_only_what_the_merger_may_see(joined_with_covert, store, settings):
    """Merging moves the covert K-3 record too, but the answer names only K-2's record and
    counts only K-2's facts: a member of K-1 and K-2 learns nothing of K-3."""
    into, other = person_of(store, "K-1", "P"), person_of(store, "K-2", "Q")
    done = resolve.merge(store, settings, actor({"K-1": "edit", "K-2": "edit"}), into, other)
    assert done["records"] == ["K-2:Q"], done
    assert done["facts_moved"] == 2, done  # K-2's INVOLVES of Anna and her USES of the phone
    assert person_of(store, "K-3", "Z") == into  # it moved all the same
    with session_scope(settings) as s:
        logged = s.scalars(select(PersonJoin).where(PersonJoin.kind == "merge")).one()
    assert sorted(logged.records) == ["K-2:Q", "K-3:Z"], logged.records


def test_a_split_refusal_does_not_tell_whether_a_hidden_case_holds_the_person(
        joined_with_covert, store, settings):
    """K-2's member splitting Anna's only visible record gets the refusal a lone record gets,
    although a covert case's record is joined with it; the person stays as it was."""
    k2 = actor({"K-2": "edit"})
    joined = person_of(store, "K-2", "Q")
    with pytest.raises(resolve.ResolveError) as hidden:
        resolve.split(store, settings, k2, joined, "K-2:Q")
    lone = person_of(store, "K-3", "W")
    with pytest.raises(resolve.ResolveError) as alone:
        resolve.split(store, settings, actor({"K-3": "edit"}), lone, "K-3:W")
    assert str(hidden.value).replace(joined, "ID").replace("K-2:Q", "REC") == \
        str(alone.value).replace(lone, "ID").replace("K-3:W", "REC"), (hidden.value, alone.value)
    assert "you may see" in str(hidden.value), hidden.value
    assert person_of(store, "K-2", "Q") == person_of(store, "K-3", "Z") == joined


def suggestions_between(store) -> dict[str, tuple]:
    """Every merge suggestion by rel_key: its start and end persons and its properties."""
    rows = store._graph.ro_query(
        "MATCH (a:Person)-[s:MAYBE_SAME_AS]->(b:Person) "
        "RETURN s.rel_key, a.person_id, b.person_id, properties(s)").result_set
    return {key: (a, b, props) for key, a, b, props in rows}


def records_named(props: dict) -> list[str]:
    import json

    return json.loads(props["evidence"])["records"]


@pytest.fixture
def joined_with_variants(store, settings, tmp_path):
    """Anna's K-1:P and K-2:Q joined on a national id; near variants of her in other
    persons: K-1:A (sorted before K-2:Q in a suggestion's evidence) and K-2:R (after it)."""
    d = tmp_path / "joined"
    write(d, "cases.csv", BASE)
    write(d, "persons.csv", [
        "case_id,person_ref,name,birth_date,national_id,source",
        "K-1,P,Anna Berg,1990-01-01,199001011234,S1",
        "K-2,Q,Ana Berg,1990-01-01,199001011234,S2",
        "K-1,A,Ana Bergh,1990-01-01,,S3",
        "K-2,R,Anna Bergh,1990-01-01,,S4",
    ])
    load(store, settings, d)
    assert person_of(store, "K-1", "P") == person_of(store, "K-2", "Q")
    return d


def test_a_split_record_takes_its_merge_suggestions_along(joined_with_variants, store, settings):
    """The suggestions made for the split record (its evidence names it) move with it to the
    new person, same rel_key and properties, the other end unchanged; those of the record
    that stays do not. Before, they stayed on the old person: a reviewer saw a suggestion
    between Anna-of-K-1 and a person the evidence did not name."""
    anna = person_of(store, "K-1", "P")
    before = suggestions_between(store)
    about_q = {k for k, (_, _, props) in before.items() if "K-2:Q" in records_named(props)}
    about_p = {k for k, (_, _, props) in before.items() if "K-1:P" in records_named(props)}
    # K-2:Q is first in one suggestion (K-2:Q, K-2:R) and second in another (K-1:A, K-2:Q)
    assert {records_named(before[k][2]).index("K-2:Q") for k in about_q} == {0, 1}, before
    assert about_p, before

    done = resolve.split(store, settings, actor({"K-1": "edit", "K-2": "edit"}), anna, "K-2:Q")
    new_id = done["person_id"]
    after = suggestions_between(store)
    assert set(after) == set(before), (before, after)
    for key, (a, b, props) in before.items():
        if key in about_q:
            want = (new_id if a == anna else a, new_id if b == anna else b, props)
        else:
            want = (a, b, props)
        assert after[key] == want, (key, before[key], after[key])
    assert done["facts_moved"] == 1, done  # the INVOLVES edge; suggestions are not facts
    found = resolve.suggestions(store, actor({"K-1": "edit", "K-2": "edit"}))
    for s in found:
        holds = {"K-1:P": anna, "K-2:Q": new_id}
        for rec in s["evidence"]["records"]:
            if rec in holds:
                assert holds[rec] in (s["a"], s["b"]), s


def test_a_split_drops_a_suggestion_between_the_record_and_the_person_it_leaves(
        joined_with_variants, store, settings):
    """A suggestion between the split record and another record of the same person (left by
    data written before merges dropped them) would, moved, ask the reviewer to undo the split
    just made: the split is the decision that they are two persons, so it goes."""
    anna = person_of(store, "K-1", "P")
    store._graph.query(
        "MATCH (p:Person {person_id: $p}) CREATE (p)-[:MAYBE_SAME_AS {rel_key: 'self', "
        "case_id: 'K-1', other_case_id: 'K-2', score: 90.0, source: 'resolver', "
        "batch_id: 'b-x', evidence: $ev}]->(p)",
        {"p": anna, "ev": '{"names": ["Anna Berg", "Ana Berg"], "name_score": 90.0, '
                          '"birth_date": "same", "records": ["K-1:P", "K-2:Q"]}'})
    done = resolve.split(store, settings, actor({"K-1": "edit", "K-2": "edit"}), anna, "K-2:Q")
    assert "self" not in suggestions_between(store)
    assert person_of(store, "K-2", "Q") == done["person_id"]


def test_the_person_page_offers_the_pair_of_records_one_may_decide(store, settings, tmp_path):
    """Maria (K-1, and K-2 by national id) may be Marie (K-3) through two pairs of records; the
    K-2 pair scores higher but its case is only read by rita, the K-1 pair she may decide. The
    page lists Marie once, decidable, with one more pair; rejecting removes the pair she may
    decide and says one remains."""
    from graphapp.services import suggestions

    load_persons(store, settings, tmp_path / "pairs", [
        "case_id,person_ref,name,birth_date,national_id,source",
        "K-1,A,Marie Lindkvist,1990-02-02,199002021234,S1",
        "K-2,A,Maria Lindquist,1990-02-02,199002021234,S2",
        "K-3,B,Maria Lindqvist,1990-02-02,,S3"])
    maria = person_of(store, "K-1", "A")
    assert maria == person_of(store, "K-2", "A")
    rita = actor({"K-1": "edit", "K-2": "read", "K-3": "edit"})
    [shown] = suggestions.for_person(store, rita, maria)
    assert shown["other"]["label"] == "Maria Lindqvist" and shown["cases"] == ["K-1", "K-3"]
    assert shown["can_decide"] is True and shown["more_pairs"] == 1, shown
    done = suggestions.reject(store, rita, maria, person_of(store, "K-3", "B"))
    assert (done["removed"], done["left"]) == (1, 1), done
    [left] = suggestions.for_person(store, rita, maria)
    assert left["cases"] == ["K-2", "K-3"] and left["can_decide"] is False
