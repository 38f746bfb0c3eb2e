"""Child processes that end with the process that started them (Linux), even when it is killed."""
from __future__ import annotations

import os
import signal


def end_with_parent(parent: int | None = None) -> None:
    """SIGTERM to this process when its parent dies, by whatever means (PR_SET_PDEATHSIG). With `parent`,
    the pid it should have: a parent that died before this was set is seen here, and this process ends."""
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: nothing to ask for
        return
    if parent is not None and os.getppid() != parent:
        os._exit(0)
