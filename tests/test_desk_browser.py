"""The editor's desk end to end: `site-builder edit` running on a copy of the sample, Decap CMS in
Debian's chromium, driven as an editor drives it (no YAML, no terminal), with every request that
tries to leave 127.0.0.1 recorded and refused."""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from conftest import SAMPLE
from test_serve import Stderr, fetch, free_port, wait_for

if TYPE_CHECKING:  # Playwright itself is imported by the browser fixture
    from playwright.sync_api import Browser, Page

TITLE = "Hội nghị thử bàn biên tập"
SLUG = "hoi-nghi-thu-ban-bien-tap"
EXISTING = "news/2020/yen-bai-giam-sat-chinh-sach-ho-tro.md"


@dataclass
class Desk:
    """A running `site-builder edit` on a private copy of the sample."""

    project: Path
    url: str
    log: Stderr

    @property
    def source(self) -> Path:
        return self.project / "content"


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    project = tmp_path / "du-an"
    shutil.copytree(SAMPLE, project / "content")
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "site_builder", "edit", "--port", str(port)],
        cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8",
    )
    log = Stderr(proc.stdout)
    try:
        wait_for(lambda: "Bàn biên tập: mở" in log.text, timeout=120, what="the desk's address")
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: fetch(url + "/admin/")[0] == 200, what="/admin/")
        yield Desk(project, url, log)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def open_desk(browser: Browser, desk: Desk, outside: list[str]) -> Page:
    """The desk logged in, in an editor's browser (Vietnam time); requests for any other host are
    aborted and recorded in `outside`."""
    context = browser.new_context(timezone_id="Asia/Ho_Chi_Minh", locale="vi-VN", viewport={"width": 1280, "height": 1000})
    page = context.new_page()

    def guard(route):  # type: ignore[no-untyped-def]
        if route.request.url.startswith(("http://127.0.0.1:", "blob:", "data:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    page.goto(desk.url + "/admin/")
    page.get_by_role("button", name="Đăng nhập").click()
    return page


def field(page: Page, label: str):  # type: ignore[no-untyped-def]
    """The input of the first visible field of the desk whose label is exactly `label` (a list's
    closed items hide theirs)."""
    page.locator("label:visible", has_text=label).first.wait_for()
    ids = page.evaluate(
        "(name) => [...document.querySelectorAll('label')]"
        ".filter(l => l.offsetParent !== null)"
        ".filter(l => l.firstChild && l.firstChild.textContent.trim().toLowerCase() === name.toLowerCase())"
        ".map(l => l.htmlFor)", label)
    assert ids, f"no field labelled {label!r}"
    return page.locator(f"[id='{ids[0]}']")


def new_article(page: Page, desk: Desk, value: str) -> None:
    """Fill a new article as an editor would: title, a unit found by a toneless query, one figure."""
    page.goto(desk.url + "/admin/#/collections/tin-tuc/new")
    field(page, "Tiêu đề").fill(TITLE)
    field(page, "Đơn vị").fill("dong cuong")
    options = page.get_by_role("option")
    options.first.wait_for()
    labels = options.all_inner_texts()
    assert "Xã Đông Cuông, Tỉnh Lào Cai" in labels
    assert "Xã Đông Cuông, Huyện Văn Yên (đến 30/6/2025)" in labels  # the former commune, told apart by its era
    page.get_by_role("option", name="Xã Đông Cuông, Tỉnh Lào Cai", exact=True).click()
    page.get_by_text("Thêm số liệu trong bài").click()
    field(page, "Chỉ tiêu").fill("giam sat")
    page.get_by_role("option", name="Cuộc giám sát do Mặt trận thực hiện (cuộc)").click()
    field(page, "Kỳ báo cáo").fill("2026-11")
    field(page, "Giá trị").fill(value)


def publish(page: Page) -> tuple[int, str]:
    """Publish as the editor does ("Công bố" → "Công bố ngay"), until the desk sends the save
    (Decap's menu sometimes takes a click before its handlers are there); the backend's reply."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _ in range(3):
        page.get_by_role("button", name="Công bố").click()
        item = page.get_by_role("menuitem", name="Công bố ngay")
        item.wait_for()
        try:
            with page.expect_request(lambda r: "persistEntry" in (r.post_data or ""), timeout=5000) as sent:
                item.click()
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            continue
        reply = sent.value.response()
        assert reply is not None
        return reply.status, reply.text()
    raise AssertionError(f"the desk never sent the save: {page.inner_text('body')[:1500]}")


def waiting(page: Page, desk: Desk, condition, what: str):  # type: ignore[no-untyped-def]
    """`condition()` once it holds; if it never does, fail with what the desk and the server said."""
    try:
        return wait_for(condition, timeout=90, what=what)
    except AssertionError as failed:
        page.screenshot(path=str(desk.project / "desk.png"))
        raise AssertionError(f"{failed}\ndesk: {page.inner_text('body')[:1500]}\nserver: {desk.log.text}") from None


def front_matter(path: Path) -> str:
    return path.read_text(encoding="utf-8").split("---")[1]


def test_an_editor_publishes_an_article_with_a_figure_and_a_photo(browser: Browser, desk: Desk, tmp_path: Path) -> None:
    outside: list[str] = []
    page = open_desk(browser, desk, outside)
    new_article(page, desk, "12")
    photo = tmp_path / "Ảnh Hội nghị.png"
    shutil.copy(SAMPLE / "media/2020/yen-bai-hoi-nghi.png", photo)
    page.get_by_text("Chọn một hình").click()
    page.locator("input[type=file]").first.set_input_files(str(photo))
    page.get_by_role("button", name="Lấy những cái đã chọn").click()
    field(page, "Mô tả ảnh (cho người khiếm thị)").fill("Đại biểu dự hội nghị tại hội trường xã")
    category = field(page, "Chuyên mục")  # choose one in use, or add one: here a new one
    offered = category.evaluate("input => [...input.list.options].map(o => o.value)")
    assert "Hoạt động Mặt trận" in offered, offered
    category.fill("Hội nghị cơ sở")
    page.locator("[data-slate-editor]").click()
    page.keyboard.type("Sáng nay, Mặt trận xã tổ chức hội nghị.")
    reply = publish(page)
    assert reply[0] == 200, reply
    saved = waiting(page, desk, lambda: next(desk.source.glob(f"news/*/{SLUG}.md"), None), "the saved article")
    text = front_matter(saved)
    assert f"title: {TITLE}" in text
    assert 'unit: "xa-dong-cuong-2025"' in text
    assert '- {metric: cuoc-giam-sat, period: "2026-11", value: "12"}' in text
    image = re.search(r"^image: (media/\d{4}/[a-z0-9-]+\.png)$", text, re.M)
    assert image, text
    assert (desk.source / image.group(1)).read_bytes() == photo.read_bytes()
    assert 'image_alt: "Đại biểu dự hội nghị tại hội trường xã"' in text or \
        "image_alt: Đại biểu dự hội nghị tại hội trường xã" in text
    assert "draft: true" not in text
    assert "category: Hội nghị cơ sở" in text or 'category: "Hội nghị cơ sở"' in text, text
    assert "Sáng nay, Mặt trận xã tổ chức hội nghị." in saved.read_text(encoding="utf-8")

    date = re.search(r'^date: "(\d{4})-(\d{2})-', text, re.M)
    assert date, text
    live = f"{desk.url}/tin-tuc/{date.group(1)}/{date.group(2)}/{SLUG}/"
    status, html = wait_for(lambda: (r := fetch(live))[0] == 200 and r, timeout=5, what="the live page")
    assert TITLE in html and "Sáng nay, Mặt trận xã tổ chức hội nghị." in html
    assert "Cuộc giám sát do Mặt trận thực hiện" in html
    assert outside == []


def test_a_figure_written_with_a_comma_is_refused_in_the_desk_and_nothing_is_written(
        browser: Browser, desk: Desk) -> None:
    before = sorted(p.relative_to(desk.source) for p in desk.source.rglob("*"))
    outside: list[str] = []
    page = open_desk(browser, desk, outside)
    new_article(page, desk, "1,030")
    page.locator("[data-slate-editor]").click()
    page.keyboard.type("Bài có số liệu viết sai.")
    publish(page)
    notice = page.get_by_text("1,030", exact=False).filter(has_text="Giá trị").first
    notice.wait_for(timeout=90_000)
    assert "1.030" in notice.inner_text()  # it says how to write it
    time.sleep(0.5)
    assert sorted(p.relative_to(desk.source) for p in desk.source.rglob("*")) == before
    assert outside == []


def figures_of(desk: Desk) -> object:
    """Every record of the live site's open data, as the reader downloads them."""
    status, text = fetch(desk.url + "/so-lieu/du-lieu.json")
    assert status == 200
    return json.loads(text)


def test_an_existing_sample_item_edited_in_the_desk_keeps_its_figures(browser: Browser, desk: Desk) -> None:
    records = figures_of(desk)
    path = desk.source / EXISTING
    original = path.read_text(encoding="utf-8")
    outside: list[str] = []
    page = open_desk(browser, desk, outside)
    rel = f"{Path(EXISTING).parent.name}/{Path(EXISTING).stem}"
    page.goto(f"{desk.url}/admin/#/collections/tin-tuc/entries/{rel}")
    editor = page.locator("[data-slate-editor]")
    editor.wait_for()
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(" Bài được sửa trong bàn biên tập.")
    publish(page)
    waiting(page, desk, lambda: "Bài được sửa trong bàn biên tập." in path.read_text(encoding="utf-8"), "the saved edit")
    assert path.read_text(encoding="utf-8") != original
    wait_for(lambda: figures_of(desk) == records, timeout=10, what="the same figures after the edit")
    assert outside == []


MISSING_PHRASES = """() => {
  const missing = [];
  const walk = (en, vi, path) => {
    for (const key of Object.keys(en)) {
      if (typeof en[key] === "object") walk(en[key], (vi || {})[key], path + key + ".");
      else if (!vi || typeof vi[key] !== "string") missing.push(path + key);
    }
  };
  walk(window.CMS.getLocale("en"), window.CMS.getLocale("vi"), "");
  return missing;
}"""


def test_every_phrase_of_the_desk_is_vietnamese(browser: Browser, desk: Desk) -> None:
    """Decap shows English for a phrase its Vietnamese locale lacks; ours adds every one."""
    outside: list[str] = []
    page = open_desk(browser, desk, outside)
    page.get_by_text("Tin tức").first.wait_for()
    assert page.evaluate(MISSING_PHRASES) == []
    page.goto(desk.url + "/admin/#/collections/tin-tuc/new")
    field(page, "Tiêu đề").wait_for()
    assert page.get_by_text("Thêm số liệu trong bài").count() == 1  # Decap's own phrase would say "Add"
    assert outside == []


def test_metrics_are_edited_in_the_desk_and_only_the_edit_changes(browser: Browser, desk: Desk) -> None:
    """metrics.yaml, a top-level list, is edited under one list field; a save changes only what
    the editor changed."""
    import yaml

    metrics = desk.source / "metrics.yaml"
    before = yaml.safe_load(metrics.read_text(encoding="utf-8"))
    outside: list[str] = []
    page = open_desk(browser, desk, outside)
    page.goto(desk.url + "/admin/#/collections/chi-tieu/entries/danh-muc")
    page.get_by_text(f"{len(before)} chỉ tiêu").wait_for()
    item = page.locator("[class*='SortableListItem']", has_text="Khẩu trang tiếp nhận (chiếc)").last
    item.locator("button").first.click()  # opens that metric
    field(page, "Mô tả").fill("Số khẩu trang Mặt trận tiếp nhận trong kỳ.")
    reply = publish(page)
    assert reply[0] == 200, reply
    after = yaml.safe_load(metrics.read_text(encoding="utf-8"))
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert [after[i]["id"] for i in changed] == ["khau-trang"]
    assert after[changed[0]] == {**before[changed[0]], "description": "Số khẩu trang Mặt trận tiếp nhận trong kỳ."}
    assert outside == []
