"""Hostile input never runs: known XSS vectors in bodies (sanitised, each removal a warning with its
file and line) and in titles, summaries, tags, authors, categories, image descriptions, unit names,
metric labels and data notes (escaped everywhere: pages, feeds, JSON, CSV, charts, search index).
The built site is parsed with lxml, read back with feedparser and json, and opened in Debian's
chromium with hooks that record any script that runs."""
from __future__ import annotations

import csv
import functools
import io
import json
import re
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import feedparser
import lxml.etree
import lxml.html
import pytest
from playwright.sync_api import sync_playwright

from site_builder.build import build
from site_builder.errors import Level, SourceError
from site_builder.sanitize import Policy, sanitize, scheme_of
from site_builder.markdown_render import MarkdownRenderer

from conftest import NOW, SAMPLE

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]

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
    (source / "metrics.yaml").write_text(metrics, encoding="utf-8")
    data = source / "data" / "yen-bai-2020.csv"
    rows = list(csv.reader(io.StringIO(data.read_text(encoding="utf-8"))))
    for row in rows[1:]:
        row[-1] = "Ghi chú " + TEXT_VECTORS[0]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    data.write_text(out.getvalue(), encoding="utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[SourceError]]:
    root = tmp_path_factory.mktemp("xss")
    source = root / "content"
    _write_sources(source)
    output = root / "host" / "ban-tin"
    result = build(source, output, now=NOW)
    return source, output, result.problems.items


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
    from site_builder.config import load_config
    from site_builder.errors import Problems

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
    assert not [p for p in problems if p.level is Level.ERROR]
    warned = {(p.path, p.line) for p in problems if p.level is Level.WARNING and p.message.startswith("đã bỏ")}
    missing = [v for i, v in enumerate(BODY_VECTORS) if (f"content/news/2024/xss-{i}.md", BODY_START) not in warned]
    assert missing == []
    example = next(p for p in problems if p.path == "content/news/2024/xss-0.md")
    assert example.format().startswith("content/news/2024/xss-0.md:10: Cảnh báo: đã bỏ thẻ HTML <script>")
    # one warning per kind per line, not one per attribute or repeat
    per_line = [p for p in problems if p.path == "content/news/2024/xss-13.md"]
    assert len(per_line) == len({p.message for p in per_line})


def _built_files(output: Path, suffixes: tuple[str, ...]) -> list[Path]:
    return [p for p in sorted(output.rglob("*")) if p.suffix in suffixes and "pagefind" not in p.parts]


_THEME_SCRIPTS = {"static/tim-kiem.js"}
_ALIGN = re.compile(r"text-align: (left|right|center);")


def _unsafe(doc: lxml.html.HtmlElement) -> list[str]:
    """Script elements, event handler attributes and script-capable URLs in a parsed document."""
    found = []
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        if tag == "script" and not any(element.get("src", "").endswith(s) for s in _THEME_SCRIPTS):
            found.append(lxml.html.tostring(element, encoding="unicode")[:80])
        if tag in {"iframe", "object", "embed", "base", "math", "frame", "frameset"}:
            found.append(tag)
        if tag == "meta" and element.get("http-equiv"):
            found.append("meta http-equiv")
        for name, value in element.attrib.items():
            if name.lower().startswith("on") or name.lower() == "srcdoc" or (
                    name.lower() == "style" and not _ALIGN.fullmatch(value)):
                found.append(f"{tag} {name}={value!r}")
            if name.lower() in {"href", "src", "action", "data", "xlink:href", "formaction", "background"}:
                scheme = scheme_of(value)
                if scheme is not None and scheme not in {"http", "https", "mailto", "tel"}:
                    found.append(f"{tag} {name}={value!r}")
    return found


def test_no_page_carries_an_executable_vector(built: tuple[Path, Path, list[SourceError]]) -> None:
    _, output, _ = built
    pages = _built_files(output, (".html",))
    assert len(pages) > len(BODY_VECTORS)
    bad = {}
    for page in pages:
        doc = lxml.html.fromstring(page.read_bytes())
        found = _unsafe(doc)
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


def test_charts_and_figures_keep_labels_as_text(built: tuple[Path, Path, list[SourceError]]) -> None:
    _, output, _ = built
    unit_pages = [p for p in _built_files(output, (".html",)) if b"<svg" in p.read_bytes()]
    assert unit_pages
    for page in unit_pages:
        doc = lxml.html.fromstring(page.read_bytes())
        titles = [t.text_content() for t in doc.iter("title") if t.getparent().tag == "svg"]
        assert titles and all(TEXT_VECTORS[3] in t for t in titles), page
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


# ---------------------------------------------------------------------------- in the browser

_HOOKS = """
window.__ran = [];
for (const name of ["alert", "confirm", "prompt", "print"]) {
  window[name] = (...args) => { window.__ran.push(name + "(" + args.join(",") + ")"); };
}
"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def served(built: tuple[Path, Path, list[SourceError]]) -> Iterator[str]:
    _, output, _ = built
    handler = functools.partial(_Quiet, directory=str(output.parent))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/ban-tin/"
    finally:
        server.shutdown()
        server.server_close()


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


def test_no_vector_runs_in_the_browser(built: tuple[Path, Path, list[SourceError]], served: str) -> None:
    _, output, _ = built
    carriers = _carriers(output)
    assert len(carriers) > len(BODY_VECTORS)
    ran: dict[str, list[str]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context()
        context.add_init_script(_HOOKS)
        tab = context.new_page()
        dialogs: list[str] = []
        tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for path in carriers:
            tab.goto(served + path)
            tab.wait_for_load_state("load")
            # hover, focus and toggle everything a handler could hang on
            tab.evaluate("""() => { for (const e of document.querySelectorAll('body *')) {
                for (const t of ['mouseover', 'focus', 'click', 'toggle', 'error', 'load'])
                    try { e.dispatchEvent(new Event(t)); } catch (x) {} } }""")
            tab.wait_for_timeout(20)
            result = tab.evaluate("() => [...window.__ran, window.__xss === 1 ? '__xss' : '',"
                                  " document.title === 'XSS' ? 'title' : '', parent.__xss === 1 ? 'parent' : '']")
            found = [r for r in result if r] + dialogs
            dialogs.clear()
            if found:
                ran[path] = found
        # the search page shows titles and excerpts of the items that carry vectors
        tab.goto(served + "tim-kiem/?q=" + "Tin alert")
        tab.wait_for_function("document.querySelectorAll('#ket-qua li').length > 0", timeout=20000)
        assert tab.locator("#ket-qua li").count() > 0
        excerpts = tab.eval_on_selector_all("#ket-qua .excerpt", "els => els.map(e => e.innerHTML)")
        assert all(not re.search(r"<(?!/?mark>)", e) for e in excerpts), excerpts
        result = tab.evaluate("() => [...window.__ran, window.__xss === 1 ? '__xss' : '']")
        if [r for r in result if r] or dialogs:
            ran["tim-kiem/"] = [r for r in result if r] + dialogs
        browser.close()
    assert ran == {}


def test_warnings_and_policy_survive_the_build_cache(tmp_path: Path) -> None:
    """A cached body still reports its removals; an edited front matter re-reads an unchanged body
    with its warnings; allowing an iframe host in site.yaml re-cleans bodies built before."""
    from conftest import SITE_YAML, make_site, news_item
    from site_builder.build import Builder

    body = "Đầu bài.\n\n<script>alert(1)</script>\n\n<iframe src=\"https://www.youtube.com/embed/x\"></iframe>\n"
    source = make_site(tmp_path, news={"news/2024/a.md": news_item(body=body)})
    output = tmp_path / "output"

    def warned() -> list[tuple[int | None, str]]:
        result = Builder(source, output, jobs=1).build(NOW)
        return sorted((p.line, p.message.split(" (")[0]) for p in result.problems.warnings)

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
