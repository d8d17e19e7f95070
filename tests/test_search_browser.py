"""Search in a real browser: Debian's chromium driven by Playwright, the site served on 127.0.0.1
under a sub-path. Queries typed without diacritics must find Vietnamese text, "đ" included."""
from __future__ import annotations

import shutil
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import pytest
from conftest import SAMPLE, http_server, news_item

from site_builder.build.builder import build

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page


EXTRA = {
    "news/2024/dang-uy.md": news_item(
        title="Đảng ủy xã Đức Thọ họp bàn công tác dân vận", date="2024-05-03 08:00", unit="xa-hanh-son",
        category="Dân vận", body="Đảng ủy xã Đức Thọ họp cùng Đoàn Thanh niên và Hội Phụ nữ bàn việc hoà giải ở cơ sở.\n"),
    "news/2024/hoa-giai.md": news_item(
        title="Tổ hòa giải ở khu dân cư", date="2024-05-04 08:00", unit="phuong-mong-cai-1",
        category="Dân vận", body="Người dân tham gia hòa giải mâu thuẫn và làm thủy lợi nội đồng.\n"),
    "news/2024/thuy-loi.md": news_item(
        title=unicodedata.normalize("NFD", "Công trình thuỷ lợi Mường Lò"), date="2024-05-05 08:00",
        unit="tx-nghia-lo", category="Hoạt động Mặt trận",
        body=unicodedata.normalize("NFD", "Bà con góp công làm mương thuỷ lợi.\n")),
}


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sample plus three purpose-made items, built and served at http://127.0.0.1:PORT/ban-tin/."""
    root = tmp_path_factory.mktemp("search")
    source = root / "content"
    shutil.copytree(SAMPLE, source)
    for rel, text in EXTRA.items():
        (source / rel).parent.mkdir(parents=True, exist_ok=True)
        (source / rel).write_text(text, encoding="utf-8")
    build(source, root / "host" / "ban-tin")
    with http_server(root / "host") as origin:
        yield origin + "ban-tin/"


@pytest.fixture
def page(browser: Browser, site_url: str) -> Iterator[Page]:
    """A fresh page that records every request; none may leave the site's sub-path."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    requests: list[str] = []
    tab.on("request", lambda r: requests.append(r.url))
    yield tab
    context.close()
    outside = [url for url in requests if not url.startswith(site_url)]
    assert outside == []


def search(page: Page, site_url: str, query: str, **filters: str) -> list[dict[str, str]]:
    params = "&".join(f"{k}={quote(v)}" for k, v in {"q": query, **filters}.items())
    page.goto(f"{site_url}tim-kiem/?{params}")
    page.wait_for_function(
        "document.querySelectorAll('#ket-qua li').length > 0"
        " || document.getElementById('trang-thai').textContent.startsWith('Không')", timeout=20000)
    return page.eval_on_selector_all("#ket-qua li", """items => items.map(li => ({
        title: li.querySelector('h2').textContent, href: li.querySelector('a').getAttribute('href'),
        meta: li.querySelector('.meta').textContent, excerpt: li.querySelector('.excerpt').innerHTML}))""")


@pytest.mark.parametrize("query, expected", [
    ("duc tho", "Đảng ủy xã Đức Thọ họp bàn công tác dân vận"),
    ("dang uy", "Đảng ủy xã Đức Thọ họp bàn công tác dân vận"),
    ("DANG UY DUC THO", "Đảng ủy xã Đức Thọ họp bàn công tác dân vận"),
    ("thuy loi muong lo", "Công trình thuỷ lợi Mường Lò"),
    ("thủy lợi mường lò", "Công trình thuỷ lợi Mường Lò"),
    ("hanh son", "Xã Hạnh Sơn"),
    ("mong cai 1", "Phường Móng Cái 1"),
])
def test_query_without_diacritics_finds_vietnamese_text(page: Page, site_url: str, query: str, expected: str) -> None:
    results = search(page, site_url, query)
    assert results, query
    assert results[0]["title"] == expected


def test_doan_thanh_nien_finds_the_organisation(page: Page, site_url: str) -> None:
    titles = [r["title"] for r in search(page, site_url, "doan thanh nien")]
    assert "Đảng ủy xã Đức Thọ họp bàn công tác dân vận" in titles[:5]


def test_exact_tone_placement_ranks_first_but_both_are_found(page: Page, site_url: str) -> None:
    new_style = [r["title"] for r in search(page, site_url, "hoà giải")]
    old_style = [r["title"] for r in search(page, site_url, "hòa giải")]
    both = {"Đảng ủy xã Đức Thọ họp bàn công tác dân vận", "Tổ hòa giải ở khu dân cư"}
    assert both <= set(new_style[:4]) and both <= set(old_style[:4])
    assert new_style[0] == "Đảng ủy xã Đức Thọ họp bàn công tác dân vận"   # written "hoà"
    assert old_style[0] == "Tổ hòa giải ở khu dân cư"                       # written "hòa"


def test_nfd_query_finds_like_nfc(page: Page, site_url: str) -> None:
    nfc_titles = [r["title"] for r in search(page, site_url, "Mường Lò")]
    nfd_titles = [r["title"] for r in search(page, site_url, unicodedata.normalize("NFD", "Mường Lò"))]
    assert nfc_titles and nfc_titles == nfd_titles
    assert all(unicodedata.is_normalized("NFC", t) for t in nfc_titles)


def test_results_show_title_date_unit_and_marked_excerpt(page: Page, site_url: str) -> None:
    first = search(page, site_url, "duc tho")[0]
    assert first["href"] == "/ban-tin/tin-tuc/2024/05/dang-uy-xa-duc-tho-hop-ban-cong-tac-dan-van/"
    assert "Bài viết" in first["meta"] and "03/05/2024" in first["meta"] and "Xã Hạnh Sơn" in first["meta"]
    assert "<mark>Đức</mark>" in first["excerpt"] and "<mark>Thọ</mark>" in first["excerpt"]
    page.click("#ket-qua li a")
    page.wait_for_load_state()
    assert page.url.endswith("/ban-tin/tin-tuc/2024/05/dang-uy-xa-duc-tho-hop-ban-cong-tac-dan-van/")
    assert page.locator("h1").text_content() == first["title"]


def test_filters_narrow_the_results(page: Page, site_url: str) -> None:
    everything = search(page, site_url, "mat tran")
    mong_cai = search(page, site_url, "mat tran", **{"don-vi": "tp-mong-cai"})
    assert 0 < len(mong_cai) < len(everything)
    assert all("Móng Cái" in r["meta"] or "Hải Sơn" in r["meta"] or "Vĩnh" in r["meta"]
               or "Trần Phú" in r["meta"] for r in mong_cai)
    year = search(page, site_url, "mat tran", nam="2018")
    assert 0 < len(year) < len(everything) and all("2018" in r["meta"] for r in year)
    category = search(page, site_url, "dan van", **{"chuyen-muc": "dan-van"})
    assert category and all(r["meta"].startswith("Bài viết") for r in category)
    province = search(page, site_url, "hoa giai", **{"don-vi": "tinh-quang-ninh"})
    assert "Tổ hòa giải ở khu dân cư" in [r["title"] for r in province]      # a ward under the province
    assert "Đảng ủy xã Đức Thọ họp bàn công tác dân vận" not in [r["title"] for r in province]


def test_filter_form_and_header_box_submit_to_the_search_page(page: Page, site_url: str) -> None:
    page.goto(site_url + "gioi-thieu/")
    page.fill("#tim-nhanh", "giam sat")
    page.press("#tim-nhanh", "Enter")
    page.wait_for_selector("#ket-qua li")
    assert "/ban-tin/tim-kiem/?q=giam+sat" in page.url
    assert page.input_value("#q") == "giam sat"
    page.select_option("#nam", "2020")
    page.click("#tim-kiem button[type=submit]")
    page.wait_for_selector("#ket-qua li")
    assert "nam=2020" in page.url
    metas = page.eval_on_selector_all("#ket-qua .meta", "els => els.map(e => e.textContent)")
    assert metas and all("2020" in m for m in metas)


def test_search_page_fits_a_360px_phone(browser: Browser, site_url: str) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    tab = context.new_page()
    tab.goto(f"{site_url}tim-kiem/?q=mat+tran")
    tab.wait_for_selector("#ket-qua li")
    assert tab.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()


def test_without_javascript_the_page_says_so_politely(browser: Browser, site_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(f"{site_url}tim-kiem/?q=mat+tran")
    notice = tab.locator("main p.warning")
    assert notice.count() == 1 and notice.is_visible()
    assert notice.inner_text() == "Trang tìm kiếm cần bật JavaScript. Bạn có thể xem Lưu trữ."
    link = notice.locator("a")
    assert (link.inner_text(), link.get_attribute("href")) == ("Lưu trữ", "../luu-tru/")
    assert tab.locator("#ket-qua li").count() == 0
    context.close()


def test_a_site_cut_into_small_parts_finds_across_them_and_loads_one_year_when_filtered(
        browser: Browser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Parts of at most 3 articles (the sample's 2020 is cut in three): a search finds articles of
    every part, the same as the whole index would; with a year chosen only that year's parts load."""
    from site_builder.write import search_parts
    monkeypatch.setattr(search_parts, "PART_SIZE", 3)
    build(shutil.copytree(SAMPLE, tmp_path / "content"), tmp_path / "host" / "ban-tin")
    assert (tmp_path / "host" / "ban-tin" / "pagefind" / "2020-07-07" / "pagefind-entry.json").is_file()
    with http_server(tmp_path / "host") as origin:
        context = browser.new_context()
        tab = context.new_page()
        requests: list[str] = []
        tab.on("request", lambda r: requests.append(r.url))
        for slug, part in [("giam-sat-chinh-sach-ho-tro-covid", "2020/06"), ("tranh-tuong-va-du-lich", "2018/05"),
                           ("van-yen-mat-tran-huyen-cung-cac-doan-the", "2020/08"),
                           ("mat-tran-tinh-lao-cai-moi-on-dinh", "2025/07")]:
            hrefs = [r["href"] for r in search(tab, origin + "ban-tin/", slug.replace("-", " "))]
            assert any(f"/tin-tuc/{part}/{slug}" in h for h in hrefs[:3]), (slug, hrefs)
        merged = {url.split("/pagefind/")[1].split("/")[0] for url in requests if "pagefind-entry.json" in url}
        assert {"2020-01-06", "2020-07-07", "2020-08-12", "2018"} <= merged
        requests.clear()
        july = search(tab, origin + "ban-tin/", "mat tran", nam="2020")
        assert july and all("2020" in r["meta"] for r in july)
        merged = {url.split("/pagefind/")[1].split("/")[0] for url in requests if "pagefind-entry.json" in url}
        assert merged and all(part.startswith(("2020", "pagefind-entry.json")) for part in merged)
        context.close()
