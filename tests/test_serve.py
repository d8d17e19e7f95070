"""`site-builder serve`: serves the built site, rebuilds on a change, keeps the last good pages on an error."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from conftest import REPO

TIMEOUT = 20.0
ITEM = "news/2020/yen-bai-giam-sat-chinh-sach-ho-tro.md"
SLUG = "giam-sat-chinh-sach-ho-tro-covid"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, ""


def wait_for(condition, timeout: float = TIMEOUT, what: str = ""):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        try:
            last = condition()
        except (urllib.error.URLError, ConnectionError, OSError) as exc:
            last = exc
        else:
            if last:
                return last
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


class Stderr:
    """Collects a process's stderr in a thread so the pipe never fills up."""

    def __init__(self, stream) -> None:  # type: ignore[no-untyped-def]
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream) -> None:  # type: ignore[no-untyped-def]
        for line in iter(stream.readline, ""):
            self.lines.append(line)

    @property
    def text(self) -> str:
        return "".join(self.lines)


def test_serve_rebuilds_and_keeps_last_good_page(sample_site: Path, tmp_path: Path) -> None:
    item = sample_site / ITEM
    original = item.read_text(encoding="utf-8")
    assert f"slug: {SLUG}" in original  # a fixed slug: editing the title keeps the URL
    output = tmp_path / "served"
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "site_builder", "serve", "--source", str(sample_site), "--output", str(output),
         "--port", str(port)],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, encoding="utf-8",
    )
    stderr = Stderr(proc.stderr)
    try:
        status, home = wait_for(lambda: fetch(base), what="the home page")
        assert status == 200
        assert '<html lang="vi">' in home
        assert "Bản tin" in home

        article = f"{base}tin-tuc/2020/06/{SLUG}/"
        status, page = fetch(article)
        assert status == 200
        old_title = re.search(r"<h1>([^<]*)</h1>", page).group(1)  # type: ignore[union-attr]
        new_title = "Giám sát chính sách hỗ trợ: bản sửa lúc phục vụ"
        assert new_title not in page

        # 1. an edit shows up without restarting the server
        edited = re.sub(r"^title: .*$", f'title: "{new_title}"', original, count=1, flags=re.M)
        assert edited != original
        item.write_text(edited, encoding="utf-8")
        wait_for(lambda: new_title in fetch(article)[1], what="the new title")
        assert old_title not in fetch(article)[1]

        # 2. a broken front matter: the last good page stays, the error names path:line
        lines = edited.splitlines(keepends=True)
        bad_line = next(n for n, line in enumerate(lines, 1) if line.startswith("category:"))
        lines[bad_line - 1] = "category: Giám sát: phản biện\n"
        item.write_text("".join(lines), encoding="utf-8")
        pattern = re.compile(rf"content/{re.escape(ITEM)}:{bad_line}: Lỗi: ")
        wait_for(lambda: pattern.search(stderr.text), what=f"an error at {ITEM}:{bad_line}")
        status, page = fetch(article)
        assert status == 200
        assert new_title in page
        assert fetch(base)[0] == 200
        # ... and the browser shows the error too, on top of the last good page
        assert 'id="site-builder-loi"' in page and f"{ITEM}:{bad_line}: Lỗi:" in page
        assert proc.poll() is None  # still serving

        # 3. fixing it recovers without a restart; many quick saves end in the last one
        for n in range(5):
            item.write_text(edited.replace(new_title, f"{new_title} {n}"), encoding="utf-8")
            time.sleep(0.05)
        wait_for(lambda: f"{new_title} 4" in fetch(article)[1], what="the last of many quick saves")
        page = fetch(article)[1]
        assert 'id="site-builder-loi"' not in page
        for n in range(4):
            assert f"{new_title} {n}<" not in page
        assert "Traceback" not in stderr.text
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
