#!/usr/bin/env python3
"""How the totals scale with the number of records: synthetic records in two layouts, at growing
sizes, each size in a fresh subprocess; prints seconds and peak memory per size.

    python benchmarks/totals_curve.py                          # both layouts, 5k … 200k
    python benchmarks/totals_curve.py --layouts province --sizes 5000,200000 --timeout 120

Layouts (records made in memory, as the loaders would make them; nothing is written):

- `dense`: one commune under a district, a province and the country, a flow record a day for
  each of ceil(N / 10 000) metrics (so no metric spans more than about 27 years), every record
  "các cấp" (the default scope), the days going back from 2025-12-31.
- `province`: Việt Nam › an old province (until 2025-06-30, `merged_into` the new province) ›
  districts of 10 communes (until 2025-06-30, dissolved) › N / 1 890 communes (until 2025-06-30,
  each `merged_into` one of a third as many new communes of the new province, every 7th
  `split_into` two of them); 20 metrics (14 flows, 4 stocks, 2 coverage); a record per commune,
  metric and month from 2018-01 to 2025-06, and per new commune and metric from 2025-07 to
  2025-12; the district and the old province report "các cấp" yearly flows (2018 … 2024) that
  cover their communes' months (one district report in 20 below its communes' sum: a warning),
  and each district reports its own office's flows quarterly (`own`).

Each size runs what a build asks of the totals: `build_totals` (rule 1's check of partial
overlaps, rule 6's shortfalls), then, through the plan's own functions, what planning and
rendering ask of them: every unit's summaries (`plan.figure_pages.summaries_of`: latest,
year-to-date, year rows, period rows, records and what covers them), the comparison of child
units (`comparison`), the units × metrics table of every year (`year_tables`) with each cell's
link anchor (`Total.ends_in`, as figures_year.html asks), each metric page's records by year
(`MetricSummary.records_by_year`, as unit_metric.html asks) and `tong-hop.json`
(`plan.opendata.totals_json`). "total s" is wall time, "cpu s" the child's CPU time over the
same span (what a loaded machine distorts least), "peak MB" the child's `ru_maxrss`.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import subprocess
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from site_builder.base.errors import Problems
from site_builder.base.vietnamese import Period, year_period
from site_builder.load.metrics import Metric, MetricRegistry
from site_builder.load.record_rows import Record, SourceRef
from site_builder.load.units import Predecessor, Successor, Unit, UnitRegistry
from site_builder.model.figures import all_years, year_value
from site_builder.model.totals import build_totals
from site_builder.plan import opendata
from site_builder.plan.figure_pages import comparison, summaries_of

try:
    from site_builder.plan.figure_pages import year_tables
except ImportError:  # the code before 19d3a64 (to compare with): the loop `_figures_pages` ran
    year_tables = None

SIZES = (5_000, 10_000, 20_000, 50_000, 100_000, 200_000)
END_OLD, START_NEW = date(2025, 6, 30), date(2025, 7, 1)
PATH = Path("units.yaml")


def _unit(uid: str, kind: str, parent: str | None, children: tuple[str, ...] = (),
          valid_from: date | None = None, valid_to: date | None = None,
          successors: tuple[Successor, ...] = ()) -> Unit:
    return Unit(uid, uid, kind, None, valid_from, valid_to, successors, parent, children, PATH, 1)


def _registry(units: list[Unit]) -> UnitRegistry:
    by_id = {u.id: u for u in units}
    preds: dict[str, list[Predecessor]] = {}
    for u in units:
        for s in u.successors:
            preds.setdefault(s.id, []).append(Predecessor(u.id, s.relation))
    return UnitRegistry(by_id, tuple(u.id for u in units if u.parent is None),
                        {k: tuple(v) for k, v in preds.items()})


def _month(year: int, month: int) -> Period:
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1))
    return Period(date(year, month, 1), last, "month", f"{year}-{month:02d}")


def _quarter(year: int, q: int) -> Period:
    last = _month(year, 3 * q).end
    return Period(date(year, 3 * q - 2, 1), last, "quarter", f"{year}-Q{q}")


class _Records:
    def __init__(self) -> None:
        self.out: list[Record] = []

    def add(self, unit: str, metric: str, period: Period, value: int, scope: str = "all",
            denominator: int | None = None, qualifier: str = "") -> None:
        i = len(self.out)
        self.out.append(Record(i, unit, metric, period, Decimal(value),
                               None if denominator is None else Decimal(denominator), scope, qualifier, "",
                               SourceRef("data/so-lieu.csv", i + 2)))


def dense(n: int) -> tuple[UnitRegistry, MetricRegistry, list[Record]]:
    units = _registry([_unit("viet-nam", "quoc-gia", None, ("tinh",)), _unit("tinh", "tinh", "viet-nam", ("huyen",)),
                       _unit("huyen", "huyen", "tinh", ("xa",)), _unit("xa", "xa", "huyen")])
    count = math.ceil(n / 10_000)
    metrics = MetricRegistry({f"m{i}": Metric(f"m{i}", f"m{i}", "cuộc", "flow", "number", "", "", i)
                              for i in range(count)})
    rec = _Records()
    rng = random.Random(1)
    for k in range(n):
        metric, back = f"m{k % count}", k // count
        day = date(2025, 12, 31) - timedelta(days=back)
        rec.add("xa", metric, Period(day, day, "day", day.isoformat()), rng.randint(0, 9),
                qualifier="trên" if rng.random() < 0.01 else "")
    return units, metrics, rec.out


KINDS = ["flow"] * 14 + ["stock"] * 4 + ["coverage"] * 2


def province(n: int) -> tuple[UnitRegistry, MetricRegistry, list[Record]]:
    communes = max(1, round(n / 1890))
    districts = math.ceil(communes / 10)
    new = max(2, communes // 3)
    rng = random.Random(2)
    olds = [f"xa-{i}" for i in range(communes)]
    news = [f"xa-moi-{j}" for j in range(new)]
    dist = [f"huyen-{d}" for d in range(districts)]
    units: list[Unit] = [_unit("viet-nam", "quoc-gia", None, ("tinh-cu", "tinh-moi")),
                         _unit("tinh-cu", "tinh", "viet-nam", tuple(dist), valid_to=END_OLD,
                               successors=(Successor("tinh-moi", "merged_into"),)),
                         _unit("tinh-moi", "tinh", "viet-nam", tuple(news), valid_from=START_NEW)]
    for d, did in enumerate(dist):
        units.append(_unit(did, "huyen", "tinh-cu", tuple(olds[d * 10:(d + 1) * 10]), valid_to=END_OLD))
    for i, cid in enumerate(olds):
        j = i * new // communes
        succ = (Successor(news[j], "split_into"), Successor(news[(j + 1) % new], "split_into")) if i % 7 == 6 \
            else (Successor(news[j], "merged_into"),)
        units.append(_unit(cid, "xa", dist[i // 10], valid_to=END_OLD, successors=succ))
    units.extend(_unit(nid, "xa", "tinh-moi", valid_from=START_NEW) for nid in news)
    metrics = MetricRegistry({f"m{i}": Metric(f"m{i}", f"m{i}", "cuộc", kind, "number", "", "", i)
                              for i, kind in enumerate(KINDS)})
    rec = _Records()
    sums: dict[tuple[str, str, int], int] = {}
    for m, kind in enumerate(KINDS):
        metric = f"m{m}"
        for i, cid in enumerate(olds):
            for year in range(2018, 2026):
                for month in range(1, 13 if year < 2025 else 7):
                    v = rng.randint(0, 20)
                    if kind == "flow":
                        rec.add(cid, metric, _month(year, month), v, qualifier="khoảng" if rng.random() < 0.01 else "")
                        key = (dist[i // 10], metric, year)
                        sums[key] = sums.get(key, 0) + v
                    else:
                        rec.add(cid, metric, _month(year, month), v + 5 * year - 10_000,
                                denominator=30 if kind == "coverage" else None)
        for nid in news:
            for month in range(7, 13):
                v = rng.randint(0, 60)
                rec.add(nid, metric, _month(2025, month), v, denominator=30 if kind == "coverage" else None)
        if kind != "flow":
            continue
        reported: dict[tuple[str, int], int] = {}
        for d, did in enumerate(dist):
            for year in range(2018, 2025):
                total = sums.get((did, metric, year), 0)
                for q in range(1, 5):
                    own = rng.randint(0, 5)
                    rec.add(did, metric, _quarter(year, q), own, scope="own")
                    total += own
                short = (d + year + m) % 20 == 0
                reported[(did, year)] = total - 1 if short else total + rng.randint(0, 9)
                rec.add(did, metric, year_period(year), reported[(did, year)])
        for year in range(2018, 2025):
            if year % 3 == 0:
                rec.add("tinh-cu", metric, year_period(year), sum(reported[(did, year)] for did in dist) + 100)
    return _registry(units), metrics, rec.out


LAYOUTS = {"dense": dense, "province": province}


def _year_tables(site: SimpleNamespace, year: int) -> list[dict[str, Any]]:
    if year_tables is not None:
        return year_tables(site, year)  # type: ignore[arg-type]
    tables = []
    tree = [u for r in site.units.roots for u in site.units.subtree(r)]
    metrics = list(site.metrics.metrics.values())
    rows = []
    for unit_id in tree:
        cells = [(year_value(site.totals, unit_id, m.id, year),
                  site.totals.cumulative(unit_id, m.id, date(year, 12, 31)) if m.kind == "flow" else None)
                 for m in metrics]
        if any(total for total, _ in cells):
            rows.append((unit_id, cells))
    if rows:
        tables.append({"group": "", "metrics": metrics, "rows": rows})
    return tables


def _ends_in(total: Any, year: int) -> bool:
    if hasattr(total, "ends_in"):
        return bool(total.ends_in(year))
    # what figures_year.html asked before (selectattr over every record), in Python
    return bool([r for r in total.records if r.period.end.year == year])


def run_one(layout: str, n: int) -> dict[str, float | int]:
    """Build the records, then time build_totals and the page queries; one JSON line out."""
    units, metrics, records = LAYOUTS[layout](n)
    c0 = time.process_time()
    t0 = time.perf_counter()
    problems = Problems()
    totals, shortfalls = build_totals(records, units, metrics, Path("content"), problems)
    t1 = time.perf_counter()
    # what planning and rendering ask, through the plan's own functions: every unit's summaries,
    # the comparison of its child units, the units × metrics table of every year with the anchor
    # of each cell (figures_year.html), the records of each metric page by year
    # (unit_metric.html) and tong-hop.json
    site = SimpleNamespace(totals=totals, units=units, metrics=metrics, shortfalls=shortfalls, figures_key="")
    summaries = summaries_of(site, None)  # type: ignore[arg-type]
    for unit_id, figures in summaries.items():
        comparison(site, unit_id, figures, summaries)  # type: ignore[arg-type]
        for summary in figures:
            summary.records_by_year  # noqa: B018
    for year in all_years(totals):
        for table in _year_tables(site, year):
            for _unit_id, cells in table["rows"]:
                for total, _cumulative in cells:
                    if total is not None:
                        _ends_in(total, year)
    opendata.totals_json(site)  # type: ignore[arg-type]
    t2 = time.perf_counter()
    c2 = time.process_time()
    return {"cpu": c2 - c0, "records": len(records), "units": len(units.units), "build_totals": t1 - t0, "queries": t2 - t1,
            "seconds": t2 - t0, "errors": len(problems.errors), "warnings": len(problems.items) - len(problems.errors),
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--layouts", default="dense,province", help="comma-separated: dense, province")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="comma-separated record counts")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per size (default 300)")
    parser.add_argument("--json", type=Path, help="also write the measurements to this file")
    parser.add_argument("--one", nargs=2, metavar=("LAYOUT", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one[0], int(args.one[1]))))
        return 0
    results = []
    print(f"{'layout':9} {'asked':>7} {'records':>8} {'totals s':>9} {'queries s':>10} {'total s':>8} "
          f"{'cpu s':>7} {'peak MB':>8} {'warn':>5} {'err':>4}", flush=True)
    for layout in args.layouts.split(","):
        for n in (int(s) for s in args.sizes.split(",")):
            cmd = [sys.executable, __file__, "--one", layout, str(n)]
            started = time.perf_counter()
            try:
                done = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout,
                                      env={**os.environ, "PYTHONHASHSEED": "0"})
            except subprocess.TimeoutExpired:
                print(f"{layout:9} {n:>7} {'':>8} time limit of {args.timeout:.0f} s hit "
                      f"(killed after {time.perf_counter() - started:.0f} s); larger sizes skipped", flush=True)
                results.append({"layout": layout, "asked": n, "timeout": args.timeout})
                break
            if done.returncode != 0:
                print(f"{layout:9} {n:>7} failed:\n{done.stderr}", flush=True)
                return 1
            r = json.loads(done.stdout.strip().splitlines()[-1])
            results.append({"layout": layout, "asked": n, **r})
            print(f"{layout:9} {n:>7} {r['records']:>8} {r['build_totals']:>9.2f} {r['queries']:>10.2f} "
                  f"{r['seconds']:>8.2f} {r['cpu']:>7.2f} {r['peak_mb']:>8.0f} {r['warnings']:>5} {r['errors']:>4}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
