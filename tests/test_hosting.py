"""The output on a real static host and from disk.

- nginx (Debian's /usr/sbin/nginx, started here on 127.0.0.1 with a generated config) serves the
  built sample under the sub-path /ban-tin/; a crawler follows every link and resource from the
  home page (and from the 404 page) and finds every page, nothing broken and nothing outside the
  sub-path; chromium loads pages through nginx, search included, and every request stays there.
  The crawl reads the machine files too: robots.txt names the sitemap, and from every feed and the
  sitemap it follows each `<link href>`, `<loc>` and href/src in entry content, their base_url
  mapped onto the host's sub-path; any broken one fails.
- A `--portable` build opened from file:// in chromium: every link points at a file that exists,
  every resource loads. The same check on a normal build fails, which shows it can.
"""
from __future__ import annotations

import ctypes
import http.client
import os
import re
import signal
import socket
import subprocess
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote, urldefrag, urljoin, urlsplit

import pytest
from conftest import DESK_FOLDER, NOW, tree_bytes
from lxml import etree, html

from site_builder.build.builder import build
from site_builder.cli.main import main
from site_builder.render.environment import relative

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

NGINX = "/usr/sbin/nginx"
SUB_PATH = "/ban-tin/"  # the path of the sample's base_url: 404.html's links start with it
BASE_URL = "https://mttq.example.gov.vn/ban-tin/"  # the sample's base_url: feeds and the sitemap use it
MIME_TYPES = "/etc/nginx/mime.types"
MAX_URLS = 5000  # the sample has ~300 files: a crawl that grows past this is looping


# --- nginx ------------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:
    """In the child, before nginx starts: ask Linux to end it if the test process dies without
    running its teardown (killed by a timeout), so no server is left behind."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def nginx_config(root: Path, site: Path, port: int) -> str:
    """A config that runs without root and writes only under `root`: one process (so it never
    changes user and never leaves workers behind), temp folders and logs in `root`."""
    types = f"include {MIME_TYPES};" if Path(MIME_TYPES).is_file() else \
        "types { text/html html; text/css css; application/javascript js; application/json json; " \
        "image/svg+xml svg; application/wasm wasm; text/xml xml; }"
    temp = "\n".join(f"    {name}_temp_path {root / name};" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""
daemon off;
master_process off;
pid {root / "nginx.pid"};
error_log {root / "error.log"} warn;
events {{ worker_connections 64; }}
http {{
    {types}
    default_type application/octet-stream;
    access_log {root / "access.log"};
{temp}
    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
        location / {{ return 404; }}
        location {SUB_PATH} {{
            alias {site}/;
            index index.html;
            error_page 404 {SUB_PATH}404.html;
        }}
    }}
}}
"""


@pytest.fixture(scope="module")
def host(built_sample: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The built sample served by nginx; yields "http://127.0.0.1:PORT" (no path)."""
    root = tmp_path_factory.mktemp("nginx")
    port = _free_port()
    conf = root / "nginx.conf"
    conf.write_text(nginx_config(root, built_sample, port), encoding="utf-8")
    process = subprocess.Popen([NGINX, "-p", str(root), "-c", str(conf), "-e", str(root / "error.log")],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
                               preexec_fn=_die_with_parent)
    try:
        for _ in range(200):  # up to ~10 s for nginx to listen
            if process.poll() is not None:
                break
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.05)
        if process.poll() is not None:
            log = (root / "error.log").read_text() if (root / "error.log").exists() else ""
            pytest.fail(f"nginx did not start: {process.stdout.read().decode() if process.stdout else ''} {log}")
        yield f"http://127.0.0.1:{port}"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        if process.stdout:
            process.stdout.close()


class Client:
    """Plain HTTP/1.1 GETs over one kept-alive connection; redirects are not followed (a link
    that needs one is a link to fix)."""

    def __init__(self, origin: str) -> None:
        parts = urlsplit(origin)
        self.host, self.port = parts.hostname or "", parts.port or 80
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=10)

    def get(self, path: str) -> tuple[int, str, bytes]:
        for attempt in (1, 2):
            try:
                self.conn.request("GET", path)
                response = self.conn.getresponse()
                return response.status, response.getheader("Content-Type", ""), response.read()
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.conn.close()


_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
_SKIP = ("mailto:", "tel:", "data:", "javascript:")
_XML_NS = {"a": "http://www.w3.org/2005/Atom", "s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def _html_links(fragment: str) -> list[tuple[str, str]]:
    """(what, address) of every href and src in a piece of HTML (a feed entry's content)."""
    if not fragment.strip():
        return []
    root = html.fragment_fromstring(fragment, create_parent="div")
    return [(f"<{e.tag} {attr}>", e.get(attr)) for e in root.iter() if isinstance(e.tag, str)
            for attr in ("href", "src") if e.get(attr) is not None]


def machine_references(url: str, content_type: str, body: bytes) -> list[tuple[str, str]] | None:
    """(what, address) of the links in a feed, the sitemap or robots.txt, as written there
    (absolute, on base_url); None for any other response."""
    path = urlsplit(url).path
    if path.endswith("/robots.txt"):
        return [("robots Sitemap", line.split(":", 1)[1].strip()) for line in body.decode("utf-8").splitlines()
                if line.lower().startswith("sitemap:")]
    if not (path.endswith(".xml") or (content_type.split(";")[0].endswith("xml") and "svg" not in content_type)):
        return None
    doc = etree.fromstring(body)
    found = [("sitemap <loc>", loc.strip()) for loc in doc.xpath("//s:loc/text()", namespaces=_XML_NS)]
    found += [("feed <link href>", href) for href in doc.xpath("//a:link/@href", namespaces=_XML_NS)]
    for element in doc.xpath("//a:entry/a:content | //a:entry/a:summary", namespaces=_XML_NS):
        if element.get("type") == "html":
            found += [(f"feed {what}", value) for what, value in _html_links(element.text or "")]
    return found


def on_host(address: str, host: str) -> str:
    """A base_url address as served here (host + SUB_PATH + the rest); others stay as they are."""
    return host + SUB_PATH + address[len(BASE_URL):] if address.startswith(BASE_URL) else address


def references(url: str, content_type: str, body: bytes, host: str | None = None) -> list[tuple[str, str]]:
    """(what, absolute URL) of every link and resource a page or stylesheet names, and of every
    link in a feed, the sitemap or robots.txt, mapped from base_url to `host` when given (never
    resolved against the file's own URL: a relative one stays relative, and the crawl reports it)."""
    found: list[tuple[str, str]] = []
    machine = machine_references(url, content_type, body)
    if machine is not None:
        return [(what, urldefrag(on_host(value.strip(), host) if host else value.strip())[0])
                for what, value in machine if not value.strip().startswith(_SKIP)]
    if content_type.startswith("text/html"):
        doc = html.fromstring(body)
        for element in doc.iter():
            if not isinstance(element.tag, str):
                continue
            for attr in ("href", "src", "action", "data-pagefind", "data-filters"):
                value = element.get(attr)
                if value is not None:
                    what = f"<{element.tag} {attr}>"
                    if element.tag == "link" and element.get("rel") == "canonical":
                        what = "canonical"
                    found.append((what, value))
            for attr in ("srcset", "imagesrcset"):
                for candidate in (element.get(attr) or "").split(","):
                    if candidate.strip():
                        found.append((f"<{element.tag} {attr}>", candidate.split()[0]))
            if element.tag == "style" and element.text:
                found.extend(("css url()", m.group(2)) for m in _CSS_URL.finditer(element.text))
            if element.get("style"):
                found.extend(("css url()", m.group(2)) for m in _CSS_URL.finditer(element.get("style")))
    elif content_type.startswith("text/css"):
        found.extend(("css url()", m.group(2)) for m in _CSS_URL.finditer(body.decode("utf-8")))
    return [(what, urldefrag(urljoin(url, value.strip()))[0]) for what, value in found
            if not value.strip().startswith(_SKIP) and not value.startswith("#")]


def _request_path(url: str) -> str:
    parts = urlsplit(url)
    path = quote(parts.path, safe="/%:@!$&'()*+,;=-._~")
    return path + (f"?{parts.query}" if parts.query else "")


@pytest.fixture(scope="module")
def crawl(host: str, built_sample: Path) -> dict[str, object]:
    """Everything reachable from /ban-tin/ and from the 404 page, fetched once."""
    client = Client(host)
    site = host + SUB_PATH
    status: dict[str, int] = {}
    referrers: dict[str, list[str]] = {}
    outside: list[tuple[str, str, str]] = []
    external: list[tuple[str, str, str]] = []
    queue = deque([site])
    missing = site + "khong-co-trang-nay/"
    queue.append(missing)  # the 404 page, served at a depth it does not live at
    queue.append(site + "robots.txt")  # asked for by name; it names the sitemap
    seen = set(queue)
    bodies: dict[str, bytes] = {}
    try:
        while queue:
            url = queue.popleft()
            code, content_type, body = client.get(_request_path(url))
            status[url] = code
            bodies[url] = body
            if code != 200 and url != missing:
                continue  # a broken link, reported by the test; its error page is not crawled again
            assert len(seen) < MAX_URLS, "the crawl does not end: links that grow at every step?"
            for what, target in references(url, content_type, body, host):
                if not target.startswith(("http://", "https://")):
                    outside.append((url, what, target))
                    continue
                if not target.startswith(host + "/"):
                    external.append((url, what, target))
                    continue
                if not urlsplit(target).path.startswith(SUB_PATH):
                    outside.append((url, what, target))
                    continue
                bare = target.split("?", 1)[0]
                referrers.setdefault(bare, []).append(url)
                if bare not in seen:
                    seen.add(bare)
                    queue.append(bare)
    finally:
        client.close()
    return {"status": status, "referrers": referrers, "outside": outside, "external": external,
            "bodies": bodies, "site": site, "missing": missing}


def _file_of(url: str, site: str) -> str:
    path = unquote(url[len(site):])
    return path + "index.html" if path == "" or path.endswith("/") else path


def test_nginx_serves_every_page_with_no_broken_link(crawl: dict, built_sample: Path) -> None:
    status, site = crawl["status"], crawl["site"]
    broken = {url: (code, crawl["referrers"].get(url, [])[:3]) for url, code in status.items()
              if code != 200 and url != crawl["missing"]}
    assert broken == {}
    assert status[crawl["missing"]] == 404
    assert crawl["bodies"][crawl["missing"]] == (built_sample / "404.html").read_bytes()
    reached = {_file_of(url, site) for url, code in status.items() if code == 200}
    on_disk = {p.relative_to(built_sample).as_posix() for p in built_sample.rglob("*")
               if p.is_file() and not p.name.startswith(".")  # the build's own marker file
               and not p.relative_to(built_sample).parts[0] == DESK_FOLDER}  # no link leads to the editor's desk
    pages = {p for p in on_disk if p.endswith(".html")}
    # 404.html is reached as the error page of a missing address, not by a link
    assert pages - reached == {"404.html"}
    assert len(pages) > 150
    # every other file is reached too: robots.txt (asked for by name) names the sitemap
    assert {"robots.txt", "sitemap.xml", "feed.xml"} <= reached
    unlinked = on_disk - reached - pages
    assert {p for p in unlinked if not p.startswith("pagefind/")} == set()


def test_no_link_leaves_the_sub_path(crawl: dict) -> None:
    assert crawl["outside"] == []
    # the only absolute links to another host are the canonical ones, to base_url: never fetched
    assert {what for _, what, _ in crawl["external"]} <= {"canonical"}
    assert all(t.startswith("https://mttq.example.gov.vn/ban-tin/") for _, _, t in crawl["external"])


def test_feeds_and_the_sitemap_are_crawled(crawl: dict, built_sample: Path) -> None:
    """Every sitemap entry and every link of the site's feed was fetched through nginx, the feed's
    entry content included (the sample's body image is named there)."""
    site, status, referrers = crawl["site"], crawl["status"], crawl["referrers"]
    locs = etree.parse(str(built_sample / "sitemap.xml")).xpath("//s:loc/text()", namespaces=_XML_NS)
    assert len(locs) > 100
    assert {loc: status.get(on_host(loc, site[:-len(SUB_PATH)])) for loc in locs} == {loc: 200 for loc in locs}
    from_sitemap = {url for url, refs in referrers.items() if site + "sitemap.xml" in refs}
    assert len(from_sitemap) == len(locs)
    from_feed = {url for url, refs in referrers.items() if site + "feed.xml" in refs}
    assert any(url.startswith(site + "tin-tuc/") for url in from_feed)
    assert any(url.startswith(site + "media/") for url in from_feed), "entry content was not read"
    assert all(status[url] == 200 for url in from_feed)


FEED = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><id>{BASE_URL}feed.xml</id>
  <link rel="self" href="{BASE_URL}feed.xml"/><link rel="alternate" href="{BASE_URL}"/>
  <entry><link rel="alternate" href="{BASE_URL}tin-tuc/2020/08/a/"/>
    <summary type="html">&lt;a href="{BASE_URL}the/b/#x"&gt;b&lt;/a&gt;</summary>
    <content type="html">&lt;p&gt;&lt;img src="{BASE_URL}media/a.png" alt=""&gt; &lt;a href="../c/"&gt;c&lt;/a&gt;
      &lt;a href="mailto:a@example.org"&gt;thư&lt;/a&gt; &lt;a href="https://other.example.net/d"&gt;d&lt;/a&gt;&lt;/p&gt;</content>
  </entry>
</feed>""".encode()
SITEMAP = f"""<?xml version="1.0" encoding="utf-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc> {BASE_URL}don-vi/ </loc></url></urlset>""".encode()


def test_references_in_feeds_sitemap_and_robots_are_mapped_onto_the_host() -> None:
    """base_url becomes the host's sub-path; a relative address in a feed stays relative (the
    crawl reports it as leaving the sub-path), another host stays another host."""
    host = "http://127.0.0.1:8000"
    feed = references(host + SUB_PATH + "feed.xml", "text/xml", FEED, host)
    assert sorted(feed) == sorted([
        ("feed <link href>", host + SUB_PATH + "feed.xml"),
        ("feed <link href>", host + SUB_PATH),
        ("feed <link href>", host + SUB_PATH + "tin-tuc/2020/08/a/"),
        ("feed <a href>", host + SUB_PATH + "the/b/"),
        ("feed <img src>", host + SUB_PATH + "media/a.png"),
        ("feed <a href>", "../c/"),
        ("feed <a href>", "https://other.example.net/d"),
    ])
    assert references(host + SUB_PATH + "sitemap.xml", "text/xml", SITEMAP, host) == [
        ("sitemap <loc>", host + SUB_PATH + "don-vi/")]
    robots = f"User-agent: *\nAllow: /\n\nSitemap: {BASE_URL}sitemap.xml\n".encode()
    assert references(host + SUB_PATH + "robots.txt", "text/plain", robots, host) == [
        ("robots Sitemap", host + SUB_PATH + "sitemap.xml")]


def test_404_page_links_work_at_any_depth(crawl: dict) -> None:
    """The error page is served for /ban-tin/khong-co-trang-nay/: its links must still resolve."""
    linked_from_404 = [url for url, refs in crawl["referrers"].items() if crawl["missing"] in refs]
    assert len(linked_from_404) > 5
    assert all(crawl["status"][url] == 200 for url in linked_from_404)


def test_nginx_serves_the_search_bundle_and_machine_files(host: str, built_sample: Path) -> None:
    """Files no page links to: robots.txt, the sitemap, and the Pagefind bundle the search page loads."""
    client = Client(host)
    try:
        names = ["robots.txt", "sitemap.xml"] + sorted(p.relative_to(built_sample).as_posix()
                                                       for p in (built_sample / "pagefind").rglob("*") if p.is_file())
        bad = {}
        for name in names:
            code, content_type, body = client.get(_request_path(host + SUB_PATH + name))
            if code != 200 or body != (built_sample / name).read_bytes():
                bad[name] = code
        assert bad == {}
        assert client.get(SUB_PATH + "pagefind/pagefind.js")[1].startswith(("application/javascript", "text/javascript"))
    finally:
        client.close()


# --- chromium through nginx ---------------------------------------------------------------------------

class Recorder:
    """Every request a page makes, the failed ones and the HTTP errors."""

    def __init__(self, page: Page) -> None:
        self.requests: list[str] = []
        self.failed: list[str] = []
        self.errors: list[tuple[str, int]] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("requestfailed", lambda r: self.failed.append(f"{r.url} {r.failure}"))
        page.on("response", lambda r: self.errors.append((r.url, r.status)) if r.status >= 400 else None)


def _pick(crawl: dict, pattern: str, needle: bytes) -> str:
    for url, body in sorted(crawl["bodies"].items()):
        if re.search(pattern, url) and needle in body:
            return url
    raise AssertionError(f"no page matches {pattern} with {needle!r}")


def test_pages_in_chromium_stay_on_the_sub_path(browser: Browser, crawl: dict) -> None:
    site = crawl["site"]
    pages = [
        site,
        site + "tin-tuc/",
        _pick(crawl, r"/tin-tuc/\d{4}/\d\d/[^/]+/$", b"<img"),  # an article with an image
        _pick(crawl, r"/don-vi/[^/]+/$", b"<svg"),  # a unit page with a chart
        site + "so-lieu/",
        site + "tim-kiem/?q=giam+sat",
    ]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        seen = Recorder(page)
        for url in pages:
            response = page.goto(url, wait_until="networkidle")
            assert response is not None and response.status == 200, url
        page.wait_for_function("document.querySelectorAll('#ket-qua li').length > 0", timeout=20000)
        results = page.eval_on_selector_all("#ket-qua li a", "links => links.map(a => a.href)")
        assert results and all(r.startswith(site) for r in results)
        with page.expect_navigation(wait_until="networkidle"):
            page.click("#ket-qua li a")
        assert page.url == results[0]
        response = page.goto(crawl["missing"], wait_until="networkidle")
        assert response is not None and response.status == 404
        with page.expect_navigation(wait_until="networkidle"):
            page.click("nav a[href$='/tin-tuc/']")  # a link of the 404 page, served away from its folder
        assert page.url == site + "tin-tuc/"
    finally:
        context.close()
    assert seen.failed == []
    assert [e for e in seen.errors if e != (crawl["missing"], 404)] == []
    assert [url for url in seen.requests if not url.startswith(site)] == []
    assert any("/pagefind/" in url and url.endswith(".pf_fragment") for url in seen.requests)


# --- --portable, opened from disk ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def portable(sample_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample built with `site-builder build --portable` (through the command line)."""
    output = tmp_path_factory.mktemp("portable") / "output"
    assert main(["build", "--source", str(sample_copy), "--output", str(output), "--portable"]) == 0
    return output


def _article_with_image(output: Path) -> Path:
    for path in sorted(output.glob("tin-tuc/*/*/*/index.html")):
        if b"<img" in path.read_bytes():
            return path
    raise AssertionError("the sample has no article with an image")


def broken_on_disk(output: Path, page: Path) -> list[str]:
    """Links and resources of a page that do not name an existing file when opened from disk
    (a folder is broken: without a server, file:// shows a listing, not its index.html)."""
    broken = []
    doc = html.fromstring(page.read_bytes())
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue
        for attr in ("href", "src", "action"):
            value = element.get(attr)
            if value is None or value.startswith(_SKIP) or value.startswith("#"):
                continue
            if value.startswith(("http://", "https://")):
                if not (element.tag == "link" and element.get("rel") == "canonical"):
                    broken.append(f"{attr}={value} (another host)")
                continue
            path, fragment = urldefrag(value.split("?", 1)[0])
            target = (page.parent / unquote(path)).resolve()
            if not target.is_file() or output.resolve() not in target.parents:
                broken.append(f"{attr}={value}")
            elif fragment and target.suffix == ".html":
                ids = html.fromstring(target.read_bytes()).xpath("//@id")
                if fragment not in ids:
                    broken.append(f"{attr}={value} (no #{fragment})")
    return broken


def test_portable_links_name_files_that_exist(portable: Path, built_sample: Path) -> None:
    pages = [p for p in portable.rglob("*.html")]
    broken = {p.relative_to(portable).as_posix(): b for p in pages if (b := broken_on_disk(portable, p))}
    assert broken == {}
    # the same check on a normal build fails: links end in "/" there, which only a server resolves
    normal = broken_on_disk(built_sample, built_sample / "index.html")
    assert any(b.startswith("href=tin-tuc/") for b in normal)


@pytest.mark.parametrize("which", ["home", "article"])
def test_portable_pages_open_from_disk_in_chromium(browser: Browser, portable: Path, which: str) -> None:
    start = portable / "index.html" if which == "home" else _article_with_image(portable)
    root = portable.resolve().as_uri() + "/"
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        seen = Recorder(page)
        page.goto(start.resolve().as_uri(), wait_until="networkidle")
        anchors = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
        resources = page.eval_on_selector_all("link[href], img[src], script[src]",
                                              "els => els.map(e => e.href || e.src)")
        styled = page.evaluate("getComputedStyle(document.querySelector('.site-header')).display")
        images = page.eval_on_selector_all("img", "imgs => imgs.map(i => i.complete && i.naturalWidth > 0)")
        # follow the menu's "Tin tức" link as a reader would
        with page.expect_navigation(wait_until="networkidle"):
            page.click("nav a:text-is('Tin tức')")
        assert page.url == root + "tin-tuc/index.html"
        assert page.locator("h1").count() == 1
    finally:
        context.close()
    assert seen.failed == [] and seen.errors == []
    assert all(url.startswith(root) for url in seen.requests), seen.requests
    assert styled and all(images)
    if which == "article":
        assert images
    local = [u for u in anchors + resources if u.startswith("file://")]
    assert len(local) > 10
    missing = []
    for url in local:
        path = Path(unquote(urlsplit(url).path))
        if not path.is_file() or not url.startswith(root):
            missing.append(url)
    assert missing == []
    others = [u for u in anchors + resources if not u.startswith(("file://", "mailto:", "tel:"))]
    assert all(u.startswith("https://mttq.example.gov.vn/ban-tin/") for u in others)  # canonical only


def test_portable_changes_only_links_and_builds_do_not_mix(sample_copy: Path, tmp_path: Path,
                                                           built_sample: Path) -> None:
    """A portable build, then a normal one into the same folder, gives exactly the normal output
    (the cache knows the two apart); portable pages differ from normal ones only in their links."""
    output = tmp_path / "output"
    build(sample_copy, output, now=NOW, portable=True)
    portable_files = tree_bytes(output)
    build(sample_copy, output, now=NOW)
    normal = tree_bytes(built_sample)
    assert {k: v for k, v in tree_bytes(output).items() if not k.startswith(".")} == \
        {k: v for k, v in normal.items() if not k.startswith(".")}
    assert portable_files.keys() == tree_bytes(output).keys()
    link = re.compile(rb'((?:href|src|action|data-pagefind|data-filters)=")([^"]*)"')
    for rel, data in normal.items():
        if rel.endswith(".html") and rel != "404.html":
            def strip(text: bytes) -> bytes:
                return link.sub(lambda m: m.group(1) + m.group(2).replace(b"index.html", b"") + b'"', text)
            assert strip(portable_files[rel]) == strip(data).replace(b'href="./"', b'href=""'), rel


@pytest.mark.parametrize("root, target, expected", [
    ("../../", "tin-tuc/", "../../tin-tuc/index.html"),
    ("", "", "index.html"),
    ("../", "don-vi/x/#so-lieu", "../don-vi/x/index.html#so-lieu"),
    ("../", "tim-kiem/?q=a/b", "../tim-kiem/index.html?q=a/b"),
    ("../", "feed.xml", "../feed.xml"),
    ("../", "media/2020/a.svg", "../media/2020/a.svg"),
])
def test_portable_link_form(root: str, target: str, expected: str) -> None:
    assert relative(root, target, portable=True) == expected
    assert relative(root, target) == (root + target or "./")
