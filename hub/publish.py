"""Static snapshots of the feeds: files any web server or CDN serves at static-file speed.

After a sync that changed the listings (and whenever a listing expires), the hub writes every
format of the default feed, and of the searches an operator names in `[publish] searches`, with a
gzip twin of each and a manifest of their validators, into a new folder beside the last one,
then points the link `current` at it in one rename. A reader (nginx, a CDN's origin,
`helferhub serve`) sees the old snapshot or the new one, never a half-written one; the folder
before stays for readers still reading it.

    <folder>/current -> gen-...        the snapshot readers see (a symbolic link)
    <folder>/gen-.../feed.json         /feed.json, its first page (what feed readers poll)
    <folder>/gen-.../feed.json.gz      the same bytes, gzip (nginx: gzip_static on)
    <folder>/gen-.../s/NAME/feed.json  /s/NAME/feed.json: a named search ([publish] searches)
    <folder>/gen-.../manifest.json     per file: ETag, Last-Modified, media type, language

Snapshots are in the hub's default language, for readers who ask for none or for it; a request
with a query string (another language, a cursor, a search) is the hub's to answer.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import time
import zlib
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

import exports
from hub.clock import now_utc
from hub.config import Config
from hub.query import BadParameter, Query, parse
from hub.render import etag, render, renderer, shown
from hub.storage import Storage
from hub.storage.snapshot import Result

log = logging.getLogger(__name__)

#: The files of a snapshot: address (below / or /s/NAME/) -> export format. Feeds carry their first page.
FILES = {"feed.json": "jsonfeed", "feed.rss": "rss", "feed.atom": "atom", "events.ics": "ics",
         "listings.geojson": "geojson", "export.csv": "csv"}
PAGED = {"jsonfeed", "rss", "atom"}
#: Snapshot folders kept besides the current one (readers may still be reading them).
KEEP = 2


@dataclass(frozen=True)
class Published:
    """What one publish did: the folder now current (None: publishing is off), and whether it is new."""

    folder: Path | None
    written: bool
    files: int = 0
    seconds: float = 0.0


def named_query(config: Config, name: str, fmt: str, args: dict[str, list[str]] | None = None,
                accept_lang: str | None = None) -> Query:
    """The query of a search ("" the default feed, else a name of [publish] searches; KeyError if
    there is none) in one format: the feed's page size for feeds, every match for the other formats,
    with what a reader may add (cursor, limit, lang); its links carry only those additions (the
    search itself is in the address), its home page (`searched`) the whole search."""
    search = {} if name == "" else dict(config.publish_searches)[name]
    args = args or {}
    for key in args:
        if key not in ("cursor", "limit", "lang"):
            raise BadParameter(key, f"unknown parameter {key!r}: a published search takes cursor, limit and lang only")
    query = parse({**search, **args}, sources=[s.name for s in config.sources], accept_lang=accept_lang,
                  default_limit=config.feed_items if fmt in PAGED else None)
    return replace(query, args=tuple((k, v) for k, v in query.args if k in args), searched=query.args)


def searches(config: Config) -> dict[str, dict[str, list[str]]]:
    """The searches to publish: "" (the default feed, at /) and each named one (at /s/NAME/)."""
    return {"": {}, **{name: args for name, args in config.publish_searches}}


def state_of(config: Config, generation: str, changed: str) -> dict:
    """What a snapshot's bytes follow from, as its manifest keeps it: the listings (generation, last
    change), the searches, the config the feeds show, and the code that rendered them."""
    from hub import __version__

    state = {"generation": generation, "changed": changed, "searches": sorted(searches(config).items()),
             "config": [config.title, config.base_url, config.feed_items, config.cache_max_age],
             "renderer": [renderer(), __version__]}
    return json.loads(json.dumps(state))  # as a manifest reads back


def publish(config: Config, storage: Storage | None = None, force: bool = False) -> Published:
    """Write a new snapshot if what readers see changed since the current one (or if forced). One
    publisher at a time per folder (a lock file): two processes never race to make theirs current."""
    if not config.publish_folder:
        return Published(None, False)
    began = time.monotonic()
    root = Path(config.publish_folder)
    root.mkdir(parents=True, exist_ok=True)
    own = storage is None
    storage = storage or Storage(config.database, migrate=False)
    try:
        with open(root / ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            for _ in range(3):  # a sync committing meanwhile: written again from where it left the listings
                now = now_utc()
                state = state_of(config, *storage.feed_state(now))
                current = manifest(root)
                if not force and current is not None and current.get("state") == state:
                    return Published(root / "current", False)
                folder = root / f"gen-{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{os.getpid()}-{time.monotonic_ns()}"
                folder.mkdir()
                try:
                    files = _write(config, folder, now)
                    if state_of(config, *storage.feed_state(now)) != state:
                        shutil.rmtree(folder, ignore_errors=True)
                        continue
                    next_expiry = storage.db.execute(
                        "select min(valid_until_utc) from unified where status = 'active' and valid_until_utc >= ?",
                        [now]).fetchone()[0]
                    body = {"state": state, "published_at": now, "valid_until": next_expiry, "files": files}
                    (folder / "manifest.json").write_text(json.dumps(body, ensure_ascii=False, indent=1), encoding="utf-8")
                    _point(root, folder)
                except BaseException:
                    shutil.rmtree(folder, ignore_errors=True)
                    raise
                break
            else:
                log.warning("the listings kept changing while the snapshot was written; the one before stays current",
                            extra={"event": "publish.busy"})
                return Published(root / "current", False)
            _tidy(root, folder)
    finally:
        if own:
            storage.close()
    seconds = time.monotonic() - began
    log.info("published %d files to %s in %.1f s", len(files), folder, seconds,
             extra={"event": "publish.done", "files": len(files)})
    return Published(root / "current", True, len(files), seconds)


def manifest(root: Path) -> dict | None:
    """The manifest of the current snapshot under root, or None if there is none (or it is unreadable)."""
    return read_manifest(root / "current")


def read_manifest(folder: Path) -> dict | None:
    """The manifest of one snapshot folder, or None if there is none (or it is unreadable)."""
    try:
        found = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def _write(config: Config, folder: Path, now: str) -> dict:
    files = {}
    for name in searches(config):
        prefix = f"s/{name}/" if name else ""
        for file, fmt in FILES.items():
            address = f"/{prefix}{file}"
            result = Result.open(config.database, shown(named_query(config, name, fmt), fmt), now)
            try:
                tag = etag(config, fmt, address, result)
                target = folder / prefix / file
                target.parent.mkdir(parents=True, exist_ok=True)
                stored = _store(render(config, fmt, address, result), target)
            finally:
                result.close()
            modified = datetime.fromisoformat(result.last_modified.replace("Z", "+00:00")).timestamp() \
                if result.last_modified else None
            for path in (target, target.with_name(target.name + ".gz")):
                if modified is not None:
                    os.utime(path, (modified, modified))  # static servers send it as Last-Modified
            files[address] = {"file": f"{prefix}{file}", "etag": tag, "last_modified": result.last_modified,
                              "media_type": exports.get(fmt).media_type, "language": result.query.lang, **stored,
                              **({"next_url": result.next_url} if result.next_url else {})}
    return files


def _store(body: bytes | Iterable[bytes], target: Path) -> dict:
    """Write a body and its gzip twin (streamed: an export of every listing is never whole in memory);
    their sizes and SHA-256 digests (a mirror or CDN may check what it copied)."""
    pieces = [body] if isinstance(body, bytes) else body
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
    digests, sizes = [hashlib.sha256(), hashlib.sha256()], [0, 0]
    with open(target, "wb") as plain, open(target.with_name(target.name + ".gz"), "wb") as packed:
        for piece in pieces:
            for n, (handle, data) in enumerate(((plain, piece), (packed, compressor.compress(piece)))):
                handle.write(data)
                digests[n].update(data)
                sizes[n] += len(data)
        tail = compressor.flush()
        packed.write(tail)
        digests[1].update(tail)
        sizes[1] += len(tail)
    return {"bytes": sizes[0], "sha256": digests[0].hexdigest(), "gzip_bytes": sizes[1],
            "gzip_sha256": digests[1].hexdigest()}


def _point(root: Path, folder: Path) -> None:
    """Make `current` name folder, in one rename (readers see the old link or the new one)."""
    link = root / f".current-{os.getpid()}-{time.monotonic_ns()}"
    os.symlink(folder.name, link)
    os.replace(link, root / "current")


def _tidy(root: Path, current: Path) -> None:
    """Remove snapshots older than the KEEP newest (never the current one), and stray links."""
    folders = sorted((p for p in root.glob("gen-*") if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in folders[KEEP + 1:]:
        if old.name != current.name:
            shutil.rmtree(old, ignore_errors=True)
    for stray in root.glob(".current-*"):
        if time.time() - stray.lstat().st_mtime > 60:
            stray.unlink(missing_ok=True)


def published_now(config: Config) -> dict | None:
    """The current snapshot's manifest if it may be served now (publishing is on, it exists, and no
    listing in it has expired since), else None."""
    if not config.publish_folder:
        return None
    found = manifest(Path(config.publish_folder))
    if found is None:
        return None
    until = found.get("valid_until")
    if until and until <= datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"):
        return None
    return found


def after_sync(config: Config) -> Published | None:
    """Publish if the listings changed (the worker's and the CLI's step after syncing); a failure is
    logged and the sync's outcome stands (readers keep the snapshot before, or the app answers)."""
    if not config.publish_folder:
        return None
    try:
        return publish(config)
    except Exception:  # noqa: BLE001 - a full disk or a broken folder must not fail the sync that came before
        log.exception("publishing the snapshot to %s failed; the one before stays current", config.publish_folder,
                      extra={"event": "publish.failed"})
        return None
