"""Scheduled syncs with APScheduler: one job per enabled source, backing off while a source fails."""
from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta, timezone

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_STOPPED
from apscheduler.triggers.interval import IntervalTrigger

from hub.config import Config, SourceConfig
from hub.storage import Storage
from hub.sync import SourceSync

log = logging.getLogger(__name__)
MAX_BACKOFF = 6 * 3600


def backoff_seconds(interval: int, failures: int) -> int:
    """How long to wait after `failures` failed syncs in a row: the interval doubled each time, capped."""
    if failures <= 0:
        return interval
    return min(MAX_BACKOFF, max(interval, interval * 2 ** min(failures, 16)))


def run_source(config: Config, source: SourceConfig, scheduler: BackgroundScheduler | None = None) -> None:
    """The job body: sync one source with its own connection, then set its next interval."""
    with Storage(config.database) as storage:
        try:
            SourceSync(config, storage, source).run()
            failures = storage.state(source.name).get("failures") or 0
        except Exception:  # a job that raises would be logged by APScheduler without context
            log.exception("%s: scheduled sync crashed", source.name)
            failures = (storage.state(source.name).get("failures") or 0) + 1
    if scheduler is not None:
        # Handed to a thread of its own: the job must not wait for the scheduler's job-store lock,
        # which shutdown(wait=True) holds while it waits for the running job to end (a deadlock).
        threading.Thread(target=_back_off, args=(scheduler, source, failures), daemon=True,
                         name=f"back-off {source.name}").start()


def build(config: Config, start_in: float | None = None) -> BackgroundScheduler:
    """A scheduler with one interval job per enabled source (not started)."""
    # One sync at a time: each one ends by re-clustering around what it changed, and two of those
    # interleaving their reads and writes of the clusters could lose a merge.
    scheduler = BackgroundScheduler(timezone=timezone.utc, executors={"default": ThreadPoolExecutor(1)})
    first = datetime.now(timezone.utc) + timedelta(seconds=start_in) if start_in is not None else None
    for source in config.sources:
        if not source.enabled:
            continue
        scheduler.add_job(
            run_source, IntervalTrigger(seconds=source.interval), args=[config, source, scheduler],
            id=source.name, name=f"sync {source.name}", max_instances=1, coalesce=True,
            misfire_grace_time=source.interval, next_run_time=first,
        )
    return scheduler


def _back_off(scheduler: BackgroundScheduler, source: SourceConfig, failures: int) -> None:
    """Back off while a source keeps failing; return to its interval once it succeeds.

    Started by the job itself, after its sync, in a thread of its own: never from a scheduler event
    listener, which runs while the executor holds its lock and would deadlock against the
    scheduler's job-store lock, and never in the job's thread, which shutdown waits for while it
    holds that lock. After a shutdown there is nothing to reschedule.
    """
    if scheduler.state == STATE_STOPPED:
        return
    delay = backoff_seconds(source.interval, failures)
    try:
        job = scheduler.get_job(source.name)
        if job and job.trigger.interval.total_seconds() != delay:
            log.info("%s: next sync in %d s (%d failures in a row)", source.name, delay, failures)
            scheduler.reschedule_job(source.name, trigger=IntervalTrigger(seconds=delay))
    except Exception:  # noqa: BLE001 - a scheduler shutting down meanwhile: the next start sets intervals anew
        log.debug("%s: could not reschedule", source.name, exc_info=True)
