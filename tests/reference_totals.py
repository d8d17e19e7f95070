"""The reference for the totals: site_builder/model/totals.py as it was before the totals were
indexed (commit 09a6154), quadratic but plain; the property tests in test_totals_linear.py check the
indexed code against it. Only `Total` and `ShortfallWarning` come from the package (so that results
compare equal); `summarize` is model/figures.py's of that commit.

Pure functions: records + units + metrics → totals and running totals ("lũy kế").

The rules (issue "Figures and running totals"):
- The records that reach a unit are its own, its descendants', and those of units merged whole
  (`merged_into`, `renamed`) into it, recursively; a `split_into` unit is never divided and
  reaches only its old parents. Each record counts once, however many paths lead to it.
- A reported `all` record covers every other record of its unit's reach whose period lies
  within its own; covered records are not added again. A flow record that only partly overlaps
  a reported `all` period cannot be reconciled and is an error.
- Flows sum over the period; stocks and coverage take, per unit and scope, the latest value as
  of a date, an `all` value standing in for everything under it; a unit that has ended by that
  date adds nothing to the others (its successors report for it).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from site_builder.base.errors import Problems
from site_builder.base.vietnamese import Period, format_number, year_period
from site_builder.load.metrics import Metric, MetricRegistry
from site_builder.load.records import Record
from site_builder.load.units import UnitRegistry
from site_builder.model.charts import bar_chart
from site_builder.model.figures import MetricSummary, RecordRow, YearRow
from site_builder.model.totals import ShortfallWarning, Total

MERGING = ("merged_into", "renamed")
EPOCH = date(1, 1, 1)


def reach_units(units: UnitRegistry) -> dict[str, frozenset[str]]:
    """For every unit, the units whose records reach it (itself included)."""
    edges: dict[str, list[str]] = {u: list(units[u].children) for u in units.units}
    for successor, preds in units.predecessors.items():
        edges[successor].extend(p.id for p in preds if p.relation in MERGING)
    reach: dict[str, frozenset[str]] = {}
    for unit_id in units.units:
        seen = {unit_id}
        stack = [unit_id]
        while stack:
            for nxt in edges[stack.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        reach[unit_id] = frozenset(seen)
    return reach


def combine_qualifiers(qualifiers: Iterable[str]) -> str:
    """The qualifier of a sum: "trên 5" + "3" is "trên 8"; mixed directions become "khoảng"."""
    found = {q for q in qualifiers if q}
    if not found:
        return ""
    if found <= {"trên", "hơn"}:
        return "trên" if "trên" in found else "hơn"
    if found == {"gần"}:
        return "gần"
    return "khoảng"


def _reported_by(unit_id: str, chosen: list[Record]) -> bool:
    """A total is "reported" when it consists only of the unit's own reports for all levels."""
    return all(r.unit == unit_id and r.scope == "all" for r in chosen)


def _stands_over(a: Record, r: Record, reach: dict[str, frozenset[str]]) -> bool:
    """True when `a` (a reported `all` record) speaks for `r`'s unit and scope."""
    return (a is not r and a.scope == "all" and r.unit in reach[a.unit]
            and (a.unit != r.unit or r.scope == "own"))


@dataclass
class Totals:
    """Totals of one site, computed on demand and remembered."""

    units: UnitRegistry
    metrics: MetricRegistry
    records: tuple[Record, ...]
    reach: dict[str, frozenset[str]]
    by_metric: dict[str, list[Record]] = field(default_factory=dict)
    covers: dict[int, list[Record]] = field(default_factory=dict)
    reached_by: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _relevant: dict[tuple[str, str], list[Record]] = field(default_factory=dict)
    _counted: dict[tuple[str, str], list[Record]] = field(default_factory=dict)
    # Pages ask for the same figure many times (a year row, a period row, the year pages).
    _flows: dict[tuple[str, str, date | None, date], Total | None] = field(default_factory=dict)
    _levels: dict[tuple[str, str, date], Total | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Inverse of `reach`: the units a unit's records reach (itself, its parents, its
        # successors by merger...), so covering is looked up, not searched.
        inverse: dict[str, list[str]] = {u: [] for u in self.reach}
        for unit_id, reached in self.reach.items():
            for other in reached:
                inverse[other].append(unit_id)
        self.reached_by = {u: tuple(sorted(v)) for u, v in inverse.items()}
        for record in self.records:
            self.by_metric.setdefault(record.metric, []).append(record)
        for metric_id, group in self.by_metric.items():
            if self.metrics[metric_id].kind != "flow":
                continue
            reported: dict[str, list[Record]] = {}
            for a in group:
                if a.scope == "all":
                    reported.setdefault(a.unit, []).append(a)
            for r in group:
                self.covers[r.index] = [a for u in self.reached_by[r.unit] for a in reported.get(u, ())
                                        if _stands_over(a, r, self.reach) and r.period.within(a.period)]

    def _covered_among(self, r: Record, reported_units: set[str]) -> bool:
        """Whether a reported `all` record of one of `reported_units` speaks for `r`."""
        if r.scope == "own" and r.unit in reported_units:
            return True
        return any(u != r.unit and u in reported_units for u in self.reached_by[r.unit])

    def relevant(self, unit_id: str, metric_id: str) -> list[Record]:
        """Records of a metric that reach a unit."""
        key = (unit_id, metric_id)
        if key not in self._relevant:
            reach = self.reach[unit_id]
            self._relevant[key] = [r for r in self.by_metric.get(metric_id, ()) if r.unit in reach]
        return self._relevant[key]

    def metrics_of(self, unit_id: str) -> list[Metric]:
        """Metrics with at least one record reaching the unit, in metrics.yaml order."""
        return [m for m in self.metrics.metrics.values() if self.relevant(unit_id, m.id)]

    # --- flows --------------------------------------------------------------------------------

    def counted_flows(self, unit_id: str, metric_id: str, exclude: Record | None = None) -> list[Record]:
        """Flow records reaching the unit that no other reaching `all` record covers."""
        key = (unit_id, metric_id)
        if exclude is None and key in self._counted:
            return self._counted[key]
        reach = self.reach[unit_id]
        counted = [r for r in self.relevant(unit_id, metric_id)
                   if r is not exclude
                   and not any(a.unit in reach and a is not exclude for a in self.covers[r.index])]
        if exclude is None:
            self._counted[key] = counted
        return counted

    def flow(self, unit_id: str, metric_id: str, start: date | None, end: date) -> Total | None:
        """The unit's total over [start, end] (start None: since the first record)."""
        key = (unit_id, metric_id, start, end)
        if key not in self._flows:
            self._flows[key] = self._flow(unit_id, metric_id, start, end)
        return self._flows[key]

    def _flow(self, unit_id: str, metric_id: str, start: date | None, end: date) -> Total | None:
        lo = start or EPOCH
        chosen = [r for r in self.counted_flows(unit_id, metric_id) if lo <= r.period.start and r.period.end <= end]
        if not chosen:
            return None
        reported = _reported_by(unit_id, chosen)
        return Total(unit_id, metric_id, start, end, sum((r.value for r in chosen), Decimal(0)), None,
                     "reported" if reported else "computed", tuple(chosen),
                     combine_qualifiers(r.qualifier for r in chosen))

    # --- stocks and coverage ------------------------------------------------------------------

    def level(self, unit_id: str, metric_id: str, as_of: date, exclude: Record | None = None) -> Total | None:
        """The unit's level as of a date: latest value per unit and scope, `all` standing in for its reach."""
        if exclude is not None:
            return self._level(unit_id, metric_id, as_of, exclude)
        key = (unit_id, metric_id, as_of)
        if key not in self._levels:
            self._levels[key] = self._level(unit_id, metric_id, as_of, None)
        return self._levels[key]

    def _level(self, unit_id: str, metric_id: str, as_of: date, exclude: Record | None) -> Total | None:
        latest: dict[tuple[str, str], Record] = {}
        own_end = self.units[unit_id].valid_to
        # A unit that had ended by the date has no level then (its successors report for it);
        # a former unit's own page is seen as of its last day.
        effective = min(as_of, own_end) if own_end else as_of
        for r in self.relevant(unit_id, metric_id):
            if r is exclude or r.period.end > as_of:
                continue
            ended = self.units[r.unit].valid_to
            if ended is not None and ended < effective:
                continue
            known = latest.get((r.unit, r.scope))
            if known is None or (r.period.end, r.index) > (known.period.end, known.index):
                latest[(r.unit, r.scope)] = r
        candidates = list(latest.values())
        reported_units = {a.unit for a in candidates if a.scope == "all"}
        chosen = [r for r in candidates if not self._covered_among(r, reported_units)]
        if not chosen:
            return None
        coverage = self.metrics[metric_id].kind == "coverage"
        denominator = sum((r.denominator or Decimal(0) for r in chosen), Decimal(0)) if coverage else None
        reported = _reported_by(unit_id, chosen)
        return Total(unit_id, metric_id, None, max(r.period.end for r in chosen),
                     sum((r.value for r in chosen), Decimal(0)), denominator,
                     "reported" if reported else "computed", tuple(chosen),
                     combine_qualifiers(r.qualifier for r in chosen))

    # --- what pages show ----------------------------------------------------------------------

    def total(self, unit_id: str, metric_id: str, period: Period) -> Total | None:
        """Flow: the total over the period; stock and coverage: the level as of its end."""
        if self.metrics[metric_id].kind == "flow":
            return self.flow(unit_id, metric_id, period.start, period.end)
        return self.level(unit_id, metric_id, period.end)

    def cumulative(self, unit_id: str, metric_id: str, as_of: date) -> Total | None:
        """Lũy kế: flows since the first record; stock and coverage: the latest level."""
        if self.metrics[metric_id].kind == "flow":
            return self.flow(unit_id, metric_id, None, as_of)
        return self.level(unit_id, metric_id, as_of)

    def year_to_date(self, unit_id: str, metric_id: str, as_of: date) -> Total | None:
        """Lũy kế từ đầu năm (flows only)."""
        return self.flow(unit_id, metric_id, date(as_of.year, 1, 1), as_of)

    def end_dates(self, unit_id: str, metric_id: str) -> list[date]:
        """Every period end among the records reaching the unit: the points of its running total."""
        return sorted({r.period.end for r in self.relevant(unit_id, metric_id)})

    def years(self, unit_id: str, metric_id: str) -> list[int]:
        """Calendar years in which the unit's reach has data (by period end)."""
        return sorted({r.period.end.year for r in self.relevant(unit_id, metric_id)})

    def shortfalls(self) -> list[ShortfallWarning]:
        """Rule 6, for every reported `all` record."""
        found: list[ShortfallWarning] = []
        for record in self.records:
            if record.scope != "all":
                continue
            kind = self.metrics[record.metric].kind
            if kind == "flow":
                below = [r for r in self.counted_flows(record.unit, record.metric, exclude=record)
                         if r.period.within(record.period)]
                if not below:
                    continue
                subtotal = sum((r.value for r in below), Decimal(0))
            else:
                level = self.level(record.unit, record.metric, record.period.end, exclude=record)
                if level is None or not all(r.period.end >= record.period.start for r in level.records):
                    continue
                subtotal = level.value
            if record.value < subtotal:
                found.append(ShortfallWarning(record, subtotal))
        return found


def check_partial_overlaps(totals: Totals, source: Path, problems: Problems) -> None:
    """Rule 1: a flow record in a reported `all` record's reach that only partly overlaps its period."""
    for metric_id, group in totals.by_metric.items():
        if totals.metrics[metric_id].kind != "flow":
            continue
        for a in group:
            if a.scope != "all":
                continue
            for r in totals.relevant(a.unit, metric_id):
                if _stands_over(a, r, totals.reach) and r.period.overlaps(a.period) \
                        and not r.period.within(a.period) and not (r.key == a.key):
                    problems.error(
                        source / r.source.path, r.source.place,
                        f'số liệu "{metric_id}" của "{r.unit}" kỳ {r.period.text} chồng một phần lên số báo cáo các cấp '
                        f'của "{a.unit}" kỳ {a.period.text} ở {a.source.describe()}.',
                        "Hãy ghi số liệu cấp dưới theo kỳ nằm trọn trong kỳ của số báo cáo cấp trên, hoặc tách kỳ báo cáo.")


def build_totals(records: Iterable[Record], units: UnitRegistry, metrics: MetricRegistry,
                 source: Path, problems: Problems) -> tuple[Totals, tuple[ShortfallWarning, ...]]:
    """Index the records, check rule 1, and return rule 6's shortfalls (also reported as warnings)."""
    totals = Totals(units, metrics, tuple(records), reach_units(units))
    check_partial_overlaps(totals, source, problems)
    shortfalls = tuple(totals.shortfalls())
    for warning in shortfalls:
        r = warning.record
        problems.warn(source / r.source.path, r.source.place,
                      f'số báo cáo "{r.metric}" của "{r.unit}" kỳ {r.period.text} ({format_number(r.value)}) nhỏ hơn '
                      f'tổng của các đơn vị cấp dưới ({format_number(warning.subtotal)}).',
                      "Hãy kiểm tra lại số báo cáo hoặc số của các đơn vị cấp dưới.")
    return totals, shortfalls


def _distinct_periods(records: list[Record]) -> list[Period]:
    seen: dict[tuple[date, date], Period] = {}
    for r in records:
        seen.setdefault((r.period.start, r.period.end), r.period)
    return sorted(seen.values(), key=lambda p: (p.start, p.end))


def summarize(totals: Totals, unit_id: str, warnings: list[ShortfallWarning]) -> tuple[MetricSummary, ...]:
    """A summary per metric with data reaching the unit."""
    out: list[MetricSummary] = []
    reach = totals.reach[unit_id]
    for metric in totals.metrics_of(unit_id):
        relevant = totals.relevant(unit_id, metric.id)
        last = max(r.period.end for r in relevant)
        latest = totals.cumulative(unit_id, metric.id, last)
        if latest is None:
            continue
        flow = metric.kind == "flow"
        years = tuple(
            YearRow(y, totals.total(unit_id, metric.id, year_period(y)),
                    totals.cumulative(unit_id, metric.id, date(y, 12, 31)) if flow else None)
            for y in totals.years(unit_id, metric.id)
        )
        periods = []
        for period in _distinct_periods(relevant):
            total = totals.total(unit_id, metric.id, period)
            if total is not None:
                periods.append((period, total))
        points = [(str(row.year), row.total.value) for row in years if row.total is not None]
        rows = []
        for r in sorted(relevant, key=lambda r: (r.period.start, r.period.end, r.index)):
            cover = next((a for a in totals.covers.get(r.index, ()) if a.unit in reach), None) if flow else None
            rows.append(RecordRow(r, cover))
        out.append(MetricSummary(
            unit=unit_id, metric=metric, latest=latest,
            year_to_date=totals.year_to_date(unit_id, metric.id, last) if flow else None,
            years=years, periods=tuple(periods), chart=bar_chart(points), records=tuple(rows),
            warnings=tuple(w for w in warnings if w.record.unit == unit_id and w.record.metric == metric.id),
        ))
    return tuple(out)
