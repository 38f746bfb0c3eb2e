"""The sync pipeline for one source: fetch -> normalize -> privacy gate -> validate -> store -> unify.

A record and the unification it owes commit together: every listing a sync writes is noted as
owed in the same transaction, and the unification at the end of a run pays every debt, this
run's and any a killed run left behind. A fault of one record quarantines that record; a fault
of the source (unreachable, garbage, over its time budget) keeps its last good listings.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
import sqlite3
import time
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Iterable

import orjson

from connectors import AddressPolicy, Connector, Fetcher, NonFinite, RecordError, Withheld, listing_id, registry
from hub import __version__, gating, logs, review, unify
from hub.clock import utcnow
from hub.config import Config, SourceConfig
from hub.storage import Storage
from hub.storage.leases import Lease, describe
from schema import lexicon, privacy

log = logging.getLogger(__name__)
#: A full sync withdrawing fewer listings than this is never suspicious (unless it empties the source).
MIN_SHRINK = 3
MISSING = object()
BATCH = 250  # records written in one transaction (the write lock is held for one batch at a time)
COUNTS = ("fetched", "new", "updated", "unchanged", "withdrawn", "quarantined", "withheld")
_SURROGATE = re.compile("[\ud800-\udfff]")
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


class BudgetExceeded(Exception):
    """A source that used up its time budget for one sync."""


class RepeatedId(RecordError):
    """A record under an id an earlier record of this sync had, with other content (one of them would be lost)."""

    def __init__(self, record_id: str):
        super().__init__(f"id: {printable(record_id, 80)!r} was already given to another record of this sync, with "
                         "other content; this one was not stored (each record needs an id of its own)")
        self.record_id = record_id


class LeaseLost(Exception):
    """This process no longer holds the source's sync lease (another one syncs it now)."""


@dataclass
class SyncResult:
    """What one sync of one source did."""

    source: str
    mode: str
    status: str = "running"
    run_id: int | None = None
    fetched: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    quarantined: int = 0
    withheld: int = 0
    not_modified: int = 0
    #: records quarantined before and sent unchanged (counted as unchanged; they are still in quarantine)
    still_quarantined: int = 0
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    #: Seconds the portal asked the hub to wait before it comes again (a failed run's Retry-After), if it did.
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        """True if the sync completed and nothing about it needs an operator's eye."""
        return self.status == "ok"

    def line(self) -> str:
        """One line for the CLI and the log."""
        counts = " ".join(f"{k}={getattr(self, k)}" for k in COUNTS)
        if self.still_quarantined:
            counts += f" (still quarantined, unchanged: {self.still_quarantined})"
        tail = f" error: {self.error}" if self.error else ""
        notes = f" ({'; '.join(self.notes)})" if self.notes and self.status == "suspicious" else ""
        return f"{self.source}: {self.status} ({self.mode}) {counts}{notes}{tail}"


def content_hash(value) -> str:
    """A hash of JSON-able content that does not depend on key order (lone surrogates included)."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def record_hash(value) -> str:
    """A hash of a raw record as a portal sent it (JSON-able, any key order), the kind a re-sync compares
    for every record: written by orjson (4x faster than json). What orjson cannot write (lone surrogates,
    keys that are not strings, integers over 64 bits) is hashed as content_hash writes it, marked apart.
    NaN and ±Infinity as a portal's JSON gives them (connectors.http.NonFinite) are written as text, not
    as orjson's null: a record that fixes NaN to null has changed (a float NaN made otherwise is null).

    A listing's hash stays content_hash: a new hash there would count every stored listing as changed
    (and send a moderated source's back to review); a new record hash only maps each record once again."""
    try:
        # dates and times as json writes them (str): orjson's own form drops an offset's seconds
        text = orjson.dumps(value, default=_written, option=orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME)
    except TypeError:  # orjson.JSONEncodeError is one
        text = b"\0" + json.dumps(value, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8", "surrogatepass")
    return hashlib.sha256(text).hexdigest()[:32]


def _written(value) -> str:
    """What orjson cannot write itself, as text (NaN and ±Infinity marked apart from any string)."""
    return f"\0{float(value)!r}" if isinstance(value, NonFinite) else str(value)


def to_json(value) -> str:
    """JSON text SQLite can store: a portal's broken characters (lone surrogates) escaped, not lost. A
    value JSON cannot write (nested past Python's recursion limit, a cycle) is stored as why not: its
    record is quarantined all the same, and its source's other records synced."""
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (RecursionError, ValueError) as exc:
        return json.dumps({"not stored": f"{type(exc).__name__}: {exc}"})
    return json.dumps(value, default=str) if _SURROGATE.search(text) else text


def printable(text: object, limit: int = 200) -> str:
    """A portal's value fit for one log or note line: controls and bidi overrides shown escaped."""
    shown = _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", str(text))
    return shown if len(shown) <= limit else shown[:limit] + "…"


def scrub(text: str, secrets: Iterable[str]) -> str:
    """An error text with every secret (as it is, or as repr shows it) and URL credentials hidden."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        for form in {secret, secret.strip(), repr(secret)[1:-1], repr(secret.strip())[1:-1]}:
            if len(form) >= 4:
                text = text.replace(form, "***")
    return re.sub(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/@\s'\"]+@", r"\1***@", text)


def make_fetcher(config: Config, source: SourceConfig, storage: Storage,
                 policy: AddressPolicy | None = None) -> Fetcher:
    """The fetcher for one source: its validator cache, its deadlines, and its credentials, which
    go to the source's own origin only."""
    cls = registry.get(source.type) or Connector
    auth = cls.auth(source)
    credentials = auth.headers() if auth is not None else {}
    policy = policy or AddressPolicy(allow_private=config.allow_private_addresses)
    return Fetcher(storage.cache_for(source.name), credentials=credentials, origin=source.url, policy=policy,
                   deadline=source.request_timeout)


class SourceSync:
    """One run of the pipeline for one source."""

    def __init__(self, config: Config, storage: Storage, source: SourceConfig, fetcher: Fetcher | None = None):
        self.config = config
        self.storage = storage
        self.source = source
        cls = registry.get(source.type)
        if cls is None:
            raise ValueError(f"{source.name}: connector type {source.type!r} is not installed")
        self.connector = cls(source, fetcher or make_fetcher(config, source, storage))
        # Part of every raw hash: a new hub, connector mapping or privacy gate maps unchanged records again.
        # the operator's category table and subject words, and the lexicon, change the mapping too
        extra = [sorted(source.categories.items()), sorted(source.category_words.items()), lexicon.version()]
        self.mapping = (f"{__version__}/{cls.__module__}.{cls.__qualname__}/{cls.mapping_version}.{cls.shared_mapping}/"
                        f"privacy{privacy.VERSION}/{extra}")
        privacy.use_id_key(storage.secret("record_id_key").encode())  # this hub's pseudonyms of masked record ids
        #: record id -> its first record's raw hash (None: not hashed): an identical repeat is harmless, another
        #: record under the same id is quarantined (counted in `repeated`)
        self.seen: dict[str, str | None] = {}
        self.repeated: dict[str, int] = {}
        self.unsettled = False  # a full sync that withdrew nothing unseen, as the list changed while it was read
        self.id_errors: dict[int, Exception] = {}  # by id(raw), for the batch: why its id could not be read
        self.taken = 0  # records stored (or quarantined) so far
        self.prefetched: dict[str, dict | None] = {}  # the batch's stored raw records (None: none), by id, until each is taken
        self.heads: dict[str, tuple | None] = {}  # and their listings' (status, updated_at, hash) (None: none), by id
        self.bad = 0  # records of this sync in quarantine (new ones and known ones unchanged)
        self.bad_ids: list[tuple[str | None, bool]] = []  # and theirs: (record id, quarantined before and unchanged)
        self.listed_before = 0
        self.latest: str | None = None  # the latest updated_at of this sync's listings (and it parsed)
        self.latest_when: datetime | None = None
        self.secrets = config.secrets()
        self.regate = cls.normalize is not Connector.normalize
        self.gates = gating.Gates(source.name)
        #: listings the portal now withholds by a status it set, by listing id: (why, their raw record's new row or None),
        #: withdrawn at the end with the missing ones under the same check of a suspicious shrink (their raw records
        #: stored only then); a lapsed one (past, ended, full: connectors.Withheld) leaves at once
        self.withholding: dict[str, tuple[str, dict | None]] = {}
        self.premapped: dict[int, object] = {}  # by id(raw), for the batch: (future, index, listing) or what raised
        #: history rows and owed unifications of the transaction under way, written together at its end (_flush): no
        #: one reads them before, and a record undone takes its own back (_one)
        self.history_rows: list[dict] = []
        self.owed: list[str] = []
        self.hashes: dict[int, str] = {}  # and the raw hashes computed for that

    def run(self, full: bool = False, accept_shrink: bool = False, progress=None, holder: str | None = None) -> SyncResult:
        """Sync the source; other sources are never touched, whatever happens here.

        One sync of a source at a time, across processes: while another process syncs it (the
        worker, or an operator's `helferhub sync`), this one is `busy` and does nothing. `holder`: the
        lease's holder where the caller took it already (a web request that answered "started").
        """
        # renewed between records and before the unification: it lasts one request and some margin
        lease = Lease(self.storage, f"sync:{self.source.name}", ttl=self.source.request_timeout + 300, holder=holder)
        if not lease.acquire():
            holder = lease.current()
            result = SyncResult(self.source.name, "none", status="busy")
            result.error = f"being synced by {describe(holder)}" if holder else "being synced by another process"
            log.info("%s: not synced: %s", self.source.name, result.error,
                     extra={"source": self.source.name, "event": "sync.busy"})
            return result
        self.lease, self.renewed = lease, time.monotonic()
        try:
            # read under the lease: a rename carries the namespace over while holding this name's lease
            namespace = self.storage.state(self.source.name).get("id_namespace")
            if namespace and namespace != self.source.name:  # a renamed source: its listings keep their ids
                self.source = replace(self.source, id_namespace=namespace)
                self.connector.source = self.source
            with logs.context(source=self.source.name):
                return self._run(full, accept_shrink, progress)
        finally:
            try:
                self.gates.close()
            finally:  # (a second Ctrl-C while the workers end)
                lease.release()

    def _keep_lease(self, now: bool = False) -> None:
        """Renew this source's lease (every 30 s, or now); LeaseLost if another process has it meanwhile."""
        if now or time.monotonic() - self.renewed > 30:
            if not self.lease.renew():
                raise LeaseLost("this source's sync lease lapsed and another process took it (the database was "
                                "busy for longer than the lease); its sync goes on there")
            self.renewed = time.monotonic()

    def _run(self, full: bool, accept_shrink: bool, progress=None) -> SyncResult:
        self.began = time.monotonic()
        state = self.storage.state(self.source.name)
        since = None
        started = utcnow()
        if not full and self.connector.supports_since and not self.source.is_local and state.get("cursor"):
            last_full = self.storage.last_full_sync(self.source.name)
            if last_full and (started - datetime.fromisoformat(last_full)).total_seconds() < self.source.full_every:
                since = datetime.fromisoformat(state["cursor"])
            else:  # what the portal deleted since shows only in a full listing (full_every)
                log.info("%s: a full sync: the last one that ended ok began %s (full_every)",
                         self.source.name, last_full or "never")
        result = SyncResult(self.source.name, "full" if since is None else "incremental")
        self.storage.close_interrupted_runs(started.isoformat())
        result.run_id = self.storage.start_run(self.source.name, result.mode, started.isoformat())
        logs.bind(run_id=result.run_id)
        with self.storage.transaction():  # its trust changed since the last sync: its listings follow it
            moved = len(review.follow_trust(self.storage, self.source.name, self.source.trust, started.isoformat(),
                                            result.run_id))
        if moved:
            result.notes.append(f"{moved} listing(s) shown before the source became moderated now wait for review"
                                if self.source.trust == "moderated" else
                                f"{moved} listing(s) waiting for review are shown: the source is trusted now")
        self.listed_before = self.storage.listed_count(self.source.name)
        deadline = time.monotonic() + self.source.sync_budget
        self.connector.fetcher.sync_deadline = deadline
        try:
            self._take(self.connector.records(since), deadline, started, result, progress)
            result.status = "ok"
            if result.fetched and self.bad == result.fetched:
                raise RecordError(f"every record the portal sent ({result.fetched}) was quarantined; "
                                  f"see: helferhub quarantine --source {self.source.name}")
            self._withdraw_missing(started, result, accept_shrink)
        except Exception as exc:  # the source failed: keep its last good data, record why
            result.status, result.error = "failed", scrub(f"{type(exc).__name__}: {exc}", self.secrets)
            result.retry_after = getattr(exc, "retry_after", None)
            log.warning("%s: sync failed: %s", self.source.name, printable(result.error, 500))
        self.gates.close()  # their memory back before the unification
        # by record id: a record the portal sent twice (its list shifted) is one record, and one
        # quarantined in this run is new there, even where a second copy of it came unchanged
        result.still_quarantined = len({rid for rid, known in self.bad_ids if known} -
                                       {rid for rid, known in self.bad_ids if not known})
        if result.still_quarantined:  # counted as unchanged: the run's record says they are still bad
            result.notes.append(f"{result.still_quarantined} record(s) quarantined before and unchanged since, still "
                                f"in quarantine: helferhub quarantine --source {self.source.name}")
        if self.repeated:
            ids = ", ".join(repr(printable(rid, 60)) for rid in list(self.repeated)[:5])
            result.notes.append(f"{sum(self.repeated.values())} record(s) came under an id an earlier record of this "
                                f"sync already had, with other content, and were quarantined ({len(self.repeated)} "
                                f"id(s): {ids}{', ...' if len(self.repeated) > 5 else ''}); each record needs an id "
                                f"of its own: helferhub quarantine --source {self.source.name}")
        try:
            self._keep_lease(now=True)
            self._unify()
        except LeaseLost as exc:
            result.status, result.error = "failed", str(exc)
        except Exception as exc:  # owed unifications stay owed: the next run pays them
            log.exception("%s: unification failed", self.source.name)
            failed = scrub(f"unification failed: {type(exc).__name__}: {exc}", self.secrets)
            first = result.error if result.status == "failed" and result.error else None  # (the cause comes first)
            result.status, result.error = "failed", f"{first}; then {failed}" if first else failed
        result.not_modified = self.connector.fetcher.not_modified
        for note in self.connector.sync_notes():
            result.notes.append(printable(note, 1000))
            log.warning("%s: %s", self.source.name, printable(note, 1000))
        if self.connector.unmapped_categories:
            unmapped = ", ".join(printable(c, 60) for c in sorted(self.connector.unmapped_categories)[:20])
            result.notes.append(f"unmapped categories (shown as 'other'): {unmapped}")
            log.warning("%s: categories not in the mapping, shown as 'other': %s; map them with "
                        "categories = { ... } in its [[sources]] entry", self.source.name, unmapped)
        self._finish(result, state)
        return result

    def _take(self, records, deadline: float, now: datetime, result: SyncResult, progress) -> None:
        """Read the portal's records and store them a batch at a time: the portal is read outside any
        transaction, each batch is written in one (records fetched before a failure are kept)."""
        batch: list = []
        try:
            for raw in records:
                if time.monotonic() > deadline:
                    raise BudgetExceeded(f"the sync took longer than its budget of {self.source.sync_budget:g} s "
                                         "(sync_budget); the rest waits for the next sync")
                result.fetched += 1
                batch.append(raw)
                if len(batch) >= BATCH:
                    done, batch = batch, []
                    self._batch(done, now, result, progress)
        except BaseException:
            if batch:
                self._batch(batch, now, result, progress)
            raise
        if batch:
            self._batch(batch, now, result, progress)

    def _batch(self, batch: list, now: datetime, result: SyncResult, progress) -> None:
        self._keep_lease()
        ids: list[str | None] = []  # each record's id, read once (None: its own turn says what is wrong with it)
        self.id_errors = {}
        for raw in batch:
            try:
                ids.append(self._record_id(raw))
            except Exception as exc:  # noqa: BLE001
                ids.append(None)
                self.id_errors[id(raw)] = exc  # raised in its own turn (not read a second time)
        counted = {k: getattr(result, k) for k in COUNTS if k != "fetched"}, self.bad, len(self.bad_ids)
        try:
            self._write_batch(batch, ids, now, result, progress)
        except BaseException:  # the batch was rolled back: so is what it counted
            for key, value in counted[0].items():
                setattr(result, key, value)
            self.bad = counted[1]
            del self.bad_ids[counted[2]:]
            raise

    def _write_batch(self, batch: list, ids: list[str | None], now: datetime, result: SyncResult, progress) -> None:
        with self.storage.transaction():
            # still ours once the write lock is: a worker's job waits up to 15 minutes for it (hub.scheduler.
            # JOB_BUSY_TIMEOUT), longer than the lease lasts, and another process may have taken the source meanwhile
            self._keep_lease(now=True)
            # what was stored of them and of their listings, in one query (a record not found is known to be
            # new: no query of its own); a new record's listing too (an id taken already?)
            wanted = [rid for rid in ids if rid is not None]
            found, self.heads = self.storage.record_heads(self.source.name, wanted, self._listing_id)
            self.prefetched = {rid: found.get(rid) for rid in wanted}
            try:
                if self.gates.ready:
                    self._premap(batch, ids, now)
                for raw, record_id in zip(batch, ids):
                    self._one(raw, now, result, record_id)
                    self.taken += 1
                    if progress is not None:  # progress(label, done): a line on the operator's terminal
                        progress(self.source.name, self.taken)
                self._flush()
                # the counts so far, with what they count: a running sync shows how far it got, and one killed
                # (kill -9, the OOM killer) what it stored before (it said fetched=0 new=0)
                self.storage.count_run(result.run_id, {k: getattr(result, k) for k in COUNTS})
            finally:
                self.history_rows.clear()  # (written with the batch, or rolled back with it)
                self.owed.clear()
                self.premapped.clear()  # keyed by id(): never beyond the batch whose records they are
                self.hashes.clear()
                self.id_errors.clear()

    def _premap(self, batch: list, ids: list[str | None], now: datetime) -> None:
        """With worker processes (hub.gating): map each record of the batch that looks changed, and hand
        the gate and the schema check over a chunk at a time; _record takes the outcome, or what mapping
        raised. A record that turns out unchanged after all leaves its outcome unused; one taken for
        unchanged here and changed there is mapped in process."""
        chunk: list[dict] = []
        keys: list[int] = []
        for n, (raw, record_id) in enumerate(zip(batch, ids)):
            try:
                raw_hash = record_hash([self.mapping, raw]) if record_id is not None else None
            except Exception:  # noqa: BLE001 - a record that cannot be hashed: its own turn quarantines it
                raw_hash = None
            if raw_hash is not None:
                self.hashes[id(raw)] = raw_hash
                stored = self.prefetched.get(record_id)
                if not stored or stored["hash"] != raw_hash or self.connector.time_dependent:
                    try:
                        chunk.append(self._map(raw, now))
                        keys.append(id(raw))
                    except Exception as exc:  # noqa: BLE001 - raised again in its own turn, as it would have been
                        self.premapped[id(raw)] = exc
            if chunk and (len(chunk) == gating.CHUNK or n == len(batch) - 1):
                future = self.gates.submit(chunk)
                for index, (key, listing) in enumerate(zip(keys, chunk)):
                    self.premapped[key] = (future, index, listing)
                chunk, keys = [], []

    def _map(self, raw, now: datetime) -> dict:
        """A record's listing before the privacy gate (a connector with its own normalize() gates nothing)."""
        return self.connector.normalize(raw, now) if self.regate else self.connector.mapped(raw, now)

    def _one(self, raw, now: datetime, result: SyncResult, record_id: str | None = None) -> None:
        """One record (inside its batch's transaction; its id if read already); whatever goes wrong
        with it, it alone is undone and quarantined."""
        counted = None  # _look counts nothing but an unchanged record, where it returns
        known = record_id  # the record's id once read: what its quarantine entry is found by
        try:
            try:
                looked = self._look(raw, result, record_id)
            except RecordError as exc:
                repeated = exc.record_id if isinstance(exc, RepeatedId) else None
                if repeated is not None and self.storage.in_quarantine(self.source.name, repeated, to_json(raw)):
                    self.bad += 1  # quarantined before as it is now: still bad, not a new quarantine row each sync
                    self.bad_ids.append((repeated, True))
                    result.unchanged += 1
                    return
                with self.storage.savepoint():
                    self._quarantine(getattr(exc, "record_id", None), raw, [str(exc)], now, result)
                return
            if looked is None:
                return  # unchanged: only read, nothing to undo
            known = looked[0]
            counted = {k: getattr(result, k) for k in COUNTS}, self.bad, len(self.bad_ids), \
                len(self.history_rows), len(self.owed)
            with self.storage.savepoint():
                self._record(raw, now, result, *looked)
        except (sqlite3.OperationalError, MemoryError):
            raise  # the database or the machine, not the record (locked, full, read-only): the source fails
        except Exception as exc:  # a record the pipeline could not take: it alone goes to quarantine
            if type(exc) is sqlite3.DatabaseError:  # the file itself ("disk image is malformed"): the source fails
                raise
            if counted is not None:  # what it counted was undone with it, and what it would have written
                for key, value in counted[0].items():
                    setattr(result, key, value)
                self.bad = counted[1]
                del self.bad_ids[counted[2]:]
                del self.history_rows[counted[3]:]
                del self.owed[counted[4]:]
            self._quarantine(known, raw, [scrub(f"{type(exc).__name__}: {exc}", self.secrets)], now, result)

    def _look(self, raw, result: SyncResult, record_id: str | None = None) -> tuple[str, str, dict | None] | None:
        """Read what is known of a record (no write): None if it is unchanged (counted), else
        (record id, hash, stored raw record or None) for _record. RecordError: no usable id, or one an earlier
        record of this sync had with other content (RepeatedId)."""
        if record_id is None:
            failed = self.id_errors.pop(id(raw), None)
            if failed is not None:
                raise failed
            record_id = self._record_id(raw)
        first = self.seen.setdefault(record_id, None)
        raw_hash = self.hashes.pop(id(raw), None) or record_hash([self.mapping, raw])
        if first is None:
            self.seen[record_id] = raw_hash
        else:  # the portal's list shifted under the sync (a record came twice), or its ids are not unique
            self.connector.complete = False
            if first != raw_hash:
                self.repeated[record_id] = self.repeated.get(record_id, 0) + 1
                raise RepeatedId(record_id)
        stored = self.prefetched.pop(record_id, MISSING)  # a record twice in a batch: the second asks the database
        if stored is MISSING:
            stored = self.storage.raw(self.source.name, record_id)
        if stored and stored["hash"] == raw_hash and not self.connector.time_dependent \
                and self._still_current(stored, record_id):
            self._count_unchanged(stored, result)  # unchanged records cost nothing: no mapping, no validation, no write
            return None
        return record_id, raw_hash, stored

    def _record(self, raw, now: datetime, result: SyncResult, record_id: str, raw_hash: str, stored: dict | None) -> None:
        source = self.source.name
        try:
            premapped = self.premapped.pop(id(raw), None)
            if isinstance(premapped, Exception):  # what mapping raised, while premapping
                raise premapped
            if premapped is None:  # mapped, gated and checked here (the same functions as a worker's)
                listing, errors = gating.publishable(self._map(raw, now))
                self.gates.count()
            else:  # gated in a worker process
                listing, errors = self.gates.outcome(*premapped)
        except Withheld as exc:
            listing, errors, withheld = None, [], str(exc) or "withheld by the portal"
            lapsed = getattr(exc, "lapsed", False)
        except RecordError as exc:
            listing, errors, withheld, lapsed = None, [str(exc)], None, False
        except Exception as exc:  # a connector bug on one record must not stop the others
            listing, errors, withheld, lapsed = None, [f"{type(exc).__name__}: {exc}"], None, False
        else:
            withheld, lapsed = None, False
        outcome = "quarantined" if errors else "withheld" if withheld else "listed"
        if stored and stored["outcome"] == "quarantined" and outcome != "quarantined":
            self.storage.release_quarantine(source, record_id)  # usable now: the quarantine is what is still bad
        if stored and stored["hash"] == raw_hash and stored["outcome"] == outcome and outcome != "listed":
            self._count_unchanged(stored, result)  # known bad or withheld, and still the same: nothing to add
            return
        row = None
        if not stored or stored["hash"] != raw_hash or stored["outcome"] != outcome:
            row = {"source": source, "record_id": record_id, "hash": raw_hash, "payload": to_json(raw), "outcome": outcome,
                   "first_seen": (stored or {}).get("first_seen") or now.isoformat(), "changed_at": now.isoformat()}
        if withheld and not lapsed:
            head = self.storage.listing_head(self._listing_id(record_id))
            if head is not None and head[0] in ("active", "pending"):  # it would leave the feed: decided at the end
                self.withholding[self._listing_id(record_id)] = (withheld, row)  # (a row sent twice: once)
                return
        if row is not None:
            self.storage.put_raw(row)
        if errors:
            self._quarantine(record_id, raw, errors, now, result)
        elif withheld:
            if self._set_withdrawn(self._listing_id(record_id), withheld, now, result.run_id):
                result.withdrawn += 1
            else:
                result.withheld += 1
        else:
            self._store(record_id, listing, now, result)

    def _listing_id(self, record_id: str) -> str:
        return listing_id(self.source.id_namespace or self.source.name, record_id)

    def _record_id(self, raw) -> str:
        record_id = self.connector.record_id(raw)
        if not isinstance(record_id, str) or not record_id or len(record_id) > 500 or _UNPRINTABLE.search(record_id):
            raise RecordError(f"id: {printable(record_id, 80)!s} is not a usable record id "
                              "(empty, longer than 500 characters, or with control or broken characters)")
        return record_id

    def _count_unchanged(self, stored: dict, result: SyncResult) -> None:
        if stored["outcome"] == "quarantined":
            self.bad += 1  # still as bad as last time: quarantined before, counted unchanged now
            self.bad_ids.append((stored["record_id"], True))
        if stored["outcome"] == "withheld":
            result.withheld += 1
        else:
            result.unchanged += 1

    def _still_current(self, stored: dict, record_id: str) -> bool:
        """True if what the stored raw record led to is still in place (not withdrawn since)."""
        if stored["outcome"] != "listed":
            return True
        listing_id = stored.get("listing_id") or self._listing_id(record_id)
        state = self.heads.pop(listing_id, MISSING)
        if state is MISSING:
            state = self.storage.listing_head(listing_id)
        if state is None or state[0] not in ("active", "pending", "rejected"):
            return False
        self._track_cursor(state[1])
        return True

    def _store(self, record_id: str, listing: dict, now: datetime, result: SyncResult) -> None:
        stable = {k: v for k, v in listing.items() if k != "source"}
        stable["source"] = {k: v for k, v in listing["source"].items() if k != "fetched_at"}
        listing_hash = content_hash(stable)
        current = self.heads.pop(listing["id"], MISSING)  # (status, updated_at, hash) as the batch began
        if current is MISSING:  # or as it is now: asked a second time in the batch, or an id of its own making
            current = self.storage.listing_head(listing["id"])
        self._track_cursor(listing["updated_at"])
        if current and current[2] == listing_hash and current[0] in ("active", "pending", "rejected"):
            result.unchanged += 1
            return
        if current and current[0] in ("active", "pending", "rejected"):
            # A moderated source's changed text deserves another look, whatever was decided on the
            # old one: approved or rejected, it waits for review again.
            status = "pending" if self.source.trust == "moderated" or current[0] == "rejected" else current[0]
            action = "updated"
            result.updated += 1
        else:
            status = "pending" if self.source.trust == "moderated" else "active"
            action = "new" if current is None else "relisted"
            result.new += 1
        self.storage.put_listing({"id": listing["id"], "source": self.source.name, "record_id": record_id,
                                  "hash": listing_hash, "data": listing, "status": status, "reason": None,
                                  "updated_at": now.isoformat()})
        self._history(listing["id"], record_id, action, now, result.run_id, listing_hash)
        self.owed.append(listing["id"])

    def _withdraw_missing(self, now: datetime, result: SyncResult, accept_shrink: bool) -> None:
        """Withdraw the listings a full sync did not see and those the portal now withholds (archived, in review,
        cancelled), all or none: a list emptied or shrunk past max_shrink either way is suspicious (a broken export
        or a status mapped wrong withdraws a source's listings as surely as an empty list)."""
        gone: list[str] = []
        before = self.listed_before
        if result.mode == "full":
            listed = self.storage.listed_ids(self.source.name)
            gone = [lid for rid, lid in listed.items() if rid not in self.seen]
            before = max(before, len(listed))
            if gone and not self.connector.complete:
                result.notes.append(f"the portal's list changed during the sync; {len(gone)} unseen "
                                    "listings kept until the next full sync")
                self.unsettled = True  # not the full sync full_every asks for: the next scheduled one is full again
                gone = []
        complete = result.mode == "full" and self.connector.complete and not self.unsettled
        leaving = len(gone) + len(self.withholding)
        if leaving and not accept_shrink and self._suspicious(before, leaving):
            result.status = "suspicious"
            # still listed; their raw records are not stored, and an incremental sync's cursor stays: the next asks again
            result.withheld += len(self.withholding)
            if self.withholding:
                self.latest = None
            missing = f"{len(gone)} of the {before} listings the hub shows for it are missing" if gone else ""
            withheld = f"the portal now withholds {len(self.withholding)} of them ({next(iter(self.withholding.values()))[0]})" \
                if self.withholding else ""
            result.notes.append(
                f"the portal now lists {len(self.seen)} records; {'; '.join(filter(None, (missing, withheld)))} "
                f"(down {leaving / max(before, 1):.0%}; max_shrink allows {self.source.max_shrink:.0%}); "
                f"nothing was withdrawn. If the portal really removed them, confirm with: "
                f"helferhub sync --full --accept-shrink {self.source.name}")
            log.warning("%s: suspicious shrink: %s", self.source.name, result.notes[-1])
            return
        with self.storage.transaction():
            try:
                for lid in gone:
                    if self._set_withdrawn(lid, "no longer listed by the portal", now, result.run_id):
                        result.withdrawn += 1
                for lid, (why, row) in self.withholding.items():
                    if row is not None:
                        self.storage.put_raw(row)
                    if self._set_withdrawn(lid, why, now, result.run_id):
                        result.withdrawn += 1
                    else:
                        result.withheld += 1
                self._flush()
            finally:
                self.history_rows.clear()  # (written, or rolled back with the transaction)
                self.owed.clear()
            if complete:  # a record quarantined, then dropped by the portal: nothing left to mend
                left = self.storage.release_quarantine_except(self.source.name, self.seen)
                if left:
                    result.notes.append(f"{left} quarantined record(s) the portal no longer lists left the quarantine")

    def _suspicious(self, listed: int, gone: int) -> bool:
        """A list emptied, or shrunk by more than the source's max_shrink (and by more than a
        couple of listings, which small sources lose any day): more likely a broken export."""
        return not self.seen or (gone / max(listed, 1) > self.source.max_shrink and gone >= MIN_SHRINK)

    def _set_withdrawn(self, lid: str, reason: str, now: datetime, run_id: int) -> bool:
        row = self.storage.listing(lid)
        if row is None or row["status"] not in ("active", "pending"):
            return False
        self.heads.pop(lid, None)  # the same record again in this batch reads what it is now
        self.storage.put_listing({**row, "status": "withdrawn", "reason": reason, "updated_at": now.isoformat()})
        self._history(lid, row["record_id"], "withdrawn", now, run_id, row["hash"])
        self.owed.append(lid)
        return True

    def _unify(self) -> None:
        """Pay every owed unification (this run's, and a killed run's) in one transaction."""
        with self.storage.transaction():
            self._keep_lease(now=True)  # (as in _write_batch)
            owed = self.storage.owed_unify()
            if owed:
                unify.refresh(self.storage, owed, self.config.dedupe)
                self.storage.paid_unify(owed)

    def _quarantine(self, record_id, raw, errors: list[str], now: datetime, result: SyncResult) -> None:
        self.storage.quarantine({"source": self.source.name, "record_id": record_id, "run_id": result.run_id,
                                 "errors": errors, "payload": to_json(raw), "created_at": now.isoformat()})
        log.warning("%s: record %s quarantined: %s", self.source.name,
                    printable(record_id, 80) if record_id is not None else "without a usable id",
                    printable("; ".join(errors), 500))
        result.quarantined += 1
        self.bad += 1
        self.bad_ids.append((record_id, False))

    def _flush(self) -> None:
        """Write the history rows and owed unifications noted in this transaction (in the order they were noted)."""
        self.storage.log_history_many(self.history_rows)
        self.storage.owe_unify_many(self.owed)
        self.history_rows.clear()
        self.owed.clear()

    def _history(self, listing_id, record_id, action, now, run_id, listing_hash) -> None:
        self.history_rows.append({"listing_id": listing_id, "source": self.source.name, "record_id": record_id,
                                  "run_id": run_id, "action": action, "at": now.isoformat(), "hash": listing_hash})

    def _track_cursor(self, updated_at: str | None) -> None:
        if not updated_at:  # a listing stored without its date (before validation required one): no cursor
            return
        when = datetime.fromisoformat(updated_at)  # the latest is kept parsed: one parse a record
        if self.latest is None or when > self.latest_when:
            self.latest, self.latest_when = updated_at, when

    def _finish(self, result: SyncResult, state: dict) -> None:
        now = utcnow().isoformat()
        fields = {k: v for k, v in asdict(result).items() if k in COUNTS + ("not_modified", "status", "error")}
        notes = scrub("; ".join(result.notes), self.secrets) or None
        if self.unsettled:
            fields["settled"] = 0
        self.storage.finish_run(result.run_id, finished_at=now, notes=notes, **fields)
        cursor = state.get("cursor")
        completed = result.status in ("ok", "suspicious")
        if completed and self.latest and (not cursor or self.latest_when > datetime.fromisoformat(cursor)):
            cursor = self.latest
        failures = 0 if completed else (state.get("failures") or 0) + 1
        health = {"last_success_at": now} if completed else {"last_error": result.error, "last_error_at": now}
        with self.storage.transaction():
            self.storage.set_state(self.source.name, cursor=cursor, last_run_at=now, last_status=result.status,
                                   failures=failures, last_duration=time.monotonic() - self.began, **health)
        log.log(logging.INFO if completed else logging.WARNING, printable(result.line(), 2000),
                extra={"source": self.source.name, "run_id": result.run_id, "event": "sync.finished",
                       "status": result.status, "counts": {k: getattr(result, k) for k in COUNTS}})


def sync(config: Config, storage: Storage, names: list[str] | None = None, full: bool = False,
         accept_shrink: bool = False, progress=None, each=None) -> list[SyncResult]:
    """Sync the named sources (default: every enabled one), one after another (after the
    lifecycle's housekeeping: renames carried over, grace periods checked)."""
    from hub import lifecycle, partners

    config = partners.effective(config, storage)  # sources registered by partners sync too
    lifecycle.housekeep(config, storage)
    chosen = [config.source(n) for n in names] if names else [s for s in config.sources if s.enabled]
    results = []
    try:
        for source in chosen:
            results.append(SourceSync(config, storage, source).run(full=full, accept_shrink=accept_shrink,
                                                                   progress=progress))
            if each is not None:  # each(result) as soon as its source is done (the CLI prints its line)
                if progress is not None:
                    progress.end()
                each(results[-1])
    finally:
        if progress is not None:
            progress.end()
    return results
