"""The sync pipeline for one source: fetch -> normalize -> validate -> store -> unify."""
from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime

from connectors import registry
from connectors.base import RecordError, Withheld, listing_id
from connectors.dates import utcnow
from connectors.guard import AddressPolicy
from connectors.http import Fetcher
from hub import __version__, unify
from hub.config import Config, SourceConfig
from hub.storage import Storage
from schema import validate

log = logging.getLogger(__name__)
COUNTS = ("fetched", "new", "updated", "unchanged", "withdrawn", "quarantined", "withheld")


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
    notes: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        """True if the sync completed."""
        return self.status == "ok"

    def line(self) -> str:
        """One line for the CLI and the log."""
        counts = " ".join(f"{k}={getattr(self, k)}" for k in COUNTS)
        tail = f" error: {self.error}" if self.error else ""
        return f"{self.source}: {self.status} ({self.mode}) {counts}{tail}"


def content_hash(value) -> str:
    """A hash of JSON-able content that does not depend on key order."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def make_fetcher(config: Config, source: SourceConfig, storage: Storage) -> Fetcher:
    """The fetcher for one source, with its validator cache and secret headers."""
    headers = {}
    token = source.options.get("token")
    if token is not None:
        headers["Authorization"] = f"Bearer {token.reveal()}"
    policy = AddressPolicy(allow_private=config.allow_private_addresses)
    return Fetcher(storage.cache_for(source.name), headers=headers, policy=policy)


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
        # Part of every raw hash: a new hub or connector mapping maps unchanged records again.
        extra = sorted(source.categories.items())  # the operator's category table changes the mapping too
        self.mapping = f"{__version__}/{cls.__module__}.{cls.__qualname__}/{cls.mapping_version}/{extra}"
        self.changed: list[str] = []
        self.seen: set[str] = set()
        self.latest: str | None = None

    def run(self, full: bool = False) -> SyncResult:
        """Sync the source; other sources are never touched, whatever happens here."""
        state = self.storage.state(self.source.name)
        since = None
        if not full and self.connector.supports_since and not self.source.is_local and state.get("cursor"):
            since = datetime.fromisoformat(state["cursor"])
        result = SyncResult(self.source.name, "full" if since is None else "incremental")
        started = utcnow()
        result.run_id = self.storage.start_run(self.source.name, result.mode, started.isoformat())
        try:
            for raw in self.connector.records(since):
                result.fetched += 1
                with self.storage.transaction():
                    self._record(raw, started, result)
            if result.mode == "full":
                self._withdraw_missing(started, result)
            result.status = "ok"
        except Exception as exc:  # the source failed: keep its last good data, record why
            result.status, result.error = "failed", f"{type(exc).__name__}: {exc}"
            log.warning("%s: sync failed: %s", self.source.name, result.error)
        with self.storage.transaction():
            unify.refresh(self.storage, self.changed, self.config.dedupe_threshold, self.config.dedupe_prefer)
        result.not_modified = self.connector.fetcher.not_modified
        if self.connector.unmapped_categories:
            unmapped = ", ".join(sorted(self.connector.unmapped_categories))
            result.notes.append(f"unmapped categories (shown as 'other'): {unmapped}")
            log.warning("%s: categories not in the mapping, shown as 'other': %s; map them with "
                        "categories = { ... } in its [[sources]] entry", self.source.name, unmapped)
        self._finish(result, state)
        return result

    def _record(self, raw, now: datetime, result: SyncResult) -> None:
        source = self.source.name
        try:
            record_id = self.connector.record_id(raw)
        except RecordError as exc:
            self._quarantine(None, raw, [str(exc)], now, result)
            return
        if record_id in self.seen:
            self.connector.complete = False  # the portal's list shifted under the sync: a record came twice
        self.seen.add(record_id)
        raw_hash = content_hash([self.mapping, raw])
        stored = self.storage.raw(source, record_id)
        if stored and stored["hash"] == raw_hash and not self.connector.time_dependent \
                and self._still_current(stored, record_id):
            self._count_unchanged(stored, result)  # unchanged records cost nothing: no mapping, no validation, no write
            return
        try:
            listing = self.connector.normalize(raw, now)
            errors = validate(listing)
        except Withheld as exc:
            listing, errors, withheld = None, [], str(exc) or "withheld by the portal"
        except RecordError as exc:
            listing, errors, withheld = None, [str(exc)], None
        except Exception as exc:  # a connector bug on one record must not stop the others
            listing, errors, withheld = None, [f"{type(exc).__name__}: {exc}"], None
        else:
            withheld = None
        outcome = "quarantined" if errors else "withheld" if withheld else "listed"
        if stored and stored["hash"] == raw_hash and stored["outcome"] == outcome and outcome != "listed":
            self._count_unchanged(stored, result)  # known bad or withheld, and still the same: nothing to add
            return
        if not stored or stored["hash"] != raw_hash or stored["outcome"] != outcome:
            self.storage.put_raw({"source": source, "record_id": record_id, "hash": raw_hash,
                                  "payload": json.dumps(raw, ensure_ascii=False, default=str),
                                  "outcome": outcome, "first_seen": (stored or {}).get("first_seen") or now.isoformat(),
                                  "changed_at": now.isoformat()})
        if errors:
            self._quarantine(record_id, raw, errors, now, result)
        elif withheld:
            if self._set_withdrawn(listing_id(source, record_id), withheld, now, result.run_id):
                result.withdrawn += 1
            else:
                result.withheld += 1
        else:
            self._store(record_id, listing, now, result)

    @staticmethod
    def _count_unchanged(stored: dict, result: SyncResult) -> None:
        if stored["outcome"] == "withheld":
            result.withheld += 1
        else:
            result.unchanged += 1

    def _still_current(self, stored: dict, record_id: str) -> bool:
        """True if what the stored raw record led to is still in place (not withdrawn since)."""
        if stored["outcome"] != "listed":
            return True
        row = self.storage.listing(listing_id(self.source.name, record_id))
        if row is None or row["status"] not in ("active", "pending", "rejected"):
            return False
        self._track_cursor(row["data"]["updated_at"])
        return True

    def _store(self, record_id: str, listing: dict, now: datetime, result: SyncResult) -> None:
        stable = {k: v for k, v in listing.items() if k != "source"}
        stable["source"] = {k: v for k, v in listing["source"].items() if k != "fetched_at"}
        listing_hash = content_hash(stable)
        current = self.storage.listing(listing["id"])
        self._track_cursor(listing["updated_at"])
        if current and current["hash"] == listing_hash and current["status"] in ("active", "pending", "rejected"):
            result.unchanged += 1
            return
        if current and current["status"] in ("active", "pending", "rejected"):
            # An operator rejected the old text; a changed one deserves another look.
            status = "pending" if current["status"] == "rejected" else current["status"]
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
        self.changed.append(listing["id"])

    def _withdraw_missing(self, now: datetime, result: SyncResult) -> None:
        listed = self.storage.listed_ids(self.source.name)
        gone = [lid for rid, lid in listed.items() if rid not in self.seen]
        if gone and not self.connector.complete:
            result.notes.append(f"the portal's list changed during the sync; {len(gone)} unseen "
                                "listings kept until the next full sync")
            return
        with self.storage.transaction():
            for listing_id in gone:
                if self._set_withdrawn(listing_id, "no longer listed by the portal", now, result.run_id):
                    result.withdrawn += 1

    def _set_withdrawn(self, lid: str, reason: str, now: datetime, run_id: int) -> bool:
        row = self.storage.listing(lid)
        if row is None or row["status"] not in ("active", "pending"):
            return False
        self.storage.put_listing({**row, "status": "withdrawn", "reason": reason, "updated_at": now.isoformat()})
        self._history(lid, row["record_id"], "withdrawn", now, run_id, row["hash"])
        self.changed.append(lid)
        return True

    def _quarantine(self, record_id, raw, errors: list[str], now: datetime, result: SyncResult) -> None:
        self.storage.quarantine({"source": self.source.name, "record_id": record_id, "run_id": result.run_id,
                                 "errors": errors, "payload": json.dumps(raw, ensure_ascii=False, default=str),
                                 "created_at": now.isoformat()})
        log.warning("%s: record %s quarantined: %s", self.source.name, record_id, "; ".join(errors))
        result.quarantined += 1

    def _history(self, listing_id, record_id, action, now, run_id, listing_hash) -> None:
        self.storage.log_history({"listing_id": listing_id, "source": self.source.name, "record_id": record_id,
                                  "run_id": run_id, "action": action, "at": now.isoformat(), "hash": listing_hash})

    def _track_cursor(self, updated_at: str) -> None:
        if self.latest is None or datetime.fromisoformat(updated_at) > datetime.fromisoformat(self.latest):
            self.latest = updated_at

    def _finish(self, result: SyncResult, state: dict) -> None:
        now = utcnow().isoformat()
        fields = {k: v for k, v in asdict(result).items() if k in COUNTS + ("not_modified", "status", "error")}
        self.storage.finish_run(result.run_id, finished_at=now, notes="; ".join(result.notes) or None, **fields)
        cursor = state.get("cursor")
        if result.ok and self.latest and (not cursor or datetime.fromisoformat(self.latest) > datetime.fromisoformat(cursor)):
            cursor = self.latest
        failures = 0 if result.ok else (state.get("failures") or 0) + 1
        with self.storage.transaction():
            self.storage.set_state(self.source.name, cursor=cursor, last_run_at=now,
                                   last_status=result.status, failures=failures)
        log.info(result.line())


def sync(config: Config, storage: Storage, names: list[str] | None = None, full: bool = False) -> list[SyncResult]:
    """Sync the named sources (default: every enabled one), one after another."""
    chosen = [config.source(n) for n in names] if names else [s for s in config.sources if s.enabled]
    results = []
    for source in chosen:
        results.append(SourceSync(config, storage, source).run(full=full))
    return results
