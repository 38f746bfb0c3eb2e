"""The running config of a process, and reloading it without a restart (SIGHUP, or a file watcher).

A reload reads and checks the whole file first. A config with any problem is not applied: the
running one stays, and every problem is logged with its key path. A good one replaces the
running config as a whole and is handed to each listener (the scheduler reschedules, the web app
shows the new titles and sources). The database cannot change while the process runs.
"""
from __future__ import annotations

import logging
import os
import signal
import threading
from dataclasses import replace
from typing import Callable

from hub import config as hub_config, logs

log = logging.getLogger(__name__)
Listener = Callable[[hub_config.Config, hub_config.Config], None]


class Runtime:
    """The config a process runs on now; `reload()` replaces it after checking the file."""

    def __init__(self, config: hub_config.Config):
        self.config = config
        self.listeners: list[Listener] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def on_change(self, listener: Listener) -> None:
        """Call listener(old, new) after every successful reload."""
        self.listeners.append(listener)

    def reload(self) -> bool:
        """Read the config file again; apply it if it is good (True), else keep the running one (False)."""
        with self._lock:
            path = self.config.path
            try:
                new = hub_config.load(path)
            except hub_config.ConfigError as exc:
                for problem in exc.problems:
                    log.error("config reload: %s: %s", exc.path, problem,
                              extra={"event": "config.reload_refused", "problems": exc.problems})
                log.error("config reload: %s has %d problem(s); the running config stays", exc.path, len(exc.problems),
                          extra={"event": "config.reload_refused"})
                return False
            except Exception:  # noqa: BLE001 - whatever it is, the process keeps running on what it has
                log.exception("config reload: %s could not be read; the running config stays", path)
                return False
            if new.database != self.config.database:
                log.error("config reload: hub.database changed to %s; a running process keeps %s (restart to move it)",
                          new.database, self.config.database, extra={"event": "config.reload_database"})
                new = replace(new, database=self.config.database)
            old, self.config = self.config, new
            logs.setup(new.log_level, new.log_format)
            for listener in self.listeners:
                try:
                    listener(old, new)
                except Exception:  # noqa: BLE001 - one listener's fault must not keep the others on the old config
                    log.exception("config reload: applying it failed in %r", listener)
            log.info("config reloaded from %s: %d sources (%d enabled)", path, len(new.sources),
                     sum(s.enabled for s in new.sources), extra={"event": "config.reloaded"})
            return True

    def handle_sighup(self) -> None:
        """Reload on SIGHUP (in a thread of its own: never inside the signal handler). Main thread only."""
        if hasattr(signal, "SIGHUP"):
            signal.signal(signal.SIGHUP, lambda *_: threading.Thread(target=self.reload, name="config reload",
                                                                    daemon=True).start())

    def watch(self, every: float = 2.0) -> threading.Thread:
        """Reload whenever the config file's modification time or size changes (polled)."""
        def stamp():
            try:
                info = os.stat(self.config.path)
                return info.st_mtime_ns, info.st_size
            except OSError:
                return None

        def loop():
            seen = stamp()
            while not self._stop.wait(every):
                now = stamp()
                if now != seen and now is not None:
                    seen = now
                    log.info("config file %s changed; reloading", self.config.path, extra={"event": "config.changed"})
                    self.reload()

        thread = threading.Thread(target=loop, name="config watcher", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        """End the watcher."""
        self._stop.set()
