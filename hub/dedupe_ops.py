"""What operators do with the deduplicator: explain, decide apart/together, rebuild, run it offline."""
from __future__ import annotations

import json
import threading
from itertools import combinations
from typing import IO, Iterable

from dedupe.engine import Engine, load_model
from dedupe.merge import merge
from dedupe.model import Model
from dedupe.spec import Spec, listing_spec
from hub import unify
from hub.clock import utcnow
from hub.config import DedupeSettings
from hub.storage import Storage


class NotFound(LookupError):
    """An id that names no listing and no unified listing."""


class SameListing(ValueError):
    """A pair decision that names one listing twice (its l_ and u_ ids, say)."""


def listing_of(storage: Storage, some_id: str, public: bool = False) -> dict:
    """A listing row by its listing id, or the first member of a unified listing. With `public`,
    only a listing readers see (a pending, rejected or withdrawn one is not found: its state is
    nobody's business but the operators')."""
    row = storage.listing(some_id)
    if row is None and some_id.startswith("u_"):
        members = storage.members(some_id)
        row = storage.listing(members[0]) if members else storage.listing("l_" + some_id[2:])
    if row is None or (public and row["status"] != "active"):
        raise NotFound(f"no listing {some_id!r}")
    return row


def engine_for(storage: Storage, settings: DedupeSettings = DedupeSettings()) -> Engine:
    """An engine with the model in use: the settings' file, else the stored one; with neither (nothing
    was ever unified) one estimated now and not stored, since reading must not change the database."""
    spec = settings.spec
    if settings.parameters:
        return Engine(spec, load_model(settings.parameters, spec))
    return Engine(spec, unify.stored_model(storage, spec) or _estimated(storage, settings))


#: Models estimated for reading (no stored model fits yet), per database state and decisions:
#: an explanation asked for again before the next sync stores a model does not estimate again.
_ESTIMATED: dict[tuple, Model] = {}


_ESTIMATING = threading.Lock()  # one estimate at a time: concurrent explanations wait for it, not repeat it


def _estimated(storage: Storage, settings: DedupeSettings) -> Model:
    key = (storage.generation(), repr(settings.spec), len(storage.overrides()), storage.active_listing_count())
    with _ESTIMATING:
        if key not in _ESTIMATED:
            while len(_ESTIMATED) >= 4:
                _ESTIMATED.pop(next(iter(_ESTIMATED)))
            _ESTIMATED[key] = unify.estimate(storage, settings)
        return _ESTIMATED[key]


def explain_pair(storage: Storage, a: str, b: str, settings: DedupeSettings = DedupeSettings(), public: bool = False,
                 engine: Engine | None = None) -> dict:
    """Why two listings (or unified listings) are, or are not, one (`public`: only listings readers see):
    each field's comparison, level and partial match weight, the match probability and the verdict."""
    ra, rb = listing_of(storage, a, public), listing_of(storage, b, public)
    decisions = {o["decision"] for o in storage.overrides({ra["id"]}) if {o["a"], o["b"]} == {ra["id"], rb["id"]}}
    engine = engine or engine_for(storage, settings)
    x = engine.explain(ra["data"], rb["data"], apart="apart" in decisions, together="together" in decisions)
    same = storage.memberships([ra["id"], rb["id"]])
    merged = ra["id"] in same and same.get(ra["id"]) == same.get(rb["id"])
    return {**x.as_dict(), "merged": merged}


def explain_unified(storage: Storage, unified_id: str, settings: DedupeSettings = DedupeSettings(), public: bool = False) -> dict:
    """Why a unified listing's members were merged: every pair's comparison (`public`: only a listing
    readers see, and without its state)."""
    row = storage.unified(unified_id)
    if row is None or (public and row["status"] != "active"):
        raise NotFound(f"no listing {unified_id!r}")
    members = storage.members(unified_id)
    engine = engine_for(storage, settings) if len(members) > 1 else None
    pairs = [explain_pair(storage, a, b, settings, engine=engine) for a, b in combinations(members, 2)]
    return {"id": unified_id, **({} if public else {"status": row["status"]}), "members": members,
            "threshold": settings.spec.threshold, "pairs": pairs}


def decide(storage: Storage, a: str, b: str, decision: str | None, note: str | None = None,
           settings: DedupeSettings = DedupeSettings(), decided_by: str | None = None) -> str:
    """Keep two listings apart or together for good (decision None forgets it); re-clusters them now.
    The decision is a known pair for the next estimate of the model (`dedupe rebuild`)."""
    ra, rb = listing_of(storage, a), listing_of(storage, b)
    if ra["id"] == rb["id"]:
        raise SameListing(f"a and b are the same listing ({a} and {b} are both {ra['id']}): a decision needs two"
                          if a != b else f"a and b are the same listing ({a}): a decision needs two")
    with storage.transaction():
        storage.put_override(ra["id"], rb["id"], decision, note, utcnow().isoformat(), decided_by)
        from hub import partners

        partners.audit(storage, decided_by or "command line", f"dedupe.{decision or 'forget'}",
                       f"{ra['id']} {rb['id']}", {"note": note} if note else None)
        unify.refresh(storage, [ra["id"], rb["id"]], settings)
    verb = {"apart": "kept apart", "together": "kept together", None: "left to the deduplicator"}[decision]
    return f"{ra['id']} and {rb['id']} are {verb}"


def rebuild(storage: Storage, settings: DedupeSettings = DedupeSettings(), progress=None) -> tuple[int, Model]:
    """Estimate the model again (from every listing and every decision) and re-cluster every listing
    by it; a model file in the settings is used as it is. Returns the listings written and the model."""
    with storage.transaction():
        if settings.parameters:
            model = unify.current_model(storage, settings)[0]
        else:
            if progress is not None:
                progress.phase("estimating the deduplication model")
            model = unify.estimate(storage, settings)
            unify.store_model(storage, model)
        if progress is not None:
            progress.phase("clustering every listing")
        return unify.refresh(storage, storage.active_listing_ids(), settings, model, progress), model


def offline(lines: Iterable[str], out: IO[str], spec: Spec | None = None, threshold: float | None = None) -> int:
    """Deduplicate JSON lines without a database: listings -> unified listings, or with a spec any
    records (each with an `id`) -> one line per cluster. Returns the number of clusters."""
    records = [json.loads(line) for line in lines if line.strip()]
    if spec is None:
        engine = unify.use_workers(Engine(listing_spec(threshold)), len(records))
        by_id = {r["id"]: r for r in records}
        clusters = engine.run(records)
        for cluster in clusters:
            out.write(json.dumps(merge([by_id[m] for m in cluster]), ensure_ascii=False) + "\n")
        return len(clusters)
    engine = unify.use_workers(Engine(spec), len(records))
    clusters = engine.run(records)
    for n, cluster in enumerate(clusters):
        out.write(json.dumps({"cluster": n, "members": cluster}, ensure_ascii=False) + "\n")
    return len(clusters)
