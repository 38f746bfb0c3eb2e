"""The review queue: listings of moderated sources wait here until an operator decides."""
from __future__ import annotations

from hub import unify
from hub.clock import utcnow
from hub.config import DedupeSettings
from hub.storage import Storage

DECISIONS = {"approve": "active", "reject": "rejected"}


def pending(storage: Storage, source: str | None = None) -> list[dict]:
    """Listings awaiting review, oldest first."""
    return storage.listings_in("pending", source)


def decide(storage: Storage, listing_id: str, decision: str, settings: DedupeSettings = DedupeSettings()) -> str:
    """Approve or reject one pending listing; returns what happened, for the operator."""
    row = storage.listing(listing_id)
    if row is None:
        raise LookupError(f"no listing {listing_id!r}")
    if row["status"] != "pending":
        raise ValueError(f"listing {listing_id} is {row['status']}, not awaiting review")
    status = DECISIONS[decision]
    now = utcnow().isoformat()
    with storage.transaction():
        storage.put_listing({**row, "status": status, "reason": f"{decision}d by an operator", "updated_at": now})
        storage.log_history({"listing_id": listing_id, "source": row["source"], "record_id": row["record_id"],
                             "run_id": None, "action": f"{decision}d", "at": now, "hash": row["hash"]})
        unify.refresh(storage, [listing_id], settings)
    return f"{listing_id} {decision}d: {row['data']['title']}"
