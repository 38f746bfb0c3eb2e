"""Rate-limit counting shared by a server's web processes (hub/web/limits.py)."""
from __future__ import annotations

import multiprocessing
import os
import signal
import time

from hub.web.limits import SharedWindows


def _hold_the_lock_and_wait(windows: SharedWindows, holding) -> None:
    with windows.locked():
        holding.set()
        time.sleep(60)


def test_a_web_process_killed_while_counting_leaves_the_limit_counted_and_nobody_waiting():
    """gunicorn kills a stuck worker with SIGKILL, maybe in the middle of counting: the others go on
    counting every request at once (no lock held by the dead for good, no request let through)."""
    windows = SharedWindows()
    context = multiprocessing.get_context("fork")
    holding = context.Event()
    child = context.Process(target=_hold_the_lock_and_wait, args=(windows, holding))
    child.start()
    assert holding.wait(10)
    os.kill(child.pid, signal.SIGKILL)
    child.join(10)
    started = time.monotonic()
    answers = [windows.hit(("public", "203.0.113.1"), 2, 60) for _ in range(3)]
    waited = time.monotonic() - started
    assert answers[:2] == [None, None] and answers[2] is not None and 59 < answers[2] <= 60
    assert waited < 0.4, waited  # not a lock timeout on each request


def test_web_processes_count_one_client_together():
    windows = SharedWindows()
    context = multiprocessing.get_context("fork")
    children = [context.Process(target=lambda: [windows.hit(("public", "a"), 100, 60) for _ in range(25)])
                for _ in range(4)]
    for child in children:
        child.start()
    for child in children:
        child.join(30)
    assert windows.hit(("public", "a"), 100, 60) is not None  # the 101st
    assert windows.hit(("public", "b"), 100, 60) is None


def test_a_clock_set_back_does_not_keep_a_client_refused(monkeypatch):
    """The window runs on the clock that never steps back: setting the wall clock back an hour (NTP, an
    operator) does not make a refused client wait an hour more."""
    windows = SharedWindows()
    assert windows.hit(("public", "c"), 1, 1) is None
    assert windows.hit(("public", "c"), 1, 1) is not None
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() - 3600)
    time.sleep(1.05)
    assert windows.hit(("public", "c"), 1, 1) is None


def test_an_ipv6_line_is_one_client_however_many_addresses_it_uses(make_config):
    """A subscriber's line holds a whole /64: stepping through its addresses does not step around a limit."""
    from dataclasses import replace

    from hub.web import create_app

    config = make_config()
    client = create_app(replace(config, limits={**config.limits, "public": (3, 60)})).test_client()
    codes = [client.get("/api/v1/listings", environ_base={"REMOTE_ADDR": f"2001:db8:1:2::{n:x}"}).status_code
             for n in range(1, 6)]
    assert codes == [200, 200, 200, 429, 429]
    other_line = client.get("/api/v1/listings", environ_base={"REMOTE_ADDR": "2001:db8:1:3::1"})
    assert other_line.status_code == 200
    ipv4 = [client.get("/api/v1/listings", environ_base={"REMOTE_ADDR": address}).status_code
            for address in ("203.0.113.5", "::ffff:203.0.113.5", "203.0.113.5", "203.0.113.6")]
    assert ipv4 == [200, 200, 200, 200]  # an IPv4 address written as IPv6 is that address; another is another
    assert client.get("/api/v1/listings", environ_base={"REMOTE_ADDR": "203.0.113.5"}).status_code == 429
