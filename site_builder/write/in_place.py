"""A few output files replaced or removed in place, all or none (`InPlace`)."""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from ..base.streams import CHUNK
from .output import TEMPORARY, UnsafeOutput, linked_out, safe_relative, within


def write_in_place(output: Path, rel: str, data: bytes) -> None:
    """Replace one output file atomically (a temporary file renamed over it)."""
    write_many_in_place(output, [(rel, data)])


def write_many_in_place(output: Path, files: Sequence[tuple[str, bytes | Path]]) -> None:
    """Replace output files, all or none (see `InPlace`)."""
    with InPlace(output) as change:
        change.write(files)


def remove_in_place(output: Path, rels: list[str]) -> None:
    """Remove output files the build no longer makes, and folders left empty; all or none."""
    with InPlace(output) as change:
        change.remove(rels)


class InPlace:
    """Changes to an output folder in place that happen all or none, across several writes and
    removals (a build's pages, then its search index): `with InPlace(out) as change: …`.

    Each new file is written to a temporary file beside its target first, and only when all of a
    `write` are written are they renamed over their targets. Every file replaced or removed is
    kept aside under a second name (a hard link, or a copy where the file system has none) until
    the block ends; if it ends with an error — a full disk, a refused write, a failed rename,
    Ctrl-C — everything is put back as it was. A kill leaves every file whole (old or new), and
    the next build redoes the rest (its manifest is forgotten, see `cache.BuildCache.writing`).
    """

    def __init__(self, output: Path) -> None:
        self.output = output
        self.root = output.resolve()
        self._done: list[tuple[Path, str | None]] = []  # target, its previous file kept aside (None: it was new)

    def __enter__(self) -> InPlace:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if kind is None:
            for _, kept in self._done:
                if kept is not None:
                    with contextlib.suppress(OSError):
                        os.unlink(kept)
        else:
            self._undo()
        self._done = []

    def _target(self, rel: str) -> Path:
        target = self.root.joinpath(*safe_relative(rel).parts)
        if not within(self.root, target.parent):  # checked before mkdir, which would follow the link
            raise linked_out(self.root, rel)
        return target

    def write(self, files: Sequence[tuple[str, bytes | Path]]) -> None:
        """Write every file (its bytes, or a copy of a source file, made in chunks) to a temporary
        file, then rename each over its target."""
        targets = [self._target(rel) for rel, _ in files]  # all checked before any is made
        staged: list[tuple[str, Path]] = []
        try:
            for (_, data), target in zip(files, targets):
                target.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=TEMPORARY)
                staged.append((tmp, target))
                with os.fdopen(fd, "wb") as handle:
                    if isinstance(data, Path):
                        with open(data, "rb") as source:
                            shutil.copyfileobj(source, handle, CHUNK)
                    else:
                        handle.write(data)
                os.chmod(tmp, 0o644)
            for tmp, target in staged:
                self._done.append((target, _set_aside(target)))
                os.replace(tmp, target)
        finally:
            for tmp, _ in staged:  # those not renamed (after an error)
                with contextlib.suppress(OSError):
                    os.unlink(tmp)

    def remove(self, rels: list[str]) -> None:
        """Remove files, and the folders they leave empty; a file in a folder that is a link out
        of the output is not ours to delete and stays."""
        for rel in rels:
            try:
                target = self._target(rel)
            except UnsafeOutput:
                continue
            kept = _set_aside(target)
            self._done.append((target, kept))
            with contextlib.suppress(FileNotFoundError):
                target.unlink()
            parent = target.parent
            while parent != self.root:
                try:
                    parent.rmdir()
                except OSError:
                    break
                parent = parent.parent

    def _undo(self) -> None:
        """Put back every file replaced or removed, and remove every file added."""
        for target, kept in reversed(self._done):
            with contextlib.suppress(OSError):
                if kept is not None:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(kept, target)
                else:
                    os.unlink(target)
            if kept is not None:  # still there when the rename did nothing (the same file: never replaced)
                with contextlib.suppress(OSError):
                    os.unlink(kept)


def _set_aside(target: Path) -> str | None:
    """A second name for the file at `target` (a hard link, or a copy where links are not
    supported), to put it back if a later step fails; None when there is no file yet."""
    if not os.path.isfile(target) or os.path.islink(target):
        return None
    fd, aside = tempfile.mkstemp(dir=target.parent, prefix=TEMPORARY)
    os.close(fd)
    os.unlink(aside)
    try:
        os.link(target, aside)
    except OSError:
        shutil.copyfile(target, aside)
    return aside

