"""What a plan is made of: the kinds of planned output files, the planner that adds them with
their sources, and the pseudo-sources for the parts of items that other pages show."""
from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..base.errors import Problems
from ..load.content import Item, listing_fields
from ..model.site import Site
from .search import SearchEntry
from .urls import file_for, item_url, paged_url

FEED_SIZE = 20


@dataclass(frozen=True)
class PlannedPage:
    """One output file made from a template."""

    path: str
    template: str
    context: dict[str, Any]
    deps: frozenset[str]
    origin: str = ""


@dataclass(frozen=True)
class CopiedFile:
    """One output file copied byte for byte from a source or theme file."""

    path: str
    source: Path
    deps: frozenset[str] = field(default_factory=frozenset)
    origin: str = ""


@dataclass(frozen=True)
class GeneratedFile:
    """One output file made by Python code (open data), not from a template."""

    path: str
    make: Callable[[], bytes]
    deps: frozenset[str]
    origin: str = ""


@dataclass(frozen=True)
class SearchIndex:
    """The search index, made from the rendered pages once every other file is written."""

    path: str
    entries: list[SearchEntry]
    deps: frozenset[str]
    origin: str = ""


Planned = PlannedPage | CopiedFile | GeneratedFile | SearchIndex


@dataclass
class Planner:
    site: Site
    problems: Problems
    out: list[Planned] = field(default_factory=list)

    _sets: dict[frozenset[str], frozenset[str]] = field(default_factory=dict)

    @functools.cached_property
    def common(self) -> frozenset[str]:
        """Sources every page depends on: settings, units (breadcrumbs, names), menu pages."""
        return frozenset({"site.yaml", "units.yaml", *(p.rel for p in self.site.pages)})

    def deps(self, deps: Iterable[str]) -> frozenset[str]:
        """`deps` and the common sources, one shared set for equal ones: every figure page
        depends on every record, and 2 000 copies of that set would take hundreds of megabytes."""
        own = deps if isinstance(deps, frozenset) else frozenset(deps)
        known = self._sets.get(own)
        if known is None:
            known = self._sets[own] = self.common | own
        return known

    def add(self, url: str, template: str, deps: Iterable[str], origin: str, **context: Any) -> None:
        self.out.append(PlannedPage(file_for(url), template, {"url": url, **context}, self.deps(deps), origin))

    def listing(self, base: str, template: str, items: Sequence[Item], origin: str,
                first_page_deps: Iterable[str] = (), **context: Any) -> None:
        """A paginated list of items at `base`, `base/trang/2/`, …; each page depends on the items
        it lists (its place in the list shows in its context), the first also on `first_page_deps`."""
        per_page = self.site.config.per_page
        count = max(1, -(-len(items) // per_page))
        for number in range(1, count + 1):
            chunk = items[(number - 1) * per_page: number * per_page]
            deps = {shown(i) for i in chunk} | (set(first_page_deps) if number == 1 else set())
            pagination = {
                "number": number, "count": count,
                "prev": paged_url(base, number - 1) if number > 1 else None,
                "next": paged_url(base, number + 1) if number < count else None,
            }
            self.add(paged_url(base, number), template, deps, origin,
                     items=chunk, pagination=pagination, **context)

    def feed(self, url: str, title: str, items: Sequence[Item], origin: str, home: str, unit: Any = None) -> None:
        """An Atom feed; a unit's feed is titled with its name as the theme shows it (`unit`)."""
        latest = items[:FEED_SIZE]
        self.out.append(PlannedPage(url, "feed.xml", {"url": url, "feed_title": title, "feed_unit": unit, "items": latest,
                                                      "home": home}, self.deps({i.rel for i in latest}), origin))



FIGURES_OF = "@figures:"
SHOWN = "@shown:"


def shown(item: Item) -> str:
    """The pseudo-source of what lists, archives, neighbours and the sitemap show of an item (all
    but its body, see `content.listing_fields`): a body edit leaves those pages alone."""
    return SHOWN + item.rel


def shown_only(deps: frozenset[str], site: Site) -> frozenset[str]:
    """The sitemap names pages and their dates only: an item's body is not among its sources."""
    bodies = {i.rel for i in site.items}
    return frozenset(SHOWN + d if d in bodies else d for d in deps)


def pseudo_digests(site: Site) -> dict[str, str]:
    """Digests of the parts of items that other pages show: their figures, title and address
    (figure pages) and their listing fields (lists, archives, the sitemap). Editing an item's body
    then leaves all of those pages alone."""
    figures_shown: dict[str, list[Any]] = {}
    for r in site.records:
        item = r.source.item
        if item is not None:
            figures_shown.setdefault(FIGURES_OF + item.rel, [item.title, item_url(item, site)]).append(
                (r.unit, r.metric, r.period.text, str(r.value), str(r.denominator), r.scope, r.qualifier,
                 r.note, r.source.line))
    digests = {name: hashlib.sha256(repr(value).encode()).hexdigest() for name, value in figures_shown.items()}
    for item in site.items:
        digests[SHOWN + item.rel] = shown_digest(item)
    return digests


def shown_digest(item: Item) -> str:
    """The digest of an item's listing fields (the `shown` pseudo-source)."""
    return hashlib.sha256(repr(listing_fields(item)).encode()).hexdigest()

