"""The key of each planned output file: what it was made from, so an unchanged file is neither
rendered nor written again.

A key is the digest of the code, the theme, the file's own context scalars and the sources it
depends on; `Digests` gives the digest of each source (through the cache) and of each set of them.
"""
from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import Any

from ..base.cache import BuildCache
from ..model.site import Site
from ..plan.pages import CopiedFile, Planned, PlannedPage
from ..render.environment import theme_dirs, theme_static
from .quick import names_digest

__all__ = ["Digests", "key", "names_digest", "theme_digest"]


def _scalars(value: Any) -> Any:
    """The plain-data part of a context (page numbers, years, URLs); objects are covered by deps."""
    if isinstance(value, (str, int, float, bool, type(None), date)):
        return value
    if isinstance(value, dict):
        return tuple((k, _scalars(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return tuple(_scalars(v) for v in value)
    return type(value).__name__


def theme_digest(site: Site) -> str:
    h = hashlib.sha256()
    folders = list(theme_dirs(site))
    static = theme_static(site)
    if static is not None:
        folders.append(static)
    for number, folder in enumerate(folders):  # by names within each folder: the same theme elsewhere has the same digest
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            h.update(f"{number}/{path.relative_to(folder).as_posix()}".encode())
            h.update(path.read_bytes())
    return h.hexdigest()


class Digests:
    """Digests of source files by path relative to the source folder, through the cache; names
    starting with "@" are parts of sources that pages show (see `pages.pseudo_digests`)."""

    def __init__(self, source: Path, cache: BuildCache, pseudo: dict[str, str],
                 previous: Digests | None = None) -> None:
        self.source, self.cache, self.known = source, cache, dict(pseudo)
        self.sets: dict[frozenset[str], bytes] = {}
        # `serve` passes the last build's digests: a set none of whose sources changed keeps its digest.
        self.reusable: dict[frozenset[str], bytes] = {}
        self.changed: set[str] = set()
        if previous is not None:
            self.reusable = previous.sets
            self.changed = {rel for rel, digest in previous.known.items() if self(rel) != digest}

    @classmethod
    def after_edit(cls, previous: Digests, changed: dict[str, str]) -> Digests:
        """The last build's digests with a few sources changed (`serve`'s fast path): no other
        source is looked at again."""
        new = cls.__new__(cls)
        new.source, new.cache = previous.source, previous.cache
        new.known = {**previous.known, **changed}
        new.sets, new.reusable, new.changed = {}, {**previous.reusable, **previous.sets}, set(changed)
        new.reusable = {s: d for s, d in new.reusable.items() if s.isdisjoint(new.changed)}
        return new

    @classmethod
    def restored(cls, source: Path, cache: BuildCache, kept: Digests) -> Digests:
        """Digests read back from a snapshot on disk (`snapshot_file`), bound to this build's cache."""
        new = cls.__new__(cls)
        new.source, new.cache = source, cache
        new.known, new.sets, new.reusable, new.changed = kept.known, kept.sets, kept.reusable, set(kept.changed)
        return new

    def __getstate__(self) -> dict[str, object]:
        """What a snapshot on disk keeps of it: not the cache it reads through."""
        sets = {s: d for s, d in self.reusable.items() if s.isdisjoint(self.changed)}
        sets.update(self.sets)
        return {"known": self.known, "sets": sets, "reusable": {}, "changed": set()}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def of_set(self, deps: frozenset[str]) -> bytes:
        """One digest for a set of sources; many pages share the same set (every figure page)."""
        known = self.sets.get(deps)
        if known is None and deps in self.reusable and deps.isdisjoint(self.changed):
            known = self.sets[deps] = self.reusable[deps]
        if known is None:
            h = hashlib.sha256()
            for rel in sorted(deps):
                h.update(rel.encode())
                h.update(self(rel).encode())
            known = self.sets[deps] = h.digest()
        return known

    def __call__(self, rel: str) -> str:
        if rel not in self.known:
            try:
                self.known[rel] = self.cache.digest(self.source / rel)
            except OSError:
                self.known[rel] = "missing"
        return self.known[rel]


def key(entry: Planned, base: str, digests: Digests) -> str:
    h = hashlib.sha256(base.encode())
    h.update(entry.path.encode())
    if isinstance(entry, PlannedPage):
        h.update(entry.template.encode())
        h.update(repr(_scalars(entry.context)).encode())
    if isinstance(entry, CopiedFile):
        try:  # through the cache: a large video is read again only when it changed, and in chunks
            h.update(digests.cache.digest(entry.source).encode())
        except OSError:
            h.update(b"missing")
    h.update(digests.of_set(frozenset(entry.deps)))
    return h.hexdigest()
