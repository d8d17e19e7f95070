"""The figure pages: /so-lieu/ with the downloads, a page per year, the figures of each unit and
metric; the summaries they show, reused from `PlanStages` while the figures are unchanged."""
from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from ..base.collector import collector_paused
from ..model.figures import MetricSummary, all_years, summarize, year_value
from ..model.site import Site
from ..model.totals import ShortfallWarning
from . import opendata
from .planned import FIGURES_OF, CopiedFile, GeneratedFile, Planner
from .stages import PlanStages
from .urls import data_source_url, figures_year_url, item_url

Summaries = dict[str, tuple[MetricSummary, ...]]


def summaries_of(site: Site, stages: PlanStages | None) -> Summaries:
    """Every unit's figure summaries; they depend on the figures only (`Site.figures_key`)."""
    key = site.figures_key or None
    kept = stages.summaries.get(key) if stages is not None and key is not None else None
    if kept is not None:
        return kept
    mine: dict[str, list[ShortfallWarning]] = {}
    for warning in site.shortfalls:
        mine.setdefault(warning.record.unit, []).append(warning)
    # a few objects per record and period (a million for 200 000 records), kept as long as the site
    with collector_paused():
        summaries = {unit_id: summarize(site.totals, unit_id, mine.get(unit_id, ())) for unit_id in site.units.units}
    if stages is not None and key is not None:
        stages.summaries.put(key, summaries)
    return summaries


def add_figure_pages(p: Planner, site: Site, summaries: Summaries, deps: frozenset[str],
                     stages: PlanStages | None) -> None:
    """The figure pages, reused while the figures, the sources every page depends on and the
    time zone (the addresses of items in the downloads) are the same."""
    key = hashlib.sha256(repr((site.figures_key, sorted(p.common), site.config.timezone.key)).encode()).hexdigest() \
        if site.figures_key else None
    kept = stages.figure_pages.get(key) if stages is not None and key is not None else None
    if kept is not None:
        p.out.extend(kept)
        return
    start = len(p.out)
    _figures_pages(p, site, summaries, deps)
    if stages is not None and key is not None:
        stages.figure_pages.put(key, tuple(p.out[start:]))


def figure_deps(site: Site) -> frozenset[str]:
    """Totals depend on every record: the data files, the figures of items (not their bodies:
    see `pseudo_digests`), metrics and units."""
    items = {FIGURES_OF + r.source.item.rel for r in site.records if r.source.item is not None}
    return frozenset({"metrics.yaml", "units.yaml", *site.data_files, *items})



def comparison(site: Site, unit_id: str, figures: tuple[MetricSummary, ...],
                summaries: Summaries) -> dict[str, Any] | None:
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


def _figures_pages(p: Planner, site: Site, summaries: Summaries,
                   deps: frozenset[str]) -> None:
    """/so-lieu/: the root's figures and downloads; /so-lieu/YYYY/: units × metrics for a year."""
    root = site.config.root_unit
    years = all_years(site.totals)
    p.add("so-lieu/", "figures.html", deps, "metrics.yaml", unit=site.units[root], figures=summaries[root],
          years=years, data_files=[(rel, data_source_url(rel)) for rel in site.data_files])
    for year in years:
        p.add(figures_year_url(year), "figures_year.html", deps, "metrics.yaml", year=year, tables=year_tables(site, year))
    for name, make in (("du-lieu.csv", lambda: opendata.records_csv(site, lambda i: item_url(i, site))),
                       ("du-lieu.json", lambda: opendata.records_json(site, lambda i: item_url(i, site))),
                       ("tong-hop.json", lambda: opendata.totals_json(site))):
        p.out.append(GeneratedFile("so-lieu/" + name, make, p.common | deps, "metrics.yaml"))
    for rel in site.data_files:
        p.out.append(CopiedFile(data_source_url(rel), site.config.source / rel, frozenset({rel}), rel))


def year_tables(site: Site, year: int) -> list[dict[str, Any]]:
    """/so-lieu/YYYY/: per group of metrics, the units × metrics table of the year: each unit's
    figure for the year and, for flows, its running total at the year's end."""
    groups: dict[str, list[Any]] = {}
    for metric in site.metrics.metrics.values():
        groups.setdefault(metric.group, []).append(metric)
    tables = []
    tree = [u for r in site.units.roots for u in site.units.subtree(r)]
    for group, metrics in groups.items():
        rows = []
        for unit_id in tree:
            cells = [(year_value(site.totals, unit_id, m.id, year),
                      site.totals.cumulative(unit_id, m.id, date(year, 12, 31)) if m.kind == "flow" else None)
                     for m in metrics]
            if any(total for total, _ in cells):
                rows.append((unit_id, cells))
        if rows:
            tables.append({"group": group, "metrics": metrics, "rows": rows})
    return tables

