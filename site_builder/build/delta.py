"""`serve`'s fast path: what an edit of news bodies changes, worked out from the last good build.

When the only inputs that changed since the last good build are existing news items, and each
still has the same placement (`content.placement_fields`: address, date, units, category, tags,
draft flag, images, figures), no page appears, disappears or moves: only the pages depending on
those files can change — for a body edit their article pages, the feeds that carry them and the
search index; for a new title or summary also the lists, archives and neighbours that show it
(through the `@shown:` pseudo-source). The new `Site` is assembled from the last one's parts with
those items replaced (`model.site.assemble_site`) and planned again (`plan_pages`, reusing the
figure pages); only the planned files depending on the edited items are keyed again. Anything
else — a file added or removed, a new date, tag or slug, a unit, a record, a template, the
settings — takes the full path, and so does a plan whose files are not where the last one's
were (`same_places`). tests/test_incremental.py checks both against clean builds.
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..base.errors import Problems, SourceError
from .quick import LOOP, UNREADABLE, Stats, input_stats

if TYPE_CHECKING:
    import jinja2

    from ..load.content import Item
    from ..model.site import Site
    from ..plan.pages import Planned, SearchIndex

__all__ = ["LOOP", "UNREADABLE", "Snapshot", "Stats", "changed_news", "input_stats", "replace_warnings", "same_places"]

NEWS_SUFFIXES = (".md", ".markdown")


@dataclass
class Snapshot:
    """The last good build, kept in memory by a `Builder` that `serve` runs (and, for the command
    line, in the cache folder: `snapshot_file`)."""

    site: Site
    files: list[Planned]                # every planned file but the search index, in plan order
    search: SearchIndex | None
    keys: dict[str, str]                # output path → key
    base: str                           # the part of every key shared by all files
    digests: Any                        # build._Digests of that build
    stats: Stats
    env: jinja2.Environment | None = None
    pages: int = 0
    index: dict[str, list[int]] | None = field(default=None, repr=False)
    warnings: dict[str, tuple[SourceError, ...]] = field(default_factory=dict)  # each source's parse warnings
    folders: dict[str, Any] | None = None  # the source folders' records with `stats` (`watched.records`)
    by_rel: dict[str, Item] | None = field(default=None, repr=False)  # `site.items` by path, kept between edits

    def items_by_rel(self) -> dict[str, Item]:
        """The site's news items by path relative to the sources, made once and kept."""
        if self.by_rel is None:
            self.by_rel = {item.rel: item for item in self.site.items}
        return self.by_rel

    def dependents(self, names: Iterable[str]) -> list[int]:
        """Positions in `files` of the files depending on any of `names`, in plan order: from the
        index when one was made (`indexed`), else by one pass over the files (the command line's
        one edit: the index of every figure page's thousands of sources costs seconds to make)."""
        wanted = frozenset(names)
        if self.index is None:
            return [p for p, entry in enumerate(self.files) if not wanted.isdisjoint(entry.deps)]
        return sorted({p for name in wanted for p in self.index.get(name, ())})

    def indexed(self) -> None:
        """Index the dependencies now (`serve`: every edit to come looks them up)."""
        if self.index is None:
            index: dict[str, list[int]] = {}
            for position, entry in enumerate(self.files):
                for name in entry.deps:
                    index.setdefault(name, []).append(position)
            self.index = index


def changed_news(before: Stats, now: Stats, source: Path, among: Iterable[str] | None = None) -> list[Path] | None:
    """The news files changed between two scans, or None when anything else that the build reads
    was changed, added or removed (files the build ignores — hidden ones, editors' backups in
    news/ — do not count). `among`: the only paths that can differ, when known (`watched.Seen`)."""
    news = os.path.join(str(source), "news") + os.sep
    changed: list[Path] = []
    for path in before.keys() | now.keys() if among is None else among:
        if before.get(path) == now.get(path) or _ignored(path, source, news):
            continue
        if path not in before or path not in now or not path.startswith(news) \
                or not path.lower().endswith(NEWS_SUFFIXES) or os.path.islink(path):
            return None
        changed.append(Path(path))
    return sorted(changed)


def _ignored(path: str, source: Path, news: str) -> bool:
    rel = os.path.relpath(path, source)
    if any(part.startswith(".") for part in Path(rel).parts):
        return True
    return path.startswith(news) and not path.lower().endswith(NEWS_SUFFIXES)


def same_places(old: Sequence[Planned], new: Sequence[Planned], positions: Iterable[int]) -> tuple[bool, bool]:
    """Whether a new plan has the same files at the same places as the last (the paths, in plan
    order), and whether the files at `positions` (those holding the edited items: no other can
    change) still depend on the same sources."""
    if len(old) != len(new) or any(a.path != b.path for a, b in zip(old, new)):
        return False, False
    return True, all(old[p].deps is new[p].deps or old[p].deps == new[p].deps for p in positions)


def replace_warnings(problems: Problems, old: list[SourceError], new: list[SourceError]) -> Problems:
    """The last build's problems with one item's parse warnings replaced by its new ones."""
    kept = list(problems.items)
    for warning in old:
        if warning in kept:
            kept.remove(warning)
    return Problems(root=problems.root, items=kept + list(new))
