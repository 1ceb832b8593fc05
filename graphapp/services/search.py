"""Find entities by what the caller may see of them."""

from __future__ import annotations

from graphapp.access import Actor, visible_case_ids
from graphapp.store import GraphStore, Node
from ingest.normalise import NormaliseError, normalise_phone

MAX_QUERY_LENGTH = 200
DEFAULT_LIMIT = 25


class BadQuery(ValueError):
    """The search text cannot be used; the message is safe to show."""


def search(store: GraphStore, actor: Actor, q: str, limit: int = DEFAULT_LIMIT) -> list[dict]:
    """Entities whose visible facts match ``q``; a phone in any spelling finds its E.164 entity.

    Returns ``[{"id", "kind", "label", "cases"}]`` with only the caller's visible cases.
    """
    text = " ".join((q or "").split())
    if not text:
        raise BadQuery("q is required")
    if len(text) > MAX_QUERY_LENGTH:
        raise BadQuery(f"q is longer than {MAX_QUERY_LENGTH} characters")
    allowed = visible_case_ids(actor)
    if not allowed:
        return []
    rows = []
    phone = _as_phone(text)
    if phone:
        rows += store.read("views/search_phone", {"e164": phone}, allowed_cases=allowed)
    rows += store.read("views/search_text", {"q": text.lower(), "limit": limit},
                       allowed_cases=allowed)
    results: dict[str, dict] = {}
    for row in rows:
        node: Node = row["node"]
        hit = results.setdefault(node.id, {"id": node.id, "kind": node.kind,
                                           "label": row["label"], "cases": set()})
        hit["cases"].update(c for c in row["cases"] if c in allowed)
    return [{**r, "cases": sorted(r["cases"])} for r in list(results.values())[:limit]]


def _as_phone(text: str) -> str | None:
    if sum(ch.isdigit() for ch in text) < 6:
        return None
    try:
        return normalise_phone(text, "SE")
    except NormaliseError:
        return None
