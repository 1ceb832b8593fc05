"""Projections: a separate graph holding only one set of visible cases' facts (DESIGN.md
section 5, "Ad-hoc Cypher").

Ad-hoc Cypher cannot be made safe by filtering its results: a query can count, compare or
walk facts of hidden cases. So the Cypher console, and the queries analysts draft, run on a
projection instead: a graph of its own in the same embedded server, built by reading the main
graph a few visible cases at a time (``cypher/projection/cases`` and ``case_facts``, then the
facts between the entities found, ``node_facts``, all scoped by ``$allowed_cases``) and
writing what came back into the projection. Nothing else is ever written there, so a
projection holds no fact of a hidden case, no case node of one, and no internal index of the
main graph (match keys, blocking keys): an entity keeps its key, and its ``case_ids`` cut
down to the visible set; national ids are masked as everywhere they are shown.

A projection is cached per visible-case set and data version. The data version is a counter
the store bumps after every write to the main graph (batch commit, withdrawal, merge, split,
reclassification, everything); a projection built at another version is dropped and built
again, and so is a user's previous projection when their visible cases change. Projections
nobody used for :data:`IDLE_SECONDS` are dropped too.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from filelock import FileLock

from graphapp import model
from graphapp.store.types import StoreError

if TYPE_CHECKING:
    from graphapp.store.falkor import FalkorStore

#: A projection nobody used for this long is dropped at the next build.
IDLE_SECONDS = 3600
#: Cases copied per read of the main graph.
CASES_PER_READ = 25
#: Entities whose facts are read per read of the main graph.
NODES_PER_READ = 2000
#: Rows per write into a projection.
WRITE_CHUNK = 5000
#: Node properties never copied: the main graph's own indexes (model.INTERNAL_NODE_PROPERTIES).
_DROPPED_NODE_PROPS = model.INTERNAL_NODE_PROPERTIES
_DROPPED_REL_PROPS = model.INTERNAL_REL_PROPERTIES


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def projection_key(graph_name: str, allowed: frozenset[str]) -> str:
    """The projection graph's key for one visible-case set (a digest: no case id in it)."""
    digest = hashlib.sha256("\x1f".join(sorted(allowed)).encode("utf-8")).hexdigest()[:32]
    return f"{graph_name}::projection::{digest}"


def meta_key(graph_name: str) -> str:
    return f"{graph_name}::projections"


def owners_key(graph_name: str) -> str:
    return f"{graph_name}::projection-owners"


def ensure(store: FalkorStore, allowed: frozenset[str], owner: str = "") -> str:
    """The key of an up-to-date projection of ``allowed``; built (or rebuilt) if needed.

    :param owner: the user it is for: their previous projection is dropped when their visible
        cases changed and no one else's current projection is the same one.
    """
    if not allowed:
        raise StoreError("no visible cases: nothing to project")
    name = store.settings.graph_name
    key = projection_key(name, allowed)
    client = store.redis()
    store.settings.lock_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(str(store.settings.lock_dir / f"projection-{key.rsplit(':', 1)[-1]}.lock")):
        version = store.data_version()
        raw = client.hget(meta_key(name), key)
        meta = json.loads(raw) if raw else None
        fresh = meta is not None and meta.get("version") == version and client.exists(key)
        if not fresh:
            _build(store, key, allowed)
            meta = {"version": version, "built_at": time.time(), "cases": len(allowed)}
        meta["used_at"] = time.time()
        client.hset(meta_key(name), key, json.dumps(meta))
    if owner:
        previous = client.hget(owners_key(name), owner)
        client.hset(owners_key(name), owner, key)
        previous = _text(previous) if previous else ""
        if previous and previous != key:
            others = {_text(v) for k, v in client.hgetall(owners_key(name)).items()
                      if _text(k) != owner}
            if previous not in others:
                drop(store, previous)
    sweep(store, keep=key)
    return key


def drop(store: FalkorStore, key: str) -> None:
    """Delete one projection graph and its record."""
    name = store.settings.graph_name
    if not key.startswith(f"{name}::projection::"):
        raise StoreError("not a projection key")
    client = store.redis()
    if client.exists(key):
        store.graph_named(key).delete()
    client.hdel(meta_key(name), key)


def sweep(store: FalkorStore, keep: str = "") -> list[str]:
    """Drop projections of an older data version, and those idle for :data:`IDLE_SECONDS`."""
    name = store.settings.graph_name
    client = store.redis()
    version = store.data_version()
    now = time.time()
    dropped = []
    for raw_key, raw_meta in client.hgetall(meta_key(name)).items():
        key = _text(raw_key)
        if key == keep:
            continue
        try:
            meta = json.loads(raw_meta)
        except ValueError:
            meta = {}
        if meta.get("version") != version or now - float(meta.get("used_at", 0)) > IDLE_SECONDS:
            drop(store, key)
            dropped.append(key)
    return dropped


def drop_all(store: FalkorStore) -> None:
    """Drop every projection of this store's graph (its data is being deleted)."""
    name = store.settings.graph_name
    client = store.redis()
    for raw_key in client.hkeys(meta_key(name)):
        drop(store, _text(raw_key))
    client.delete(owners_key(name))


def _build(store: FalkorStore, key: str, allowed: frozenset[str]) -> None:
    """Copy the visible facts of ``allowed`` into a fresh graph at ``key``."""
    client = store.redis()
    if client.exists(key):
        store.graph_named(key).delete()
    nodes: dict[int, tuple[str, dict[str, Any]]] = {}
    facts: list[tuple[str, int, int, dict[str, Any]]] = []
    visible = sorted(allowed)
    for start in range(0, len(visible), CASES_PER_READ):
        chunk = {"case_ids": visible[start:start + CASES_PER_READ]}
        for row in store.read("projection/cases", chunk, allowed_cases=allowed):
            nodes[int(row["nid"])] = ("Case", _node_props("Case", row["props"], allowed))
        for row in store.read("projection/case_facts", chunk, allowed_cases=allowed):
            label = next((lb for lb in row["labels"] or () if lb in model.ENTITY_KINDS), None)
            if label is None or label == "Case" or row["key"] is None:
                continue
            kind = model.ENTITY_KINDS[label]
            nodes.setdefault(int(row["e"]), (label, {kind.key: row["key"],
                                                    "case_ids": sorted(row["cases"] or ())}))
            facts.append((row["type"], int(row["s"]), int(row["e"]), _rel_props(row["props"])))
    entities = sorted(nid for nid, (label, _) in nodes.items() if label != "Case")
    for start in range(0, len(entities), NODES_PER_READ):
        chunk = {"nids": entities[start:start + NODES_PER_READ]}
        for row in store.read("projection/node_facts", chunk, allowed_cases=allowed):
            facts.append((row["type"], int(row["s"]), int(row["e"]), _rel_props(row["props"])))
    by_label: dict[str, list[dict]] = defaultdict(list)
    for src, (label, props) in nodes.items():
        by_label[label].append({"src": src, "props": props})
    new_ids: dict[int, int] = {}
    for label, rows in by_label.items():
        text = store.query(f"projection/node_{label.lower()}").text
        for start in range(0, len(rows), WRITE_CHUNK):
            for out in store.run_on(key, text, {"rows": rows[start:start + WRITE_CHUNK]}):
                new_ids[int(out["src"])] = int(out["nid"])
    by_type: dict[str, list[dict]] = defaultdict(list)
    seen: set[str] = set()
    for rel_type, s, e, props in facts:
        if rel_type not in model.RELATION_KINDS or s not in new_ids or e not in new_ids:
            continue  # an endpoint outside the visible node set is never added
        if not _visible(props, allowed) or props.get("rel_key") in seen:
            continue
        seen.add(props.get("rel_key"))
        by_type[rel_type].append({"s": new_ids[s], "e": new_ids[e], "props": props})
    for rel_type, rows in by_type.items():
        text = store.query(f"projection/fact_{rel_type.lower()}").text
        for start in range(0, len(rows), WRITE_CHUNK):
            store.run_on(key, text, {"rows": rows[start:start + WRITE_CHUNK]})
    if not nodes:  # an empty projection still needs its graph key to exist
        store.run_on(key, store.query("projection/empty").text, {})


def _node_props(label: str, props: dict[str, Any], allowed: frozenset[str]) -> dict[str, Any]:
    """What a projection keeps of a node: a case's attributes, an entity's key, and its
    case ids cut down to the visible ones."""
    props = dict(props or {})
    kind = model.ENTITY_KINDS[label]
    if label == "Case":
        kept = {k: v for k, v in props.items() if k not in _DROPPED_NODE_PROPS}
    else:
        kept = {kind.key: props[kind.key]}
    kept["case_ids"] = sorted(c for c in (props.get("case_ids") or ()) if c in allowed)
    if label == "Case":
        kept["case_ids"] = [props[kind.key]]
    return kept


def _rel_props(props: dict[str, Any]) -> dict[str, Any]:
    """A fact as the projection keeps it: without the pending and match-key bookkeeping, and a
    national id masked as everywhere it is shown (DESIGN.md section 3): the hit check, not the
    console, is the way to look an identifier up."""
    kept = {k: v for k, v in (props or {}).items() if k not in _DROPPED_REL_PROPS}
    if kept.get("national_id"):
        text = str(kept["national_id"])
        kept["national_id"] = "•" * max(len(text) - 4, 0) + text[-4:] if len(text) > 4 else "•" * len(text)
    return kept


def _visible(props: dict[str, Any], allowed: frozenset[str]) -> bool:
    other = props.get("other_case_id")
    return props.get("case_id") in allowed and (other is None or other in allowed)
