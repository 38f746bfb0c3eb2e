"""Exactly one scheduler: the lease, two worker processes on one database, a standby taking over,
one sync of a source at a time across processes, reload on SIGHUP."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from hub import config as hub_config, scheduler
from hub.runtime import Runtime
from hub.storage import Storage
from hub.storage.leases import Lease
from hub.sync import SourceSync
from tests.hub.test_scheduler import wait_for, write_portal
from tests.portals import entry

HELFERHUB = [sys.executable, "-m", "hub"]


def write_config(path: Path, sources: list[dict], **worker) -> Path:
    lines = ['[hub]', f'database = "{path.parent / "hub.db"}"', '[worker]',
             f'lease = "{worker.get("lease", "2s")}"', 'jitter = "0"'] + [f"{k} = {v}" for k, v in worker.items() if k != "lease"]
    for source in sources:
        lines.append("[[sources]]")
        lines += [f"{k} = {json.dumps(v)}" for k, v in source.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


def portal(folder: Path, n: int = 2) -> str:
    write_portal(folder, [entry(i, titel=f"Eintrag {folder.name} {i}") for i in range(1, n + 1)])
    return str(folder)


def start_worker(config: Path, log: Path) -> subprocess.Popen:
    with log.open("ab") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen([*HELFERHUB, "--config", str(config), "worker"], stdout=out, stderr=subprocess.STDOUT,
                                cwd=config.parent)


def runs(db: Path) -> list[dict]:
    with Storage(db) as storage:
        return list(storage.db["sync_runs"].rows_where(order_by="id"))


def holder_pid(db: Path) -> int | None:
    with Storage(db) as storage:
        row = storage.db.execute("select pid from leases where name = 'scheduler'").fetchone()
    return row[0] if row else None


def stop(*procs: subprocess.Popen) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


# -- the lease ----------------------------------------------------------------------------------

def test_a_lease_has_one_holder_until_it_lapses(storage):
    first, second = Lease(storage, "job", ttl=0.5), Lease(storage, "job", ttl=0.5)
    assert first.acquire() and not second.acquire()
    assert first.renew() and first.acquire()  # the holder keeps it
    time.sleep(0.6)  # first stops renewing: the lease lapses
    assert second.acquire()
    assert not first.renew() and not first.acquire()  # it knows it lost the lease
    second.release()
    assert first.acquire()


def test_a_renewal_left_to_another_threads_write_is_true_only_for_our_lease_and_outlives_its_rollback(tmp_path):
    """A renewal left to this process's open write transaction said True even where another process had taken the
    lease before that transaction began, so a worker that had lost its lease went on scheduling; and a transaction
    that then rolled back took the renewal with it, though the scheduler counted the lease renewed (review
    helper-78)."""
    with Storage(tmp_path / "hub.db") as mine, Storage(tmp_path / "hub.db") as writer:
        lost, kept = Lease(mine, "scheduler", ttl=60), Lease(mine, "notify", ttl=60)
        assert lost.acquire() and kept.acquire()
        with writer.transaction():  # another process took "scheduler" (it had lapsed), before the write began
            writer.db.execute("update leases set holder = 'elsewhere:1:x', host = 'elsewhere' "
                              "where name = 'scheduler'")
        with mine.transaction():
            mine.db.execute("update leases set expires_at = ? where name = 'notify'", [time.time() + 1])
        try:
            with writer.transaction():  # a re-clustering of another thread of this process, which then fails
                writer.db.execute("update feed_state set changed_at = changed_at")
                assert not lost.renew()  # not ours: the worker must stop scheduling
                assert kept.renew()
                raise RuntimeError("the re-clustering failed")
        except RuntimeError:
            pass
        assert kept.current()["expires_at"] > time.time() + 50  # renewed though the transaction rolled back
        assert kept.current()["holder"] == kept.holder


def test_the_schedulers_loop_publishes_next_runs_without_waiting_for_another_threads_write_lock(tmp_path):
    """The loop that renews the scheduler's lease wrote the sources' next runs every beat, waiting for the write lock:
    behind a re-clustering of its own worker it waited past the lease time, stopped scheduling and let a standby take
    over, though its renewal had been left to that transaction (review helper-78; the worker test above failed)."""
    with Storage(tmp_path / "hub.db", busy_timeout=0.05) as loop, Storage(tmp_path / "hub.db") as writer:
        with writer.transaction():  # a re-clustering of another thread
            writer.db.execute("update feed_state set changed_at = changed_at")
            loop.publish_next_runs({"a": "2026-12-07T12:00:00+00:00"})  # no 'database is locked'
        assert loop.state("a")["next_run_at"] == "2026-12-07T12:00:00+00:00"
        loop.publish_next_runs({"a": None})
        assert loop.state("a")["next_run_at"] is None


def test_a_lease_of_a_dead_process_on_this_host_is_free_at_once(storage):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    ghost = Lease(storage, "job", ttl=3600)
    ghost.pid = dead.pid  # as if that process had taken it and died
    assert ghost.acquire()
    assert Lease(storage, "job", ttl=3600).acquire()


def test_a_source_synced_by_another_process_is_busy_not_synced_twice(make_config, tmp_path):
    config = make_config([{"name": "a", "type": "helpto", "url": portal(tmp_path / "a")}])
    with Storage(config.database) as storage:
        other = Lease(storage, "sync:a", ttl=600, holder="elsewhere:1:x")
        other.host = "elsewhere"
        assert other.acquire()
        result = SourceSync(config, storage, config.source("a")).run()
        assert result.status == "busy" and "elsewhere" in result.error
        assert storage.runs("a") == [] and storage.counts() == {}
        other.release()
        assert SourceSync(config, storage, config.source("a")).run().status == "ok"
        assert storage.counts() == {"active": 2}


# -- the schedule -------------------------------------------------------------------------------

def test_jobs_start_when_due_after_the_last_run_with_jitter(make_config, tmp_path):
    config = make_config([{"name": "a", "type": "helpto", "url": portal(tmp_path / "a"), "interval": "1h"},
                          {"name": "b", "type": "helpto", "url": portal(tmp_path / "b"), "interval": "30m"}])
    with Storage(config.database) as storage:
        just_now = datetime.now(timezone.utc) - timedelta(minutes=10)
        storage.set_state("a", last_run_at=just_now.isoformat(), failures=0)
        jobs = {job.id: job for job in scheduler.build(config, storage=storage).get_jobs()}
    assert abs(jobs["a"].next_run_time - (just_now + timedelta(hours=1))) < timedelta(seconds=1)  # not again at once
    assert jobs["b"].next_run_time <= datetime.now(timezone.utc) + timedelta(seconds=1)  # never ran: due now
    assert jobs["a"].trigger.jitter == 300 and jobs["b"].trigger.jitter == 180  # a tenth, at most [worker] jitter
    assert "housekeeping" in jobs and jobs["a"].coalesce and jobs["a"].max_instances == 1


def test_a_reload_reschedules_adds_and_drops_jobs(make_config, tmp_path):
    config_path = write_config(tmp_path / "hub.toml", [
        {"name": "a", "type": "helpto", "url": portal(tmp_path / "a"), "interval": "1h"},
        {"name": "b", "type": "helpto", "url": portal(tmp_path / "b"), "interval": "1h"}])
    runtime = Runtime(hub_config.load(config_path))
    jobs = scheduler.build(runtime)
    runtime.on_change(lambda old, new: scheduler.apply(jobs, runtime))
    write_config(config_path, [
        {"name": "a", "type": "helpto", "url": str(tmp_path / "a"), "interval": "2h"},
        {"name": "c", "type": "helpto", "url": str(tmp_path / "b"), "interval": "1h"}])
    assert runtime.reload()
    assert {j.id: j.trigger.interval.total_seconds() for j in jobs.get_jobs()} == {"a": 7200, "c": 3600}


# -- two worker processes -----------------------------------------------------------------------

def test_two_workers_run_each_job_once_and_the_standby_takes_over(tmp_path):
    sources = [{"name": n, "type": "helpto", "url": portal(tmp_path / n), "interval": "1h"} for n in ("a", "b", "c")]
    # a lease of 10 s: with 2 s a loaded machine (CI) starved the holder's first sync for 1.5 s, and it
    # stopped scheduling, rightly, before its lease lapsed; the standby took over a dead holder at once anyway
    config = write_config(tmp_path / "hub.toml", sources, lease="10s")
    db, log = tmp_path / "hub.db", tmp_path / "workers.log"
    first = start_worker(config, log)
    second = start_worker(config, log)
    try:
        wait_for(lambda: db.exists() and len([r for r in runs(db) if r["status"] == "ok"]) == 3, 60)
        time.sleep(3)  # both run on: a second scheduler would sync each source again at once
        done = runs(db)
        assert sorted(r["source"] for r in done) == ["a", "b", "c"]  # each job ran exactly once
        assert len({r["pid"] for r in done}) == 1
        holder = holder_pid(db)
        assert holder == done[0]["pid"] and holder in (first.pid, second.pid)
        standby = second if holder == first.pid else first
        os.kill(holder, signal.SIGKILL)  # the holder dies without giving the lease back
        wait_for(lambda: holder_pid(db) == standby.pid, 30)  # within the lease time and a heartbeat
        time.sleep(2)
        assert len(runs(db)) == 3  # the new holder knows they ran: nothing is due for an hour
        with Storage(db) as storage:
            assert all(storage.state(n)["next_run_at"] for n in ("a", "b", "c"))
        assert "standing by" in log.read_text()
    finally:
        stop(first, second)


def test_two_workers_never_sync_a_source_twice_at_once(tmp_path):
    sources = [{"name": n, "type": "helpto", "url": portal(tmp_path / n, 30), "interval": "1s"} for n in ("a", "b")]
    config = write_config(tmp_path / "hub.toml", sources, lease="10s")  # one holder throughout, even under load
    db = tmp_path / "hub.db"
    procs = [start_worker(config, tmp_path / "workers.log") for _ in range(2)]
    try:
        wait_for(lambda: db.exists() and len([r for r in runs(db) if r["finished_at"]]) >= 8, 90)
    finally:
        stop(*procs)
    done = [r for r in runs(db) if r["finished_at"]]
    assert len({r["pid"] for r in done}) == 1
    for name in ("a", "b"):  # the two sources may be synced side by side ([worker] syncs), each once at a time
        spans = sorted((datetime.fromisoformat(r["started_at"]), datetime.fromisoformat(r["finished_at"]))
                       for r in done if r["source"] == name)
        for (_, end), (start, _) in zip(spans, spans[1:]):
            assert start >= end  # one sync of a source at a time, never two at once


def test_sighup_applies_a_good_config_and_keeps_the_running_one_on_a_bad_one(tmp_path):
    config = write_config(tmp_path / "hub.toml", [
        {"name": "a", "type": "helpto", "url": portal(tmp_path / "a"), "interval": "1h"}])
    db, log = tmp_path / "hub.db", tmp_path / "worker.log"
    proc = start_worker(config, log)
    try:
        wait_for(lambda: db.exists() and [r["source"] for r in runs(db) if r["finished_at"]] == ["a"], 60)
        good = config.read_text() + '[[sources]]\nname = "b"\ntype = "helpto"\nurl = "%s"\ninterval = "1h"\n' % portal(tmp_path / "b")
        config.write_text(good)
        proc.send_signal(signal.SIGHUP)
        wait_for(lambda: "b" in [r["source"] for r in runs(db) if r["finished_at"]], 60)  # the new source is synced
        config.write_text(good.replace('interval = "1h"', 'interval = "soon"', 1))
        proc.send_signal(signal.SIGHUP)
        wait_for(lambda: "the running config stays" in log.read_text(), 30)
        assert proc.poll() is None  # SIGHUP never kills it
        text = log.read_text()
        assert "sources[0].interval: 'soon' is not an interval" in text

        def scheduled():
            with Storage(db) as storage:
                return all(storage.state(n).get("next_run_at") for n in ("a", "b"))

        wait_for(scheduled, 30)  # both still scheduled under the config that was good
        assert proc.poll() is None
    finally:
        stop(proc)


def test_a_reload_keeps_the_syncs_at_once_the_worker_started_with_and_says_so(tmp_path, caplog):
    """The pool of sync threads is made at start: a reload that changes [worker] syncs says that it takes
    a restart, and the running config keeps telling what the worker does."""
    source = {"name": "a", "type": "helpto", "url": portal(tmp_path / "a"), "interval": "1h"}
    config_path = write_config(tmp_path / "hub.toml", [source], syncs=3)
    runtime = Runtime(hub_config.load(config_path))
    assert runtime.config.syncs == 3
    write_config(config_path, [source], syncs=5)
    with caplog.at_level("WARNING", logger="hub.runtime"):
        assert runtime.reload()
    assert runtime.config.syncs == 3
    assert "worker.syncs changed to 5; a running worker keeps syncing 3 sources at once (restart it" in caplog.text


def test_the_file_watcher_reloads_a_changed_config(tmp_path):
    config_path = write_config(tmp_path / "hub.toml", [
        {"name": "a", "type": "helpto", "url": portal(tmp_path / "a"), "interval": "1h"}])
    runtime = Runtime(hub_config.load(config_path))
    seen = []
    runtime.on_change(lambda old, new: seen.append([s.name for s in new.sources]))
    runtime.watch(every=0.05)
    try:
        time.sleep(0.2)
        write_config(config_path, [{"name": "a", "type": "helpto", "url": str(tmp_path / "a")},
                                   {"name": "b", "type": "helpto", "url": str(tmp_path / "a")}])
        wait_for(lambda: seen == [["a", "b"]], 10)
        assert [s.name for s in runtime.config.sources] == ["a", "b"]
    finally:
        runtime.stop()


def test_a_process_started_with_sighup_ignored_catches_up_on_the_reload_it_missed(tmp_path):
    """`run` starts its scheduler with SIGHUP ignored until it handles it: a reload asked for meanwhile is
    not lost, an unchanged file is not reloaded, and SIGHUP reloads from then on."""
    config_path = write_config(tmp_path / "hub.toml", [
        {"name": "a", "type": "helpto", "url": portal(tmp_path / "a"), "interval": "1h"}])
    started = Runtime(hub_config.load(config_path))  # read, then the file changes before SIGHUP is handled
    seen = {"started": [], "unchanged": []}
    started.on_change(lambda old, new: seen["started"].append([s.name for s in new.sources]))
    write_config(config_path, [{"name": "a", "type": "helpto", "url": str(tmp_path / "a")},
                               {"name": "b", "type": "helpto", "url": str(tmp_path / "a")}])
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        started.handle_sighup()
        wait_for(lambda: seen["started"] == [["a", "b"]], 10)
        config_path.write_text(config_path.read_text() + '[[sources]]\nname = "c"\ntype = "govolunteer"\n'
                               f'url = "{tmp_path / "a"}"\ntoken = {{ env = "HELFERHUB_TEST_TOKEN" }}\n')
        os.environ["HELFERHUB_TEST_TOKEN"] = "geheim"  # a secret read twice is the same config
        unchanged = Runtime(hub_config.load(config_path))
        unchanged.on_change(lambda old, new: seen["unchanged"].append([s.name for s in new.sources]))
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        unchanged.handle_sighup()
        time.sleep(0.5)
        assert seen["unchanged"] == []  # nothing missed: no reload
        os.kill(os.getpid(), signal.SIGHUP)  # handled now, no longer ignored
        wait_for(lambda: seen["unchanged"] == [["a", "b", "c"]], 10)
    finally:
        signal.signal(signal.SIGHUP, previous)
        os.environ.pop("HELFERHUB_TEST_TOKEN", None)


def test_a_reload_that_fails_unexpectedly_leaves_sighup_working(tmp_path, monkeypatch, caplog):
    """SIGHUP's one reload thread outlives a reload that raised (say, the database of registered
    sources unreadable for a moment): the next SIGHUP reloads."""
    config_path = write_config(tmp_path / "hub.toml", [
        {"name": "a", "type": "helpto", "url": portal(tmp_path / "a"), "interval": "1h"}])
    runtime = Runtime(hub_config.load(config_path))
    seen = []
    runtime.on_change(lambda old, new: seen.append(len(new.sources)))
    faults = [sqlite3.OperationalError("database is locked")]
    registered = Runtime._with_registered

    def flaky(self, config):
        if faults:
            raise faults.pop()
        return registered(self, config)

    monkeypatch.setattr(Runtime, "_with_registered", flaky)
    previous = signal.signal(signal.SIGHUP, signal.SIG_DFL)
    try:
        runtime.handle_sighup()
        os.kill(os.getpid(), signal.SIGHUP)
        wait_for(lambda: "config reload failed" in caplog.text, 10)
        assert seen == []
        os.kill(os.getpid(), signal.SIGHUP)
        wait_for(lambda: seen == [1], 10)
    finally:
        signal.signal(signal.SIGHUP, previous)


def test_a_running_worker_takes_in_a_source_a_partner_registers(tmp_path):
    from hub import partners
    from tests.portals import HelpToPortal

    config = write_config(tmp_path / "hub.toml", [
        {"name": "a", "type": "helpto", "url": portal(tmp_path / "a"), "interval": "1h"}])
    config.write_text(config.read_text().replace("[worker]", "allow_private_addresses = true\n[worker]"))
    db, log = tmp_path / "hub.db", tmp_path / "worker.log"
    remote = HelpToPortal([entry(1, titel="Fahrrad abzugeben")])
    with remote.serve() as url:
        proc = start_worker(config, log)
        try:
            wait_for(lambda: db.exists() and [r["source"] for r in runs(db) if r["finished_at"]] == ["a"], 60)
            with Storage(db) as storage:
                partners.register(hub_config.load(config), storage, partners.Token("t1", "kiez", "partner"),
                                  {"name": "kiez", "type": "helpto", "url": url, "interval": "1h"})
            wait_for(lambda: "kiez" in [r["source"] for r in runs(db) if r["status"] == "ok"], 60)
            with Storage(db) as storage:
                assert storage.listings_in("active", "kiez")[0]["data"]["title"] == "Fahrrad abzugeben"
                partners.delete(storage, partners.Token("t1", "kiez", "partner"), "kiez")
            wait_for(lambda: "kiez: no longer scheduled" in log.read_text(), 30)  # the worker dropped its job
            assert "registered sources changed" in log.read_text()
            with Storage(db) as storage:
                assert lifecycle_state(storage, hub_config.load(config), "kiez") == "removed"
        finally:
            stop(proc)


def lifecycle_state(storage, config, name):
    from hub import lifecycle

    return {e["name"]: e["state"] for e in lifecycle.overview(config, storage)}.get(name)


def test_a_rename_by_reload_carries_the_records_over_before_the_new_name_syncs(tmp_path):
    """Found by review: the new name's job used to sync before the rename ran, duplicating every record."""
    import threading

    from hub.scheduler import Worker

    write_portal(tmp_path / "b", [entry(i, titel=f"Angebot {i}") for i in range(1, 4)])
    b = {"name": "b", "type": "helpto", "url": str(tmp_path / "b"), "interval": "1h"}
    config_path = write_config(tmp_path / "hub.toml", [b])
    for trial in range(3):  # a race: tried more than once
        db = tmp_path / f"hub{trial}.db"
        config_path.write_text(config_path.read_text().replace(str(tmp_path / "hub.db"), str(db))
                               .replace(str(tmp_path / f"hub{trial - 1}.db"), str(db)))
        runtime = Runtime(hub_config.load(config_path))
        worker = Worker(runtime)
        thread = threading.Thread(target=worker.run, daemon=True)
        thread.start()
        try:
            wait_for(lambda: Storage(db).state("b").get("last_run_at"), 30)
            with Storage(db) as storage:
                before = sorted(r["id"] for r in storage.listings_in("active", "b"))
            text = config_path.read_text().replace('name = "b"', 'name = "b-neu"\nrenamed_from = "b"')
            config_path.write_text(text)
            assert runtime.reload()
            wait_for(lambda: Storage(db).state("b-neu").get("id_namespace") == "b", 30)  # carried over
            time.sleep(1.5)  # a sync of the new name made too early would have listed every record again by now
        finally:
            worker.stop()
            thread.join(30)
        with Storage(db) as storage:
            assert sorted(r["id"] for r in storage.listings_in("active", "b-neu")) == before
            assert storage.listings_in("active", "b") == [] and storage.counts() == {"active": 3}
        config_path.write_text(config_path.read_text().replace('name = "b-neu"\nrenamed_from = "b"', 'name = "b"'))


def test_a_stopping_worker_keeps_its_lease_until_its_running_sync_ends(tmp_path, monkeypatch):
    """Found by review: a worker stopping during a sync let the lease lapse, and a standby scheduled meanwhile."""
    import threading

    from hub import scheduler as scheduling
    from hub.scheduler import Worker

    config_path = write_config(tmp_path / "hub.toml", [
        {"name": "a", "type": "helpto", "url": portal(tmp_path / "a"), "interval": "1h"}], lease="2s")
    started, real_run = threading.Event(), scheduling.SourceSync.run

    def slow(self, *args, **kwargs):
        started.set()
        time.sleep(5)  # longer than the lease
        return real_run(self, *args, **kwargs)

    monkeypatch.setattr(scheduling.SourceSync, "run", slow)
    first, second = Worker(Runtime(hub_config.load(config_path))), Worker(Runtime(hub_config.load(config_path)))
    one = threading.Thread(target=first.run, daemon=True)
    one.start()
    assert started.wait(30)
    two = threading.Thread(target=second.run, daemon=True)
    two.start()
    first.stop()
    overlap = False
    while one.is_alive():
        overlap = overlap or second.scheduler is not None
        time.sleep(0.05)
    assert not overlap  # the standby took nothing while the first one's sync still ran
    wait_for(lambda: second.scheduler is not None, 30)  # and took over once it had ended
    second.stop()
    two.join(30)


def test_a_reload_while_housekeeping_runs_gets_its_own_round(tmp_path, monkeypatch):
    """The reload's housekeeping is skipped while one runs (one at a time), and the running one read the config
    before: a rename waited for the next periodic round (CI caught it as a race in the test above)."""
    from hub.sync import sync

    write_portal(tmp_path / "b", [entry(i, titel=f"Angebot {i}") for i in range(1, 4)])
    config_path = write_config(tmp_path / "hub.toml", [{"name": "b", "type": "helpto", "url": str(tmp_path / "b")}])
    runtime = Runtime(hub_config.load(config_path))
    with Storage(runtime.config.database) as storage:
        sync(runtime.config, storage)
    original, rounds = scheduler.lifecycle.housekeep, []

    def housekeep(config, storage):
        rounds.append([s.name for s in config.sources])
        if len(rounds) == 1:  # the rename arrives while the first round runs
            config_path.write_text(config_path.read_text().replace('name = "b"', 'name = "b-neu"\nrenamed_from = "b"'))
            assert runtime.reload()
        return original(config, storage)

    monkeypatch.setattr(scheduler.lifecycle, "housekeep", housekeep)
    scheduler.housekeeping(runtime)
    assert rounds == [["b"], ["b-neu"]]
    with Storage(runtime.config.database) as storage:
        assert storage.state("b-neu").get("id_namespace") == "b" and len(storage.listings_in("active", "b-neu")) == 3


def test_a_worker_keeps_scheduling_while_its_own_re_clustering_holds_the_write_lock_past_the_lease(tmp_path, caplog):
    """The scheduler's renewal waited for the write lock like any write: a re-clustering of this very worker that held
    it longer than the lease time (minutes at a national scale) made the worker stop scheduling, and the lease lapse
    for a standby, though no other process could write meanwhile. The renewal is left to that transaction now."""
    import threading

    from hub.scheduler import Worker

    config_path = write_config(tmp_path / "hub.toml", [
        {"name": "a", "type": "helpto", "url": portal(tmp_path / "a"), "interval": "1h"}], lease="2s")
    caplog.set_level("INFO", logger="hub.scheduler")
    worker = Worker(Runtime(hub_config.load(config_path)))
    running = threading.Thread(target=worker.run, daemon=True)
    running.start()
    wait_for(lambda: worker.scheduler is not None and runs(tmp_path / "hub.db"), 30)
    holding, standby_tried = threading.Event(), []

    def re_clustering():  # a long write transaction of the worker's own process (a sync thread's)
        with Storage(tmp_path / "hub.db") as storage, storage.transaction():
            storage.db.execute("update feed_state set changed_at = changed_at")
            holding.set()
            time.sleep(6)  # three times the lease

    def standby():  # another worker, waiting for the write lock to take the lease
        with Storage(tmp_path / "hub.db", busy_timeout=60) as storage:
            standby_tried.append(Lease(storage, "scheduler", ttl=2).acquire())

    clustering = threading.Thread(target=re_clustering)
    clustering.start()
    assert holding.wait(10)
    other = threading.Thread(target=standby)
    other.start()
    clustering.join(30)
    other.join(60)
    assert standby_tried == [False]  # the lease was renewed as the lock was let go: nothing to take over
    assert worker.scheduler is not None and holder_pid(tmp_path / "hub.db") == os.getpid()
    events = [getattr(r, "event", None) for r in caplog.records]
    assert "lease.fenced" not in events and "lease.lost" not in events
    worker.stop()
    running.join(30)
