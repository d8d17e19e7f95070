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
from pathlib import Path
from typing import Any

from ..base.collector import collector_paused
from ..base.errors import Problems
from ..base.vietnamese import Period, format_number
from ..load.metrics import Metric, MetricRegistry
from ..load.records import Record
from ..load.units import UnitRegistry
from .totals_index import MERGING, Answer, FlowIndex, Series, Spans, View, by_index, combine_qualifiers, reach_units

EPOCH = date(1, 1, 1)
_UNKNOWN = object()
__all__ = ["EPOCH", "MERGING", "ShortfallWarning", "Total", "Totals", "build_totals", "check_partial_overlaps",
           "combine_qualifiers", "reach_units", "shortfalls"]


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

    def ends_in(self, year: int) -> bool:
        """Whether a record behind the figure ends within the year (pages link to that year's records)."""
        return any(r.period.end.year == year for r in self.records)


_UNIT, _METRIC, _START, _END, _VALUE, _DENOMINATOR, _BASIS, _RECORDS, _QUALIFIER = (
    getattr(Total, name).__set__ for name in
    ("unit", "metric", "start", "end", "value", "denominator", "basis", "records", "qualifier"))


def _total(a: Answer, unit: str, metric: str, start: date | None, end: date | None) -> Total:
    """The unit's `Total` of an answer (`end` None: the answer's, a level's date), made in half the
    time `Total(...)` takes: pages ask for hundreds of thousands of totals, and a frozen dataclass
    sets each field through `object.__setattr__`."""
    made = object.__new__(Total)
    _UNIT(made, unit)
    _METRIC(made, metric)
    _START(made, start)
    _END(made, a.end if end is None else end)
    _VALUE(made, a.value)
    _DENOMINATOR(made, a.denominator)
    _BASIS(made, "reported" if a.sole == unit else "computed")
    _RECORDS(made, a.records)
    _QUALIFIER(made, a.qualifier)
    return made


@dataclass(frozen=True)
class ShortfallWarning:
    """Rule 6: a reported `all` figure smaller than what its subtree adds up to."""

    record: Record
    subtotal: Decimal


@dataclass
class Totals:
    """Totals of one site, computed on demand and remembered. The records are indexed per metric
    and unit by period (`totals_index`), so a question costs about what its answer holds, and
    units that see the same records share a `View` and its answers; the records are those
    `load_records` makes, `records[i].index == i`."""

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
    # What pages make of the totals and share between units (`figures.RecordRow`s by record, and
    # cover if any): hundreds of thousands of small objects otherwise, which the collector walks again and again.
    shared: dict[int | tuple[int, int], Any] = field(default_factory=dict)
    derived: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)   # what pages make of all records
    # what questions made (views are kept by identity: totals of equal records compare equal without them)
    _views: dict[tuple[str, str], View] = field(default_factory=dict, compare=False, repr=False)
    _alike: dict[tuple[str, frozenset[str]], View] = field(default_factory=dict, compare=False, repr=False)

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

    def view(self, unit_id: str, metric_id: str) -> View:
        """The records of a metric that reach a unit, shared with every unit whose reach holds the
        same units with records of it (a reported record that covers others is one of those)."""
        key = (unit_id, metric_id)
        found = self._views.get(key)
        if found is None:
            mine = self.by_unit.get(metric_id, {})
            reach = self.reach[unit_id]
            units = frozenset(mine.keys() & reach) if len(mine) < len(reach) else frozenset(u for u in reach if u in mine)
            found = self._alike.get((metric_id, units))
            if found is None:
                relevant = [r for u in units for r in mine[u]]
                relevant.sort(key=by_index)
                found = self._alike[(metric_id, units)] = View(metric_id, units, relevant)
            self._views[key] = found
        return found

    def relevant(self, unit_id: str, metric_id: str) -> list[Record]:
        """Records of a metric that reach a unit, in record order (shared: not to be changed)."""
        return self.view(unit_id, metric_id).relevant

    def metrics_of(self, unit_id: str) -> list[Metric]:
        """Metrics with at least one record reaching the unit, in metrics.yaml order."""
        return [m for m in self.metrics.metrics.values() if self.relevant(unit_id, m.id)]

    # --- flows --------------------------------------------------------------------------------

    def counted_flows(self, unit_id: str, metric_id: str, exclude: Record | None = None) -> list[Record]:
        """Flow records reaching the unit that no other reaching `all` record covers."""
        view = self.view(unit_id, metric_id)
        if exclude is None and view.counted is not None:
            return view.counted
        units, covers = view.units, self.flows.covers
        counted = []
        for r in view.relevant:
            if r is exclude:
                continue
            for a in covers.get(r.index, ()):
                if a.unit in units and a is not exclude:
                    break
            else:
                counted.append(r)
        if exclude is None:
            view.counted = counted
        return counted

    def counted_within(self, unit_id: str, metric_id: str, lo: date, hi: date) -> list[Record]:
        """The counted flow records of the unit lying within [lo, hi], in record order."""
        view = self.view(unit_id, metric_id)
        if view.spans is None:
            counted = self.counted_flows(unit_id, metric_id)
            view.spans = Spans.of(counted)
            view.uniform = Answer.sole_of(counted) if counted else None
        return view.spans.within(lo, hi)

    def flow(self, unit_id: str, metric_id: str, start: date | None, end: date) -> Total | None:
        """The unit's total over [start, end] (start None: since the first record)."""
        found = self._flow(unit_id, metric_id, start or EPOCH, end)
        return None if found is None else _total(found, unit_id, metric_id, start, end)

    def _flow(self, unit_id: str, metric_id: str, lo: date, hi: date) -> Answer | None:
        view = self.view(unit_id, metric_id)
        found = view.flows.get((lo, hi), _UNKNOWN)
        if found is _UNKNOWN:
            self.counted_within(unit_id, metric_id, EPOCH, EPOCH)  # the spans made
            assert view.spans is not None
            found = view.flows[(lo, hi)] = view.spans.answer(lo, hi, view.uniform)
        return found  # type: ignore[return-value]

    # --- stocks and coverage ------------------------------------------------------------------

    def level(self, unit_id: str, metric_id: str, as_of: date, exclude: Record | None = None) -> Total | None:
        """The unit's level as of a date: latest value per unit and scope, `all` standing in for its reach."""
        found = self._level(unit_id, metric_id, as_of, exclude)
        return None if found is None else _total(found, unit_id, metric_id, None, None)

    def _level(self, unit_id: str, metric_id: str, as_of: date, exclude: Record | None = None) -> Answer | None:
        own_end = self.units[unit_id].valid_to
        # A unit that had ended by the date has no level then (its successors report for it);
        # a former unit's own page is seen as of its last day.
        effective = min(as_of, own_end) if own_end else as_of
        view = self.view(unit_id, metric_id)
        if exclude is not None:
            return _level(self, view, as_of, effective, exclude)
        found = view.levels.get((as_of, effective), _UNKNOWN)
        if found is _UNKNOWN:
            found = view.levels[(as_of, effective)] = _level(self, view, as_of, effective, None)
        return found  # type: ignore[return-value]

    # --- what pages show ----------------------------------------------------------------------

    def period_totals(self, unit_id: str, metric_id: str) -> list[tuple[Period, Total]]:
        """`total` for every distinct period of the records reaching the unit, by start and end,
        periods without one left out: a page's table by reported period, made in one pass (its
        answers once for the units that share the view)."""
        flow = self.metrics[metric_id].kind == "flow"
        answers = _period_answers(self, unit_id, metric_id, flow)
        if flow:
            return [(p, _total(a, unit_id, metric_id, p.start, p.end)) for p, a in answers]
        return [(p, _total(a, unit_id, metric_id, None, None)) for p, a in answers]

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
        view = self.view(unit_id, metric_id)
        found = view.derived.get("years")
        if found is None:
            found = view.derived["years"] = sorted({r.period.end.year for r in view.relevant})
        return list(found)

    def shortfalls(self) -> list[ShortfallWarning]:
        """Rule 6, for every reported `all` record."""
        return shortfalls(self)


def _period_answers(totals: Totals, unit_id: str, metric_id: str, flow: bool) -> list[tuple[Period, Answer]]:
    """The answers behind `Totals.period_totals`, kept in the view (for levels, by the unit's end)."""
    view = totals.view(unit_id, metric_id)
    own_end = None if flow else totals.units[unit_id].valid_to
    key = ("periods", own_end)
    answers: list[tuple[Period, Answer]] | None = view.derived.get(key)
    if answers is not None:
        return answers
    answers = []
    if flow:
        totals.counted_within(unit_id, metric_id, EPOCH, EPOCH)  # the spans made
        spans, memo, uniform = view.spans, view.flows, view.uniform
        assert spans is not None
        for period in view.periods():
            found = memo.get((period.start, period.end), _UNKNOWN)
            if found is _UNKNOWN:
                found = memo[(period.start, period.end)] = spans.answer(period.start, period.end, uniform)
            if found is not None:
                answers.append((period, found))  # type: ignore[arg-type]
    else:
        memo = view.levels
        for period in view.periods():
            as_of = period.end
            effective = min(as_of, own_end) if own_end else as_of
            found = memo.get((as_of, effective), _UNKNOWN)
            if found is _UNKNOWN:
                found = memo[(as_of, effective)] = _level(totals, view, as_of, effective, None)
            if found is not None:
                answers.append((period, found))  # type: ignore[arg-type]
    view.derived[key] = answers
    return answers


def _level(totals: Totals, view: View, as_of: date, effective: date, exclude: Record | None) -> Answer | None:
    """The latest record per unit and scope of the view as of a date, those of units ended before
    `effective` left out, `all` records standing in for what they reach."""
    sources: list[tuple[date | None, tuple[Series, ...]]] | None = view.derived.get("sources")
    if sources is None:
        sources = view.derived["sources"] = [(totals.units[u].valid_to, totals.series[(view.metric, u)])
                                             for u in view.units]
    found: list[tuple[int, Record]] = []
    for ended, series in sources:
        if ended is not None and ended < effective:
            continue
        for one in series:
            got = one.as_of(as_of, exclude)
            if got is not None:
                found.append((got[1].index, got[0]))
    if len(found) < 2:  # a record alone: nothing of the view stands in for it
        return Answer.of((found[0][1],), totals.metrics[view.metric].kind) if found else None
    found.sort()  # by the first index of each series: one series, one first record
    candidates = [r for _, r in found]
    reported = {a.unit for a in candidates if a.scope == "all"}
    above = totals.above
    # a reported `all` record of a unit above `r` speaks for it, and of its own unit for its own office
    chosen = [r for r in candidates if reported.isdisjoint(above[r.unit]) and not (r.scope == "own" and r.unit in reported)]
    return Answer.of(chosen, totals.metrics[view.metric].kind) if chosen else None


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
            level = totals._level(record.unit, record.metric, record.period.end, exclude=record)
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
    with collector_paused():  # the indexes: a few objects per record, kept as long as the site
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
