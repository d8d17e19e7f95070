"""What the pages show of the totals: per unit and metric, the running totals, the tables by
year and by reported period, the chart, and the records behind every figure."""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from operator import attrgetter, le
from typing import NamedTuple

from ..base.vietnamese import Period, year_period
from ..load.metrics import Metric
from ..load.records import Record
from .charts import Chart, bar_chart
from .totals import ShortfallWarning, Total, Totals
from .totals_index import View


@dataclass(frozen=True)
class YearRow:
    """One calendar year: the year's total (flow) or year-end level, and the running total."""

    year: int
    total: Total | None
    cumulative: Total | None


class RecordRow(NamedTuple):
    """A record reaching a unit, and the reported record that already accounts for it, if any (a
    named tuple: a page lists every record reaching its unit, and a frozen dataclass costs
    several times more to make)."""

    record: Record
    covered_by: Record | None


@dataclass(frozen=True)
class MetricSummary:
    """Everything a unit page shows of one metric."""

    unit: str
    metric: Metric
    latest: Total
    year_to_date: Total | None
    years: tuple[YearRow, ...]
    periods: tuple[tuple[Period, Total], ...]
    chart: Chart | None
    records: tuple[RecordRow, ...]
    warnings: tuple[ShortfallWarning, ...]
    # `records_by_year`, when made once for the units that see the same records (`summarize`)
    by_year: tuple[tuple[int, tuple[RecordRow, ...]], ...] | None = field(default=None, compare=False, repr=False)

    @cached_property
    def records_by_year(self) -> tuple[tuple[int, tuple[RecordRow, ...]], ...]:
        """The records grouped by the year their period ends, years ascending, order kept within
        a year (what Jinja's `groupby` gives, without its cost on the biggest pages)."""
        return self.by_year if self.by_year is not None else _by_year(self.records)


def _by_year(rows: tuple[RecordRow, ...]) -> tuple[tuple[int, tuple[RecordRow, ...]], ...]:
    """What a stable sort by year and `groupby` give, in one pass."""
    groups: dict[int, list[RecordRow]] = {}
    for row in rows:
        year = row.record.period.end.year
        group = groups.get(year)
        if group is None:
            groups[year] = [row]
        else:
            group.append(row)
    return tuple((year, tuple(groups[year])) for year in sorted(groups))


_BY_PERIOD = attrgetter("period.start", "period.end", "index")
_END = attrgetter("period.end")
_INDEX = attrgetter("index")


class _Shown(NamedTuple):
    """What a unit's page shows of a view that does not depend on the unit: shared by the units
    that see the same records."""

    last: date                          # the latest period end
    rows: tuple[RecordRow, ...]         # every record, by period, and what already accounts for it
    by_year: tuple[tuple[int, tuple[RecordRow, ...]], ...]   # the rows grouped by the year they end


def _shown(totals: Totals, view: View, flow: bool) -> _Shown:
    found: _Shown | None = view.derived.get("shown")
    if found is not None:
        return found
    covers, shared, units = totals.covers, totals.shared, view.units
    rows = []
    listed = sorted(view.relevant, key=_BY_PERIOD)
    for r in listed:
        cover = None
        for a in covers.get(r.index, ()) if flow else ():
            if a.unit in units:  # a reported record reaches the unit when its own unit does
                cover = a
                break
        key: int | tuple[int, int] = r.index if cover is None else (r.index, cover.index)
        row = shared.get(key)
        if row is None:
            row = shared[key] = RecordRow(r, cover)
        rows.append(row)
    years = list(map(_years_of(totals).__getitem__, map(_INDEX, listed)))
    found = view.derived["shown"] = _Shown(max(map(_END, view.relevant)), tuple(rows), _grouped_by_year(tuple(rows), years))
    return found


def _years_of(totals: Totals) -> list[int]:
    """Every record's year (of its period's end), by record index."""
    found: list[int] | None = totals.derived.get("years")
    if found is None:
        found = totals.derived["years"] = [r.period.end.year for r in totals.records]
    return found


def _grouped_by_year(rows: tuple[RecordRow, ...], years: list[int]) -> tuple[tuple[int, tuple[RecordRow, ...]], ...]:
    """`_by_year(rows)` (`years`: each row's), cut into slices when the years rise along the rows
    (as a rule: rows are by period); a third less time than grouping row by row."""
    if not all(map(le, years, years[1:])):
        return _by_year(rows)
    cuts: list[tuple[int, tuple[RecordRow, ...]]] = []
    at = 0
    while at < len(years):
        upto = bisect_right(years, years[at], at)
        cuts.append((years[at], rows[at:upto]))
        at = upto
    return tuple(cuts)


def summarize(totals: Totals, unit_id: str, warnings: Sequence[ShortfallWarning]) -> tuple[MetricSummary, ...]:
    """A summary per metric with data reaching the unit (`warnings`: all, or at least the unit's)."""
    out: list[MetricSummary] = []
    mine = [w for w in warnings if w.record.unit == unit_id]
    for metric in totals.metrics_of(unit_id):
        flow = metric.kind == "flow"
        shown = _shown(totals, totals.view(unit_id, metric.id), flow)
        latest = totals.cumulative(unit_id, metric.id, shown.last)
        if latest is None:
            continue
        years = tuple(
            YearRow(y, totals.total(unit_id, metric.id, year_period(y)),
                    totals.cumulative(unit_id, metric.id, date(y, 12, 31)) if flow else None)
            for y in totals.years(unit_id, metric.id)
        )
        periods = totals.period_totals(unit_id, metric.id)
        points = [(str(row.year), row.total.value) for row in years if row.total is not None]
        out.append(MetricSummary(
            unit=unit_id, metric=metric, latest=latest,
            year_to_date=totals.year_to_date(unit_id, metric.id, shown.last) if flow else None,
            years=years, periods=tuple(periods), chart=bar_chart(points), records=shown.rows,
            warnings=tuple(w for w in mine if w.record.metric == metric.id), by_year=shown.by_year,
        ))
    return tuple(out)


def year_value(totals: Totals, unit_id: str, metric_id: str, year: int) -> Total | None:
    """A unit's figure for a calendar year: the flow total, or the level at the year's end."""
    return totals.total(unit_id, metric_id, year_period(year))


def all_years(totals: Totals) -> list[int]:
    return sorted({r.period.end.year for r in totals.records})


def as_number(value: Decimal | None) -> int | float | None:
    """A JSON number: integers stay exact integers (money), decimals become floats."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)
