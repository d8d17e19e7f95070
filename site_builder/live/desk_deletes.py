"""Deleting through the desk, checked like saving: a file is deleted only if the site still builds.

The files are first renamed aside (a hidden name in the same folder, which no loader reads: the
check sees the site as it would be without them, images included, which are looked up on disk),
the site is loaded as `check` loads it (`desk_check.Checker`), and then the files are
deleted, or renamed back with the errors told to the editor (an image an item still shows, a data
file whose figures a total needs…). A published news item may be deleted: the build has no error
for it, and readers of its address then find the 404 page (Decap asks the editor first).
A file that is not there is no error (as decap-server).
"""
from __future__ import annotations

import contextlib
import os
import secrets
from datetime import datetime
from pathlib import Path

from ..base.oserrors import reason
from .desk_check import Checker, Written, explain
from .desk_format import LineKeys
from .desk_paths import DeskError, DeskPath
from .desk_write import remove


def delete_checked(checker: Checker, files: list[DeskPath], now: datetime) -> list[Path]:
    """Delete `files` if the site has no error without them; the paths deleted."""
    aside: list[tuple[DeskPath, Path]] = []
    try:
        for f in files:
            if f.path.is_file() and all(f.path != d.path for d, _ in aside):
                hidden = f.path.with_name(f".desk-delete-{secrets.token_hex(4)}-{f.path.name}")
                os.rename(f.path, hidden)
                aside.append((f, hidden))
    except OSError as exc:
        _restore(aside)
        raise DeskError(500, f"Lỗi: không xóa được tệp ({reason(exc)}). Hãy kiểm tra quyền ghi thư mục nguồn.") from None
    if not aside:
        return []
    outcome = checker.load({}, now)
    if outcome.errors:
        _restore(aside)
        mine = [Written(d.path, d.rel, "", LineKeys()) for d, _ in aside]
        raise DeskError(422, explain(outcome.errors, mine, {}).replace(
            "Lỗi: chưa lưu được.", "Lỗi: chưa xóa được: trang sẽ có lỗi nếu thiếu tệp này.", 1))
    for d, hidden in aside:
        remove(hidden, d.rel)
    return [d.path for d, _ in aside]


def _restore(aside: list[tuple[DeskPath, Path]]) -> None:
    for d, hidden in aside:
        with contextlib.suppress(OSError):
            os.rename(hidden, d.path)
