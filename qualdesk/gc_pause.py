"""Pausing the cyclic garbage collector while a big batch of objects is built.

An import or a queue of 100,000 leads holds a few hundred thousand short-lived objects,
none of them in cycles; the collector would walk them all again and again (a quarter to a
third of the build time). Reference counting still frees everything as usual; the
collector resumes afterwards, even when the build fails. A module of its own, with no
imports: the queue (every start) and the import pipeline (psycopg) both use it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
