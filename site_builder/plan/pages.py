"""The URL scheme: `Site` → planned output files, each with its template, context and sources.

Every planned file names the source files it depends on (paths relative to the source folder),
so a later build can re-render only what a change touches.
"""
from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..base.errors import Problems
from ..load.content import Item, Page, listing_fields
from ..load.records import Record
from ..load.sources import theme_files
from ..model.figures import MetricSummary, all_years, summarize, year_value
from ..model.site import Site, Term
from . import opendata
from .search import SearchEntry, search_entries

FEED_SIZE = 20
# Pages the sitemap leaves out: the search page says `noindex` (its content is whatever a query
# finds), and a sitemap listing it would contradict it (search engines report such a page).
NOT_IN_SITEMAP = {"tim-kiem/"}
# Every name the build itself writes at the top of the output: a page slugged so would land inside
# (or on) one of them, as "pagefind" would inside the search bundle. Slugs hold no ".", so the file
# names cannot be taken today; they are listed so that the list stays whole if slugs ever change.
# A test checks that every top-level name a build plans is here.
RESERVED_FOLDERS = {"tin-tuc", "don-vi", "so-lieu", "chuyen-muc", "the", "luu-tru", "tim-kiem", "trang",
                    "static", "media", "pagefind"}
RESERVED_FILES = {"index.html", "404.html", "robots.txt", "sitemap.xml", "feed.xml"}
RESERVED = RESERVED_FOLDERS | RESERVED_FILES


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


# --- URLs (site-relative, "" is the home page) -------------------------------------------------

def item_url(item: Item, site: Site) -> str:
    local = item.date.astimezone(site.config.timezone)
    return f"tin-tuc/{local.year:04d}/{local.month:02d}/{item.slug}/"


def unit_url(unit_id: str) -> str:
    return f"don-vi/{unit_id}/"


def category_url(slug: str) -> str:
    return f"chuyen-muc/{slug}/"


def tag_url(slug: str) -> str:
    return f"the/{slug}/"


def archive_url(year: int) -> str:
    return f"luu-tru/{year}/"


def page_url(page: Page) -> str:
    return f"{page.slug}/"


def metric_url(unit_id: str, metric_id: str) -> str:
    return f"don-vi/{unit_id}/so-lieu/{metric_id}/"


def figures_year_url(year: int) -> str:
    return f"so-lieu/{year}/"


def data_source_url(rel: str) -> str:
    """Where a data file is published for readers to check: "data/2020.csv" → "so-lieu/nguon/2020.csv"."""
    return "so-lieu/nguon/" + rel.removeprefix("data/")


def paged_url(base: str, number: int) -> str:
    return base if number == 1 else f"{base}trang/{number}/"


def file_for(url: str) -> str:
    """Output file of a pretty URL: "tin-tuc/" → "tin-tuc/index.html"."""
    return url + "index.html" if url == "" or url.endswith("/") else url


# --- planning ---------------------------------------------------------------------------------

@dataclass
class _Planner:
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


def plan_pages(site: Site, theme_static: Path | None, problems: Problems,
               memo: dict[str, Any] | None = None) -> list[Planned]:
    """Every output file of the site, in a stable order; path collisions are errors."""
    p = _Planner(site, problems)
    items = site.items
    all_shown = [shown(i) for i in items]
    root = site.units[site.config.root_unit]

    # The figure summaries depend on the totals only: reused while `load_site` reuses them.
    if memo is not None and memo.get("summaries_of") is site.totals:
        summaries = memo["summaries"]
    else:
        summaries = {unit_id: summarize(site.totals, unit_id, list(site.shortfalls)) for unit_id in site.units.units}
        if memo is not None:
            memo["summaries_of"], memo["summaries"] = site.totals, summaries
    figure_deps = _figure_deps(site)
    records_by_item: dict[str, list[Record]] = {}
    for record in site.records:
        if record.source.item is not None:
            records_by_item.setdefault(record.source.item.rel, []).append(record)

    p.add("", "home.html", {shown(i) for i in items[: site.config.per_page]} | figure_deps, "site.yaml",
          items=items[: site.config.per_page], root_unit=root, figures=summaries[root.id])
    p.listing("tin-tuc/", "news_list.html", items, "news/")
    media = set(site.media)
    for index, item in enumerate(items):
        newer = items[index - 1] if index > 0 else None
        older = items[index + 1] if index + 1 < len(items) else None
        deps = {item.rel} | {shown(n) for n in (newer, older) if n is not None}
        if item.image:
            deps.add(item.image)
        deps.update(m for m in item.body_media if m in media)    # their sizes are in the body
        if item.rel in records_by_item:
            deps.add("metrics.yaml")  # the figures box names each metric
        p.add(item_url(item, site), "article.html", deps, item.rel, item=item, newer=newer, older=older,
              item_records=records_by_item.get(item.rel, []))

    p.add("don-vi/", "unit_tree.html", (), "units.yaml", roots=site.units.roots)
    for unit in site.units.units.values():
        news = site.news_by_unit[unit.id]
        figures = summaries[unit.id]
        deps = figure_deps if figures else frozenset()
        p.listing(unit_url(unit.id), "unit.html", news, "units.yaml", deps, unit=unit, figures=figures,
                  comparison=_comparison(site, unit.id, figures, summaries))
        for summary in figures:
            p.add(metric_url(unit.id, summary.metric.id), "unit_metric.html", figure_deps, "units.yaml",
                  unit=unit, summary=summary)
        p.feed(unit_url(unit.id) + "feed.xml", unit.name, news, "units.yaml", unit_url(unit.id), unit)

    _terms(p, "chuyen-muc/", "categories.html", "category.html", site.categories, category_url)
    _terms(p, "the/", "tags.html", "tag.html", site.tags, tag_url)

    years = {year: [i for i in items if site.local_year(i) == year] for year in site.years}
    p.add("luu-tru/", "archive.html", all_shown, "news/", years=[(y, len(v)) for y, v in years.items()])
    for year, year_items in years.items():
        p.add(archive_url(year), "archive_year.html", {shown(i) for i in year_items}, "news/",
              year=year, items=year_items)

    for page in site.pages:
        if page.slug in RESERVED:
            problems.error(page.source, 1, f'đường dẫn "{page.slug}/" của trang trùng với một thư mục site-builder tự tạo '
                           f'({", ".join(sorted(RESERVED_FOLDERS))}).',
                           f'Hãy đặt "slug: ..." khác cho trang này, ví dụ slug: "trang-{page.slug}".')
            continue
        p.add(page_url(page), "page.html", {page.rel}, page.rel, page=page)

    if site.records:
        reuse = (id(site.totals), p.common, site.config.timezone.key)
        if memo is not None and memo.get("figures_totals") is site.totals and memo.get("figure_pages_of") == reuse:
            p.out.extend(memo["figure_pages"])
        else:
            start = len(p.out)
            _figures_pages(p, site, summaries, figure_deps)
            if memo is not None:
                memo["figures_totals"], memo["figure_pages_of"], memo["figure_pages"] = site.totals, reuse, p.out[start:]

    _search(p, site)
    p.feed("feed.xml", site.config.title, items, "news/", "")
    p.out.append(PlannedPage("404.html", "404.html", {"url": "404.html"}, p.common, "site.yaml"))
    p.out.append(PlannedPage("robots.txt", "robots.txt", {"url": "robots.txt"}, p.common, "site.yaml"))

    for rel in site.media:
        p.out.append(CopiedFile(rel, site.config.source / rel, frozenset({rel}), rel))
    if theme_static is not None:
        for path in theme_files(theme_static, theme_static.parent, problems):
            rel = "static/" + path.relative_to(theme_static).as_posix()
            p.out.append(CopiedFile(rel, path, frozenset(), rel))

    _aliases(p, site, problems)
    html_pages = [x for x in p.out if isinstance(x, PlannedPage) and x.path.endswith("index.html")
                  and x.context["url"] not in NOT_IN_SITEMAP and x.template != ALIAS_TEMPLATE]
    p.out.append(PlannedPage(
        "sitemap.xml", "sitemap.xml",
        {"url": "sitemap.xml", "entries": [(x.context["url"], _lastmod(x)) for x in html_pages]},
        _shown_only(frozenset().union(*(x.deps for x in html_pages)), site), "site.yaml",
    ))
    _check_collisions(p.out, site, problems)
    return p.out


# --- former addresses (`aliases:`) -------------------------------------------------------------

ALIAS_TEMPLATE = "alias.html"
# Folders of files, not pages: a redirect page inside them would mix with what the build copies.
_FILE_FOLDERS = {"static", "media", "pagefind"}
_ALIAS_SEGMENT = re.compile(r"[A-Za-z0-9_~%-]+")
_ALIAS_HINT = 'Hãy viết đường dẫn trong trang như địa chỉ cũ hiện sau base_url, ví dụ aliases: ["/tin-tuc/2020/08/ten-cu/"].'


def alias_url(text: str, base_url: str) -> str | None:
    """The site-relative URL of a former address ("/tin-tuc/2020/08/x/" → "tin-tuc/2020/08/x/"),
    also written in full under base_url or without its last "/"; None when it is not one."""
    path = "/" + text[len(base_url):] if base_url and text.startswith(base_url) else text
    if not path.startswith("/"):
        return None
    segments = path[1:].removesuffix("/").split("/")
    if segments == [""] or not all(_ALIAS_SEGMENT.fullmatch(s) for s in segments):
        return None
    return "/".join(segments) + "/"


def _alias_problem(text: str, base_url: str) -> tuple[str, str] | None:
    """Why a former address cannot be one (message, hint), or None when it can."""
    url = alias_url(text, base_url)
    if url is None and any(s in ("..", ".") for s in text.replace("\\", "/").split("/")):
        return f'địa chỉ cũ "{text}" trong aliases đi ra ngoài trang (có "..").', _ALIAS_HINT
    if url is None:
        return (f'địa chỉ cũ "{text}" trong aliases không đúng dạng (chỉ gồm chữ không dấu, số, "-" giữa các dấu "/").',
                _ALIAS_HINT)
    top = url.split("/")[0]
    if top in _FILE_FOLDERS or top in RESERVED_FILES:
        return (f'địa chỉ cũ "{text}" trong aliases nằm trong thư mục "{top}/" mà site-builder tự tạo.',
                "Hãy bỏ địa chỉ này khỏi aliases: ở đó không có bài viết nào.")
    return None


def _aliases(p: _Planner, site: Site, problems: Problems) -> None:
    """A redirect page at each former address of an item; a bad or colliding one is an error at
    its line. Planned after every other page, which an alias may never replace."""
    taken = {x.path: x.origin for x in p.out}
    aliased: dict[str, str] = {}
    base_url = site.config.base_url
    for item in site.items:
        target = item_url(item, site)
        for text in item.aliases:
            problem = _alias_problem(text, base_url)
            url = alias_url(text, base_url)
            path = file_for(url or "")
            if problem is None and path in taken:
                problem = (f'địa chỉ cũ "{text}" trong aliases trùng với địa chỉ của {_what(taken[path], item.rel)}.',
                           "Hãy bỏ địa chỉ này khỏi aliases: trang ở địa chỉ đó vẫn còn.")
            elif problem is None and path in aliased:
                problem = (f'địa chỉ cũ "{text}" trong aliases đã là địa chỉ cũ của bài {aliased[path]}.',
                           "Mỗi địa chỉ cũ chỉ chuyển đến một bài: hãy bỏ nó khỏi một trong hai bài.")
            if problem is not None:
                problems.error(item.source, item.line_of("aliases"), *problem)
                continue
            assert url is not None  # `_alias_problem` names every address that is not one
            aliased[path] = item.rel
            p.out.append(PlannedPage(file_for(url), ALIAS_TEMPLATE, {"url": url, "item": item, "target": target},
                                     p.deps({shown(item)}), item.rel))


def _what(origin: str, rel: str) -> str:
    """How an alias error names what already has the address."""
    return "chính bài này" if origin == rel else f"một trang đang có ({origin})"


def moved_items(site: Site, planned: Sequence[Planned], published: dict[str, tuple[str, ...]],
                problems: Problems) -> None:
    """Warn for each item that a previous build published at an address it has left, with no
    alias there: the hint is the exact `aliases:` line that keeps the old link working."""
    taken = {x.path for x in planned}
    base_url = site.config.base_url
    for item in site.items:
        now = "/" + item_url(item, site)
        kept = {alias_url(a, base_url) for a in item.aliases}
        lost = [old for old in published.get(item.rel, ())
                if old != now and old[1:] not in kept and file_for(old[1:]) not in taken]
        if not lost:
            continue
        month_moved = any(old.split("/")[2:4] != now.split("/")[2:4] for old in lost)
        key = "date" if month_moved else ("slug" if "slug" in item.lines else "title")
        line = "aliases: [" + ", ".join(f'"{a}"' for a in [*item.aliases, *lost]) + "]"
        todo = "Hãy sửa dòng aliases thành" if item.aliases else "Hãy thêm vào phần thông tin đầu bài dòng"
        problems.warn(item.source, item.line_of(key),
                      f'bài đã đổi địa chỉ từ {", ".join(lost)} sang {now}: liên kết cũ (đã đăng, đã chia sẻ) sẽ hỏng.',
                      f"{todo}: {line}")


def published_addresses(site: Site, before: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Every address each news item source has been published at, this build's included."""
    out = dict(before)
    for item in site.items:
        now = "/" + item_url(item, site)
        out[item.rel] = tuple(dict.fromkeys([*before.get(item.rel, ()), now]))
    return out


def _figure_deps(site: Site) -> frozenset[str]:
    """Totals depend on every record: the data files, the figures of items (not their bodies:
    see `pseudo_digests`), metrics and units."""
    items = {FIGURES_OF + r.source.item.rel for r in site.records if r.source.item is not None}
    return frozenset({"metrics.yaml", "units.yaml", *site.data_files, *items})


FIGURES_OF = "@figures:"
SHOWN = "@shown:"


def shown(item: Item) -> str:
    """The pseudo-source of what lists, archives, neighbours and the sitemap show of an item (all
    but its body, see `content.listing_fields`): a body edit leaves those pages alone."""
    return SHOWN + item.rel


def _shown_only(deps: frozenset[str], site: Site) -> frozenset[str]:
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


def _comparison(site: Site, unit_id: str, figures: tuple[MetricSummary, ...],
                summaries: dict[str, tuple[MetricSummary, ...]]) -> dict[str, Any] | None:
    """Child units side by side: each child's figure for the latest year the unit has data."""
    children = [c for c in site.units[unit_id].children if summaries[c]]
    if not children or not figures:
        return None
    year = max(row.year for s in figures for row in s.years)
    metrics = [s.metric for s in figures if any(year_value(site.totals, c, s.metric.id, year) for c in children)]
    if not metrics:
        return None
    rows = [(c, [year_value(site.totals, c, m.id, year) for m in metrics]) for c in children]
    return {"year": year, "metrics": metrics, "rows": [r for r in rows if any(r[1])]}


def _figures_pages(p: _Planner, site: Site, summaries: dict[str, tuple[MetricSummary, ...]],
                   deps: frozenset[str]) -> None:
    """/so-lieu/: the root's figures and downloads; /so-lieu/YYYY/: units × metrics for a year."""
    root = site.config.root_unit
    years = all_years(site.totals)
    p.add("so-lieu/", "figures.html", deps, "metrics.yaml", unit=site.units[root], figures=summaries[root],
          years=years, data_files=[(rel, data_source_url(rel)) for rel in site.data_files])
    tree = [u for r in site.units.roots for u in site.units.subtree(r)]
    for year in years:
        groups: dict[str, list[Any]] = {}
        for metric in site.metrics.metrics.values():
            groups.setdefault(metric.group, []).append(metric)
        tables = []
        for group, metrics in groups.items():
            rows = []
            for unit_id in tree:
                cells = [(year_value(site.totals, unit_id, m.id, year),
                          site.totals.cumulative(unit_id, m.id, _year_end(year)) if m.kind == "flow" else None)
                         for m in metrics]
                if any(total for total, _ in cells):
                    rows.append((unit_id, cells))
            if rows:
                tables.append({"group": group, "metrics": metrics, "rows": rows})
        p.add(figures_year_url(year), "figures_year.html", deps, "metrics.yaml", year=year, tables=tables)
    for name, make in (("du-lieu.csv", lambda: opendata.records_csv(site, lambda i: item_url(i, site))),
                       ("du-lieu.json", lambda: opendata.records_json(site, lambda i: item_url(i, site))),
                       ("tong-hop.json", lambda: opendata.totals_json(site))):
        p.out.append(GeneratedFile("so-lieu/" + name, make, p.common | deps, "metrics.yaml"))
    for rel in site.data_files:
        p.out.append(CopiedFile(data_source_url(rel), site.config.source / rel, frozenset({rel}), rel))


def _search(p: _Planner, site: Site) -> None:
    """/tim-kiem/: the search page with its filters, and the index it searches."""
    tree = [(u, len(site.units.ancestors(u))) for r in site.units.roots for u in site.units.subtree(r)]
    p.add("tim-kiem/", "search.html", {shown(i) for i in site.items}, "site.yaml", unit_options=tree,
          categories=site.categories, years=site.years)
    everything = frozenset({"site.yaml", "units.yaml", *(i.rel for i in site.items), *(pg.rel for pg in site.pages)})
    p.out.append(SearchIndex("pagefind/", search_entries(site, lambda i: item_url(i, site), unit_url),
                             everything, "site.yaml"))


def _year_end(year: int) -> date:
    return date(year, 12, 31)


def _lastmod(page: PlannedPage) -> Any:
    item = page.context.get("item")
    if item is None:
        return None
    return item.updated or item.date


def _terms(p: _Planner, index_url: str, index_template: str, template: str,
           terms: tuple[Term, ...], url_of: Any) -> None:
    p.add(index_url, index_template, {shown(i) for t in terms for i in t.items}, "news/", terms=terms)
    for term in terms:
        p.listing(url_of(term.slug), template, term.items, term.items[0].rel, term=term)


def _check_collisions(planned: list[Planned], site: Site, problems: Problems) -> None:
    """Two sources that would write the same output file: an error naming both."""
    seen: dict[str, Planned] = {}
    for entry in planned:
        first = seen.setdefault(entry.path, entry)
        if first is not entry:
            item = entry.context.get("item") if isinstance(entry, PlannedPage) else None
            line = item.line_of("slug" if "slug" in item.lines else "title") if item is not None else None
            problems.error(site.config.source / entry.origin, line,
                           f'trùng đường dẫn "{entry.path}" với {first.origin}.',
                           'Hãy đặt "slug: ..." khác cho một trong hai bài.')
