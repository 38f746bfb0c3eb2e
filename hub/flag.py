"""A stop flag a signal handler may set.

threading.Event.set takes a lock; a handler runs in the main thread between two of its bytecodes, so
one that calls set() while that thread holds the lock (inside Event.wait or set, say) waits for it
forever. This flag takes no lock: set() is an attribute and a byte written to a pipe, and wait() is a
select() on the pipe, which a set() from a handler or another thread ends at once.
"""
from __future__ import annotations

import os
import select
import weakref


class Flag:
    """Set once, never cleared; wait() returns at once from then on, for every waiter."""

    def __init__(self) -> None:
        self.up = False
        self._read, self._write = os.pipe()
        os.set_blocking(self._write, False)
        weakref.finalize(self, _close, self._read, self._write)

    def set(self) -> None:
        if not self.up:
            self.up = True
            try:
                os.write(self._write, b"\0")  # the byte stays: the pipe is readable for good
            except BlockingIOError:
                pass

    def is_set(self) -> bool:
        return self.up

    def wait(self, timeout: float | None = None) -> bool:
        """Whether the flag is set, waiting for it at most timeout seconds."""
        if not self.up:
            select.select([self._read], [], [], timeout)
        return self.up


def _close(*fds: int) -> None:
    for fd in fds:
        try:
            os.close(fd)
        except OSError:
            pass
