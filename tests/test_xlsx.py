"""Issue 14: data keepers' spreadsheets (.xlsx) as they are. A workbook gives the same records as
the same rows in CSV; number cells are read exactly, text cells as CSV text; every problem names
the file, the sheet and the cell; a file that is no workbook is one error, never a traceback."""
from __future__ import annotations

import io
import json
import re
import tempfile
import textwrap
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from conftest import make_site, news_item
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import html

from site_builder.base.errors import Cell, Problems, SourceError
from site_builder.base.vietnamese import format_number, parse_number
from site_builder.cli.main import main
from site_builder.load import xlsx
from site_builder.load.xlsx import Raw, cell_number, read_workbook

METRICS_YAML = textwrap.dedent("""\
    - id: cuoc-giam-sat
      label: Cuộc giám sát
      unit: cuộc
      kind: flow
    - id: tien-ung-ho
      label: Tiền ủng hộ
      unit: đồng
      kind: flow
      format: money
    - id: thanh-vien
      label: Thành viên
      unit: người
      kind: stock
    - id: xa-co-khoi
      label: Xã có cơ quan Khối
      unit: xã
      kind: coverage
    - id: dien-tich
      label: Diện tích trồng cây
      unit: ha
      kind: flow
      format: decimal
    """)
HEADER = ["unit", "metric", "period", "value", "denominator", "scope", "qualifier", "source", "note"]
# A printed problem: `path:line: Lỗi: …`, `path: Sheet1!C12: Lỗi: …` or `path: trang tính …, dòng 1: Lỗi: …`.
PROBLEM = re.compile(r"^(?P<path>content/[^:\n]+?)(?::(?P<line>\d+)|: (?P<cell>[^\n]+?))?: (?P<level>Lỗi|Cảnh báo): "
                     r"(?P<msg>.*)\n(?:    (?P<hint>.*))?", re.M)

Row = list[object]


def workbook(*sheets: tuple[str, list[Row]]) -> bytes:
    """An .xlsx with the given sheets (name, rows written from A1 on), as openpyxl saves it."""
    book = openpyxl.Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for name, rows in sheets:
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def records_book(*rows: Row, header: Row = HEADER) -> bytes:
    """One sheet "Sheet1" with the header row and the rows."""
    return workbook(("Sheet1", [header, *rows]))


def patched(data: bytes, old: str, new: str, member: str = "xl/worksheets/sheet1.xml") -> bytes:
    """The workbook with `old` replaced by `new` in one of its XML parts: what Excel writes and
    openpyxl does not (a float "298.0", a formula's saved result)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == member:
                assert old.encode() in body, body
                body = body.replace(old.encode(), new.encode())
            dst.writestr(info, body)
    return out.getvalue()


def site(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    """A small site (conftest's units) with the metrics above and the given data files."""
    return make_site(tmp_path, news={"news/2024/a.md": news_item()}, files={"metrics.yaml": METRICS_YAML, **files})


def run(command: str, source: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """`site-builder build|check` in-process: (exit code, stderr); a traceback fails the test."""
    capsys.readouterr()
    args = [command, "--source", str(source)]
    if command == "build":
        args += ["--output", str(source.parent / "output")]
    code = main(args)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def problems_of(err: str) -> list[dict[str, str | None]]:
    """Every printed problem: path, line, cell, level, message, hint."""
    return [{k: m[k] for k in ("path", "line", "cell", "level", "msg", "hint")} for m in PROBLEM.finditer(err)]


def refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str | bytes]) -> list[dict[str, str | None]]:
    """Build and check: both fail with the same errors, nothing is written; the errors."""
    source = site(tmp_path, files)
    code, err = run("build", source, capsys)
    assert code == 1, err
    assert not (source.parent / "output").exists()
    check_code, check_err = run("check", source, capsys)
    assert check_code == 1
    errors = [p for p in problems_of(err) if p["level"] == "Lỗi"]
    assert errors and errors == [p for p in problems_of(check_err) if p["level"] == "Lỗi"]
    return errors


# --- the same records as CSV -------------------------------------------------------------------------

CSV_ROWS = [
    ["xa-c", "cuoc-giam-sat", "2021", "1.030", "", "", "", "Báo cáo năm 2021", ""],
    ["huyen-b", "tien-ung-ho", "2021-H1", "16,4 tỷ", "", "all", "trên", "", "Ủng hộ, quyên góp"],
    ["tinh-a", "xa-co-khoi", "2021-Q3", "3", "4", "own", "", "", ""],
    ["xa-c", "thanh-vien", "2021-08-21", "298", "", "", "gần", "", ""],
    ["xa-c", "dien-tich", "2021", "2,5", "", "", "", "", ""],
]
# The same rows as a keeper's sheet: numbers as number cells, a day as a date cell, an empty line between.
XLSX_ROWS: list[Row] = [
    ["xa-c", "cuoc-giam-sat", 2021, 1030, None, None, None, "Báo cáo năm 2021"],
    [],
    ["huyen-b", "tien-ung-ho", "2021-H1", "16,4 tỷ", None, "all", "trên", None, "Ủng hộ, quyên góp"],
    ["tinh-a", "xa-co-khoi", "2021-Q3", 3, 4, "own"],
    ["xa-c", "thanh-vien", datetime(2021, 8, 21), 298.0, None, None, "gần"],
    ["xa-c", "dien-tich", "2021", 2.5],
]


def csv_text(rows: list[list[str]]) -> str:
    """The rows as a CSV file, values with a comma quoted."""
    quote = lambda v: f'"{v}"' if "," in v else v  # noqa: E731
    return "\n".join(",".join(quote(v) for v in row) for row in [HEADER, *rows]) + "\n"


def built(tmp_path: Path, name: str, files: dict[str, str | bytes], capsys: pytest.CaptureFixture[str]) -> Path:
    """The site with `files` built into tmp_path/name/output, cleanly."""
    source = site(tmp_path / name, files)
    code, err = run("build", source, capsys)
    assert code == 0, err
    assert "Cảnh báo" not in err, err
    return source.parent / "output"


def test_a_workbook_gives_the_records_and_totals_of_the_same_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from_csv = built(tmp_path, "csv", {"data/a.csv": csv_text(CSV_ROWS)}, capsys)
    from_xlsx = built(tmp_path, "xlsx", {"data/a.xlsx": records_book(*XLSX_ROWS)}, capsys)
    csv_records = json.loads((from_csv / "so-lieu/du-lieu.json").read_text(encoding="utf-8"))["records"]
    xlsx_records = json.loads((from_xlsx / "so-lieu/du-lieu.json").read_text(encoding="utf-8"))["records"]
    assert len(xlsx_records) == len(CSV_ROWS)
    assert [{**r, "source": ""} for r in xlsx_records] == [{**r, "source": ""} for r in csv_records]
    assert (from_xlsx / "so-lieu/tong-hop.json").read_bytes() == (from_csv / "so-lieu/tong-hop.json").read_bytes()
    values = {r["metric"]: r["value"] for r in xlsx_records}
    assert values == {"cuoc-giam-sat": 1030, "tien-ung-ho": 16400000000, "xa-co-khoi": 3, "thanh-vien": 298,
                      "dien-tich": 2.5}
    assert all(type(v) is int for k, v in values.items() if k != "dien-tich")  # 298.0 became 298
    # each record cites its sheet and row (the empty row 3 is skipped, rows keep their numbers)
    sources = {r["metric"]: r["source"] for r in xlsx_records}
    assert sources["cuoc-giam-sat"] == "data/a.xlsx:Sheet1:2" and sources["tien-ung-ho"] == "data/a.xlsx:Sheet1:4"
    # the figure pages are the same but for the source cell, which names the sheet and row
    rel = "don-vi/xa-c/so-lieu/cuoc-giam-sat/index.html"
    csv_page, xlsx_page = html.parse(str(from_csv / rel)).getroot(), html.parse(str(from_xlsx / rel)).getroot()
    cells = lambda tree: [[" ".join(c.text_content().split()) for c in row.xpath("./th|./td")]  # noqa: E731
                          for row in tree.xpath("//tbody/tr")]
    assert [r[:3] for r in cells(xlsx_page)] == [r[:3] for r in cells(csv_page)]
    [row] = xlsx_page.xpath("//section[@aria-labelledby='nam-2021']//tbody/tr")
    assert " ".join(row.xpath("./td[4]")[0].text_content().split()) == \
        "Tệp data/a.xlsx, trang tính Sheet1, dòng 2 (Báo cáo năm 2021)"
    [href] = row.xpath("./td[4]/a/@href")
    assert href.endswith("so-lieu/nguon/a.xlsx")
    assert (from_xlsx / "so-lieu/nguon/a.xlsx").read_bytes() == (tmp_path / "xlsx/content/data/a.xlsx").read_bytes()


def test_every_sheet_with_a_header_is_read_and_others_are_left(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = workbook(("Ghi chú", [["Tệp số liệu giám sát năm 2021"], ["Người lập: Trần Thị Bình"]]),
                    ("Xã C", [HEADER[:4], ["xa-c", "cuoc-giam-sat", 2021, 3]]),
                    ("Huyện B", [HEADER[:4], ["huyen-b", "cuoc-giam-sat", 2022, 5]]))
    output = built(tmp_path, "s", {"data/a.xlsx": book}, capsys)
    records = json.loads((output / "so-lieu/du-lieu.json").read_text(encoding="utf-8"))["records"]
    assert sorted((r["unit"], r["value"], r["source"]) for r in records) == \
        [("huyen-b", 5, "data/a.xlsx:Huyện B:2"), ("xa-c", 3, "data/a.xlsx:Xã C:2")]


def test_a_workbook_without_any_header_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = workbook(("Sheet1", [["Đơn vị", "Chỉ tiêu", "Kỳ", "Giá trị"], ["xa-c", "cuoc-giam-sat", 2021, 3]]))
    [error] = refused(tmp_path, capsys, {"data/a.xlsx": book})
    assert (error["path"], error["line"], error["cell"]) == ("content/data/a.xlsx", None, None)
    assert "dòng tiêu đề" in str(error["msg"]) and "unit, metric, period, value" in str(error["hint"])


# --- each problem at its cell ------------------------------------------------------------------------

def test_money_stored_as_16_4_is_refused_at_its_cell(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    [error] = refused(tmp_path, capsys, {"data/a.xlsx": records_book(["xa-c", "tien-ung-ho", "2021", 16.4])})
    assert (error["path"], error["cell"]) == ("content/data/a.xlsx", "Sheet1!D2")
    assert error["msg"] == "số tiền 16,4 đồng không phải số nguyên."


def test_a_count_stored_as_16_4_is_refused_but_a_decimal_metric_keeps_it(tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    [error] = refused(tmp_path / "a", capsys, {"data/a.xlsx": records_book(["xa-c", "cuoc-giam-sat", "2021", 16.4])})
    assert error["cell"] == "Sheet1!D2" and "16,4" in str(error["msg"]) and "không phải số nguyên" in str(error["msg"])
    output = built(tmp_path, "b", {"data/a.xlsx": records_book(["xa-c", "dien-tich", "2021", 16.4])}, capsys)
    assert json.loads((output / "so-lieu/du-lieu.json").read_text(encoding="utf-8"))["records"][0]["value"] == 16.4


@pytest.mark.parametrize("typed", ["1,030", "16.4"])
def test_text_cells_are_parsed_as_csv_text(tmp_path: Path, capsys: pytest.CaptureFixture[str], typed: str) -> None:
    """"1,030" typed as text is ambiguous, as in CSV: the same message, at the cell."""
    [error] = refused(tmp_path / "x", capsys, {"data/a.xlsx": records_book(["xa-c", "cuoc-giam-sat", "2021", typed])})
    [csv_error] = refused(tmp_path / "c", capsys, {"data/a.csv": f'unit,metric,period,value\nxa-c,cuoc-giam-sat,2021,"{typed}"\n'})
    assert (error["cell"], csv_error["line"]) == ("Sheet1!D2", "2")
    assert (error["msg"], error["hint"]) == (csv_error["msg"], csv_error["hint"])
    assert f'"{typed}"' in str(error["msg"])


def test_a_float_that_is_a_whole_number_stays_an_integer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = patched(records_book(["xa-c", "tien-ung-ho", "2021", 16400000000]), "<v>16400000000</v>",
                   "<v>16400000000.0</v>")
    output = built(tmp_path, "s", {"data/a.xlsx": book}, capsys)
    text = (output / "so-lieu/du-lieu.csv").read_text(encoding="utf-8")
    assert ",16400000000," in text and "16400000000.0" not in text
    assert cell_number(Raw("number", 298.0)) == Decimal(298) and str(cell_number(Raw("number", 298.0))) == "298"
    assert cell_number(Raw("number", 0.1 + 0.2)) == Decimal("0.3")  # what Excel shows of its 15 digits


def test_a_formula_never_calculated_is_refused_and_a_calculated_one_is_read(tmp_path: Path,
                                                                           capsys: pytest.CaptureFixture[str]) -> None:
    book = records_book(["xa-c", "cuoc-giam-sat", "2021", "=1+2"])  # openpyxl saves formulas without results
    [error] = refused(tmp_path / "a", capsys, {"data/a.xlsx": book})
    assert error["cell"] == "Sheet1!D2" and "=1+2" in str(error["msg"])
    assert "mở tệp trong Excel" in str(error["hint"]) and "lưu lại" in str(error["hint"])
    output = built(tmp_path, "b", {"data/a.xlsx": patched(book, "<f>1+2</f><v></v>", "<f>1+2</f><v>3</v>")}, capsys)
    assert json.loads((output / "so-lieu/du-lieu.json").read_text(encoding="utf-8"))["records"][0]["value"] == 3


@pytest.mark.parametrize("value, column, fragment", [
    (True, "D", "TRUE"),
    ("#DIV/0!", "D", "#DIV/0!"),
    (date(2021, 3, 4), "D", "ngày 04/03/2021"),
])
def test_booleans_errors_and_dates_where_a_number_belongs_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                     value: object, column: str, fragment: str) -> None:
    [error] = refused(tmp_path, capsys, {"data/a.xlsx": records_book(["xa-c", "cuoc-giam-sat", "2021", value])})
    assert error["cell"] == f"Sheet1!{column}2" and fragment in str(error["msg"]), error


def test_text_typed_with_a_legacy_font_is_refused_at_its_cell(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = records_book(["xa-c", "cuoc-giam-sat", "2021", 3, None, None, None, None, "MÆt trËn Tæ quèc"])
    [error] = refused(tmp_path, capsys, {"data/a.xlsx": book})
    assert error["cell"] == "Sheet1!I2" and "TCVN3" in str(error["msg"]) and "Mặt trận Tổ quốc" in str(error["hint"])


def test_a_date_cell_as_period_is_that_day_unless_it_shows_a_month(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = built(tmp_path, "a", {"data/a.xlsx": records_book(["xa-c", "thanh-vien", date(2020, 8, 21), 5])}, capsys)
    [record] = json.loads((output / "so-lieu/du-lieu.json").read_text(encoding="utf-8"))["records"]
    assert (record["period"], record["start"], record["end"]) == ("2020-08-21", "2020-08-21", "2020-08-21")
    book = openpyxl.load_workbook(io.BytesIO(records_book(["xa-c", "thanh-vien", date(2020, 8, 1), 5])))
    book.active["C2"].number_format = "mmm-yy"  # type: ignore[index]  # what Excel makes of "2020-08" typed
    buffer = io.BytesIO()
    book.save(buffer)
    [error] = refused(tmp_path / "b", capsys, {"data/a.xlsx": buffer.getvalue()})
    assert error["cell"] == "Sheet1!C2" and "01/08/2020" in str(error["msg"]) and "Text" in str(error["hint"])


def test_an_unknown_column_is_said_as_for_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A misspelled required column is the CSV's error (at the header row); an extra one its warning."""
    header = ["unit", "metric", "period", "valeur"]
    [error] = refused(tmp_path / "x", capsys, {"data/a.xlsx": records_book(["xa-c", "cuoc-giam-sat", 2021, 3], header=header)})
    [csv_error] = refused(tmp_path / "c", capsys, {"data/a.csv": "unit,metric,period,valeur\nxa-c,cuoc-giam-sat,2021,3\n"})
    assert error["cell"] == "trang tính Sheet1, dòng 1" and error["msg"] == csv_error["msg"] == "dòng tiêu đề thiếu cột value."
    source = site(tmp_path / "w", {"data/a.xlsx": records_book(["xa-c", "cuoc-giam-sat", 2021, 3, "x"],
                                                               header=["unit", "metric", "period", "value", "ghi-chu"])})
    code, err = run("check", source, capsys)
    assert code == 0
    [warning] = problems_of(err)
    assert (warning["level"], warning["cell"], warning["msg"]) == \
        ("Cảnh báo", "trang tính Sheet1, dòng 1", 'cột "ghi-chu" không được dùng.')


def test_check_prints_the_sheet_and_cell(tmp_path: Path) -> None:
    """Through the installed command, as a keeper runs it: the place leads the line."""
    import subprocess
    import sys
    book = workbook(("Báo cáo 2021", [HEADER[:4], ["xa-c", "khong-co", "2021", 3]]))
    source = site(tmp_path, {"data/giam-sat.xlsx": book})
    done = subprocess.run([sys.executable, "-m", "site_builder", "check", "--source", str(source)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 1
    assert "content/data/giam-sat.xlsx: 'Báo cáo 2021'!B2: Lỗi: không có chỉ tiêu \"khong-co\" trong metrics.yaml." \
        in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_a_record_cited_by_another_names_its_sheet_and_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Double counting across rows: the error is at one row (the longer period) and names the other."""
    book = records_book(["xa-c", "cuoc-giam-sat", "2021", 3], ["xa-c", "cuoc-giam-sat", "2021-H1", 2])
    [error] = refused(tmp_path, capsys, {"data/a.xlsx": book})
    assert error["cell"] == "trang tính Sheet1, dòng 2"
    assert "data/a.xlsx (trang tính Sheet1, dòng 3)" in str(error["msg"])


# --- files that are no workbook ------------------------------------------------------------------------

def _truncated() -> bytes:
    data = records_book(["xa-c", "cuoc-giam-sat", "2021", 3])
    return data[: len(data) // 2]


def _damaged_xml() -> bytes:
    return patched(records_book(["xa-c", "cuoc-giam-sat", "2021", 3]), "<sheetData>", "<sheetData><row")


@pytest.mark.parametrize("data, fragment", [
    (_truncated(), "bị hỏng"),
    (_damaged_xml(), "bị hỏng"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "mật khẩu"),
    (b"unit,metric,period,value\nxa-c,cuoc-giam-sat,2021,3\n", "CSV"),
    (b"\x89PNG\r\n\x1a\n" + bytes(100), "không phải tệp Excel"),
    (b"", "không phải tệp Excel"),
])
def test_a_file_that_is_no_workbook_is_one_error_and_the_rest_is_still_checked(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes, fragment: str) -> None:
    files: dict[str, str | bytes] = {"data/a.xlsx": data, "data/b.csv": "unit,metric,period,value\nxa-c,khong-co,2021,3\n"}
    errors = refused(tmp_path, capsys, files)
    assert [(e["path"], e["line"], e["cell"]) for e in errors] == [("content/data/a.xlsx", None, None), ("content/data/b.csv", "2", None)]
    assert fragment in str(errors[0]["msg"]) and errors[0]["hint"], errors[0]


def test_an_unreadable_file_and_a_huge_sheet_are_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.xlsx"
    path.write_bytes(records_book(*[["xa-c", "cuoc-giam-sat", str(2000 + n), n] for n in range(20)]))
    monkeypatch.setattr(xlsx, "MAX_ROWS", 10)
    problems = Problems(root=tmp_path)
    assert read_workbook(path, problems) is None
    [error] = problems.errors
    assert "hơn 10 dòng" in error.message and "chia" in error.hint
    monkeypatch.undo()

    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)
    problems = Problems(root=tmp_path)
    assert read_workbook(path, problems) is None
    [error] = problems.errors
    assert error.message == "không đọc được tệp (không có quyền truy cập)." and error.line is None


@pytest.mark.parametrize("name", ["a.xls", "a.ods", "a.xlsm"])
def test_another_kind_of_spreadsheet_is_named_not_left_out(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                           name: str) -> None:
    [error] = refused(tmp_path, capsys, {f"data/{name}": b"\xd0\xcf\x11\xe0" + bytes(100)})
    assert (error["path"], error["line"], error["cell"]) == (f"content/data/{name}", None, None)
    assert "(.xlsx)" in str(error["hint"])


def test_excel_lock_files_are_ignored(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = built(tmp_path, "s", {"data/a.xlsx": records_book(["xa-c", "cuoc-giam-sat", 2021, 3]),
                                   "data/~$a.xlsx": b"\x08Tran Thi Binh" + bytes(150)}, capsys)
    assert sorted(p.name for p in (output / "so-lieu/nguon").iterdir()) == ["a.xlsx"]


# --- the place itself ------------------------------------------------------------------------------------

def test_a_cell_is_written_as_excel_writes_it() -> None:
    assert str(Cell("Sheet1", 12, 3)) == "Sheet1!C12"
    assert str(Cell("Báo cáo 2021", 7, 28)) == "'Báo cáo 2021'!AB7"
    assert str(Cell("Xã C", 2, 1)) == "'Xã C'!A2"
    assert str(Cell("Tổng_hợp", 2, 1)) == "Tổng_hợp!A2"
    assert str(Cell("Sheet1", 12)) == "trang tính Sheet1, dòng 12"
    error = SourceError("content/data/giam-sat.xlsx", 12, "số tiền 16,4 đồng không phải số nguyên.", "", sheet="Sheet1", column=3)
    assert error.format() == "content/data/giam-sat.xlsx: Sheet1!C12: Lỗi: số tiền 16,4 đồng không phải số nguyên."
    problems = Problems()
    problems.error("a.xlsx", Cell("Sheet1", 2, 4), "x")
    problems.error("a.xlsx", Cell("Sheet2", 2, 4), "x")
    assert len(set(problems.errors)) == 2 and sorted(problems.errors)[0].cell == Cell("Sheet1", 2, 4)


# --- number cells and text cells read as CSV reads the text ------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=10**15), min_size=1, max_size=8))
def test_integers_as_number_cells_and_as_text_cells_read_as_csv_does(values: list[int]) -> None:
    rows: list[Row] = [[n, float(n) if n < 2**53 else n, str(n), format_number(Decimal(n))] for n in values]
    buffer = io.BytesIO()
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)  # type: ignore[union-attr]
    book.save(buffer)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "a.xlsx"
        path.write_bytes(buffer.getvalue())
        [sheet] = read_workbook(path, Problems()) or []
    for number, n in enumerate(values, 1):
        read = [cell_number(sheet.rows[number][column]) for column in (1, 2, 3, 4)]
        parsed = [v if isinstance(v, Decimal) else parse_number(v) for v in read]
        assert parsed == [parse_number(str(n))] * 4
        assert all(str(v) == str(n) for v in parsed)


def test_the_serve_banner_shows_the_sheet_and_cell(tmp_path: Path) -> None:
    """What `serve` shows on top of every page while a workbook is wrong: the same place as the CLI."""
    from site_builder.base.errors import BuildFailed
    from site_builder.live.serve import error_banner
    from site_builder.model.site import load_site

    source = site(tmp_path, {"data/a.xlsx": records_book(["xa-c", "tien-ung-ho", "2021", 16.4])})
    with pytest.raises(BuildFailed) as failed:
        load_site(source)
    banner = error_banner(failed.value.problems).decode()
    assert "content/data/a.xlsx: Sheet1!D2: Lỗi: số tiền 16,4 đồng không phải số nguyên." in banner
