"""Hostile input never runs: known XSS vectors in bodies (sanitised, each removal a warning with its
file and line) and in titles, summaries, tags, authors, categories, image descriptions, unit names,
metric labels and data notes (escaped everywhere: pages, feeds, JSON, CSV, charts, search index).
The built site is parsed with lxml, read back with feedparser and json, and opened in Debian's
chromium with hooks that record any script that runs."""
from __future__ import annotations

import csv
import gzip
import io
import json
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

import feedparser
import lxml.etree
import lxml.html
import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Route

from conftest import DESK_FOLDER, NOW, SAMPLE, http_server

from site_builder.base.errors import BuildFailed, Level, SourceError
from site_builder.build.builder import build, check
from site_builder.load.html_policy import Policy, scheme_of
from site_builder.load.markdown_render import MarkdownRenderer
from site_builder.load.sanitize import sanitize

# Raw HTML and Markdown in bodies (after the OWASP XSS filter evasion cheat sheet and the
# PortSwigger XSS cheat sheet). Every one must be removed with a warning, and none may run.
BODY_VECTORS = [
    "<script>alert(1)</script>",
    "<SCRIPT>window.__xss=1</SCRIPT>",
    "<ScRiPt>document.title='XSS'</sCrIpT>",
    '<script src="data:text/javascript,alert(1)"></script>',
    "<script/xss>alert(1)</script>",
    "<scr<script>ipt>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<img src="x" onerror="window.__xss=1">',
    "<IMG SRC=x OnErRoR=alert(1)>",
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    '<img src="data:image/png;base64,iVBORw0KGgo=">',
    "<svg onload=alert(1)>",
    "<svg><script>window.__xss=1</script></svg>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">XSS</text></a></svg>',
    '<a href="javascript:alert(1)">nhấn</a>',
    '<a href="JaVaScRiPt:window.__xss=1">nhấn</a>',
    '<a href="jav&#x09;ascript:alert(1)">nhấn</a>',
    '<a href="jav&#x0A;ascript:alert(1)">nhấn</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">nhấn</a>',
    '<a href=" &#14; javascript:alert(1)">nhấn</a>',
    '<a href="javascript&colon;alert(1)">nhấn</a>',
    '<a href="vbscript:msgbox(1)">nhấn</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">nhấn</a>',
    '<a href="#" onclick="window.__xss=1">nhấn</a>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="&lt;script&gt;parent.__xss=1&lt;/script&gt;"></iframe>',
    '<iframe src="https://evil.example/x"></iframe>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math href="javascript:alert(1)">x</math>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<div style="width: expression(alert(1))">x</div>',
    '<table><tr><td style="background:url(https://evil.example/a.png);position:fixed">x</td></tr></table>',
    "<style>@import 'javascript:alert(1)';</style>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<form action="javascript:alert(1)"><button>gửi</button></form>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    "<details open ontoggle=alert(1)>",
    "<body onload=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<marquee onstart=alert(1)>x</marquee>",
    '<link rel=stylesheet href="javascript:alert(1)">',
    '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    '<div onmouseover="alert(1)">x</div>',
    "<xss onafterscriptexecute=alert(1)><script>1</script>",
    "[nhấn](javascript:alert(1))",
    "[nhấn](JAVASCRIPT:window.__xss=1)",
    "![ảnh](javascript:alert(1))",
    "![ảnh](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "<javascript:alert(1)>",
    '## Tiêu đề {: onclick="alert(1)" }',
    '<img src=x srcset="javascript:alert(1) 1x">',
    "<picture><source srcset=javascript:alert(1)></picture>",
]

# Text in titles, summaries, tags, names…: must come out as the same text, never as markup.
TEXT_VECTORS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "</title><script>window.__xss=1</script>",
    "]]><script>alert(1)</script>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "{{ 7*7 }} {% raw %}",
    "javascript:alert(1)",
    "</textarea><script>document.title='XSS'</script>",
    "<!--<img src=x onerror=alert(1)>-->",
]

BODY_START = 10  # file line of the first body line in the items written below

# What these leave after sanitising is an <img> whose address is no file of the site (a broken
# image): the build refuses them as it refuses a missing Markdown image, with an error at their
# line. The `built` fixture checks that, then publishes those items with a plain body instead.
REFUSED_VECTORS = {
    "<img src=x onerror=alert(1)>",
    '<img src="x" onerror="window.__xss=1">',
    "<IMG SRC=x OnErRoR=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    '<img src=x srcset="javascript:alert(1) 1x">',
}
REFUSED_MESSAGE = 'ảnh "x" nằm ngoài thư mục media của trang.'
REFUSED_BODY = "Ảnh trong bài đã bị từ chối."

PAGE = "pages/xss-trang.md"  # a standalone page: a hostile title, and a body vector at PAGE_LINE
PAGE_TITLE = "Trang " + TEXT_VECTORS[3]
PAGE_VECTOR = '<img src="media/2020/hanh-son.svg" alt="Ảnh" onerror="window.__xss=1">'
PAGE_LINE = 7
# What the metrics' other fields get appended (their labels get TEXT_VECTORS[3]).
METRIC_FIELDS = {"unit": TEXT_VECTORS[1], "group": TEXT_VECTORS[8], "description": TEXT_VECTORS[9]}


def _yaml(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def _item(index: int, body: str) -> str:
    text = TEXT_VECTORS[index % len(TEXT_VECTORS)]
    lines = [
        "---",
        f"title: {_yaml(f'Tin {index} {text}')}",
        f'date: "2024-05-{1 + index % 28:02d} 08:{index % 60:02d}"',
        "unit: tp-yen-bai",
        f"slug: xss-{index}",
        f"summary: {_yaml(f'Tóm tắt {text}')}",
        f"tags: [{_yaml(f'Thẻ {text}')}]",
        f"authors: [{_yaml(f'Tác giả {text}')}]",
        "---",
        body,
        "",
    ]
    assert lines.index(body) + 1 == BODY_START
    return "\n".join(lines)


def _write_sources(source: Path) -> None:
    """The sample plus one item per body vector, and vectors in every kind of name."""
    shutil.copytree(SAMPLE, source)
    for index, vector in enumerate(BODY_VECTORS):
        (source / "news" / "2024").mkdir(parents=True, exist_ok=True)
        (source / "news" / "2024" / f"xss-{index}.md").write_text(_item(index, vector), encoding="utf-8")
    image_item = _item(len(BODY_VECTORS), "Bài có ảnh.").replace(
        "unit: tp-yen-bai", "unit: tp-yen-bai\nimage: media/2020/hanh-son.svg\n"
        f"image_alt: {_yaml('Ảnh ' + TEXT_VECTORS[1])}\ncategory: {_yaml('Chuyên mục ' + TEXT_VECTORS[0])}")
    (source / "news" / "2024" / "xss-anh.md").write_text(image_item, encoding="utf-8")
    units = (source / "units.yaml").read_text(encoding="utf-8")
    assert units.count("name: Thành phố Yên Bái\n") == 1
    units = units.replace("name: Thành phố Yên Bái\n", f"name: {_yaml('Thành phố ' + TEXT_VECTORS[1])}\n")
    assert units.count("name: Tỉnh Yên Bái\n") == 1
    units = units.replace("name: Tỉnh Yên Bái\n", f"name: {_yaml('Tỉnh ' + TEXT_VECTORS[2])}\n")
    (source / "units.yaml").write_text(units, encoding="utf-8")
    metrics = (source / "metrics.yaml").read_text(encoding="utf-8")
    metrics = re.sub(r"(?m)^  label: (.*)$", lambda m: f"  label: {_yaml(m.group(1) + ' ' + TEXT_VECTORS[3])}",
                     metrics)
    for key, vector in METRIC_FIELDS.items():
        metrics = re.sub(rf"(?m)^  {key}: (.*)$", lambda m: f"  {key}: {_yaml(m.group(1) + ' ' + vector)}", metrics)
    (source / "metrics.yaml").write_text(metrics, encoding="utf-8")
    data = source / "data" / "yen-bai-2020.csv"
    rows = list(csv.reader(io.StringIO(data.read_text(encoding="utf-8"))))
    for row in rows[1:]:
        row[-1] = "Ghi chú " + TEXT_VECTORS[0]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    data.write_text(out.getvalue(), encoding="utf-8")
    page = ["---", f"title: {_yaml(PAGE_TITLE)}", f"summary: {_yaml('Tóm tắt ' + TEXT_VECTORS[0])}", "---", "",
            "Trang giới thiệu.", PAGE_VECTOR, ""]
    assert page.index(PAGE_VECTOR) + 1 == PAGE_LINE
    (source / PAGE).write_text("\n".join(page), encoding="utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[SourceError]]:
    """Every vector checked (the problems returned are those of `check`, refused vectors'
    errors included), then the site built with the refused vectors' bodies made plain."""
    root = tmp_path_factory.mktemp("xss")
    source = root / "content"
    _write_sources(source)
    with pytest.raises(BuildFailed) as refused:
        check(source, now=NOW)
    for index, vector in enumerate(BODY_VECTORS):
        if vector in REFUSED_VECTORS:
            item = source / "news" / "2024" / f"xss-{index}.md"
            item.write_text(_item(index, REFUSED_BODY), encoding="utf-8")
    output = root / "host" / "ban-tin"
    build(source, output, now=NOW)
    return source, output, refused.value.problems.items


# ---------------------------------------------------------------------------- the sanitiser


def test_there_are_at_least_40_vectors() -> None:
    assert len(BODY_VECTORS) >= 40 and len(set(BODY_VECTORS)) == len(BODY_VECTORS)


@pytest.mark.parametrize("url, scheme", [
    ("javascript:alert(1)", "javascript"), (" \x0e javascript:x", "javascript"), ("jav\tascript:x", "javascript"),
    ("JAVA\nSCRIPT:x", "javascript"), ("/tin-tuc/", None), ("media/a.png", None), ("#fn:1", None),
    ("https://a.vn/x", "https"), ("mailto:a@b.vn", "mailto"),
])
def test_scheme_is_read_as_a_browser_reads_it(url: str, scheme: str | None) -> None:
    assert scheme_of(url) == scheme


def test_legitimate_markdown_is_kept() -> None:
    body = ("## Đại hội đại biểu\n\nVăn bản[^1] của *MTTQ* và [liên kết](https://mttq.org.vn/?a=1&b=2), "
            "[trang](/gioi-thieu/), [thư](mailto:a@b.vn).\n\n| Trái | Giữa |\n|:--|:-:|\n| 1 | 2 |\n\n"
            "![Ảnh hội nghị](media/a.png)\n\n<figure><img src=\"media/a.png\" alt=\"x\" width=\"10\" height=\"5\">"
            "<figcaption>Chú thích</figcaption></figure>\n\n<abbr title=\"Mặt trận Tổ quốc\">MTTQ</abbr> H<sub>2</sub>O"
            "\n\n```\n<script>alert(1)</script>\n```\n\n[^1]: Chú thích một.\n")
    html = MarkdownRenderer().convert(body)
    assert html is not None
    cleaned, warnings = sanitize(html, body, Policy())
    assert warnings == []
    for kept in ('<h2 id="dai-hoi-dai-bieu">', '<sup id="fnref:1"><a class="footnote-ref" href="#fn:1">',
                 '<li id="fn:1">', 'style="text-align: center;"', '<img alt="Ảnh hội nghị" src="media/a.png">',
                 '<figcaption>Chú thích</figcaption>', '<abbr title="Mặt trận Tổ quốc">', "<sub>2</sub>",
                 '<a href="/gioi-thieu/">', '<a href="mailto:a@b.vn">', "&lt;script&gt;alert(1)&lt;/script&gt;"):
        assert kept in cleaned, kept
    assert '<a href="https://mttq.org.vn/?a=1&amp;b=2" rel="noopener noreferrer">' in cleaned


def test_iframe_only_from_configured_hosts() -> None:
    body = ('<iframe src="https://www.youtube.com/embed/abc" title="Video" allowfullscreen></iframe>\n\n'
            '<iframe src="http://www.youtube.com/embed/abc"></iframe>\n\n'
            '<iframe src="https://www.youtube.com.evil.example/embed/abc"></iframe>\n')
    html = MarkdownRenderer().convert(body)
    assert html is not None
    allowed, warnings = sanitize(html, body, Policy(("www.youtube.com",)))
    assert allowed.count("<iframe") == 1 and 'src="https://www.youtube.com/embed/abc"' in allowed
    assert [line for line, _, _ in warnings] == [2, 4]
    assert all("iframe_hosts" in hint for _, _, hint in warnings)
    nothing, warnings = sanitize(html, body, Policy())
    assert "<iframe" not in nothing and [line for line, _, _ in warnings] == [0, 2, 4]


def test_iframe_hosts_setting_is_checked(tmp_path: Path) -> None:
    from conftest import SITE_YAML, make_site

    from site_builder.base.errors import Problems
    from site_builder.load.config import load_config

    source = make_site(tmp_path, site_yaml=SITE_YAML + "iframe_hosts: [www.youtube.com, \"https://x.vn/a\"]\n")
    problems = Problems(root=source)
    assert load_config(source, problems) is None
    assert [(e.line, e.message) for e in problems.errors] == [
        (16, '"https://x.vn/a" trong iframe_hosts không phải một tên miền.')]
    (source / "site.yaml").write_text(SITE_YAML + "iframe_hosts: [WWW.YouTube.com]\n", encoding="utf-8")
    config = load_config(source, Problems(root=source))
    assert config is not None and config.iframe_hosts == ("www.youtube.com",)


# ---------------------------------------------------------------------------- the built site


def test_every_body_vector_is_a_warning_at_its_line(built: tuple[Path, Path, list[SourceError]]) -> None:
    _, _, problems = built
    refused = sorted(f"content/news/2024/xss-{i}.md" for i, v in enumerate(BODY_VECTORS) if v in REFUSED_VECTORS)
    assert len(refused) == len(REFUSED_VECTORS)
    assert sorted((p.path, p.line, p.message) for p in problems if p.level is Level.ERROR) == [
        (path, BODY_START, REFUSED_MESSAGE) for path in refused]
    warned = {(p.path, p.line) for p in problems if p.level is Level.WARNING and p.message.startswith("đã bỏ")}
    missing = [v for i, v in enumerate(BODY_VECTORS) if (f"content/news/2024/xss-{i}.md", BODY_START) not in warned]
    assert missing == []
    example = next(p for p in problems if p.path == "content/news/2024/xss-0.md")
    assert example.format().startswith("content/news/2024/xss-0.md:10: Cảnh báo: đã bỏ thẻ HTML <script>")
    # one warning per kind per line, not one per attribute or repeat
    per_line = [p for p in problems if p.path == "content/news/2024/xss-13.md"]
    assert len(per_line) == len({p.message for p in per_line})
    # a standalone page's body is cleaned the same way, its warning at its own file and line
    page = [p for p in problems if p.path == "content/" + PAGE]
    assert [(p.line, p.message.split(" (")[0]) for p in page] == [(PAGE_LINE, "đã bỏ thuộc tính onerror")]
    assert page[0].format().startswith(f"content/{PAGE}:{PAGE_LINE}: Cảnh báo: đã bỏ thuộc tính onerror")


def _built_files(output: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """Files the hostile sources could reach: not the editor's desk (conftest.DESK_FOLDER), whose page is
    fixed text of ours that loads the vendored Decap CMS (its CSP and script: tests/test_desk_config.py)."""
    return [p for p in sorted(output.rglob("*")) if p.suffix in suffixes
            and p.relative_to(output).parts[0] != DESK_FOLDER]


_THEME_SCRIPTS = {"static/tim-kiem.js"}
# The only styles the sanitiser keeps (site_builder/load/html_policy.py STYLE_PROPERTIES), as it writes them.
_ALIGN = re.compile(r"(?:text-align: (?:left|right|center|justify|start|end);)?"
                    r"(?: ?vertical-align: (?:top|middle|bottom|baseline);)?")
# The theme's own <link>s (in <head>) and search forms, by their fixed shapes: anything else of
# these kinds in the output came from a source. Addresses are relative ("../static/…"), or from
# the base_url's path on 404.html, which a host serves at any depth.
_THEME_LINKS = {
    "canonical": ({"rel", "href"}, None),
    "stylesheet": ({"rel", "href"}, r"static/style\.css"),
    "icon": ({"rel", "href", "type"}, r"static/favicon\.svg"),
    "alternate": ({"rel", "type", "title", "href"}, r"(?:don-vi/[a-z0-9-]+/)?feed\.xml"),
}
_THEME_FORM = ({"class", "id", "action", "method", "role", "data-pagefind", "data-filters", "aria-label",
                "aria-labelledby"}, r"tim-kiem/")


def _theme_address(pattern: str, href: str, base_url: str) -> bool:
    """`href` is the theme's address `pattern`, relative or from the base_url's path."""
    root = re.escape(urlsplit(base_url).path) if base_url else "/"
    return re.fullmatch(rf"(?:(?:\.\./)*|{root}){pattern}", href) is not None


def _from_theme(element: lxml.html.HtmlElement, base_url: str) -> bool:
    """True for the theme's own <link> elements and search forms (see `_THEME_LINKS`)."""
    attrs = dict(element.attrib)
    if element.tag == "link":
        shape = _THEME_LINKS.get(attrs.get("rel", ""))
        parent = element.getparent()
        if shape is None or parent is None or parent.tag != "head" or set(attrs) != shape[0]:
            return False
        href = attrs["href"]
        if shape[1] is None:
            return bool(base_url) and href.startswith(base_url) and "\\" not in href
        return _theme_address(shape[1], href, base_url) and attrs.get("type") in {
            None, "image/svg+xml", "application/atom+xml"}
    if element.tag == "form":
        names, action = _THEME_FORM
        return (set(attrs) <= names and _theme_address(action, attrs.get("action", ""), base_url)
                and attrs.get("method") == "get" and attrs.get("class") in {"site-search", "search-form"})
    return False


def _unsafe(doc: lxml.html.HtmlElement, base_url: str = "") -> list[str]:
    """Script elements, event handler attributes, script-capable URLs (srcset too), styles, and
    <link>, <form>, <meta http-equiv>, <base> elements that are not the theme's own, in a parsed document."""
    found = []
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        if tag == "script" and not any(element.get("src", "").endswith(s) for s in _THEME_SCRIPTS):
            found.append(lxml.html.tostring(element, encoding="unicode")[:80])
        if tag in {"iframe", "object", "embed", "base", "math", "frame", "frameset", "style"}:
            found.append(tag)
        if tag in {"link", "form"} and not _from_theme(element, base_url):
            found.append(lxml.html.tostring(element, encoding="unicode", with_tail=False)[:80])
        if tag == "meta" and element.get("http-equiv"):
            found.append("meta http-equiv")
        for name, value in element.attrib.items():
            if name.lower().startswith("on") or name.lower() in {"srcdoc", "srcset", "imagesrcset"} or (
                    name.lower() == "style" and not _ALIGN.fullmatch(value)):
                found.append(f"{tag} {name}={value!r}")
            if name.lower() in {"href", "src", "action", "data", "xlink:href", "formaction", "background"}:
                scheme = scheme_of(value)
                if scheme is not None and scheme not in {"http", "https", "mailto", "tel"}:
                    found.append(f"{tag} {name}={value!r}")
    return found


def _base_url(source: Path) -> str:
    """The site's base_url, read from its site.yaml."""
    match = re.search(r"(?m)^base_url: (\S+)$", (source / "site.yaml").read_text(encoding="utf-8"))
    assert match
    return match.group(1)


def test_the_static_check_catches_each_kind() -> None:
    """Positive control: each kind of thing `_unsafe` looks for is found in a hostile page, the
    theme's own links and forms are not (they are only allowed in their own shapes)."""
    base = "https://mttq.example.gov.vn/ban-tin/"
    theme_head = ('<link rel="canonical" href="https://mttq.example.gov.vn/ban-tin/tin-tuc/">'
                  '<link rel="stylesheet" href="../static/style.css">'
                  '<link rel="icon" href="../static/favicon.svg" type="image/svg+xml">'
                  '<link rel="alternate" type="application/atom+xml" title="T" href="../don-vi/xa-a/feed.xml">')
    theme_body = ('<form class="site-search" action="../tim-kiem/" method="get" role="search"></form>'
                  '<script type="module" src="../static/tim-kiem.js"></script>')
    assert _unsafe(lxml.html.fromstring(f"<html><head>{theme_head}</head><body>{theme_body}</body></html>"), base) == []
    hostile = [
        "<script>alert(1)</script>", '<img src="x" onerror="alert(1)">', '<a href="javascript:alert(1)">x</a>',
        '<img src="x" srcset="javascript:alert(1) 1x">', "<picture><source srcset=\"a.png\"></picture>",
        "<style>*{}</style>", '<link rel="stylesheet" href="https://evil.example/a.css">',
        '<link rel="stylesheet" href="../static/style.css">',  # the theme's shape, but in the body
        '<form action="../tim-kiem/" method="post" class="site-search"></form>', '<form action="https://evil.example/"></form>',
        '<meta http-equiv="refresh" content="0;url=https://evil.example/">', '<base href="https://evil.example/">',
        '<div style="color:red">x</div>',
    ]
    for markup in hostile:
        doc = lxml.html.fromstring(f"<html><head>{theme_head}</head><body><p>x</p>{markup}</body></html>")
        assert _unsafe(doc, base), markup
    head = lxml.html.fromstring('<html><head><link rel="canonical" href="https://evil.example/"></head><body></body></html>')
    assert _unsafe(head, base)


def test_no_page_carries_an_executable_vector(built: tuple[Path, Path, list[SourceError]]) -> None:
    source, output, _ = built
    pages = _built_files(output, (".html",))
    assert len(pages) > len(BODY_VECTORS)
    base_url = _base_url(source)
    bad = {}
    for page in pages:
        doc = lxml.html.fromstring(page.read_bytes())
        found = _unsafe(doc, base_url)
        svgs = [s for s in doc.iter("svg") if s.getparent() is None or s.getparent().tag != "figure"]
        found += [f"svg outside a chart: {lxml.html.tostring(s)[:60]!r}" for s in svgs]
        if found:
            bad[page.relative_to(output).as_posix()] = found
    assert bad == {}


def test_names_come_out_as_text(built: tuple[Path, Path, list[SourceError]]) -> None:
    _, output, _ = built
    article = lxml.html.fromstring((output / "tin-tuc/2024/05/xss-1/index.html").read_bytes())
    assert article.findtext(".//h1") == "Tin 1 " + TEXT_VECTORS[1]
    assert "Tóm tắt " + TEXT_VECTORS[1] in article.text_content()
    assert "Thẻ " + TEXT_VECTORS[1] in article.text_content()
    assert article.xpath("string(//meta[@name='description']/@content)") == "Tóm tắt " + TEXT_VECTORS[1]
    assert "Thành phố " + TEXT_VECTORS[1] in article.text_content()
    pre_escaped = lxml.html.fromstring((output / "tin-tuc/2024/05/xss-5/index.html").read_bytes())
    assert pre_escaped.findtext(".//h1") == "Tin 5 " + TEXT_VECTORS[5]          # "&lt;" stays visible
    template = lxml.html.fromstring((output / "tin-tuc/2024/05/xss-6/index.html").read_bytes())
    assert template.findtext(".//h1") == "Tin 6 " + TEXT_VECTORS[6]             # not evaluated to 49
    with_image = lxml.html.fromstring((output / f"tin-tuc/2024/05/xss-{len(BODY_VECTORS)}/index.html").read_bytes())
    assert "Ảnh " + TEXT_VECTORS[1] in with_image.xpath("//img/@alt")
    assert "Chuyên mục " + TEXT_VECTORS[0] in with_image.text_content()



def _site_title(source: Path) -> str:
    match = re.search(r"(?m)^title: (.+)$", (source / "site.yaml").read_text(encoding="utf-8"))
    assert match
    return match.group(1)


def test_page_titles_come_out_as_text(built: tuple[Path, Path, list[SourceError]]) -> None:
    """The <title> of every kind of hostile title, an item's and a standalone page's (whose title
    is also in every page's menu), is the literal text."""
    source, output, _ = built
    site_title = _site_title(source)
    for index, text in enumerate(TEXT_VECTORS):
        doc = lxml.html.fromstring((output / f"tin-tuc/2024/05/xss-{index}/index.html").read_bytes())
        assert [t.text_content() for t in doc.xpath("/html/head/title")] == [f"Tin {index} {text} – {site_title}"]
    page = lxml.html.fromstring((output / "xss-trang/index.html").read_bytes())
    assert [t.text_content() for t in page.xpath("/html/head/title")] == [f"{PAGE_TITLE} – {site_title}"]
    assert page.findtext(".//h1") == PAGE_TITLE
    home = lxml.html.fromstring((output / "index.html").read_bytes())
    assert PAGE_TITLE in [a.text_content() for a in home.xpath("//nav//a")]


def test_every_metric_field_comes_out_as_text(built: tuple[Path, Path, list[SourceError]]) -> None:
    """Metric units, groups and descriptions (not only labels) are literal text on the figure
    pages, in the year tables and in the charts' SVG titles."""
    from site_builder.base.errors import Problems
    from site_builder.load.metrics import load_metrics

    source, output, _ = built
    metrics = load_metrics(source, Problems(root=source)).metrics
    for key, vector in METRIC_FIELDS.items():
        values = [getattr(m, key) for m in metrics.values() if getattr(m, key)]
        assert values and all(v.endswith(" " + vector) for v in values), key
    pages = sorted(output.glob("don-vi/*/so-lieu/*/index.html"))
    assert pages
    described = {m.id for m in metrics.values() if m.description}
    assert described and described != set(metrics)  # both kinds of metric page are looked at
    for page in pages:
        metric = metrics[page.parent.name]
        doc = lxml.html.fromstring(page.read_bytes())
        facts = {dt.text_content(): dt.getnext().text_content() for dt in doc.iter("dt")}
        assert facts["Đơn vị tính:"] == metric.unit, page
        assert facts.get("Nội dung:") == (metric.description if metric.id in described else None), page
        titles = [t.text_content() for t in doc.iter("title") if t.getparent().tag == "svg"]
        assert [f"{metric.label} theo năm ({metric.unit})" in t for t in titles] == [True] * len(titles), page
    charted = [p for p in pages if b"<svg" in p.read_bytes()]
    assert charted  # the chart titles above were looked at on some page
    groups = {m.group for m in metrics.values()}
    years = sorted(output.glob("so-lieu/[0-9][0-9][0-9][0-9]/index.html"))
    assert years
    for page in years:
        doc = lxml.html.fromstring(page.read_bytes())
        headings = [h.text_content() for h in doc.iter("h2")]
        assert headings and set(headings) <= groups | {"Các chỉ tiêu khác"}, page
        assert {h for h in headings if h in groups}, page


def test_charts_and_figures_keep_labels_as_text(built: tuple[Path, Path, list[SourceError]]) -> None:
    _, output, _ = built
    unit_pages = [p for p in _built_files(output, (".html",)) if b"<svg" in p.read_bytes()]
    assert unit_pages
    for page in unit_pages:
        doc = lxml.html.fromstring(page.read_bytes())
        titles = [t.text_content() for t in doc.iter("title") if t.getparent().tag == "svg"]
        assert titles and all(TEXT_VECTORS[3] in t and TEXT_VECTORS[1] in t for t in titles), page
        for svg in doc.iter("svg"):
            assert {e.tag for e in svg.iter() if isinstance(e.tag, str)} <= {"svg", "title", "line", "rect", "text"}


def test_feeds_escape_names_and_bodies(built: tuple[Path, Path, list[SourceError]]) -> None:
    _, output, _ = built
    feeds = _built_files(output, (".xml",))
    feeds = [f for f in feeds if f.name == "feed.xml"]
    assert feeds
    seen_titles = set()
    for path in feeds:
        lxml.etree.fromstring(path.read_bytes())  # well-formed XML: every name escaped
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        for entry in parsed.entries:
            seen_titles.add(entry.title)
            body = lxml.html.fromstring(f"<div>{entry.content[0].value}</div>")
            assert _unsafe(body) == [], entry.link
            assert not body.xpath("//svg|//math|//iframe")
    ours = {t for t in seen_titles if t.startswith("Tin ")}
    for title in ours:  # feeds hold the latest 20 items each: every one shows its title literally
        index = int(title.split()[1])
        assert title == f"Tin {index} {TEXT_VECTORS[index % len(TEXT_VECTORS)]}"
    assert len({int(t.split()[1]) % len(TEXT_VECTORS) for t in ours}) == len(TEXT_VECTORS)


def test_json_and_csv_hold_the_literal_text(built: tuple[Path, Path, list[SourceError]]) -> None:
    _, output, _ = built
    files = _built_files(output, (".json",))
    assert any(f.name == "du-lieu.json" for f in files) and any(f.name == "bo-loc.json" for f in files)
    for path in files:
        json.loads(path.read_bytes())
    records = json.loads((output / "so-lieu/du-lieu.json").read_bytes())["records"]
    assert "Ghi chú " + TEXT_VECTORS[0] in {r["note"] for r in records}
    assert any(r["unit_name"] == "Tỉnh " + TEXT_VECTORS[2] for r in records)
    assert all(r["metric_label"].endswith(" " + TEXT_VECTORS[3]) for r in records)
    rows = list(csv.DictReader(io.StringIO((output / "so-lieu/du-lieu.csv").read_text(encoding="utf-8"))))
    assert "Ghi chú " + TEXT_VECTORS[0] in {r["note"] for r in rows}
    assert len(rows) == len(records)
    assert any(r["unit_name"] == "Tỉnh " + TEXT_VECTORS[2] for r in rows)
    assert all(r["metric_label"].endswith(" " + TEXT_VECTORS[3]) for r in rows)
    assert [(r["unit_name"], r["metric_label"]) for r in rows] == [(r["unit_name"], r["metric_label"]) for r in records]


def test_sitemap_is_well_formed_xml(built: tuple[Path, Path, list[SourceError]]) -> None:
    source, output, _ = built
    tree = lxml.etree.fromstring((output / "sitemap.xml").read_bytes())
    locs = [e.text for e in tree.iter("{*}loc")]
    base_url = _base_url(source)
    assert len(locs) > len(BODY_VECTORS) and all(loc.startswith(base_url) for loc in locs)
    assert {base_url + "xss-trang/", base_url + "tin-tuc/2024/05/xss-0/"} <= set(locs)


def _fragments(bundle: Path) -> list[dict]:
    """Every Pagefind fragment of the bundle, read as write/search_bundle.py `_fragment_ids` reads them."""
    fragments = []
    for path in sorted(bundle.rglob("*.pf_fragment")):
        data = gzip.decompress(path.read_bytes())
        fragments.append(json.loads(data[data.index(b"{"):]))
    return fragments


def test_search_index_holds_names_as_text(built: tuple[Path, Path, list[SourceError]]) -> None:
    """The Pagefind bundle: only Pagefind's own kinds of file, our text in none of its scripts;
    titles and places as JSON text, exactly as written (the search page sets them as text); the
    text excerpts are cut from holds hostile strings only where they were text on our pages
    (Pagefind escapes excerpts and adds only <mark>: the browser test checks them as shown)."""
    _, output, _ = built
    bundle = output / "pagefind"
    files = [p for p in sorted(bundle.rglob("*")) if p.is_file()]
    kinds = {".js", ".json", ".css", ".pf_meta", ".pf_index", ".pf_fragment", ".pf_filter", ".pagefind"}
    assert files and {p.suffix for p in files} <= kinds, sorted({p.suffix for p in files} - kinds)
    for path in files:
        if path.suffix in {".js", ".json", ".css"}:  # Pagefind's code and entry file: none of our text
            text = path.read_text(encoding="utf-8")
            assert not any(marker in text for marker in ("alert(1)", "__xss", "Tin 0 ")), path
        else:  # the index's parts are all gzip-compressed
            assert gzip.decompress(path.read_bytes()), path
    fragments = _fragments(bundle)
    by_url = {f["url"].rstrip("/").rsplit("/", 1)[-1]: f for f in fragments}
    for index, text in enumerate(TEXT_VECTORS):
        fragment = by_url[f"xss-{index}"]
        assert fragment["meta"]["title"] == f"Tin {index} {text}"
        # indexed as text: had the page held it as live markup, Pagefind would have dropped the tags
        assert f"Tin {index} {text}" in fragment["content"], fragment["content"][:200]
        assert fragment["meta"]["place"] == "Thành phố " + TEXT_VECTORS[1]
    assert by_url["xss-trang"]["meta"]["title"] == PAGE_TITLE
    for fragment in fragments:
        # every "<" Pagefind holds was text on our page (its text content), never an element
        page = output / fragment["url"].lstrip("/") / "index.html"
        body = lxml.html.fromstring(page.read_bytes()).xpath("//*[@data-pagefind-body]")
        assert len(body) == 1, page
        text = " ".join(body[0].text_content().split())
        for piece in re.findall(r"<[/!]?[\w-]*", fragment["content"]):  # each would-be tag
            assert piece in text, (fragment["url"], piece)
        assert fragment["url"].startswith("/") and "javascript:" not in fragment["url"].lower()


# ---------------------------------------------------------------------------- in the browser

_HOOKS = """
window.__ran = [];
for (const name of ["alert", "confirm", "prompt", "print"]) {
  window[name] = (...args) => { window.__ran.push(name + "(" + args.join(",") + ")"); };
}
// Links and forms are followed for real (element.click()) but kept on the page: a link or form
// the browser reads as anything but http(s), mailto or tel is recorded, then let through (a
// javascript: address then runs, into the hooks above); an http(s) one is stopped here.
const SAFE = new Set(["http:", "https:", "mailto:", "tel:"]);
addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest("a[href], area[href]");
  if (!link) return;
  if (!SAFE.has(link.protocol)) window.__ran.push("link " + link.getAttribute("href"));
  else event.preventDefault();
}, true);
addEventListener("submit", (event) => {
  const action = new URL(event.target.action, location.href);
  if (!SAFE.has(action.protocol)) window.__ran.push("form " + event.target.getAttribute("action"));
  event.preventDefault();
}, true);
"""

# Everything a handler could hang on, exercised: real mouse events, focus, click (which follows
# links and toggles details), and plain events for what has no real trigger here.
_EXERCISE = """() => {
  const mouse = (e, type) => e.dispatchEvent(new MouseEvent(type, {bubbles: true, cancelable: true, view: window}));
  for (const e of document.querySelectorAll('body *')) {
    for (const t of ['mouseover', 'mouseenter', 'mousemove', 'mousedown', 'mouseup']) try { mouse(e, t); } catch (x) {}
    try { e.focus(); } catch (x) {}
    try { e.click(); } catch (x) {}
    for (const t of ['toggle', 'error', 'load', 'animationstart', 'transitionend'])
      try { e.dispatchEvent(new Event(t)); } catch (x) {}
  }
}"""
_COLLECT = ("() => [...window.__ran, window.__xss === 1 ? '__xss' : '', document.title === 'XSS' ? 'title' : '',"
            " parent.__xss === 1 ? 'parent' : '']")

# The positive control, served next to the site (outside its output folder): what the detection
# must catch, each in one of the ways a vector could run.
_CONTROL = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Kiểm tra</title></head><body>
<script>alert(1)</script>
<img src="x" onerror="alert(2)">
<a href="javascript:alert(3)">nhấn</a>
<p onmouseover="window.__xss=1">di chuột</p>
<img src="http://evil.example/anh.png" alt="">
<script>undefinedFunction()</script>
</body></html>
"""


@pytest.fixture(scope="module")
def served(built: tuple[Path, Path, list[SourceError]]) -> Iterator[str]:
    """The hostile build served at http://127.0.0.1:PORT/ban-tin/ (its base path)."""
    _, output, _ = built
    with http_server(output.parent) as origin:
        yield origin + "ban-tin/"


def _carriers(output: Path) -> list[str]:
    """Pages showing vectors: every item, and up to three pages of each other kind (lists, tags,
    categories, units, figures…) that show a name carrying one."""
    paths = []
    per_kind: dict[str, int] = {}
    for page in _built_files(output, (".html",)):
        path = page.relative_to(output).as_posix().removesuffix("index.html")
        text = page.read_text(encoding="utf-8")
        if not ("alert(1)" in text or "__xss" in text or "XSS" in text):
            continue
        kind = "/".join(path.split("/")[:2]) if path.startswith(("don-vi/", "so-lieu/")) else path.split("/")[0]
        if path.startswith("tin-tuc/2024/05/xss-") or per_kind.get(kind, 0) < 3:
            per_kind[kind] = per_kind.get(kind, 0) + 1
            paths.append(path)
    return paths


class _Watch:
    """A browser tab with every sign of a vector recorded: hooked calls, dialogs, script errors,
    console messages, requests to other hosts, navigations away from the page."""

    def __init__(self, context: BrowserContext, origin: str) -> None:
        self.origin = origin
        self.signs: list[str] = []
        self.tab = context.new_page()
        self.tab.on("dialog", lambda d: (self.signs.append("dialog " + d.message), d.dismiss()))
        self.tab.on("pageerror", lambda e: self.signs.append(f"pageerror {e}"))
        self.tab.on("console", self._console)
        self.tab.on("framenavigated", lambda f: None if f.url.startswith(origin) else self.signs.append("navigated " + f.url))

    def _console(self, message: ConsoleMessage) -> None:
        if not message.text.startswith("Failed to load resource"):  # a 404 is no script running
            self.signs.append(f"console.{message.type} {message.text}")

    def visit(self, url: str) -> list[str]:
        """Open `url`, exercise everything on it, and return what ran or tried to leave."""
        self.signs.clear()
        self.tab.goto(url)
        self.tab.wait_for_load_state("load")
        self.tab.evaluate(_EXERCISE)
        self.tab.wait_for_timeout(50)
        found = [r for r in self.tab.evaluate(_COLLECT) if r] + self.signs
        if self.tab.url.split("#")[0] != url.split("#")[0]:
            found.append("left for " + self.tab.url)
        return found


def _route(origin: str, elsewhere: list[str]) -> Callable[[Route], None]:
    """Requests to our server go through; any other is recorded and never sent."""
    def handle(route: Route) -> None:
        if route.request.url.startswith(origin):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()
    return handle


def test_no_vector_runs_in_the_browser(built: tuple[Path, Path, list[SourceError]], served: str,
                                       browser: Browser) -> None:
    _, output, _ = built
    carriers = _carriers(output)
    assert len(carriers) > len(BODY_VECTORS)
    assert "xss-trang/" in carriers
    control = output.parent / "kiem-tra" / "index.html"
    control.parent.mkdir(exist_ok=True)
    control.write_text(_CONTROL, encoding="utf-8")
    origin = served.split("/ban-tin/")[0] + "/"
    ran: dict[str, list[str]] = {}
    context = browser.new_context()
    try:
        context.add_init_script(_HOOKS)
        elsewhere: list[str] = []
        context.route("**/*", _route(origin, elsewhere))
        watch = _Watch(context, origin)

        # the control first: every way of noticing a vector must notice its own
        caught = watch.visit(origin + "kiem-tra/") + elsewhere
        for sign in ("alert(1)", "alert(2)", "alert(3)", "link javascript:alert(3)", "__xss",
                     "http://evil.example/anh.png", "pageerror"):
            assert any(c.startswith(sign) for c in caught), (sign, caught)
        elsewhere.clear()

        for path in carriers:
            found = watch.visit(served + path) + elsewhere
            elsewhere.clear()
            if found:
                ran[path] = found
        # the search page shows titles and excerpts of the items that carry vectors
        watch.signs.clear()
        tab = watch.tab
        tab.goto(served + "tim-kiem/?q=" + "Tin alert")
        tab.wait_for_function("document.querySelectorAll('#ket-qua li').length > 0", timeout=20000)
        assert tab.locator("#ket-qua li").count() > 0
        excerpts = tab.eval_on_selector_all("#ket-qua .excerpt", "els => els.map(e => e.innerHTML)")
        assert all(not re.search(r"<(?!/?mark>)", e) for e in excerpts), excerpts
        titles = tab.eval_on_selector_all("#ket-qua h2 a", "els => els.map(e => e.textContent)")
        assert any(t.startswith("Tin ") and "alert(1)" in t for t in titles), titles  # names shown as text
        tab.evaluate(_EXERCISE)
        tab.wait_for_timeout(50)
        result = [r for r in tab.evaluate(_COLLECT) if r] + watch.signs + elsewhere
        if result:
            ran["tim-kiem/"] = result
    finally:
        context.close()
    assert ran == {}


def _hostile_pages(output: Path) -> list[str]:
    """The page of every item carrying a body vector, and the standalone page with one."""
    pages = [f"tin-tuc/2024/05/xss-{i}/" for i in range(len(BODY_VECTORS))] + ["xss-trang/"]
    assert all((output / p / "index.html").is_file() for p in pages)
    return pages


def test_hostile_items_leave_valid_html(built: tuple[Path, Path, list[SourceError]], tmp_path: Path) -> None:
    """What the sanitiser keeps never makes a page invalid (the Nu checker, errors only)."""
    from test_html_valid import BROKEN_PAGE, _checker, read_report

    _, output, _ = built
    files = [str(output / p / "index.html") for p in _hostile_pages(output)]
    control = tmp_path / "hong.html"
    control.write_text(BROKEN_PAGE, encoding="utf-8")
    run = subprocess.run(_checker() + ["--errors-only", "--format", "json", *files, str(control)],
                         capture_output=True, text=True, timeout=300)
    errors = read_report(run.returncode, run.stderr)
    assert [url for url in errors if url.endswith("/hong.html")], "the invalid control page passed"
    assert {url: m for url, m in errors.items() if not url.endswith("/hong.html")} == {}


def test_hostile_items_leave_no_broken_link(built: tuple[Path, Path, list[SourceError]]) -> None:
    """Every address on those pages that points into the site names a file that is there, and
    every "#…" an element of the page ("#" alone is the top of the page)."""
    _, output, _ = built
    broken: dict[str, list[str]] = {}
    checked = 0
    for path in _hostile_pages(output):
        page = output / path / "index.html"
        doc = lxml.html.fromstring(page.read_bytes())
        ids = set(doc.xpath("//@id"))
        for _, attribute, link, _ in doc.iterlinks():
            parts = urlsplit(link)
            if attribute not in ("href", "src") or parts.scheme or parts.netloc:
                continue
            checked += 1
            target = page.parent / unquote(parts.path)
            if parts.path.endswith("/") or not parts.path:
                target = target / "index.html"
            if not target.resolve().is_file() or (not parts.path and parts.fragment and parts.fragment not in ids):
                broken.setdefault(path, []).append(link)
    assert checked > 15 * len(BODY_VECTORS) and broken == {}  # menus, breadcrumbs, neighbours… on each


def test_hostile_items_pass_axe(built: tuple[Path, Path, list[SourceError]], served: str, browser: Browser) -> None:
    """axe-core finds no violation of any impact on those pages."""
    from test_accessibility import AXE

    _, output, _ = built
    found: dict[str, list[str]] = {}
    tab = browser.new_page()
    try:
        for path in _hostile_pages(output):
            tab.goto(served + path)
            tab.add_script_tag(path=str(AXE))
            violations = tab.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']}))
                .violations.map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))""")
            if violations:
                found[path] = violations
    finally:
        tab.close()
    assert found == {}


def test_warnings_and_policy_survive_the_build_cache(tmp_path: Path) -> None:
    """A cached body still reports its removals; an edited front matter re-reads an unchanged body
    with its warnings; allowing an iframe host in site.yaml re-cleans bodies built before."""
    from conftest import SITE_YAML, make_site, news_item

    from site_builder.build.builder import Builder

    body = "Đầu bài.\n\n<script>alert(1)</script>\n\n<iframe src=\"https://www.youtube.com/embed/x\"></iframe>\n"
    source = make_site(tmp_path, news={"news/2024/a.md": news_item(body=body)})
    output = tmp_path / "output"

    def warned() -> list[tuple[int | None, str]]:
        result = Builder(source, output, jobs=1).build(NOW)
        return sorted((p.line, p.message.split(" (")[0]) for p in result.problems.warnings
                      if p.message.startswith("đã bỏ"))  # not the moved-address warning of a new title

    expected = [(9, "đã bỏ thẻ HTML <script>"), (11, "đã bỏ khung nhúng <iframe> từ www.youtube.com")]
    assert warned() == expected
    assert warned() == expected                                   # nothing changed
    item = source / "news/2024/a.md"
    item.write_text(item.read_text(encoding="utf-8").replace("Hội nghị", "Hội nghị mới"), encoding="utf-8")
    assert warned() == expected                                   # front matter edited, body the same
    page = output / "tin-tuc/2024/05/hoi-nghi-moi-tong-ket/index.html"
    assert "<iframe" not in page.read_text(encoding="utf-8")
    (source / "site.yaml").write_text(SITE_YAML + "iframe_hosts: [www.youtube.com]\n", encoding="utf-8")
    assert warned() == expected[:1]
    assert '<iframe src="https://www.youtube.com/embed/x"></iframe>' in page.read_text(encoding="utf-8")
    (source / "site.yaml").write_text(SITE_YAML, encoding="utf-8")  # a body cleaned under the old list
    item.write_text(item.read_text(encoding="utf-8").replace("<script>alert(1)</script>", "Giữa bài."),
                    encoding="utf-8")
    assert warned() == expected[1:]
    assert "<iframe" not in page.read_text(encoding="utf-8")
    (source / "site.yaml").write_text(SITE_YAML + "iframe_hosts: [www.youtube.com]\n", encoding="utf-8")
    assert warned() == []
    (source / "site.yaml").write_text(SITE_YAML, encoding="utf-8")  # its clean body is not reused now
    assert warned() == expected[1:]
    assert "<iframe" not in page.read_text(encoding="utf-8")


# ---------------------------------------------------------------------------- media files

_SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">\n{}\n</svg>\n'

# Media files a browser would run script from, on the site's own address: refused by name or content.
HOSTILE_MEDIA: dict[str, str | bytes] = {
    "trang.html": "<p>Xin chào</p>",
    "TRANG.HTM": "<p>Xin chào</p>",
    "a.xhtml": '<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>',
    "a.js": "alert(1)",
    "a.mjs": "export default 1",
    "du-lieu.xml": "<?xml version='1.0'?><a/>",
    "a.php": "<?php echo 1;",
    "script.svg": _SVG.format("<script>alert(1)</script>"),
    "prefixed.svg": _SVG.format('<svg:script xmlns:svg="http://www.w3.org/2000/svg">alert(1)</svg:script>'),
    "onload.svg": _SVG.replace("<svg ", '<svg onload="alert(1)" ').format(""),
    "onclick.svg": _SVG.format('<rect width="5" height="5"\n  onclick="alert(1)"/>'),
    "set.svg": _SVG.format('<rect width="5" height="5"><set attributeName="onmouseover" to="alert(1)"/></rect>'),
    "foreign.svg": _SVG.format('<foreignObject width="5" height="5"><p>x</p></foreignObject>'),
    "link.svg": _SVG.format('<a xlink:href="javascript:alert(1)"><text y="5">x</text></a>'),
    "entity-link.svg": _SVG.format('<a href="&#106;ava&#x09;script:alert(1)"><text y="5">x</text></a>'),
    "xhtml.svg": _SVG.format('<g xmlns:h="http://www.w3.org/1999/xhtml"><h:img src="x"/></g>'),
    "packed.svgz": gzip.compress(_SVG.format("<script>alert(1)</script>").encode(), mtime=0),
    "anh.png": "<!DOCTYPE html><html><script>alert(1)</script></html>",
    "khong-duoi": "<html><body><script>alert(1)</script></body></html>",
    "anh.jpg": _SVG.format("<script>alert(1)</script>"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_MEDIA))
def test_media_that_can_run_script_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    from conftest import make_site

    from site_builder.cli.main import main

    source = make_site(tmp_path, files={f"media/2024/{name}": HOSTILE_MEDIA[name], "media/2024/hanh-son.svg":
                                        (SAMPLE / "media/2020/hanh-son.svg").read_bytes()})
    output = tmp_path / "output"
    capsys.readouterr()
    code = main(["build", "--source", str(source), "--output", str(output)])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    errors = [line for line in err.splitlines() if ": Lỗi: " in line]
    assert len(errors) == 1 and errors[0].startswith(f"content/media/2024/{name}"), err
    assert "hanh-son.svg" not in err
    hint = err.split(errors[0], 1)[1].splitlines()[1]
    assert hint.startswith("    Hãy "), err
    assert not output.exists()


def test_a_hostile_svg_is_named_at_its_line(tmp_path: Path) -> None:
    from site_builder.base.errors import Problems
    from site_builder.load.media_check import check_media

    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "a.svg").write_text(HOSTILE_MEDIA["onclick.svg"], encoding="utf-8")
    problems = Problems(root=tmp_path)
    check_media(tmp_path, ("media/a.svg",), problems)
    assert [(e.line, e.message) for e in problems.errors] == [
        (3, "ảnh SVG có mã chạy được trên trang (thuộc tính sự kiện on...=).")]


def test_plain_media_passes(tmp_path: Path) -> None:
    """The sample's SVG drawings (one with a <style>), its PNG, and SVG, PDF and text files that
    only look a little like the refused ones, are all published."""
    from site_builder.base.errors import Problems
    from site_builder.load.media_check import check_media
    from site_builder.load.sources import find_files

    sample_media = tuple(p.relative_to(SAMPLE).as_posix() for p in find_files(SAMPLE / "media"))
    assert any(m.endswith(".svg") for m in sample_media)
    problems = Problems(root=SAMPLE)
    check_media(SAMPLE, sample_media, problems)
    assert problems.items == []
    plain = {
        "media/a.svg": '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
                       '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n' + _SVG.format(
                           '<style>.a{opacity:.5}</style><a xlink:href="#b" href="https://mttq.org.vn/">'
                           '<text class="a" y="5" offset="1">Hội nghị online = trực tuyến; script: kịch bản</text></a>'
                           '<image href="anh.png" width="5" height="5"/>'),
        "media/b.pdf": "%PDF-1.4\n<html>",
        "media/c.txt": "Danh sách: <ghi chú>",
        "media/d.csv": "ma,ten\n1,<a>",
    }
    for rel, text in plain.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    problems = Problems(root=tmp_path)
    check_media(tmp_path, tuple(plain), problems)
    assert problems.items == []
