"""The stop flag of `run` and of the scheduler worker: set from signal handlers, so without a lock."""
from __future__ import annotations

import os
import resource
import signal
import sys
import threading
import time

import pytest

from hub.flag import Flag


def test_wait_returns_when_set_and_times_out_otherwise():
    flag = Flag()
    assert flag.wait(0.05) is False and not flag.is_set()
    threading.Timer(0.2, flag.set).start()
    assert flag.wait(30) is True and flag.is_set()
    flag.set()  # again: harmless, and every later wait returns at once
    assert flag.wait(0) is True and flag.wait(None) is True


def test_a_signal_handler_may_set_it_while_the_same_thread_waits_or_sets():
    """What deadlocked threading.Event: the handler runs in the thread that is inside wait() or set()."""
    flag = Flag()
    previous = signal.signal(signal.SIGUSR1, lambda *_: flag.set())
    try:
        threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGUSR1)).start()
        started = time.monotonic()
        assert flag.wait(30) is True  # woken by the handler, not by the timeout
        assert time.monotonic() - started < 25

    finally:
        signal.signal(signal.SIGUSR1, previous)


def reentered(flag, method: str, *args) -> None:
    """Call flag.<method>(*args) with a second set() cutting in at every line it runs (as a signal
    handler can, between any two bytecodes of the main thread)."""
    inner = getattr(type(flag), method).__code__

    def trace(frame, event, arg):
        if frame.f_code is inner:
            def line(frame, event, arg):
                if event == "line":
                    sys.settrace(None)
                    flag.set()
                    sys.settrace(trace)
                return line
            return line
        return None

    sys.settrace(trace)
    try:
        getattr(flag, method)(*args)
    finally:
        sys.settrace(None)


def test_a_set_cutting_into_set_or_wait_neither_blocks():
    """threading.Event deadlocks here: the cutting-in set() waits for the lock its own thread holds."""
    done = []

    def both():
        reentered(Flag(), "set")
        reentered(Flag(), "wait", 5)
        done.append(True)

    thread = threading.Thread(target=both, daemon=True)
    thread.start()
    thread.join(30)
    assert done == [True]


def test_a_set_in_a_forked_process_does_not_wake_the_parent():
    """Review: a web process forked from run set the flag on its way out, and the byte it wrote woke
    the parent's waiter for good (its loop spun at full CPU)."""
    flag = Flag()
    pid = os.fork()
    if pid == 0:  # the child: set there, seen there
        flag.set()
        os._exit(0 if flag.wait(0) and flag.wait(None) else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    started = time.monotonic()
    assert flag.wait(0.3) is False and time.monotonic() - started >= 0.25  # still waits its time


def test_a_flag_made_when_many_files_are_open_can_be_waited_on():
    """select() takes no descriptor numbered 1024 or more; the flag's pipe may have one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if max(soft, hard if hard != resource.RLIM_INFINITY else 4096) < 1200:
        pytest.skip("this process may not open 1200 files")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1200), hard))
    held = []
    try:
        while not held or held[-1] < 1030:
            held.append(os.dup(0))
        flag = Flag()
        assert flag.wait(0.01) is False
        threading.Timer(0.1, flag.set).start()
        assert flag.wait(30) is True
    finally:
        for fd in held:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
