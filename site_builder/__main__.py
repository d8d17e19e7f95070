"""`python -m site_builder` and the `site-builder` command (`run`).

The command line is imported inside `run`, so that Ctrl-C while Python is still importing it
(a second or more on a slow machine) also ends in one line and exit code 130, not a traceback.
"""
from __future__ import annotations

import sys

from .cli.interrupt import say_stopped, stop_here_only


def run() -> int:
    """Run the command line; Ctrl-C at any point is one Vietnamese line and exit code 130."""
    try:
        with stop_here_only(hard_stop=True):
            from .cli.main import main
            return main()
    except KeyboardInterrupt:
        return say_stopped()


if __name__ == "__main__":
    sys.exit(run())
