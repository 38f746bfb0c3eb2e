"""The review queue: listings of moderated sources wait here until an operator decides."""
from __future__ import annotations

from dedupe.merge import cluster_id
from hub import unify
from hub.clock import utcnow
from hub.config import DedupeSettings
from hub.storage import Storage

DECISIONS = {"approve": "active", "reject": "rejected"}
DONE = {"approve": "approved", "reject": "rejected"}


def pending(storage: Storage, source: str | None = None) -> list[dict]:
    """Listings awaiting review, oldest first; each with `public_id` (the u_ id the API and pages
    will show) and `reasons` (why it waits)."""
    rows = storage.listings_in("pending", source)
    for row in rows:
        row["public_id"] = cluster_id(row["id"])
        row["reasons"] = reasons(storage, row)
    return rows


def reasons(storage: Storage, row: dict) -> list[str]:
    """Why a listing waits for review, in an operator's words."""
    history = storage.history(row["id"])
    decided = [h for h in history if h["action"] in ("approved", "rejected", "rejectd")]
    said = [f"its source {row['source']} is moderated (trust = \"moderated\"): nothing of it is shown unreviewed"]
    if decided and history and history[-1]["action"] == "updated":
        said.append(f"changed by the portal after it was {'rejected' if decided[-1]['action'].startswith('reject') else 'approved'} "
                    f"on {decided[-1]['at'][:10]}")
    elif history and history[-1]["action"] == "queued":
        said.append(f"shown before its source became moderated (queued on {history[-1]['at'][:10]})")
    elif history and history[-1]["action"] == "relisted":
        said.append("listed again by the portal after it had been withdrawn")
    else:
        said.append("new")
    return said


def follow_trust(storage: Storage, source: str, trust: str, now: str, run_id: int | None = None) -> list[str]:
    """Put a source's listings where its trust says, once its trust changed (in the caller's transaction; their
    unification owed): a moderated source's shown listings no moderator approved wait for review, a trusted
    source's waiting ones are shown (rejected ones stay rejected). Returns the ids of those that moved.

    Only on a change: run on every sync, a trusted source released a listing a moderator had rejected as soon
    as its portal edited it (an edit sends a rejected listing back to review, whatever the trust; review
    helper-72). A source whose trust is not known yet (new, or synced before schema 18) is read from its listings."""
    known = storage.state(source).get("trust")
    if known != trust:
        storage.set_state(source, trust=trust)
    if known is None:
        known = _trust_shown(storage, source) or trust
    if known == trust:
        return []
    if trust == "moderated":
        rows, status, action = storage.shown_unreviewed(source), "pending", "queued"
        reason = "its source became moderated: shown before, it waits for review"
    else:
        rows, status, action, reason = storage.listings_in("pending", source), "active", "released", None
    for row in rows:
        storage.put_listing({**row, "status": status, "reason": reason, "updated_at": now})
        storage.log_history({"listing_id": row["id"], "source": source, "record_id": row["record_id"],
                             "run_id": run_id, "action": action, "at": now, "hash": row["hash"]})
        storage.owe_unify(row["id"])
    return [row["id"] for row in rows]


def _trust_shown(storage: Storage, source: str) -> str | None:
    """The trust a source's listings are in line with, as they show it (before schema 18 every sync put them in line):
    moderated when some wait for review and none is shown unreviewed, trusted for the other way round; None when
    neither or both (a new source; nothing tells). Read once: the sync then keeps the trust it followed.

    Taken as it was, a source made moderated in hub.toml with the upgrade to schema 18 kept all it had shown."""
    waiting, unreviewed = storage.review_state(source)
    if waiting == unreviewed:
        return None
    return "moderated" if waiting else "trusted"


def public_id(listing_id: str) -> str:
    """The unified id a listing is shown under while it stands alone (u_ for l_)."""
    return cluster_id(resolve(listing_id))


def resolve(listing_id: str) -> str:
    """The listing id behind an id an operator gives: a listing id (l_) or the unified id (u_) shown for it."""
    return "l_" + listing_id.removeprefix("u_") if listing_id.startswith("u_") else listing_id


def decide(storage: Storage, listing_id: str, decision: str, settings: DedupeSettings = DedupeSettings(),
           reason: str | None = None, actor: str = "an operator") -> str:
    """Approve or reject one pending listing (by its l_ or u_ id), with a reason if given; returns
    what happened, for the operator. The decision, who made it and why are in the audit log."""
    from hub import partners

    shown, listing_id = listing_id, resolve(listing_id)
    row = storage.listing(listing_id)
    if row is None:
        raise LookupError(f"no listing {shown!r}")
    if row["status"] != "pending":
        raise ValueError(f"listing {shown} is {row['status']}, not awaiting review")
    status = DECISIONS[decision]
    now = utcnow().isoformat()
    with storage.transaction():
        said = f"{DONE[decision]} by {actor}" + (f": {reason}" if reason else "")
        storage.put_listing({**row, "status": status, "reason": said, "updated_at": now})
        storage.log_history({"listing_id": listing_id, "source": row["source"], "record_id": row["record_id"],
                             "run_id": None, "action": DONE[decision], "at": now, "hash": row["hash"]})
        unify.refresh(storage, [listing_id], settings)
        partners.audit(storage, actor, f"listing.{decision}", listing_id, {"reason": reason} if reason else None)
        shown = storage.memberships([listing_id]).get(listing_id) if decision == "approve" else None
    merged = f" (shown as part of {shown})" if shown and shown != cluster_id(listing_id) else ""
    return f"{cluster_id(listing_id)} {DONE[decision]}: {row['data']['title']}{merged}"
