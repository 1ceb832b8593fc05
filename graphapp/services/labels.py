"""What a user sees of an entity: its label from the facts they may see (DESIGN.md section 3).

A person is labelled by the name on their visible ``INVOLVES`` edges, never by a name that
only a hidden case recorded; hotels and addresses by the spelling their visible cases used.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from graphapp.store import Node, Relationship

#: Fact properties that are bookkeeping, not something a case states.
HIDDEN_FACT_PROPERTIES = frozenset({"rel_key", "batch_id", "case_id", "source", "match_keys",
                                    "pending_case", "other_case_id"})


def entity_label(node: Node, facts: Iterable[Relationship]) -> str:
    """The most common visible spelling (ties: alphabetical), else a neutral fallback."""
    return label_from_spellings(node, Counter(spelling(node.kind, f.type, f.properties)
                                              for f in facts))


def label_from_spellings(node: Node, spellings: Counter) -> str:
    """The label of ``node`` given how many visible facts spell it each way (empty spellings
    ignored): the most common (ties: alphabetical), else a neutral fallback."""
    if node.kind in ("case", "phone"):
        return node.key
    counted = {s: n for s, n in spellings.items() if s and n > 0}
    if counted:
        top = max(counted.values())
        return min(s for s, n in counted.items() if n == top)
    return {"person": "unnamed person", "address": "address", "hotel": "hotel",
            "advert": "advert"}.get(node.kind, node.kind)


#: The fact properties a label is spelled from, in the order views/labels returns them.
SPELLED = ("name", "street", "city", "hotel_name", "site", "advert_id")


def spelling(kind: str, fact_type: str, p: Mapping) -> str:
    """How one fact (its type and properties) spells an entity of ``kind``, or ''."""
    if kind == "person" and fact_type == "INVOLVES":
        return str(p.get("name") or "")
    if kind == "address" and fact_type == "MENTIONS":
        return ", ".join(str(p[k]) for k in ("street", "city") if p.get(k))
    if kind == "hotel" and fact_type == "MENTIONS":
        return ", ".join(str(p[k]) for k in ("hotel_name", "city") if p.get(k))
    if kind == "advert" and fact_type == "MENTIONS":
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
