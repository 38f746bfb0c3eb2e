"""How many CPUs the hub counts on (hub/cpus.py): the web processes of run and serve, the deduplicator's workers."""
from __future__ import annotations

import os

import pytest

from hub import cpus

ALLOWED = len(os.sched_getaffinity(0))


@pytest.mark.parametrize("files, expected", [
    ({"cpu.max": "150000 100000\n"}, min(ALLOWED, 2)),            # a container of 1.5 CPUs: 2
    ({"cpu.max": "50000 100000\n"}, 1),                           # half a CPU: still one
    ({"cpu.max": "max 100000\n"}, ALLOWED),                       # no quota
    ({"cpu/cpu.cfs_quota_us": "100000\n", "cpu/cpu.cfs_period_us": "100000\n"}, 1),   # cgroup v1
    ({"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"}, ALLOWED),
    ({"cpu.max": "garbage"}, ALLOWED),
    ({}, ALLOWED),                                                # no cgroup files at all
])
def test_a_cgroup_quota_caps_the_cpus(tmp_path, files, expected):
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert cpus.available(tmp_path) == expected


def test_the_cpus_this_process_may_run_on_count_not_the_machines(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    assert cpus.available(tmp_path) == 1
