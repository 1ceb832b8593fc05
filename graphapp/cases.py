"""Cases as administrators handle them: the directory of case ids and their metadata, and the
one way to add a case outside an ingest batch.

What an administrator sees of a case is its id, its unit and its classification, and who its
members are: what they need to manage memberships and to route a request to the right owner.
Never its title, contact, crime or any fact: those are case data, and administrators are not
case members by role (DESIGN.md section 5). The unit is no more than the deconfliction rules
show any investigator of a normal or restricted case; the classification is what decides
those rules and what ``cases reclassify`` changes.

Covert cases are listed like the others, with the label "covert" and their unit, on the admin
pages and in ``cases list``: a decision, not an oversight. Administrators add, classify and
reclassify cases and handle their memberships, so they must know which cases are covert (the
classification is theirs to set) and whose they are (the unit: where to find an owner, to whom
a request goes). Nothing else of a covert case reaches them, and the hit and notification
actions that would tell of its content are never theirs (accounts.HIT_ACTIONS).

Reading every case's metadata is not a user's read path, so it goes through the store's
unscoped read, here and not in graphapp/views or graphapp/services (tests/test_layout.py).
"""

from __future__ import annotations

import secrets
from datetime import date

from graphapp import model
from graphapp.store import GraphStore


class CaseError(Exception):
    """A case cannot be added as asked; the message says why."""


def directory(store: GraphStore) -> list[dict]:
    """Every committed case: ``{"case_id", "unit", "classification"}``, by id."""
    return [{"case_id": r["case_id"], "unit": r["unit"] or "", "classification": r["classification"]}
            for r in store.read_unscoped("admin/case_directory")]


def exists(store: GraphStore, case_id: str) -> bool:
    return bool(store.read_unscoped("ingest/existing_cases", {"case_ids": [case_id]}))


def add_case(store: GraphStore, case_id: str, *, title: str, unit: str,
             classification: str = "normal", opened: str = "", contact: str = "", crime: str = "",
             jit: str = "") -> None:
    """Create a case with cases.csv's attributes, visible at once and holding no fact yet, so that
    its owner can be granted it before the first batch (which then loads ``--as`` the owner).

    :raise CaseError: a bad attribute, or a case with this id exists already.
    """
    case_id = case_id.strip()
    if not case_id or len(case_id) > 120 or any(ch.isspace() for ch in case_id):
        raise CaseError("a case id is 1 to 120 characters without spaces")
    if not title.strip() or not unit.strip():
        raise CaseError("a case needs a title and a unit")
    if classification not in model.CASE_CLASSIFICATIONS:
        raise CaseError(f"classification must be one of {', '.join(model.CASE_CLASSIFICATIONS)}")
    if opened:
        try:
            opened = date.fromisoformat(opened).isoformat()
        except ValueError as exc:
            raise CaseError("opened must be a date, YYYY-MM-DD") from exc
    props = {k: v.strip() for k, v in {"title": title, "unit": unit, "opened": opened,
                                       "classification": classification, "contact": contact,
                                       "crime": crime, "jit": jit}.items() if v and v.strip()}
    rows = store.write("admin/create_case", {"case_id": case_id, "props": props,
                                             "token": secrets.token_hex(8)})
    if not rows or not rows[0]["created"]:
        raise CaseError(f"case {case_id!r} exists already")
