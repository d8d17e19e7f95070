"""Printing problems and progress for people: Vietnamese, one problem per block, errors last."""
from __future__ import annotations

import sys
from typing import TextIO

from ..base.errors import Problems, SiteBuilderError, build_lines, listing, unique

__all__ = ["EXIT_CONTENT", "EXIT_OK", "EXIT_USAGE", "ProgressLine", "Reporter", "print_list", "print_problems", "unique"]

# Exit codes: done; a problem in the sources (or a file that could not be read or written); a wrong command line.
EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def print_list(problems: Problems, stream: TextIO | None = None) -> None:
    """Warnings first, then errors, so the errors stay on screen; each problem printed once."""
    _print_lines(listing(problems), stream)


def print_problems(problems: Problems, stream: TextIO | None = None) -> None:
    """The problems of a build, then a one-line count saying that nothing was written."""
    _print_lines(build_lines(problems), stream)


def _print_lines(lines: list[str], stream: TextIO | None) -> None:
    stream = stream or sys.stderr
    for line in lines:
        print(line, file=stream)


class Reporter:
    """The one voice of the CLI: messages for the editor on stderr, results (diffs, unit lists) on
    stdout. The streams are looked up at each message, so a redirected `sys.stderr` is followed."""

    def say(self, text: str) -> None:
        """One message for the editor (it may span lines)."""
        print(text, file=sys.stderr)

    def failed(self, error: SiteBuilderError) -> int:
        """The error as the editor reads it; its exit code."""
        _print_lines(error.lines(), None)
        return error.exit_code

    def problems(self, problems: Problems) -> None:
        """The warnings and errors of a build, with the count when nothing was built."""
        print_problems(problems)

    def listing(self, problems: Problems) -> None:
        """The warnings and errors, without the build's count."""
        print_list(problems)

    def result(self, text: str, end: str = "\n") -> None:
        """Output of the command itself, on stdout."""
        print(text, end=end)


class ProgressLine:
    """A progress counter on one terminal line, shown only for builds long enough to need it."""

    def __init__(self, stream: TextIO | None = None, threshold: int = 2000) -> None:
        self.stream = stream or sys.stderr
        self.threshold = threshold
        self.tty = self.stream.isatty()

    def __call__(self, done: int, total: int) -> None:
        if total < self.threshold:
            return
        step = max(1, total // 100) if self.tty else max(1, total // 10)
        if done % step and done != total:
            return
        end = "\r" if self.tty and done != total else "\n"
        print(f"Đang xây dựng: {done}/{total} tệp ({done * 100 // total}%)", end=end, file=self.stream, flush=True)
