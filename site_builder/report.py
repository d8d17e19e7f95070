"""Printing problems and progress for people: Vietnamese, one problem per block, errors last."""
from __future__ import annotations

import sys
from typing import TextIO

from .errors import Problems, SourceError


def unique(items: list[SourceError]) -> list[SourceError]:
    """Each problem once, in the order found: a broken template that every page uses is one
    mistake, not one per page."""
    return list(dict.fromkeys(items))


def print_list(problems: Problems, stream: TextIO | None = None) -> None:
    """Warnings first, then errors, so the errors stay on screen; each problem printed once."""
    stream = stream or sys.stderr
    for problem in unique(problems.warnings) + unique(problems.errors):
        print(problem.format(), file=stream)


def print_problems(problems: Problems, stream: TextIO | None = None) -> None:
    """The problems of a build, then a one-line count saying that nothing was written."""
    stream = stream or sys.stderr
    print_list(problems, stream)
    if problems.errors:
        print(f"Có {len(unique(problems.errors))} lỗi, chưa xây dựng trang. "
              "Trang cũ trong thư mục kết quả vẫn giữ nguyên.", file=stream)


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
