"""Neutral values that leave the store: no driver class ever crosses this line."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from graphapp import model


class StoreError(Exception):
    """A query failed for a reason other than the store being unreachable."""


class StoreUnavailable(StoreError):
    """The graph store cannot be reached or started; the web layer answers 503."""


class QueryNotFound(StoreError):
    """No ``.cypher`` file by that name."""


@dataclass(frozen=True)
class Node:
    """An entity: ``id`` is the public entity id (``phone:+4670…``)."""

    id: str
    kind: str
    key: str
    properties: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    #: The caller's visible cases that hold facts about this node; set by scoped reads
    #: (the store's own ``case_ids`` index never leaves the store as it is).
    visible_cases: frozenset[str] = field(default=frozenset(), compare=False, hash=False)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "key": self.key, "properties": dict(self.properties)}


@dataclass(frozen=True)
class Relationship:
    """A fact: ``id`` is its stable ``rel_key``; ``start``/``end`` are entity ids."""

    id: str
    type: str
    start: str
    end: str
    properties: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def case_id(self) -> str | None:
        return self.properties.get("case_id")

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "start": self.start,
            "end": self.end,
            "properties": dict(self.properties),
        }


@dataclass(frozen=True)
class Path:
    nodes: tuple[Node, ...]
    relationships: tuple[Relationship, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "nodes": [n.to_dict() for n in self.nodes],
            "relationships": [r.to_dict() for r in self.relationships],
        }


def make_node(labels: list[str] | tuple[str, ...], properties: dict[str, Any]) -> Node:
    """Build a neutral node from a label list and raw properties, dropping internal indexes.

    :raise StoreError: the node has no known label or lacks its key (a query returned
        something the model does not describe).
    """
    for label in labels:
        if label in model.ENTITY_KINDS:
            kind = model.ENTITY_KINDS[label]
            break
    else:
        raise StoreError(f"node with labels {list(labels)} is not an entity kind")
    key = properties.get(kind.key)
    if key is None:
        raise StoreError(f"{kind.label} node returned without its key {kind.key!r}")
    shown = {k: v for k, v in properties.items() if k not in model.INTERNAL_NODE_PROPERTIES}
    cases = frozenset(properties.get("case_ids") or ())
    if kind.label == "Case":
        cases = frozenset({str(key)})
    return Node(id=kind.entity_id(str(key)), kind=kind.kind, key=str(key), properties=shown,
                visible_cases=cases)


def make_relationship(
    rel_type: str, start: Node, end: Node, properties: dict[str, Any]
) -> Relationship:
    """Build a neutral relationship; its id is the ``rel_key`` every fact carries."""
    rel_key = properties.get("rel_key")
    if rel_key is None:
        raise StoreError(f"{rel_type} relationship returned without its rel_key")
    shown = {k: v for k, v in properties.items() if k not in model.INTERNAL_REL_PROPERTIES}
    return Relationship(id=str(rel_key), type=rel_type, start=start.id, end=end.id, properties=shown)


#: Values with nothing to redact.
_PLAIN = (str, int, float, bool, type(None))


class PlainRows(list):
    """Rows a backend found to hold no node, fact or path, only plain values: nothing in them
    for :func:`scope_value` to redact, so :func:`scope_rows` hands them on as they are (a
    view's rows of fact fields cost a tenth of a millisecond each to walk for nothing)."""


def scope_rows(rows: list[dict[str, Any]], allowed: frozenset[str] | None) -> list[dict[str, Any]]:
    """Each row through :func:`scope_value`, unless the backend found them all plain."""
    if isinstance(rows, PlainRows):
        return rows
    return [scope_value(row, allowed) for row in rows]


def scope_value(value: Any, allowed: frozenset[str] | None) -> Any:
    """Redact a result value to what ``allowed`` may see (defence in depth after the query's
    own filter): a node with no visible case, a fact of a hidden case, or a path holding
    either becomes None. With ``allowed=None`` (unscoped reads, writes) nodes carry no cases.
    """
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, Node):
        visible = value.visible_cases & allowed if allowed is not None else frozenset()
        if allowed is not None and not visible:
            return None
        return replace(value, visible_cases=visible)
    if isinstance(value, Relationship):
        if allowed is not None and not _fact_visible(value, allowed):
            return None
        return value
    if isinstance(value, Path):
        nodes = tuple(scope_value(n, allowed) for n in value.nodes)
        rels = tuple(scope_value(r, allowed) for r in value.relationships)
        if any(x is None for x in nodes + rels):
            return None
        return Path(nodes=nodes, relationships=rels)
    if isinstance(value, list):
        return [scope_value(v, allowed) for v in value]
    if isinstance(value, dict):
        if all(isinstance(v, _PLAIN) for v in value.values()):
            return value
        return {k: scope_value(v, allowed) for k, v in value.items()}
    return value


def _fact_visible(rel: Relationship, allowed: frozenset[str]) -> bool:
    if rel.case_id not in allowed:
        return False
    other = rel.properties.get("other_case_id")
    return other is None or other in allowed
