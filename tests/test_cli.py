"""The command line speaks Vietnamese: `--help` of every command, argparse's own errors, system
errors, and the messages of `new` and `units list`."""
from __future__ import annotations

import errno
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, SAMPLE, make_site

from site_builder.cli import main as cli

# argparse's English (its gettext msgids) and the English metavars it derives from option names.
ENGLISH = re.compile(
    r"usage:|options:|positional arguments|the following arguments are required|invalid choice|"
    r"unrecognized arguments|expected one argument|show this help message|error:|\binvalid\b|"
    r"\bargument\b|\bchoose from\b|\b(SOURCE|OUTPUT|UNIT|HOST|PORT|TITLE|FILE|title|file)\b")

COMMANDS = [[], ["build"], ["check"], ["serve"], ["new"], ["fix-encoding"], ["units"], ["units", "list"]]

BAD_USAGE = [
    [],  # no command
    ["nope"],  # invalid choice
    ["build", "--bogus"],  # unrecognized arguments
    ["new"],  # required arguments missing
    ["new", "Tiêu đề"],  # --unit missing
    ["build", "--source"],  # expected one argument
    ["serve", "--source", "khong-co", "--port", "abc"],  # invalid int value
    ["serve", "--source", "khong-co", "--port", "70000"],  # out of range
    ["units"],  # sub-command missing
    ["units", "xoa"],  # invalid sub-command
    ["check", "--strict", "extra"],
]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Exit code and everything printed (stdout and stderr) by `site-builder argv`."""
    try:
        code = cli.main(argv)
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "site-builder")
def test_help_is_vietnamese(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, text = run([*command, "--help"], capsys)
    assert code == 0
    assert "Cách dùng:" in text
    assert "hiện hướng dẫn này" in text
    assert ENGLISH.search(text.replace("--help", "")) is None, text


@pytest.mark.parametrize("argv", BAD_USAGE, ids=lambda a: " ".join(a) or "nothing")
def test_usage_errors_are_vietnamese(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, text = run(argv, capsys)
    assert code == 2
    assert "Lỗi:" in text
    assert "Hãy " in text
    assert "Traceback" not in text
    assert ENGLISH.search(text.replace("--help", "")) is None, text


def test_argparse_is_left_as_it_was(capsys: pytest.CaptureFixture[str]) -> None:
    """The translation is installed for our parser only: argparse elsewhere still speaks its own."""
    import argparse
    run(["--help"], capsys)
    assert argparse._("usage: ") == "usage: "


def test_build_system_error_is_vietnamese_with_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A system error while building is said in Vietnamese, with its path, never the C library's English."""
    source = tmp_path / "content"
    shutil.copytree(SAMPLE, source)
    output = tmp_path / ("x" * 300)  # longer than a file name may be
    code, text = run(["build", "--source", str(source), "--output", str(output)], capsys)
    assert code == 1
    assert "tên tệp quá dài" in text
    assert "x" * 300 in text
    assert "File name too long" not in text
    assert "Traceback" not in text


def test_fix_encoding_missing_file_is_vietnamese(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "khong-co.md"
    code, text = run(["fix-encoding", str(missing)], capsys)
    assert code == 1
    assert f"{missing}: Lỗi:" in text
    assert "không có tệp hay thư mục này" in text
    assert "No such file" not in text


def test_fix_encoding_of_a_folder_is_vietnamese(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, text = run(["fix-encoding", str(tmp_path)], capsys)
    assert code == 1
    assert f"{tmp_path}: Lỗi:" in text
    assert "đây là thư mục, không phải tệp" in text
    assert "Is a directory" not in text


def test_units_list_finds_by_name_without_tones(capsys: pytest.CaptureFixture[str]) -> None:
    """"dong cuong" finds both communes named Đông Cuông, former and new, each with its parent,
    validity and successor; nothing else."""
    code, text = run(["units", "list", "--source", str(SAMPLE), "dong", "cuong"], capsys)
    assert code == 0
    assert text == (
        "xa-dong-cuong-2025  Xã Đông Cuông\n"
        "    thuộc tinh-lao-cai (Tỉnh Lào Cai); hiệu lực từ 01/07/2025\n"
        "xa-dong-cuong  Xã Đông Cuông\n"
        "    thuộc huyen-van-yen (Huyện Văn Yên); hiệu lực đến 30/06/2025; "
        "nhập toàn bộ vào xa-dong-cuong-2025 (Xã Đông Cuông)\n")


@pytest.mark.parametrize("query", ["Văn Yên", "van yen", "VAN YEN", "huyen-van-yen"])
def test_units_list_query_with_or_without_tones(query: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, text = run(["units", "list", "--source", str(SAMPLE), query], capsys)
    assert code == 0
    assert text.startswith("huyen-van-yen  Huyện Văn Yên\n    thuộc tinh-yen-bai (Tỉnh Yên Bái); hiệu lực đến 30/06/2025; kết thúc hoạt động\n")


def test_units_list_without_query_lists_every_unit(capsys: pytest.CaptureFixture[str]) -> None:
    code, text = run(["units", "list", "--source", str(SAMPLE)], capsys)
    assert code == 0
    ids = re.findall(r"^(\S+)  ", text, flags=re.M)
    yaml_ids = re.findall(r"^\s*-?\s*id: ([a-z0-9-]+)\s*$", (SAMPLE / "units.yaml").read_text("utf-8"), flags=re.M)
    assert sorted(ids) == sorted(yaml_ids)
    assert ids[0] == "viet-nam"


def test_units_list_no_match_says_what_to_do(capsys: pytest.CaptureFixture[str]) -> None:
    code, text = run(["units", "list", "--source", str(SAMPLE), "khong co don vi nao"], capsys)
    assert code == 1
    assert 'Không có đơn vị nào khớp với "khong co don vi nao"' in text and "Hãy " in text


def test_new_with_wrong_unit_does_not_talk_about_building(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "content"
    shutil.copytree(SAMPLE, source)
    code, text = run(["new", "Hội nghị", "--unit", "van-yen", "--source", str(source)], capsys)
    assert code == 1
    assert "xây dựng" not in text and "Trang cũ" not in text
    assert 'không có đơn vị "van-yen"' in text
    assert '"huyen-van-yen"' in text  # a unit whose id holds the words typed
    assert "site-builder units list" in text
    assert not list((source / "news").rglob("hoi-nghi.md"))


TEMPLATE_MISTAKES = {
    "syntax": ("{% if %}\n", 1),
    "undefined": ("<!doctype html>\n{{ site.khong_co }}\n", 2),
}


@pytest.mark.parametrize("command", ["build", "check"])
@pytest.mark.parametrize("mistake", sorted(TEMPLATE_MISTAKES))
def test_template_error_is_printed_once(tmp_path: Path, mistake: str, command: str,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """A broken template that every page extends is one mistake, printed once with its line."""
    text, line = TEMPLATE_MISTAKES[mistake]
    source = make_site(tmp_path, files={"templates/base.html": text})
    argv = [command, "--source", str(source)] + (["--output", str(tmp_path / "out")] if command == "build" else [])
    code, err = run(argv, capsys)
    assert code == 1
    assert err.count(f"content/templates/base.html:{line}: Lỗi:") == 1, err
    assert "Traceback" not in err
    assert "has no attribute" not in err and "is undefined" not in err  # Jinja's English


@pytest.mark.parametrize("command", ["build", "check"])
def test_template_not_utf8_names_the_file(tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A template override saved in a legacy encoding is an error naming the file and line, not a traceback."""
    source = make_site(tmp_path, files={"templates/base.html": b"<!doctype html>\n<p>\xd0\xe1i h\xf4i</p>\n"})
    argv = [command, "--source", str(source)] + (["--output", str(tmp_path / "out")] if command == "build" else [])
    code, err = run(argv, capsys)
    assert code == 1
    assert err.count("content/templates/base.html:2: Lỗi:") == 1, err
    assert "UTF-8" in err
    assert "Traceback" not in err and "codec" not in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("code", "english", "vietnamese"), [
    (errno.ENOTEMPTY, "Directory not empty", "thư mục không rỗng"),
    (errno.ENAMETOOLONG, "File name too long", "tên tệp quá dài"),
    (errno.ENOSPC, "No space left on device", "ổ đĩa đã đầy"),
    (errno.EROFS, "Read-only file system", "ổ đĩa chỉ cho đọc"),
])
def test_output_system_errors_in_vietnamese_with_path(tmp_path: Path, code: int, english: str, vietnamese: str) -> None:
    output = tmp_path / "output"
    exc = OSError(code, english, str(output / "tin-tuc"))
    text = cli.os_error(exc, tmp_path / "content", output)
    assert text.startswith(f"{output}: Lỗi: không ghi được thư mục kết quả ({vietnamese}) tại {output / 'tin-tuc'}.")
    assert vietnamese in text and english not in text
    assert "\n    Hãy " in text


@pytest.mark.parametrize("command", ["build", "check", "serve", "units"])
def test_source_name_too_long_is_vietnamese(tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / ("a" * 300)
    argv = [command, "list", "--source", str(source)] if command == "units" else [command, "--source", str(source)]
    code, text = run(argv, capsys)
    assert code == 2
    assert text.startswith(f"{source}: Lỗi: không mở được thư mục nguồn (tên tệp quá dài).\n    Hãy "), text
    assert "File name too long" not in text


SWALLOWED = '''
import os, signal, sys, time
from site_builder.cli.interrupt import say_stopped, stop_here_only

def hook():
    os.kill(os.getpid(), signal.SIGINT)
    for _ in range(200000):  # the handler runs here, inside an at-fork hook: Python swallows its exception
        pass

os.register_at_fork(after_in_parent=hook)
try:
    with stop_here_only(hard_stop=True):
        child = os.fork()
        if child == 0:
            os._exit(0)
        os.waitpid(child, 0)
        time.sleep(3)
        print("pas interrompu")
except KeyboardInterrupt:
    sys.exit(say_stopped())
'''


def test_ctrl_c_swallowed_by_python_is_raised_again() -> None:
    """Ctrl-C that lands in an at-fork hook (as when a worker pool starts) is swallowed by Python
    ("Exception ignored in …"); the command is interrupted again where it can be, with one line."""
    proc = subprocess.run([sys.executable, "-c", SWALLOWED], capture_output=True, text=True, timeout=60, cwd=REPO)
    assert proc.returncode == 130, proc.stdout + proc.stderr
    assert proc.stderr == "Đã dừng theo yêu cầu.\n"
    assert proc.stdout == ""


@pytest.mark.parametrize(("text", "vietnamese"), [
    ("{% if %}\n", 'cần một biểu thức nhưng gặp "%}"'),
    ("{% khong_co %}\n", 'thẻ lạ "khong_co"'),
    ("{% if site %}\n", "mẫu kết thúc khi một khối chưa đóng: thiếu {% endif %}"),
    ("{{ site title }}\n", 'cần "}}" nhưng gặp "title"'),
])
def test_template_syntax_errors_in_vietnamese(tmp_path: Path, text: str, vietnamese: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    source = make_site(tmp_path, files={"templates/base.html": text})
    code, err = run(["check", "--source", str(source)], capsys)
    assert code == 1
    assert "content/templates/base.html:1: Lỗi: mẫu giao diện sai cú pháp (" in err
    assert vietnamese in err, err
    assert re.search(r"\b(Expected|expected|Encountered|Unexpected|got|Jinja báo)\b", err) is None, err
