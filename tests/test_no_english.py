"""Issue 12: no English reaches an editor from the libraries we call (csv, Pagefind, PyYAML):
each failure is said in Vietnamese, with its file, and the output already built is kept."""
from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
from conftest import tree_bytes

from site_builder.cli.main import main
from site_builder.write import search_bundle as search

ENGLISH = re.compile(r"\b(field|limit|larger|error|exited|could not|binary|line contains|unexpected|"
                     r"traceback|not found)\b", re.I)


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    code = main(args)
    return code, capsys.readouterr().err


def test_a_csv_the_csv_module_refuses_is_said_in_vietnamese(sample_site: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    data = sample_site / "data" / "hong.csv"
    data.write_text("unit,metric,period,value\nxa-a,cuoc-giam-sat,2020,\"" + "x" * 140_000 + "\n", encoding="utf-8")
    code, err = run(["check", "--source", str(sample_site)], capsys)
    assert code == 1
    line = next(row for row in err.splitlines() if "hong.csv" in row)
    assert line.endswith("hong.csv:2: Lỗi: dòng CSV không đọc được (một ô dài quá giới hạn (thường do thiếu dấu "
                         "ngoặc kép đóng)).")
    assert not ENGLISH.search(err), err


def test_a_failing_pagefind_is_said_in_vietnamese_and_the_site_is_kept(sample_site: Path, tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str],
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    assert run(["build", "--source", str(sample_site), "--output", str(out)], capsys)[0] == 0
    before = tree_bytes(out)
    fake = tmp_path / "pagefind"
    fake.write_text("#!/bin/sh\necho 'Error: could not build the index, binary exited' >&2\nexit 3\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr(search, "get_executable", lambda: fake)
    (sample_site / "pages" / "gioi-thieu.md").write_text(
        (sample_site / "pages" / "gioi-thieu.md").read_text(encoding="utf-8").replace("\n---\n", "\n---\n\nThêm.\n", 1)
        + "\n\nMột đoạn mới.\n", encoding="utf-8")
    code, err = run(["build", "--source", str(sample_site), "--output", str(out)], capsys)
    assert code == 1
    assert "Lỗi: không tạo được chỉ mục tìm kiếm (chương trình Pagefind dừng với mã lỗi 3)." in err
    assert not ENGLISH.search(err), err
    assert tree_bytes(out) == before


def test_a_missing_pagefind_is_said_in_vietnamese(sample_site: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "get_executable", lambda: None)
    code, err = run(["build", "--source", str(sample_site), "--output", str(tmp_path / "out")], capsys)
    assert code == 1
    assert "Lỗi: không tạo được chỉ mục tìm kiếm (không tìm thấy chương trình Pagefind)." in err
    assert not ENGLISH.search(err), err
    assert not (tmp_path / "out").exists()
