"""A light site for cheap phones on slow networks: the home page with its CSS and scripts under
60 KB compressed, no fonts or styles from other hosts, every image with its width and height and
lazy-loaded unless it is an article's lead image; in chromium, at 1280×800 and 360×740, every
image below the fold lazy and none above it; and the image sizes themselves
(site_builder/images.py), read from PNG, JPEG, GIF, WebP and SVG files."""
from __future__ import annotations

import gzip
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
from conftest import VIEWPORTS, make_site, news_item, reader_pages
from lxml import html
from PIL import Image

from site_builder.cli.main import main
from site_builder.load.images import dimensions

if TYPE_CHECKING:
    from playwright.sync_api import Browser

BUDGET = 60 * 1024
# nginx's default gzip_comp_level is 1, the weakest: a size that fits at level 1 fits at any level.
GZIP_LEVEL = 1
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)""", re.I)
_CSS_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*['"]?([^'")\s;]+)""", re.I)


def _pages(out: Path) -> list[Path]:
    # the editor's desk (conftest.DESK_FOLDER) is Decap CMS, a 6 MB program editors load once, not a reader's page
    return [p for p in reader_pages(out) if "pagefind" not in p.relative_to(out).parts]


def _local(url: str) -> bool:
    """True for an address on this site: no scheme and no host ("../static/a.css", "/ban-tin/x")."""
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc


def _resolve(out: Path, page: Path, url: str) -> Path:
    path = urlsplit(url).path
    return (page.parent / path).resolve()


def home_resources(out: Path) -> list[Path]:
    """The home page's stylesheets, scripts and module preloads, as files of the output."""
    page = out / "index.html"
    doc = html.parse(str(page))
    urls = doc.xpath("//link[@rel='stylesheet' or @rel='modulepreload' or @rel='preload']/@href | //script/@src")
    assert all(_local(u) for u in urls), urls
    return [_resolve(out, page, u) for u in dict.fromkeys(urls)]


def test_home_page_with_its_css_and_scripts_is_under_60_kb_gzipped(built_sample: Path) -> None:
    files = [built_sample / "index.html", *home_resources(built_sample)]
    assert any(f.suffix == ".css" for f in files)
    sizes = {f.relative_to(built_sample).as_posix(): len(gzip.compress(f.read_bytes(), GZIP_LEVEL)) for f in files}
    total = sum(sizes.values())
    assert total < BUDGET, f"{total} bytes gzipped (level {GZIP_LEVEL}): {sizes}"


def test_no_styles_fonts_or_scripts_from_other_hosts(built_sample: Path) -> None:
    outside: list[str] = []
    for page in _pages(built_sample):
        doc = html.parse(str(page))
        for link in doc.xpath("//link[@href]"):
            rel = (link.get("rel") or "").lower().split()
            if set(rel) & {"canonical", "alternate"}:      # addresses, never fetched by a reader's browser
                continue
            if not _local(link.get("href")):
                outside.append(f"{page.name}: <link rel={rel}> {link.get('href')}")
        outside += [f"{page.name}: <script> {s}" for s in doc.xpath("//script/@src") if not _local(s)]
        outside += [f"{page.name}: style {s}" for s in doc.xpath("//style/text() | //@style")
                    if any(not _local(u) for u in _CSS_URL.findall(s) + _CSS_IMPORT.findall(s))]
    for css in sorted((built_sample / "static").rglob("*.css")):
        text = css.read_text(encoding="utf-8")
        urls = _CSS_URL.findall(text) + _CSS_IMPORT.findall(text)
        outside += [f"{css.name}: {u}" for u in urls if not _local(u) and not u.startswith("data:")]
        assert "@import" not in text or all(_local(u) for u in _CSS_IMPORT.findall(text))
    assert outside == []


def test_every_image_has_its_size_and_only_lead_images_load_eagerly(built_sample: Path) -> None:
    """An article's lead image (`article > figure > img`) may load at once; images in bodies
    and anywhere else load lazily. Width and height match the file."""
    problems: list[str] = []
    seen = 0
    for page in _pages(built_sample):
        doc = html.parse(str(page))
        leads = set(doc.xpath("//article/figure/img"))
        for img in doc.xpath("//img"):
            seen += 1
            where = f"{page.relative_to(built_sample)}: {img.get('src')}"
            if not (img.get("width") and img.get("height")):
                problems.append(f"{where} has no width/height")
                continue
            if img not in leads and img.get("loading") != "lazy":
                problems.append(f"{where} is not lazy")
            target = _resolve(built_sample, page, img.get("src"))
            if target.is_file() and dimensions(target) != (int(img.get("width")), int(img.get("height"))):
                problems.append(f"{where}: {img.get('width')}×{img.get('height')} ≠ {dimensions(target)}")
    assert seen >= 3, "the sample should show a lead image and body images"
    assert problems == []


# Where each image of the page sits once laid out (no scrolling), and whether it waits to be seen.
_IMAGES = """() => [...document.images].filter(i => i.getClientRects().length > 0).map(i => ({
    src: i.getAttribute('src'), top: i.getBoundingClientRect().top + window.scrollY,
    lazy: i.getAttribute('loading') === 'lazy'}))"""


def fold_problems(browser: Browser, pages: list[Path], viewport: str) -> tuple[list[str], int]:
    """Images on the wrong side of the fold (eager below it, lazy above it) in `pages` opened
    from disk at `viewport`, and how many images there were."""
    size = VIEWPORTS[viewport]
    context = browser.new_context(viewport=size, is_mobile=viewport == "360", has_touch=viewport == "360")
    problems: list[str] = []
    seen = 0
    try:
        page = context.new_page()
        page.route("http*://**", lambda route: route.abort())   # nothing from other hosts
        for path in pages:
            page.goto(path.resolve().as_uri(), wait_until="load")
            for img in page.evaluate(_IMAGES):
                seen += 1
                below = img["top"] >= size["height"]
                if below != img["lazy"]:
                    problems.append(f"{path.parent.name} at {viewport}: {img['src']} top {img['top']:.0f} px, "
                                    f"{'eager below' if below else 'lazy above'} the fold")
    finally:
        context.close()
    return problems, seen


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_images_below_the_fold_and_only_those_load_lazily(built_sample: Path, browser: Browser,
                                                          viewport: str) -> None:
    """Lazy loading follows where images really are: a lead image at the top of its article loads
    at once, everything further down waits for the reader to scroll."""
    pages = [p for p in _pages(built_sample) if b"<img" in p.read_bytes()]
    assert len(pages) >= 2, "the sample should have articles with images"
    problems, seen = fold_problems(browser, pages, viewport)
    assert seen >= 3
    assert problems == []


def test_the_fold_check_sees_an_eager_image_below_the_fold(tmp_path: Path, browser: Browser) -> None:
    """The check is real: an image far down without loading="lazy" fails it, as does a lazy one on top."""
    page = tmp_path / "trang" / "index.html"
    page.parent.mkdir()
    page.write_text('<!DOCTYPE html><html lang="vi"><title>Thử</title>'
                    '<img src="a.png" alt="" width="10" height="10" loading="lazy">'
                    '<div style="height: 2000px"></div><img src="b.png" alt="" width="10" height="10">',
                    encoding="utf-8")
    problems, seen = fold_problems(browser, [page], "360")
    assert seen == 2
    assert [p.split(": ", 1)[1].split(" top")[0] for p in problems] == ["a.png", "b.png"]


# --- image sizes -------------------------------------------------------------------------------

@pytest.mark.parametrize("suffix, fmt", [(".png", "PNG"), (".jpg", "JPEG"), (".gif", "GIF"), (".webp", "WEBP")])
def test_raster_sizes(tmp_path: Path, suffix: str, fmt: str) -> None:
    path = tmp_path / f"anh{suffix}"
    Image.new("RGB", (123, 45), "#a50e15").save(path, fmt)
    assert dimensions(path) == (123, 45)


SVG = '<svg xmlns="http://www.w3.org/2000/svg" {}><rect width="1" height="1"/></svg>'


@pytest.mark.parametrize("attributes, expected", [
    ('width="640" height="360"', (640, 360)),
    ('width="640px" height="360.4px" viewBox="0 0 10 10"', (640, 360)),
    ('viewBox="0 0 720 300"', (720, 300)),
    ('viewBox="0,0,720,300"', (720, 300)),
    ('width="100%" height="100%" viewBox="0 0 720 300"', (720, 300)),
    ('width="360" viewBox="0 0 720 300"', (360, 150)),
    ('width="10em" height="5em"', None),
    ("", None),
    ('viewBox="0 0 0 300"', None),
])
def test_svg_sizes(tmp_path: Path, attributes: str, expected: tuple[int, int] | None) -> None:
    path = tmp_path / "hinh.svg"
    path.write_text(SVG.format(attributes), encoding="utf-8")
    assert dimensions(path) == expected


@pytest.mark.parametrize("text", [
    # billion laughs: refused before any parsing, never expanded
    '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><svg xmlns="http://www.w3.org/2000/svg" width="1" height="1">&c;</svg>',
    '<!DOCTYPE svg SYSTEM "file:///etc/passwd"><svg width="1" height="1"/>',
    '<svg width="1" height="1"',                        # broken XML
    '<html width="1" height="1"></html>',               # not an SVG
])
def test_unsafe_or_broken_svg_gives_no_size(tmp_path: Path, text: str) -> None:
    path = tmp_path / "hinh.svg"
    path.write_text(text, encoding="utf-8")
    assert dimensions(path) is None


def test_broken_or_unknown_files_give_no_size(tmp_path: Path) -> None:
    (tmp_path / "hong.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    (tmp_path / "anh.bmp").write_bytes(b"BM")
    (tmp_path / "rong.jpg").write_bytes(b"")
    assert dimensions(tmp_path / "hong.png") is None
    assert dimensions(tmp_path / "anh.bmp") is None
    assert dimensions(tmp_path / "rong.jpg") is None
    assert dimensions(tmp_path / "khong-co.png") is None


def _build(source: Path, output: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["build", "--source", str(source), "--output", str(output)])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def test_body_and_lead_images_are_sized_in_the_built_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    png = tmp_path / "anh.png"
    Image.new("RGB", (300, 200), "#eeeeee").save(png)
    body = "Đoạn mở đầu.\n\n![Ảnh trong bài](media/2024/trong-bai.png)\n\n![Ảnh ở nơi khác](https://example.org/a.png)\n"
    source = make_site(tmp_path, news={"news/2024/x.md": news_item(
        body=body, image="media/2024/dau-bai.svg", image_alt="Ảnh đầu bài")}, files={
        "media/2024/trong-bai.png": png.read_bytes(),
        "media/2024/dau-bai.svg": SVG.format('viewBox="0 0 800 450"')})
    code, err = _build(source, tmp_path / "out", capsys)
    assert code == 0, err
    page = tmp_path / "out" / "tin-tuc/2024/05/hoi-nghi-tong-ket/index.html"
    doc = html.parse(str(page))
    lead = doc.xpath("//article/figure/img")[0]
    assert (lead.get("width"), lead.get("height"), lead.get("loading")) == ("800", "450", None)
    inner = doc.xpath("//article//div[@class='body']//img")
    assert [(i.get("width"), i.get("height"), i.get("loading"), i.get("decoding")) for i in inner] == [
        ("300", "200", "lazy", "async")]
    # Another host's image is left out (a page requests nothing from other hosts), with a warning at its line.
    assert "example.org/a.png" not in page.read_text(encoding="utf-8")
    assert "content/news/2024/x.md:13: Cảnh báo: đã bỏ ảnh lấy từ máy chủ khác (example.org)" in err, err


@pytest.mark.parametrize("body, files, needle, words", [
    ("Mở đầu.\n\nĐoạn hai.\n\n![Ảnh](media/khong-co.png)\n", {}, "media/khong-co.png", "không tìm thấy ảnh"),
    ("Mở đầu.\n\n![Ảnh](media/hong.png)\n", {"media/hong.png": b"\x89PNG broken"}, "media/hong.png",
     "không đọc được kích thước ảnh"),
    ("Mở đầu.\n\n![Ảnh](media/../site.yaml)\n", {}, "media/../site.yaml", "nằm ngoài thư mục media"),
])
def test_body_image_problems_name_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str,
                                                files: dict[str, bytes], needle: str, words: str) -> None:
    text = news_item(body=body)
    source = make_site(tmp_path, news={"news/2024/x.md": text}, files=files)
    code, err = _build(source, tmp_path / "out", capsys)
    line = next(n for n, t in enumerate(text.splitlines(), 1) if needle in t)
    assert code == 1
    assert f"content/news/2024/x.md:{line}: Lỗi: " in err and words in err and needle in err, err


def test_unreadable_lead_image_is_an_error_at_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = news_item(image="media/hong.jpg", image_alt="Ảnh")
    source = make_site(tmp_path, news={"news/2024/x.md": text}, files={"media/hong.jpg": b"not a jpeg"})
    code, err = _build(source, tmp_path / "out", capsys)
    line = next(n for n, t in enumerate(text.splitlines(), 1) if t.startswith("image:"))
    assert code == 1
    assert f"content/news/2024/x.md:{line}: Lỗi: " in err and "không đọc được kích thước ảnh" in err, err


def test_an_image_replaced_in_place_is_resized_by_the_next_build(tmp_path: Path) -> None:
    """Incremental builds: the sizes follow the files, not the cache."""
    from conftest import NOW

    from site_builder.build.builder import build

    def picture(rel: str, size: tuple[int, int]) -> None:
        path = source / rel
        before = path.stat().st_mtime_ns if path.exists() else 0
        Image.new("RGB", size, "#cccccc").save(path)
        os.utime(path, ns=(before + 10**9, before + 10**9))     # a later stamp, even on coarse clocks

    source = make_site(tmp_path, news={"news/2024/x.md": news_item(
        body="Mở đầu.\n\n![Ảnh](media/trong.png)\n", image="media/dau.png", image_alt="Ảnh đầu bài")})
    (source / "media").mkdir()
    picture("media/trong.png", (300, 200))
    picture("media/dau.png", (100, 50))
    out = tmp_path / "out"
    page = out / "tin-tuc/2024/05/hoi-nghi-tong-ket/index.html"

    def sizes() -> list[tuple[str | None, str | None]]:
        return [(i.get("width"), i.get("height")) for i in html.parse(str(page)).xpath("//article//img")]

    build(source, out, now=NOW)
    assert sizes() == [("100", "50"), ("300", "200")]
    picture("media/trong.png", (400, 100))
    picture("media/dau.png", (60, 90))
    build(source, out, now=NOW)
    assert sizes() == [("60", "90"), ("400", "100")]
