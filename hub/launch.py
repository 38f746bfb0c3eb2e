"""The `helferhub` console script and `python -m hub`: the command line, started.

`run`, `serve` and `worker` reload hub.toml on SIGHUP once they handle it, and catch up on a reload
asked for before then; until then the signal's default action would end them. So for these, SIGHUP
is ignored from here on, before the commands' imports (seconds of them).
"""
from __future__ import annotations

import signal
import sys


def main() -> int:
    if _command(sys.argv[1:]) in RELOADING and hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
    from hub.cli import main as command_line

    return command_line()


#: The commands that keep running and reload on SIGHUP.
RELOADING = ("run", "serve", "worker")


def _command(argv: list[str]) -> str | None:
    """The command named on a helferhub command line: the first word after the group's options."""
    words = iter(argv)
    for word in words:
        if word == "--config":
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None
