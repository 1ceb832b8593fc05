"""Find entities by what the caller may see of them: one box for names, phones in any format,
addresses, hotels, case ids and advert ids.

Text goes through each backend's full-text index on the facts that hold the spellings
(``INVOLVES.name``; ``MENTIONS`` hotel, street, city, advert id and site), every word a
prefix term, so ``andr pop`` finds Andrei Popescu. A phone typed in any format (``070-123
45 67``, ``+46 70 123 45 67``, ``0046701234567``) is normalised to E.164 with
``ingest.normalise`` and looked up exactly; a partial number (``070 123``) finds the numbers
that start with it. Case ids are matched among the caller's own case ids (any part of one),
case titles through a full-text index as names are (every word a prefix term). Every read is
scoped by the caller's visible cases, and labels and cases come from visible facts only.
"""

from __future__ import annotations

import re

from graphapp.access import Actor, visible_case_ids
from graphapp.services import graph
from graphapp.store import GraphStore, Node
from ingest.normalise import NormaliseError, normalise_phone

MAX_QUERY_LENGTH = 200
DEFAULT_LIMIT = 25
#: The order of the groups on the results page.
KIND_ORDER = ("person", "phone", "address", "hotel", "advert", "case")
#: Words of the query used as full-text terms (the rest would only narrow it further).
MAX_TERMS = 6
_WORD = re.compile(r"[^\W_]+")
_PHONE_CHARS = re.compile(r"^[\d\s()+./-]+$")


class BadQuery(ValueError):
    """The search text cannot be used; the message is safe to show."""


def search(store: GraphStore, actor: Actor, q: str, limit: int = DEFAULT_LIMIT) -> list[dict]:
    """Entities whose visible facts match ``q``; a phone in any spelling finds its E.164 entity.

    Returns ``[{"id", "kind", "label", "cases"}]`` (a case also its ``title``) with only the
    caller's visible cases, in the order of :data:`KIND_ORDER`, best matches first within a
    kind.
    """
    text = " ".join((q or "").split())
    if not text:
        raise BadQuery("q is required")
    if len(text) > MAX_QUERY_LENGTH:
        raise BadQuery(f"q is longer than {MAX_QUERY_LENGTH} characters")
    allowed = visible_case_ids(actor)
    if not allowed:
        return []
    found: dict[int, Node] = {}
    exact: set[int] = set()

    def take(rows: list[dict]) -> None:
        for row in rows:
            if row.get("node") is not None:
                found.setdefault(int(row["nid"]), row["node"])

    phone = _as_phone(text)
    if phone:
        try:
            located = graph.locate(store, actor, "phone:" + phone)
        except graph.NotFound:
            pass
        else:
            found[located.nid] = located.node
            exact.add(located.nid)
    # The look-ups do not wait for each other (store.read_all); taken in this order.
    reads: list[tuple[str, dict]] = []
    if not exact and (prefix := _phone_prefix(text)) is not None:
        reads.append(("views/search_phone_prefix", {"prefix": prefix, "limit": limit}))
    if ft := full_text_query(text, store.backend):
        reads += [("views/search_fulltext", {"ft": ft, "limit": limit}),
                  ("views/search_case_titles", {"ft": ft, "limit": limit})]
    needle = text.lower()
    if case_ids := sorted(c for c in allowed if needle in c.lower())[:limit]:
        reads.append(("views/search_cases", {"case_ids": case_ids, "limit": limit}))
    for rows in store.read_all(reads, allowed_cases=allowed):
        take(rows)
    if not found:
        return []
    described = graph.describe(store, allowed, found)

    def rank(nid: int) -> tuple:
        hit = described[nid]
        label = hit["label"].lower()
        return (KIND_ORDER.index(hit["kind"]) if hit["kind"] in KIND_ORDER else len(KIND_ORDER),
                nid not in exact, not label.startswith(needle), needle not in label, label, hit["id"])

    results = []
    for nid in sorted(described, key=rank):
        hit = described[nid]
        if hit["cases"]:  # a node whose every fact is hidden is nothing the caller may see
            if hit["kind"] == "case":  # its id says little: the title says which case it is
                hit = {**hit, "title": found[nid].properties.get("title") or ""}
            results.append(hit)
    return results[:limit]


def grouped(results: list[dict]) -> list[tuple[str, list[dict]]]:
    """Results grouped by kind, in :data:`KIND_ORDER`, for the results page."""
    groups: dict[str, list[dict]] = {}
    for r in results:
        groups.setdefault(r["kind"], []).append(r)
    return [(k, groups[k]) for k in sorted(groups, key=lambda k: (
        KIND_ORDER.index(k) if k in KIND_ORDER else len(KIND_ORDER), k))]


def full_text_query(text: str, backend: str) -> str:
    """The full-text query for ``text``: each word of two characters or more a lower-case
    prefix term, every term required. Only letters and digits pass, so no query syntax of
    either engine can be typed in (RediSearch on FalkorDB: ``ann* pop*``; Lucene on Neo4j:
    ``ann* AND pop*``). Empty when no word is long enough."""
    terms = [w for w in _WORD.findall(text.lower()) if len(w) >= 2][:MAX_TERMS]
    if not terms:
        return ""
    joiner = " AND " if backend == "neo4j" else " "
    return joiner.join(t + "*" for t in terms)


def _as_phone(text: str) -> str | None:
    if sum(ch.isdigit() for ch in text) < 6 or not _PHONE_CHARS.match(text):
        return None
    try:
        return normalise_phone(text, "SE")
    except NormaliseError:
        return None


def _phone_prefix(text: str) -> str | None:
    """A partial number as the start of an E.164 number: ``070 12`` → ``+467012``, ``0046 70``
    → ``+4670``, ``+40 7`` → ``+407``. None unless the text is a number of four digits or more."""
    if not _PHONE_CHARS.match(text):
        return None
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) < 4:
        return None
    if text.lstrip().startswith("+"):
        return "+" + digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    if digits.startswith("0"):
        return "+46" + digits[1:]
    return "+" + digits
