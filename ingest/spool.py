"""A load's scratch file: chunks written once and read back in order, in flat memory.

Pass one spools the records it checked, so pass two plans them without checking every row
again; pass two spools the person records it wrote, for the near-match search after the
commit. The file lives in the data directory (owner-only, like the data it holds) and is
unlinked from the start: nothing is left behind, whatever stops the load.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any


class Spool:
    """Tagged chunks of JSON values, appended, then read back in the order written."""

    def __init__(self, directory: Path):
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self._fh = tempfile.TemporaryFile(mode="w+", encoding="utf-8", dir=directory)
        self.chunks = 0

    def add(self, tag: str, items: list[Any]) -> None:
        self.chunks += Spool.writer(self._fh)(tag, items)

    @staticmethod
    def writer(fh: IO[str]) -> Callable[[str, list[Any]], int]:
        """A function writing a chunk to ``fh`` in a spool's format (nothing for no items);
        it returns how many chunks it wrote."""
        def add(tag: str, items: list[Any]) -> int:
            if not items:
                return 0
            fh.write(json.dumps([tag, items], ensure_ascii=False, separators=(",", ":")))
            fh.write("\n")
            return 1
        return add

    def extend(self, fh: IO[str], chunks: int) -> None:
        """Append ``chunks`` chunks another writer wrote to ``fh`` in this format."""
        fh.flush()
        fh.seek(0)
        shutil.copyfileobj(fh, self._fh, 1 << 20)
        self.chunks += chunks

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
