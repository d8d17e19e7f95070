"""`site-builder check`: everything a build checks, nothing written (no output, no .cache/)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, make_site, news_item

from site_builder.cli.main import main


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under root (hidden ones too) with its size and modification time."""
    found = {}
    for folder, dirs, names in os.walk(root):
        for name in dirs + names:
            path = Path(folder) / name
            stat = path.lstat()
            found[path.relative_to(root).as_posix()] = (stat.st_size, stat.st_mtime_ns)
    return found


def run_check(source: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    code = main(["check", "--source", str(source), *extra])
    return code, capsys.readouterr().err


def test_sample_site_checks_clean_and_writes_nothing(sample_site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(sample_site.parent)
    code, err = run_check(sample_site, capsys)
    assert code == 0, err
    assert err.strip().splitlines() == ["Kiểm tra xong: không có lỗi, 0 cảnh báo."]
    assert snapshot(sample_site.parent) == before  # no output/, no .cache/, no file touched
    strict, err = run_check(sample_site, capsys, "--strict")
    assert strict == 0, err  # the sample has no warning, so --strict passes too
    assert err.strip().splitlines() == ["Kiểm tra xong: không có lỗi, 0 cảnh báo."]


def test_errors_exit_1_with_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = make_site(tmp_path, news={"news/a.md": news_item(unit="van-yen")})
    before = snapshot(tmp_path)
    code, err = run_check(source, capsys)
    assert code == 1
    assert "content/news/a.md:4: Lỗi:" in err and '"van-yen"' in err
    assert err.strip().splitlines()[-1].startswith("Kiểm tra xong: có 1 lỗi")
    assert snapshot(tmp_path) == before


def test_warnings_fail_only_with_strict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = make_site(tmp_path, news={"news/x.md": news_item(catgory="Dân vận")})
    code, err = run_check(source, capsys)
    assert code == 0 and "content/news/x.md:5: Cảnh báo:" in err
    code, err = run_check(source, capsys, "--strict")
    assert code == 1 and "content/news/x.md:5: Cảnh báo:" in err
    assert "--strict" in err.strip().splitlines()[-1]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content"]


def test_template_errors_are_found_without_writing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = make_site(tmp_path)
    (source / "templates").mkdir()
    (source / "templates/article.html").write_text(
        '{% extends "base.html" %}\n{% block content %}\n{{ item.khong_co.x }}\n{% endblock %}\n', encoding="utf-8")
    code, err = run_check(source, capsys)
    assert code == 1
    assert "content/templates/article.html:3: Lỗi:" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content"]


def test_path_problems_are_found(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = make_site(tmp_path, files={"media/ảnh hội nghị.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>"})
    (source / "media/ngoai.svg").symlink_to("/etc/hostname")
    code, err = run_check(source, capsys)
    assert code == 1
    assert "content/media/ngoai.svg: Lỗi:" in err and "symlink" in err


def test_check_through_the_real_command(tmp_path: Path) -> None:
    source = make_site(tmp_path, news={"news/a.md": news_item(date="2024-13-40")})
    result = subprocess.run([sys.executable, "-m", "site_builder", "check", "--source", str(source)],
                            capture_output=True, text=True, cwd=REPO, timeout=120)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "content/news/a.md:3: Lỗi:" in result.stderr.replace(str(tmp_path) + "/", "")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content"]


def test_missing_images_are_found_at_their_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A lead image and a body image that do not exist: both errors, each at its line."""
    item = news_item(image="media/khong-co.jpg", image_alt="Ảnh hội nghị",
                     body="Đoạn đầu.\n\n![Hội nghị](media/cung-khong-co.png)\n")
    source = make_site(tmp_path, news={"news/a.md": item})
    code, err = run_check(source, capsys)
    assert code == 1, err
    assert "content/news/a.md:5: Lỗi:" in err and "khong-co.jpg" in err, err
    assert "content/news/a.md:11: Lỗi:" in err and "cung-khong-co.png" in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content"]


def test_check_leaves_the_temporary_folder_empty_and_a_missing_source_is_exit_2(tmp_path: Path) -> None:
    source = make_site(tmp_path / "site")
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = dict(os.environ, TMPDIR=str(temp))
    result = subprocess.run([sys.executable, "-m", "site_builder", "check", "--source", str(source)],
                            capture_output=True, text=True, cwd=REPO, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    assert list(temp.iterdir()) == [] and sorted(p.name for p in (tmp_path / "site").iterdir()) == ["content"]
    missing = subprocess.run([sys.executable, "-m", "site_builder", "check", "--source", str(tmp_path / "khong-co")],
                             capture_output=True, text=True, cwd=REPO, timeout=120, env=env)
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    assert "khong-co" in missing.stderr and "Lỗi" in missing.stderr, missing.stderr
