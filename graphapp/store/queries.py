"""Queries live as files under ``cypher/``, loaded by name; never built from values.

A file may open with a block of ``//`` comment lines holding YAML front matter::

    // description: Phones mentioned by the allowed cases.
    // params:
    //   allowed_cases: list<string>
    //   q: string

The store picks ``name.<backend>.cypher`` when it exists (text that only one backend
accepts: index creation, shortest paths), else the portable ``name.cypher``. A parameter's type may
also be given as a mapping (``{type: int, default: 2, label: …}``) for saved queries. A file may
hold several statements separated by lines that hold only ``;`` (schema files).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from graphapp.store.types import QueryNotFound, StoreError

BACKENDS = ("falkordb", "neo4j")
PARAM_TYPES = ("string", "int", "float", "bool", "list<string>", "list<map>", "map", "list")
_PARAM_RE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_STATEMENT_SPLIT = re.compile(r"^\s*;\s*$", re.MULTILINE)
#: PyYAML built with libyaml: its safe loader reads the same documents in C (every process
#: parses the ~130 files' front matter when it opens a store: 0.07 s -> 0.01 s).
_LIBYAML = getattr(yaml, "__with_libyaml__", False)


@dataclass(frozen=True)
class Query:
    """One ``.cypher`` file: its name, backend variant, front matter and statements."""

    name: str
    path: Path
    backend: str | None
    description: str
    params: dict[str, str]
    statements: tuple[str, ...]
    meta: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def text(self) -> str:
        if len(self.statements) != 1:
            raise StoreError(f"query {self.name} holds {len(self.statements)} statements")
        return self.statements[0]

    def used_params(self) -> set[str]:
        return {m for s in self.statements for m in _PARAM_RE.findall(s)}


def parse_query_file(path: Path, root: Path) -> Query:
    """Read one file; fail loudly on front matter that does not describe the query."""
    raw = path.read_text(encoding="utf-8")
    lines = raw.splitlines()
    header: list[str] = []
    body_start = 0
    for i, line in enumerate(lines):
        if line.startswith("//"):
            header.append(line[2:].removeprefix(" "))
            body_start = i + 1
        else:
            break
    body = "\n".join(lines[body_start:]).strip()
    try:
        text = "\n".join(header)
        meta = (yaml.load(text, Loader=yaml.CSafeLoader) if _LIBYAML
                else yaml.safe_load(text)) or {}
    except yaml.YAMLError as exc:
        raise StoreError(f"{path}: front matter is not YAML: {exc}") from exc
    if not isinstance(meta, dict):
        raise StoreError(f"{path}: front matter must be a mapping")
    rel = path.relative_to(root).as_posix().removesuffix(".cypher")
    backend = None
    stem, _, suffix = rel.rpartition(".")
    if stem and suffix in BACKENDS:
        rel, backend = stem, suffix
    params = {str(k): str(v["type"] if isinstance(v, dict) else v)
              for k, v in (meta.get("params") or {}).items()}
    for pname, ptype in params.items():
        if ptype not in PARAM_TYPES:
            raise StoreError(f"{path}: parameter {pname} has unknown type {ptype!r}")
    statements = tuple(s.strip() for s in _STATEMENT_SPLIT.split(body) if s.strip())
    if not statements:
        raise StoreError(f"{path}: no statement")
    query = Query(
        name=rel,
        path=path,
        backend=backend,
        description=str(meta.get("description", "")).strip(),
        params=params,
        statements=statements,
        meta=meta,
    )
    undeclared = query.used_params() - set(params)
    if undeclared:
        raise StoreError(f"{path}: parameters used but not declared: {sorted(undeclared)}")
    return query


class QueryLibrary:
    """All queries under one directory, looked up by name and backend."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self._queries: dict[tuple[str, str | None], Query] = {}
        for path in sorted(self.root.rglob("*.cypher")):
            q = parse_query_file(path, self.root)
            self._queries[(q.name, q.backend)] = q

    def get(self, name: str, backend: str) -> Query:
        """The backend's own variant if there is one, else the portable file."""
        query = self._queries.get((name, backend)) or self._queries.get((name, None))
        if query is None:
            raise QueryNotFound(f"no query named {name!r} under {self.root}")
        return query

    def all(self) -> list[Query]:
        return list(self._queries.values())


@lru_cache(maxsize=8)
def load_library(root: str) -> QueryLibrary:
    return QueryLibrary(Path(root))
