"""Keep a long load's heap from growing with its length (glibc only; elsewhere nothing).

Every chunk of a load builds a few megabytes of query text and reply in two threads (the
planner and the writer). glibc serves blocks that large from ``mmap`` at first, but after the
first is freed it raises its threshold to that size, so later ones come from the heaps of
both threads' arenas, where the small objects allocated between them keep the freed space
from going back to the kernel: the loader's resident memory then grew with the rows loaded
(measured: 35 MiB more at 300,000 rows). A fixed threshold and one arena stop that.
"""

from __future__ import annotations

import ctypes
import sys

#: mallopt parameters (malloc.h)
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
#: Blocks from this size up are mapped and unmapped on their own (glibc's initial value).
MMAP_THRESHOLD = 128 * 1024

_done = False


def steady_heap() -> bool:
    """Fix glibc's mmap threshold and use one arena for the rest of the process; return
    whether it was done (not on other C libraries, and only once)."""
    global _done
    if _done or not sys.platform.startswith("linux"):
        return _done
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    _done = bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(M_ARENA_MAX, 1))
    return _done
