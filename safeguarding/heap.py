"""Keeping long-lived objects out of the cyclic garbage collector's way.

A full collection traverses every object the collector tracks and holds the interpreter meanwhile, so each one
stalls whatever request the process is serving. A served app tracks about 150,000 objects once started (about
60 ms a full collection), and a borough's cached adjacency over a million more (half a second). Both live as long
as the process or the adjacency, so they are frozen out of later collections once they are made.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic collection inside the block: for building many objects that all stay alive, where the
    collections their allocations set off are pure cost."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def settle() -> None:
    """One full collection of the whole heap, then every survivor frozen, so that later collections skip it.

    Unfreezing first lets that collection reach what an earlier settle froze (cyclic garbage left by an adjacency
    since replaced, say), so nothing dead stays frozen past the next settle.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()
