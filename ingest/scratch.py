"""A load's on-disk lookup tables: what it must remember per record, out of the heap.

A batch of a million rows names a few hundred thousand person records; keeping each
record's person id, the batch's match keys and its blocking keys in Python dicts and sets
made the loader's memory grow with the batch (about 0.4 KiB a record). These tables live in
one SQLite file in the data directory's ``tmp`` (owner-only, like the data it holds), read
and written a chunk at a time, with a bounded page cache: the loader's memory stays flat.

The file is unlinked as soon as it is open (no journal, nothing beside it): nothing is left
behind, whatever stops the load. Without a directory the tables are kept in memory (tests,
small helpers).
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from collections.abc import Collection, Iterable, Iterator
from itertools import batched
from pathlib import Path

#: Keys per ``IN (...)`` lookup: well under SQLite's limit of 32,766 bound values.
LOOKUP_CHUNK = 5_000
#: SQLite's page cache for the file, in KiB: the tables' share of the loader's memory.
CACHE_KIB = 8 * 1024


class Scratch:
    """Named key -> value tables (text), each key once: the first value stored stays."""

    def __init__(self, directory: Path | None = None):
        if directory is None:
            self._db = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        else:
            directory.mkdir(parents=True, exist_ok=True)
            fd, path = tempfile.mkstemp(prefix="scratch-", suffix=".sqlite", dir=directory)
            os.close(fd)
            try:
                self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
                self._db.execute("PRAGMA journal_mode = OFF")
            finally:
                os.unlink(path)
        self._db.execute("PRAGMA synchronous = OFF")
        self._db.execute(f"PRAGMA cache_size = -{CACHE_KIB:d}")
        self._db.execute("PRAGMA temp_store = FILE")
        self._db.execute("CREATE TABLE kv (t INTEGER NOT NULL, k TEXT NOT NULL, v TEXT NOT NULL,"
                         " PRIMARY KEY (t, k)) WITHOUT ROWID")
        self._tables: dict[str, int] = {}

    def table(self, name: str) -> KeyTable:
        """The table ``name``, empty on first use."""
        number = self._tables.setdefault(name, len(self._tables))
        return KeyTable(self._db, number)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Scratch:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


_ADD = "INSERT OR IGNORE INTO kv (t, k, v) VALUES (?, ?, ?)"
_FIRST_PAGE = "SELECT k FROM kv WHERE t = ? ORDER BY k LIMIT ?"
_NEXT_PAGE = "SELECT k FROM kv WHERE t = ? AND k > ? ORDER BY k LIMIT ?"
#: One lookup of up to LOOKUP_CHUNK keys: their values, through a JSON array of the keys
#: (one bound value, whatever the number of keys).
_GET = "SELECT k, v FROM kv WHERE t = ? AND k IN (SELECT value FROM json_each(?))"


class KeyTable:
    """One table of a :class:`Scratch`: keys with a text value each ("" for a plain set)."""

    def __init__(self, db: sqlite3.Connection, number: int):
        self._db = db
        self._t = number

    def add(self, items: Iterable[tuple[str, str]]) -> None:
        """Store each (key, value) whose key is not there yet (the first value stays)."""
        t = self._t
        with self._db:
            self._db.execute("BEGIN")
            self._db.executemany(_ADD, ((t, k, v) for k, v in items))

    def get(self, keys: Collection[str]) -> dict[str, str]:
        """The stored value of each of ``keys`` that is there."""
        found: dict[str, str] = {}
        for chunk in batched(keys, LOOKUP_CHUNK):
            found.update(self._db.execute(_GET, (self._t, json.dumps(chunk))))
        return found

    def pages(self, size: int = LOOKUP_CHUNK) -> Iterator[list[str]]:
        """Every key in order, ``size`` at a time."""
        page = [k for (k,) in self._db.execute(_FIRST_PAGE, (self._t, size))]
        while page:
            yield page
            page = [k for (k,) in self._db.execute(_NEXT_PAGE, (self._t, page[-1], size))]
