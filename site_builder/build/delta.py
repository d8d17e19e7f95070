"""`serve`'s fast path: what an edit of news bodies changes, worked out from the last good build.

When the only inputs that changed since the last good build are existing news items, and each
still has the same placement (`content.placement_fields`: address, date, units, category, tags,
draft flag, images, figures), no page appears, disappears or moves: only the pages depending on
those files can change — for a body edit their article pages, the feeds that carry them and the
search index; for a new title or summary also the lists, archives and neighbours that show it
(through the `@shown:` pseudo-source). The new `Site` is the last one with those items swapped
in; only the planned files depending on them are keyed again. Anything else — a file added or
removed, a new date, tag or slug, a unit, a record, a template, the settings — takes the full
path, which re-plans the whole site. tests/test_incremental.py checks both against clean builds.
"""
from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from ..base.errors import Problems, SourceError
from ..load.content import Item
from ..load.sources import Trouble, walk_files
from ..model.site import Site, Term
from ..plan.pages import Planned, PlannedPage, SearchIndex

NEWS_SUFFIXES = (".md", ".markdown")
Stats = dict[str, tuple[int, int, int]]
UNREADABLE, LOOP = (-1, -1, -1), (-2, -2, -2)


def input_stats(roots: Iterable[Path]) -> Stats:
    """Modification time, size and change time (a new permission changes it) of every file under
    `roots`, by path: what a change is seen by. A file or folder that cannot be read, a link to
    nothing and a link in a loop are listed too, under marks of their own, so a build that finds
    one added since the last is not "nothing changed"."""
    stats: Stats = {}
    for root in dict.fromkeys(roots):
        troubles: list[Trouble] = []
        for _, entry in walk_files(str(root), follow_links=True, troubles=troubles):
            try:
                stat = entry.stat()
            except OSError:
                stats[entry.path] = UNREADABLE
                continue
            stats[entry.path] = (stat.st_mtime_ns, stat.st_size, stat.st_ctime_ns)
        for trouble in troubles:
            stats[trouble.path] = LOOP if trouble.loop else UNREADABLE
    return stats


@dataclass
class Snapshot:
    """The last good build, kept in memory by a `Builder` that `serve` runs."""

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

    def dependents(self, names: Iterable[str]) -> list[int]:
        """Positions in `files` of the files depending on any of `names`, in plan order."""
        if self.index is None:
            index: dict[str, list[int]] = {}
            for position, entry in enumerate(self.files):
                for name in entry.deps:
                    index.setdefault(name, []).append(position)
            self.index = index
        return sorted({p for name in names for p in self.index.get(name, ())})


def changed_news(before: Stats, now: Stats, source: Path) -> list[Path] | None:
    """The news files changed between two scans, or None when anything else that the build reads
    was changed, added or removed (files the build ignores — hidden ones, editors' backups in
    news/ — do not count)."""
    news = os.path.join(str(source), "news") + os.sep
    changed: list[Path] = []
    for path in before.keys() | now.keys():
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


def swap_items(site: Site, swap: dict[int, Item], problems: Problems) -> Site:
    """The same site with some items replaced (by identity of the old ones) and new problems.
    Their units, category and tags are unchanged, so only the lists holding them are rebuilt."""
    olds = [i for i in site.items if id(i) in swap]
    units = {u for i in olds for unit in i.units for u in (unit, *site.units.ancestors(unit))}
    names = {n for i in olds for n in (i.category, *i.tags) if n}

    def items(seq: tuple[Item, ...]) -> tuple[Item, ...]:
        return tuple(swap.get(id(i), i) for i in seq)

    def terms(seq: tuple[Term, ...]) -> tuple[Term, ...]:
        return tuple(dataclasses.replace(t, items=items(t.items)) if any(id(i) in swap for i in t.items) else t
                     for t in seq)

    return dataclasses.replace(
        site, items=items(site.items),
        categories=terms(site.categories) if names else site.categories,
        tags=terms(site.tags) if names else site.tags,
        news_by_unit={unit: items(news) if unit in units else news for unit, news in site.news_by_unit.items()},
        problems=problems,
    )


def remap(entry: Planned, swap: dict[int, Item]) -> Planned:
    """A planned page whose context holds the new items instead of the old ones."""
    if not isinstance(entry, PlannedPage):
        return entry
    return dataclasses.replace(entry, context={k: _swapped(v, swap) for k, v in entry.context.items()})


def _swapped(value: Any, swap: dict[int, Item]) -> Any:
    if isinstance(value, Item):
        return swap.get(id(value), value)
    if isinstance(value, (list, tuple)) and any(isinstance(v, Item) for v in value):
        return type(value)(swap.get(id(v), v) if isinstance(v, Item) else v for v in value)
    return value


def replace_warnings(problems: Problems, old: list[SourceError], new: list[SourceError]) -> Problems:
    """The last build's problems with one item's parse warnings replaced by its new ones."""
    kept = list(problems.items)
    for warning in old:
        if warning in kept:
            kept.remove(warning)
    return Problems(root=problems.root, items=kept + list(new))
