"""The frozen `Site`: everything loaded and checked, ready to be planned into pages.

`load_site` runs the loading half of the pipeline (config → sources → items and units) and
either returns a `Site` or raises `BuildFailed` with every problem found: it reads every source
into `SiteParts`, and `assemble_site` makes the `Site` of them (`serve` assembles again after an
edit, with the edited items in the parts).
"""
from __future__ import annotations

import dataclasses
import hashlib
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ..base.build_status import source_digest
from ..base.cache import BuildCache
from ..base.errors import BuildFailed, Problems
from ..base.vietnamese import slugify, sort_key
from ..load.config import SiteConfig, load_config
from ..load.content import Item, Page, load_items, load_pages, placement_fields
from ..load.media_check import check_media
from ..load.metrics import MetricRegistry, load_metrics
from ..load.records import Record, load_records
from ..load.records import data_files as find_data_files
from ..load.sources import find_files, overlay_has
from ..load.unit_names import namesakes
from ..load.units import UnitRegistry, load_units, near_ids, unit_hint
from .stages import Figures, ModelStages
from .totals import ShortfallWarning, Totals, build_totals


@dataclass(frozen=True)
class Term:
    """A category or a tag: its slug (its identity), the spelling shown, and its items, newest first."""

    slug: str
    name: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class SiteParts:
    """Every source of one build as read, before `assemble_site` puts them together: all news
    items (drafts and scheduled ones too), the pages (drafts only with `include_drafts`), the
    media and data files (paths relative to `source`). Replace items with `with_items`, which
    keeps `layout` right (`dataclasses.replace` would keep the old one: pass layout="" with it)."""

    source: Path
    config: SiteConfig
    units: UnitRegistry
    metrics: MetricRegistry
    media: tuple[str, ...]
    items: tuple[Item, ...]
    pages: tuple[Page, ...]
    data_files: tuple[str, ...]
    include_drafts: bool = False
    # A digest of what of the items decides the Site but for their own content (`_layout_of`):
    # computed when empty; `with_items` keeps it for items laid out the same.
    layout: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not self.layout:
            h = hashlib.sha256()
            for item in self.items:
                h.update(repr(_layout_of(item)).encode())
            object.__setattr__(self, "layout", h.hexdigest())

    def with_items(self, new: Mapping[str, Item]) -> SiteParts:
        """The same parts with some items (by file) replaced; the layout digest is kept when each
        new item is laid out as the one it replaces, made again otherwise."""
        old = {i.rel: i for i in self.items if i.rel in new}
        same = old.keys() == new.keys() and all(_layout_of(old[rel]) == _layout_of(item) for rel, item in new.items())
        return dataclasses.replace(self, items=tuple(new.get(i.rel, i) for i in self.items),
                                   layout=self.layout if same else "")


def _layout_of(item: Item) -> tuple[object, ...]:
    """What of an item decides where it is and what the Site says of it, all but its content:
    its placement, the lines that warnings about its terms cite, its title when it has figures."""
    return (placement_fields(item), item.line_of("category"), item.line_of("tags"),
            item.title if item.figures is not None else None)


@dataclass(frozen=True)
class Site:
    """A snapshot of all sources of one build; nothing in it changes after loading."""

    config: SiteConfig
    units: UnitRegistry
    items: tuple[Item, ...]
    pages: tuple[Page, ...]
    categories: tuple[Term, ...]
    tags: tuple[Term, ...]
    media: tuple[str, ...]
    news_by_unit: dict[str, tuple[Item, ...]]
    years: tuple[int, ...]
    metrics: MetricRegistry
    records: tuple[Record, ...]
    totals: Totals
    shortfalls: tuple[ShortfallWarning, ...]
    data_files: tuple[str, ...]
    next_scheduled: datetime | None
    now: datetime
    problems: Problems = field(compare=False, default_factory=Problems)
    namesakes: frozenset[str] = frozenset()  # former units shown with their end date (unit_names.py)
    figures_key: str = field(compare=False, default="")  # what the figures were made from (`_figures_key`)
    assembly_key: str = field(compare=False, default="")  # what all but items' content was made from
    parts: SiteParts | None = field(compare=False, default=None, repr=False)  # to assemble again (`serve`)

    def local_year(self, item: Item) -> int:
        return item.date.astimezone(self.config.timezone).year


def _terms(items: list[Item], names_of: Callable[[Item], tuple[str, ...]], kind: str,
           line_key: str, problems: Problems) -> tuple[Term, ...]:
    """Group items by the slug of a name; warn where one slug is written in several ways."""
    grouped: dict[str, list[Item]] = {}
    spellings: dict[str, Counter[str]] = {}
    for item in items:
        for name in names_of(item):
            slug = slugify(name)
            if slug:
                grouped.setdefault(slug, []).append(item)
                spellings.setdefault(slug, Counter())[name] += 1
    terms = []
    for slug, members in grouped.items():
        counts = spellings[slug]
        name = min(counts, key=lambda n: (-counts[n], sort_key(n)))
        if len(counts) > 1:
            quoted = " và ".join(f'"{n}"' for n in sorted(counts, key=sort_key))
            odd = next(i for i in members if name not in names_of(i))
            problems.warn(odd.source, odd.line_of(line_key), f"{len(counts)} cách viết {quoted} cho cùng một {kind}.",
                          f'Hãy thống nhất một cách viết, ví dụ "{name}".')
        terms.append(Term(slug, name, tuple(dict.fromkeys(members))))
    if kind == "chuyên mục":
        _warn_near_terms(terms, kind, line_key, problems)
    return tuple(sorted(terms, key=lambda t: (sort_key(t.name), t.slug)))


def _warn_near_terms(terms: list[Term], kind: str, line_key: str, problems: Problems) -> None:
    """A term of one item that is a typo away from exactly one term used more often ("Dân vậm"
    beside "Dân vận") files that item on a page of its own: a warning naming the other."""
    by_slug = {t.slug: t for t in terms}
    for term in terms:
        if len(term.items) != 1:
            continue
        near = [s for s in near_ids(term.slug, by_slug) if s != term.slug]
        if len(near) == 1 and len(by_slug[near[0]].items) > 1:
            other = by_slug[near[0]]
            problems.warn(term.items[0].source, term.items[0].line_of(line_key),
                          f'{kind} "{term.name}" gần giống "{other.name}" ({len(other.items)} bài) nhưng là {kind} riêng.',
                          f'Nếu là một, hãy sửa thành "{other.name}".')


def _figures_key(parts: SiteParts, items: list[Item], cache: BuildCache | None) -> str:
    """What records and totals are made from: data files, metrics, units, and items' figures (the
    same with or without a cache: file digests either way)."""
    h = hashlib.sha256(parts.config.root_unit.encode())
    for rel in ("metrics.yaml", "units.yaml", *parts.data_files):
        path = parts.source / rel
        h.update(rel.encode())
        h.update(_digest_of(path, cache))
    for item in sorted(items, key=lambda i: i.rel):
        if item.figures is not None:
            lines = [getattr(entry, "lines", None) for entry in item.figures] if isinstance(item.figures, list) else None
            h.update(repr((item.rel, item.title, item.date.isoformat(), item.slug, item.units,
                           item.figures, lines, item.line_of("figures"))).encode())
    return h.hexdigest()


def _digest_of(path: Path, cache: BuildCache | None) -> bytes:
    """A source's digest for a stage key; a file the desk lays over the sources (`overlay_has`) by
    its candidate text, through the cache (the desk's knows it), even before it exists on disk."""
    if cache is not None and (path.is_file() or overlay_has(path)):
        return cache.digest(path).encode()
    return source_digest(path).encode() if path.is_file() else b"-"


def _units(source: Path, problems: Problems, cache: BuildCache | None,
           stages: ModelStages | None) -> UnitRegistry | None:
    """units.yaml, parsed again only when it changed (`serve` keeps `stages` between builds)."""
    path = source / "units.yaml"
    try:
        key = cache.digest(path) if cache is not None and stages is not None else None
    except OSError:
        key = None
    if key is not None and stages is not None:
        kept = stages.units.get(key, problems)
        if kept is not None:
            return kept
    before = len(problems.items)
    units = load_units(source, problems)
    if key is not None and stages is not None and units is not None and not problems.errors:
        stages.units.put(key, units, tuple(problems.items[before:]))
    return units


def load_site(source: Path, include_drafts: bool = False, now: datetime | None = None,
              cache: BuildCache | None = None, jobs: int = 1, stages: ModelStages | None = None) -> Site:
    """Load and check every source under `source`; raise `BuildFailed` listing all errors.

    With a cache, unchanged news items and pages are taken from it; with `jobs` > 1, many
    changed ones are parsed in parallel processes. Reads every source into `SiteParts`, then
    `assemble_site`."""
    problems = Problems(root=source)
    now = now or datetime.now(UTC)
    config = load_config(source, problems)
    units = _units(source, problems, cache, stages)
    if config is not None and units is not None and config.root_unit not in units:
        problems.error(source / "site.yaml", config.root_unit_line, f'root_unit "{config.root_unit}" không có trong units.yaml.',
                       unit_hint(config.root_unit, units))
    if config is None or units is None or problems:
        raise BuildFailed(problems)

    metrics = load_metrics(source, problems)
    media = tuple(p.relative_to(source).as_posix() for p in find_files(source / "media"))
    check_media(source, media, problems)  # published as they are: none may carry script
    all_items = load_items(source, config, units, problems, cache, jobs, media)
    pages = load_pages(source, problems, include_drafts, cache, config)
    if problems:
        raise BuildFailed(problems)
    data_files = tuple(p.relative_to(source).as_posix() for p in find_data_files(source))
    parts = SiteParts(source, config, units, metrics, media, tuple(all_items), tuple(pages), data_files, include_drafts)
    return assemble_site(parts, now, problems, cache, stages)


def assemble_site(parts: SiteParts, now: datetime, problems: Problems, cache: BuildCache | None = None,
                  stages: ModelStages | None = None) -> Site:
    """The `Site` of sources read: items published by `now` (all with `include_drafts`), newest
    first, their terms, units and years, and the figures (reused from `stages` while the inputs of
    `_figures_key` are unchanged). Warnings go to `problems`; raises `BuildFailed` on errors in
    the figures. The same parts give an equal Site.

    With `stages`, a Site assembled from parts laid out the same (`SiteParts.layout`, the same
    settings, units, metrics and data files, the same `now`) is reused, with the items of the new
    parts in it: `serve`'s edit of a body or summary costs what the edited items cost."""
    before = len(problems.items)
    key = _assembly_key(parts, now, cache) if stages is not None else ""
    if stages is not None:
        kept = stages.assembly.get(key, problems)
        if kept is not None:
            return stages.assembly.put(key, _with_items_of(kept, parts, problems), stages.assembly.said)
    site = _assemble(parts, now, problems, cache, stages, key)
    if stages is not None:
        stages.assembly.put(key, site, tuple(problems.items[before:]))
    return site


def _assembly_key(parts: SiteParts, now: datetime, cache: BuildCache | None) -> str:
    """What a Site is assembled from, but the content of items and pages: the items' layout, the
    settings, units, metrics and data files, `now` and whether drafts are in."""
    h = hashlib.sha256(f"{parts.layout}|{now.isoformat()}|{parts.include_drafts}|{parts.media}".encode())
    for rel in ("site.yaml", "units.yaml", "metrics.yaml", *parts.data_files):
        path = parts.source / rel
        h.update(rel.encode())
        h.update(_digest_of(path, cache))
    return h.hexdigest()


def _with_items_of(kept: Site, parts: SiteParts, problems: Problems) -> Site:
    """A Site assembled from parts laid out as `parts` are, with the items of `parts` and its
    pages: only the lists holding an item that is not the one kept are made again."""
    assert kept.parts is not None
    swapped = _replaced(kept.parts.items, parts.items)  # the kept item → the one of `parts`

    def swap(seq: tuple[Item, ...]) -> tuple[Item, ...]:
        return seq if swapped.keys().isdisjoint(seq) else tuple(swapped.get(i, i) for i in seq)

    reached = {u for i in swapped.values() for unit in i.units for u in (unit, *parts.units.ancestors(unit))}
    return dataclasses.replace(
        kept, config=parts.config, units=parts.units, metrics=parts.metrics,
        items=swap(kept.items),
        pages=tuple(sorted(parts.pages, key=lambda p: (p.order, sort_key(p.title)))),
        categories=tuple(_term_with(t, swap) for t in kept.categories) if swapped else kept.categories,
        tags=tuple(_term_with(t, swap) for t in kept.tags) if swapped else kept.tags,
        news_by_unit={u: swap(news) if u in reached else news for u, news in kept.news_by_unit.items()},
        problems=problems, parts=parts)


def _replaced(before: tuple[Item, ...], after: tuple[Item, ...]) -> dict[Item, Item]:
    """Each item of `before` that `after` has another item for (of the same file), to that one."""
    if len(before) == len(after) and all(a is b or a.rel == b.rel for a, b in zip(before, after)):
        return {a: b for a, b in zip(before, after) if a is not b}
    now = {i.rel: i for i in after}
    return {a: now[a.rel] for a in before if a.rel in now and now[a.rel] is not a}


def _term_with(term: Term, swap: Callable[[tuple[Item, ...]], tuple[Item, ...]]) -> Term:
    items = swap(term.items)
    return term if items is term.items else dataclasses.replace(term, items=items)


def _assemble(parts: SiteParts, now: datetime, problems: Problems, cache: BuildCache | None,
              stages: ModelStages | None, assembly_key: str) -> Site:
    config, units = parts.config, parts.units
    items = [
        item for item in parts.items
        if parts.include_drafts or (not item.draft and item.date <= now)
    ]
    items.sort(key=lambda i: (i.date, i.rel), reverse=True)
    key = _figures_key(parts, items, cache)
    figures = stages.figures.get(key, problems) if stages is not None else None
    if figures is None:
        before = len(problems.items)
        records = load_records(parts.source, items, units, parts.metrics, problems)
        if problems:
            raise BuildFailed(problems)
        totals, shortfalls = build_totals(records, units, parts.metrics, parts.source, problems)
        if problems:
            raise BuildFailed(problems)
        figures = Figures(records, totals, shortfalls)
        if stages is not None:
            stages.figures.put(key, figures, tuple(problems.items[before:]))

    news_by_unit: dict[str, list[Item]] = {unit_id: [] for unit_id in units.units}
    for item in items:
        reached: dict[str, None] = {}
        for unit_id in item.units:
            reached[unit_id] = None
            for ancestor in units.ancestors(unit_id):
                reached[ancestor] = None
        for unit_id in reached:
            news_by_unit[unit_id].append(item)

    return Site(
        config=config,
        units=units,
        items=tuple(items),
        pages=tuple(sorted(parts.pages, key=lambda p: (p.order, sort_key(p.title)))),
        categories=_terms(items, lambda i: (i.category,) if i.category else (), "chuyên mục", "category", problems),
        tags=_terms(items, lambda i: i.tags, "thẻ", "tags", problems),
        media=parts.media,
        news_by_unit={k: tuple(v) for k, v in news_by_unit.items()},
        years=tuple(sorted({i.date.astimezone(config.timezone).year for i in items}, reverse=True)),
        now=now,
        metrics=parts.metrics,
        records=figures.records,
        totals=figures.totals,
        shortfalls=figures.shortfalls,
        next_scheduled=min((i.date for i in parts.items if not i.draft and i.date > now), default=None),
        data_files=parts.data_files,
        problems=problems,
        namesakes=namesakes(units),
        figures_key=key,
        assembly_key=assembly_key,
        parts=parts,
    )
