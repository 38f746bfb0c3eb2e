"""`helferhub` that dies like a killed process at a chosen point (for tests/test_crash.py).

    CRASH_AT=N CRASH_WHEN=after|inside python tests/crash_sync.py --config CFG sync

dies with os._exit (no cleanup, no commit, like kill -9) right after the Nth transaction has
committed, or inside it, its writes done but not committed. CRASH_AT=0 counts the transactions
and prints the count on stderr at exit instead.
"""
from __future__ import annotations

import atexit
import os
import sys
from contextlib import contextmanager

from hub import storage
from hub.cli import main

AT = int(os.environ.get("CRASH_AT", "0"))
INSIDE = os.environ.get("CRASH_WHEN", "after") == "inside"
real = storage.Storage.transaction
count = 0


@contextmanager
def dying(self):
    global count
    outermost = not self.db.conn.in_transaction
    with real(self):
        yield
        if outermost and INSIDE and count + 1 == AT:
            os._exit(137)
    if outermost:
        count += 1
        if count == AT:
            os._exit(137)


storage.Storage.transaction = dying
if AT == 0:
    atexit.register(lambda: print(f"transactions: {count}", file=sys.stderr))
sys.exit(main(sys.argv[1:]))
