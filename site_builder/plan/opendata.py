"""Open data downloads: every record (CSV, JSON) and the yearly totals (JSON), in a stable format.

Columns and keys are documented in the README; values are numbers (money as exact integers).
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import date

from ..load.content import Item
from ..load.records import Record
from ..load.units import UnitRegistry
from ..model.figures import as_number, year_value
from ..model.site import Site

# A row of the open data: text, exact integers (money), decimals, or null.
_Row = dict[str, str | int | float | None]

RECORD_FIELDS = ("unit", "unit_name", "metric", "metric_label", "period", "start", "end", "value",
                 "denominator", "scope", "qualifier", "source", "note")


def record_source(record: Record, item_url: Callable[[Item], str]) -> str:
    """The site-relative URL of the record's news item, or its data file and line (a
    spreadsheet's sheet and row: "data/a.xlsx:Sheet1:3")."""
    if record.source.item is not None:
        return item_url(record.source.item)
    return record.source.address()


def _record_row(site: Site, record: Record, item_url: Callable[[Item], str]) -> _Row:
    return {
        "unit": record.unit,
        "unit_name": site.units[record.unit].name,
        "metric": record.metric,
        "metric_label": site.metrics[record.metric].label,
        "period": record.period.text,
        "start": record.period.start.isoformat(),
        "end": record.period.end.isoformat(),
        "value": as_number(record.value),
        "denominator": as_number(record.denominator),
        "scope": record.scope,
        "qualifier": record.qualifier,
        "source": record_source(record, item_url),
        "note": record.note,
    }


def _sorted_records(site: Site) -> list[Record]:
    return sorted(site.records, key=lambda r: (r.unit, r.metric, r.period.start, r.period.end, r.scope, r.index))


def records_csv(site: Site, item_url: Callable[[Item], str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=RECORD_FIELDS, lineterminator="\n")
    writer.writeheader()
    for record in _sorted_records(site):
        row = _record_row(site, record, item_url)
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return buffer.getvalue().encode("utf-8")


def _json(data: object) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False) + "\n").encode("utf-8")


def records_json(site: Site, item_url: Callable[[Item], str]) -> bytes:
    return _json({"records": [_record_row(site, r, item_url) for r in _sorted_records(site)]})


def _tree_order(units: UnitRegistry) -> list[str]:
    out: list[str] = []
    for root in units.roots:
        out.extend(units.subtree(root))
    return out


def totals_json(site: Site) -> bytes:
    """A row per unit, metric and calendar year in which the unit's reach has data."""
    totals = site.totals
    rows: list[_Row] = []
    for unit_id in _tree_order(site.units):
        for metric in totals.metrics_of(unit_id):
            flow = metric.kind == "flow"
            for year in totals.years(unit_id, metric.id):
                # A flow record spanning several years lies within none of them: the year's value
                # is then null, and the record still counts in the running total.
                total = year_value(totals, unit_id, metric.id, year)
                cumulative = totals.cumulative(unit_id, metric.id, date(year, 12, 31)) if flow else None
                rows.append({
                    "unit": unit_id,
                    "metric": metric.id,
                    "year": year,
                    "value": as_number(total.value) if total else None,
                    "denominator": as_number(total.denominator) if total else None,
                    "cumulative": as_number(cumulative.value) if cumulative else None,
                    "basis": total.basis if total else "computed",
                })
    return _json({"totals": rows})
