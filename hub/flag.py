"""A stop flag a signal handler may set.

threading.Event.set takes a lock; a handler runs in the main thread between two of its bytecodes, so
one that calls set() while that thread holds the lock (inside Event.wait or set, say) waits for it
forever. This flag takes no lock: set() is an attribute and a byte written to a pipe, and wait() polls
the pipe, which a set() from a handler or another thread ends at once.
"""
from __future__ import annotations

import os
import select
import time
import weakref


class Flag:
    """Set once, never cleared; wait() returns at once from then on, for every waiter.

    In a process forked from the one that made it, the pipe is shared with the parent: there set() only
    sets the attribute (a byte would wake the parent's waiters for good) and wait() looks at it."""

    def __init__(self) -> None:
        self.up = False
        self._pid = os.getpid()
        self._read, self._write = os.pipe()
        os.set_blocking(self._write, False)
        weakref.finalize(self, _close, self._read, self._write)

    def set(self) -> None:
        if not self.up:
            self.up = True
            if os.getpid() == self._pid:
                try:
                    os.write(self._write, b"\0")  # the byte stays: the pipe is readable for good
                except BlockingIOError:
                    pass

    def is_set(self) -> bool:
        return self.up

    def wait(self, timeout: float | None = None) -> bool:
        """Whether the flag is set, waiting for it at most timeout seconds."""
        if self.up:
            return True
        if os.getpid() != self._pid:  # forked: looked at every 50 ms
            deadline = None if timeout is None else time.monotonic() + timeout
            while not self.up and (deadline is None or time.monotonic() < deadline):
                time.sleep(0.05 if deadline is None else max(0.0, min(0.05, deadline - time.monotonic())))
            return self.up
        poll = select.poll()  # (not select(): it takes no descriptor numbered 1024 or more)
        poll.register(self._read, select.POLLIN)
        poll.poll(None if timeout is None else max(0, int(timeout * 1000 + 0.999)))
        return self.up


def _close(*fds: int) -> None:
    for fd in fds:
        try:
            os.close(fd)
        except OSError:
            pass
