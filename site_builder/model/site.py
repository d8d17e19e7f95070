"""The frozen `Site`: everything loaded and checked, ready to be planned into pages.

`load_site` runs the loading half of the pipeline (config → sources → items and units) and
either returns a `Site` or raises `BuildFailed` with every problem found.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..base.cache import BuildCache
from ..base.errors import BuildFailed, Problems
from ..base.vietnamese import slugify, sort_key
from ..load.config import SiteConfig, load_config
from ..load.content import Item, Page, load_items, load_pages
from ..load.media_check import check_media
from ..load.metrics import MetricRegistry, load_metrics
from ..load.records import Record, load_records
from ..load.sources import find_files
from ..load.unit_names import namesakes
from ..load.units import UnitRegistry, load_units, near_ids, unit_hint
from .totals import ShortfallWarning, Totals, build_totals


@dataclass(frozen=True)
class Term:
    """A category or a tag: its slug (its identity), the spelling shown, and its items, newest first."""

    slug: str
    name: str
    items: tuple[Item, ...]


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


def _figures_key(source: Path, items: list[Item], cache: BuildCache | None, root_unit: str) -> str:
    """What records and totals are made from: data files, metrics, units, and items' figures."""
    h = hashlib.sha256(root_unit.encode())
    for rel in ("metrics.yaml", "units.yaml", *(p.relative_to(source).as_posix()
                                               for p in find_files(source / "data", (".csv", ".yaml", ".yml")))):
        path = source / rel
        h.update(rel.encode())
        h.update((cache.digest(path) if cache is not None else path.read_bytes().hex()).encode()
                 if path.is_file() else b"-")
    for item in sorted(items, key=lambda i: i.rel):
        if item.figures is not None:
            lines = [getattr(entry, "lines", None) for entry in item.figures] if isinstance(item.figures, list) else None
            h.update(repr((item.rel, item.title, item.date.isoformat(), item.slug, item.units,
                           item.figures, lines, item.line_of("figures"))).encode())
    return h.hexdigest()


def _units(source: Path, problems: Problems, cache: BuildCache | None,
           memo: dict[str, Any] | None) -> UnitRegistry | None:
    """units.yaml, parsed again only when it changed (`serve` keeps `memo` between builds)."""
    path = source / "units.yaml"
    try:
        key = cache.digest(path) if cache is not None and memo is not None else None
    except OSError:
        key = None
    if key is not None and memo is not None and memo.get("units_key") == key:
        units, said = memo["units"]
        problems.items.extend(said)
        return units
    before = len(problems.items)
    units = load_units(source, problems)
    if key is not None and memo is not None and units is not None and not problems.errors:
        memo["units_key"], memo["units"] = key, (units, problems.items[before:])
    return units


def load_site(source: Path, include_drafts: bool = False, now: datetime | None = None,
              cache: BuildCache | None = None, jobs: int = 1, memo: dict[str, Any] | None = None) -> Site:
    """Load and check every source under `source`; raise `BuildFailed` listing all errors.

    With a cache, unchanged news items and pages are taken from it; with `jobs` > 1, many
    changed ones are parsed in parallel processes."""
    problems = Problems(root=source)
    now = now or datetime.now(UTC)
    config = load_config(source, problems)
    units = _units(source, problems, cache, memo)
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

    items = [
        item for item in all_items
        if include_drafts or (not item.draft and item.date <= now)
    ]
    items.sort(key=lambda i: (i.date, i.rel), reverse=True)
    # `serve` keeps `memo` between builds: an edit that leaves every figure alone reuses the totals.
    key = _figures_key(source, items, cache, config.root_unit)
    if memo is not None and memo.get("figures_key") == key:
        records, totals, shortfalls, said = memo["figures"]
        problems.items.extend(said)
    else:
        before = len(problems.items)
        records = load_records(source, items, units, metrics, problems)
        if problems:
            raise BuildFailed(problems)
        totals, shortfalls = build_totals(records, units, metrics, source, problems)
        if problems:
            raise BuildFailed(problems)
        if memo is not None:
            kept = {k: memo[k] for k in ("units_key", "units") if k in memo}
            memo.clear()
            memo.update(kept)
            memo["figures_key"] = key
            memo["figures"] = (records, totals, shortfalls, problems.items[before:])

    news_by_unit: dict[str, list[Item]] = {unit_id: [] for unit_id in units.units}
    for item in items:
        reached: dict[str, None] = {}
        for unit_id in item.units:
            reached[unit_id] = None
            for ancestor in units.ancestors(unit_id):
                reached[ancestor] = None
        for unit_id in reached:
            news_by_unit[unit_id].append(item)

    site = Site(
        config=config,
        units=units,
        items=tuple(items),
        pages=tuple(sorted(pages, key=lambda p: (p.order, sort_key(p.title)))),
        categories=_terms(items, lambda i: (i.category,) if i.category else (), "chuyên mục", "category", problems),
        tags=_terms(items, lambda i: i.tags, "thẻ", "tags", problems),
        media=media,
        news_by_unit={k: tuple(v) for k, v in news_by_unit.items()},
        years=tuple(sorted({i.date.astimezone(config.timezone).year for i in items}, reverse=True)),
        now=now,
        metrics=metrics,
        records=records,
        totals=totals,
        shortfalls=shortfalls,
        next_scheduled=min((i.date for i in all_items if not i.draft and i.date > now), default=None),
        data_files=tuple(p.relative_to(source).as_posix() for p in find_files(source / "data", (".csv", ".yaml", ".yml"))),
        problems=problems,
        namesakes=namesakes(units),
    )
    return site

