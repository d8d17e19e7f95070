"""Pure functions: records + units + metrics → totals and running totals ("lũy kế").

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
from operator import attrgetter
from pathlib import Path
from typing import Any

from ..base.errors import Problems
from ..base.vietnamese import Period, format_number
from ..load.metrics import Metric, MetricRegistry
from ..load.records import Record
from ..load.units import UnitRegistry
from .totals_index import FlowIndex, Series, Spans, by_index

MERGING = ("merged_into", "renamed")
EPOCH = date(1, 1, 1)
_value, _qualifier = attrgetter("value"), attrgetter("qualifier")


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


@dataclass(frozen=True, slots=True)
class Total:
    """A unit's figure for a metric: over a period (flow) or as of a date (stock, coverage)."""

    unit: str
    metric: str
    start: date | None
    end: date
    value: Decimal
    denominator: Decimal | None
    basis: str                       # "reported" | "computed"
    records: tuple[Record, ...]      # the records added up
    qualifier: str = ""


@dataclass(frozen=True)
class ShortfallWarning:
    """Rule 6: a reported `all` figure smaller than what its subtree adds up to."""

    record: Record
    subtotal: Decimal


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


_unit, _scope = attrgetter("unit"), attrgetter("scope")


def _reported_by(unit_id: str, chosen: list[Record]) -> bool:
    """A total is "reported" when it consists only of the unit's own reports for all levels."""
    return set(map(_unit, chosen)) <= {unit_id} and set(map(_scope, chosen)) <= {"all"}


@dataclass
class Totals:
    """Totals of one site, computed on demand and remembered. The records are indexed per metric
    and unit by period (`totals_index`), so a question costs about what its answer holds; the
    records are those `load_records` makes, `records[i].index == i`."""

    units: UnitRegistry
    metrics: MetricRegistry
    records: tuple[Record, ...]
    reach: dict[str, frozenset[str]]
    by_metric: dict[str, list[Record]] = field(default_factory=dict)
    reached_by: dict[str, tuple[str, ...]] = field(default_factory=dict)
    above: dict[str, frozenset[str]] = field(default_factory=dict)   # reached_by, the unit left out
    by_unit: dict[str, dict[str, list[Record]]] = field(default_factory=dict)
    flows: FlowIndex = field(default_factory=FlowIndex)
    series: dict[tuple[str, str], tuple[Series, ...]] = field(default_factory=dict)
    _relevant: dict[tuple[str, str], list[Record]] = field(default_factory=dict)
    _counted: dict[tuple[str, str], list[Record]] = field(default_factory=dict)
    _spans: dict[tuple[str, str], Spans] = field(default_factory=dict)
    _sources: dict[tuple[str, str], list[tuple[str, tuple[Series, ...]]]] = field(default_factory=dict)
    # What pages make of the totals and share between units (`figures.RecordRow`s by record and
    # cover): hundreds of thousands of small objects otherwise, which the collector walks again and again.
    shared: dict[tuple[int, int], Any] = field(default_factory=dict)
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
        self.above = {u: frozenset(v) - {u} for u, v in inverse.items()}
        for record in self.records:
            self.by_metric.setdefault(record.metric, []).append(record)
            self.by_unit.setdefault(record.metric, {}).setdefault(record.unit, []).append(record)
        for metric_id, group in self.by_metric.items():
            if self.metrics[metric_id].kind == "flow":
                self.flows.add_metric(metric_id, group, self.reach, self.reached_by)
            else:
                by_key: dict[tuple[str, str], list[Record]] = {}
                for r in group:
                    by_key.setdefault((r.unit, r.scope), []).append(r)
                for (unit_id, _scope), rs in by_key.items():
                    self.series[(metric_id, unit_id)] = (*self.series.get((metric_id, unit_id), ()), Series.of(rs))

    @property
    def covers(self) -> dict[int, tuple[Record, ...]]:
        """For a flow record, the reported `all` records that speak for it and hold its period: by
        the units they reach (sorted by id), then in record order. Absent: none."""
        return self.flows.covers

    def relevant(self, unit_id: str, metric_id: str) -> list[Record]:
        """Records of a metric that reach a unit, in record order."""
        key = (unit_id, metric_id)
        found = self._relevant.get(key)
        if found is None:
            mine = self.by_unit.get(metric_id, {})
            found = [r for u in self.reach[unit_id] for r in mine.get(u, ())]
            found.sort(key=by_index)
            self._relevant[key] = found
        return found

    def metrics_of(self, unit_id: str) -> list[Metric]:
        """Metrics with at least one record reaching the unit, in metrics.yaml order."""
        return [m for m in self.metrics.metrics.values() if self.relevant(unit_id, m.id)]

    # --- flows --------------------------------------------------------------------------------

    def counted_flows(self, unit_id: str, metric_id: str, exclude: Record | None = None) -> list[Record]:
        """Flow records reaching the unit that no other reaching `all` record covers."""
        key = (unit_id, metric_id)
        if exclude is None and key in self._counted:
            return self._counted[key]
        reach, covers = self.reach[unit_id], self.flows.covers
        counted = []
        for r in self.relevant(unit_id, metric_id):
            if r is exclude:
                continue
            for a in covers.get(r.index, ()):
                if a.unit in reach and a is not exclude:
                    break
            else:
                counted.append(r)
        if exclude is None:
            self._counted[key] = counted
        return counted

    def counted_within(self, unit_id: str, metric_id: str, lo: date, hi: date) -> list[Record]:
        """The counted flow records of the unit lying within [lo, hi], in record order."""
        key = (unit_id, metric_id)
        spans = self._spans.get(key)
        if spans is None:
            spans = self._spans[key] = Spans.of(self.counted_flows(unit_id, metric_id))
        return spans.within(lo, hi)

    def flow(self, unit_id: str, metric_id: str, start: date | None, end: date) -> Total | None:
        """The unit's total over [start, end] (start None: since the first record)."""
        key = (unit_id, metric_id, start, end)
        if key not in self._flows:
            self._flows[key] = self._flow(unit_id, metric_id, start, end)
        return self._flows[key]

    def _flow(self, unit_id: str, metric_id: str, start: date | None, end: date) -> Total | None:
        chosen = self.counted_within(unit_id, metric_id, start or EPOCH, end)
        if not chosen:
            return None
        reported = _reported_by(unit_id, chosen)
        return Total(unit_id, metric_id, start, end, sum(map(_value, chosen), Decimal(0)), None,
                     "reported" if reported else "computed", tuple(chosen),
                     combine_qualifiers(set(map(_qualifier, chosen))))

    # --- stocks and coverage ------------------------------------------------------------------

    def level(self, unit_id: str, metric_id: str, as_of: date, exclude: Record | None = None) -> Total | None:
        """The unit's level as of a date: latest value per unit and scope, `all` standing in for its reach."""
        if exclude is not None:
            return self._level(unit_id, metric_id, as_of, exclude)
        key = (unit_id, metric_id, as_of)
        if key not in self._levels:
            self._levels[key] = self._level(unit_id, metric_id, as_of, None)
        return self._levels[key]

    def _level_sources(self, unit_id: str, metric_id: str) -> list[tuple[str, tuple[Series, ...]]]:
        """The units in the unit's reach with records of the metric, and their series by scope."""
        key = (unit_id, metric_id)
        found = self._sources.get(key)
        if found is None:
            found = self._sources[key] = [(u, self.series[(metric_id, u)]) for u in self.reach[unit_id]
                                          if (metric_id, u) in self.series]
        return found

    def _level(self, unit_id: str, metric_id: str, as_of: date, exclude: Record | None) -> Total | None:
        own_end = self.units[unit_id].valid_to
        # A unit that had ended by the date has no level then (its successors report for it);
        # a former unit's own page is seen as of its last day.
        effective = min(as_of, own_end) if own_end else as_of
        # the latest record per unit and scope, in the order the first of each comes in the records
        found: list[tuple[int, Record]] = []
        for u, series in self._level_sources(unit_id, metric_id):
            ended = self.units[u].valid_to
            if ended is not None and ended < effective:
                continue
            for one in series:
                got = one.as_of(as_of, exclude)
                if got is not None:
                    found.append((got[1].index, got[0]))
        found.sort(key=lambda pair: pair[0])
        candidates = [r for _, r in found]
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

    def _covered_among(self, r: Record, reported_units: set[str]) -> bool:
        """Whether a reported `all` record of one of `reported_units` speaks for `r`."""
        if r.scope == "own" and r.unit in reported_units:
            return True
        return not reported_units.isdisjoint(self.above[r.unit])

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
        return shortfalls(self)


def shortfalls(totals: Totals) -> list[ShortfallWarning]:
    """Rule 6, for every reported `all` record."""
    found: list[ShortfallWarning] = []
    for record in totals.records:
        if record.scope != "all":
            continue
        kind = totals.metrics[record.metric].kind
        if kind == "flow":
            # what the unit counts within the period without this record: what only this record
            # covers, and what nothing covers (only records of this unit and scope, which rule 2
            # keeps apart from this one; so only when the checks were not passed)
            below = list(totals.flows.sole.get(record.index, ()))
            if not totals.flows.reported[(record.metric, record.unit)].disjoint:
                period = record.period
                below.extend(r for r in totals.counted_within(record.unit, record.metric, period.start, period.end)
                             if r is not record)
            if not below:
                continue
            below.sort(key=by_index)
            subtotal = sum((r.value for r in below), Decimal(0))
        else:
            level = totals.level(record.unit, record.metric, record.period.end, exclude=record)
            if level is None or not all(r.period.end >= record.period.start for r in level.records):
                continue
            subtotal = level.value
        if record.value < subtotal:
            found.append(ShortfallWarning(record, subtotal))
    return found


def check_partial_overlaps(totals: Totals, source: Path, problems: Problems) -> None:
    """Rule 1: a flow record in a reported `all` record's reach that only partly overlaps its period
    (found while indexing, `FlowIndex.partial`)."""
    for metric_id in totals.by_metric:
        for a, r in totals.flows.partial.get(metric_id, ()):
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
