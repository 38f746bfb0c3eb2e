"""The `helferhub` console script and `python -m hub`: the command line, started.

`run` reloads hub.toml on SIGHUP once it serves, and catches up on a reload asked for before then;
until it handles SIGHUP, the signal's default action would end it. So for `run`, SIGHUP is ignored
from here on, before the commands' imports (seconds of them), not only once `run` itself starts.
"""
from __future__ import annotations

import signal
import sys


def main() -> int:
    if _command(sys.argv[1:]) == "run" and hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
    from hub.cli import main as command_line

    return command_line()


def _command(argv: list[str]) -> str | None:
    """The command named on a helferhub command line: the first word after the group's options."""
    words = iter(argv)
    for word in words:
        if word == "--config":
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None
