"""Sources come and go: their state, the grace period of a paused or removed one, purges, renames.

A source is *active* (in the config, enabled), *degraded* (active, but its last `degraded_after`
syncs failed: it keeps its last good listings until they expire), *paused* (`enabled = false`)
or *removed* (the database knows it, the config no longer does). A paused or removed source is
not synced; once it has been so for `retire_after`, its listings are withdrawn (with history:
readers get 410 for their ids), and `helferhub sources purge NAME` does that at once.
`renamed_from = "old"` carries the old name's records, ids and history over to the new name.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from hub import partners, unify
from hub.clock import utcnow
from hub.config import Config
from hub.storage import Storage

log = logging.getLogger(__name__)
STATES = ("active", "degraded", "paused", "removed")
#: Tables whose rows belong to a source by its name (a rename moves them).
_OWNED = ("raw_records", "http_cache", "sync_runs", "quarantine", "history")


class LifecycleError(Exception):
    """An operator's request the source's state does not allow (the message says why and what to do)."""


def known(storage: Storage) -> set[str]:
    """Every source name the database has state or listings of, or a registration (deleted ones too: still
    their partner's, to read and purge)."""
    rows = storage.db.execute("select source from source_state union select distinct source from listings "
                              "union select name from api_sources").fetchall()
    return {r[0] for r in rows}


def state_of(config: Config, name: str, row: dict) -> str:
    """active, degraded, paused or removed."""
    try:
        source = config.source(name)
    except KeyError:
        return "removed"
    if not source.enabled:
        return "paused"
    return "degraded" if (row.get("failures") or 0) >= config.degraded_after else "active"


def overview(config: Config, storage: Storage, now: datetime | None = None) -> list[dict]:
    """Every source of the config and of the database: state, health, schedule and listing counts,
    the config's order first, then the removed ones by name."""
    config = partners.effective(config, storage)  # the registered sources are as much the hub's
    now = now or utcnow()
    counts: dict[str, dict[str, int]] = {}
    for source, status, n in storage.db.execute("select source, status, count(*) from listings group by source, status"):
        counts.setdefault(source, {})[status] = n
    names = [s.name for s in config.sources] + sorted(known(storage) - {s.name for s in config.sources})
    owners = partners.owners(storage, config)  # a deleted registration is still its partner's
    out = []
    for name in names:
        row = storage.state(name)
        state = state_of(config, name, row)
        listed = counts.get(name, {})
        entry = {"name": name, "state": state, "partner": owners.get(name), "failures": row.get("failures") or 0,
                 "last_run_at": row.get("last_run_at"), "last_status": row.get("last_status"),
                 "last_success_at": row.get("last_success_at"), "last_error": row.get("last_error"),
                 "last_error_at": row.get("last_error_at"), "last_duration": row.get("last_duration"),
                 "next_run_at": row.get("next_run_at") if state in ("active", "degraded") else None,
                 "listings": listed, "warning": None}
        if row.get("last_status") == "suspicious":  # it withdrew nothing, and waits for the operator to confirm
            last = storage.runs(name, limit=1)
            entry["warning"] = (last[0].get("notes") if last else None) or "the last sync was suspicious"
        if state in ("paused", "removed"):
            since = row.get("inactive_since")
            entry["inactive_since"] = since
            if since and _listed(listed):
                entry["retires_at"] = (datetime.fromisoformat(since) + timedelta(seconds=config.retire_after)).isoformat()
        out.append(entry)
    return out


def observe(config: Config, storage: Storage, now: datetime | None = None) -> None:
    """Note when each source stopped being synced (paused or removed), and forget it once it is back."""
    config = partners.effective(config, storage)  # the registered sources are as much the hub's
    now = now or utcnow()
    with storage.transaction():
        for name in known(storage) | {s.name for s in config.sources}:
            row = storage.state(name)
            active = state_of(config, name, row) in ("active", "degraded")
            if active and (row.get("inactive_since") or row.get("retired_at")):
                storage.set_state(name, inactive_since=None, retired_at=None)
            elif not active and not row.get("inactive_since"):
                storage.set_state(name, inactive_since=now.isoformat())
                log.info("%s: %s: not synced from now on; its listings leave the feed in %s unless it comes back",
                         name, "paused (enabled = false)" if name in {s.name for s in config.sources}
                         else "removed from the config", _duration(config.retire_after),
                         extra={"source": name, "event": "source.inactive"})


def housekeep(config: Config, storage: Storage, now: datetime | None = None) -> list[str]:
    """Renames, then the grace periods: withdraw the listings of sources paused or removed for
    longer than retire_after. Returns one line per thing done."""
    now = now or utcnow()
    config = partners.effective(config, storage)
    done = apply_renames(config, storage)
    observe(config, storage, now)
    for entry in overview(config, storage, now):
        if entry.get("retires_at") and datetime.fromisoformat(entry["retires_at"]) <= now:
            reason = (f"its source {entry['name']!r} was "
                      f"{'paused' if entry['state'] == 'paused' else 'removed from the config'} "
                      f"for longer than {_duration(config.retire_after)}")
            n = retire(config, storage, entry["name"], reason, now)
            done.append(f"{entry['name']}: {n} listings withdrawn ({reason})")
    return done


def purge(config: Config, storage: Storage, name: str, now: datetime | None = None) -> int:
    """Withdraw a paused or removed source's listings now; returns how many."""
    config = partners.effective(config, storage)  # the registered sources are as much the hub's
    if name not in known(storage) and name not in {s.name for s in config.sources}:
        raise LifecycleError(f"no source {name!r} in the config or the database")
    state = state_of(config, name, storage.state(name))
    if state in ("active", "degraded"):
        raise LifecycleError(f"{name} is {state} in {config.path}: its next sync would list its records again; "
                             "set enabled = false or remove its [[sources]] entry first")
    return retire(config, storage, name, "its source was purged by an operator", now or utcnow())


def retire(config: Config, storage: Storage, name: str, reason: str, now: datetime) -> int:
    """Withdraw every shown or waiting listing of a source, with history, and update the feed."""
    with storage.transaction():
        rows = [r for status in ("active", "pending") for r in storage.listings_in(status, name)]
        for row in rows:
            storage.put_listing({**row, "status": "withdrawn", "reason": reason, "updated_at": now.isoformat()})
            storage.log_history({"listing_id": row["id"], "source": name, "record_id": row["record_id"],
                                 "run_id": None, "action": "withdrawn", "at": now.isoformat(), "hash": row["hash"]})
        if rows:
            unify.refresh(storage, [r["id"] for r in rows], config.dedupe)
        # If it ever comes back, its first sync fetches everything again (and relists what is still there).
        storage.set_state(name, cursor=None, retired_at=now.isoformat())
    log.warning("%s: %d listings withdrawn: %s", name, len(rows), reason,
                extra={"source": name, "event": "source.retired"})
    return len(rows)


def pending_renames(config: Config, storage: Storage) -> set[str]:
    """Sources renamed from a name whose records are not carried over yet (not to be synced before)."""
    names = known(storage)
    return {s.name for s in config.sources if s.renamed_from and s.renamed_from in names}


def apply_renames(config: Config, storage: Storage) -> list[str]:
    """Carry each renamed source's records, ids and history over from its old name (once).

    Done while neither name is being synced: it holds both names' sync leases, so no sync of the
    old name writes after the move and no sync of the new one makes ids before it; a rename whose
    names are busy waits for the next round.
    """
    from hub.storage.leases import Lease

    done = []
    for source in config.sources:
        old, new = source.renamed_from, source.name
        if not old or old not in known(storage):
            continue
        leases = [Lease(storage, f"sync:{name}", ttl=600) for name in (old, new)]
        taken = []
        try:
            for lease in leases:
                if not lease.acquire():
                    break
                taken.append(lease)
            if len(taken) < 2:
                log.info("%s: the rename from %r waits: one of them is being synced", new, old,
                         extra={"source": new, "event": "source.rename_waits"})
                continue
            message = _rename(config, storage, old, new)
        finally:
            for lease in taken:
                lease.release()
        if message:
            done.append(message)
    return done


def _rename(config: Config, storage: Storage, old: str, new: str) -> str | None:
    with storage.transaction():
        if old not in known(storage):
            return None  # carried over meanwhile by another process
        if storage.db.execute("select 1 from listings where source = ? limit 1", [new]).fetchone():
            message = (f"{new}: cannot carry over the records of {old!r}: {new!r} has listings of its own "
                       f"already (synced before renamed_from was set). Remove renamed_from to keep both apart "
                       f"(the old name's listings then leave after retire_after, or at once with `helferhub "
                       f"sources purge {old}`)")
            log.error(message, extra={"source": new, "event": "source.rename_refused"})
            return message
        previous = storage.state(old)
        namespace = previous.get("id_namespace") or old
        moved = [r[0] for r in storage.db.execute("select id from listings where source = ?", [old])]
        storage.db.execute("update listings set source = ?, data = json_set(data, '$.source.portal', ?) "
                           "where source = ?", [new, new, old])
        for table in _OWNED:
            storage.db.execute(f"update or replace {table} set source = ? where source = ?", [new, old])
        storage.db.execute("delete from source_state where source in (?, ?)", [old, new])
        storage.set_state(new, **{**{k: v for k, v in previous.items() if k != "source"},
                                  "id_namespace": namespace, "inactive_since": None, "retired_at": None})
        active = [lid for lid, in storage.db.execute(
            "select id from listings where source = ? and status in ('active', 'pending')", [new])]
        if active:
            unify.refresh(storage, active, config.dedupe)
    message = f"{new}: carried over {len(moved)} listings with their ids and history from {old!r} (renamed_from)"
    log.warning(message, extra={"source": new, "event": "source.renamed"})
    return message


def _listed(counts: dict[str, int]) -> int:
    return counts.get("active", 0) + counts.get("pending", 0)


def _duration(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
