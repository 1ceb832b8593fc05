"""Every ``.cypher`` file meant for Neo4j passes Neo4j's own Cypher 5 parser and semantics.

No Neo4j server runs on the development machines, so this is the only check the Neo4j
variants get before production (DESIGN.md section 2). ``x.falkordb.cypher`` files are
FalkorDB-only and left out; portable ``x.cypher`` and ``x.neo4j.cypher`` are checked.
Errors fail; warnings (such as the deprecated but portable ``id()``) are only printed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from graphapp.store.queries import parse_query_file
from graphapp.store.types import StoreError

ROOT = Path(__file__).resolve().parents[1]
CYPHER_DIR = ROOT / "cypher"
LINT_DIR = ROOT / "tools" / "cypher-lint"
PACKAGE = "@neo4j-cypher/language-support"
ERROR = 1

Findings = dict[Path, tuple[list[str], list[str]]]  # file -> (errors, warnings)


def neo4j_files(root: Path) -> list[Path]:
    """The files Neo4j may be sent: all but the FalkorDB-only ``x.falkordb.cypher``."""
    return [p for p in sorted(root.rglob("*.cypher")) if not p.name.endswith(".falkordb.cypher")]


def run_linter(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One Node process for all statements: the analyser takes ~0.5 s to warm up."""
    pinned = json.loads((LINT_DIR / "package.json").read_text())["dependencies"][PACKAGE]
    installed = LINT_DIR / "node_modules" / PACKAGE / "package.json"
    if not installed.is_file() or json.loads(installed.read_text())["version"] != pinned:
        # Never skip: a CI run without the linter must not pass silently.
        pytest.fail(f"{PACKAGE}@{pinned} is not installed: run `make cypher-lint-deps`")
    node = shutil.which("node")
    if node is None:
        pytest.fail("`node` (Node.js 20 or newer) is not on PATH: the Cypher lint needs it")
    proc = subprocess.run(
        [node, str(LINT_DIR / "lint.mjs")],
        input=json.dumps(items),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if proc.returncode != 0:
        pytest.fail(f"lint.mjs failed ({proc.returncode}):\n{proc.stderr}")
    return json.loads(proc.stdout)


def lint_files(paths: list[Path], root: Path) -> Findings:
    """Diagnostics per file as ``file:line:column: message``, lines counted in the file.

    Files are parsed one by one (as QueryLibrary does) so that a bad front matter fails
    that file's test rather than the collection of the whole suite.
    """
    findings: Findings = {path: ([], []) for path in paths}
    items: list[dict[str, Any]] = []
    starts: list[int] = []  # file line before each statement
    for path in paths:
        try:
            query = parse_query_file(path, root)
        except StoreError as exc:
            findings[path][0].append(str(exc))
            continue
        text = path.read_text(encoding="utf-8")
        for statement in query.statements:
            at = text.find(statement)
            starts.append(text.count("\n", 0, at) if at >= 0 else 0)
            items.append({"file": str(path), "statement": statement, "params": query.params})
    for result, start in zip(run_linter(items), starts, strict=True):
        path = Path(result["file"])
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        for d in result["diagnostics"]:
            line = f"{shown}:{start + d['line']}:{d['column']}: {d['message']}"
            findings[path][0 if d["severity"] == ERROR else 1].append(line)
    return findings


FILES = neo4j_files(CYPHER_DIR)


@pytest.fixture(scope="module")
def findings() -> Findings:
    return lint_files(FILES, CYPHER_DIR)


def test_some_files_are_checked() -> None:
    """An empty or misplaced query directory must not make the lint pass by checking nothing."""
    assert FILES, f"no .cypher files for Neo4j under {CYPHER_DIR}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(CYPHER_DIR).as_posix())
def test_neo4j_accepts(path: Path, findings: Findings) -> None:
    errors, warnings = findings[path]
    for warning in warnings:
        print("warning:", warning)
    assert not errors, "not valid for Neo4j Cypher 5:\n" + "\n".join(errors)


SELF_TEST_FILES = {
    # name: (text, number of errors expected)
    "undefined_variable.cypher": ("MATCH (n) RETURN m", 1),
    "syntax.neo4j.cypher": ("MATCH (n RETURN n", 1),
    "falkordb_procedure.cypher": (
        "// params: {q: string}\n"
        "CALL db.idx.fulltext.queryNodes('Person', $q) YIELD node RETURN node",
        1,
    ),
    "falkordb_index.neo4j.cypher": (
        "CREATE FULLTEXT INDEX FOR ()-[r:INVOLVES]-() ON (r.name)",
        1,
    ),
    "unknown_function.cypher": ("MATCH (n) RETURN apoc.coll.sum([n.x])", 1),
    "second_statement.cypher": ("CREATE INDEX FOR (n:Phone) ON (n.e164)\n;\nRETURN x", 1),
    "one_line_two_statements.cypher": ("RETURN 1; RETURN 2", 1),
    "cypher_25.cypher": ("CYPHER 25 MATCH (n) RETURN n", 1),
    "neo4j_fulltext.neo4j.cypher": (
        "// params: {q: string, allowed_cases: list<string>, rows: list<map>}\n"
        "UNWIND $rows AS row\n"
        "CALL db.index.fulltext.queryRelationships('involves_name', $q) YIELD relationship\n"
        "WHERE relationship.case_id IN $allowed_cases\n"
        "RETURN id(relationship) AS id, row",
        0,
    ),
    "bad_front_matter.cypher": ("// description: a: b\nRETURN 1", 1),
    "skipped.falkordb.cypher": ("CALL db.idx.fulltext.queryNodes('Person', 'x') YIELD node", 0),
}


def test_lint_catches_broken_statements(tmp_path: Path) -> None:
    """The check must fail on bad Cypher, else a broken harness would pass everything."""
    for name, (text, _) in SELF_TEST_FILES.items():
        (tmp_path / name).write_text(text + "\n", encoding="utf-8")
    files = neo4j_files(tmp_path)
    got = lint_files(files, tmp_path)
    checked = {path.name for path in files}
    assert "skipped.falkordb.cypher" not in checked
    assert len(checked) == len(SELF_TEST_FILES) - 1
    for name in checked:
        errors = got[tmp_path / name][0]
        assert len(errors) == SELF_TEST_FILES[name][1], f"{name}: {errors}"
    warnings = got[tmp_path / "neo4j_fulltext.neo4j.cypher"][1]
    assert any("id" in w and "deprecated" in w for w in warnings), warnings
    second = got[tmp_path / "second_statement.cypher"][0]
    assert second[0].endswith(":3:8: Variable `x` not defined"), second
