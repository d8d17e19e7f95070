"""Activity records from data files (CSV, YAML) and from news items' `figures:`, one meaning.

Each record carries its source (file and line, and the item if it came from one). The checks
that need only the records themselves live here: unit validity and double counting.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..base.errors import Problems
from ..base.vietnamese import ParseError, Period, clean_text, format_date_vi, format_number, parse_number, parse_period
from .content import Item
from .metrics import Metric, MetricRegistry, metric_hint
from .sources import find_files, read_text
from .units import FIRST_YEAR, LAST_YEAR, UnitRegistry, successor_hint, unit_hint
from .yamlload import LineDict, LineList, load_yaml_file, torn_values

_CSV_REASONS = {  # what Python's csv module says, in the editor's words
    "line contains nul": "dòng có ký tự NUL (thường do tệp không phải CSV văn bản)",
    "field larger than field limit": "một ô dài quá giới hạn (thường do thiếu dấu ngoặc kép đóng)",
    "unexpected end of data": "dấu ngoặc kép mở mà không đóng",
    "new-line character seen in unquoted field": "ký tự xuống dòng nằm ngoài ngoặc kép",
}


def _csv_reason(exc: csv.Error) -> str:
    """The csv module's complaint in Vietnamese; one it has no words for is said generally."""
    text = str(exc).lower()
    return next((said for known, said in _CSV_REASONS.items() if known in text), "không đúng định dạng CSV")

REQUIRED_COLUMNS = ("unit", "metric", "period", "value")
OPTIONAL_COLUMNS = ("denominator", "scope", "qualifier", "source", "note")
SCOPES = ("all", "own")
QUALIFIERS = ("trên", "hơn", "gần", "khoảng")


@dataclass(frozen=True)
class SourceRef:
    """Where a record was written: a data file and line, or a news item (and its line)."""

    path: str
    line: int
    item: Item | None = None
    label: str = ""

    def describe(self) -> str:
        return f"{self.path}:{self.line}"


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
class _RecordReader:
    """Turns raw mappings (CSV rows, YAML entries, figures) into checked records."""

    source: Path
    units: UnitRegistry
    metrics: MetricRegistry
    problems: Problems
    records: list[Record]

    def read(self, raw: Mapping[str, Any], path: Path, line: int, ref: SourceRef,
             default_unit: str | None = None, texts: Mapping[str, str] | None = None,
             lines: Mapping[str, int] | None = None) -> None:
        texts = texts or {}
        lines = lines or {}
        before = len(self.problems.errors)

        def at(key: str) -> int:
            return lines.get(key, line)

        def text(key: str) -> str:
            value = raw.get(key)
            if isinstance(value, (dict, list)):
                self.problems.error(path, at(key), f'"{key}" phải là một giá trị, không phải danh sách hay nhóm mục.',
                                    f'Hãy viết {key}: "..." trên một dòng.')
                return ""
            value = texts.get(key, value)
            return "" if value is None else clean_text(str(value))

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
        value = self._number(text("value"), path, at("value"), "value")
        metric = self.metrics.metrics.get(metric_id)
        if text("denominator"):
            denominator = self._number(text("denominator"), path, at("denominator"), "denominator")
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

    def _check_year(self, period: Period, path: Path, line: int) -> None:
        """A period outside the years a bulletin can report (a slip such as 1020 or 2202)."""
        for day in (period.start, period.end):
            if not FIRST_YEAR <= day.year <= LAST_YEAR:
                self.problems.error(path, line, f'kỳ báo cáo "{period.text}" có năm {day.year}, ngoài khoảng {FIRST_YEAR}–{LAST_YEAR}.',
                                    "Hãy kiểm tra lại năm của kỳ báo cáo.")
                return

    def _check_possible(self, metric: Metric, value: Decimal | None, denominator: Decimal | None,
                        path: Path, at: Callable[[str], int]) -> None:
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

    def _number(self, raw: str, path: Path, line: int, key: str) -> Decimal | None:
        if not raw:
            self.problems.error(path, line, f'số liệu thiếu "{key}".', 'Hãy ghi số, ví dụ "1.030".')
            return None
        try:
            return parse_number(raw)
        except ParseError as exc:
            self.problems.error(path, line, exc.message, exc.hint)
            return None


def _rel(path: Path, source: Path) -> str:
    return path.relative_to(source).as_posix()


def _read_csv(reader: _RecordReader, path: Path) -> None:
    src = read_text(path, reader.problems)
    if src is None:
        return
    delimiter = _delimiter(src.text)
    rows = csv.reader(io.StringIO(src.text), delimiter=delimiter)
    try:
        header = next(rows)
    except StopIteration:
        return
    except csv.Error as exc:
        reader.problems.error(path, 1, f"tệp CSV không đọc được ({_csv_reason(exc)}).", "Hãy lưu lại tệp dạng CSV UTF-8.")
        return
    columns = [clean_text(c).lower() for c in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        sep = {",": ",", ";": ";", "\t": " (dấu tab) "}[delimiter]
        reader.problems.error(path, 1, f"dòng tiêu đề thiếu cột {', '.join(missing)}.",
                              f"Dòng đầu tiên phải là: {sep.join(REQUIRED_COLUMNS)} (có thể thêm "
                              f"{sep.join(OPTIONAL_COLUMNS)}); các cột cách nhau bằng dấu \"{delimiter.replace(chr(9), 'tab')}\".")
        return
    for column in columns:
        if column not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS:
            reader.problems.warn(path, 1, f'cột "{column}" không được dùng.', "Hãy kiểm tra chính tả tên cột.")
    while True:
        line = rows.line_num + 1
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as exc:
            reader.problems.error(path, rows.line_num, f"dòng CSV không đọc được ({_csv_reason(exc)}).",
                                  "Hãy kiểm tra dấu ngoặc kép trong dòng này.")
            break
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(columns):
            reader.problems.error(path, line, f"dòng có {len(row)} cột, tiêu đề có {len(columns)} cột.",
                                  "Giá trị có dấu phẩy (ví dụ 16,4 tỷ) phải đặt trong ngoặc kép: \"16,4 tỷ\".")
            continue
        raw = dict(zip(columns, row))
        ref = SourceRef(_rel(path, reader.source), line, None, raw.get("source", ""))
        reader.read(raw, path, line, ref)


def _delimiter(text: str) -> str:
    """The character between a CSV file's columns: "," as the README asks, or ";" (what Excel
    writes under a Vietnamese locale, where the comma is the decimal mark) or a tab: the one
    whose header names the most required columns (a tie keeps ",")."""
    header = text.split("\n", 1)[0]

    def named(candidate: str) -> int:
        columns = {clean_text(c).strip('"').lower() for c in header.split(candidate)}
        return sum(c in columns for c in REQUIRED_COLUMNS)

    return max((",", ";", "\t"), key=named)


def _read_yaml(reader: _RecordReader, path: Path) -> None:
    data = load_yaml_file(path, reader.problems, LineList,
                          'tệp số liệu YAML phải là danh sách (mỗi số liệu bắt đầu bằng "- unit: ...").')
    if data is None:
        return
    for index, entry in enumerate(data):
        if not isinstance(entry, LineDict):
            reader.problems.error(path, data.line_of(index), "mỗi số liệu phải gồm unit, metric, period, value.")
            continue
        if not _keys_as_written(reader, path, entry, REQUIRED_COLUMNS + OPTIONAL_COLUMNS):
            continue
        ref = SourceRef(_rel(path, reader.source), entry.line, None, clean_text(str(entry.get("source") or "")))
        reader.read(entry, path, entry.line, ref, texts=entry.raw, lines=entry.lines)


def _keys_as_written(reader: _RecordReader, path: Path, entry: LineDict, allowed: Iterable[str]) -> bool:
    """False (with an error at its line) when YAML cut a value at a comma or a key is unknown:
    either way the record would not say what the editor wrote."""
    ok = True
    stray: set[str] = set()
    for torn in torn_values(entry):
        message, hint = torn.message()
        reader.problems.error(path, torn.line, message, hint)
        stray.update(torn.stray_keys)
        ok = False
    for key in entry:
        if key not in allowed and key not in stray:
            typed = entry.key_raw.get(key, key)
            reader.problems.error(path, entry.line_of(key), f'mục "{typed}" không được dùng trong số liệu.',
                                  "Hãy dùng các mục " + ", ".join(allowed) + "; kiểm tra chính tả tên mục.")
            ok = False
    return ok


def _read_figures(reader: _RecordReader, item: Item) -> None:
    figures = item.figures
    if figures is None:
        return
    line = item.line_of("figures")
    if not isinstance(figures, LineList):
        reader.problems.error(item.source, line, '"figures" phải là danh sách số liệu.',
                              'Ví dụ: figures: [{metric: cuoc-giam-sat, period: "2020-H1", value: "298"}]')
        return
    allowed = ("unit", "metric", "period", "value", "denominator", "scope", "qualifier", "note")
    for index, entry in enumerate(figures):
        if not isinstance(entry, LineDict):
            reader.problems.error(item.source, figures.line_of(index), "mỗi số liệu phải gồm metric, period, value.")
            continue
        if not _keys_as_written(reader, item.source, entry, allowed):
            continue
        ref = SourceRef(item.rel, entry.line, item)
        reader.read(entry, item.source, entry.line, ref, default_unit=item.units[0] if len(item.units) == 1 else None,
                    texts=entry.raw, lines=entry.lines)


def load_records(source: Path, items: Iterable[Item], units: UnitRegistry, metrics: MetricRegistry,
                 problems: Problems) -> tuple[Record, ...]:
    """Every record of the site, checked one by one and against each other."""
    reader = _RecordReader(source, units, metrics, problems, [])
    for path in find_files(source / "data", (".csv", ".yaml", ".yml")):
        (_read_csv if path.suffix.lower() == ".csv" else _read_yaml)(reader, path)
    for item in sorted(items, key=lambda i: i.rel):
        _read_figures(reader, item)
    records = tuple(reader.records)
    _check_validity(records, units, source, problems)
    _check_double_counting(records, metrics, source, problems)
    return records


def _check_validity(records: tuple[Record, ...], units: UnitRegistry, source: Path, problems: Problems) -> None:
    """Rule 3: a record falls within its unit's validity."""
    for record in records:
        unit = units[record.unit]
        if (unit.valid_from and record.period.start < unit.valid_from) or (unit.valid_to and record.period.end > unit.valid_to):
            span = (f"từ {format_date_vi(unit.valid_from)} " if unit.valid_from else "") + \
                   (f"đến {format_date_vi(unit.valid_to)}" if unit.valid_to else "")
            after = unit.valid_to is not None and record.period.end > unit.valid_to
            problems.error(source / record.source.path, record.source.line,
                           f'kỳ {record.period.text} nằm ngoài thời gian hiệu lực của "{unit.id}" ({span.strip()}).',
                           successor_hint(unit, units) if after and unit.successors else
                           "Hãy ghi số liệu cho đơn vị đang hoạt động trong kỳ đó (đơn vị cũ hoặc đơn vị kế thừa).")


def _check_double_counting(records: tuple[Record, ...], metrics: MetricRegistry, source: Path, problems: Problems) -> None:
    """Rule 2: two flows of one unit, metric and scope over overlapping periods; two stocks for one date."""
    by_key: dict[tuple[str, str, str], list[Record]] = {}
    for record in records:
        by_key.setdefault(record.key, []).append(record)
    for group in by_key.values():
        kind = metrics[group[0].metric].kind
        group.sort(key=lambda r: (r.period.start, r.period.end, r.index))
        for i, first in enumerate(group):
            for second in group[i + 1:]:
                if kind == "flow":
                    if second.period.start > first.period.end:
                        break
                    if not first.period.overlaps(second.period):
                        continue
                    message = (f'số liệu "{first.metric}" của "{first.unit}" kỳ {second.period.text} trùng thời gian '
                               f'với kỳ {first.period.text} ở {first.source.describe()} (tính hai lần).')
                else:
                    if first.period.end != second.period.end:
                        continue
                    message = (f'hai số liệu "{first.metric}" của "{first.unit}" cùng tại ngày {format_date_vi(first.period.end)} '
                               f'(đã có ở {first.source.describe()}).')
                problems.error(source / second.source.path, second.source.line, message,
                               "Hãy giữ một số liệu, hoặc chia kỳ báo cáo cho không chồng lên nhau.")
