"""Shared fixtures: the sample site (copied, never edited in place), one build of it, and
`make_site`, which writes a small purpose-made site for error and edge-case tests."""
from __future__ import annotations

import functools
import os
import shutil
import textwrap
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest

from site_builder.build.builder import build

if TYPE_CHECKING:  # Playwright is imported only where a browser starts: `-m "not browser"` runs without it.
    from playwright.sync_api import Browser

REPO = Path(__file__).resolve().parent.parent


class NoSkipsOnCI:
    """On CI (the `CI` environment variable set) a skipped test fails the run: there a skip means a
    tool is missing or a test was switched off, and it would otherwise pass unseen. xfail is not a skip."""

    def __init__(self) -> None:
        self.skipped: list[str] = []

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.skipped:
            self.skipped.append(report.nodeid or "?")

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.skipped and not hasattr(report, "wasxfail"):
            self.skipped.append(report.nodeid)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.skipped and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if self.skipped:
            terminalreporter.write_line(
                f"Lỗi: trên CI không được bỏ qua bài kiểm thử nào; {len(self.skipped)} bài bị bỏ qua: "
                + ", ".join(self.skipped), red=True, bold=True)


def on_ci() -> bool:
    """True when the `CI` environment variable is set to anything but empty, "0" or "false"."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false")


def pytest_configure(config: pytest.Config) -> None:
    if on_ci():
        config.pluginmanager.register(NoSkipsOnCI(), "no-skips-on-ci")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark `browser` every test that uses the chromium fixture (directly or through another), so
    none can be forgotten and `pytest -m "not browser"` runs where Playwright is not installed."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


class _QuietHandler(SimpleHTTPRequestHandler):
    """Python's static file handler without a log line per request."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextmanager
def http_server(directory: Path, handler_class: type[SimpleHTTPRequestHandler] | None = None) -> Iterator[str]:
    """Serve `directory` on 127.0.0.1 at a free port, quietly, for as long as the block lasts;
    yields the root address ("http://127.0.0.1:PORT/"). One server for every test that needs one;
    `handler_class` (a quiet static handler by default) may answer more than files."""
    handler = functools.partial(handler_class or _QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


# Debian's chromium, driven by Playwright (never a downloaded browser), for what a reader sees.
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-features=Translate,OptimizationHints"]
VIEWPORTS = {"1280": {"width": 1280, "height": 800}, "360": {"width": 360, "height": 740}}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One chromium per test module; Playwright is imported here, not when the suite is collected."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield instance
        instance.close()


SAMPLE = REPO / "content"
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
# After every dated sample item but before the scheduled one (2027-03-01 08:00).
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=ZONE)

BASE_URL = "https://example.org/ban-tin/"

SITE_YAML = textwrap.dedent("""\
    title: Bản tin thử nghiệm
    description: Trang thử nghiệm của bộ kiểm thử.
    base_url: https://example.org/ban-tin/
    timezone: Asia/Ho_Chi_Minh
    root_unit: viet-nam
    per_page: 5
    theme: default
    organisation:
      name: Cơ quan Khối thử nghiệm
      governing_body: Ủy ban MTTQ Tỉnh A
      address: 1 đường Một, Xã C
      phone: "0200 111 222"
      email: lienhe@example.org
      responsible: Trần Thị Bình
      licence: Ghi rõ nguồn khi phát hành lại.
    """)

UNITS_YAML = textwrap.dedent("""\
    - id: viet-nam
      name: Việt Nam
      type: quoc-gia
      children:
        - id: tinh-a
          name: Tỉnh A
          type: tinh
          code: "01"
          children:
            - id: huyen-b
              name: Huyện B
              type: huyen
              code: "002"
              children:
                - id: xa-c
                  name: Xã C
                  type: xa
                  code: "00003"
            - id: xa-cu
              name: Xã Cũ
              type: xa
              code: "00004"
              valid_to: 2025-06-30
              successors:
                - {id: xa-moi, relation: merged_into}
            - id: xa-moi
              name: Xã Mới
              type: xa
              code: "00005"
              valid_from: 2025-07-01
    """)


def news_item(title: str = "Hội nghị tổng kết", date: str = "2024-05-10 09:30", unit: str = "xa-c",
              body: str = "Nội dung bài viết.\n", **extra: str) -> str:
    """Text of a valid news item; `extra` adds raw front matter lines (key: raw YAML value)."""
    lines = ["---", f'title: "{title}"', f'date: "{date}"', f"unit: {unit}"]
    lines += [f"{key}: {value}" for key, value in extra.items()]
    lines += ["---", "", body]
    return "\n".join(lines)


DEFAULT_NEWS = {"news/2024/hoi-nghi-tong-ket.md": news_item()}


def make_site(tmp_path: Path, news: dict[str, str] | None = None, units_yaml: str = UNITS_YAML,
              site_yaml: str = SITE_YAML, pages: dict[str, str] | None = None,
              files: dict[str, str | bytes] | None = None) -> Path:
    """Write a minimal site under tmp_path/"content" and return that folder.

    `news` maps paths relative to content/ ("news/2024/x.md") to file text; None gives one valid
    item. `files` writes any further files (text or bytes), relative to content/.
    """
    source = tmp_path / "content"
    source.mkdir(parents=True, exist_ok=True)
    if site_yaml is not None:
        (source / "site.yaml").write_text(site_yaml, encoding="utf-8")
    if units_yaml is not None:
        (source / "units.yaml").write_text(units_yaml, encoding="utf-8")
    for rel, text in (DEFAULT_NEWS if news is None else news).items():
        path = source / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for rel, text in (pages or {}).items():
        path = source / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for rel, data in (files or {}).items():
        path = source / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return source


# The editor's desk, published in admin/ when site.yaml has `editor:` (a site's choice): Decap CMS's
# page for editors, not a page of the site. Readers never reach it (no link, `noindex`, not in the
# sitemap or search), and its HTML and accessibility are Decap's, so the tests that walk every page
# a reader sees leave it out; tests/test_desk_published.py checks it.
DESK_FOLDER = "admin"


def reader_pages(root: Path) -> list[Path]:
    """Every HTML page of a built site that readers see (all but the desk in admin/), sorted."""
    return sorted(p for p in root.rglob("*.html") if p.relative_to(root).parts[0] != DESK_FOLDER)


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file under root (hidden ones included) → its bytes."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def sample_site(tmp_path: Path) -> Path:
    """A private copy of the sample site's sources, named content/ like the real one."""
    target = tmp_path / "content"
    shutil.copytree(SAMPLE, target)
    return target


@pytest.fixture(scope="session")
def sample_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One frozen copy of the sample sources for the session (the original may still change)."""
    target = tmp_path_factory.mktemp("sample") / "content"
    shutil.copytree(SAMPLE, target)
    return target


@pytest.fixture(scope="session")
def built_sample(sample_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample built once, drafts excluded, at a fixed time; returns the output folder."""
    output = tmp_path_factory.mktemp("built") / "output"
    build(sample_copy, output, now=NOW)
    return output


@pytest.fixture(scope="session")
def built_sample_drafts(sample_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("built-drafts") / "output"
    build(sample_copy, output, include_drafts=True, now=NOW)
    return output
