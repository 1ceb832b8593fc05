"""How a read's visible cases reach FalkorDB cheaply.

Every read filters its facts with ``x IN $allowed_cases``. FalkorDB tests ``IN`` against a
list element by element: measured, 3 µs a fact for a reader of 711 cases against 0.05 µs for
11 (a map lookup or ``CONTAINS`` on one long string is no better), and the client spelled the
list out again for every query, 0.3-0.6 ms each. So, on FalkorDB only:

- the list, as ``CYPHER`` header text, is made once per set of cases, not once per query,
  and a query is sent with only the case parameters it uses;
- the cases are also bound grouped by their last two characters (``$allowed_cases_by_tail``:
  ``{"31": ["K-2022-0031", ...], ...}``), and each ``x IN $allowed_cases`` of a query is read
  as ``x IN coalesce($allowed_cases_by_tail[right(coalesce(x, ''), 2)], [])``: one lookup
  among at most a hundred keys and a test against a handful of ids. It holds exactly when
  ``x IN $allowed_cases`` holds, whatever the number of cases, so every test of the suite
  runs through it.

Left alone: ``v.case_id IN $allowed_cases`` where ``v`` is a ``(v:Case)`` of the query (the
Case index answers that list directly), a list given to a quantifier or comprehension
(``any(x IN $allowed_cases WHERE ...)``), and a negated test (for a null ``x`` the grouped
form answers false where ``IN`` answers null, which ``NOT`` would turn into a match). Case ids
whose last two characters are not plain letters, digits, ``-`` or ``_`` (the header would
need quoting) keep the plain list.

A Case found by its key (``{case_id: $key}``, ``c.case_id IN $case_ids``) tests its own id as
``any(x IN [c.case_id] WHERE x IN $allowed_cases)``: written ``c.case_id IN $allowed_cases``,
FalkorDB adds every allowed case to the index look-up of the key (measured at 711 cases: 0.45
against 0.08 ms a look-up, and a 2-hop view's start paid it for its case branch too).
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict

TAIL = 2
_PLAIN_TAIL = re.compile(r"[A-Za-z0-9_-]{1,2}")
_FILTER = re.compile(r"(?<![$\w.])([A-Za-z_]\w*)(\.[A-Za-z_]\w*)? IN \$allowed_cases\b")
_CASE_VARIABLE = re.compile(r"\(\s*([A-Za-z_]\w*)\s*:\s*Case\b")


@functools.lru_cache(maxsize=256)
def case_header(allowed: frozenset[str]) -> tuple[str, str]:
    """The ``CYPHER`` header texts binding these cases as ``$allowed_cases`` and, when their
    tails allow it, as ``$allowed_cases_by_tail`` (else ``""``: queries keep the plain list)."""
    from graphapp.store.falkor import cypher_literal

    cases = sorted(allowed)
    plain = f"`allowed_cases`={cypher_literal(cases)} "
    if not all(_PLAIN_TAIL.fullmatch(c[-TAIL:]) for c in cases):
        return plain, ""
    groups: dict[str, list[str]] = defaultdict(list)
    for case_id in cases:
        groups[case_id[-TAIL:]].append(case_id)
    tails = ",".join(f"`{tail}`:{cypher_literal(ids)}" for tail, ids in sorted(groups.items()))
    return plain, f"`allowed_cases_by_tail`={{{tails}}} "


def scoped_text(text: str, allowed: frozenset[str]) -> tuple[str, str]:
    """``text`` read through the cases grouped by tail where it can be, and the header text
    of the case parameters it then uses (700 cases are 10 KB sent with every query)."""
    plain, grouped = case_header(allowed)
    if not grouped:
        return plain, text
    text = by_tail(text)
    uses_plain, uses_grouped = _uses(text)
    return (plain if uses_plain else "") + (grouped if uses_grouped else ""), text


@functools.lru_cache(maxsize=1024)
def _uses(text: str) -> tuple[bool, bool]:
    return (re.search(r"\$allowed_cases\b(?!_)", text) is not None,
            "$allowed_cases_by_tail" in text)


@functools.lru_cache(maxsize=1024)
def by_tail(text: str) -> str:
    """``text`` with each fact's ``x IN $allowed_cases`` read through the cases grouped by
    tail; Case-node filters and quantifier lists are left as they are."""
    case_variables = set(_CASE_VARIABLE.findall(text))

    def rewrite(match: re.Match) -> str:
        variable, prop = match.group(1), match.group(2) or ""
        before = text[:match.start()].rstrip()
        if before.endswith(("(", "[")):  # a list being iterated, not a filter
            return match.group(0)
        if re.search(r"\bNOT$", before, re.IGNORECASE):  # null IN [] is false, not null
            return match.group(0)
        if prop == ".case_id" and variable in case_variables:
            return match.group(0)
        expr = variable + prop
        return (f"{expr} IN coalesce($allowed_cases_by_tail[right(coalesce({expr}, ''), {TAIL})],"
                " [])")

    return _FILTER.sub(rewrite, text)
