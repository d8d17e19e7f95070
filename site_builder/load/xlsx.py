"""Spreadsheets (.xlsx) as a data keeper saves them, read with openpyxl (never parsed by hand).

`read_workbook` gives each sheet's non-empty rows as typed cells (`Raw`), or None with one
Vietnamese error naming the file and what to do when the file cannot be read as a workbook: not a
zip (a CSV or an old .xls renamed, a password-protected file), damaged, too big, unreadable.
`cell_text` and `cell_number` turn one cell into what the record's row logic reads, exactly:
number cells keep their value (298.0 is 298; 16.4 stays 16.4 for the row logic to judge), text
cells are the text typed (parsed later as CSV text is), a date cell is a day; booleans, Excel's
errors (#DIV/0!) and formulas without a saved result are errors at their cell.
"""
from __future__ import annotations

import io
import math
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from ..base.errors import Problems
from ..base.oserrors import reason
from ..base.vietnamese import format_date_vi
from .legacy import find_legacy_lines

MAX_XLSX_BYTES = 20 * 1024 * 1024  # as for text sources
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # what the zip unpacks to: a damaged or hostile file stops here
MAX_ROWS = 100_000  # non-empty rows per workbook: far more than a bulletin's figures
MAX_COLUMNS = 64  # cells read per row; columns further right are not looked at
_CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE file: an encrypted .xlsx or an old .xls


@dataclass(frozen=True)
class Raw:
    """One non-empty cell as the workbook holds it: `kind` is "text", "number", "bool", "date",
    "time", "error" (Excel's #DIV/0! and the like), "formula" (while reading) or "uncalculated" (a
    formula, `value` its text, whose result the file does not hold); `shown` is the cell's number format."""

    kind: str
    value: str | int | float | bool | datetime | date | time | timedelta
    shown: str = "General"


@dataclass
class Sheet:
    """A sheet's name and its non-empty rows: row number → column number (1 is A) → cell."""

    name: str
    rows: dict[int, dict[int, Raw]] = field(default_factory=dict)


class _Refused(Exception):
    """The file is not a workbook we can read: the error's message and hint."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


def read_workbook(path: Path, problems: Problems) -> list[Sheet] | None:
    """Every worksheet of the .xlsx at `path`, in the workbook's order; None (with an error naming
    the file and what to do) when it cannot be read."""
    try:
        size = path.stat().st_size
        if size > MAX_XLSX_BYTES:
            raise _Refused(f"tệp quá lớn ({size // (1024 * 1024)} MB).", "Hãy chia số liệu ra nhiều tệp (tối đa 20 MB mỗi tệp).")
        data = path.read_bytes()
        _check_container(data)
        return _read_sheets(data)
    except OSError as exc:
        problems.error(path, None, f"không đọc được tệp ({reason(exc)}).",
                       "Hãy kiểm tra tệp còn tồn tại, không bị Excel khóa, và cho phép đọc (với người dùng chạy site-builder).")
    except _Refused as refused:
        problems.error(path, None, refused.message, refused.hint)
    return None


def _check_container(data: bytes) -> None:
    """Refuse what is not an .xlsx's zip, saying what it is likely to be, and a zip too big unpacked."""
    resave = 'Hãy mở tệp trong Excel và lưu lại dạng "Sổ làm việc Excel (.xlsx)".'
    if data.startswith(_CFB):
        raise _Refused("tệp được đặt mật khẩu, hoặc là tệp Excel cũ (.xls) đổi tên thành .xlsx.",
                       "Hãy mở tệp trong Excel, bỏ mật khẩu (Tệp → Thông tin → Bảo vệ sổ làm việc → Mã hóa bằng mật khẩu) "
                       "và lưu lại dạng \"Sổ làm việc Excel (.xlsx)\"; số liệu công khai không cần mật khẩu.")
    if not data.startswith(b"PK"):
        head = data[:2048]
        if head and b"\0" not in head and (b"," in head or b";" in head or b"\t" in head):
            raise _Refused("tệp có đuôi .xlsx nhưng là tệp văn bản (có lẽ là CSV).",
                           "Nếu là CSV, hãy đổi đuôi tệp thành .csv; nếu không, " + resave[0].lower() + resave[1:])
        raise _Refused("tệp có đuôi .xlsx nhưng không phải tệp Excel.", resave)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise _Refused("tệp Excel bị hỏng hoặc chưa chép hết (không mở được).",
                       "Hãy chép lại tệp, hoặc mở trong Excel và lưu lại dạng .xlsx.") from exc
    if unpacked > MAX_UNPACKED_BYTES:
        raise _Refused(f"tệp Excel quá lớn khi giải nén ({unpacked // (1024 * 1024)} MB).",
                       "Hãy chỉ giữ số liệu trong tệp (xóa hình ảnh, trang tính không dùng) hoặc chia ra nhiều tệp.")


def _read_sheets(data: bytes) -> list[Sheet]:
    """The worksheets' cells. openpyxl gives either a cell's formula or its saved result, so a
    file with formulas is read twice. A formula with no result is empty text or was never
    calculated, which openpyxl does not tell apart: when no formula of the file has a result, the
    file was written by a program that does not calculate, and each formula is refused at its
    cell ("uncalculated"); otherwise the file was calculated and such a formula's result is empty."""
    sheets, formulas = _pass(data, data_only=False)
    if not formulas:
        return sheets
    results, _ = _pass(data, data_only=True, wanted=set(formulas))
    calculated = any(sheet.rows for sheet in results)
    for index, sheet in enumerate(sheets):
        for (number, row_number, column), formula in formulas.items():
            if number != index:
                continue
            row = sheet.rows[row_number]
            result = results[index].rows.get(row_number, {}).get(column)
            if result is not None:
                row[column] = result
            elif calculated:
                del row[column]
            else:
                row[column] = Raw("uncalculated", formula)
            if not row:
                del sheet.rows[row_number]
    return sheets


_Where = tuple[int, int, int]  # (sheet's index, row, column)


def _pass(data: bytes, data_only: bool, wanted: set[_Where] | None = None) -> tuple[list[Sheet], dict[_Where, str]]:
    """One read of the workbook: its sheets, and (without `data_only`) each formula's text by
    place. With `wanted`, only those cells are kept (the results of the formulas)."""
    import openpyxl  # here, not at the top: 0.2 s that every command would pay, most with no workbook

    formulas: dict[_Where, str] = {}
    sheets: list[Sheet] = []
    count = 0
    try:
        with warnings.catch_warnings():  # openpyxl warns of features it skips (data validation…); the data is read
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
            try:
                for index, worksheet in enumerate(book.worksheets):
                    sheet = Sheet(worksheet.title)
                    sheets.append(sheet)
                    for cells in worksheet.iter_rows(max_col=MAX_COLUMNS):
                        row: dict[int, Raw] = {}
                        row_number = 0
                        for cell in cells:
                            raw = _raw(cell.value, cell.data_type, getattr(cell, "number_format", "General"))
                            if raw is None:
                                continue
                            row_number, column = int(getattr(cell, "row")), int(getattr(cell, "column"))
                            if wanted is not None and (index, row_number, column) not in wanted:
                                continue
                            if raw.kind == "formula":
                                formulas[(index, row_number, column)] = str(raw.value)
                            row[column] = raw
                        if row:
                            count += 1
                            if count > MAX_ROWS:
                                raise _Refused(f"tệp có hơn {MAX_ROWS:,} dòng số liệu.".replace(",", "."),
                                               "Hãy chia số liệu ra nhiều tệp, hoặc xóa các dòng không phải số liệu.")
                            sheet.rows[row_number] = row
            finally:
                book.close()
    except _Refused:
        raise
    except Exception as exc:  # openpyxl raises what its parts raise on a damaged file: KeyError, XML errors…
        raise _Refused("tệp Excel bị hỏng hoặc không đúng định dạng .xlsx (không đọc được nội dung).",
                       'Hãy mở tệp trong Excel và lưu lại dạng "Sổ làm việc Excel (.xlsx)".') from exc
    return sheets, formulas


def _raw(value: object, data_type: str, shown: str) -> Raw | None:
    """A cell as openpyxl gives it, typed; None for an empty cell (or one of only spaces)."""
    if value is None:
        return None
    if data_type == "f":
        return Raw("formula", str(value))
    if data_type == "e":
        return Raw("error", str(value))
    if isinstance(value, bool):
        return Raw("bool", value)
    if isinstance(value, (int, float)):
        return Raw("number", value, shown)
    if isinstance(value, (datetime, date, time, timedelta)):
        return Raw("date" if isinstance(value, (datetime, date)) else "time", value, shown)
    text = str(value)
    return Raw("text", text) if text.strip() else None


class CellProblem(Exception):
    """A cell the row logic cannot read: what is wrong and what to do."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


def cell_number(raw: Raw) -> Decimal | str:
    """A `value` or `denominator` cell: a number cell as its exact number (Excel keeps 15
    significant digits, so 0.30000000000000004 is the 0.3 it shows), a text cell as its text
    for the CSV parser; raises `CellProblem` for anything else."""
    if raw.kind == "number":
        number = raw.value
        assert isinstance(number, (int, float))
        if isinstance(number, int):
            return Decimal(number)
        if not math.isfinite(number):
            raise CellProblem("ô không chứa số hợp lệ.", "Hãy gõ lại số trong ô này.")
        exact = Decimal(format(number, ".15g"))
        return Decimal(int(exact)) if exact == exact.to_integral_value() else exact.normalize()
    if raw.kind == "date":
        assert isinstance(raw.value, (datetime, date))
        raise CellProblem(f"ô là ngày {_day(raw.value)}, không phải số.",
                          "Excel đã đổi số gõ vào thành ngày; hãy định dạng ô là Number (Số) rồi gõ lại số.")
    return cell_text(raw)


def cell_period(raw: Raw) -> str:
    """A `period` cell: a date cell is that day ("2020-08-21"), unless Excel shows it without
    its day (a month typed as "2020-08" turned into 1 August) or with a time: then it is refused,
    not guessed. Other cells as `cell_text`."""
    if raw.kind == "date":
        value = raw.value
        assert isinstance(value, (datetime, date))
        typed = 'Hãy định dạng ô là Text (Văn bản) rồi gõ lại kỳ báo cáo, ví dụ "2020-08" (tháng) hoặc "2020-08-21" (ngày).'
        if isinstance(value, datetime) and value.time() != time(0, 0):
            raise CellProblem(f"ô ghi cả ngày và giờ ({_day(value)} {value:%H:%M}), kỳ báo cáo chỉ có ngày.", typed)
        if "d" not in re.sub(r'"[^"]*"|\[[^\]]*\]', "", raw.shown.lower()):
            raise CellProblem(f'ô là ngày {_day(value)} nhưng hiển thị dạng "{raw.shown}": không rõ là tháng hay ngày.',
                              "Excel đã đổi chữ gõ vào thành ngày. " + typed)
        return (value.date() if isinstance(value, datetime) else value).isoformat()
    return cell_text(raw)


def cell_text(raw: Raw) -> str:
    """A cell as text: the text typed; a number as the CSV would write it (298, 16,4); a date as
    "21/08/2020". Raises `CellProblem` for a boolean, an Excel error, a formula without a result,
    and text typed with a legacy Vietnamese font (as `sources.read_text` does for a CSV's lines)."""
    if raw.kind == "text":
        text = str(raw.value)
        for hit in find_legacy_lines(text)[:1]:  # pasted from a Word file typed with a TCVN3 or VNI font
            raise CellProblem(f'ô gõ bằng bảng mã {hit.encoding} cũ: "{hit.original.strip()[:80]}".',
                              f'Hãy sửa thành "{hit.converted.strip()[:80]}".')
        return text
    if raw.kind == "number":
        number = cell_number(raw)
        assert isinstance(number, Decimal)
        return format(number, "f").replace(".", ",")
    if raw.kind == "date":
        assert isinstance(raw.value, (datetime, date))
        return _day(raw.value)
    if raw.kind == "bool":
        shown = "TRUE" if raw.value else "FALSE"
        raise CellProblem(f"ô có giá trị đúng/sai ({shown}), không phải số liệu.",
                          "Hãy gõ lại ô này; nếu cần đúng chữ đó, định dạng ô là Text (Văn bản).")
    if raw.kind == "error":
        raise CellProblem(f"ô báo lỗi {raw.value} của Excel.",
                          "Hãy sửa công thức của ô này trong Excel (ví dụ phép chia cho 0), lưu lại rồi xây dựng lại.")
    if raw.kind == "uncalculated":
        raise CellProblem(f"ô có công thức {raw.value} nhưng tệp chưa lưu kết quả tính.",
                          "Tệp do một chương trình không tính công thức tạo ra; hãy mở tệp trong Excel (hoặc "
                          "LibreOffice Calc), lưu lại rồi xây dựng lại.")
    raise CellProblem("ô là giờ hay khoảng thời gian, không phải số liệu.",
                      "Hãy định dạng ô là Text (Văn bản) hoặc Number (Số) rồi gõ lại.")


def _day(value: datetime | date) -> str:
    """A day as the site writes it: "21/08/2020"."""
    return format_date_vi(value.date() if isinstance(value, datetime) else value)

