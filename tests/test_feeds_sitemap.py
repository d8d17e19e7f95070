"""Feeds and sitemap as their readers see them: every Atom feed parses cleanly with feedparser,
with absolute links and each entry's date equal to its item's front matter, given in Vietnam
time (+07:00); the sitemap validates against the sitemaps.org 0.9 schema and lists every page
once. (tests/test_build_sample.py checks feed membership and order; not repeated here.)
Every href and src inside an entry's content is absolute too, and names what the same link names
on the item's page; these are read from the raw XML, since feedparser resolves relative addresses
itself and would hide them.

Left out of the sitemap, on purpose: `404.html` (not a page of its own, and not an
`index.html`) and every page that says `noindex` (the search page: its content is whatever a
query finds; a sitemap listing it would contradict its own robots meta).
"""
from __future__ import annotations

import functools
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

import feedparser
import pytest
import yaml
from conftest import BASE_URL as SMALL_BASE_URL
from conftest import NOW, SAMPLE, make_site, news_item
from lxml import etree, html

from site_builder.base.vietnamese import slugify
from site_builder.build.builder import build

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
ATOM_NS = {"a": "http://www.w3.org/2005/Atom"}
XSD = Path(__file__).parent / "data" / "sitemap.xsd"
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
VIETNAM = timedelta(hours=7)

SAMPLE_BASE_URL = yaml.safe_load((SAMPLE / "site.yaml").read_text(encoding="utf-8"))["base_url"]


# --- what the sources say, read independently of the package --------------------------------

def source_date(raw: str) -> datetime:
    """A front-matter date as the README defines it: Vietnam time unless an offset is given."""
    value = datetime.fromisoformat(raw.strip().replace(" ", "T", 1))
    return value if value.tzinfo is not None else value.replace(tzinfo=ZONE)


def items_by_url(source: Path, base_url: str) -> dict[str, dict[str, datetime]]:
    """Absolute article URL → {"date", "updated"} for every news item of a source folder."""
    out = {}
    for path in sorted((source / "news").rglob("*.md")):
        _, front, _ = path.read_text(encoding="utf-8").split("---\n", 2)
        meta = yaml.load(front, Loader=yaml.BaseLoader)  # every value a string: no YAML date magic
        date = source_date(meta["date"])
        local = date.astimezone(ZONE)
        slug = meta.get("slug") or slugify(meta["title"])
        url = f"{base_url}tin-tuc/{local.year:04d}/{local.month:02d}/{slug}/"
        out[url] = {"date": date, "updated": source_date(meta["updated"]) if "updated" in meta else date}
    return out


def feed_files(output: Path) -> list[Path]:
    """Every Atom document in the output, whatever its name."""
    # sniffed, not parsed: a feed that is not well-formed must still be found (and then fail)
    return [path for path in sorted(output.rglob("*.xml")) if b"<feed xmlns=\"http://www.w3.org/2005/Atom\"" in path.read_bytes()[:300]]


def vietnam_time(raw: str) -> datetime:
    """A timestamp as written in a feed or the sitemap, which must carry the +07:00 offset."""
    value = datetime.fromisoformat(raw)
    assert value.utcoffset() == VIETNAM, raw
    return value


# --- feeds -------------------------------------------------------------------------------------

def html_links(fragment: str) -> list[str]:
    """Every href and src in a piece of HTML, in document order."""
    if not fragment.strip():
        return []
    root = html.fragment_fromstring(fragment, create_parent="div")
    return [e.get(attr) for e in root.iter() if isinstance(e.tag, str) for attr in ("href", "src")
            if e.get(attr) is not None]


def entry_links(path: Path) -> dict[str, list[str]]:
    """Entry link → the addresses in its HTML content and summary, read from the raw XML."""
    out: dict[str, list[str]] = {}
    for entry in etree.parse(str(path)).xpath("//a:entry", namespaces=ATOM_NS):
        link = entry.xpath("a:link[@rel='alternate']/@href", namespaces=ATOM_NS)[0]
        links = out.setdefault(link, [])
        for part in entry.xpath("a:content | a:summary", namespaces=ATOM_NS):
            if part.get("type") in ("html", "xhtml"):
                links += html_links(part.text or "") if part.get("type") == "html" else \
                    [v for e in part.iter() for v in (e.get("href"), e.get("src")) if v is not None]
    return out


def absolute_for_feeds(url: str, base_url: str) -> bool:
    """True for an address a feed reader can follow anywhere: on base_url, or another host, or mail/phone."""
    parts = urlsplit(url)
    if parts.scheme in ("mailto", "tel"):
        return True
    if url.startswith(base_url):
        return True
    return parts.scheme in ("http", "https") and parts.netloc != urlsplit(base_url).netloc


@functools.cache
def page_body_links(page: Path) -> tuple[str, ...]:
    """The addresses in an article page's body, as written there (relative to the page)."""
    body = html.fromstring(page.read_bytes()).xpath("//article//div[@class='body']")
    return tuple(html_links(html.tostring(body[0], encoding="unicode"))) if body else ()


def check_content_links(output: Path, feed: Path, base_url: str) -> int:
    """Every href/src in the entries of `feed` is absolute and resolves to what the same link
    resolves to on the item's page; returns the number of addresses checked."""
    checked = 0
    for link, urls in entry_links(feed).items():
        bad = [u for u in urls if not absolute_for_feeds(u, base_url)]
        assert bad == [], (feed.name, link, bad)
        on_page = [urljoin(link, u) for u in page_body_links(output / link[len(base_url):] / "index.html")]
        assert urls == on_page, (feed.name, link)
        checked += len(urls)
    return checked


def check_feeds(output: Path, source: Path, base_url: str) -> int:
    """Every feed of a built site against its sources; returns the number of entries checked."""
    items = items_by_url(source, base_url)
    feeds = feed_files(output)
    assert feeds
    announced = set()  # feeds the pages point at with <link rel="alternate">
    for page in output.rglob("*.html"):
        for href in html.fromstring(page.read_bytes()).xpath(
                '//link[@rel="alternate"][@type="application/atom+xml"]/@href'):
            if page.name != "404.html":  # its links start with the site path instead
                announced.add((page.parent / href).resolve())
    assert announced == {f.resolve() for f in feeds}

    entries = 0
    for path in feeds:
        rel = path.relative_to(output).as_posix()
        parsed = feedparser.parse(path.read_bytes())
        assert parsed.bozo == 0, (rel, parsed.get("bozo_exception"))
        assert parsed.version == "atom10", rel
        check_content_links(output, path, base_url)
        self_links = [link.href for link in parsed.feed.links if link.rel == "self"]
        assert self_links == [base_url + rel], rel
        assert parsed.feed.link.startswith(base_url), rel
        assert parsed.feed.id.startswith(base_url), rel
        newest = None
        for entry in parsed.entries:
            entries += 1
            assert entry.link.startswith(base_url) and urlsplit(entry.link).netloc, (rel, entry.link)
            assert entry.id.startswith(base_url), (rel, entry.id)
            assert entry.link in items, (rel, entry.link)
            expected = items[entry.link]
            published, updated = vietnam_time(entry.published), vietnam_time(entry.updated)
            assert published == expected["date"], (rel, entry.link, entry.published)
            assert updated == expected["updated"], (rel, entry.link, entry.updated)
            assert entry.published_parsed is not None and entry.updated_parsed is not None
            newest = max(newest or updated, updated)
        feed_updated = vietnam_time(parsed.feed.updated)
        if newest is not None:
            assert feed_updated == newest, rel
    return entries


def test_every_sample_feed_parses_with_absolute_links_and_vietnam_dates(built_sample: Path,
                                                                          sample_copy: Path) -> None:
    feeds = feed_files(built_sample)
    assert len(feeds) > 10  # the site's feed and one per unit
    assert (built_sample / "feed.xml") in feeds
    assert check_feeds(built_sample, sample_copy, SAMPLE_BASE_URL) > 50


OFFSET_ITEMS = {
    # 02:49 UTC is 09:49 in Vietnam
    "news/2020/utc.md": news_item(title="Tin giờ UTC", date="2020-08-21T02:49:00+00:00"),
    "news/2020/vietnam.md": news_item(title="Tin giờ Việt Nam", date="2020-08-21 02:49"),
    # 31/8 20:00 UTC is already 1 September in Vietnam: the article's address says 09
    "news/2020/sang-thang-9.md": news_item(title="Tin sang tháng chín", date="2020-08-31T20:00:00+00:00"),
    # New Year's Eve in New York is New Year's Day in Vietnam
    "news/2020/nam-moi.md": news_item(title="Tin năm mới", date="2020-12-31T23:30:00-05:00",
                                      updated='"2021-01-02T08:00:00+07:00"'),
}


@pytest.fixture(scope="module")
def offset_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small site whose items give their time in several zones; (source, output)."""
    root = tmp_path_factory.mktemp("offsets")
    source = make_site(root, news=OFFSET_ITEMS)
    output = root / "output"
    build(source, output, now=NOW)
    return source, output


def test_explicit_offsets_become_vietnam_time_in_feeds(offset_site: tuple[Path, Path]) -> None:
    source, output = offset_site
    assert check_feeds(output, source, SMALL_BASE_URL) >= len(OFFSET_ITEMS)
    parsed = feedparser.parse((output / "feed.xml").read_bytes())
    published = {e.title: e.published for e in parsed.entries}
    assert published == {
        "Tin giờ UTC": "2020-08-21T09:49:00+07:00",
        "Tin giờ Việt Nam": "2020-08-21T02:49:00+07:00",
        "Tin sang tháng chín": "2020-09-01T03:00:00+07:00",
        "Tin năm mới": "2021-01-01T11:30:00+07:00",
    }
    links = {e.title: e.link for e in parsed.entries}
    assert links["Tin sang tháng chín"] == SMALL_BASE_URL + "tin-tuc/2020/09/tin-sang-thang-chin/"
    assert links["Tin năm mới"] == SMALL_BASE_URL + "tin-tuc/2021/01/tin-nam-moi/"
    assert parsed.feed.updated == "2021-01-02T08:00:00+07:00"


RELATIVE_BODY = """Đoạn mở đầu với [bài khác](../tin-khac/), [cùng thư mục](tin-khac-nua/),
[chuyên mục](/chuyen-muc/hoat-dong/), [phần sau](#phan-sau), [hỏi đáp](?hoi=1) và [tệp](media/2024/tai-lieu.pdf).

![Sơ đồ](media/2024/so-do.svg)

![Ảnh nơi khác](https://other.example.net/anh.png) · [trang khác](https://other.example.net/x) ·
[thư](mailto:lienhe@example.org) · [gọi](tel:+842001112222) · [không giao thức](//cdn.example.net/y)

<p><a href="../../../2023/01/tin-cu/">Tin cũ</a> <img src="../../../../media/2024/so-do.svg" alt="Sơ đồ"></p>

Một chú thích[^1].

## Phần sau

[^1]: Nguồn: [trang của Tỉnh](../../).
"""


def test_relative_links_in_a_body_become_absolute_in_feeds(tmp_path: Path) -> None:
    """A body whose links are relative (to the item's page or to the site root) reads the same
    in the site's feed and in its unit's feeds as on its page: every address absolute."""
    source = make_site(tmp_path, news={"news/2024/lien-ket.md": news_item(body=RELATIVE_BODY)}, files={
        "media/2024/so-do.svg": '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 30"/>',
        "media/2024/tai-lieu.pdf": b"%PDF-1.4\n"})
    output = tmp_path / "output"
    build(source, output, now=NOW)
    page = SMALL_BASE_URL + "tin-tuc/2024/05/hoi-nghi-tong-ket/"
    feeds = [f for f in feed_files(output) if page in entry_links(f)]
    assert {f.relative_to(output).as_posix() for f in feeds} >= {"feed.xml", "don-vi/xa-c/feed.xml"}
    for feed in feeds:
        assert check_content_links(output, feed, SMALL_BASE_URL) >= 14
        urls = entry_links(feed)[page]
        assert urls[:6] == [SMALL_BASE_URL + "tin-tuc/2024/05/tin-khac/", page + "tin-khac-nua/",
                            SMALL_BASE_URL + "chuyen-muc/hoat-dong/", page + "#phan-sau", page + "?hoi=1",
                            SMALL_BASE_URL + "media/2024/tai-lieu.pdf"]
        assert SMALL_BASE_URL + "tin-tuc/2023/01/tin-cu/" in urls
        assert "https://cdn.example.net/y" in urls
        assert SMALL_BASE_URL + "tin-tuc/2024/" in urls                  # the footnote's "../../"
        assert urls.count(SMALL_BASE_URL + "media/2024/so-do.svg") == 2
        assert any(u.startswith(page + "#fn") for u in urls)                # footnote and back links
    assert check_feeds(output, source, SMALL_BASE_URL) == len(feeds)


# --- sitemap -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


def listed_pages(output: Path) -> tuple[set[str], set[str]]:
    """Site-relative URLs of the HTML pages that belong in the sitemap, and of those that say noindex."""
    wanted, noindex = set(), set()
    for page in output.rglob("*.html"):
        rel = page.relative_to(output).as_posix()
        if rel == "404.html":
            continue
        assert page.name == "index.html", rel  # every page has a pretty URL
        url = rel.removesuffix("index.html")
        robots = html.fromstring(page.read_bytes()).xpath('//meta[@name="robots"]/@content')
        (noindex if any("noindex" in r for r in robots) else wanted).add(url)
    return wanted, noindex


def check_sitemap(output: Path, source: Path, base_url: str, schema: etree.XMLSchema) -> list[str]:
    """The sitemap of a built site: valid, every page once, absolute, lastmod = item time; its locs."""
    doc = etree.parse(str(output / "sitemap.xml"))
    assert schema.validate(doc), schema.error_log
    locs = doc.xpath("//s:url/s:loc/text()", namespaces=SITEMAP_NS)
    assert len(locs) == len(set(locs)), [loc for loc in locs if locs.count(loc) > 1]
    assert all(loc.startswith(base_url) for loc in locs)
    wanted, noindex = listed_pages(output)
    assert noindex.isdisjoint({loc[len(base_url):] for loc in locs})
    assert {loc[len(base_url):] for loc in locs} == wanted
    items = items_by_url(source, base_url)
    dated = 0
    for url in doc.xpath("//s:url", namespaces=SITEMAP_NS):
        loc = url.findtext("s:loc", namespaces=SITEMAP_NS)
        lastmod = url.findtext("s:lastmod", namespaces=SITEMAP_NS)
        if loc in items:
            assert lastmod is not None, loc
            assert vietnam_time(lastmod) == items[loc]["updated"], (loc, lastmod)
            dated += 1
        elif lastmod is not None:
            vietnam_time(lastmod)
    assert dated == sum(1 for url in items if url in locs)
    return locs


def test_sample_sitemap_is_valid_and_lists_every_page_once(built_sample: Path, sample_copy: Path,
                                                           schema: etree.XMLSchema) -> None:
    locs = check_sitemap(built_sample, sample_copy, SAMPLE_BASE_URL, schema)
    assert len(locs) > 100
    assert SAMPLE_BASE_URL in locs  # the home page
    wanted, noindex = listed_pages(built_sample)
    assert noindex == {"tim-kiem/"}


def test_small_site_sitemap_with_offsets(offset_site: tuple[Path, Path], schema: etree.XMLSchema) -> None:
    source, output = offset_site
    locs = check_sitemap(output, source, SMALL_BASE_URL, schema)
    assert SMALL_BASE_URL + "tin-tuc/2020/09/tin-sang-thang-chin/" in locs


def _mutated(built: Path, change: str) -> etree._ElementTree:
    doc = etree.parse(str(built / "sitemap.xml"))
    first = doc.getroot()[0]
    if change == "no-loc":
        first.remove(first.find("s:loc", namespaces=SITEMAP_NS))
    elif change == "bad-lastmod":
        lastmod = doc.getroot().find(".//s:lastmod", namespaces=SITEMAP_NS)
        lastmod.text = "21/08/2020 02:49"
    elif change == "relative-loc":
        first.find("s:loc", namespaces=SITEMAP_NS).text = "tin/"
    elif change == "unknown-element":
        etree.SubElement(first, "{http://www.sitemaps.org/schemas/sitemap/0.9}title").text = "Trang chủ"
    elif change == "wrong-namespace":
        doc = etree.ElementTree(etree.fromstring(etree.tostring(doc).replace(b"sitemaps.org", b"example.org")))
    return doc


@pytest.mark.parametrize("change", ["no-loc", "bad-lastmod", "relative-loc", "unknown-element", "wrong-namespace"])
def test_the_schema_rejects_a_broken_sitemap(built_sample: Path, schema: etree.XMLSchema, change: str) -> None:
    """The schema check is real: the same sitemap, broken in one way, fails it."""
    assert schema.validate(_mutated(built_sample, "none"))
    assert not schema.validate(_mutated(built_sample, change))
