"""One record's row logic, whatever file it came from: a CSV or spreadsheet row, a YAML entry or
a news item's figure, as a mapping of its columns to text, becomes a checked `Record` or errors at
the cell or line of each column (`base.errors.Place`). Also the header rule every table shares.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..base.errors import Cell, Place, Problems
from ..base.vietnamese import ParseError, Period, clean_text, format_number, parse_number, parse_period
from .content import Item
from .metrics import Metric, MetricRegistry, metric_hint
from .units import FIRST_YEAR, LAST_YEAR, UnitRegistry, unit_hint

REQUIRED_COLUMNS = ("unit", "metric", "period", "value")
OPTIONAL_COLUMNS = ("denominator", "scope", "qualifier", "source", "note")
SCOPES = ("all", "own")
QUALIFIERS = ("trên", "hơn", "gần", "khoảng")


@dataclass(frozen=True)
class SourceRef:
    """Where a record was written: a data file and line (a spreadsheet's sheet and row), or a
    news item (and its line)."""

    path: str
    line: int
    item: Item | None = None
    label: str = ""
    sheet: str = ""

    @property
    def place(self) -> int | Cell:
        """The record's place in its file, for a problem: its line, or its spreadsheet row."""
        return Cell(self.sheet, self.line) if self.sheet else self.line

    def describe(self) -> str:
        """The record's file and place as a message names them: "data/a.csv:3",
        "data/a.xlsx (trang tính Sheet1, dòng 3)"."""
        return f"{self.path} ({self.place})" if self.sheet else f"{self.path}:{self.line}"

    def address(self) -> str:
        """The record's place in the open data: "data/a.csv:3", or "data/a.xlsx:Sheet1:3" (Excel
        allows no ":" in a sheet's name)."""
        return f"{self.path}:{self.sheet}:{self.line}" if self.sheet else f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Record:
    """One figure: a value of a metric for a unit over a period, and where it came from."""

    index: int
    unit: str
    metric: str
    period: Period
    value: Decimal
    denominator: Decimal | None
    scope: str
    qualifier: str
    note: str
    source: SourceRef

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.unit, self.metric, self.scope)


@dataclass
class RecordReader:
    """Turns raw mappings (CSV and spreadsheet rows, YAML entries, figures) into checked records;
    each problem is at the place (line or cell) of its column, as `lines` gives it."""

    source: Path
    units: UnitRegistry
    metrics: MetricRegistry
    problems: Problems
    records: list[Record]

    def read(self, raw: Mapping[str, Any], path: Path, line: int | Cell, ref: SourceRef,
             default_unit: str | None = None, texts: Mapping[str, str] | None = None,
             lines: Mapping[str, int | Cell] | None = None) -> None:
        """Check one record's columns and keep it when all are right; `line` is its place, and
        `lines` the place of each column where it differs (a YAML key's line, a row's cell)."""
        texts = texts or {}
        lines = lines or {}
        before = len(self.problems.errors)

        def at(key: str) -> int | Cell:
            return lines.get(key, line)

        def text(key: str) -> str:
            value = raw.get(key)
            if isinstance(value, (dict, list)):
                self.problems.error(path, at(key), f'"{key}" phải là một giá trị, không phải danh sách hay nhóm mục.',
                                    f'Hãy viết {key}: "..." trên một dòng.')
                return ""
            value = texts.get(key, value)
            return "" if value is None else clean_text(str(value))

        def number(key: str) -> str | Decimal:
            """A number column: a spreadsheet's number cell as its exact value, else its text."""
            value = raw.get(key)
            return value if isinstance(value, Decimal) else text(key)

        unit = text("unit") or (default_unit or "")
        metric_id = text("metric")
        if not unit:
            self.problems.error(path, at("unit"), "số liệu thiếu đơn vị (unit).", "Hãy ghi mã đơn vị có trong units.yaml.")
        elif unit not in self.units:
            self.problems.error(path, at("unit"), f'không có đơn vị "{unit}" trong units.yaml.', unit_hint(unit, self.units))
        if not metric_id:
            self.problems.error(path, at("metric"), "số liệu thiếu chỉ tiêu (metric).", "Hãy ghi mã chỉ tiêu có trong metrics.yaml.")
        elif metric_id not in self.metrics:
            self.problems.error(path, at("metric"), f'không có chỉ tiêu "{metric_id}" trong metrics.yaml.',
                                metric_hint(metric_id, self.metrics))
        period = value = denominator = None
        try:
            period = parse_period(text("period")) if text("period") else None
            if period is None:
                self.problems.error(path, at("period"), "số liệu thiếu kỳ báo cáo (period).",
                                    'Hãy ghi kỳ báo cáo, ví dụ "2020-H1".')
            else:
                self._check_year(period, path, at("period"))
        except ParseError as exc:
            self.problems.error(path, at("period"), exc.message, exc.hint)
        value = self._number(number("value"), path, at("value"), "value")
        metric = self.metrics.metrics.get(metric_id)
        if number("denominator") != "":
            denominator = self._number(number("denominator"), path, at("denominator"), "denominator")
            if metric is not None and metric.kind != "coverage":
                self.problems.error(path, at("denominator"), f'chỉ tiêu "{metric_id}" không có mẫu số.',
                                    "Chỉ chỉ tiêu loại coverage (ví dụ 17/17 xã) mới ghi denominator; hãy xóa mẫu số.")
        elif metric is not None and metric.kind == "coverage":
            self.problems.error(path, at("value"), f'chỉ tiêu "{metric_id}" cần mẫu số (denominator).',
                                'Ví dụ: value "17", denominator "17" cho "17/17 xã".')
        if metric is not None:
            self._check_possible(metric, value, denominator, path, at)
        scope = text("scope") or "all"
        if scope not in SCOPES:
            self.problems.error(path, at("scope"), f'phạm vi "{scope}" không hợp lệ.',
                                'Hãy dùng "all" (các cấp, mặc định) hoặc "own" (riêng cấp này).')
        qualifier = text("qualifier").lower()
        if qualifier and qualifier not in QUALIFIERS:
            self.problems.error(path, at("qualifier"), f'từ định lượng "{qualifier}" không hợp lệ.',
                                'Hãy dùng "trên", "hơn", "gần" hoặc "khoảng", hoặc bỏ trống.')
        if len(self.problems.errors) > before or period is None or value is None:
            return
        self.records.append(Record(
            index=len(self.records), unit=unit, metric=metric_id, period=period, value=value,
            denominator=denominator, scope=scope, qualifier=qualifier, note=text("note"), source=ref,
        ))

    def _check_year(self, period: Period, path: Path, line: Place) -> None:
        """A period outside the years a bulletin can report (a slip such as 1020 or 2202)."""
        for day in (period.start, period.end):
            if not FIRST_YEAR <= day.year <= LAST_YEAR:
                self.problems.error(path, line, f'kỳ báo cáo "{period.text}" có năm {day.year}, ngoài khoảng {FIRST_YEAR}–{LAST_YEAR}.',
                                    "Hãy kiểm tra lại năm của kỳ báo cáo.")
                return

    def _check_possible(self, metric: Metric, value: Decimal | None, denominator: Decimal | None,
                        path: Path, at: Callable[[str], int | Cell]) -> None:
        """Figures that cannot be: negative counts or money, a share of nothing or more than the
        whole, fractions of things counted whole."""
        for key, number in (("value", value), ("denominator", denominator)):
            if number is None:
                continue
            shown = format_number(number)
            if number < 0:
                self.problems.error(path, at(key), f'số liệu "{metric.id}" không thể âm ({shown} {metric.unit}).',
                                    "Hãy ghi số lớn hơn hoặc bằng 0; số giảm đi thì khai báo một chỉ tiêu riêng.")
            elif number != number.to_integral_value() and metric.format != "decimal":
                if metric.format == "money":
                    self.problems.error(path, at(key), f"số tiền {shown} đồng không phải số nguyên.",
                                        'Số tiền tính bằng đồng, không có phần lẻ; ví dụ "16,4 tỷ" là 16.400.000.000 đồng.')
                else:
                    self.problems.error(path, at(key), f'số {shown} {metric.unit} của "{metric.id}" không phải số nguyên.',
                                        f'Chỉ tiêu này đếm từng {metric.unit}; hãy ghi số nguyên, hoặc khai báo format: decimal trong metrics.yaml nếu số lẻ là đúng.')
        if denominator is not None and metric.kind == "coverage":
            if denominator == 0:
                self.problems.error(path, at("denominator"), f'mẫu số của "{metric.id}" bằng 0.',
                                    'Mẫu số là tổng số (ví dụ 17 trong "17/17 xã"), phải lớn hơn 0.')
            elif value is not None and value > denominator:
                self.problems.error(path, at("value"),
                                    f'tử số {format_number(value)} lớn hơn mẫu số {format_number(denominator)} ở "{metric.id}".',
                                    'Tử số là số đã đạt, không vượt tổng số; ví dụ value "15", denominator "17" cho "15/17 xã".')

    def _number(self, raw: str | Decimal, path: Path, line: Place, key: str) -> Decimal | None:
        """The number written in a column (a number cell's value as it is), or None with an
        error at its place."""
        if isinstance(raw, Decimal):
            return raw
        if not raw:
            self.problems.error(path, line, f'số liệu thiếu "{key}".', 'Hãy ghi số, ví dụ "1.030".')
            return None
        try:
            return parse_number(raw)
        except ParseError as exc:
            self.problems.error(path, line, exc.message, exc.hint)
            return None



def check_header(problems: Problems, path: Path, place: Place, columns: Sequence[str], sep: str, how: str) -> bool:
    """A table's header row, the same rule for CSV and spreadsheets: False (with an error at
    `place`) when a required column is missing; a column of no use is a warning. `sep` joins the
    column names in the hint, and `how` ends it (how columns are separated in this kind of file)."""
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        problems.error(path, place, f"dòng tiêu đề thiếu cột {', '.join(missing)}.",
                       f"Dòng đầu tiên phải là: {sep.join(REQUIRED_COLUMNS)} (có thể thêm "
                       f"{sep.join(OPTIONAL_COLUMNS)}){how}.")
        return False
    for column in columns:
        if column and column not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS:
            problems.warn(path, place, f'cột "{column}" không được dùng.', "Hãy kiểm tra chính tả tên cột.")
    return True
