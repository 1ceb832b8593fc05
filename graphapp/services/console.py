"""The Cypher console: ad-hoc read-only Cypher on the user's own projection (DESIGN.md
section 5, "Ad-hoc Cypher").

A statement never reaches the main graph. It runs on a projection that holds only the
user's visible facts (:mod:`graphapp.store.projection`), read-only (``GRAPH.RO_QUERY``), with
a time-out and a row cap, and its rows are redacted once more. Before it runs, statements
that would write, change the schema, call an administrative procedure, load files or switch
graphs are refused with a message that says why; the store's read-only mode would refuse
most of them anyway. Every statement, run or refused, is audited in full.

Drafts that analysts write in the UI run here too (:mod:`graphapp.services.drafts`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from graphapp import audit
from graphapp.access import Actor, ensure_allowed, visible_case_ids
from graphapp.services.saved_queries import tabulate
from graphapp.store import GraphStore, StoreError, StoreUnavailable

ROW_CAP = 1000
TIMEOUT_SECONDS = 30.0
MAX_LENGTH = 20_000
#: Procedures a statement may CALL: FalkorDB's graph algorithms, read-only by nature, and on
#: the projection they see only the user's facts.
ALLOWED_PROCEDURES = ("algo.",)

#: Clauses and keywords that change data or schema, or reach outside the graph.
_REFUSED_WORDS = {
    "create": "writes (CREATE) are not allowed: the console only reads",
    "merge": "writes (MERGE) are not allowed: the console only reads",
    "set": "writes (SET) are not allowed: the console only reads",
    "delete": "writes (DELETE) are not allowed: the console only reads",
    "detach": "writes (DETACH, DELETE) are not allowed: the console only reads",
    "remove": "writes (REMOVE) are not allowed: the console only reads",
    "foreach": "FOREACH only writes: the console only reads",
    "drop": "schema changes (DROP) are not allowed",
    "alter": "administration (ALTER) is not allowed",
    "rename": "administration (RENAME) is not allowed",
    "grant": "administration (GRANT) is not allowed",
    "deny": "administration (DENY) is not allowed",
    "revoke": "administration (REVOKE) is not allowed",
    "start": "administration (START) is not allowed",
    "stop": "administration (STOP) is not allowed",
    "show": "administration (SHOW) is not allowed",
    "terminate": "administration (TERMINATE) is not allowed",
    "use": "switching graphs (USE) is not allowed: the console runs on your projection only",
    "load": "LOAD CSV is not allowed: the console reads nothing but your projection",
    "periodic": "USING PERIODIC COMMIT is not allowed",
    "transactions": "CALL … IN TRANSACTIONS is not allowed",
}
_TOKEN = re.compile(
    r"""(?P<comment>//[^\n]*|/\*.*?\*/)
      | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
      | (?P<quoted>`(?:[^`]|``)*`)
      | (?P<word>[A-Za-z_][A-Za-z0-9_]*(?:\s*\.\s*[A-Za-z_][A-Za-z0-9_]*)*)
      | (?P<other>\S)""",
    re.VERBOSE | re.DOTALL,
)


class Refused(ValueError):
    """A statement the console will not run; the message says why and is safe to show."""


class ConsoleOff(Exception):
    """The store builds no projections (Neo4j, so far): the console is off."""


class ConsoleFailed(StoreError):
    """The projection refused or aborted the statement; the message is safe to show."""


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int = 0
    end: int = 0


def tokens(text: str) -> list[Token]:
    """Cypher split into comments, strings, quoted names, words (dotted names kept whole)
    and single characters: enough to find clauses without being fooled by a string."""
    out = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        if kind == "comment":
            continue
        out.append(Token(kind, m.group(kind), m.start(), m.end()))
    return out


_OPEN, _CLOSE = "([{", ")]}"
_RETURN_ENDS = frozenset({"order", "skip", "limit", "union"})


def returned_columns(statement: str) -> list[str]:
    """The column names of the statement's last top-level RETURN, in the order written: an
    alias, or the expression's own text (as the store names an unaliased column). Empty when
    the statement does not end in a plain RETURN list (``RETURN *``, a procedure's YIELD)."""
    toks = tokens(statement)
    depth, start = 0, None
    for i, tok in enumerate(toks):
        if tok.kind == "other" and tok.text in _OPEN:
            depth += 1
        elif tok.kind == "other" and tok.text in _CLOSE:
            depth -= 1
        elif depth == 0 and tok.kind == "word" and tok.text.lower() == "return":
            start = i + 1
    if start is None:
        return []
    if start < len(toks) and toks[start].kind == "word" and toks[start].text.lower() == "distinct":
        start += 1
    items, current, depth = [], [], 0
    for tok in toks[start:]:
        if tok.kind == "other" and tok.text in _OPEN:
            depth += 1
        elif tok.kind == "other" and tok.text in _CLOSE:
            depth -= 1
        if depth == 0 and tok.kind == "word" and tok.text.lower() in _RETURN_ENDS:
            break
        if depth == 0 and tok.kind == "other" and tok.text in (",", ";"):
            items.append(current)
            current = []
            continue
        current.append(tok)
    items.append(current)
    names = []
    for item in items:
        if not item or (len(item) == 1 and item[0].text == "*"):
            return []
        if len(item) >= 2 and item[-2].kind == "word" and item[-2].text.lower() == "as":
            names.append(item[-1].text.strip("`"))
        else:
            names.append(statement[item[0].start:item[-1].end])
    return names


def in_written_order(result: dict, statement: str) -> dict:
    """Put the columns back in the order the statement wrote them (:func:`capped` returns
    them sorted by name); left as they are when the names cannot be read off the text."""
    wanted = returned_columns(statement)
    if sorted(wanted) != sorted(result["columns"]) or len(set(wanted)) != len(wanted):
        return result
    index = [result["columns"].index(name) for name in wanted]
    return {**result, "columns": wanted, "rows": [[row[i] for i in index] for row in result["rows"]]}


#: Words that are refused only as a clause: followed by a name (SHOW INDEXES, USE neo4j),
#: not as an alias (``AS start``) or a variable at the end of an expression.
_CLAUSE_ONLY = frozenset({"drop", "alter", "rename", "grant", "deny", "revoke", "start", "stop",
                          "show", "terminate", "use"})
_AFTER = {"load": "csv", "periodic": "commit"}
_BEFORE = {"transactions": "in", "periodic": "using"}
_ADMIN_NAMESPACES = ("db", "dbms", "graph", "apoc", "gds", "tx", "sys")


def check(text: str) -> str:
    """The statement if the console may run it; :class:`Refused` with the reason if not."""
    statement = (text or "").strip()
    if not statement:
        raise Refused("type a Cypher statement")
    if len(statement) > MAX_LENGTH:
        raise Refused(f"the statement is longer than {MAX_LENGTH} characters")
    if "\x00" in statement:
        raise Refused("the statement holds a NUL character")
    toks = tokens(statement)
    while toks and toks[-1].kind == "other" and toks[-1].text == ";":
        toks.pop()
    if any(t.kind == "other" and t.text == ";" for t in toks):
        raise Refused("one statement at a time (no ;)")
    for i, tok in enumerate(toks):
        if tok.kind != "word":
            continue
        word = re.sub(r"\s+", "", tok.text.lower())
        prev = toks[i - 1] if i else None
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        prev_text = prev.text.lower() if prev is not None else ""
        nxt_is_name = nxt is not None and nxt.kind in ("word", "quoted")
        # A label (n:Set), a property key or a map key ({set: 1}) is a name, not a clause.
        if prev is not None and prev.kind == "other" and prev.text == ":":
            continue
        if nxt is not None and nxt.kind == "other" and nxt.text == ":" and \
                prev is not None and prev.kind == "other" and prev.text in ("{", ","):
            continue
        if "." in word:
            head = word.split(".", 1)[0]
            if head in _ADMIN_NAMESPACES and (i == 0 or (nxt is not None and nxt.text == "(")):
                raise Refused(f"{tok.text!r}: administrative procedures and functions are not "
                              "allowed")
            continue
        if word == "call" and nxt is not None:
            if nxt.kind == "other" and nxt.text in ("{", "("):
                continue  # a subquery: its clauses are checked like the rest
            name = re.sub(r"\s+", "", nxt.text.lower()).strip("`")
            if not nxt_is_name or not name.startswith(ALLOWED_PROCEDURES):
                raise Refused(f"procedure {nxt.text!r} is not allowed: only the graph algorithms "
                              f"({', '.join(p + '*' for p in ALLOWED_PROCEDURES)}) may be called")
            continue
        if word not in _REFUSED_WORDS or prev_text == "as":
            continue
        if word in _CLAUSE_ONLY and not nxt_is_name:
            continue
        if word in _AFTER and not (nxt is not None and nxt.text.lower() == _AFTER[word]):
            continue
        if word in _BEFORE and prev_text != _BEFORE[word]:
            continue
        raise Refused(_REFUSED_WORDS[word])
    return statement


#: What ``capped`` writes before the statement: its errors' positions are shifted by it.
_WRAP_BEFORE = "CALL {\n"


def capped(statement: str, cap: int = ROW_CAP) -> str:
    """The statement wrapped so that the store stops after ``cap + 1`` rows: a row cap applied
    only after the whole result reached the app lets one statement exhaust the shared server
    and the app's memory (``UNWIND range(1, 2000000) AS x RETURN x``)."""
    return f"{_WRAP_BEFORE}{_body(statement)}\n}}\nWITH * LIMIT {cap + 1}\nRETURN *"


def _body(statement: str) -> str:
    """The statement as ``capped`` wraps it: trailing blanks and semicolon dropped."""
    return statement.rstrip().rstrip(";").rstrip()


def available(store: GraphStore) -> bool:
    return store.supports_projection


def run(store: GraphStore, settings, actor: Actor, text: str, *, client: str = "",
        os_user: str = "", via: str = "console", action: str = "console-query",
        extra: dict | None = None) -> dict:
    """Check and run one statement on the actor's projection: ``{"columns", "rows",
    "truncated"}``. Audited in full, refusals and failures too.

    :raise Forbidden: the actor lacks ``use-cypher-console`` (checked by the caller for drafts).
    :raise Refused: the statement would write, change the schema, call an administrative
        procedure or load files.
    :raise ConsoleOff: the store builds no projections.
    :raise ConsoleFailed: the projection refused or aborted the statement.
    """
    allowed = visible_case_ids(actor)

    def record(outcome: str, **detail) -> None:
        audit.record(settings, audit.AuditEvent(
            action=action, actor=actor.name, outcome=outcome, cases=tuple(sorted(allowed)),
            client=client, os_user=os_user,
            detail={"statement": text, "via": via, **(extra or {}), **detail}))

    if action == "console-query":
        ensure_allowed(actor, "use-cypher-console")
    if not available(store):
        record("refused", reason="this graph store builds no projections: the console is off")
        raise ConsoleOff("The Cypher console needs a projection of your cases, which this "
                         f"graph store ({store.backend}) cannot build.")
    try:
        statement = check(text)
    except Refused as exc:
        record("refused", reason=str(exc))
        raise
    if not allowed:
        record("ok", rows=0, reason="no visible cases")
        return {"columns": [], "rows": [], "truncated": False}
    try:
        rows = store.read_projection(allowed, capped(statement), timeout=TIMEOUT_SECONDS,
                                     owner=actor.name)
    except StoreUnavailable:
        record("error", reason="store unavailable")
        raise
    except StoreError as exc:
        message = _safe_error(str(exc), statement)
        record("error", reason=message, store_error=str(exc)[:1000])
        raise ConsoleFailed(message) from exc
    result = in_written_order(tabulate(rows, cap=ROW_CAP), statement)
    record("ok", rows=len(result["rows"]), truncated=result["truncated"])
    return result


def _safe_error(message: str, statement: str = "") -> str:
    """What to tell the user of a failed statement: Cypher errors are about their own text;
    the projection holds only their own facts, so the message reveals nothing else. A syntax
    error's position is given in the user's statement, not in ``capped``'s wrapping of it."""
    low = message.lower()
    if "timed out" in low or "timeout" in low:
        return f"the statement took longer than {TIMEOUT_SECONDS:.0f} s"
    if "read-only" in low or "is to be executed only on read" in low or "ro_query" in low:
        return "the console only reads"
    one_line = " ".join(message.split())
    if one_line.startswith("errMsg: "):
        one_line = _in_statement(one_line.removeprefix("errMsg: "), statement)
    return one_line[:300] or "the statement failed"


_POSITION = re.compile(r"\s*line: (\d+), column: (\d+), offset: \d+(?: errCtx: .*)?$")


def _in_statement(message: str, statement: str) -> str:
    """FalkorDB's "... line: L, column: C, offset: O errCtx: ..." with the line counted in the
    statement (the wrapping's first line removed), or "at the end of the statement" when the
    parser ran into the wrapping's closing brace."""
    found = _POSITION.search(message)
    if not found:
        return message
    text = message[:found.start()]
    line, column = int(found[1]) - _WRAP_BEFORE.count("\n"), int(found[2])
    if 1 <= line <= len(_body(statement).splitlines()):
        return f"{text} (line {line}, column {column})"
    if text.startswith("Invalid input '}'"):
        return text.replace("Invalid input '}'", "Unexpected end of the statement", 1)
    return f"{text} (at the end of the statement)"
