"""The bench's heap handling, shared by its sync and async rows."""
from __future__ import annotations

import contextlib
import gc
from typing import Iterator


@contextlib.contextmanager
def frozen_heap() -> Iterator[None]:
    """What is alive now (modules, clients) left out of every collection, as a long-running server
    freezes its start-up heap: the collection before each short sample costs little, and no contender
    pays for scanning the others' heap."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
