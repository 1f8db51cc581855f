"""The garbage collector tuned for a long batch of short-lived objects (planning).

Planning allocates a few dictionaries and strings for every post and keeps none of them,
while the process holds a large, long-lived heap (the catalog, compiled templates, the
database layer). With the default thresholds the collector walks that heap again and
again during a national plan: about a tenth of planning's CPU time. Inside
`batch_collection()` what exists when the batch starts is frozen (left out of every
collection, as gc.freeze documents) and young objects are collected less often; on the
way out both are put back. Nothing is collected later than it would be at the batch's
end, and the batch's own garbage cycles are still collected.

Process-wide, so nested or concurrent batches (the worker's planning while the web app
plans) share one setting: the first to enter applies it, the last to leave restores it.
"""

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

BATCH_THRESHOLDS = (50_000, 20, 100)  # young objects between collections, then as Python


class _Batches:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.saved = gc.get_threshold()

    def enter(self) -> None:
        with self.lock:
            if self.running == 0:
                self.saved = gc.get_threshold()
                gc.freeze()
                gc.set_threshold(*BATCH_THRESHOLDS)
            self.running += 1

    def leave(self) -> None:
        with self.lock:
            self.running -= 1
            if self.running == 0:
                gc.set_threshold(*self.saved)
                gc.unfreeze()


_BATCHES = _Batches()


@contextmanager
def batch_collection() -> Iterator[None]:
    """Run the body with the collector tuned for a batch (see the module's docstring)."""
    _BATCHES.enter()
    try:
        yield
    finally:
        _BATCHES.leave()
