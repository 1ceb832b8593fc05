"""A load's scratch file: chunks written once and read back in order, in flat memory.

Pass one spools the records it checked, so pass two plans them without checking every row
again; pass two spools the person records it wrote, for the near-match search after the
commit. The file lives in the data directory (owner-only, like the data it holds) and is
unlinked from the start: nothing is left behind, whatever stops the load.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any


class Spool:
    """Tagged chunks of JSON values, appended, then read back in the order written."""

    def __init__(self, directory: Path):
        directory.mkdir(parents=True, exist_ok=True)
        self._fh = tempfile.TemporaryFile(mode="w+", encoding="utf-8", dir=directory)
        self.chunks = 0

    def add(self, tag: str, items: list[Any]) -> None:
        if items:
            self._fh.write(json.dumps([tag, items], ensure_ascii=False, separators=(",", ":")))
            self._fh.write("\n")
            self.chunks += 1

    def __iter__(self) -> Iterator[tuple[str, list[Any]]]:
        self._fh.flush()
        self._fh.seek(0)
        for line in self._fh:
            tag, items = json.loads(line)
            yield tag, items
        self._fh.seek(0, 2)

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
