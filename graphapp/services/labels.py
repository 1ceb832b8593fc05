"""What a user sees of an entity: its label from the facts they may see (DESIGN.md section 3).

A person is labelled by the name on their visible ``INVOLVES`` edges, never by a name that
only a hidden case recorded; hotels and addresses by the spelling their visible cases used.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from graphapp.store import Node, Relationship

#: Fact properties that are bookkeeping, not something a case states.
HIDDEN_FACT_PROPERTIES = frozenset({"rel_key", "batch_id", "case_id", "source", "match_keys",
                                    "pending_case", "other_case_id"})


def entity_label(node: Node, facts: Iterable[Relationship]) -> str:
    """The most common visible spelling (ties: alphabetical), else a neutral fallback."""
    if node.kind == "case":
        return node.key
    if node.kind == "phone":
        return node.key
    spellings = Counter(s for s in (_spelling(node.kind, f) for f in facts) if s)
    if spellings:
        top = max(spellings.values())
        return min(s for s, n in spellings.items() if n == top)
    return {"person": "unnamed person", "address": "address", "hotel": "hotel",
            "advert": "advert"}.get(node.kind, node.kind)


def _spelling(kind: str, fact: Relationship) -> str:
    p = fact.properties
    if kind == "person" and fact.type == "INVOLVES":
        return str(p.get("name") or "")
    if kind == "address" and fact.type == "MENTIONS":
        return ", ".join(str(p[k]) for k in ("street", "city") if p.get(k))
    if kind == "hotel" and fact.type == "MENTIONS":
        return ", ".join(str(p[k]) for k in ("hotel_name", "city") if p.get(k))
    if kind == "advert" and fact.type == "MENTIONS":
        return " ".join(str(p[k]) for k in ("site", "advert_id") if p.get(k))
    return ""


def mask_national_id(value: str) -> str:
    """Show only the last four characters of a national id."""
    value = str(value)
    return "•" * max(len(value) - 4, 0) + value[-4:] if len(value) > 4 else "•" * len(value)


def shown_properties(fact: Relationship) -> dict:
    """A fact's statements as a user may read them: bookkeeping dropped, national ids masked."""
    shown = {k: v for k, v in fact.properties.items() if k not in HIDDEN_FACT_PROPERTIES}
    if shown.get("national_id"):
        shown["national_id"] = mask_national_id(shown["national_id"])
    return shown
