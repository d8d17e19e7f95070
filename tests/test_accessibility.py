"""Accessibility in a real browser: axe-core (npm) injected by Playwright into Debian's chromium
on one page of each kind, at a desktop width and on a 360 px phone; and the keyboard: a skip
link first, every link and control reachable with Tab, the focus always visible."""
from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from conftest import NOW, REPO, SAMPLE, VIEWPORTS, http_server

from site_builder.build.builder import build

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

AXE = REPO / ".venv/node/node_modules/axe-core/axe.min.js"

# The article with a lead image, a body image and a table of figures; a unit page with charts.
ARTICLE = "tin-tuc/2020/08/yen-bai-mo-hinh-co-quan-giup-viec-chung-khoi-mat-tran-va-cac-doan-the-phu-kin-hai-cap/"
PAGES = {
    "trang-chu": "",
    "tin-tuc": "tin-tuc/",
    "bai-viet": ARTICLE,
    "don-vi": "don-vi/tinh-yen-bai/",
    "so-lieu": "so-lieu/",
    "tim-kiem": "tim-kiem/?q=mat+tran",
    "404": "404.html",
}


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sample built and served at http://127.0.0.1:PORT/ban-tin/ (its base path)."""
    root = tmp_path_factory.mktemp("a11y")
    shutil.copytree(SAMPLE, root / "content")
    build(root / "content", root / "host" / "ban-tin", now=NOW)
    with http_server(root / "host") as origin:
        yield origin + "ban-tin/"


@pytest.fixture(scope="module")
def browser(browser: Browser) -> Browser:
    """conftest's chromium, once axe-core is known to be there."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run tests/run.sh, which installs axe-core from npm")
    return browser


def _open(browser: Browser, site_url: str, name: str, viewport: str) -> Page:
    context = browser.new_context(viewport=VIEWPORTS[viewport], is_mobile=viewport == "360",
                                  has_touch=viewport == "360")
    page = context.new_page()
    page.goto(site_url + PAGES[name])
    if name == "tim-kiem":      # judge the page with its results in place
        page.wait_for_selector("#ket-qua li", timeout=20000)
    return page


def _serious(page: Page) -> list[dict[str, object]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            targets: v.nodes.slice(0, 5).map(n => n.target.join(' ')), count: v.nodes.length}));
    }""")
    return [v for v in result if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("name", list(PAGES))
def test_no_serious_axe_violations(browser: Browser, site_url: str, name: str, viewport: str) -> None:
    page = _open(browser, site_url, name, viewport)
    try:
        violations = _serious(page)
        assert violations == [], json.dumps(violations, ensure_ascii=False, indent=1)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= VIEWPORTS[viewport]["width"], f"{name} scrolls sideways: {width} px"
    finally:
        page.context.close()


@pytest.mark.parametrize("name", list(PAGES))
def test_no_axe_violation_of_any_impact(browser: Browser, site_url: str, name: str) -> None:
    """Moderate and minor too: e.g. two search landmarks with one name (`landmark-unique`)."""
    page = _open(browser, site_url, name, "1280")
    try:
        page.add_script_tag(path=str(AXE))
        found = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']}))
            .violations.map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))""")
        assert found == []
    finally:
        page.context.close()


def test_pages_are_what_the_list_says(browser: Browser, site_url: str) -> None:
    """The article really has images and figures, the unit page a chart with its table."""
    page = _open(browser, site_url, "bai-viet", "1280")
    try:
        assert page.locator("article figure img").count() == 1
        assert page.locator("article .body img").count() >= 1
        assert page.locator("article table.figures tbody tr").count() >= 5
        page.goto(site_url + PAGES["don-vi"])
        assert page.locator("figure.chart svg[role=img] title").count() >= 1
        assert page.locator("figure.chart + .table-wrap table caption").count() >= 1
    finally:
        page.context.close()


_FOCUSABLE = """() => {
    const visible = e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
    const all = [...document.querySelectorAll(
        'a[href], button, input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex="-1"])')];
    const wanted = all.filter(e => visible(e) && !e.disabled);
    wanted.forEach((e, i) => { e.dataset.kb = String(i); });
    return wanted.map(e => (e.textContent || e.getAttribute('aria-label') || e.id || e.name || '').trim().slice(0, 60));
}"""
_RING = """e => { const s = getComputedStyle(e);
    return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.backgroundColor, s.borderColor].join('|'); }"""


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("name", list(PAGES))
def test_keyboard_reaches_everything_with_a_visible_focus(browser: Browser, site_url: str, name: str,
                                                          viewport: str) -> None:
    page = _open(browser, site_url, name, viewport)
    try:
        labels = page.evaluate(_FOCUSABLE)
        plain = page.eval_on_selector_all("[data-kb]", f"els => els.map({_RING})")
        reached: list[int] = []
        unseen_focus: list[str] = []
        for _ in range(len(labels) * 2 + 20):
            page.keyboard.press("Tab")
            index, ring = page.evaluate(f"""() => {{ const e = document.activeElement;
                return [e && e.dataset ? e.dataset.kb ?? null : null, e === document.body ? null : ({_RING})(e)]; }}""")
            if index is None and ring is None:
                break                                    # focus went back to the document: done
            if index is None:
                continue                                 # a scroller or the like; not in our list
            i = int(index)
            if reached and i == reached[0]:
                break
            reached.append(i)
            if ring == plain[i]:
                unseen_focus.append(labels[i])
        assert reached, "Tab focuses nothing"
        first = page.eval_on_selector(f"[data-kb='{reached[0]}']", "e => [e.textContent.trim(), e.getAttribute('href')]")
        assert first[0] == "Bỏ qua đến nội dung chính", first
        assert first[1].startswith("#") and page.locator(f"main{first[1]}").count() == 1, first
        missed = [labels[i] for i in range(len(labels)) if i not in set(reached)]
        assert missed == [], f"{len(missed)} not reachable with Tab, e.g. {missed[:8]}"
        assert unseen_focus == [], f"{len(unseen_focus)} without a visible focus, e.g. {unseen_focus[:8]}"
    finally:
        page.context.close()


def test_skip_link_moves_the_focus_to_the_main_content(browser: Browser, site_url: str) -> None:
    page = _open(browser, site_url, "trang-chu", "360")
    try:
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.classList.contains('skip-link')")
        box = page.locator(".skip-link").bounding_box()
        assert box is not None and box["y"] >= 0 and box["x"] >= 0, "the focused skip link is off screen"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.tagName") == "MAIN"
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('main') !== null")
    finally:
        page.context.close()
