"""A light site for cheap phones on slow networks: the home page with its CSS and scripts under
60 KB compressed, no fonts or styles from other hosts, every image with its width and height and
lazy-loaded unless it is an article's lead image; and the image sizes themselves
(site_builder/images.py), read from PNG, JPEG, GIF, WebP and SVG files."""
from __future__ import annotations

import gzip
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from lxml import html
from PIL import Image

from site_builder.cli import main
from site_builder.images import dimensions

from conftest import make_site, news_item

BUDGET = 60 * 1024
# nginx's default gzip_comp_level is 1, the weakest: a size that fits at level 1 fits at any level.
GZIP_LEVEL = 1
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)""", re.I)
_CSS_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*['"]?([^'")\s;]+)""", re.I)


def _pages(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*.html") if "pagefind" not in p.relative_to(out).parts)


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
    assert [(i.get("width"), i.get("height"), i.get("loading")) for i in inner] == [("300", "200", "lazy"), (None, None, None)]


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
    from site_builder.build import build

    from conftest import NOW

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
