"""The analysts' library: reviewed ``.cypher`` files under ``cypher/saved/``, run safely.

A saved query runs read-only, with a time-out and a row cap, with the caller's visible case
ids bound as ``$allowed_cases`` and the cap as ``$row_limit`` (both filled in by the server,
never by the request), and its results are redacted again by the store afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphapp.access import Actor, allowed, ensure_allowed, visible_case_ids
from graphapp.store import GraphStore, Node, Path, Relationship
from graphapp.store.queries import Query

PREFIX = "saved/"
#: Parameters the server fills in; a request that names them is refused.
SERVER_PARAMS = ("allowed_cases", "row_limit")
ROW_CAP = 1000
TIMEOUT_SECONDS = 30.0


class BadParameters(ValueError):
    """A parameter is missing, unknown or of the wrong type; the message is safe to show."""


class UnknownQuery(LookupError):
    pass


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    label: str
    default: Any = None


@dataclass(frozen=True)
class SavedQuery:
    name: str
    title: str
    description: str
    action: str
    result: str
    parameters: tuple[Parameter, ...]
    query: Query

    def to_dict(self) -> dict:
        return {
            "name": self.name, "title": self.title, "description": self.description,
            "result": self.result,
            "parameters": [{"name": p.name, "type": p.type, "label": p.label, "default": p.default}
                           for p in self.parameters],
        }


def from_query(query: Query) -> SavedQuery:
    meta = query.meta
    params = []
    for pname, spec in (meta.get("params") or {}).items():
        if pname in SERVER_PARAMS:
            continue
        spec = spec if isinstance(spec, dict) else {"type": spec}
        params.append(Parameter(name=pname, type=str(spec["type"]),
                                label=str(spec.get("label", pname)), default=spec.get("default")))
    return SavedQuery(
        name=query.name.removeprefix(PREFIX),
        title=str(meta.get("title") or query.name),
        description=query.description,
        action=str(meta.get("action", "run-saved-query")),
        result=str(meta.get("result", "table")),
        parameters=tuple(params),
        query=query,
    )


def library(store: GraphStore) -> list[SavedQuery]:
    """Every saved query, by title."""
    queries = {q.name for q in store.library.all() if q.name.startswith(PREFIX)}
    return sorted((from_query(store.query(n)) for n in queries), key=lambda q: q.title)


def available(store: GraphStore, actor: Actor) -> list[SavedQuery]:
    """The saved queries the actor's role may run."""
    return [q for q in library(store) if allowed(actor, q.action)]


def get(store: GraphStore, actor: Actor, name: str) -> SavedQuery:
    """The saved query by name; :class:`Forbidden` if the actor's role may not run it."""
    for q in library(store):
        if q.name == name:
            ensure_allowed(actor, q.action)
            return q
    raise UnknownQuery(name)


def bind(saved: SavedQuery, raw: dict[str, Any]) -> dict[str, Any]:
    """Check and convert the request's parameters against the query's declaration."""
    declared = {p.name: p for p in saved.parameters}
    unknown = sorted(set(raw) - set(declared))
    if unknown:
        raise BadParameters(f"unknown parameter(s): {', '.join(unknown)}")
    bound = {}
    for p in saved.parameters:
        value = raw.get(p.name)
        if value in (None, ""):
            if p.default is None:
                raise BadParameters(f"{p.name} is required")
            value = p.default
        bound[p.name] = _convert(p, value)
    return bound


def _convert(p: Parameter, value: Any) -> Any:
    try:
        if p.type == "int":
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError
            return int(value)
        if p.type == "float":
            return float(value)
        if p.type == "bool":
            if isinstance(value, bool):
                return value
            return {"true": True, "false": False, "1": True, "0": False}[str(value).lower()]
        if p.type == "string":
            return str(value)
        if p.type == "list<string>":
            items = value if isinstance(value, list) else str(value).split(",")
            return [str(v).strip() for v in items if str(v).strip()]
    except (ValueError, KeyError, TypeError) as exc:
        raise BadParameters(f"{p.name} must be of type {p.type}") from exc
    raise BadParameters(f"{p.name} has a type ({p.type}) that cannot be given in a request")


def run(store: GraphStore, actor: Actor, name: str, raw: dict[str, Any]) -> dict:
    """Run a saved query for the actor; ``{"columns", "rows", "truncated"}``."""
    saved = get(store, actor, name)
    params = bind(saved, raw)
    params["row_limit"] = ROW_CAP + 1
    rows = store.read(saved.query.name, params, allowed_cases=visible_case_ids(actor),
                      timeout=TIMEOUT_SECONDS)
    truncated = len(rows) > ROW_CAP
    rows = rows[:ROW_CAP]
    columns = list(rows[0]) if rows else _declared_columns(saved)
    return {"columns": columns, "rows": [[cell(row[c]) for c in columns] for row in rows],
            "truncated": truncated}


def _declared_columns(saved: SavedQuery) -> list[str]:
    return list(saved.query.meta.get("columns") or [])


def cell(value: Any) -> Any:
    """A result value as JSON: entities by id, facts by type and case, redactions as None."""
    if isinstance(value, Node):
        return {"id": value.id, "kind": value.kind}
    if isinstance(value, Relationship):
        return {"id": value.id, "type": value.type, "source": value.start, "target": value.end,
                "case_id": value.case_id}
    if isinstance(value, Path):
        return {"nodes": [cell(n) for n in value.nodes],
                "relationships": [cell(r) for r in value.relationships]}
    if isinstance(value, list):
        return [cell(v) for v in value]
    if isinstance(value, dict):
        return {k: cell(v) for k, v in value.items()}
    return value
