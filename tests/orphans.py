"""A process with worker processes killed outright (kill -9), for the tests that its workers end with it."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def alive(pid: int) -> bool:
    """True while the process runs (a zombie, dead but not yet reaped by init, is not running)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def kill_parent(script: Path, settle: float = 0.0) -> tuple[list[int], bool, list[int]]:
    """Run `script` (it prints its workers' pids on one line, then waits), kill it with SIGKILL
    `settle` seconds after that line, and return (the pids it printed, whether all of them ran
    before the kill, those still running 30 s after it)."""
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, cwd=ROOT,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        pids = [int(pid) for pid in parent.stdout.readline().split()]
        ran = bool(pids) and all(alive(pid) for pid in pids)
        time.sleep(settle)
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        parent.stdout.close()
    deadline = time.monotonic() + 30
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    return pids, ran, [pid for pid in pids if alive(pid)]
