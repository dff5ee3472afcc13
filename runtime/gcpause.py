"""The cyclic garbage collector paused for the length of one run.

A run makes millions of small objects that hold no reference cycles (records, Decimals, dates,
events); each time enough of them pile up the collector walks every object still alive, so its
cost grows with the size of the ledger (at a million Debita discounts it was more than half of
the run). Reference counting frees them as usual; only the cycle search waits until the run
ends, when it is turned back on (if it was on) — so a service embedding the runtime keeps its
own setting."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
