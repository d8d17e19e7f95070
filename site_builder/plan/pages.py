"""`Site` → planned output files, each with its template, context and sources.

Every planned file names the source files it depends on (paths relative to the source folder),
so a later build can re-render only what a change touches. The URL scheme is in `urls`, the
kinds of planned files and the planner in `planned`, former addresses in `aliases`, the figure
pages in `figure_pages`; the names other stages use are importable from here too.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from ..base.errors import Problems
from ..load.records import Record
from ..load.sources import theme_files
from ..model.site import Site, Term
from .aliases import ALIAS_TEMPLATE, add_aliases, alias_url, moved_items, published_addresses
from .desk_admin import add_desk, published_backend
from .figure_pages import add_figure_pages, comparison, figure_deps, summaries_of
from .planned import (
    FEED_SIZE,
    FIGURES_OF,
    SHOWN,
    CopiedFile,
    GeneratedFile,
    Planned,
    PlannedPage,
    Planner,
    SearchIndex,
    pseudo_digests,
    shown,
    shown_digest,
    shown_only,
)
from .search import search_entries
from .stages import Plan, PlanStages
from .urls import (
    NOT_IN_SITEMAP,
    RESERVED,
    RESERVED_FILES,
    RESERVED_FOLDERS,
    archive_url,
    category_url,
    data_source_url,
    figures_year_url,
    file_for,
    item_url,
    metric_url,
    page_url,
    paged_url,
    tag_url,
    unit_url,
)

__all__ = [  # what other stages and the tests import from here
    "ALIAS_TEMPLATE", "FEED_SIZE", "FIGURES_OF", "NOT_IN_SITEMAP", "RESERVED", "RESERVED_FILES", "RESERVED_FOLDERS",
    "SHOWN", "CopiedFile", "GeneratedFile", "PlanStages", "Planned", "PlannedPage", "SearchIndex", "alias_url",
    "archive_url", "category_url", "data_source_url", "figures_year_url", "file_for", "item_url", "metric_url",
    "moved_items", "page_url", "paged_url", "plan_pages", "pseudo_digests", "published_addresses", "shown",
    "shown_digest", "tag_url", "unit_url",
]


def plan_pages(site: Site, theme_static: Path | None, problems: Problems,
               stages: PlanStages | None = None) -> list[Planned]:
    """Every output file of the site, in a stable order; path collisions are errors. With
    `stages` (`serve`), the parts that depend on the figures only are reused while they are unchanged,
    and the whole plan while only the content of items changed (`stages.Plan`)."""
    theme_problems = Problems(root=problems.root)
    static = [] if theme_static is None else theme_files(theme_static, theme_static.parent, theme_problems)
    key = ""
    if stages is not None and site.assembly_key:
        pages = [(pg.rel, pg.title, pg.summary, pg.slug, pg.order, pg.body_html) for pg in site.pages]
        key = hashlib.sha256(repr((site.assembly_key, pages, str(theme_static), static)).encode()).hexdigest()
        kept = stages.plan.get(key)
        files = kept.with_items_of(site) if kept is not None and not theme_problems.errors else None
        if files is not None:
            problems.extend(theme_problems)  # the only warnings a plan gives: the rest are errors
            stages.plan.put(key, Plan(site, tuple(files)))
            return files
    planned = _plan(site, theme_static, static, theme_problems, problems, stages)
    if stages is not None and key and not problems.errors:
        stages.plan.put(key, Plan(site, tuple(planned)))
    return planned


def _plan(site: Site, theme_static: Path | None, static: list[Path], theme_problems: Problems,
          problems: Problems, stages: PlanStages | None) -> list[Planned]:
    p = Planner(site, problems)
    items = site.items
    all_shown = [shown(i) for i in items]
    root = site.units[site.config.root_unit]

    # The figure summaries and pages depend on the figures, not on items: `stages` keeps them.
    summaries = summaries_of(site, stages)
    figures_deps = figure_deps(site)
    records_by_item: dict[str, list[Record]] = {}
    for record in site.records:
        if record.source.item is not None:
            records_by_item.setdefault(record.source.item.rel, []).append(record)

    p.add("", "home.html", {shown(i) for i in items[: site.config.per_page]} | figures_deps, "site.yaml",
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
        first_deps = figures_deps if figures else frozenset()
        p.listing(unit_url(unit.id), "unit.html", news, "units.yaml", first_deps, unit=unit, figures=figures,
                  comparison=comparison(site, unit.id, figures, summaries))
        for summary in figures:
            p.add(metric_url(unit.id, summary.metric.id), "unit_metric.html", figures_deps, "units.yaml",
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
        add_figure_pages(p, site, summaries, figures_deps, stages)

    _search(p, site)
    p.feed("feed.xml", site.config.title, items, "news/", "")
    p.out.append(PlannedPage("404.html", "404.html", {"url": "404.html"}, p.common, "site.yaml"))
    p.out.append(PlannedPage("robots.txt", "robots.txt", {"url": "robots.txt"}, p.common, "site.yaml"))

    for rel in site.media:
        p.out.append(CopiedFile(rel, site.config.source / rel, frozenset({rel}), rel))
    problems.extend(theme_problems)
    if theme_static is not None:
        for path in static:
            rel = "static/" + path.relative_to(theme_static).as_posix()
            p.out.append(CopiedFile(rel, path, frozenset(), rel))
    backend = published_backend(site.config)
    if backend is not None:
        add_desk(p, site, backend)

    add_aliases(p, site, problems)
    html_pages = [x for x in p.out if isinstance(x, PlannedPage) and x.path.endswith("index.html")
                  and x.context["url"] not in NOT_IN_SITEMAP and x.template != ALIAS_TEMPLATE]
    p.out.append(PlannedPage(
        "sitemap.xml", "sitemap.xml",
        {"url": "sitemap.xml", "entries": [(x.context["url"], _lastmod(x)) for x in html_pages]},
        shown_only(frozenset().union(*(x.deps for x in html_pages)), site), "site.yaml",
    ))
    _check_collisions(p.out, site, problems)
    return p.out


def _search(p: Planner, site: Site) -> None:
    """/tim-kiem/: the search page with its filters, and the index it searches."""
    tree = [(u, len(site.units.ancestors(u))) for r in site.units.roots for u in site.units.subtree(r)]
    p.add("tim-kiem/", "search.html", {shown(i) for i in site.items}, "site.yaml", unit_options=tree,
          categories=site.categories, years=site.years)
    everything = frozenset({"site.yaml", "units.yaml", *(i.rel for i in site.items), *(pg.rel for pg in site.pages)})
    p.out.append(SearchIndex("pagefind/", search_entries(site, lambda i: item_url(i, site), unit_url),
                             everything, "site.yaml"))



def _lastmod(page: PlannedPage) -> Any:
    item = page.context.get("item")
    if item is None:
        return None
    return item.updated or item.date


def _terms(p: Planner, index_url: str, index_template: str, template: str,
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
