"""The indexes behind the totals: a unit's records of a metric sorted by period, so that what
covers a record, the records within a period and the latest level as of a date are found by
bisection and sweeps instead of scanning every record for every question (which made a province's
200 000 records take minutes); what units reach (`reach_units`); and the `View` that units seeing
the same records share, with the answers (`Answer`) made of them."""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, Inexact, Rounded, localcontext
from operator import attrgetter
from typing import Any, NamedTuple

from ..base.vietnamese import Period
from ..load.records import Record
from ..load.units import UnitRegistry

by_index = attrgetter("index")
MERGING = ("merged_into", "renamed")
ZERO = Decimal(0)
_START_END = attrgetter("start", "end")
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


class Answer(NamedTuple):
    """A total without its unit and dates: what the units of one `View` share."""

    records: tuple[Record, ...]      # in record order
    value: Decimal
    denominator: Decimal | None      # coverage only
    qualifier: str
    sole: str | None                 # the unit that reported every record for all levels, if one did
    end: date | None                 # a level's: the latest end among the records

    @staticmethod
    def sole_of(chosen: Sequence[Record]) -> str | None:
        """The unit that reported every record for all levels, if one did (at least one record)."""
        unit = chosen[0].unit
        return unit if all(r.unit == unit and r.scope == "all" for r in chosen) else None

    @classmethod
    def of(cls, chosen: Sequence[Record], kind: str = "flow", uniform: str | None = None) -> Answer:
        """`chosen`: at least one record, in record order; a level's answer also has its date.
        `uniform`: the sole reporter of a set of records `chosen` is drawn from, if it is known."""
        first = chosen[0]
        sole = uniform if uniform is not None else cls.sole_of(chosen)
        coverage, level = kind == "coverage", kind != "flow"
        if len(chosen) == 1:
            return cls((first,), ZERO + first.value, ZERO + (first.denominator or ZERO) if coverage else None,
                       combine_qualifiers((first.qualifier,)), sole, first.period.end if level else None)
        return cls(tuple(chosen), sum(map(_value, chosen), ZERO),
                   sum((r.denominator or ZERO for r in chosen), ZERO) if coverage else None,
                   combine_qualifiers(set(map(_qualifier, chosen))), sole,
                   max(r.period.end for r in chosen) if level else None)


@dataclass(eq=False)
class View:
    """The records of one metric reaching a unit, and the answers made of them. Units whose reach
    holds the same units with records of the metric (a commune's parents above its only reporting
    office, a province and the country) see the same records, count them alike and share one view:
    only the unit a total names, and whether that unit reported it, differ."""

    metric: str
    units: frozenset[str]
    relevant: list[Record]                      # in record order
    counted: list[Record] | None = None         # what no reported record among `units` covers
    spans: Spans | None = None                  # `counted` by period
    uniform: str | None = None                  # the sole reporter of all of `counted`, if one is
    flows: dict[tuple[date, date], Answer | None] = field(default_factory=dict)
    levels: dict[tuple[date, date], Answer | None] = field(default_factory=dict)   # by (as of, effective day)
    derived: dict[Any, Any] = field(default_factory=dict)   # what pages make of it
    _periods: list[Period] | None = None

    def periods(self) -> list[Period]:
        """The distinct periods of the records, by start and end (of records alike in both, the
        first one's: its kind and text name it)."""
        if self._periods is None:
            seen: dict[tuple[date, date], Period] = {}
            for r in self.relevant:
                seen.setdefault((r.period.start, r.period.end), r.period)
            self._periods = sorted(seen.values(), key=_START_END)
        return self._periods


def _start_key(r: Record) -> tuple[date, int]:
    return r.period.start, r.index


def _end_key(r: Record) -> tuple[date, int]:
    return r.period.end, r.index


@dataclass(frozen=True)
class Reported:
    """One unit's reported `all` records of a flow metric, by start: those that hold a period, and
    those that only partly overlap it."""

    records: list[Record]
    starts: list[date]
    disjoint: bool   # as rule 2 makes them; otherwise (checks not passed) a scan

    @classmethod
    def of(cls, records: Iterable[Record]) -> Reported:
        ordered = sorted(records, key=_start_key)
        disjoint = all(b.period.start > a.period.end for a, b in zip(ordered, ordered[1:]))
        return cls(ordered, [r.period.start for r in ordered], disjoint)

    def overlapping(self, period: Period) -> tuple[Sequence[Record], Sequence[Record]]:
        """(the records whose period holds `period`, those that overlap it only in part), each in
        record order."""
        start, end = period.start, period.end
        if not self.disjoint:
            near = [a for a in self.records if a.period.start <= end and start <= a.period.end]
            near.sort(key=by_index)
            return ([a for a in near if a.period.start <= start and end <= a.period.end],
                    [a for a in near if not (a.period.start <= start and end <= a.period.end)])
        j = bisect_right(self.starts, end) - 1
        if j < 0 or self.records[j].period.end < start:
            return (), ()
        last = self.records[j]
        if last.period.start <= start and end <= last.period.end:
            return (last,), ()
        partial = [last]
        while j > 0 and self.records[j - 1].period.end >= start:
            j -= 1
            partial.append(self.records[j])
        partial.sort(key=by_index)
        return [], partial


@dataclass(eq=False)
class Spans:
    """Records sorted by start: those lying within [lo, hi], in record order. When their ends
    rise with their starts (one unit's records, as a rule), that is a slice."""

    records: list[Record]
    starts: list[date]
    ends: list[date] | None   # None: the ends do not rise with the starts
    order: int                # 1: by start is record order, -1: its reverse, 0: neither
    _tallies: tuple[list[Decimal], dict[str, int], int] | tuple[()] | None = None   # () : none kept

    @classmethod
    def of(cls, records: Iterable[Record]) -> Spans:
        ordered = sorted(records, key=_start_key)
        ends = [r.period.end for r in ordered]
        rising = all(a <= b for a, b in zip(ends, ends[1:]))
        indexes = [r.index for r in ordered]
        order = 1 if all(a < b for a, b in zip(indexes, indexes[1:])) else \
            -1 if all(a > b for a, b in zip(indexes, indexes[1:])) else 0
        return cls(ordered, [r.period.start for r in ordered], ends if rising else None, order)

    def within(self, lo: date, hi: date) -> list[Record]:
        """The records lying within [lo, hi], in record order."""
        first = bisect_left(self.starts, lo)
        if self.ends is not None:
            found = self.records[first:max(first, bisect_right(self.ends, hi))]
        else:
            found = [r for r in self.records[first:bisect_right(self.starts, hi)] if r.period.end <= hi]
        if self.order < 0:
            found.reverse()
        elif not self.order:
            found.sort(key=by_index)
        return found

    def answer(self, lo: date, hi: date, uniform: str | None) -> Answer | None:
        """`Answer.of(self.within(lo, hi))`; a running total (the records from the first on, their
        ends rising) takes its sum, qualifiers and reporter from running tallies, so a unit's
        running totals year by year do not add up its records again each year."""
        chosen = self.within(lo, hi)
        if not chosen:
            return None
        if self.ends is None or lo > self.starts[0] or len(chosen) < 2:
            return Answer.of(chosen, uniform=uniform)
        tally = self._tally()
        if tally is None:
            return Answer.of(chosen, uniform=uniform)
        sums, firsts, same = tally
        k = len(chosen)
        first = self.records[0]
        sole = uniform if uniform is not None else (first.unit if k <= same else None)
        return Answer(tuple(chosen), sums[k], None, combine_qualifiers(q for q, at in firsts.items() if at < k),
                      sole, None)

    def _tally(self) -> tuple[list[Decimal], dict[str, int], int] | None:
        """Running sums of the values by start (None when a value is negative or a sum is not
        exact: then a sum in record order could differ), where each qualifier first comes, and how
        many records from the first are the first's unit's reports for all levels."""
        if self._tallies is None:
            self._tallies = _tally(self.records)
        return self._tallies or None


def _tally(records: list[Record]) -> tuple[list[Decimal], dict[str, int], int] | tuple[()]:
    sums = [ZERO]
    with localcontext() as exact:
        exact.traps[Inexact] = exact.traps[Rounded] = True
        try:
            total = ZERO
            for r in records:
                if r.value < 0:
                    return ()
                total = total + r.value
                sums.append(total)
        except (Inexact, Rounded):
            return ()
    firsts: dict[str, int] = {}
    for at, r in enumerate(records):
        firsts.setdefault(r.qualifier, at)
    unit, same = records[0].unit, 0
    for r in records:
        if r.unit != unit or r.scope != "all":
            break
        same += 1
    return sums, firsts, same


@dataclass(frozen=True)
class Series:
    """One unit's records of a metric and scope, by (end, index): as of a date, the latest one and
    the one that comes first in the records (which orders a level's records), by bisection."""

    records: list[Record]
    ends: list[date]
    first: list[Record]            # first[i]: the smallest index among records[: i + 1]
    second: list[Record | None]    # the second smallest

    @classmethod
    def of(cls, records: Iterable[Record]) -> Series:
        ordered = sorted(records, key=_end_key)
        first: list[Record] = []
        second: list[Record | None] = []
        low: Record | None = None
        next_low: Record | None = None
        for r in ordered:
            if low is None or r.index < low.index:
                low, next_low = r, low
            elif next_low is None or r.index < next_low.index:
                next_low = r
            first.append(low)
            second.append(next_low)
        return cls(ordered, [r.period.end for r in ordered], first, second)

    def as_of(self, day: date, exclude: Record | None) -> tuple[Record, Record] | None:
        """(latest, first) among the records ending by `day`, leaving `exclude` out."""
        upto = bisect_right(self.ends, day)
        if not upto:
            return None
        latest, first = self.records[upto - 1], self.first[upto - 1]
        if exclude is not None:
            if latest is exclude:
                if upto == 1:
                    return None
                latest = self.records[upto - 2]
            if first is exclude:
                following = self.second[upto - 1]
                assert following is not None  # two records at least, or `latest` was the only one
                first = following
        return latest, first


@dataclass
class FlowIndex:
    """What the reported `all` records of the flow metrics say of the others: for each record,
    the reported records that cover it (by the units they reach, sorted by id, then in record
    order); for each reported record, what it alone covers within its unit's reach (rule 6), and
    the records that overlap it only in part (rule 1)."""

    covers: dict[int, tuple[Record, ...]] = field(default_factory=dict)
    sole: dict[int, list[Record]] = field(default_factory=dict)
    partial: dict[str, list[tuple[Record, Record]]] = field(default_factory=dict)
    reported: dict[tuple[str, str], Reported] = field(default_factory=dict)

    def add_metric(self, metric_id: str, group: list[Record], reach: dict[str, frozenset[str]],
                   reached_by: dict[str, tuple[str, ...]]) -> None:
        """Index one flow metric's records (in record order)."""
        by_unit: dict[str, list[Record]] = {}
        for a in group:
            if a.scope == "all":
                by_unit.setdefault(a.unit, []).append(a)
        reported = {u: Reported.of(rs) for u, rs in by_unit.items()}
        self.reported.update(((metric_id, u), rep) for u, rep in reported.items())
        reporters: dict[str, list[Reported]] = {}
        partial: list[tuple[Record, Record]] = []
        for r in group:
            mine = reporters.get(r.unit)
            if mine is None:
                mine = reporters[r.unit] = [reported[u] for u in reached_by[r.unit] if u in reported]
            found: list[Record] = []
            for rep in mine:
                holding, crossing = rep.overlapping(r.period)
                for a in holding:
                    if a is not r and (a.unit != r.unit or r.scope == "own"):
                        found.append(a)
                for a in crossing:
                    if a.unit != r.unit or r.scope == "own":
                        partial.append((a, r))
            if not found:
                continue
            self.covers[r.index] = tuple(found)
            for a in found:
                within = reach[a.unit]
                if all(b is a for b in found if b.unit in within):
                    self.sole.setdefault(a.index, []).append(r)
        if partial:
            partial.sort(key=lambda pair: (pair[0].index, pair[1].index))
            self.partial[metric_id] = partial
