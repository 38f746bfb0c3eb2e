"""Scheduled syncs with APScheduler, run by exactly one worker at a time.

`build` makes one interval job per enabled source (with jitter; missed runs coalesce), backing
off while a source fails. `Worker` runs that scheduler only while it holds the database's
`scheduler` lease: a second worker on the same database waits as a hot standby, renewing nothing,
and takes the lease over once the holder has stopped renewing it for the lease time (it died or
hangs). A holder that finds its lease taken stops its scheduler at once. Besides, every sync takes
its source's own lease (`hub.sync`), so no source is ever synced twice at once, by any process.

Up to `[worker] syncs` sources are synced at once, each in a thread: a portal that answers slowly
holds its own thread, not the others' syncs. The notify round (calls for helpers) and housekeeping
run in threads of their own, so no sync holds them either. Syncs at once are as safe as syncs of
two processes: each batch of a sync and each re-clustering is written in one transaction under
SQLite's write lock (BEGIN IMMEDIATE), and the re-clustering pays every unification owed so far,
whichever sync owed it.
"""
from __future__ import annotations

import logging
import sqlite3
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_STOPPED
from apscheduler.triggers.interval import IntervalTrigger

from hub import lifecycle, publish
from hub.flag import Flag
from hub.config import Config
from hub.runtime import Runtime
from hub.storage import Storage
from hub.storage.leases import Lease, describe
from hub.sync import SourceSync

log = logging.getLogger(__name__)
MAX_BACKOFF = 6 * 3600
HOUSEKEEPING = "housekeeping"
NOTIFY = "notify"
#: Seconds between housekeeping rounds (grace periods, renames) while the worker runs.
HOUSEKEEPING_EVERY = 300


_active = 0
_active_lock = threading.Lock()


@contextmanager
def _job():
    """Count a job while it runs: a stopping worker keeps its lease until none runs any more."""
    global _active
    with _active_lock:
        _active += 1
    try:
        yield
    finally:
        with _active_lock:
            _active -= 1


def active_jobs() -> int:
    """How many jobs of this process run now."""
    return _active


def backoff_seconds(interval: int, failures: int) -> int:
    """How long to wait after `failures` failed syncs in a row: the interval doubled each time, capped."""
    if failures <= 0:
        return interval
    return min(MAX_BACKOFF, max(interval, interval * 2 ** min(failures, 16)))


def jitter_for(config: Config, interval: int) -> int | None:
    """Random delay of each run: up to a tenth of the interval, at most the configured jitter."""
    seconds = min(config.jitter, interval // 10)
    return seconds or None


class _Slots:
    """The partners whose sources this process syncs now: one sync a partner at a time, and the sources partners
    registered together in all but one of the sync threads, so that a partner's portal that takes its time (up to
    the hour of sync_budget a partner may set, every 5 minutes) holds neither another partner's sources nor all
    of hub.toml's (probe helper-63: two such sources held every sync for minutes)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.busy: set[str] = set()

    def take(self, partner: str, threads: int) -> bool:
        with self.lock:
            if partner in self.busy or len(self.busy) >= max(1, threads - 1):
                return False
            self.busy.add(partner)
            return True

    def give(self, partner: str) -> None:
        with self.lock:
            self.busy.discard(partner)


_slots = _Slots()
#: Seconds a registered source's due sync waits for its slot (_Slots) before it looks again.
SLOT_RETRY = 30
#: Seconds a job's statement waits for the write lock: a sync's re-clustering holds it for its whole length
#: (a re-estimated model re-clusters every listing: minutes at a national scale), and the syncs, the notify
#: round and housekeeping beside it wait for it rather than fail with 'database is locked' after the 30 s
#: a web request waits (review helper-71).
JOB_BUSY_TIMEOUT = 900


def run_source(runtime: Runtime | Config, name: str, scheduler: BackgroundScheduler | None = None) -> None:
    """The job body: sync one source with its own connection, then set its next interval. Scheduled, a source a
    partner registered waits for its slot (_Slots): it looks again in SLOT_RETRY seconds."""
    runtime = _runtime(runtime)
    config = runtime.config
    try:
        source = config.source(name)
    except KeyError:
        return  # removed by a reload while this run waited
    if not source.enabled:
        return
    partner = source.partner if scheduler is not None else None
    if partner is not None and not _slots.take(partner, config.syncs):
        log.info("%s: waits for a sync slot (partner %s syncs another source, or the partners' sources hold all but "
                 "one sync thread); it looks again in %d s", name, partner, SLOT_RETRY,
                 extra={"source": name, "event": "schedule.waiting"})
        threading.Thread(target=_look_again, args=(scheduler, name), daemon=True, name=f"slot {name}").start()
        return
    try:
        with _job(), Storage(config.database, busy_timeout=JOB_BUSY_TIMEOUT) as storage:
            retry_after = None
            try:
                retry_after = SourceSync(config, storage, source).run().retry_after
                failures = storage.state(source.name).get("failures") or 0
            except Exception:  # a job that raises would be logged by APScheduler without context
                log.exception("%s: scheduled sync crashed", source.name, extra={"source": name, "event": "sync.crashed"})
                failures = (storage.state(source.name).get("failures") or 0) + 1
            publish.after_sync(config)
    finally:
        if partner is not None:
            _slots.give(partner)
    if scheduler is not None:
        # Handed to a thread of its own: the job must not wait for the scheduler's job-store lock,
        # which shutdown(wait=True) holds while it waits for the running job to end (a deadlock).
        threading.Thread(target=_back_off, args=(scheduler, runtime, name, failures), daemon=True,
                         kwargs={"retry_after": retry_after}, name=f"back-off {name}").start()


def _look_again(scheduler: BackgroundScheduler, name: str) -> None:
    """Run a source's job again in SLOT_RETRY seconds, unless it is due sooner anyway (in a thread of its own, as
    _back_off, for the same reason)."""
    if scheduler.state == STATE_STOPPED:
        return
    try:
        job = scheduler.get_job(name)
        soon = datetime.now(timezone.utc) + timedelta(seconds=SLOT_RETRY)
        if job and job.next_run_time and job.next_run_time > soon:
            scheduler.modify_job(name, next_run_time=soon)
    except Exception:  # noqa: BLE001 - a scheduler shutting down meanwhile
        log.debug("%s: could not look again", name, exc_info=True)


def housekeeping(runtime: Runtime, scheduler: BackgroundScheduler | None = None) -> None:
    """The lifecycle's periodic work: renames, grace periods of paused and removed sources; then,
    given the scheduler, its jobs made those of the running config (renamed sources included).

    A config reloaded while it runs gets its round here, again: the reload's own round is skipped while this one
    runs (one at a time), and this one read the config before (a rename was carried over only at the next round)."""
    with _job():
        for _ in range(3):  # (a config that keeps changing gets the next periodic round)
            config = runtime.config
            with Storage(config.database, busy_timeout=JOB_BUSY_TIMEOUT) as storage:
                lifecycle.housekeep(config, storage)  # it logs what it does
                publish.after_sync(config)  # a listing that expired since leaves the snapshot too
                if scheduler is not None and scheduler.state != STATE_STOPPED:
                    apply(scheduler, runtime, storage=storage)
            if runtime.config is config:
                return


def notify_round(runtime: Runtime) -> None:
    """Subscriptions and calls: queue what is new, ask the next waves, deliver what is due (under a
    lease of its own: two workers overlapping for a moment never send the same thing twice)."""
    from hub import subscriptions

    with _job(), Storage(runtime.config.database, busy_timeout=JOB_BUSY_TIMEOUT) as storage:
        lease = Lease(storage, "notify", ttl=JOB_BUSY_TIMEOUT + 300)  # outlasts its longest wait for the write lock
        if not lease.acquire():
            return
        try:
            counts = subscriptions.notify(runtime.config, storage)
        finally:
            lease.release()
    if any(counts.values()):
        log.info("notify: %s", counts, extra={"event": "notify.round"})
    # what changed without a scheduled sync (an operator's or partner's sync, a decision, a restore)
    # reaches the snapshots within a round too
    publish.after_sync(runtime.config)


def build(runtime: Runtime | Config, start_in: float | None = None, storage: Storage | None = None) -> BackgroundScheduler:
    """A scheduler with one interval job per enabled source (not started).

    First runs: `start_in` seconds from now for every source; else, given the database, when
    each source is due after its last run (at once if it never ran); else one interval from now.
    """
    runtime = _runtime(runtime)
    # Syncs in a pool of their own (each one's re-clustering runs in one write transaction, so two of them
    # never interleave; see above); the notify round and housekeeping never wait behind a sync.
    scheduler = BackgroundScheduler(timezone=timezone.utc, executors={
        "default": ThreadPoolExecutor(runtime.config.syncs), NOTIFY: ThreadPoolExecutor(1),
        HOUSEKEEPING: ThreadPoolExecutor(1)})
    apply(scheduler, runtime, start_in=start_in, storage=storage)
    return scheduler


def apply(scheduler: BackgroundScheduler, runtime: Runtime, start_in: float | None = None,
          storage: Storage | None = None) -> None:
    """Make the scheduler's jobs those of the running config: new sources get a job, removed and
    paused ones lose theirs, a changed interval is rescheduled. A source renamed from a name whose
    records are not carried over yet waits for the housekeeping that carries them."""
    config = runtime.config
    now = datetime.now(timezone.utc)
    pending = lifecycle.pending_renames(config, storage) if storage is not None else set()
    wanted = {s.name: s for s in config.sources if s.enabled and s.name not in pending}
    for job in scheduler.get_jobs():
        if job.id not in (HOUSEKEEPING, NOTIFY, "housekeeping-now") and job.id not in wanted:
            scheduler.remove_job(job.id)
            log.info("%s: no longer scheduled", job.id, extra={"source": job.id, "event": "schedule.removed"})
    for name, source in wanted.items():
        failures = (storage.state(name).get("failures") or 0) if storage is not None else 0
        interval = backoff_seconds(source.interval, failures)
        trigger = IntervalTrigger(seconds=interval, jitter=jitter_for(config, interval))
        job = scheduler.get_job(name)
        if job is None:
            least = (config.limits.get("partner_sync") or (0, 0))[1] if source.partner is not None else 0
            first = _first_run(now, start_in, storage, name, interval, least)
            scheduler.add_job(run_source, trigger, args=[runtime, name, scheduler], id=name, name=f"sync {name}",
                              max_instances=1, coalesce=True, misfire_grace_time=None, next_run_time=first)
            # (however late: behind a slow portal's sync it runs once when the thread is free; with a grace
            # of one interval it was dropped, 'missed by 0:01:02', until its next turn: probe helper-54)
        elif job.trigger.interval.total_seconds() != interval:
            scheduler.reschedule_job(name, trigger=trigger)
            log.info("%s: now every %d s", name, interval, extra={"source": name, "event": "schedule.changed"})
    if storage is not None and scheduler.get_job(HOUSEKEEPING) is None:
        scheduler.add_job(housekeeping, IntervalTrigger(seconds=HOUSEKEEPING_EVERY), args=[runtime], id=HOUSEKEEPING,
                          name="housekeeping", executor=HOUSEKEEPING, max_instances=1, coalesce=True, misfire_grace_time=None)
    if storage is not None and scheduler.get_job(NOTIFY) is None:
        scheduler.add_job(notify_round, IntervalTrigger(seconds=config.notify_every), args=[runtime], id=NOTIFY,
                          name="notify", executor=NOTIFY, max_instances=1, coalesce=True, misfire_grace_time=None, next_run_time=now)


def _first_run(now: datetime, start_in: float | None, storage: Storage | None, name: str, interval: int,
               least: float = 0):
    """When a newly scheduled source syncs first; `least`: seconds after its last sync it may sync again at the
    soonest when it comes back (a partner's: pausing and resuming, or deleting and registering it again, must not
    sync it at will past [limits] partner_sync; review helper-78)."""
    if start_in is not None:
        return now + timedelta(seconds=start_in)
    if storage is None:
        return None  # one interval from now
    state = storage.state(name)
    last = state.get("last_run_at")
    if not last:
        return now  # never synced
    if state.get("inactive_since") or state.get("retired_at"):  # back from a pause or removal: its listings may
        soonest = datetime.fromisoformat(last) + timedelta(seconds=least)  # be stale or gone
        return max(now, soonest.astimezone(timezone.utc))
    due = datetime.fromisoformat(last) + timedelta(seconds=interval)
    return max(now, due.astimezone(timezone.utc))


def _back_off(scheduler: BackgroundScheduler, runtime: Runtime, name: str, failures: int,
              retry_after: float | None = None) -> None:
    """Back off while a source keeps failing; return to its interval once it succeeds.

    Started by the job itself, after its sync, in a thread of its own: never from a scheduler event
    listener, which runs while the executor holds its lock and would deadlock against the
    scheduler's job-store lock, and never in the job's thread, which shutdown waits for while it
    holds that lock. After a shutdown there is nothing to reschedule.
    """
    if scheduler.state == STATE_STOPPED:
        return
    try:
        source = runtime.config.source(name)
    except KeyError:
        return
    delay = backoff_seconds(source.interval, failures)
    if retry_after and failures:  # the portal said how long it wants to be left alone (within MAX_BACKOFF)
        delay = max(delay, int(min(MAX_BACKOFF, retry_after)))
    try:
        job = scheduler.get_job(name)
        if job and job.trigger.interval.total_seconds() != delay:
            log.info("%s: next sync in %d s (%d failures in a row)", name, delay, failures,
                     extra={"source": name, "event": "schedule.backoff"})
            scheduler.reschedule_job(name, trigger=IntervalTrigger(seconds=delay, jitter=jitter_for(runtime.config, delay)))
    except Exception:  # noqa: BLE001 - a scheduler shutting down meanwhile: the next start sets intervals anew
        log.debug("%s: could not reschedule", name, exc_info=True)


class Worker:
    """The scheduler of this process, running only while it holds the database's scheduler lease.

    The lease is renewed every lease/4 by run() itself, which never waits for a job; a worker
    that cannot renew within the lease time (lost, or the database too busy) stops scheduling
    before the lease lapses for the others. When it stops, or loses the lease, it schedules no
    more at once; a running job finishes under its own lease (a source's sync, the notify round),
    and a stopping worker keeps renewing until the last one has ended, then gives the lease back.
    """

    def __init__(self, runtime: Runtime, start_in: float | None = None):
        self.runtime = runtime
        self.start_in = start_in
        self.stopping = Flag()  # set by stop(), from a SIGTERM handler too: no lock
        self.scheduler: BackgroundScheduler | None = None
        self.holder: str | None = None
        runtime.on_change(self._reconfigure)

    def run(self) -> None:
        """Hold the lease and run the scheduler, or stand by for it, until stop()."""
        config = self.runtime.config
        with Storage(config.database) as storage:  # migrates a database left by an older hub, once
            lease = Lease(storage, "scheduler", ttl=config.lease_ttl)
            self.holder = lease.holder
            beat = max(0.2, config.lease_ttl / 4)
            held, renewed, waiting_for = False, 0.0, None
            try:
                while not (self.stopping.is_set() and (not held or active_jobs() == 0)):
                    try:
                        if held:
                            if lease.renew():
                                renewed = time.monotonic()
                            else:
                                log.error("scheduler lease lost (not renewed in time, taken over by another "
                                          "worker); scheduling stops now", extra={"event": "lease.lost"})
                                held = False
                                self._halt()
                        elif not self.stopping.is_set() and lease.acquire():
                            held, renewed = True, time.monotonic()
                            log.info("scheduler lease taken by %s; scheduling", lease.holder,
                                     extra={"event": "lease.acquired", "holder": lease.holder})
                            self._start(storage)
                        elif not self.stopping.is_set():
                            holder = lease.current()
                            if holder and holder["holder"] != waiting_for:
                                waiting_for = holder["holder"]
                                log.info("standing by: the scheduler lease is held by %s", describe(holder),
                                         extra={"event": "lease.standby", "holder": holder["holder"]})
                    except sqlite3.OperationalError as exc:  # locked for longer than the busy timeout: try again
                        log.warning("scheduler lease: database busy (%s); trying again", exc)
                    if held and time.monotonic() - renewed > config.lease_ttl - beat:
                        log.error("scheduler lease not renewed for %.0f s; scheduling stops before it lapses",
                                  time.monotonic() - renewed, extra={"event": "lease.fenced"})
                        held = False
                        self._halt()
                    if self.stopping.is_set():
                        self._halt()  # no new jobs; the running one ends under the lease we keep renewing
                    try:
                        self.runtime.refresh(storage)  # sources partners registered meanwhile
                        if held and self.scheduler is not None:
                            self._publish(storage)
                    except sqlite3.OperationalError as exc:
                        log.warning("scheduler: database busy (%s); trying again", exc)
                    self.stopping.wait(beat) if not self.stopping.is_set() else time.sleep(min(beat, 0.5))
            finally:
                self._halt()
                if held:
                    try:
                        lease.release()
                    except sqlite3.Error:
                        log.warning("could not release the scheduler lease; it lapses in %d s", config.lease_ttl)

    def stop(self) -> None:
        """End run(): no new jobs at once; it returns when the running job has finished."""
        self.stopping.set()

    def _start(self, storage: Storage) -> None:
        self.scheduler = build(self.runtime, start_in=self.start_in, storage=storage)
        # renames and grace periods first thing, in the executor (never in this loop, which renews the lease)
        self.scheduler.add_job(housekeeping, args=[self.runtime, self.scheduler], id="housekeeping-now",
                               name="housekeeping", executor=HOUSEKEEPING, next_run_time=datetime.now(timezone.utc),
                               misfire_grace_time=None)  # however late: behind a running sync it still runs
        self.scheduler.start()
        self._publish(storage)

    def _halt(self) -> None:
        """Schedule nothing more (a running job finishes by itself)."""
        scheduler, self.scheduler = self.scheduler, None
        if scheduler is not None and scheduler.state != STATE_STOPPED:
            scheduler.shutdown(wait=False)

    def _reconfigure(self, old: Config, new: Config) -> None:
        """A new config: its jobs now, renames and grace periods in the executor (then the renamed jobs)."""
        scheduler = self.scheduler
        if scheduler is None:
            return  # a standby schedules from the config it has when it takes over
        with Storage(new.database) as storage:
            apply(scheduler, self.runtime, storage=storage)
        scheduler.add_job(housekeeping, args=[self.runtime, scheduler], id="housekeeping-now", name="housekeeping",
                          executor=HOUSEKEEPING, next_run_time=datetime.now(timezone.utc), replace_existing=True, misfire_grace_time=None)

    def _publish(self, storage: Storage) -> None:
        """Write each source's next run into the database, where the status page and metrics read it."""
        scheduler = self.scheduler
        if scheduler is None:
            return
        runs = {job.id: job.next_run_time for job in scheduler.get_jobs()
                if job.id not in (HOUSEKEEPING, NOTIFY, "housekeeping-now")}
        storage.publish_next_runs({name: when.isoformat() if when else None for name, when in runs.items()})


def _runtime(value: Runtime | Config) -> Runtime:
    return value if isinstance(value, Runtime) else Runtime(value)
