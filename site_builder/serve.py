"""`site-builder serve`: build, serve the output on 127.0.0.1, rebuild and reload on every change.

It runs the same incremental `Builder` as `build`, kept in memory between changes: a save
re-renders only the pages it touches and writes them, the browser reloads, and the search index
follows right after. A save that breaks the build keeps the last good site served, with the
errors (file, line, message) shown on top of every page and printed in the terminal; the next
good save clears them, without a restart.
"""
from __future__ import annotations

import html
import mimetypes
import sys
import threading
from pathlib import Path
from typing import Callable, Iterable

from livereload import Server
from tornado.ioloop import IOLoop

from .build import Builder
from .errors import BuildFailed, Problems
from .output import UnsafeOutput
from .render import PACKAGE_THEMES
from .report import print_problems

Environ = dict
StartResponse = Callable[..., object]


class DevState:
    """The errors of the last build attempt (None when it succeeded), shared with the web app."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.problems: Problems | None = None


def error_banner(problems: Problems) -> bytes:
    """The errors as a block shown on top of every page while the sources are broken."""
    rows = "".join(f"<li><pre>{html.escape(p.format())}</pre></li>" for p in problems.errors)
    return (
        '<div role="alert" id="site-builder-loi" style="position:relative;z-index:9999;margin:0;'
        'padding:1rem;background:#fff4f4;border:3px solid #a50e15;color:#1a1a1a;font:16px/1.5 sans-serif">'
        f"<strong>Có {len(problems.errors)} lỗi, trang đang hiển thị là bản xây dựng tốt gần nhất.</strong>"
        f'<ol style="margin:.5rem 0 0 1.25rem;padding:0">{rows}</ol></div>'
    ).encode("utf-8")


def make_app(output: Path, state: DevState) -> Callable[[Environ, StartResponse], Iterable[bytes]]:
    """A small WSGI app serving the output folder like a static host, plus the error banner."""
    root = output.resolve()

    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "/").encode("latin-1").decode("utf-8", "replace")
        target = (root / path.lstrip("/")).resolve()
        if path.endswith("/"):
            target = target / "index.html"
        status = "200 OK"
        if not target.is_relative_to(root) or not target.is_file():
            if target.is_relative_to(root) and (target / "index.html").is_file():
                start_response("301 Moved Permanently", [("Location", path + "/")])
                return [b""]
            status, target = "404 Not Found", root / "404.html"
        try:
            body = target.read_bytes()
        except OSError:
            start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
            return ["Không tìm thấy trang.".encode("utf-8")]
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        with state.lock:
            problems = state.problems
        if problems is not None and kind == "text/html" and b"<body>" in body:
            body = body.replace(b"<body>", b"<body>" + error_banner(problems), 1)
        if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
            kind += "; charset=utf-8"
        start_response(status, [("Content-Type", kind), ("Cache-Control", "no-store")])
        return [body]

    return app


class DevBuilder:
    """One rebuild per change, printed for the editor; the search index follows each rebuild."""

    def __init__(self, builder: Builder, state: DevState) -> None:
        self.builder = builder
        self.state = state
        builder.defer_search = True
        builder.live = True

    def rebuild(self) -> bool:
        try:
            result = self.builder.build()
        except BuildFailed as failed:
            print_problems(failed.problems)
            with self.state.lock:
                self.state.problems = failed.problems
            return False
        except (UnsafeOutput, OSError) as exc:
            message = getattr(exc, "message", None) or getattr(exc, "strerror", None) or str(exc)
            print(f"Lỗi: {message}", file=sys.stderr)
            return False
        with self.state.lock:
            self.state.problems = None
        print_problems(result.problems)
        if result.report.changed:
            print(f"Đã xây dựng xong {result.rendered} trang trong {result.seconds:.2f} giây.", file=sys.stderr)
        else:
            print("Không có gì thay đổi.", file=sys.stderr)
        return True

    def index(self) -> None:
        try:
            self.builder.index_search()
        except BuildFailed as failed:
            print_problems(failed.problems)


def serve(source: Path, output: Path, host: str, port: int, include_drafts: bool) -> None:
    """Serve until interrupted; sources, site templates and the theme are watched."""
    state = DevState()
    dev = DevBuilder(Builder(source, output, include_drafts), state)
    dev.rebuild()
    dev.index()
    server = Server(app=make_app(output, state))

    def on_change() -> None:
        if dev.rebuild():
            IOLoop.current().add_callback(dev.index)

    watched = [source, source.parent / "themes", PACKAGE_THEMES]
    for folder in dict.fromkeys(watched):
        if folder.is_dir():
            server.watch(str(folder), on_change, delay=0.05)
    print(f"Đang phục vụ tại http://{host}:{port}/ (nhấn Ctrl+C để dừng)", file=sys.stderr)
    server.serve(host=host, port=port, debug=False, open_url_delay=None)
