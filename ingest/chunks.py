"""Writing planned chunks in a thread of their own, in order, while the caller works on.

A socket wait releases the GIL: while the store runs one chunk's query, Python checks,
plans or scores the next one.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

from graphapp.store import GraphStore

Progress = Callable[[int], None]


class ChunkWriter:
    """Write planned chunks in order, in a thread of its own, while the next chunk is planned:
    the store works while Python checks, normalises and hashes. At most ``depth`` chunks
    wait, so memory stays flat. The first error stops the writing and is raised in the caller;
    ``progress`` is told, from the writing thread, how many records each written chunk held."""

    def __init__(self, store: GraphStore, params: dict, progress: Progress | None = None,
                 depth: int = 2):
        self.store = store
        self.params = params
        self.progress = progress
        self.error: BaseException | None = None
        self._abandoned = False
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._thread = threading.Thread(target=self._run, name="ingest-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        # One query per chunk; the embedded store encodes a chunk's rows in C (write_rows).
        send = getattr(self.store, "write_rows", self.store.load_batch)
        while (item := self._queue.get()) is not None:
            if self.error is None and not self._abandoned:
                try:
                    send(item[0], item[1], self.params)
                    if self.progress:
                        self.progress(item[2])
                except BaseException as exc:  # noqa: BLE001 - handed to the caller
                    self.error = exc

    def put(self, query: str, rows: list[dict], records: int) -> None:
        if self.error is not None:
            raise self.error
        self._queue.put((query, rows, records))

    def close(self, abandon: bool = False) -> None:
        """Wait until every chunk put is written (or, with ``abandon``, dropped unwritten)."""
        self._abandoned = self._abandoned or abandon
        self._queue.put(None)
        self._thread.join()
        if self.error is not None and not abandon:
            raise self.error
