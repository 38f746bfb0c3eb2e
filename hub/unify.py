"""Unify stage: stored listings -> unified listings, through the deduplicator, with stable ids.

Only what a sync changed is looked at again: the changed listings, the listings sharing a
block key with them, and the clusters either belongs to. A unified listing keeps its id when a
duplicate joins or a member leaves; when two clusters merge, the older id stays and the other
redirects to it.
"""
from __future__ import annotations

import hashlib
import json
import logging
import math
import os
from datetime import datetime, timezone
from functools import partial
from typing import Iterable, Iterator

from dedupe import engine as dedupe_engine
from dedupe.engine import Engine, Prepared, load_model
from dedupe.merge import cluster_id, merge
from dedupe.model import Model, ModelError
from hub import cpus
from hub.config import DedupeSettings
from hub.orphans import end_with_parent
from hub.storage import Storage
from schema import YEARS, out_of_range, validate

log = logging.getLogger(__name__)

#: Unified listings written together (a few statements for all of them, not a few for each).
WRITE_BATCH = 500
#: From this many listings on, they are prepared for the deduplicator in worker processes, one per CPU
#: this process may use and no more than there are chunks: below it, starting them costs more than they save.
PREPARE_IN_WORKERS_FROM = 20_000


def prepare_workers(count: int) -> int:
    """How many processes prepare `count` records for the deduplicator."""
    if count < PREPARE_IN_WORKERS_FROM:
        return 1
    return min(cpus.available(), math.ceil(count / dedupe_engine.PREPARE_CHUNK))


def use_workers(engine: Engine, count: int) -> Engine:
    """engine, set to prepare `count` records in prepare_workers(count) processes, which end with this
    process even when it is killed outright (kill -9, the OOM killer): else they would wait for work for ever."""
    engine.workers = prepare_workers(count)
    engine.worker_setup = partial(end_with_parent, os.getpid())
    return engine


def estimate(storage: Storage, settings: DedupeSettings = DedupeSettings()) -> Model:
    """Estimate the model from every active listing and the operators' decisions (not stored)."""
    return _estimate(storage, settings, Engine(settings.spec), key_names=False, unpublishable=[])[0]


def _estimate(storage: Storage, settings: DedupeSettings, engine: Engine, key_names: bool = True,
              unpublishable: list[str] | None = None) -> tuple[Model, Prepared]:
    """The model `engine` estimated (and now holds), and every active listing as it prepared them
    (read one at a time; with their block keys' names, to store them). Listings whose times cannot be
    published are left out, their ids added to `unpublishable`, if given."""
    use_workers(engine, storage.active_listing_count())
    documents = storage.active_listings_data()
    if unpublishable is not None:
        documents = _publishable_only(documents, unpublishable)
    prep = engine.prepare(documents, key_names=key_names)
    index = prep.index()
    decided = {"together": [], "apart": []}
    for o in storage.overrides():
        if o["a"] in index and o["b"] in index:
            decided[o["decision"]].append((index[o["a"]], index[o["b"]]))
    return engine.fit(prep, together=decided["together"], apart=decided["apart"]), prep


def store_model(storage: Storage, model: Model) -> None:
    """Keep a model with the database."""
    storage.put_dedupe_model(model.as_dict(), model.records, datetime.now(timezone.utc).isoformat())


def _publishable_only(documents: Iterable[dict], unpublishable: list[str]) -> Iterator[dict]:
    """The documents whose times can be published; the ids of the others are added to `unpublishable`.
    Stored ones were validated when they were stored, but not always against today's checks: a full
    clustering reaches listings no change did, whose unified listing would fail for every source. Only
    a time whose year is near or outside YEARS is read (a string compare: this runs over every listing)."""
    low, high = str(YEARS[0] + 1), str(YEARS[1] - 1)
    for doc in documents:
        if any(isinstance(v := doc.get(f), str) and not low <= v[:4] <= high for f in TIMES) \
                and time_problems(_publishable(doc)):
            unpublishable.append(doc["id"])
            continue
        yield doc


def current_model(storage: Storage, settings: DedupeSettings = DedupeSettings()) -> tuple[Model, bool]:
    """The model to unify with, and whether it was estimated just now.

    A model file from the settings wins; else the stored model, unless there is none, it no longer
    fits the specification, or the listings have grown by `growth` since: then it is estimated
    again and stored (and every listing must be clustered again by it).
    """
    model, prepared = _current_model(storage, settings, Engine(settings.spec), [])
    return model, prepared is not None


def _current_model(storage: Storage, settings: DedupeSettings, engine: Engine,
                   unpublishable: list[str]) -> tuple[Model, Prepared | None]:
    """current_model(), and where it was estimated just now (by `engine`), every active listing prepared
    but those whose times cannot be published (their ids added to `unpublishable`)."""
    spec = settings.spec
    if settings.parameters:
        return load_model(settings.parameters, spec), None
    model = stored_model(storage, spec)
    if model is not None and storage.active_listing_count() <= (1 + settings.growth) * model.records:
        return model, None
    before = model.records if model else None
    model, prepared = _estimate(storage, settings, engine, unpublishable=unpublishable)
    store_model(storage, model)
    log.info("deduplication model estimated from %d listings (before: %s): %d candidate pairs, prior %.3g",
             model.records, before if before is not None else "no model", model.candidates, model.prior)
    return model, prepared


def stored_model(storage: Storage, spec) -> Model | None:
    """The model stored with the database, if there is one that fits the specification."""
    stored = storage.dedupe_model()
    if stored is None:
        return None
    try:
        return Model.from_dict(stored["data"], spec, "the stored deduplication model")
    except ModelError as exc:
        log.warning("%s: it will be estimated again", exc)
        return None


def cluster_id_of(cluster: list[str], unified_id: str) -> bool:
    """True if the cluster holds the listing whose id the unified id was made from."""
    return any(cluster_id(m) == unified_id for m in cluster)


TIMES = ("published_at", "updated_at", "starts_at", "ends_at", "valid_until")
#: Ends a portal writes far ahead for "no end" (9999-12-31): none, as the connectors now read them.
OPEN_ENDS = ("ends_at", "valid_until")


def open_ended(doc: dict) -> dict | None:
    """doc with an end after 2200 as no end (None), if it has one; else None. A listing stored so before its
    times were checked stays shown, as such an end is read now (connectors.dates), instead of being withdrawn."""
    fixed = None
    for field in OPEN_ENDS:
        value = doc.get(field)
        try:
            far = value is not None and datetime.fromisoformat(value).year > YEARS[1]  # (9999 with -05:00 too)
        except (TypeError, ValueError):
            far = False  # (then time_problems tells)
        if far:
            fixed = {**(fixed or doc), field: None}
    return fixed


def _publishable(doc: dict) -> dict:
    """A member's document as the unified listing takes it: an end after 2200 as no end (open_ended), also
    where the listing was not among those changed (a full clustering takes every one)."""
    return open_ended(doc) or doc


def time_problems(doc: dict) -> list[str]:
    """Why a listing's times cannot be published, one message naming each such field ([]: none).
    Validation refuses them before a listing is stored; one stored before it did must not stop
    the unification of every other listing (a year-1 time cannot even be converted to UTC)."""
    problems = []
    for field in TIMES:
        value = doc.get(field)
        if value is None:
            continue
        try:
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is None:
                raise ValueError("it has no time-zone offset")
            out_of_range(moment)
        except (TypeError, ValueError) as exc:
            problems.append(f"{field}: {value!r} cannot be published ({exc})")
    return problems


class Unifier:
    """Keeps the unified listings of one database in step with its listings."""

    def __init__(self, storage: Storage, settings: DedupeSettings = DedupeSettings(), model: Model | None = None,
                 progress=None):
        self.storage = storage
        #: progress(label, done, total, unit), told how the writing goes (a terminal's progress line)
        self.progress = progress
        self.settings = settings
        self.engine = Engine(settings.spec, model)
        self.prefer = settings.prefer
        #: Sources partners registered, oldest first: their fields come after the file's (dedupe/merge.py).
        #: Read from the database, so every process unifies alike, whichever config it runs.
        self.registered = tuple(r[0] for r in storage.db.execute(
            "select name from api_sources order by created_at, name").fetchall())

    def refresh(self, changed: list[str]) -> int:
        """Re-cluster around the changed listings; returns how many unified listings were written.
        Where the model is estimated again first, every listing is clustered again."""
        self._set_aside(changed)
        if self.engine.model is None:
            unpublishable = []  # found by a full clustering among listings no change reached
            self.engine.model, prepared = _current_model(self.storage, self.settings, self.engine, unpublishable)
            self._set_aside(unpublishable)
            changed = [*changed, *unpublishable]
            if prepared is not None:
                return self._refresh_all(prepared, changed)
        changed = list(dict.fromkeys(changed))
        rows = {lid: self.storage.listing(lid) for lid in changed}
        rows = {lid: row for lid, row in rows.items() if row}
        keys = {lid: self.engine.block_keys(row["data"]) if row["status"] == "active" else [] for lid, row in rows.items()}
        self.storage.set_keys_many(keys.items())
        component = self._component({lid: keys[lid] for lid, row in rows.items() if row["status"] == "active"}, list(rows))
        # the component's documents are read a batch at a time, to prepare and then to write them: a change
        # in a dense federation may reach most of its listings
        states = self.storage.listing_heads(sorted(component))
        active = [lid for lid in sorted(component) if lid in states and states[lid][0] == "active"]
        old = self.storage.memberships(sorted(component))
        overrides = self.storage.overrides(set(active))
        use_workers(self.engine, len(active))
        clusters = self.engine.run(self._documents(active),
                                   together=[(o["a"], o["b"]) for o in overrides if o["decision"] == "together"],
                                   apart=[(o["a"], o["b"]) for o in overrides if o["decision"] == "apart"])
        written = self._write(clusters, self.storage.listings, self.storage.published_at(active), old)
        for lid, row in rows.items():  # listings that left the feed: their own record says what became of them
            if row["status"] != "active":
                self.storage.drop_membership(lid)
                written += self._retire(lid, row)
        self._redirect_own([lid for lid, row in rows.items() if row["status"] == "active"])
        return written

    def _set_aside(self, listing_ids: list[str]) -> None:
        """Withdraw each listing (active or awaiting review) whose times cannot be published, and quarantine
        its record naming the field: its own fault, not every source's (whose unification it would fail)."""
        now = datetime.now(timezone.utc).isoformat()
        for lid in self._to_look_at(list(dict.fromkeys(listing_ids))):
            row = self.storage.listing(lid)
            fixed = open_ended(row["data"])
            if fixed is not None:  # 'valid until 9999-12-31', stored before it was read as no end
                row = {**row, "data": fixed}
                self.storage.put_listing(row)
            problems = time_problems(row["data"]) if row["status"] in ("active", "pending") else []
            if not problems:
                continue
            log.warning("%s: listing %s withdrawn: %s", row["source"], lid, "; ".join(problems))
            self.storage.put_listing({**row, "status": "withdrawn", "reason": "; ".join(problems), "updated_at": now})
            self.storage.log_history({"listing_id": lid, "source": row["source"], "record_id": row["record_id"],
                                      "run_id": None, "action": "withdrawn", "at": now, "hash": row["hash"]})
            raw = self.storage.raw(row["source"], row["record_id"])
            self.storage.quarantine({"source": row["source"], "record_id": row["record_id"], "run_id": None,
                                     "errors": problems, "payload": raw["payload"] if raw else json.dumps(row["data"]),
                                     "created_at": now})

    def _to_look_at(self, listing_ids: list[str]) -> list[str]:
        """Those of the stored listings that _set_aside must read whole (the rest it leaves as they are): an end
        after 2200, a time that cannot be published, or a time field that is not text. Only their times are
        read here (the whole document of every changed listing was most of a first sync's _set_aside)."""
        found = []
        for lid, (status, times) in self.storage.listing_times(listing_ids, TIMES).items():
            doc = None if times is None else {f: v for f, v in zip(TIMES, times) if v is not None}
            if doc is None or open_ended(doc) is not None or \
                    (status in ("active", "pending") and time_problems(doc)):
                found.append(lid)
        return found

    def _documents(self, listing_ids: list[str]) -> Iterator[dict]:
        """The stored documents of these listings, in this order, read a batch at a time."""
        for start in range(0, len(listing_ids), WRITE_BATCH):
            part = listing_ids[start:start + WRITE_BATCH]
            rows = self.storage.listings(part)
            yield from (rows[lid]["data"] for lid in part)

    def _refresh_all(self, prep: Prepared, changed: list[str]) -> int:
        """Every listing clustered again, by a model the engine estimated just now from all of them
        (`prep`): what it prepared and compared for that is used again, and every active listing is
        in the one component there is."""
        self.storage.set_keys_many((lid, prep.key_names_of(i)) for i, lid in enumerate(prep.ids))
        active_ids = set(prep.ids)
        gone = [lid for lid in dict.fromkeys(changed) if lid not in active_ids]
        self.storage.set_keys_many((lid, []) for lid in gone)
        component = set(prep.ids) | set(gone)
        for uid in set(self.storage.memberships(sorted(component)).values()):
            component.update(self.storage.members(uid))
        old = self.storage.memberships(sorted(component))
        overrides = self.storage.overrides(active_ids)
        clusters = self.engine.run_prepared(prep, together=[(o["a"], o["b"]) for o in overrides if o["decision"] == "together"],
                                            apart=[(o["a"], o["b"]) for o in overrides if o["decision"] == "apart"])
        # every listing's document is read again a batch at a time, as its cluster is written: held all at
        # once they were most of a first sync's memory
        written = self._write(clusters, self.storage.listings, self.storage.published_at(prep.ids), old)
        for lid, row in self.storage.listings(gone).items():  # listings that left the feed, as refresh() does
            if row["status"] != "active":
                self.storage.drop_membership(lid)
                written += self._retire(lid, row)
        self._redirect_own(prep.ids)
        return written

    def _redirect_own(self, listing_ids: list[str]) -> None:
        """Each listing shown again (approved, relisted) inside another listing's cluster: the record of
        its own that readers may know (a review's id, a withdrawn one's) now sends them to that cluster.
        (Looked up a batch of listings at a time.)"""
        for start in range(0, len(listing_ids), WRITE_BATCH):
            for listing_id, now_in in self.storage.memberships(listing_ids[start:start + WRITE_BATCH]).items():
                own = cluster_id(listing_id)
                if now_in == own:
                    continue
                row = self.storage.unified(own)
                if row is not None and row["status"] in ("pending", "rejected", "withdrawn"):
                    self.storage.set_unified_status(own, "merged", now_in)

    def _component(self, seeds: dict[str, list[str]], touched: list[str]) -> set[str]:
        """The seeds (id -> block keys), their candidates, and every member of every cluster any of them is in."""
        component = set(touched)
        for keys in seeds.values():
            component |= self.storage.sharing_keys(keys, self.engine.spec.max_block, self.engine.spec.pair_keys)
        for uid in set(self.storage.memberships(sorted(component)).values()):
            component.update(self.storage.members(uid))
        return component

    def _write(self, clusters: list[list[str]], rows, published: dict[str, str], old: dict[str, str]) -> int:
        """Store each cluster as a unified listing; rows(ids) gives the members' rows (a batch of
        clusters at a time), `published` each member's published_at."""
        ids = self.assign_ids(clusters, published, old)
        for start in range(0, len(clusters), WRITE_BATCH):
            part = list(zip(ids[start:start + WRITE_BATCH], clusters[start:start + WRITE_BATCH]))
            members = rows([m for _, cluster in part for m in cluster])
            self._store_many([(merge([_publishable(members[m]["data"]) for m in cluster], uid, self.prefer,
                                     self.registered), "active", cluster) for uid, cluster in part])
            if self.progress is not None:
                self.progress("writing unified listings", start + len(part), len(clusters), "listings")
        taken = dict.fromkeys(ids)
        former: dict[str, list[str]] = {}
        for member, uid in old.items():
            former.setdefault(uid, []).append(member)
        for uid in set(former) - set(taken):
            heirs = {u for m in former[uid] for u in [self._cluster_of(m, taken)] if u}
            if heirs:  # its members live on in another cluster: readers are sent there
                self.storage.set_unified_status(uid, "merged", sorted(heirs)[0])
            else:  # every member left the feed
                self.storage.set_unified_status(uid, "withdrawn")
        return len(ids)

    def assign_ids(self, clusters: list[list[str]], published: dict[str, str], old: dict[str, str]) -> list[str]:
        """One id per cluster, keeping the ids readers have.

        An old id goes to the new cluster holding most of its former members (on a tie, the one
        holding the listing that founded it); a cluster claimed by several old ids keeps the
        oldest; a new cluster takes its earliest member's id, never one in use.
        """
        held: dict[str, dict[int, int]] = {}  # old id -> {cluster: how many of its former members it holds}
        for n, cluster in enumerate(clusters):
            for member in cluster:
                uid = old.get(member)
                if uid is not None:
                    counts = held.setdefault(uid, {})
                    counts[n] = counts.get(n, 0) + 1
        claims: dict[int, list[str]] = {}
        for uid in sorted(held):
            options = held[uid]
            best = max(options, key=lambda n: (options[n], cluster_id_of(clusters[n], uid), -n))
            claims.setdefault(best, []).append(uid)
        ids: list[str | None] = [min(claims[n], key=self._age) if n in claims else None for n in range(len(clusters))]
        used = set(filter(None, ids)) | set(old.values())
        for n, cluster in enumerate(clusters):
            if ids[n] is None:
                by_age = sorted(cluster, key=lambda m: (datetime.fromisoformat(published[m]), m))
                ids[n] = next((cluster_id(m) for m in by_age if cluster_id(m) not in used), None) or \
                    "u_" + hashlib.sha256("|".join(cluster).encode()).hexdigest()[:16]
                used.add(ids[n])
        return ids  # type: ignore[return-value]

    def _cluster_of(self, listing_id: str, taken: dict[str, str]) -> str | None:
        uid = self.storage.memberships([listing_id]).get(listing_id)
        return uid if uid in taken else None

    def _age(self, unified_id: str) -> float:
        row = self.storage.unified(unified_id)
        created = row and row.get("created_at")
        return datetime.fromisoformat(created.replace("Z", "+00:00")).timestamp() if created else 0.0

    def _retire(self, listing_id: str, row: dict) -> int:
        """A listing out of the feed keeps (or gets) a record of its own, unless its id now names a live cluster."""
        uid = cluster_id(listing_id)
        current = self.storage.unified(uid)
        if current and current["status"] == "active" and self.storage.members(uid):
            return 0
        if time_problems(row["data"]):  # set aside: what readers had of it (if anything) is withdrawn as it was
            if current and current["status"] not in ("withdrawn", "merged"):
                self.storage.set_unified_status(uid, "withdrawn")
            return 0
        self._store(merge([_publishable(row["data"])], uid, self.prefer, self.registered), row["status"], [])
        return 1

    def _store(self, doc: dict, status: str, members: list[str]) -> None:
        self._store_many([(doc, status, members)])

    def _store_many(self, items: list[tuple[dict, str, list[str]]]) -> None:
        """Validate and store unified listings (doc, status, members), each keeping when it was first stored."""
        for doc, _, _ in items:
            errors = validate(doc, "unified")
            if errors:  # cannot happen for valid listings; fail loudly rather than publish it
                raise ValueError(f"unified listing {doc['id']} is invalid: {errors}")
        created = self.storage.created_at([doc["id"] for doc, _, _ in items])
        now = datetime.now(timezone.utc).isoformat()
        self.storage.put_unified_many([(doc, status, members, created.get(doc["id"]) or now)
                                       for doc, status, members in items])


def refresh(storage: Storage, listing_ids: list[str], settings: DedupeSettings = DedupeSettings(),
            model: Model | None = None, progress=None) -> int:
    """Bring the unified listings up to date after these listings changed (with `model`, by it)."""
    return Unifier(storage, settings, model, progress).refresh(listing_ids)
