"""How many CPUs this process may use: the ones it may run on, and no more than its cgroup's CPU
quota (a container limited to 1.5 CPUs on a 64-core host gets 2 web processes, not 64)."""
from __future__ import annotations

import math
import os
from pathlib import Path

CGROUP = Path("/sys/fs/cgroup")


def available(cgroup: Path = CGROUP) -> int:
    """The CPUs this process may run on, capped by a cgroup v2 (cpu.max) or v1 (cpu.cfs_quota_us
    over cpu.cfs_period_us) quota; at least 1."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        cpus = os.cpu_count() or 1
    quota = _quota(cgroup)
    return max(1, min(cpus, math.ceil(quota)) if quota else cpus)


def _quota(cgroup: Path) -> float | None:
    """The cgroup's CPU quota in CPUs, or None where it sets none (or says nothing readable)."""
    try:
        limit, period = (cgroup / "cpu.max").read_text().split()[:2]  # v2: "150000 100000" or "max 100000"
        if limit != "max" and float(period) > 0:
            return float(limit) / float(period)
        return None
    except (OSError, ValueError):
        pass
    try:  # v1
        limit = float((cgroup / "cpu" / "cpu.cfs_quota_us").read_text())
        period = float((cgroup / "cpu" / "cpu.cfs_period_us").read_text())
        return limit / period if limit > 0 and period > 0 else None
    except (OSError, ValueError):
        return None
