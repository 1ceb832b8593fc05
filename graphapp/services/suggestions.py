"""Merge suggestions on a person's page: who may be the same person, and the reviewer's
confirm (a merge through ``ingest.resolve``) or reject (the suggestion is removed).

A suggestion is shown only to users who may see both of its cases, and decided only by users
with edit rights on both (DESIGN.md section 3, "Resolution"). Callers audit the decision.
"""

from __future__ import annotations

import json

from graphapp.access import Actor, visible_case_ids, writable_case_ids
from graphapp.services import graph
from graphapp.settings import Settings
from graphapp.store import GraphStore
from ingest import resolve


class CannotDecide(PermissionError):
    """No suggestion between the two persons that the caller may decide; the message is safe
    to show (it names nothing the caller cannot see)."""


def for_person(store: GraphStore, actor: Actor, person_id: str) -> list[dict]:
    """The visible suggestions touching ``person_id``: the other person (labelled from visible
    facts), score, evidence, the two cases, and whether the caller may decide."""
    allowed = visible_case_ids(actor)
    if not allowed:
        return []
    rows = [r for r in store.read("views/person_suggestions", {"person_id": person_id},
                                  allowed_cases=allowed)
            if r["suggestion"] is not None and r["other"] is not None]
    others = graph.describe(store, allowed, {int(r["other_nid"]): r["other"] for r in rows})
    writable = writable_case_ids(actor)
    found = []
    for row in rows:
        s = row["suggestion"].properties
        try:
            evidence = json.loads(s.get("evidence") or "{}")
        except ValueError:
            evidence = {}
        cases = sorted({s.get("case_id"), s.get("other_case_id")} - {None})
        found.append({
            "other": others[int(row["other_nid"])], "other_person_id": row["other"].key,
            "score": s.get("score"), "cases": cases, "evidence": evidence,
            "can_decide": bool(cases) and all(c in writable for c in cases),
        })
    # Two persons can be suggested through several pairs of records: one entry per other
    # person, the one the caller may decide if there is one (else the best score), with how
    # many more pairs there are.
    found.sort(key=lambda f: (not f["can_decide"], -(f["score"] or 0)))
    out: dict[str, dict] = {}
    for f in found:
        if f["other"]["id"] in out:
            out[f["other"]["id"]]["more_pairs"] += 1
        else:
            out[f["other"]["id"]] = {**f, "more_pairs": 0}
    return sorted(out.values(), key=lambda f: -(f["score"] or 0))


def _decidable(store: GraphStore, actor: Actor, person_id: str, other_id: str) -> dict:
    for s in for_person(store, actor, person_id):
        if s["other_person_id"] == other_id:
            if not s["can_decide"]:
                raise CannotDecide("deciding needs edit rights on both cases of the suggestion")
            return s
    raise CannotDecide("no such suggestion for this person")


def confirm(store: GraphStore, settings: Settings, actor: Actor, person_id: str, other_id: str) -> dict:
    """Merge ``other_id`` into ``person_id`` (``ingest.resolve.merge``, with the caller's
    rights); returns the merge and the moved records of the caller's visible cases (the merge
    moves all of them, but what it reports follows the caller's visibility)."""
    _decidable(store, actor, person_id, other_id)
    try:
        done = resolve.merge(store, settings, actor, person_id, other_id)
    except resolve.ResolveError as exc:
        raise CannotDecide(str(exc)) from exc
    visible = visible_case_ids(actor)
    return {"into": done["into"], "from": done["from"],
            "records": [r for r in done["records"] if r.split(":", 1)[0] in visible]}


def reject(store: GraphStore, actor: Actor, person_id: str, other_id: str) -> dict:
    """Remove the suggestions between the two persons; returns the cases they joined."""
    s = _decidable(store, actor, person_id, other_id)
    rows = store.write("persons/reject_suggestion", {"a": person_id, "b": other_id,
                                                      "cases": sorted(writable_case_ids(actor))})
    removed = int(rows[0]["removed"]) if rows else 0
    # The pairs removed are among the visible ones counted before (edit rights on both cases
    # imply seeing both): the rest remain.
    return {"person": person_id, "other": other_id, "cases": s["cases"], "removed": removed,
            "left": max(0, 1 + s["more_pairs"] - removed)}
