"""What operators and their monitoring read: /healthz, /readyz, /metrics, and the access log.

- `/healthz` (liveness): 200 while the process answers, with the status body.
- `/readyz` (readiness): 503 until the database is reachable and at this hub's schema version
  (the worker migrates it after an upgrade), then 200; the status body either way.
- The status body: overall `ok`, or `degraded` when any source is, else `warning` when any source's
  last sync was suspicious; every source with its state (active, degraded, paused, removed), its
  warning (that sync's note), last success, last error text and time, next run and
  listing counts; the scheduler lease's holder.
- `/metrics`: Prometheus text format through prometheus-client. Request counts and latencies are
  the process's own, summed over every gunicorn worker in multiprocess mode (when
  PROMETHEUS_MULTIPROC_DIR is set, see README "Running in production"); source, sync and
  deduplication figures are read from the database at each scrape, so every worker tells the same.
"""
from __future__ import annotations

import logging
import os
import sqlite3
import time
from datetime import datetime
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

from hub import lifecycle
from hub.clock import now_utc
from hub.storage import SCHEMA_VERSION, Storage
from hub.storage.leases import holder_of

bp = Blueprint("ops", __name__)
access = logging.getLogger("hub.access")
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
#: Routes that answer while the database is not ready (everything else answers 503 then).
UNGUARDED = {"ops.healthz", "ops.readyz", "ops.metrics", "static"}

REQUESTS = Counter("helferhub_http_requests", "HTTP requests answered, by route, method and status",
                   ["endpoint", "method", "status"])
LATENCY = Histogram("helferhub_http_request_duration_seconds", "Time to answer a request (until the handler "
                    "returned; a streamed body may take longer), by route", ["endpoint"],
                    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))


def init_app(app: Flask) -> None:
    """Count and time every request, log it, and hold back requests until the database is ready."""
    app.register_blueprint(bp)
    app.before_request(_before)
    app.after_request(_after)


def readiness(path: str) -> tuple[bool, str]:
    """(ready, why): the database can be opened and is at this hub's schema version."""
    if path != ":memory:" and not os.path.exists(path):
        return False, f"database {path} does not exist yet (the worker creates it)"
    try:
        # (the name percent-encoded: a '#', '?' or '%' in it ended it there, and another file was read: review helper-79)
        uri = "file::memory:?mode=ro" if path == ":memory:" else f"{Path(path).absolute().as_uri()}?mode=ro"
        conn = sqlite3.connect(uri, uri=True, timeout=5)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return False, f"database {path} cannot be read: {exc}"
    if version < SCHEMA_VERSION:
        return False, (f"database schema v{version}, this hub needs v{SCHEMA_VERSION}: waiting for the migration "
                       "(`helferhub worker` or `helferhub migrate` runs it)")
    if version > SCHEMA_VERSION:
        return False, f"database schema v{version} is newer than this hub (v{SCHEMA_VERSION}): upgrade the hub"
    return True, f"database schema v{version}"


def status(config, storage: Storage | None, refused: dict | None = None) -> dict:
    """The status body: overall state, the database, every source's state and health, and a changed config
    file this process refused (`refused`: when, and its problems, which only the log and the dashboard tell)."""
    ready, detail = readiness(config.database)
    body: dict = {"status": "ok", "ready": ready, "database": detail, "schema_version": SCHEMA_VERSION}
    if refused:
        body["config"] = {"reload_refused_at": refused["at"], "problems": len(refused["problems"]),
                          "note": "the config file changed and was refused; the running config stays. Its problems "
                                  "are in the log and on the dashboard"}
    if not ready or storage is None:
        body["status"] = "unavailable"
        return body
    now = now_utc()
    sources = lifecycle.overview(config, storage)
    for entry in sources:  # kept from before: whether the config syncs it
        entry["enabled"] = entry["state"] in ("active", "degraded")
    body.update(visible=storage.visible_count(now), listings=storage.counts(), sources=sources)
    lease = holder_of(storage, "scheduler")
    body["scheduler"] = None if lease is None else {
        "holder": lease["holder"], "host": lease["host"], "pid": lease["pid"],
        "heartbeat_at": _iso(lease["heartbeat_at"]), "expires_at": _iso(lease["expires_at"]),
        "expired": lease["expires_at"] < time.time()}
    if any(s["state"] == "degraded" for s in sources):
        body["status"] = "degraded"
    elif any(s.get("warning") for s in sources) or refused:
        body["status"] = "warning"  # a sync withheld a suspicious shrink, or a config was refused: someone must look
    for entry in sources:  # the run's note holds what the portal sent (record ids, its words): not for everyone
        if entry.get("warning"):
            entry["warning"] = ("the last sync withdrew nothing: the list shrank suspiciously; see `helferhub "
                                "sources` or the dashboard, and confirm with sync --full --accept-shrink")
    return body


def _iso(seconds: float) -> str:
    from datetime import timezone

    return datetime.fromtimestamp(seconds, timezone.utc).isoformat(timespec="seconds")


def _status_response(code: int | None = None) -> Response:
    config = current_app.config["HUB"]
    ready, _ = readiness(config.database)
    if ready:
        with Storage(config.database, migrate=False) as storage:
            body = status(config, storage, current_app.config.get("HUB_REFUSED"))
    else:
        body = status(config, None, current_app.config.get("HUB_REFUSED"))
    response = jsonify(body)
    response.status_code = code or 200
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz():
    """Liveness: 200 while the process answers; the status body tells the rest."""
    return _status_response(200)


@bp.get("/readyz")
def readyz():
    """Readiness: 503 until the database is reachable and migrated."""
    ready, _ = readiness(current_app.config["HUB"].database)
    response = _status_response(200 if ready else 503)
    if not ready:
        response.headers["Retry-After"] = "5"
    return response


@bp.get("/metrics")
def metrics():
    """Prometheus text format: requests of every process, sources and deduplication from the database."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
        requests_text = b""
    else:
        from prometheus_client import REGISTRY

        requests_text = generate_latest(REGISTRY)
    registry.register(DatabaseCollector(current_app.config["HUB"], current_app.config.get("HUB_REFUSED")))
    response = Response(requests_text + generate_latest(registry))
    response.headers["Content-Type"] = CONTENT_TYPE_LATEST  # as it is: it names its charset already
    response.headers["Cache-Control"] = "no-store"
    return response


class DatabaseCollector:
    """Source, sync and deduplication figures, read from the database at each scrape."""

    def __init__(self, config, refused: dict | None = None):
        self.config = config
        self.refused = refused

    def collect(self):
        ready, _ = readiness(self.config.database)
        up = GaugeMetricFamily("helferhub_database_ready", "1 when the database is reachable and migrated")
        up.add_metric([], 1 if ready else 0)
        yield up
        refused = GaugeMetricFamily("helferhub_config_reload_refused", "1 while the changed config file is refused "
                                    "(problems: see the log) and the web process runs on the config before")
        refused.add_metric([], 1 if self.refused else 0)
        yield refused
        if not ready:
            return
        with Storage(self.config.database, migrate=False) as storage:
            yield from self._sources(storage)
            yield from self._dedupe(storage)

    def _sources(self, storage: Storage):
        overview = lifecycle.overview(self.config, storage)
        state = GaugeMetricFamily("helferhub_source_state", "1 for the source's state (active, degraded, paused, "
                                  "removed)", labels=["source", "state"])
        success = GaugeMetricFamily("helferhub_source_last_success_timestamp_seconds",
                                    "When the source last synced successfully (Unix time)", labels=["source"])
        failures = GaugeMetricFamily("helferhub_source_consecutive_failures", "Failed syncs in a row",
                                     labels=["source"])
        last = GaugeMetricFamily("helferhub_source_last_sync_status", "1 for how the source's last sync ended (ok, "
                                 "suspicious: a shrink withheld until confirmed, failed)", labels=["source", "status"])
        duration = GaugeMetricFamily("helferhub_source_last_sync_duration_seconds", "How long the last sync took",
                                     labels=["source"])
        next_run = GaugeMetricFamily("helferhub_source_next_run_timestamp_seconds", "When the scheduler syncs the "
                                     "source next (Unix time)", labels=["source"])
        listings = GaugeMetricFamily("helferhub_source_listings", "The source's listings by status", labels=["source", "status"])
        records = GaugeMetricFamily("helferhub_source_records", "The source's records by outcome of their last "
                                    "sync (listed, quarantined, withheld)", labels=["source", "outcome"])
        outcomes: dict[str, dict[str, int]] = {}
        for source, outcome, n in storage.db.execute("select source, outcome, count(*) from raw_records "
                                                     "group by source, outcome"):
            outcomes.setdefault(source, {})[outcome] = n
        for entry in overview:
            name = entry["name"]
            for each in lifecycle.STATES:
                state.add_metric([name, each], 1 if entry["state"] == each else 0)
            if entry["last_success_at"]:
                success.add_metric([name], datetime.fromisoformat(entry["last_success_at"]).timestamp())
            failures.add_metric([name], entry["failures"])
            if entry["last_status"]:
                for each in ("ok", "suspicious", "failed"):
                    last.add_metric([name, each], 1 if entry["last_status"] == each else 0)
            if entry["last_duration"] is not None:
                duration.add_metric([name], entry["last_duration"])
            if entry["next_run_at"]:
                next_run.add_metric([name], datetime.fromisoformat(entry["next_run_at"]).timestamp())
            for status_name, n in sorted(entry["listings"].items()):
                listings.add_metric([name, status_name], n)
            for outcome, n in sorted(outcomes.get(name, {}).items()):
                records.add_metric([name, outcome], n)
        yield from (state, success, failures, last, duration, next_run, listings, records)

    def _dedupe(self, storage: Storage):
        unified = GaugeMetricFamily("helferhub_unified_listings", "Unified listings by status", labels=["status"])
        for status_name, n in sorted(storage.counts().items()):
            unified.add_metric([status_name], n)
        clusters, merged = storage.db.execute(
            "select count(*), coalesce(sum(n), 0) from (select count(*) as n from unified_members m "
            "join unified u on u.id = m.unified_id where u.status = 'active' group by m.unified_id having n > 1)").fetchone()
        cluster_gauge = GaugeMetricFamily("helferhub_dedupe_clusters", "Shown unified listings made of several "
                                          "portals' listings")
        cluster_gauge.add_metric([], clusters)
        merged_gauge = GaugeMetricFamily("helferhub_dedupe_merged_listings", "Portal listings shown as part of "
                                         "such a cluster")
        merged_gauge.add_metric([], merged)
        yield from (unified, cluster_gauge, merged_gauge)
        model = storage.dedupe_model()
        if model is not None:
            estimated = GaugeMetricFamily("helferhub_dedupe_model_estimated_timestamp_seconds",
                                          "When the deduplication model was last estimated (Unix time)")
            estimated.add_metric([], datetime.fromisoformat(model["estimated_at"]).timestamp())
            records = GaugeMetricFamily("helferhub_dedupe_model_records", "Listings the model was estimated on")
            records.add_metric([], model["records"])
            yield from (estimated, records)


def _before():
    g.started = time.perf_counter()
    if request.endpoint in UNGUARDED or current_app.config.get("HUB_READY"):
        return None
    ready, detail = readiness(current_app.config["HUB"].database)
    if ready:
        current_app.config["HUB_READY"] = True  # once ready, a process stays so (migrations only go forward)
        return None
    response = jsonify(error="Service Unavailable", message=detail, status=503)
    response.status_code = 503
    response.headers["Retry-After"] = "5"
    return response


def _after(response: Response) -> Response:
    endpoint = request.url_rule.rule if request.url_rule is not None else "(no route)"
    elapsed = time.perf_counter() - g.get("started", time.perf_counter())
    method = request.method if request.method in METHODS else "other"  # a client's invented method is no new series
    REQUESTS.labels(endpoint, method, str(response.status_code)).inc()
    LATENCY.labels(endpoint).observe(elapsed)
    if current_app.config["HUB"].access_log:
        size = response.content_length if response.content_length is not None else "-"
        path = request.full_path.rstrip("?")
        access.info('%s "%s %s" %d %s %.1fms', request.remote_addr or "-", request.method, path,
                    response.status_code, size, elapsed * 1000,
                    extra={"event": "http.request", "method": request.method, "path": path,
                           "status": response.status_code, "bytes": size, "duration_ms": round(elapsed * 1000, 2),
                           "remote": request.remote_addr})
    return response
