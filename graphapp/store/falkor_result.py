"""FalkorDB's compact replies read straight into Python values.

The ``falkordb`` client turns every cell through a chain of per-type calls; a 2-hop view's four
answers at 1M facts took 0.3 ms that way and as long again to walk for graph values. Here the
plain types (null, string, integer, boolean, double, list, map) are read in one pass that also
notes whether anything else occurs; nodes, relationships, paths and the rarer types go to the
client's own parser, and the whole answer then counts as holding graph values (so the caller
redacts every row of it, never the other way round).
"""

from __future__ import annotations

from typing import Any

from falkordb.query_result import parse_scalar
from redis import ResponseError

_NULL, _STRING, _INTEGER, _BOOLEAN, _DOUBLE, _ARRAY = 1, 2, 3, 4, 5, 6
_MAP = 10


class _Found:
    """Whether a reply held a value of a type other than the plain ones."""

    __slots__ = ("other",)

    def __init__(self) -> None:
        self.other = False


def reply_rows(graph: Any, reply: list) -> tuple[list[str], list[list[Any]], bool]:
    """The column names, the rows and whether any cell holds a node, relationship, path or
    other non-plain value, from a ``GRAPH.QUERY … --compact`` reply.

    :raise ResponseError: the reply is an error, or the query met one while running."""
    if isinstance(reply[0], ResponseError):
        raise reply[0]
    if isinstance(reply[-1], ResponseError):
        raise reply[-1]
    if len(reply) == 1:  # statistics only
        return [], [], False
    header = [h[1] if isinstance(h, (list, tuple)) else h for h in reply[0]]
    found = _Found()
    rows = [[_value(cell, graph, found) for cell in row] for row in reply[1]]
    return header, rows, found.other


def _value(cell: list, graph: Any, found: _Found) -> Any:
    kind, raw = cell[0], cell[1]
    if kind == _STRING:
        return raw if isinstance(raw, str) else raw.decode()
    if kind == _INTEGER:
        return int(raw)
    if kind == _NULL:
        return None
    if kind == _ARRAY:
        return [_value(item, graph, found) for item in raw]
    if kind == _BOOLEAN:
        return raw in ("true", b"true")
    if kind == _DOUBLE:
        return float(raw)
    if kind == _MAP:
        return {(raw[i] if isinstance(raw[i], str) else raw[i].decode()): _value(raw[i + 1], graph, found)
                for i in range(0, len(raw), 2)}
    found.other = True
    return parse_scalar(cell, graph)
