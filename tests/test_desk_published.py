"""The desk in a built site: `editor:` in site.yaml publishes admin/ (page, generated config.yml,
the vendored Decap CMS) and nothing else changes; without it there is no admin/. In chromium, the
published desk (GitHub) opens to its login screen with no config error and no request to another
host, and the local desk's config (the proxy backend `site-builder edit` serves) loads with a stub
`/api/v1`: its unit picker finds "Đông Cuông" when "dong cuong" is typed, and a new item it saves
lands in news/<year>/ with `date: 2020-08-21 02:49` (Vietnam time, as typed) and loads as the build
reads it."""
from __future__ import annotations

import json
import shutil
import textwrap
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from conftest import NOW, SITE_YAML, http_server, make_site, news_item

from site_builder.base.desk_bundle import BUNDLE, OURS, bundle_files
from site_builder.base.errors import Problems
from site_builder.build.builder import build
from site_builder.load.config import load_config
from site_builder.model.site import load_site
from site_builder.plan.desk_admin import admin_page
from site_builder.plan.desk_config import DeskBackend, desk_config

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

EDITOR = "editor:\n  backend: github\n  repo: mttq-tinh/ban-tin\n  branch: main\n"
CONFIG_ERROR = "Error loading the CMS configuration"  # what Decap shows in the page for a bad config.yml


def test_editor_publishes_admin_and_only_then(tmp_path: Path) -> None:
    source = make_site(tmp_path / "a", site_yaml=SITE_YAML + EDITOR)
    out = tmp_path / "out"
    build(source, out, now=NOW)
    admin = out / "admin"
    assert sorted(p.name for p in admin.iterdir()) == sorted([*bundle_files(), "config.yml", "desk-vi.js", "desk-widgets.js", "index.html"])
    assert all((admin / n).read_bytes() == (BUNDLE / n).read_bytes() for n in bundle_files())
    page = (admin / "index.html").read_text("utf-8")
    assert "<title>Bàn biên tập — Bản tin thử nghiệm</title>" in page and '<meta name="robots" content="noindex">' in page
    model = yaml.safe_load((admin / "config.yml").read_text("utf-8"))
    assert (model["backend"]["name"], model["backend"]["repo"]) == ("github", "mttq-tinh/ban-tin")
    assert model["collections"][0]["folder"] == "content/news"
    assert "admin/" not in (out / "sitemap.xml").read_text("utf-8")

    # a new unit reaches the published config.yml on the next build
    units = source / "units.yaml"
    units.write_text(units.read_text("utf-8") + "- {id: xa-moi-lap, name: Xã Mới Lập, type: xa}\n", encoding="utf-8")
    build(source, out, now=NOW)
    assert "Xã Mới Lập" in (admin / "config.yml").read_text("utf-8")

    plain = make_site(tmp_path / "b")
    build(plain, tmp_path / "out-b", now=NOW)
    assert not (tmp_path / "out-b" / "admin").exists()


def test_editor_key_is_checked_with_its_line(tmp_path: Path) -> None:
    bad = SITE_YAML + textwrap.dedent("""\
        editor:
          backend: bitbucket
          repo: khong-co-gach
          base_url: http://git.example.gov.vn
          folder: ../ngoai
          extra: 1
        """)
    source = make_site(tmp_path, site_yaml=bad)
    problems = Problems()
    assert load_config(source, problems) is None
    start = SITE_YAML.count("\n") + 1
    errors = {(e.line, e.message.split(" ")[0]) for e in problems.errors}
    assert errors == {(start + 1, "editor.backend"), (start + 2, "editor.repo"), (start + 3, "editor.base_url"),
                      (start + 4, "editor.folder")}
    assert [(w.line, w.message) for w in problems.warnings] == [(start + 5, 'mục "editor.extra" không được dùng.')]
    source.joinpath("site.yaml").write_text(SITE_YAML + "editor:\n  backend: gitea\n  repo: a/b\n"
                                            "  base_url: https://git.example.gov.vn/\n  folder: site/content\n",
                                            encoding="utf-8")
    problems = Problems()
    config = load_config(source, problems)
    assert config is not None and config.editor is not None and not problems.errors
    assert (config.editor.base_url, config.editor.folder, config.editor.branch) == (
        "https://git.example.gov.vn", "site/content", "main")


class _Desk(SimpleHTTPRequestHandler):
    """Static files, and a stub of the desk's backend at POST /api/v1 (test only: the real one is
    site_builder/live/desk_*): collections are empty, site.yaml is a title."""

    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".yml": "text/yaml; charset=utf-8"}
    actions: list[str] = []
    saved: list[dict[str, str]] = []  # the files of each persistEntry

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_POST(self) -> None:  # noqa: N802
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        action = request["action"]
        self.actions.append(action)
        answer: object = {"message": "ok"}
        if action == "persistEntry":
            self.saved.extend(request["params"]["dataFiles"])
        if action == "info":
            answer = {"repo": "content", "publish_modes": ["simple"], "type": "local_fs"}
        elif action in ("entriesByFolder", "getMedia"):
            answer = []
        elif action == "entriesByFiles":
            answer = [{"file": {"path": f["path"]}, "data": "title: Bản tin\n"} for f in request["params"]["files"]]
        body = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _open(browser: Browser, url: str) -> tuple[Page, list[str], list[str]]:
    """A page at `url` whose requests to any host but 127.0.0.1 are aborted and recorded, with its
    script errors."""
    page = browser.new_page()
    elsewhere: list[str] = []
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    def route(r: object) -> None:
        from playwright.sync_api import Route
        assert isinstance(r, Route)
        if r.request.url.startswith("http://127.0.0.1:"):
            r.continue_()
        else:
            elsewhere.append(r.request.url)
            r.abort()
    page.route("**/*", route)
    page.goto(url)
    return page, elsewhere, errors


def test_published_github_desk_opens_to_its_login_screen(browser: Browser, tmp_path: Path) -> None:
    source = make_site(tmp_path, site_yaml=SITE_YAML + EDITOR)
    build(source, tmp_path / "host" / "ban-tin", now=NOW)
    with http_server(tmp_path / "host") as origin:
        page, elsewhere, errors = _open(browser, origin + "ban-tin/admin/")
        page.get_by_role("button", name="Đăng nhập bằng GitHub").wait_for(timeout=30_000)
        assert CONFIG_ERROR not in page.inner_text("body")
        assert page.title() == "Bàn biên tập — Bản tin thử nghiệm"
        page.close()
    assert elsewhere == [] and errors == []


def test_local_desk_loads_and_finds_a_unit_typed_without_tones(browser: Browser, tmp_path: Path) -> None:
    source = make_site(tmp_path, news={"news/2024/a.md": news_item(unit="xa-dong-cuong")}, units_yaml=textwrap.dedent("""\
        - id: viet-nam
          name: Việt Nam
          type: quoc-gia
          children:
            - id: huyen-van-yen
              name: Huyện Văn Yên
              type: huyen
              valid_to: 2025-06-30
              children:
                - {id: xa-dong-cuong, name: Xã Đông Cuông, type: xa, valid_to: 2025-06-30}
                - {id: xa-hanh-son, name: Xã Hạnh Sơn, type: xa, valid_to: 2025-06-30}
        """))
    site = load_site(source, now=NOW)
    admin = tmp_path / "project" / "admin"
    admin.mkdir(parents=True)
    backend = DeskBackend("proxy")
    (admin / "index.html").write_text(admin_page(site.config.title, backend), encoding="utf-8")
    (admin / "config.yml").write_text(desk_config(site, backend), encoding="utf-8")
    for name in bundle_files():
        shutil.copy(BUNDLE / name, admin / name)
    for ours in OURS:
        shutil.copy(ours, admin / ours.name)
    _Desk.actions = []
    with http_server(tmp_path / "project", _Desk) as origin:
        page, elsewhere, errors = _open(browser, origin + "admin/")
        page.get_by_role("button", name="Đăng nhập").click(timeout=30_000)
        page.get_by_text("Bài viết: Markdown").wait_for(timeout=30_000)
        assert CONFIG_ERROR not in page.inner_text("body")
        page.goto(origin + "admin/#/collections/tin-tuc/new")
        unit = page.locator("label", has_text="Đơn vị").first
        unit.wait_for(timeout=30_000)
        page.locator(f"#{unit.get_attribute('for')}").fill("dong cuong")
        options = page.locator("[class*='-option']")
        options.first.wait_for(timeout=10_000)
        assert options.all_inner_texts() == ["Xã Đông Cuông, Huyện Văn Yên (đến 30/6/2025)"]
        page.keyboard.press("Enter")
        # a new item, saved: its file, its front matter as the build reads it
        page.fill(f"#{page.locator('label', has_text='Tiêu đề').first.get_attribute('for')}", "Đại hội Đảng bộ xã")
        page.fill(f"#{page.locator('label', has_text='Ngày đăng').first.get_attribute('for')}", "2020-08-21T02:49")
        page.locator("[contenteditable=true]").last.click()
        page.keyboard.type("Nội dung bài viết.")
        page.get_by_role("button", name="Công bố").first.click()
        page.get_by_text("Công bố ngay").click()
        page.wait_for_function("() => !document.body.innerText.includes('THAY ĐỔI CHƯA ĐƯỢC LƯU')", timeout=30_000)
        page.close()
    assert "entriesByFolder" in _Desk.actions
    assert elsewhere == [] and errors == []
    [saved] = _Desk.saved
    assert saved["path"] == "content/news/2020/dai-hoi-dang-bo-xa.md"
    assert "\ndate: 2020-08-21 02:49\nunit: xa-dong-cuong\ndraft: false\n" in saved["raw"]
    written = source / saved["path"].removeprefix("content/")
    written.parent.mkdir(parents=True, exist_ok=True)
    written.write_text(saved["raw"], encoding="utf-8")
    [item] = [i for i in load_site(source, include_drafts=True, now=NOW).items if i.title == "Đại hội Đảng bộ xã"]
    assert (item.date.isoformat(), item.units, item.draft) == ("2020-08-21T02:49:00+07:00", ("xa-dong-cuong",), False)
