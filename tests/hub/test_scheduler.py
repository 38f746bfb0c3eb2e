"""Scheduled syncs: one job per enabled source at its interval, backing off while a source fails."""
from __future__ import annotations

import json
import threading
import time
from dataclasses import replace
from datetime import datetime, timezone

import pytest

from hub import scheduler
from hub.storage import Storage
from tests.portals import entry


def write_portal(folder, entries):
    page = folder / "api/v1/entries/page=1&per_page=100"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(json.dumps({"entries": entries, "meta": {"page": 1, "pages": 1, "total": len(entries)}}))


def test_one_job_per_enabled_source_at_its_interval(make_config, tmp_path):
    write_portal(tmp_path / "a", [])
    config = make_config([
        {"name": "a", "type": "helpto", "url": str(tmp_path / "a"), "interval": "15m"},
        {"name": "b", "type": "helpto", "url": str(tmp_path / "a"), "interval": "2h"},
        {"name": "off", "type": "helpto", "url": str(tmp_path / "a"), "enabled": False},
    ])
    jobs = {job.id: job for job in scheduler.build(config).get_jobs()}
    assert set(jobs) == {"a", "b"}
    assert jobs["a"].trigger.interval.total_seconds() == 900
    assert jobs["b"].trigger.interval.total_seconds() == 7200
    assert jobs["a"].max_instances == 1 and jobs["a"].coalesce


@pytest.mark.parametrize("failures, seconds", [(0, 1800), (1, 3600), (2, 7200), (3, 14400), (4, 21600), (30, 21600)])
def test_backoff_doubles_per_failure_up_to_six_hours(failures, seconds):
    assert scheduler.backoff_seconds(1800, failures) == seconds


def test_the_scheduler_keeps_the_feed_fresh_and_backs_off_a_failing_source(make_config, tmp_path):
    write_portal(tmp_path / "good", [entry(1, titel="Erster Eintrag")])
    (tmp_path / "bad").mkdir()  # no files: every sync fails
    config = make_config([{"name": "good", "type": "helpto", "url": str(tmp_path / "good"), "interval": "1s"},
                          {"name": "bad", "type": "helpto", "url": str(tmp_path / "bad"), "interval": "1s"}])
    jobs = scheduler.build(config, start_in=0)
    jobs.start()
    with Storage(config.database) as storage:
        try:
            wait_for(lambda: storage.counts().get("active") == 1)
            write_portal(tmp_path / "good", [entry(1, titel="Erster Eintrag"), entry(2, titel="Neuer Eintrag")])
            wait_for(lambda: storage.counts().get("active") == 2)
            wait_for(lambda: jobs.get_job("bad").trigger.interval.total_seconds() > 1)
            assert storage.state("bad")["failures"] >= 1
            finished = [r for r in storage.runs("bad") if r["status"] != "running"]
            assert "no such file" in finished[0]["error"]
            assert jobs.get_job("good").trigger.interval.total_seconds() == 1
        finally:
            jobs.shutdown(wait=True)


def test_a_portal_that_asks_to_be_left_alone_is_left_alone_that_long(make_config, tmp_path):
    """A 503 with Retry-After 3600 failed the sync at once (right), and then the scheduler came back in
    twice the interval regardless ('next sync in 120 s': probe helper-54); at most MAX_BACKOFF."""
    from hub.runtime import Runtime

    write_portal(tmp_path / "a", [])
    config = make_config([{"name": "a", "type": "helpto", "url": str(tmp_path / "a"), "interval": "1m"}])
    jobs = scheduler.build(config)
    jobs.start(paused=True)
    try:
        runtime = Runtime(config)
        scheduler._back_off(jobs, runtime, "a", failures=1, retry_after=3600)
        assert jobs.get_job("a").trigger.interval.total_seconds() == 3600
        scheduler._back_off(jobs, runtime, "a", failures=1, retry_after=float("inf"))
        assert jobs.get_job("a").trigger.interval.total_seconds() == scheduler.MAX_BACKOFF
        scheduler._back_off(jobs, runtime, "a", failures=0)
        assert jobs.get_job("a").trigger.interval.total_seconds() == 60
    finally:
        jobs.shutdown(wait=False)


def wait_for(condition, limit: float = 30.0) -> None:
    """Poll until condition holds (a bound on waiting, not a timing assertion)."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.1)


def test_a_job_behind_a_slow_sync_runs_late_rather_than_never(make_config, tmp_path):
    """Syncs run one at a time, so a slow portal's sync holds the others back. A job that waited longer than
    its grace was dropped ('Run time of job "sync alpha" was missed by 0:01:02'), the notify round (calls
    for helpers) after one second already (probe helper-54): every job now runs once, late, when it can."""
    from hub.storage import Storage

    write_portal(tmp_path / "a", [])
    config = make_config([{"name": "a", "type": "helpto", "url": str(tmp_path / "a"), "interval": "1m"}])
    with Storage(config.database) as storage:
        jobs = scheduler.build(config, storage=storage)
    assert {job.id for job in jobs.get_jobs()} >= {"a", scheduler.NOTIFY, scheduler.HOUSEKEEPING}
    assert all(job.misfire_grace_time is None and job.coalesce for job in jobs.get_jobs())


@pytest.mark.parametrize("syncs", [1, 2])
def test_at_most_worker_syncs_sources_are_synced_at_once(make_config, tmp_path, monkeypatch, syncs):
    """Four sources due at once: as many syncs run side by side as [worker] syncs says, never more."""
    write_portal(tmp_path / "a", [])
    config = replace(make_config([{"name": n, "type": "helpto", "url": str(tmp_path / "a"), "interval": "1h"}
                                  for n in ("a", "b", "c", "d")]), syncs=syncs)
    running, most, done = [], [], []
    real_run = scheduler.SourceSync.run

    def run(self, *args, **kwargs):
        running.append(self.source.name)
        most.append(len(running))
        deadline = time.monotonic() + 10  # until as many run as may, or long enough for one more to start
        while len(running) < syncs and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        try:
            return real_run(self, *args, **kwargs)
        finally:
            running.remove(self.source.name)
            done.append(self.source.name)

    monkeypatch.setattr(scheduler.SourceSync, "run", run)
    jobs = scheduler.build(config, start_in=0)
    jobs.start()
    try:
        wait_for(lambda: len(done) == 4)
    finally:
        jobs.shutdown(wait=True)
    assert sorted(done) == ["a", "b", "c", "d"] and max(most) == syncs


def test_a_slow_portal_holds_neither_the_other_sources_nor_the_calls_for_helpers(make_config, tmp_path, monkeypatch):
    """A portal that takes its time over a page (just under request_timeout, as it may) held every other
    source's sync and the notify round behind it, for up to sync_budget: they run beside it now."""
    from hub import subscriptions
    from hub.runtime import Runtime
    from tests.servers import serve

    release = threading.Event()
    asked = threading.Event()
    body = json.dumps({"entries": [entry(7, titel="Langsamer Eintrag")],
                       "meta": {"page": 1, "pages": 1, "total": 1}}).encode()

    def slow(request):
        asked.set()
        release.wait(60)  # the portal answers once the test has seen what it looks for
        return 200, {"Content-Type": "application/json"}, body

    write_portal(tmp_path / "fast", [entry(1, titel="Schneller Eintrag")])
    rounds = []
    real_notify = subscriptions.notify
    monkeypatch.setattr(subscriptions, "notify", lambda *a, **k: rounds.append(time.monotonic()) or real_notify(*a, **k))
    with serve(slow) as url:
        slow_source = {"name": "slow", "type": "helpto", "url": url, "interval": "1h", "request_timeout": "90s"}
        config = make_config([slow_source], allow_private_addresses=True)
        with Storage(config.database) as storage:
            jobs = scheduler.build(config, start_in=0, storage=storage)
            jobs.start()
            try:
                wait_for(asked.is_set)  # the slow portal's sync has begun; then a source is added, a round is due
                more = make_config([slow_source, {"name": "fast", "type": "helpto", "url": str(tmp_path / "fast"),
                                                  "interval": "1h"}], allow_private_addresses=True)
                scheduler.apply(jobs, Runtime(more), storage=storage)
                rounds.clear()
                jobs.modify_job(scheduler.NOTIFY, next_run_time=datetime.now(timezone.utc))
                wait_for(lambda: storage.listings_in("active", "fast"))  # shown, while the slow portal takes its time
                wait_for(lambda: rounds)  # and a notify round ran meanwhile
                assert not release.is_set() and storage.runs("slow")[0]["status"] == "running"
                release.set()
                wait_for(lambda: storage.listings_in("active", "slow"))
            finally:
                release.set()
                jobs.shutdown(wait=True)
def test_shutting_down_while_a_sync_runs_ends_when_the_sync_ends(make_config, tmp_path, monkeypatch):
    """shutdown(wait=True) holds the scheduler's job-store lock while it waits for the running job:
    a job that then asks the scheduler anything must not wait for that lock (it deadlocked)."""
    import threading

    write_portal(tmp_path / "a", [])
    config = make_config([{"name": "a", "type": "helpto", "url": str(tmp_path / "a"), "interval": "1h"}])
    started, real_run = threading.Event(), scheduler.SourceSync.run

    def slow_run(self, *args, **kwargs):
        started.set()
        time.sleep(0.5)  # shutdown begins while the sync runs
        return real_run(self, *args, **kwargs)

    monkeypatch.setattr(scheduler.SourceSync, "run", slow_run)
    jobs = scheduler.build(config, start_in=0)
    jobs.start()
    assert started.wait(30)
    stopper = threading.Thread(target=jobs.shutdown, kwargs={"wait": True}, daemon=True)
    stopper.start()
    stopper.join(60)  # a bound on waiting, not a timing assertion: a deadlock never ends
    assert not stopper.is_alive(), "shutdown never returned"


@pytest.mark.parametrize("syncs", [2, 3])
def test_a_partners_slow_source_holds_neither_its_other_sources_nor_anyone_elses(make_config, tmp_path, monkeypatch,
                                                                                 syncs):
    """Two partners' portals that took their time (sync_budget up to an hour, every 5 minutes) held both sync
    threads, and a third partner's new source waited minutes for its first sync (probe helper-63). A partner's
    sources are synced one at a time, and partners' sources together leave one thread to hub.toml's."""
    write_portal(tmp_path / "a", [])
    config = make_config([{"name": n, "type": "helpto", "url": str(tmp_path / "a"), "interval": "1h"}
                          for n in ("a1", "a2", "b1", "f1")])
    owners = {"a1": "alpha", "a2": "alpha", "b1": "beta"}
    config = replace(config, syncs=syncs, sources=tuple(replace(s, partner=owners.get(s.name)) for s in config.sources))
    monkeypatch.setattr(scheduler, "SLOT_RETRY", 0.5, raising=False)
    release, started, ended, waited, events = threading.Event(), [], [], [], []
    real_run, real_again = scheduler.SourceSync.run, getattr(scheduler, "_look_again", None)

    def run(self, *args, **kwargs):
        started.append(self.source.name)
        events.append(("start", self.source.name))
        if self.source.name == "a1":
            release.wait(60)  # alpha's portal takes its time
        try:
            return real_run(self, *args, **kwargs)
        finally:
            ended.append(self.source.name)
            events.append(("end", self.source.name))

    monkeypatch.setattr(scheduler.SourceSync, "run", run)
    monkeypatch.setattr(scheduler, "_look_again", lambda s, name: waited.append(name) or real_again(s, name), raising=False)
    jobs = scheduler.build(config)  # (each first due an interval from now)
    jobs.start()
    try:
        jobs.modify_job("a1", next_run_time=datetime.now(timezone.utc))
        wait_for(lambda: "a1" in started)  # alpha's slow sync holds a thread; then every other source is due
        for name in ("a2", "b1", "f1"):
            jobs.modify_job(name, next_run_time=datetime.now(timezone.utc))
        wait_for(lambda: "f1" in ended and "a2" in waited)  # hub.toml's source beside it; alpha's other one waits
        if syncs == 3:
            wait_for(lambda: "b1" in ended)  # another partner's source too
        else:  # the partners' sources have one thread of two: beta's waits for it, hub.toml's never does
            wait_for(lambda: "b1" in waited)
        assert "a2" not in started and not release.is_set()
        release.set()
        wait_for(lambda: {"a1", "a2", "b1"} <= set(ended))
        assert events.index(("start", "a2")) > events.index(("end", "a1"))  # alpha's second source after its first
    finally:
        release.set()
        jobs.shutdown(wait=True)


def test_a_sync_waits_for_a_re_clustering_beside_it_rather_than_fail_with_database_is_locked(make_config, tmp_path,
                                                                                           monkeypatch):
    """A sync's re-clustering holds the write lock for its whole length (minutes, where a re-estimated model
    re-clusters a national federation); a sync beside it waited the 30 s a web request waits and crashed with
    'database is locked' (review helper-71). A worker's jobs wait JOB_BUSY_TIMEOUT: here the lock is held for
    3 s, longer than a job allowed 1 s waits and shorter than one allowed 20 s does."""
    import sqlite3

    write_portal(tmp_path / "b", [entry(1, titel="Fahrrad abzugeben")])
    config = make_config([{"name": "b", "type": "helpto", "url": str(tmp_path / "b"), "interval": "1h"}])
    with Storage(config.database):
        pass  # migrated
    assert scheduler.JOB_BUSY_TIMEOUT >= 600

    def sync_beside_a_held_lock(allowed: float) -> dict:
        monkeypatch.setattr(scheduler, "JOB_BUSY_TIMEOUT", allowed)
        holder = sqlite3.connect(config.database, isolation_level=None, check_same_thread=False)
        holder.execute("BEGIN IMMEDIATE")  # another sync's re-clustering
        releaser = threading.Timer(3, lambda: holder.execute("COMMIT"))
        releaser.start()
        try:
            scheduler.run_source(config, "b")
        finally:
            releaser.join()
            holder.close()
        with Storage(config.database) as storage:
            return storage.state("b")

    assert not sync_beside_a_held_lock(1).get("last_success_at")  # as before: it gave up ('scheduled sync crashed')
    state = sync_beside_a_held_lock(20)
    assert state["failures"] == 0 and state["last_success_at"]


def test_a_partners_source_back_from_a_pause_syncs_no_sooner_than_partner_sync_allows(make_config):
    """A partner pausing and resuming its source (or deleting and registering it again) had it synced at once each
    time, every few seconds, past the 5 minutes of [limits] partner_sync its 'sync now' keeps to (review helper-78).
    The operator's source back from a pause still syncs at once."""
    from datetime import timedelta

    from apscheduler.schedulers.background import BackgroundScheduler

    from hub.runtime import Runtime

    config = make_config([{"name": "file", "type": "helpto", "url": "https://file.example/api"},
                          {"name": "kiez", "type": "helpto", "url": "https://kiez.example/api"}])
    config = replace(config, sources=(config.sources[0], replace(config.sources[1], partner="kiez")))
    now = datetime.now(timezone.utc)
    with Storage(config.database) as storage:
        with storage.transaction():
            for name in ("file", "kiez"):  # synced a minute ago, paused since, resumed now
                storage.set_state(name, last_run_at=(now - timedelta(minutes=1)).isoformat(),
                                  inactive_since=now.isoformat())
        jobs = BackgroundScheduler(timezone=timezone.utc)
        scheduler.apply(jobs, Runtime(config), storage=storage)
        first = {name: jobs.get_job(name).next_run_time for name in ("file", "kiez")}
    assert first["file"] - now < timedelta(minutes=1)
    assert first["kiez"] - now > timedelta(minutes=3)  # 5 minutes after its last sync
