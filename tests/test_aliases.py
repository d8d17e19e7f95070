"""Published links keep working: an item's former addresses (`aliases:`) become small redirect
pages, checked like any address; a build that finds an item moved since it was last published
warns with the exact `aliases:` line to add, and never edits the source itself."""
from __future__ import annotations

import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import lxml.html
import pytest
from conftest import NOW, make_site, news_item
from test_html_valid import _checker, read_report

from site_builder.base.errors import BuildFailed, Level
from site_builder.build.builder import Builder, build, check

if TYPE_CHECKING:
    from playwright.sync_api import Browser

ITEM = "news/2024/hoi-nghi-tong-ket.md"
NEW_URL = "tin-tuc/2024/05/hoi-nghi-tong-ket/"
OLD = "/tin-tuc/2020/08/ten-cu/"
ALIAS_LINE = 5  # the file line of the first extra front matter key in `news_item`


def _site(tmp_path: Path, aliases: str, more: dict[str, str] | None = None) -> Path:
    return make_site(tmp_path, news={ITEM: news_item(aliases=aliases), **(more or {})})


def test_an_alias_is_a_redirect_page_to_the_item(tmp_path: Path) -> None:
    source = _site(tmp_path, f'["{OLD}", "https://example.org/ban-tin/tin-tuc/2019/01/ten-cu-hon"]')
    output = tmp_path / "output"
    result = build(source, output, now=NOW)
    assert [p.format() for p in result.problems.items] == []
    for old, back in ((OLD, "../../../../"), ("/tin-tuc/2019/01/ten-cu-hon/", "../../../../")):
        doc = lxml.html.fromstring((output / old.lstrip("/") / "index.html").read_bytes())
        assert doc.xpath("/html/@lang") == ["vi"]
        assert doc.xpath("//meta[@http-equiv='refresh']/@content") == [f"0; url={back}{NEW_URL}"]
        assert doc.xpath("//link[@rel='canonical']/@href") == ["https://example.org/ban-tin/" + NEW_URL]
        assert doc.xpath("//meta[@name='robots']/@content") == ["noindex"]
        assert " ".join(doc.xpath("string(//main/p)").split()) == (
            "Bài viết đã chuyển đến địa chỉ mới: https://example.org/ban-tin/" + NEW_URL)
        assert doc.xpath("//main/p/a/@href") == [back + NEW_URL]
        assert (output / old.lstrip("/")).joinpath(back, NEW_URL, "index.html").resolve().is_file()
    sitemap = (output / "sitemap.xml").read_text(encoding="utf-8")
    assert "ten-cu" not in sitemap and NEW_URL in sitemap
    # the redirect page is valid HTML (the Nu checker)
    pages = [str(output / old.lstrip("/") / "index.html") for old in (OLD, "/tin-tuc/2019/01/ten-cu-hon/")]
    run = subprocess.run(_checker() + ["--errors-only", "--format", "json", *pages],
                         capture_output=True, text=True, timeout=120)
    assert read_report(run.returncode, run.stderr) == {}


def test_an_alias_is_not_searched(tmp_path: Path) -> None:
    from site_builder.plan.pages import SearchIndex
    source = _site(tmp_path, f'["{OLD}"]')
    site, planned = Builder(source, tmp_path / "output", use_cache=False).plan(NOW)
    index = next(e for e in planned if isinstance(e, SearchIndex))
    assert [e.url for e in index.entries if "ten-cu" in e.url] == []


@pytest.mark.parametrize("alias, message", [
    ('"tin-tuc/2020/08/ten-cu/"', 'địa chỉ cũ "tin-tuc/2020/08/ten-cu/" trong aliases không đúng dạng'),
    ('"/tin-tuc/2020/08/tên cũ/"', 'địa chỉ cũ "/tin-tuc/2020/08/tên cũ/" trong aliases không đúng dạng'),
    ('"/tin-tuc/x/?a=1"', 'địa chỉ cũ "/tin-tuc/x/?a=1" trong aliases không đúng dạng'),
    ('"/tin-tuc//x/"', 'địa chỉ cũ "/tin-tuc//x/" trong aliases không đúng dạng'),
    ('"/tin-tuc/x.html"', 'địa chỉ cũ "/tin-tuc/x.html" trong aliases không đúng dạng'),
    ('"https://evil.example/x/"', 'địa chỉ cũ "https://evil.example/x/" trong aliases không đúng dạng'),
    ('"/../../etc/"', 'địa chỉ cũ "/../../etc/" trong aliases đi ra ngoài trang'),
    ('"/tin-tuc/./x/"', 'địa chỉ cũ "/tin-tuc/./x/" trong aliases đi ra ngoài trang'),
    ('"/"', 'địa chỉ cũ "/" trong aliases không đúng dạng'),
    ('"/media/2020/"', 'địa chỉ cũ "/media/2020/" trong aliases nằm trong thư mục "media/"'),
    ('"/static/"', 'địa chỉ cũ "/static/" trong aliases nằm trong thư mục "static/"'),
    (f'"/{NEW_URL}"', f'địa chỉ cũ "/{NEW_URL}" trong aliases trùng với địa chỉ của chính bài này'),
    ('"/don-vi/xa-c/"', 'địa chỉ cũ "/don-vi/xa-c/" trong aliases trùng với địa chỉ của một trang đang có (units.yaml)'),
    ('"/tin-tuc/"', 'địa chỉ cũ "/tin-tuc/" trong aliases trùng với địa chỉ của một trang đang có (news/)'),
])
def test_a_bad_alias_is_an_error_at_its_line_in_build_and_check(tmp_path: Path, alias: str, message: str) -> None:
    source = _site(tmp_path, f"[{alias}]")
    for run in (lambda: build(source, tmp_path / "output", now=NOW), lambda: check(source, now=NOW)):
        with pytest.raises(BuildFailed) as failed:
            run()
        errors = failed.value.problems.errors
        assert [(e.path, e.line, e.message.startswith(message)) for e in errors] == [
            (f"content/{ITEM}", ALIAS_LINE, True)], [e.format() for e in errors]
        assert errors[0].hint.startswith("Hãy ")
    assert not (tmp_path / "output").exists()


def test_two_items_with_one_alias_is_an_error(tmp_path: Path) -> None:
    other = news_item(title="Bài khác", date="2024-05-11 08:00", aliases=f'["{OLD}"]')  # listed first
    source = _site(tmp_path, f'["{OLD}"]', {"news/2024/bai-khac.md": other})
    with pytest.raises(BuildFailed) as failed:
        build(source, tmp_path / "output", now=NOW)
    assert [(e.path, e.line, e.message) for e in failed.value.problems.errors] == [
        (f"content/{ITEM}", ALIAS_LINE,
         f'địa chỉ cũ "{OLD}" trong aliases đã là địa chỉ cũ của bài news/2024/bai-khac.md.')]


def _moved(result_items: list, path: str) -> list[tuple[int | None, str, str]]:
    return [(p.line, p.message, p.hint) for p in result_items
            if p.level is Level.WARNING and p.path == path and "đổi địa chỉ" in p.message]


def test_a_moved_item_is_warned_with_the_line_to_add(tmp_path: Path) -> None:
    source = make_site(tmp_path)
    output = tmp_path / "output"
    item = source / ITEM
    assert _moved(build(source, output, now=NOW).problems.items, f"content/{ITEM}") == []
    item.write_text(item.read_text(encoding="utf-8").replace("Hội nghị tổng kết", "Hội nghị sơ kết"), encoding="utf-8")
    edited = item.read_bytes()
    expected = [(2, f"bài đã đổi địa chỉ từ /{NEW_URL} sang /tin-tuc/2024/05/hoi-nghi-so-ket/: "
                    "liên kết cũ (đã đăng, đã chia sẻ) sẽ hỏng.",
                 f'Hãy thêm vào phần thông tin đầu bài dòng: aliases: ["/{NEW_URL}"]')]
    assert _moved(build(source, output, now=NOW).problems.items, f"content/{ITEM}") == expected
    assert _moved(check(source, now=NOW).items, f"content/{ITEM}") == expected   # check says it too
    assert _moved(build(source, output, now=NOW).problems.items, f"content/{ITEM}") == expected  # until fixed
    assert item.read_bytes() == edited                                           # the source is never edited
    item.write_text(item.read_text(encoding="utf-8").replace("unit: xa-c", f'unit: xa-c\naliases: ["/{NEW_URL}"]'),
                    encoding="utf-8")
    result = build(source, output, now=NOW)
    assert _moved(result.problems.items, f"content/{ITEM}") == []
    redirect = (output / NEW_URL / "index.html").read_text(encoding="utf-8")
    assert 'content="0; url=../../../../tin-tuc/2024/05/hoi-nghi-so-ket/"' in redirect


def test_an_item_moved_to_another_month_is_warned_at_its_date(tmp_path: Path) -> None:
    source = _site(tmp_path, '["/tin-tuc/2023/01/cu/"]')
    output = tmp_path / "output"
    build(source, output, now=NOW)
    item = source / ITEM
    item.write_text(item.read_text(encoding="utf-8").replace("2024-05-10", "2024-06-02"), encoding="utf-8")
    assert _moved(build(source, output, now=NOW).problems.items, f"content/{ITEM}") == [
        (3, f"bài đã đổi địa chỉ từ /{NEW_URL} sang /tin-tuc/2024/06/hoi-nghi-tong-ket/: "
            "liên kết cũ (đã đăng, đã chia sẻ) sẽ hỏng.",
         f'Hãy sửa dòng aliases thành: aliases: ["/tin-tuc/2023/01/cu/", "/{NEW_URL}"]')]


def test_the_redirect_page_passes_axe(tmp_path: Path, browser: Browser) -> None:
    """Read before the browser moves on (or where refresh is off): accessible, any impact."""
    from test_accessibility import AXE

    source = _site(tmp_path, f'["{OLD}"]')
    output = tmp_path / "output"
    build(source, output, now=NOW)
    context = browser.new_context(java_script_enabled=True)
    try:
        tab = context.new_page()
        html = (output / OLD.lstrip("/") / "index.html").read_text(encoding="utf-8")
        tab.set_content(html.replace('<meta http-equiv="refresh"', '<meta name="x-refresh-off"'))
        tab.add_script_tag(path=str(AXE))
        found = tab.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']}))
            .violations.map(v => v.id)""")
        assert found == []
    finally:
        context.close()
