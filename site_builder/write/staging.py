"""A whole new output written into a staging folder beside it, then swapped in at once.

Unchanged files are hard-linked from the previous output instead of rewritten. Only when every
file is in place is the staging folder swapped in, so a failed or killed build leaves the
previous output as it was: on Linux the swap is one atomic exchange of the two folders
(`renameat2`), elsewhere two renames that the next build completes if a kill falls between
them. Top-level hidden files of the output (`.gitkeep`, `.htaccess`, `.well-known/`) are kept.
"""
from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from ..base.streams import same_content
from .output import MARKER, TEMPORARY, WriteReport, marker_text, safe_relative, within


class OutputWriter:
    """Collects the files of one build in staging, then swaps them in at once; its marker says
    which build it is (`drafts`), so a kill after the swap leaves a marker that tells the truth."""

    def __init__(self, output: Path, drafts: bool = False) -> None:
        self.output = output.resolve()
        self.drafts = drafts
        self.staging = self.output.parent / f".{self.output.name}.staging"
        self.old = self.output.parent / f".{self.output.name}.old"
        self.written = 0
        self.unchanged = 0
        self._paths: set[str] = set()

    def begin(self) -> None:
        self._recover()
        remove(self.staging)  # left by a killed build: a folder, or anything else under its name
        self.staging.mkdir(parents=True)
        (self.staging / MARKER).write_text(marker_text(self.drafts), encoding="utf-8")

    def _recover(self) -> None:
        """Finish a swap that a killed build left half done."""
        if os.path.lexists(self.old):
            if os.path.lexists(self.output) or not self.old.is_dir() or self.old.is_symlink():
                remove(self.old)
            else:
                self.old.rename(self.output)

    def _target(self, rel: str) -> tuple[Path, Path]:
        """Where a file goes in staging, and where the previous output had it; a previous file
        reached through a symbolic link out of the output is treated as absent."""
        path = safe_relative(rel)
        self._paths.add(path.as_posix())
        staged = self.staging.joinpath(*path.parts)
        staged.parent.mkdir(parents=True, exist_ok=True)
        previous = self.output.joinpath(*path.parts)
        if not within(self.output, previous):
            previous = self.staging / ".missing"
        return staged, previous

    def _link_if_same(self, staged: Path, previous: Path, data: bytes | None, source: Path | None) -> bool:
        try:
            if not previous.is_file() or previous.is_symlink():
                return False
            if data is not None:
                if previous.stat().st_size != len(data) or previous.read_bytes() != data:
                    return False
            elif source is not None and not same_content(previous, source):
                return False
            os.link(previous, staged)
        except OSError:
            return False
        self.unchanged += 1
        return True

    def put(self, rel: str, data: bytes) -> None:
        staged, previous = self._target(rel)
        if not self._link_if_same(staged, previous, data, None):
            staged.write_bytes(data)
            self.written += 1

    def copy(self, rel: str, source: Path) -> None:
        staged, previous = self._target(rel)
        if not self._link_if_same(staged, previous, None, source):
            shutil.copyfile(source, staged)
            self.written += 1

    def keep(self, rel: str) -> bool:
        """Carry an unchanged file of the previous output into staging (a hard link); False if absent."""
        staged, previous = self._target(rel)
        try:
            os.link(previous, staged)
        except OSError:
            self._paths.discard(safe_relative(rel).as_posix())
            return False
        self.unchanged += 1
        return True

    def record(self, rel: str) -> None:
        """Register a file that a worker process wrote into staging."""
        self._paths.add(safe_relative(rel).as_posix())
        self.written += 1

    def abort(self) -> None:
        with contextlib.suppress(OSError):
            remove(self.staging)

    def commit(self) -> WriteReport:
        """Swap staging in; if nothing differs from the previous output, leave it untouched."""
        removed = 0
        if self.output.is_dir():
            for path in sorted(self.output.rglob("*")):
                rel = path.relative_to(self.output).as_posix()
                if rel.startswith(".") and not rel.startswith(TEMPORARY):
                    if "/" not in rel and rel != MARKER:
                        _keep(path, self.staging / rel)
                    continue
                if (path.is_file() or path.is_symlink()) and rel not in self._paths:
                    removed += 1
        report = WriteReport(self.written, self.unchanged, removed)
        if not report.changed and self.output.is_dir():
            self.abort()
            return report
        if self.output.exists() and _exchange(self.staging, self.output):
            self.abort()  # the staging folder's name now holds the previous output
            return report
        if self.output.exists():
            self.output.rename(self.old)
        try:
            self.staging.rename(self.output)
        except BaseException:
            if os.path.lexists(self.old) and not os.path.lexists(self.output):
                self.old.rename(self.output)  # put the previous output back
            raise
        with contextlib.suppress(OSError):
            remove(self.old)
        return report


def remove(path: Path) -> None:
    """Remove whatever is at `path`: a folder with all it holds, a file, or a symbolic link (never
    followed). A folder inside that refuses removal (no write permission) is opened up first."""
    if not os.path.lexists(path):
        return
    if path.is_symlink() or not path.is_dir():
        path.unlink()
        return

    def opened_up(function: Callable[..., object], name: str, info: object) -> None:
        parent = os.path.dirname(name)
        os.chmod(parent, 0o700)
        if os.path.isdir(name) and not os.path.islink(name):
            shutil.rmtree(name, onerror=_fail)
        else:
            os.unlink(name)

    shutil.rmtree(path, onerror=opened_up)


def _fail(function: Callable[..., object], name: str, info: tuple[type, BaseException, object]) -> None:
    raise info[1]


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one atomic step (Linux `renameat2` with RENAME_EXCHANGE); False where
    the system or the file system cannot."""
    libc = _libc()
    if libc is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = libc.renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return int(result) == 0


def _libc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.renameat2  # noqa: B018 - glibc 2.28+ only
    except (OSError, AttributeError):
        return None
    return libc



def _keep(path: Path, staged: Path) -> None:
    """Carry a hidden top-level file or folder of the old output into the new one."""
    if path.is_dir() and not path.is_symlink():
        shutil.copytree(path, staged, copy_function=os.link, dirs_exist_ok=True)
    else:
        os.link(path, staged, follow_symlinks=False)
