"""The privacy gate and the schema check of a large sync, in worker processes.

Gating and validating a listing is most of what mapping a portal's record costs (about 0.8 of 1 ms
here), and it needs nothing but the listing. So once a sync has mapped `START_AFTER` records in its
own process, it starts worker processes (as many as it may use CPUs, at most two) and from
then on only maps each record there, hands the gate and the check over in chunks, and stores the
listings gated before while the workers gate the next ones. A small sync never starts one: a worker
takes about 1.5 s to import what it needs, more than a few hundred records cost in process, and the
sync goes on in process until the workers are ready.

The workers run the same functions on the same listing, so what is stored is the same either way
(tests/hub/test_gating.py). A worker that dies or a listing that cannot be sent to one costs
nothing but time: what was handed over is gated in process, and so is the rest of the sync.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import signal
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from hub import cpus
from hub.orphans import end_with_parent
from schema import privacy, validate

log = logging.getLogger(__name__)
START_AFTER = 1000  # listings a sync gates in process before it starts workers
CHUNK = 25  # listings handed to a worker at a time
MAX_WORKERS = 2  # the sync's own process stores; past two workers it cannot keep up with them


def publishable(listing: dict) -> tuple[dict | None, list[str]]:
    """What a worker does with one mapped listing: (the listing through the privacy gate, the schema's
    complaints about it); (None, [why]) if either raised, as the sync quarantines a record that does."""
    try:
        listing = privacy.gate(listing)
        return listing, validate(listing)
    except Exception as exc:  # noqa: BLE001 - one listing's fault is its own, as in process
        return None, [f"{type(exc).__name__}: {exc}"]


def _gate_chunk(listings: list[dict]) -> list[tuple[dict | None, list[str]]]:
    return [publishable(listing) for listing in listings]


def _quiet(parent: int, id_key: bytes | None = None) -> None:
    """A worker leaves Ctrl-C and a reload to the sync's process, which ends it when it is done; and
    it ends when that process dies, whatever killed it (else it would wait on its queue for ever). It
    gates with the sync's key for record ids' pseudonyms."""
    privacy.use_id_key(id_key)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    end_with_parent(parent)


def _ready() -> bool:
    return True


class Gates:
    """One sync's worker processes, started once it has gated `start_after` listings in process."""

    def __init__(self, label: str = "", start_after: int | None = None, workers: int | None = None):
        self.label = label
        self.start_after = START_AFTER if start_after is None else start_after
        if workers is None:  # with one CPU a worker would only take turns with the sync's process
            available = cpus.available()
            workers = min(MAX_WORKERS, available) if available > 1 else 0
        self.workers = workers
        self.handed = 0  # listings handed to workers
        self.gated = 0  # listings gated in process so far
        self.pool: ProcessPoolExecutor | None = None
        self.warm: Future | None = None
        self.failed = False

    def count(self) -> None:
        """One more listing gated in process; the workers start when there have been enough."""
        self.gated += 1
        self._start()

    def _start(self) -> None:
        if self.pool is None and not self.failed and self.workers > 0 and self.gated >= self.start_after:
            try:
                self.pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                                initializer=_quiet, initargs=(os.getpid(), privacy.id_key()))
                self.warm = self.pool.submit(_ready)  # the sync goes on in process until this is back
            except Exception as exc:  # noqa: BLE001 - no processes here (a sandbox, a limit): gate in process
                self._fail(exc)

    @property
    def ready(self) -> bool:
        """True once the workers take listings (they are started here too, once it is time)."""
        self._start()
        if self.pool is None or self.failed or not self.warm.done():
            return False
        if self.warm.exception() is not None:
            self._fail(self.warm.exception())
            return False
        return True

    def submit(self, listings: list[dict]) -> Future | None:
        """Hand listings to a worker; None if that failed (then they are gated in process)."""
        if not self.ready:
            return None
        try:
            future = self.pool.submit(_gate_chunk, listings)
            self.handed += len(listings)
            return future
        except Exception as exc:  # noqa: BLE001 - the pool broke: the rest of the sync gates in process
            self._fail(exc)
            return None

    def outcome(self, future: Future | None, index: int, listing: dict) -> tuple[dict | None, list[str]]:
        """The worker's (listing, errors) for the listing it got at `index`; else gated here and now."""
        if future is not None and not self.failed:
            try:
                return future.result()[index]
            except BrokenProcessPool as exc:  # a worker died (killed, out of memory): no more workers
                self._fail(exc)
            except Exception:  # noqa: BLE001 - a listing of the chunk that does not pickle: these here
                pass
        return publishable(listing)

    def _fail(self, exc: BaseException) -> None:
        if not self.failed:
            log.warning("%s: gating in worker processes failed (%s: %s); the sync goes on in its own process",
                        self.label, type(exc).__name__, exc)
        self.failed = True
        self.close(wait=False)

    def close(self, wait: bool = True) -> None:
        """End the workers (at the end of the sync)."""
        if self.pool is not None:
            pool, self.pool = self.pool, None
            pool.shutdown(wait=wait, cancel_futures=True)
