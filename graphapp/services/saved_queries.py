"""The analysts' library: reviewed ``.cypher`` files under ``cypher/saved/``, run safely.

A saved query opens with a front matter block in ``//`` comments (YAML)::

    // name: shared_phones                 the file's own name, checked
    // title: Phones shared across cases
    // description: >-
    //   Why an analyst would run it.
    // result: table                       table | graph
    // action: run-saved-query             the action a runner needs (access.ACTIONS)
    // tags: [phones, cross-case]
    // params:
    //   allowed_cases: list<string>       filled by the server: the runner's visible cases
    //   row_limit: int                    filled by the server: the row cap + 1
    //   min_cases:
    //     type: int                       string | int | float | bool | list<string>
    //     default: 2                      no default: the parameter is required
    //     min: 2                          bounds for int and float
    //     max: 50
    //     choices: [2, 3, 4]              or a fixed list of values
    //     format: date                    string formats: date (YYYY-MM-DD), phone (to E.164)
    //     label: At least this many cases
    //     help: One line shown under the field.
    //   batch_ids:
    //     type: list<string>
    //     server: batches-since           filled by the server from another parameter
    //     from: since

:func:`check_library` validates every file when the app or the command line starts and
fails loudly on a bad header. A saved query runs read-only (FalkorDB ``GRAPH.RO_QUERY``,
Neo4j read transactions), with a time-out and a row cap, with the caller's visible case ids
bound as ``$allowed_cases`` and the cap as ``$row_limit`` (filled in by the server, never by
the request), and its results are redacted again by the store afterwards.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from graphapp.access import ACTIONS, Actor, allowed, ensure_allowed, visible_case_ids
from graphapp.store import GraphStore, Node, Relationship, StoreError
from graphapp.store import Path as GraphPath
from graphapp.store.queries import Query, load_library

PREFIX = "saved/"
#: Parameters the server fills in for every saved query; a request that names them is refused.
SERVER_PARAMS = ("allowed_cases", "row_limit")
ROW_CAP = 1000
TIMEOUT_SECONDS = 30.0
#: Nodes labelled and drawn for a graph result.
GRAPH_NODE_CAP = 500

RESULT_KINDS = ("table", "graph")
REQUEST_TYPES = ("string", "int", "float", "bool", "list<string>")
FORMATS = ("date", "phone")
#: Server fillers a parameter may name with ``server:`` (besides the two every query gets).
FILLERS = ("batches-since",)
HEADER_KEYS = frozenset({"name", "title", "description", "result", "action", "tags", "params",
                         "columns"})
PARAM_KEYS = frozenset({"type", "default", "label", "help", "min", "max", "choices", "format",
                        "server", "from"})
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")


class SavedQueryError(StoreError):
    """A saved query's front matter is wrong; the message names the file and the fault."""


class BadParameters(ValueError):
    """A parameter is missing, unknown or of the wrong type; the message is safe to show."""


class UnknownQuery(LookupError):
    pass


class QueryFailed(StoreError):
    """The store refused or aborted a run (time-out, a write refused by read-only mode); the
    message is safe to show (no driver text)."""


@dataclass(frozen=True)
class Parameter:
    """A parameter the runner gives (the form's fields, the API's ``params``)."""

    name: str
    type: str
    label: str
    default: Any = None
    help: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple = ()
    format: str = ""

    @property
    def required(self) -> bool:
        return self.default is None

    def to_dict(self) -> dict:
        out = {"name": self.name, "type": self.type, "label": self.label, "default": self.default,
               "required": self.required, "help": self.help}
        if self.minimum is not None:
            out["min"] = self.minimum
        if self.maximum is not None:
            out["max"] = self.maximum
        if self.choices:
            out["choices"] = list(self.choices)
        if self.format:
            out["format"] = self.format
        return out


@dataclass(frozen=True)
class ServerParameter:
    """A parameter the server fills from another one (``batch_ids`` from ``since``)."""

    name: str
    filler: str
    source: str


@dataclass(frozen=True)
class SavedQuery:
    name: str
    title: str
    description: str
    action: str
    result: str
    parameters: tuple[Parameter, ...]
    query: Query
    tags: tuple[str, ...] = ()
    server_parameters: tuple[ServerParameter, ...] = field(default=())

    def to_dict(self) -> dict:
        return {
            "name": self.name, "title": self.title, "description": self.description,
            "result": self.result, "action": self.action, "tags": list(self.tags),
            "parameters": [p.to_dict() for p in self.parameters],
        }


# -- the header --------------------------------------------------------------------------------


def from_query(query: Query) -> SavedQuery:
    """Validate one saved query's front matter and build its :class:`SavedQuery`.

    :raise SavedQueryError: anything wrong with the header, naming the file.
    """
    where = query.path.name

    def fail(message: str):
        raise SavedQueryError(f"cypher/saved/{where}: {message}")

    meta = query.meta
    unknown = sorted(set(meta) - HEADER_KEYS)
    if unknown:
        fail(f"unknown header key(s) {unknown}; allowed: {sorted(HEADER_KEYS)}")
    name = query.name.removeprefix(PREFIX)
    if not query.name.startswith(PREFIX) or "/" in name or not _NAME_RE.match(name):
        fail("a saved query's file name must be lower case letters, digits and _")
    if str(meta.get("name", "")) != name:
        fail(f"name: must be {name!r} (the file's name), not {meta.get('name')!r}")
    for key in ("title", "description"):
        if not isinstance(meta.get(key), str) or not meta[key].strip():
            fail(f"{key}: a non-empty text is required")
    result = meta.get("result")
    if result not in RESULT_KINDS:
        fail(f"result: must be one of {list(RESULT_KINDS)}, not {result!r}")
    action = meta.get("action")
    if action not in ACTIONS:
        fail(f"action: {action!r} is not an action (access.ACTIONS)")
    tags = meta.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
        fail("tags: must be a list of words")
    raw_params = meta.get("params")
    if not isinstance(raw_params, dict):
        fail("params: a mapping of parameters is required")
    for server in SERVER_PARAMS:
        if server not in raw_params:
            fail(f"params: {server} must be declared (the server fills it)")
    if str(raw_params["allowed_cases"]) != "list<string>" or str(raw_params["row_limit"]) != "int":
        fail("params: allowed_cases must be list<string> and row_limit int, without options")
    text = query.text
    used = query.used_params()
    if "allowed_cases" not in used:
        fail("the query does not filter by $allowed_cases")
    if not text.rstrip().rstrip(";").rstrip().endswith("LIMIT $row_limit"):
        fail("the query must end with LIMIT $row_limit")
    params: list[Parameter] = []
    servers: list[ServerParameter] = []
    for pname, spec in raw_params.items():
        pname = str(pname)
        if pname in SERVER_PARAMS:
            continue
        spec = spec if isinstance(spec, dict) else {"type": spec}
        bad_keys = sorted(set(spec) - PARAM_KEYS)
        if bad_keys:
            fail(f"params.{pname}: unknown key(s) {bad_keys}; allowed: {sorted(PARAM_KEYS)}")
        if "server" in spec:
            servers.append(_server_parameter(pname, spec, raw_params, fail))
            continue
        params.append(_parameter(pname, spec, fail))
    sources = {sp.source for sp in servers}
    for pname in raw_params:
        if pname not in used and pname not in sources:
            fail(f"params: {pname} is declared but the query does not use ${pname}")
    return SavedQuery(
        name=name, title=meta["title"].strip(), description=" ".join(meta["description"].split()),
        action=action, result=result, parameters=tuple(params), query=query,
        tags=tuple(t.strip() for t in tags), server_parameters=tuple(servers),
    )


def _parameter(pname: str, spec: dict, fail) -> Parameter:
    ptype = str(spec.get("type"))
    if ptype not in REQUEST_TYPES:
        fail(f"params.{pname}: type {ptype!r} cannot be given in a request; "
             f"use one of {list(REQUEST_TYPES)}")
    fmt = str(spec.get("format") or "")
    if fmt and (fmt not in FORMATS or ptype != "string"):
        fail(f"params.{pname}: format {fmt!r} is not one of {list(FORMATS)} for a string")
    bounds = {}
    for key in ("min", "max"):
        if key in spec:
            if ptype not in ("int", "float") or isinstance(spec[key], bool) \
                    or not isinstance(spec[key], (int, float)):
                fail(f"params.{pname}: {key} needs a number, on an int or float parameter")
            bounds[key] = spec[key]
    if "min" in bounds and "max" in bounds and bounds["min"] > bounds["max"]:
        fail(f"params.{pname}: min is above max")
    choices = spec.get("choices") or []
    if not isinstance(choices, list):
        fail(f"params.{pname}: choices must be a list")
    for key in ("label", "help"):
        if key in spec and not isinstance(spec[key], str):
            fail(f"params.{pname}: {key} must be text")
    param = Parameter(name=pname, type=ptype, label=str(spec.get("label") or pname),
                      help=str(spec.get("help") or ""), minimum=bounds.get("min"),
                      maximum=bounds.get("max"), format=fmt, default=None)
    try:
        converted = tuple(_convert(param, c) for c in choices)
    except BadParameters:
        fail(f"params.{pname}: a choice is not of type {ptype}")
    param = Parameter(**{**param.__dict__, "choices": converted})
    if spec.get("default") is not None:
        try:
            default = _check(param, _convert(param, spec["default"]))
        except BadParameters as exc:
            fail(f"params.{pname}: the default is not valid ({exc})")
        param = Parameter(**{**param.__dict__, "default": default})
    return param


def _server_parameter(pname: str, spec: dict, raw_params: dict, fail) -> ServerParameter:
    filler = spec.get("server")
    if filler not in FILLERS:
        fail(f"params.{pname}: server filler {filler!r} is not one of {list(FILLERS)}")
    source = str(spec.get("from") or "")
    src = raw_params.get(source)
    src = src if isinstance(src, dict) else {"type": src}
    if not source or source in SERVER_PARAMS or "server" in src:
        fail(f"params.{pname}: from must name a request parameter")
    if filler == "batches-since" and (str(src.get("type")) != "string" or src.get("format") != "date"):
        fail(f"params.{pname}: batches-since needs a date parameter (type string, format date)")
    if str(spec.get("type")) != "list<string>":
        fail(f"params.{pname}: batches-since fills a list<string>")
    return ServerParameter(name=pname, filler=filler, source=source)


def check_library(cypher_dir: Path | str) -> list[SavedQuery]:
    """Validate every file under ``cypher/saved/`` (each backend variant too); the library.

    Called when the app and the command line start, so that a bad header stops them with the
    file and the fault named, not the first analyst who opens the query.

    :raise SavedQueryError: the first bad header.
    """
    library = load_library(str(cypher_dir))
    found: dict[str, SavedQuery] = {}
    for query in sorted(library.all(), key=lambda q: (q.name, q.backend or "")):
        if not query.name.startswith(PREFIX):
            continue
        saved = from_query(query)
        first = found.setdefault(saved.name, saved)
        if first is not saved and (first.parameters, first.result, first.action) != \
                (saved.parameters, saved.result, saved.action):
            raise SavedQueryError(f"cypher/saved/{query.path.name}: its parameters, result and "
                                  "action must match the other variant's")
    return sorted(found.values(), key=lambda q: q.title)


def library(store: GraphStore) -> list[SavedQuery]:
    """Every saved query, in the store backend's variant, by title."""
    names = {q.name for q in store.library.all() if q.name.startswith(PREFIX)}
    return sorted((from_query(store.query(n)) for n in names), key=lambda q: q.title)


def available(store: GraphStore, actor: Actor) -> list[SavedQuery]:
    """The saved queries the actor may run (their role or grants allow each one's action)."""
    return [q for q in library(store) if allowed(actor, q.action)]


def get(store: GraphStore, actor: Actor, name: str) -> SavedQuery:
    """The saved query by name; :class:`Forbidden` if the actor may not run it."""
    for q in library(store):
        if q.name == name:
            ensure_allowed(actor, q.action)
            return q
    raise UnknownQuery(name)


# -- parameters --------------------------------------------------------------------------------


def bind(saved: SavedQuery, raw: dict[str, Any]) -> dict[str, Any]:
    """Check and convert the request's parameters against the query's declaration."""
    if not isinstance(raw, dict):
        raise BadParameters("params must be an object")
    declared = {p.name: p for p in saved.parameters}
    unknown = sorted(set(raw) - set(declared))
    if unknown:
        raise BadParameters(f"unknown parameter(s): {', '.join(unknown)}")
    bound = {}
    for p in saved.parameters:
        value = raw.get(p.name)
        if value is None or value == "" or value == []:
            if p.default is None:
                raise BadParameters(f"{p.name} is required")
            bound[p.name] = p.default
            continue
        bound[p.name] = _check(p, _convert(p, value))
    return bound


def _convert(p: Parameter, value: Any) -> Any:
    try:
        if p.type == "int":
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError
            if isinstance(value, (list, dict)):
                raise TypeError
            return int(str(value).strip()) if isinstance(value, str) else int(value)
        if p.type == "float":
            if isinstance(value, (bool, list, dict)):
                raise TypeError
            number = float(value)
            if number != number or number in (float("inf"), float("-inf")):
                raise ValueError
            return number
        if p.type == "bool":
            if isinstance(value, bool):
                return value
            return {"true": True, "false": False, "1": True, "0": False,
                    "on": True, "off": False, "yes": True, "no": False}[str(value).lower()]
        if p.type == "string":
            if isinstance(value, (list, dict, bool)):
                raise TypeError
            return _formatted(p, str(value).strip())
        if p.type == "list<string>":
            if isinstance(value, dict) or isinstance(value, bool):
                raise TypeError
            items = value if isinstance(value, list) else str(value).split(",")
            if any(isinstance(v, (list, dict)) for v in items):
                raise TypeError
            return [str(v).strip() for v in items if str(v).strip()]
    except BadParameters:
        raise
    except (ValueError, KeyError, TypeError) as exc:
        raise BadParameters(f"{p.name} must be of type {p.type}") from exc
    raise BadParameters(f"{p.name} has a type ({p.type}) that cannot be given in a request")


def _formatted(p: Parameter, text: str) -> str:
    if len(text) > 200:
        raise BadParameters(f"{p.name} is too long (200 characters at most)")
    if not text:
        return text
    if p.format == "date":
        try:
            if len(text) != 10:
                raise ValueError(text)
            return date.fromisoformat(text).isoformat()
        except ValueError as exc:
            raise BadParameters(f"{p.name} must be a date, YYYY-MM-DD") from exc
    if p.format == "phone":
        from ingest.normalise import NormaliseError, normalise_phone

        try:
            return normalise_phone(text)
        except NormaliseError as exc:
            raise BadParameters(f"{p.name}: {exc}") from exc
    return text


def _check(p: Parameter, value: Any) -> Any:
    """Bounds and choices."""
    if p.minimum is not None and value < p.minimum:
        raise BadParameters(f"{p.name} must be at least {p.minimum}")
    if p.maximum is not None and value > p.maximum:
        raise BadParameters(f"{p.name} must be at most {p.maximum}")
    if p.choices:
        values = value if isinstance(value, list) else [value]
        if any(v not in p.choices for v in values):
            raise BadParameters(f"{p.name} must be one of: {', '.join(map(str, p.choices))}")
    return value


def fill_server_parameters(saved: SavedQuery, bound: dict[str, Any], settings) -> dict[str, Any]:
    """The values the server adds: ``batch_ids`` of the batches committed since a date."""
    filled = {}
    for sp in saved.server_parameters:
        if sp.filler == "batches-since":
            filled[sp.name] = batches_since(settings, bound[sp.source])
    return filled


def batches_since(settings, day: str) -> list[str]:
    """Ids of the batches committed (or finished) at or after 00:00 UTC on ``day``."""
    from sqlalchemy import select

    from graphapp.db import IngestBatch, session_scope

    if settings is None:
        raise BadParameters("this query needs the accounts database (batch load times)")
    start = datetime.fromisoformat(day).replace(tzinfo=UTC)
    with session_scope(settings) as s:
        rows = s.execute(select(IngestBatch.batch_id, IngestBatch.started_at, IngestBatch.finished_at)
                         .where(IngestBatch.status.in_(("committed", "complete")))).all()
    out = []
    for batch_id, started, finished in rows:
        when = finished or started
        if when is not None and (when if when.tzinfo else when.replace(tzinfo=UTC)) >= start:
            out.append(batch_id)
    return sorted(out)


# -- running -----------------------------------------------------------------------------------


def run(store: GraphStore, actor: Actor, name: str, raw: dict[str, Any], *,
        settings=None) -> dict:
    """Run a saved query for the actor: ``{"columns", "rows", "truncated", "params"}`` and, for
    a graph result, ``nodes`` and ``edges`` (labelled from the actor's visible facts)."""
    saved = get(store, actor, name)
    params = bind(saved, raw)
    shown_params = dict(params)
    params.update(fill_server_parameters(saved, params, settings))
    params["row_limit"] = ROW_CAP + 1
    rows = store.read(saved.query.name, params, allowed_cases=visible_case_ids(actor),
                      timeout=TIMEOUT_SECONDS)
    result = tabulate(rows, _declared_columns(saved))
    result["params"] = shown_params
    if saved.result == "graph":
        result.update(graph_of(store, actor, rows[:ROW_CAP]))
    return result


def tabulate(rows: list[dict], columns: list[str] | None = None, cap: int = ROW_CAP) -> dict:
    """Rows of neutral values as ``{"columns", "rows", "truncated"}`` of JSON values."""
    truncated = len(rows) > cap
    rows = rows[:cap]
    columns = list(rows[0]) if rows else list(columns or [])
    return {"columns": columns, "rows": [[cell(row.get(c)) for c in columns] for row in rows],
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
    if isinstance(value, GraphPath):
        return {"nodes": [cell(n) for n in value.nodes],
                "relationships": [cell(r) for r in value.relationships]}
    if isinstance(value, list):
        return [cell(v) for v in value]
    if isinstance(value, dict):
        return {k: cell(v) for k, v in value.items()}
    return value


def is_entity_cell(value: Any) -> bool:
    """A result cell that names an entity (``{"id": "phone:+46…", "kind": "phone", …}``): shown
    by its label, linked and sorted by it. The one test the page, the CSV and the evidence
    package use, so that they agree on which cells are entities."""
    return (isinstance(value, dict) and isinstance(value.get("id"), str) and bool(value["id"])
            and bool(value.get("kind")))


def is_fact_cell(value: Any) -> bool:
    """A result cell that is a fact (``{"type": "USES", "case_id": …, …}``): shown by type and case."""
    return isinstance(value, dict) and bool(value.get("type")) and bool(value.get("case_id"))


def entity_labels(store: GraphStore, actor: Actor, result: dict, cap: int = GRAPH_NODE_CAP) -> dict[str, str]:
    """``{entity id: label}`` for the entities a result's table names (the first ``cap``),
    labelled from the actor's visible facts, so that a page shows "Andrei Popescu", not
    ``person:3f2a…``; a graph result's own nodes are labelled already."""
    known = {n["id"]: n["label"] for n in result.get("nodes") or ()}
    wanted: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if is_entity_cell(value) and value["id"] not in known:
                wanted.append(value["id"])
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(result["rows"])
    wanted = list(dict.fromkeys(wanted))[:cap]
    from graphapp.services import graph

    found = graph.labels(store, actor, wanted) if wanted else {}
    return {**known, **{eid: node["label"] for eid, node in found.items()}}


def graph_of(store: GraphStore, actor: Actor, rows: list[dict]) -> dict:
    """The nodes and facts a result holds, for the network view: ``{"nodes", "edges"}``."""
    nodes: dict[str, Node] = {}
    rels: dict[str, Relationship] = {}

    def walk(value: Any) -> None:
        if isinstance(value, Node):
            nodes.setdefault(value.id, value)
        elif isinstance(value, Relationship):
            rels.setdefault(value.id, value)
        elif isinstance(value, GraphPath):
            for v in (*value.nodes, *value.relationships):
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)

    walk(rows)
    from graphapp.services import graph

    kept = list(nodes)[:GRAPH_NODE_CAP]
    labelled = graph.labels(store, actor, kept) if kept else {}
    out_nodes = [labelled[i] for i in kept if i in labelled]
    shown = {n["id"] for n in out_nodes}
    edges = [{"id": r.id, "source": r.start, "target": r.end, "type": r.type,
              "case_id": r.case_id, "source_ref": r.properties.get("source", "")}
             for r in rels.values() if r.start in shown and r.end in shown]
    return {"nodes": out_nodes, "edges": edges,
            "graph_truncated": len(nodes) > GRAPH_NODE_CAP}


def run_audited(store: GraphStore, settings, actor: Actor, name: str, raw: dict[str, Any], *,
                client: str = "", os_user: str = "", via: str = "api") -> dict:
    """:func:`run`, audited with the query's name, its parameters and the row count, refusals
    and failures too (DESIGN.md section 5). A store failure becomes :class:`QueryFailed`.
    """
    from graphapp import audit
    from graphapp.access import Forbidden
    from graphapp.store import StoreUnavailable

    def record(outcome: str, **detail) -> None:
        audit.record(settings, audit.AuditEvent(
            action="run-query", actor=actor.name, outcome=outcome,
            cases=tuple(sorted(visible_case_ids(actor))), client=client, os_user=os_user,
            detail={"query": name, "via": via, **detail}))

    try:
        result = run(store, actor, name, raw, settings=settings)
    except (BadParameters, UnknownQuery, Forbidden) as exc:
        record("refused", params=_loggable(raw), reason=type(exc).__name__ + ": " + str(exc))
        raise
    except StoreUnavailable:
        record("error", params=_loggable(raw), reason="store unavailable")
        raise
    except StoreError as exc:
        timed_out = "timed out" in str(exc).lower() or "timeout" in str(exc).lower()
        reason = (f"the query took longer than {TIMEOUT_SECONDS:.0f} s" if timed_out
                  else "the store refused the query (saved queries only read)")
        record("error", params=_loggable(raw), reason=reason, store_error=str(exc)[:500])
        raise QueryFailed(f"The query could not be run: {reason}.") from exc
    record("ok", params=result["params"], rows=len(result["rows"]), truncated=result["truncated"])
    return result


def _loggable(raw: Any) -> Any:
    """A request's parameters for the audit log, whatever their shape."""
    try:
        return json.loads(json.dumps(raw, default=str))
    except (TypeError, ValueError):
        return str(raw)[:2000]


# -- downloads ---------------------------------------------------------------------------------

#: A cell that begins with one of these is a formula to a spreadsheet (DESIGN.md section 5).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_E164 = re.compile(r"^\+[0-9]{4,15}$")


def neutralise(value: Any) -> str:
    """A value as CSV text that no spreadsheet runs: a leading ``'`` on text that begins with
    ``=``, ``+``, ``-``, ``@``, tab or carriage return, except a plain E.164 number."""
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (int, float)):
        return str(value)
    elif isinstance(value, str):
        text = value
    else:
        text = json.dumps(display(value), ensure_ascii=False, sort_keys=True)
    if text.startswith(FORMULA_START) and not _E164.match(text):
        return "'" + text
    return text


def cell_text(cell: Any, labels: dict[str, str] | None = None) -> str:
    """A cell as one line of text (an evidence package's result table): an entity by its label
    when ``labels`` has it, else its id; a fact by type and case; a list as its items; a flag
    as yes/no; anything else as JSON or its own text."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "yes" if cell else "no"
    if isinstance(cell, dict):
        if is_entity_cell(cell):
            return (labels or {}).get(cell["id"], cell["id"])
        if is_fact_cell(cell):
            return f"{cell['type']} ({cell['case_id']})"
        return json.dumps(cell, ensure_ascii=False, sort_keys=True)
    if isinstance(cell, list):
        return "; ".join(cell_text(v, labels) for v in cell)
    return str(cell)


def display(value: Any) -> Any:
    """A cell as a person reads it: an entity by its id, a fact by type and case."""
    if is_entity_cell(value):
        return value["id"]
    if is_fact_cell(value):
        return f"{value['type']} ({value['case_id']})"
    if isinstance(value, list):
        return [display(v) for v in value]
    return value


def to_csv(result: dict) -> str:
    """The result's table as CSV, formulas neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(c) for c in result["columns"]])
    for row in result["rows"]:
        writer.writerow([neutralise(display(v)) for v in row])
    return out.getvalue()


def to_text_table(result: dict, width: int = 40) -> str:
    """The result as a plain text table for the terminal."""
    def show(v: Any) -> str:
        v = display(v)
        text = "" if v is None else (v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))
        text = "".join(ch if ch.isprintable() else " " for ch in text)
        return text if len(text) <= width else text[: width - 1] + "…"

    cols = [show(c) for c in result["columns"]]
    body = [[show(v) for v in row] for row in result["rows"]]
    widths = [max([len(c)] + [len(r[i]) for r in body]) for i, c in enumerate(cols)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in body]
    return "\n".join(line.rstrip() for line in lines)
