"""Purpose-made sites: content mistakes, their messages and lines, atomic and repeatable output,
the command line (`build`, `new`, usage errors)."""
from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import unicodedata
from datetime import datetime
from pathlib import Path

import feedparser
import pytest
from conftest import NOW, REPO, SITE_YAML, UNITS_YAML, ZONE, make_site, news_item, tree_bytes
from lxml import etree, html

from site_builder.build.builder import build
from site_builder.cli.main import main

ERROR_LINE = re.compile(r"^(?P<path>content/[^:\n]+?)(?::(?P<line>\d+))?: Lỗi: (?P<msg>.*)$", re.M)


def run_build(source: Path, output: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    """`site-builder build` in-process; returns (exit code, stderr). A crash fails the test."""
    capsys.readouterr()
    code = main(["build", "--source", str(source), "--output", str(output), *extra])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def errors_of(err: str) -> list[tuple[str, int | None, str]]:
    return [(m["path"], int(m["line"]) if m["line"] else None, m["msg"]) for m in ERROR_LINE.finditer(err)]


def digest_tree(root: Path) -> dict[str, str]:
    return {rel: hashlib.sha256(data).hexdigest() for rel, data in tree_bytes(root).items()}


def line_of(text: str, needle: str) -> int:
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in text")


# --- a good purpose-made site ---------------------------------------------------------------------

def test_minimal_site_builds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = make_site(tmp_path)
    code, err = run_build(source, tmp_path / "out", capsys)
    assert code == 0, err
    assert "Lỗi" not in err
    out = tmp_path / "out"
    assert (out / "tin-tuc/2024/05/hoi-nghi-tong-ket/index.html").is_file()
    for unit in ("viet-nam", "tinh-a", "huyen-b", "xa-c", "xa-cu", "xa-moi"):
        assert (out / f"don-vi/{unit}/index.html").is_file()
    tree = html.fromstring((out / "don-vi/index.html").read_bytes())
    former = tree.xpath("//li[contains(@class,'former')]")
    assert [li.xpath("./a")[0].text for li in former] == ["Xã Cũ"]
    assert "Đơn vị cũ" in former[0].text_content()
    assert former[0].xpath("./span//a/@href") == ["../don-vi/xa-moi/"]


def test_nfd_input_gives_nfc_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    title = "Hội nghị Mặt trận Tổ quốc Đồng Hới"
    body = "Ủy ban MTTQ huyện tổ chức hội nghị tiếp xúc cử tri.\n\n## Đại hội Đảng bộ\n"
    nfd = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731
    assert nfd(title) != title
    source = make_site(tmp_path, news={"news/2024/a.md": nfd(news_item(title=title, body=body, tags='["Dân vận"]'))})
    code, err = run_build(source, tmp_path / "out", capsys)
    assert code == 0, err
    out = tmp_path / "out"
    page = out / "tin-tuc/2024/05/hoi-nghi-mat-tran-to-quoc-dong-hoi/index.html"
    text = page.read_text(encoding="utf-8")
    assert f"<h1>{title}</h1>" in text
    assert "Ủy ban MTTQ huyện tổ chức hội nghị tiếp xúc cử tri." in text
    assert 'id="dai-hoi-dang-bo"' in text
    assert (out / "the/dan-van/index.html").is_file()
    for path in out.rglob("*"):
        if path.suffix in (".html", ".xml"):
            content = path.read_text(encoding="utf-8")
            assert unicodedata.is_normalized("NFC", content), path
            assert nfd("ộ") not in content


def test_item_date_with_offset_goes_to_local_month_and_year(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # 2024-12-31 20:00 UTC is 2025-01-01 03:00 in Việt Nam
    source = make_site(tmp_path, news={"news/a.md": news_item(date="2024-12-31T20:00:00Z")})
    code, err = run_build(source, tmp_path / "out", capsys)
    assert code == 0, err
    out = tmp_path / "out"
    assert (out / "tin-tuc/2025/01/hoi-nghi-tong-ket/index.html").is_file()
    assert (out / "luu-tru/2025/index.html").is_file()
    assert not (out / "luu-tru/2024").exists()
    assert "Thứ Tư, 01/01/2025 03:00" in (out / "tin-tuc/2025/01/hoi-nghi-tong-ket/index.html").read_text("utf-8")


# --- content mistakes: exit 1, `content/<path>:<line>: Lỗi: ...` ------------------------------------

MISSING_TITLE = '---\ndate: "2024-05-10 09:30"\nunit: xa-c\n---\n\nNội dung.\n'
BROKEN_YAML = ('---\ntitle: "Hội nghị"\ndate: "2024-05-10 09:30"\nunit: xa-c\n'
               'summary: Kết quả: tốt\ncategory: Dân vận\n---\n\nNội dung.\n')


@pytest.mark.parametrize("name, files, expect_path, expect_line, fragments", [
    ("missing title", {"news/2024/x.md": MISSING_TITLE}, "content/news/2024/x.md", 2, ['thiếu "title"']),
    ("unparseable date", {"news/2024/x.md": news_item(date="21/08/2020 02:49")}, "content/news/2024/x.md", 3,
     ['ngày "21/08/2020 02:49"', "2020-08-21 02:49"]),
    ("impossible date", {"news/2024/x.md": news_item(date="2024-02-30")}, "content/news/2024/x.md", 3,
     ['"2024-02-30"']),
    ("unknown unit", {"news/2024/x.md": news_item(unit="huyen-bx")}, "content/news/2024/x.md", 4,
     ['"huyen-bx"', '"huyen-b"']),
    ("tags as a mapping", {"news/2024/x.md": news_item(tags="{Dân vận: 1}")}, "content/news/2024/x.md", 5,
     ['"tags"']),
    ("broken yaml", {"news/2024/x.md": BROKEN_YAML}, "content/news/2024/x.md", 5, ["YAML"]),
    ("draft not a boolean", {"news/2024/x.md": news_item(draft='"có"')}, "content/news/2024/x.md", 5,
     ['"draft"']),
    ("missing image", {"news/2024/x.md": news_item(image="media/khong-co.jpg", image_alt="Ảnh")},
     "content/news/2024/x.md", 5, ['"media/khong-co.jpg"']),
    ("no front matter", {"news/2024/x.md": "Tiêu đề\n\nNội dung.\n"}, "content/news/2024/x.md", 1, ["---"]),
])
def test_content_mistake_is_reported_with_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str,
                                                   files: dict[str, str], expect_path: str, expect_line: int,
                                                   fragments: list[str]) -> None:
    source = make_site(tmp_path, news={"news/2024/ok.md": news_item(title="Bài đúng"), **files})
    code, err = run_build(source, tmp_path / "out", capsys)
    assert code == 1
    found = errors_of(err)
    assert len(found) == 1, err
    path, line, message = found[0]
    assert (path, line) == (expect_path, expect_line), err
    for fragment in fragments:
        assert fragment in err, (fragment, err)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("blank_lines", [0, 1, 3])
def test_broken_yaml_line_counts_blank_and_comment_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         blank_lines: int) -> None:
    text = ("---\n" + "\n" * blank_lines + "# ghi chú của biên tập viên\ntitle: \"Hội nghị\"\n"
            "date: \"2024-05-10 09:30\"\nunit: xa-c\nsummary: Kết quả: tốt\ncategory: Dân vận\n---\n\nNội dung.\n")
    source = make_site(tmp_path, news={"news/2024/x.md": text})
    code, err = run_build(source, tmp_path / "out", capsys)
    assert code == 1
    [(path, line, _)] = errors_of(err)
    assert path == "content/news/2024/x.md"
    assert line == line_of(text, "summary:") == 6 + blank_lines, err


def test_unclosed_bracket_is_reported_where_yaml_notices_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = ('---\n\n# ghi chú\ntitle: "Hội nghị"\ndate: "2024-05-10 09:30"\n'
            "unit: xa-c\ntags: [Dân vận, Giám sát\ncategory: Dân vận\n---\n\nNội dung.\n")
    source = make_site(tmp_path, news={"news/2024/x.md": text})
    code, err = run_build(source, tmp_path / "out", capsys)
    assert code == 1
    [(path, line, _)] = errors_of(err)
    # "[" opens on line 7 and PyYAML stops at the ":" of line 8: a real file line, not one of the front matter's
    assert (path, line) == ("content/news/2024/x.md", 8), err


def test_unquoted_numeric_code_in_units(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    units = UNITS_YAML.replace('code: "00003"', "code: 04375")
    source = make_site(tmp_path, units_yaml=units)
    code, err = run_build(source, tmp_path / "out", capsys)
    assert code == 1
    [(path, line, message)] = errors_of(err)
    assert path == "content/units.yaml"
    assert line == line_of(units, "code: 04375")
    assert "04375" in message and "ngoặc kép" in message
    assert 'code: "04375"' in err  # the hint shows the quoted form
    assert "2301" in err  # and what YAML made of it


@pytest.mark.parametrize("key", ["title", "base_url", "root_unit"])
def test_missing_site_yaml_key(tmp_path: Path, capsys: pytest.CaptureFixture[str], key: str) -> None:
    site = "".join(line + "\n" for line in SITE_YAML.splitlines() if not line.startswith(f"{key}:"))
    assert site != SITE_YAML
    source = make_site(tmp_path, site_yaml=site)
    code, err = run_build(source, tmp_path / "out", capsys)
    assert code == 1
    [(path, line, message)] = errors_of(err)
    assert path == "content/site.yaml" and line is not None and line >= 1
    assert f'"{key}"' in message


def test_missing_organisation_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = SITE_YAML.replace("  responsible: Trần Thị Bình\n", "")
    source = make_site(tmp_path, site_yaml=site)
    code, err = run_build(source, tmp_path / "out", capsys)
    assert code == 1
    [(path, line, message)] = errors_of(err)
    assert path == "content/site.yaml" and line is not None
    assert '"responsible"' in message


def test_unknown_key_is_a_warning_with_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = make_site(tmp_path, news={"news/x.md": news_item(catgory="Dân vận")})
    code, err = run_build(source, tmp_path / "out", capsys)
    assert code == 0
    assert re.search(r"^content/news/x\.md:5: Cảnh báo: .*\"catgory\"", err, re.M), err


def test_tag_spellings_merge_with_a_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = make_site(tmp_path, news={
        "news/a.md": news_item(title="Bài A", tags='["Dân vận"]'),
        "news/b.md": news_item(title="Bài B", tags='["Dân Vận"]'),
        "news/c.md": news_item(title="Bài C", tags='["Dân vận"]'),
    })
    code, err = run_build(source, tmp_path / "out", capsys)
    assert code == 0
    assert "Cảnh báo" in err and '"Dân Vận"' in err and "content/news/b.md:5" in err
    out = tmp_path / "out"
    assert [p.name for p in (out / "the").iterdir() if p.is_dir()] == ["dan-van"]
    page = (out / "the/dan-van/index.html").read_text("utf-8")
    assert "Thẻ: Dân vận" in page and page.count('class="item-title"') == 3


def test_slug_collision_names_both_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = make_site(tmp_path, news={
        "news/2024/hoi-nghi-a.md": news_item(title="Hội nghị tổng kết", date="2024-05-10 09:30"),
        "news/khac/hoi-nghi-b.md": news_item(title="Hội nghị  tổng kết!", date="2024-05-28 15:00"),
        "news/2024/hoi-nghi-c.md": news_item(title="Hội nghị tổng kết", date="2024-06-02 08:00"),
    })
    code, err = run_build(source, tmp_path / "out", capsys)
    assert code == 1
    errors = errors_of(err)
    assert len(errors) == 1, err  # the June item has its own month: no collision
    assert "news/2024/hoi-nghi-a.md" in err and "news/khac/hoi-nghi-b.md" in err
    assert "hoi-nghi-c.md" not in err
    assert "tin-tuc/2024/05/hoi-nghi-tong-ket" in err
    assert not (tmp_path / "out").exists()


def test_explicit_slug_resolves_collision(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = make_site(tmp_path, news={
        "news/a.md": news_item(title="Hội nghị tổng kết", date="2024-05-10 09:30"),
        "news/b.md": news_item(title="Hội nghị tổng kết", date="2024-05-28 15:00", slug="hoi-nghi-tong-ket-dot-2"),
    })
    code, err = run_build(source, tmp_path / "out", capsys)
    assert code == 0, err
    assert (tmp_path / "out/tin-tuc/2024/05/hoi-nghi-tong-ket-dot-2/index.html").is_file()
    assert (tmp_path / "out/tin-tuc/2024/05/hoi-nghi-tong-ket/index.html").is_file()


def test_all_errors_are_printed_together(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = make_site(tmp_path, news={
        "news/2024/a.md": MISSING_TITLE,
        "news/2024/b.md": news_item(title="Bài B", date="hôm qua"),
        "news/2024/c.md": news_item(title="Bài C", unit="xa-khong-co"),
        "news/2024/d.md": BROKEN_YAML,
        "news/2024/e.md": news_item(title="Bài E", tags="{a: b}", unit="xa-z"),
        "news/2024/ok.md": news_item(title="Bài đúng"),
    })
    code, err = run_build(source, tmp_path / "out", capsys)
    assert code == 1
    errors = errors_of(err)
    assert len(errors) == 6, err
    assert sorted((p, n) for p, n, _ in errors) == [
        ("content/news/2024/a.md", 2), ("content/news/2024/b.md", 3), ("content/news/2024/c.md", 4),
        ("content/news/2024/d.md", 5), ("content/news/2024/e.md", 4), ("content/news/2024/e.md", 5),
    ]
    assert "Có 6 lỗi" in err


# --- never a traceback ----------------------------------------------------------------------------

NASTY = {
    "not utf-8": {"news/x.md": b"---\ntitle: \"M\xc6t tr\xcbn\"\ndate: \"2024-05-10\"\nunit: xa-c\n---\n"},
    "empty file": {"news/x.md": b""},
    "only an opening fence": {"news/x.md": "---\ntitle: x\n"},
    "front matter is a list": {"news/x.md": "---\n- a\n- b\n---\n"},
    "front matter is a string": {"news/x.md": "---\nchỉ một dòng\n---\n"},
    "title is a list": {"news/x.md": news_item().replace('title: "Hội nghị tổng kết"', "title: [a, b]")},
    "date is a mapping": {"news/x.md": news_item().replace('date: "2024-05-10 09:30"', "date: {y: 2024}")},
    "units empty": {"news/x.md": news_item().replace("unit: xa-c", "units: []")},
    "unit and units": {"news/x.md": news_item(units="[xa-c]")},
    "image from the web": {"news/x.md": news_item(image="https://example.com/a.jpg", image_alt="a")},
    "recursive alias": {"news/x.md": news_item(tags="&a [*a]")},
    "python tag": {"news/x.md": news_item(tags="!!python/object/apply:os.system [ls]")},
    "tab indent": {"news/x.md": "---\ntitle: x\n\tdate: y\n---\n"},
    "duplicate key": {"news/x.md": news_item(title2="x").replace("title2", "title")},
    "deep yaml": {"news/x.md": news_item(tags="[" * 300 + "]" * 300)},
    "page with reserved slug": {"pages/x.md": "---\ntitle: Trang\nslug: tin-tuc\n---\nx\n"},
    "page order text": {"pages/x.md": "---\ntitle: Trang\norder: đầu\n---\nx\n"},
}


@pytest.mark.parametrize("name", sorted(NASTY))
def test_bad_content_never_crashes(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    source = make_site(tmp_path, files=NASTY[name])
    code, err = run_build(source, tmp_path / "out", capsys)
    assert code == 1, err
    errors = errors_of(err)
    assert errors, err
    assert all(path.startswith("content/") for path, _, _ in errors)


@pytest.mark.parametrize("name, site_yaml, units_yaml", [
    ("site.yaml missing", None, UNITS_YAML),
    ("units.yaml missing", SITE_YAML, None),
    ("site.yaml a list", "- a\n- b\n", UNITS_YAML),
    ("units.yaml a mapping", SITE_YAML, "viet-nam: Việt Nam\n"),
    ("per_page text", SITE_YAML.replace("per_page: 5", "per_page: năm"), UNITS_YAML),
    ("unknown timezone", SITE_YAML.replace("Asia/Ho_Chi_Minh", "Asia/Hanoi_City"), UNITS_YAML),
    ("relative base_url", SITE_YAML.replace("https://example.org/ban-tin/", "ban-tin/"), UNITS_YAML),
    ("root unit unknown", SITE_YAML.replace("root_unit: viet-nam", "root_unit: viet-nam-2"), UNITS_YAML),
    ("unit without type", SITE_YAML, UNITS_YAML.replace("      type: tinh\n", "")),
    ("numeric unit id", SITE_YAML, UNITS_YAML.replace("id: tinh-a", "id: '01'").replace("id: xa-moi", "id: xa-moi")),
    ("unknown successor", SITE_YAML, UNITS_YAML.replace("{id: xa-moi,", "{id: xa-moi-2,")),
    ("successor without valid_to", SITE_YAML, UNITS_YAML.replace("      valid_to: 2025-06-30\n", "")),
    ("bad relation", SITE_YAML, UNITS_YAML.replace("merged_into}", "gop_vao}")),
    ("duplicate unit id", SITE_YAML, UNITS_YAML.replace("id: xa-moi", "id: xa-c")),
])
def test_bad_settings_never_crash(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str,
                                  site_yaml: str | None, units_yaml: str | None) -> None:
    source = make_site(tmp_path, site_yaml=site_yaml, units_yaml=units_yaml)
    code, err = run_build(source, tmp_path / "out", capsys)
    assert code == 1, err
    errors = errors_of(err)
    assert errors, err
    assert {path for path, _, _ in errors} <= {"content/site.yaml", "content/units.yaml"}


def test_no_traceback_through_the_real_command(tmp_path: Path) -> None:
    source = make_site(tmp_path, news={"news/a.md": BROKEN_YAML, "news/b.md": b"\xff\xfe".decode("latin-1")},
                       files={"news/c.md": b"---\ntitle: \xff\n---\n"})
    proc = subprocess.run([sys.executable, "-m", "site_builder", "build", "--source", str(source),
                           "--output", str(tmp_path / "out")], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert len(errors_of(proc.stderr)) == 3, proc.stderr


# --- atomic, repeatable output --------------------------------------------------------------------

def test_failed_build_leaves_previous_output_unchanged(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = make_site(tmp_path, news={"news/a.md": news_item(title="Bài A"), "news/b.md": news_item(title="Bài B")})
    out = tmp_path / "out"
    assert run_build(source, out, capsys)[0] == 0
    before = digest_tree(out)
    assert len(before) > 20
    (source / "news/a.md").write_text(news_item(title="Bài A sửa"), encoding="utf-8")  # a change…
    (source / "news/b.md").write_text(BROKEN_YAML, encoding="utf-8")  # …and an error
    code, err = run_build(source, out, capsys)
    assert code == 1
    assert digest_tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != ".cache") == ["content", "out"]  # no staging folder left


def test_template_error_leaves_previous_output_unchanged(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = make_site(tmp_path, news={"news/a.md": news_item(title="Bài A"), "news/b.md": news_item(title="Bài B")})
    out = tmp_path / "out"
    assert run_build(source, out, capsys)[0] == 0
    before = digest_tree(out)
    # a site-level template override that fails while rendering, i.e. after writing has begun
    (source / "templates").mkdir()
    (source / "templates/article.html").write_text(
        '{% extends "base.html" %}\n{% block content %}\n{{ item.khong_co.x }}\n{% endblock %}\n', encoding="utf-8")
    code, err = run_build(source, out, capsys)
    assert code == 1
    errors = errors_of(err)
    assert errors and errors[0][0] == "content/templates/article.html" and errors[0][1] == 3, err
    assert digest_tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != ".cache") == ["content", "out"]


def test_second_build_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = make_site(tmp_path, files={"media/anh.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>"})
    out = tmp_path / "out"
    code, err = run_build(source, out, capsys)
    assert code == 0 and "Không có gì thay đổi" not in err
    before = digest_tree(out)
    stamps = {p: (p.stat().st_mtime_ns, p.stat().st_ino) for p in out.rglob("*") if p.is_file()}
    code, err = run_build(source, out, capsys)
    assert code == 0
    assert "Không có gì thay đổi" in err
    assert digest_tree(out) == before
    assert {p: (p.stat().st_mtime_ns, p.stat().st_ino) for p in out.rglob("*") if p.is_file()} == stamps
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != ".cache") == ["content", "out"]


def test_same_sources_same_bytes_in_another_folder(tmp_path: Path) -> None:
    source = make_site(tmp_path, news={f"news/{n}.md": news_item(title=f"Bài số {n}", date=f"2024-0{n}-1{n} 08:00",
                                                               tags='["Dân vận", "Giám sát"]', category="Đoàn thể")
                                       for n in range(1, 8)})
    build(source, tmp_path / "a", now=NOW)
    build(source, tmp_path / "b", now=NOW)
    assert tree_bytes(tmp_path / "a") == tree_bytes(tmp_path / "b")


def test_change_rewrites_only_what_changed_and_reports_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = make_site(tmp_path)
    out = tmp_path / "out"
    run_build(source, out, capsys)
    (source / "news/2024/hoi-nghi-tong-ket.md").write_text(news_item(body="Nội dung mới.\n"), encoding="utf-8")
    code, err = run_build(source, out, capsys)
    assert code == 0 and "Không có gì thay đổi" not in err
    assert "Nội dung mới." in (out / "tin-tuc/2024/05/hoi-nghi-tong-ket/index.html").read_text("utf-8")


def test_removed_source_disappears_from_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = make_site(tmp_path, news={"news/a.md": news_item(title="Bài A", tags='["Riêng A"]'),
                                       "news/b.md": news_item(title="Bài B")},
                       files={"media/a.svg": "<svg/>"})
    out = tmp_path / "out"
    assert run_build(source, out, capsys)[0] == 0
    assert (out / "tin-tuc/2024/05/bai-a/index.html").is_file()
    assert (out / "the/rieng-a/index.html").is_file()
    assert (out / "media/a.svg").is_file()
    (source / "news/a.md").unlink()
    (source / "media/a.svg").unlink()
    code, err = run_build(source, out, capsys)
    assert code == 0
    assert not (out / "tin-tuc/2024/05/bai-a").exists()
    assert not (out / "the/rieng-a").exists()
    assert not (out / "media/a.svg").exists()
    assert (out / "tin-tuc/2024/05/bai-b/index.html").is_file()
    assert "bai-a" not in (out / "sitemap.xml").read_text("utf-8")


def test_hidden_top_level_files_of_output_survive(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = make_site(tmp_path)
    out = tmp_path / "output"
    out.mkdir()
    (out / ".gitkeep").write_bytes(b"")
    (out / ".well-known").mkdir()
    (out / ".well-known/security.txt").write_text("Contact: mailto:a@example.org\n")
    assert run_build(source, out, capsys)[0] == 0
    (out / "cu.html").write_text("trang cũ")
    assert run_build(source, out, capsys)[0] == 0
    assert (out / ".gitkeep").is_file()
    assert (out / ".well-known/security.txt").read_text() == "Contact: mailto:a@example.org\n"
    assert not (out / "cu.html").exists()
    (source / "news/2024/hoi-nghi-tong-ket.md").write_text(news_item(title="Tiêu đề khác"), encoding="utf-8")
    assert run_build(source, out, capsys)[0] == 0
    assert (out / ".gitkeep").is_file() and (out / ".well-known/security.txt").is_file()


def test_foreign_output_folder_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A folder with files the builder did not make is never replaced: the build stops with exit 2."""
    source = make_site(tmp_path)
    out = tmp_path / "tai-lieu"
    out.mkdir()
    (out / "bao-cao.docx").write_bytes(b"noi dung quan trong")
    before = digest_tree(out)
    code, err = run_build(source, out, capsys)
    assert code == 2
    assert "Lỗi: thư mục kết quả" in err and "bao-cao.docx" in err
    assert digest_tree(out) == before


def test_output_option_and_default(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    source = make_site(tmp_path)
    custom = tmp_path / "noi" / "khac"
    assert run_build(source, custom, capsys)[0] == 0
    assert (custom / "index.html").is_file()
    monkeypatch.chdir(tmp_path)
    assert main(["build"]) == 0  # defaults: --source content --output output
    assert (tmp_path / "output/index.html").is_file()
    assert tree_bytes(tmp_path / "output") == tree_bytes(custom)


# --- command line --------------------------------------------------------------------------------

def cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "site_builder", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=60)


def test_python_m_site_builder_build(tmp_path: Path) -> None:
    source = make_site(tmp_path)
    proc = cli("build", "--source", str(source), "--output", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    assert "Đã xây dựng xong" in proc.stderr
    assert (tmp_path / "out/tin-tuc/2024/05/hoi-nghi-tong-ket/index.html").is_file()
    proc = cli("build", "--source", str(source), "--output", str(tmp_path / "out"))
    assert proc.returncode == 0 and "Không có gì thay đổi" in proc.stderr


@pytest.mark.parametrize("args", [
    ["frobnicate"],
    [],
    ["new", "Hội nghị tiếp xúc cử tri"],
    ["build", "--khong-co"],
])
def test_usage_errors_exit_2(tmp_path: Path, args: list[str]) -> None:
    make_site(tmp_path)
    proc = cli(*args, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr


def test_usage_errors_in_process(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["frobnicate"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["new", "Tiêu đề", "--source", str(tmp_path)])
    assert exc.value.code == 2
    assert main(["build", "--source", str(tmp_path / "khong-co")]) == 2


def test_new_item_is_accepted_by_the_builder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = make_site(tmp_path, news={})
    assert main(["new", "Hội nghị tiếp xúc cử tri", "--unit", "huyen-b", "--source", str(source)]) == 0
    created = list((source / "news").rglob("*.md"))
    assert len(created) == 1
    path = created[0]
    year = path.parent.name
    assert path.name == "hoi-nghi-tiep-xuc-cu-tri.md"
    assert path.parent.parent == source / "news"
    assert year in {str(datetime.now(ZONE).year), str(datetime.now().year)}
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n") and "Hội nghị tiếp xúc cử tri" in text and "huyen-b" in text
    # a draft: hidden from a normal build, shown with --drafts
    out = tmp_path / "out"
    code, err = run_build(source, out, capsys)
    assert code == 0, err
    assert not list(out.glob("tin-tuc/*/*/hoi-nghi-tiep-xuc-cu-tri"))
    code, err = run_build(source, out, capsys, "--drafts")
    assert code == 0, err
    assert "Lỗi" not in err and "Cảnh báo" not in err
    pages = list(out.glob(f"tin-tuc/{year}/*/hoi-nghi-tiep-xuc-cu-tri/index.html"))
    assert len(pages) == 1
    assert "<h1>Hội nghị tiếp xúc cử tri</h1>" in pages[0].read_text("utf-8")
    assert "Huyện B" in pages[0].read_text("utf-8")


def test_new_never_overwrites(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = make_site(tmp_path, news={})
    args = ["new", "Hội nghị tiếp xúc cử tri", "--unit", "huyen-b", "--source", str(source)]
    assert main(args) == 0
    [path] = list((source / "news").rglob("*.md"))
    path.write_text(path.read_text(encoding="utf-8") + "\nĐoạn biên tập viên đã viết.\n", encoding="utf-8")
    edited = path.read_bytes()
    capsys.readouterr()
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "Lỗi" in err and path.name in err
    assert path.read_bytes() == edited
    assert len(list((source / "news").rglob("*.md"))) == 1


def test_new_with_unknown_unit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = make_site(tmp_path, news={})
    assert main(["new", "Tiêu đề", "--unit", "huyen-z", "--source", str(source)]) == 1
    assert '"huyen-z"' in capsys.readouterr().err
    assert sorted(p.name for p in source.iterdir()) == ["site.yaml", "units.yaml"]


def test_new_via_subprocess(tmp_path: Path) -> None:
    source = make_site(tmp_path, news={})
    proc = cli("new", "Hội nghị tiếp xúc cử tri", "--unit", "huyen-b", "--source", str(source))
    assert proc.returncode == 0, proc.stderr
    assert len(list((source / "news").glob("*/hoi-nghi-tiep-xuc-cu-tri.md"))) == 1
    proc = cli("new", "Hội nghị tiếp xúc cử tri", "--unit", "huyen-b", "--source", str(source))
    assert proc.returncode == 1


# --- bugs found by the first test pass, now fixed --------------------------------------------------------------

def test_item_with_unsluggable_title_is_not_silently_dropped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = make_site(tmp_path, news={"news/2024/a.md": news_item(title="???"),
                                       "news/2024/b.md": news_item(title="Bài khác")})
    code, err = run_build(source, tmp_path / "out", capsys)
    assert code == 1
    assert errors_of(err) == [("content/news/2024/a.md", 2,
                               'tiêu đề "???" không tạo được đường dẫn (không có chữ cái Latin hay chữ số).')]
    assert not (tmp_path / "out").exists()


def test_deeply_nested_markdown_does_not_crash(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = "".join("    " * depth + "- mục\n" for depth in range(400))
    source = make_site(tmp_path, news={"news/a.md": news_item(body=body)})
    code, err = run_build(source, tmp_path / "out", capsys)  # raised RecursionError once
    assert code == 0, err
    article = html.fromstring((tmp_path / "out/tin-tuc/2024/05/hoi-nghi-tong-ket/index.html").read_bytes())
    assert article.xpath("//main//ul/li")[0].text.strip() == "mục"


def test_control_character_in_front_matter_is_removed_with_a_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An invisible control character (pasted from a PDF) is dropped, and the warning names file and line."""
    source = make_site(tmp_path, news={"news/a.md": news_item(title="Hội nghị\u0002 tổng kết")})
    code, err = run_build(source, tmp_path / "out", capsys)
    assert code == 0, err
    assert "content/news/a.md:2: Cảnh báo: tệp có ký tự điều khiển" in err
    page = next((tmp_path / "out/tin-tuc").glob("*/*/*/index.html")).read_text("utf-8")
    assert "Hội nghị tổng kết" in page and "\u0002" not in page


def test_control_character_in_body_does_not_break_the_feed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = make_site(tmp_path, news={"news/a.md": news_item(body="Nội dung\u001b bài viết.\n")})
    code, err = run_build(source, tmp_path / "out", capsys)
    assert code == 0, err
    assert "content/news/a.md:7: Cảnh báo: tệp có ký tự điều khiển" in err
    data = (tmp_path / "out/feed.xml").read_bytes()
    assert b"\x1b" not in data and "Nội dung bài viết.".encode() in data
    etree.fromstring(data)
    assert feedparser.parse(data).bozo == 0


def test_output_equal_to_source_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = make_site(tmp_path)
    before = digest_tree(source)
    capsys.readouterr()
    code = main(["build", "--source", str(source), "--output", str(source)])
    assert code == 2
    assert "trùng hoặc chứa thư mục nguồn" in capsys.readouterr().err
    assert digest_tree(source) == before


def test_output_containing_source_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "du-an"
    source = make_site(project)
    (project / "README.md").write_text("tài liệu\n", encoding="utf-8")
    before = digest_tree(project)
    capsys.readouterr()
    code = main(["build", "--source", str(source), "--output", str(project)])
    assert code == 2
    assert "trùng hoặc chứa thư mục nguồn" in capsys.readouterr().err
    assert digest_tree(project) == before


def test_image_path_cannot_leave_media(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = make_site(tmp_path, news={"news/a.md": news_item(image="media/../units.yaml", image_alt="Ảnh")},
                       files={"media/that.svg": "<svg/>"})
    code, err = run_build(source, tmp_path / "out", capsys)
    assert code == 1
    assert errors_of(err) == [("content/news/a.md", 5, 'không tìm thấy ảnh "media/../units.yaml".')]
    assert not (tmp_path / "out").exists()


def test_unsluggable_category_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = make_site(tmp_path, news={"news/a.md": news_item(category='"!!!"')})
    code, err = run_build(source, tmp_path / "out", capsys)
    assert code == 1 and "content/news/a.md:5" in err


def test_new_with_backslash_in_title(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = make_site(tmp_path, news={})
    assert main(["new", "Báo cáo 1\\2", "--unit", "huyen-b", "--source", str(source)]) == 0
    code, err = run_build(source, tmp_path / "out", capsys, "--drafts")
    assert code == 0, err
    assert "Báo cáo 1\\2" in next((tmp_path / "out/tin-tuc").glob("*/*/*/index.html")).read_text("utf-8")


def test_new_with_unsluggable_title(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = make_site(tmp_path, news={})
    code = main(["new", "???", "--unit", "huyen-b", "--source", str(source)])
    assert code == 2
    assert 'tiêu đề "???" không tạo được tên tệp' in capsys.readouterr().err
    assert sorted(p.name for p in source.iterdir()) == ["site.yaml", "units.yaml"]


def test_problems_are_printed_to_the_current_stderr(tmp_path: Path) -> None:
    import contextlib
    import io

    from site_builder.base.errors import Problems
    from site_builder.cli.report import print_problems

    problems = Problems(root=tmp_path / "content")
    problems.error(tmp_path / "content/news/a.md", 3, "lỗi thử.")
    buffer = io.StringIO()
    with contextlib.redirect_stderr(buffer):
        print_problems(problems)
    assert "content/news/a.md:3: Lỗi: lỗi thử." in buffer.getvalue()
