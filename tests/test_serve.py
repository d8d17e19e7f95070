"""`site-builder serve`: serves the built site, rebuilds on a change, keeps the last good pages on an error."""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
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


def _wsgi_get(app, raw_path: bytes) -> tuple[str, bytes]:  # type: ignore[no-untyped-def]
    """Call a WSGI app as a server would: PATH_INFO holds the URL-decoded bytes as latin-1."""
    answer: dict[str, str] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        answer["status"] = status

    body = b"".join(app({"PATH_INFO": raw_path.decode("latin-1"), "REQUEST_METHOD": "GET"}, start_response))
    return answer["status"], body


def _small_output(tmp_path: Path) -> Path:
    output = tmp_path / "output"
    (output / "static").mkdir(parents=True)
    (output / "index.html").write_text("<!doctype html><html lang=\"vi\"><body><p>Trang chủ</p></body></html>", "utf-8")
    (output / "404.html").write_text('<!doctype html><html lang="vi"><head>'
                                     '<link rel="stylesheet" href="/ban-tin/static/style.css"></head>'
                                     "<body><h1>Không tìm thấy trang</h1></body></html>", "utf-8")
    (output / "static" / "style.css").write_text("body{color:#1a1a1a}", "utf-8")
    return output


@pytest.mark.parametrize("raw_path", [b"/a\x00b", b"/\x00", b"/tin-tuc/\x00/", "/ảnh\x00.jpg".encode()])
def test_request_with_nul_byte_is_400(tmp_path: Path, raw_path: bytes) -> None:
    from site_builder.live.serve import DevState, make_app
    status, _ = _wsgi_get(make_app(_small_output(tmp_path), DevState()), raw_path)
    assert status.startswith("400")


@pytest.mark.parametrize("raw_path", [b"/" + b"a" * 5000, b"/" + b"a/" * 2500, b"/" + b"a" * 300 + b"/",
                                      b"/static/" + b"x" * 255 + b".css", "/ả".encode() * 2000])
def test_request_too_long_is_404(tmp_path: Path, raw_path: bytes) -> None:
    from site_builder.live.serve import DevState, make_app
    status, body = _wsgi_get(make_app(_small_output(tmp_path), DevState()), raw_path)
    assert status.startswith("404")
    assert "Không tìm thấy trang" in body.decode("utf-8")


def test_404_page_loads_its_styles_under_a_sub_path(tmp_path: Path) -> None:
    """`serve` serves the site at "/", but the 404 page links its CSS from base_url's path."""
    from site_builder.live.serve import DevState, make_app
    app = make_app(_small_output(tmp_path), DevState("/ban-tin/"))
    status, body = _wsgi_get(app, b"/khong-co/")
    assert status.startswith("404")
    status, css = _wsgi_get(app, b"/ban-tin/static/style.css")
    assert status == "200 OK"
    assert css == b"body{color:#1a1a1a}"
    assert _wsgi_get(app, b"/static/style.css")[0] == "200 OK"
    assert _wsgi_get(app, b"/ban-tin/")[1].startswith(b"<!doctype html><html lang=\"vi\"><body><p>Trang ch")


def test_serve_base_path_comes_from_site_yaml(sample_site: Path) -> None:
    from site_builder.live.serve import _base_path
    assert _base_path(sample_site) == "/ban-tin/"  # base_url: https://mttq.example.gov.vn/ban-tin/


def _start_serve(sample_site: Path, output: Path, port: int) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "site_builder", "serve", "--source", str(sample_site), "--output", str(output),
         "--port", str(port)],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
        start_new_session=True,
    )


def test_busy_port_is_one_vietnamese_message(sample_site: Path, tmp_path: Path) -> None:
    port = free_port()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        proc = _start_serve(sample_site, tmp_path / "served", port)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert err.startswith(f"Lỗi: cổng {port} đang bận — thử --port {port + 1}\n    Hãy "), err
    assert "Traceback" not in err and "Address already in use" not in err
    assert not (tmp_path / "served").exists()  # said before building anything


def test_ctrl_c_stops_serve_with_one_line(sample_site: Path, tmp_path: Path) -> None:
    port = free_port()
    proc = _start_serve(sample_site, tmp_path / "served", port)
    stderr = Stderr(proc.stderr)
    try:
        wait_for(lambda: fetch(f"http://127.0.0.1:{port}/")[0] == 200, what="the home page")
        assert fetch(f"http://127.0.0.1:{port}/khong-co/")[0] == 404
        # the 404 page links its styles from base_url's path (/ban-tin/), which serve answers too
        assert 'href="/ban-tin/static/style.css"' in (tmp_path / "served" / "404.html").read_text("utf-8")
        assert fetch(f"http://127.0.0.1:{port}/ban-tin/static/style.css")[0] == 200
        os.killpg(proc.pid, signal.SIGINT)  # as a terminal sends Ctrl-C: to the whole group
        assert proc.wait(timeout=20) == 130
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)
    time.sleep(0.2)
    lines = stderr.text.splitlines()
    assert lines[-1] == "Đã dừng theo yêu cầu.", stderr.text
    assert lines.count("Đã dừng theo yêu cầu.") == 1
    assert "Traceback" not in stderr.text and "KeyboardInterrupt" not in stderr.text
    # livereload's and tornado's English log lines stay out of the editor's terminal
    for english in ("Serving on", "Start watching", "Shutting down", "404 GET", "200 GET"):
        assert english not in stderr.text


def _tree_digest(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _children(pid: int) -> list[str]:
    """Command lines of the processes whose parent is `pid` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append((stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace"))
        except (OSError, IndexError, ValueError):
            continue
    return found


# What the build is doing when Ctrl-C comes: forked workers rendering into the staging folder,
# or Pagefind (a separate binary) indexing it.
PHASES = {
    "workers": lambda staging, children: staging.is_dir() and any("site_builder" in c for c in children),
    "pagefind": lambda staging, children: any("pagefind" in c for c in children),
}


@pytest.mark.parametrize("phase", sorted(PHASES))
def test_ctrl_c_stops_build_with_one_line_and_output_intact(sample_site: Path, tmp_path: Path, phase: str) -> None:
    """Ctrl-C (SIGINT to the whole process group, as a terminal sends it) in the middle of a full
    rebuild: one line, exit 130, no traceback from the command, a worker or Pagefind, and the
    previous output exactly as it was."""
    output = tmp_path / "output"
    command = [sys.executable, "-m", "site_builder", "build", "--source", str(sample_site), "--output", str(output)]
    first = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    before = _tree_digest(output)
    shutil.rmtree(sample_site.parent / ".cache")  # the next build renders and indexes every page again
    staging = tmp_path / ".output.staging"
    proc = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            encoding="utf-8", env={**os.environ, "PYTHONUNBUFFERED": "1"}, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while proc.poll() is None and not PHASES[phase](staging, _children(proc.pid)):
            assert time.monotonic() < deadline, f"the build never reached {phase}"
            time.sleep(0.01)
        assert proc.poll() is None, f"the build ended before it could be interrupted during {phase}"
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)
    assert proc.returncode == 130, err
    assert err == "Đã dừng theo yêu cầu.\n"
    assert _tree_digest(output) == before


def test_second_serve_on_the_same_port_stops_before_building(sample_site: Path, tmp_path: Path) -> None:
    """The port is held from the start: a second `serve` says it is busy at once, instead of
    building into the same output folder while the first one builds."""
    port = free_port()
    first = _start_serve(sample_site, tmp_path / "served", port)
    stderr = Stderr(first.stderr)
    try:
        def reserved() -> bool:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        wait_for(reserved, timeout=60, what="the first serve holding its port")
        assert "Đang phục vụ" not in stderr.text  # held before and during the first build, not only after
        second = _start_serve(sample_site, tmp_path / "served-2", port)
        _, err = second.communicate(timeout=60)
        assert second.returncode == 2, err
        assert err.startswith(f"Lỗi: cổng {port} đang bận — thử --port {port + 1}\n"), err
        assert not (tmp_path / "served-2").exists()
        assert wait_for(lambda: fetch(f"http://127.0.0.1:{port}/")[0] == 200, what="the first serve's home page")
    finally:
        os.killpg(first.pid, signal.SIGINT)
        assert first.wait(timeout=20) == 130
    assert "Traceback" not in stderr.text
