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
        #: hub.toml as read; `config` adds the sources partners registered through the admin API
        self.file_config = config
        self.config = config
        self._registered: tuple | None = None
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
            if new.syncs != self.config.syncs:  # the scheduler's pool of sync threads is made once, at start
                log.warning("config reload: worker.syncs changed to %d; a running worker keeps syncing %d sources "
                            "at once (restart it to change that)", new.syncs, self.config.syncs,
                            extra={"event": "config.reload_syncs"})
                new = replace(new, syncs=self.config.syncs)
            self.file_config = new
            new = self._with_registered(new)
            old, self.config = self.config, new
            logs.setup(new.log_level, new.log_format)
            self._notify(old, new)
            log.info("config reloaded from %s: %d sources (%d enabled)", path, len(new.sources),
                     sum(s.enabled for s in new.sources), extra={"event": "config.reloaded"})
            return True

    def refresh(self, storage) -> bool:
        """Take in sources partners registered, changed or deleted since the last look (True if any)."""
        from hub import partners

        signature = partners.signature(storage)
        if signature == self._registered:
            return False
        with self._lock:
            self._registered = signature
            new = partners.effective(self.file_config, storage)
            old, self.config = self.config, new
            if [s for s in old.sources] != [s for s in new.sources]:
                log.info("registered sources changed: %d sources now", len(new.sources),
                         extra={"event": "config.registered"})
                self._notify(old, new)
        return True

    def _with_registered(self, config: hub_config.Config) -> hub_config.Config:
        from hub import partners
        from hub.storage import Storage

        try:
            with Storage(config.database, migrate=False) as storage:
                return partners.effective(config, storage)
        except Exception:  # noqa: BLE001 - not migrated yet: the file's sources for now, the next refresh adds them
            return config

    def _notify(self, old: hub_config.Config, new: hub_config.Config) -> None:
        for listener in self.listeners:
            try:
                listener(old, new)
            except Exception:  # noqa: BLE001 - one listener's fault must not keep the others on the old config
                log.exception("config change: applying it failed in %r", listener)

    def handle_sighup(self) -> None:
        """Reload on SIGHUP (in a thread of its own: never inside the signal handler). Main thread only, once.

        A process started with SIGHUP ignored (`run` starts its scheduler so: a reload while it is still
        starting must not kill it) may have missed one: it catches up if the file changed since it was read."""
        if not hasattr(signal, "SIGHUP"):
            return
        # The handler only writes a byte (no lock: a handler that starts a thread could wait forever for a
        # lock its own thread holds); one thread reloads for it, once for the signals that came meanwhile.
        asked, ask = os.pipe()
        os.set_blocking(ask, False)

        def reloads() -> None:
            while os.read(asked, 4096):
                try:
                    self.reload()
                except Exception:  # noqa: BLE001 - the next SIGHUP must still be heard
                    log.exception("config reload failed; the running config stays", extra={"event": "config.reload_failed"})

        def handler(*_) -> None:
            try:
                os.write(ask, b"\0")
            except BlockingIOError:  # the pipe is full of asks not yet taken: a reload is coming
                pass

        held = signal.signal(signal.SIGHUP, handler)  # first: off the main thread this raises, and no thread is left
        threading.Thread(target=reloads, name="config reload", daemon=True).start()
        if held == signal.SIG_IGN:  # at once, before anyone reads the config or the process forks
            self._catch_up()

    def _catch_up(self) -> None:
        try:
            unchanged = hub_config.load(self.config.path) == self.file_config
        except Exception:  # noqa: BLE001 - reload() logs what is wrong with it
            unchanged = False
        if not unchanged:
            self.reload()

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
