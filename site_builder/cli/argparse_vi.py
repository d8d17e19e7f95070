"""argparse in Vietnamese: its own words ("usage:", "options:", its errors) translated by msgid.

argparse looks its messages up through the module-level gettext functions `argparse._` and
`argparse.ngettext` each time it says something; `vietnamese()` swaps them for the time our
parser is built and used, so argparse elsewhere in the process keeps its own language.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

_MESSAGES: dict[str, str] = {
    "usage: ": "Cách dùng: ",
    "positional arguments": "Đối số",
    "options": "Tùy chọn",
    "optional arguments": "Tùy chọn",
    "subcommands": "Lệnh",
    "show this help message and exit": "hiện hướng dẫn này rồi thoát",
    "argument %(argument_name)s: %(message)s": "%(argument_name)s: %(message)s",
    "the following arguments are required: %s": "thiếu phần bắt buộc: %s",
    "unrecognized arguments: %s": "không hiểu phần này: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "không có lựa chọn %(value)r (hãy chọn một trong %(choices)s)",
    "invalid %(type)s value: %(value)r": "giá trị %(value)r không hợp lệ",
    "expected one argument": "cần một giá trị đi kèm",
    "expected at most one argument": "cần nhiều nhất một giá trị đi kèm",
    "expected at least one argument": "cần ít nhất một giá trị đi kèm",
    "ambiguous option: %(option)s could match %(matches)s": "tùy chọn %(option)s chưa rõ: có thể là %(matches)s",
    "not allowed with argument %s": "không dùng cùng với %s",
    "ignored explicit argument %r": "không nhận giá trị %r",
    "one of the arguments %s is required": "cần một trong các tùy chọn %s",
    "unexpected option string: %s": "tùy chọn không đúng chỗ: %s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "không có lệnh %(parser_name)r (có các lệnh: %(choices)s)",
    "can't open '%(filename)s': %(error)s": "không mở được '%(filename)s': %(error)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s: Lỗi: %(message)s\n",
}
_PLURALS: dict[str, str] = {
    "expected %s argument": "cần %s giá trị đi kèm",
}


def gettext(message: str) -> str:
    """argparse's message in Vietnamese; one we do not know stays as it is."""
    return _MESSAGES.get(message, message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """Vietnamese has no plural forms: one translation for both."""
    return _PLURALS.get(singular, singular if count == 1 else plural)


@contextmanager
def vietnamese() -> Iterator[None]:
    """argparse speaks Vietnamese inside this block, and its own language again after it."""
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = gettext, ngettext  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors end, as every message to editors does, with what to do."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: Lỗi: {message}\n    Hãy xem cách dùng: {self.prog} --help\n")
