"""Activity records from data files (CSV, YAML, Excel's .xlsx) and from news items' `figures:`,
one meaning: each file kind gives its rows to `record_rows.RecordReader`, the one row logic.

Each record carries its source (file and line, a spreadsheet's sheet and row, or the item it came
from). The checks that need only the records themselves live here: unit validity and double counting.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

from ..base.errors import Cell, Problems
from ..base.vietnamese import clean_text, format_date_vi
from .content import Item
from .metrics import MetricRegistry
from .record_rows import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, Record, RecordReader, SourceRef, check_header
from .sources import find_files, read_text
from .units import UnitRegistry, successor_hint
from .xlsx import CellProblem, Sheet, cell_number, cell_period, cell_text, read_workbook
from .yamlload import LineDict, LineList, load_yaml_file, torn_values

__all__ = ["Record", "SourceRef", "data_files", "load_records"]

DATA_SUFFIXES = (".csv", ".yaml", ".yml", ".xlsx")
# Spreadsheets of other kinds a keeper may save into data/: named as errors, never silently left out.
OTHER_SPREADSHEETS = {".xls": "Excel cũ (.xls)", ".xlsm": "Excel có macro (.xlsm)", ".xlsb": "Excel nhị phân (.xlsb)",
                      ".ods": "LibreOffice (.ods)", ".numbers": "Numbers (.numbers)"}

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


def _rel(path: Path, source: Path) -> str:
    """A data file's path as records cite it: relative to the sources, with "/"."""
    return path.relative_to(source).as_posix()


def data_files(source: Path) -> list[Path]:
    """The site's data files (CSV, YAML, .xlsx under `data/`), in a stable order. Excel's lock
    files ("~$giam-sat.xlsx", there while the file is open in Excel) are not data: skipped."""
    return [p for p in find_files(source / "data", DATA_SUFFIXES) if not p.name.startswith("~$")]


def _read_xlsx(reader: RecordReader, path: Path) -> None:
    """Every sheet of a workbook whose first row names record columns, a record per non-empty
    row, each problem at its cell. A workbook none of whose sheets has such a header is an error
    (a sheet of notes beside the data is fine)."""
    sheets = read_workbook(path, reader.problems)
    if sheets is None:
        return
    found = False
    for sheet in sheets:
        header = {column: clean_text(str(raw.value)).lower() for column, raw in sheet.rows.get(1, {}).items()}
        if not any(name in REQUIRED_COLUMNS + OPTIONAL_COLUMNS for name in header.values()):
            continue
        found = True
        if check_header(reader.problems, path, Cell(sheet.name, 1), [header[c] for c in sorted(header)], ", ",
                        "; mỗi tên cột một ô, ở dòng 1 của trang tính"):
            _read_sheet(reader, path, sheet, header)
    if not found and any(sheet.rows for sheet in sheets):
        reader.problems.error(path, None, "không trang tính nào có dòng tiêu đề số liệu ở dòng 1.",
                              f"Dòng 1 của trang tính chứa số liệu phải là: {', '.join(REQUIRED_COLUMNS)} (có thể thêm "
                              f"{', '.join(OPTIONAL_COLUMNS)}); mỗi tên cột một ô.")


def _read_sheet(reader: RecordReader, path: Path, sheet: Sheet, header: dict[int, str]) -> None:
    """The rows of one sheet under its header: each cell read exactly (`xlsx.cell_*`), then the
    row logic every data file shares. A row with a cell that cannot be read is not read further."""
    rel = _rel(path, reader.source)
    named = {column: name for column, name in header.items() if name in REQUIRED_COLUMNS + OPTIONAL_COLUMNS}
    stray_told = False
    for row_number in sorted(sheet.rows):
        cells = sheet.rows[row_number]
        if row_number == 1:
            continue
        stray = [column for column in cells if column not in header]
        if stray and not stray_told:
            stray_told = True
            reader.problems.warn(path, Cell(sheet.name, row_number, stray[0]),
                                 "ô nằm ở cột không có tên ở dòng tiêu đề; giá trị của cột này bị bỏ qua.",
                                 "Hãy ghi tên cột ở dòng 1, hoặc xóa giá trị này.")
        if not any(column in named for column in cells):
            continue
        raw: dict[str, str | Decimal] = {}
        places: dict[str, int | Cell] = {name: Cell(sheet.name, row_number, column) for column, name in named.items()}
        readable = True
        for column, name in named.items():
            if column not in cells:
                continue
            try:
                raw[name] = (cell_number(cells[column]) if name in ("value", "denominator") else
                             cell_period(cells[column]) if name == "period" else cell_text(cells[column]))
            except CellProblem as problem:
                reader.problems.error(path, places[name], problem.message, problem.hint)
                readable = False
        if readable:
            ref = SourceRef(rel, row_number, None, clean_text(str(raw.get("source", ""))), sheet.name)
            reader.read(raw, path, Cell(sheet.name, row_number), ref, lines=places)


def _read_csv(reader: RecordReader, path: Path) -> None:
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
    sep = {",": ",", ";": ";", "\t": " (dấu tab) "}[delimiter]
    if not check_header(reader.problems, path, 1, columns, sep,
                        f"; các cột cách nhau bằng dấu \"{delimiter.replace(chr(9), 'tab')}\""):
        return
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


def _read_yaml(reader: RecordReader, path: Path) -> None:
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


def _keys_as_written(reader: RecordReader, path: Path, entry: LineDict, allowed: Iterable[str]) -> bool:
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


def _read_figures(reader: RecordReader, item: Item) -> None:
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
    reader = RecordReader(source, units, metrics, problems, [])
    readers = {".csv": _read_csv, ".xlsx": _read_xlsx}
    for path in data_files(source):
        readers.get(path.suffix.lower(), _read_yaml)(reader, path)
    for path in find_files(source / "data", tuple(OTHER_SPREADSHEETS)):
        if not path.name.startswith("~$"):
            problems.error(path, None, f"bảng tính dạng {OTHER_SPREADSHEETS[path.suffix.lower()]} không đọc được; "
                           "số liệu trong tệp này chưa lên trang.",
                           'Hãy mở tệp và lưu lại dạng "Sổ làm việc Excel (.xlsx)" (hoặc CSV UTF-8), rồi xóa tệp cũ.')
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
            problems.error(source / record.source.path, record.source.place,
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
                problems.error(source / second.source.path, second.source.place, message,
                               "Hãy giữ một số liệu, hoặc chia kỳ báo cáo cho không chồng lên nhau.")
