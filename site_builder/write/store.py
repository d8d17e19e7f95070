"""Output files kept by the digest of their bytes in `.cache/site-builder/store/`, so that a build
whose key for a file matches a key some manifest recorded takes the file from here instead of
rendering it — also from a cache restored beside a fresh clone, at another path, with other times.

A stored file is a hard link to the output file it was made as (no extra disk while that output
holds it), or a copy where the two are on different file systems. Because a hard link shares its
bytes with the output, a file changed in place there changes here too: `take` therefore re-reads
every file and checks its digest (which also catches a truncated one) before using it, and
removes a damaged one. Each file is added under its final name in one step (a link, or a copy
renamed in place), so two builds at once at worst both add the same bytes; a file another build
collects meanwhile is simply rendered again. Nothing here is ever needed: a miss only renders.
"""
from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from ..base.cache import digest_bytes

FOLDER = "store"


class Store:
    """The store of one cache folder (None: no cache, every lookup misses)."""

    def __init__(self, cache: Path | None) -> None:
        self.folder = cache / FOLDER if cache is not None else None
        self.trouble: OSError | None = None  # the first refused read or write, for one warning

    def path(self, digest: str) -> Path | None:
        if self.folder is None or len(digest) != 64:
            return None
        return self.folder / digest[:2] / digest[2:]

    def take(self, digest: str, target: Path) -> bool:
        """Put the stored file with this digest at `target` (a hard link, or a copy across file
        systems) after checking its bytes; False when it is absent, damaged or unreadable."""
        stored = self.path(digest)
        if stored is None:
            return False
        try:
            data = stored.read_bytes()
        except FileNotFoundError:
            return False
        except OSError as exc:
            self._refused(exc)
            return False
        if digest_bytes(data) != digest:  # changed in place through the output, or cut short
            with contextlib.suppress(OSError):
                stored.unlink()
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(stored, target)
        except OSError:
            target.unlink(missing_ok=True)  # never write through a link that may be there
            try:
                os.link(stored, target)
            except OSError:
                target.write_bytes(data)
        return True

    def add(self, source: Path, digest: str) -> None:
        """Keep `source`, a file just written whose bytes have this digest (best effort)."""
        stored = self.path(digest)
        if stored is None:
            return
        try:
            stored.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(source, stored)
            except FileExistsError:
                return
            except OSError as exc:
                if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
                    raise
                fd, tmp = tempfile.mkstemp(dir=stored.parent, prefix=".tmp-")
                os.close(fd)
                try:
                    shutil.copyfile(source, tmp)
                    os.replace(tmp, stored)
                finally:
                    with contextlib.suppress(OSError):
                        os.unlink(tmp)
        except OSError as exc:
            self._refused(exc)

    def collect(self, named: Iterable[str]) -> tuple[int, int]:
        """Remove every stored file whose digest is not in `named` (and leftover temporary files):
        the store holds at most what the manifests name. Returns (files kept, bytes kept)."""
        if self.folder is None or not self.folder.is_dir():
            return 0, 0
        keep = set(named)
        kept = size = 0
        try:
            for group in os.scandir(self.folder):
                if not group.is_dir(follow_symlinks=False):
                    continue
                for entry in os.scandir(group.path):
                    if group.name + entry.name in keep and entry.is_file(follow_symlinks=False):
                        kept += 1
                        size += entry.stat(follow_symlinks=False).st_size
                        continue
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)
        except OSError as exc:
            self._refused(exc)
        return kept, size

    def _refused(self, exc: OSError) -> None:
        if self.trouble is None:
            self.trouble = exc
