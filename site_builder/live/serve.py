"""`site-builder serve`: build, serve the output on 127.0.0.1, rebuild and reload on every change.

It runs the same incremental `Builder` as `build`, kept in memory between changes (`LiveBuilder`): a save
re-renders only the pages it touches and writes them, the browser reloads, and the search index
follows right after. A save that breaks the build keeps the last good site served, with the
errors (file, line, message) shown on top of every page and printed in the terminal; the next
good save clears them, without a restart.
"""
from __future__ import annotations

import errno
import html
import logging
import mimetypes
import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from livereload import Server
from tornado.ioloop import IOLoop
from tornado.netutil import bind_sockets
from tornado.web import FallbackHandler
from tornado.wsgi import WSGIContainer

from ..base.errors import BuildFailed, Problems, SiteBuilderError, unique
from ..base.oserrors import reason
from ..load.config import load_config
from ..render.environment import PACKAGE_THEMES
from .builder import LiveBuilder
from .reporting import Reporting

Environ = dict[str, Any]
StartResponse = Callable[..., object]
App = Callable[[Environ, StartResponse], Iterable[bytes]]
MAX_PATH = 2048  # longer request paths name no file the build writes


class ServeFailed(SiteBuilderError):
    """`serve` could not start (the port is taken, the address is wrong): what to tell the editor
    (exit 2, a usage error: another port or address is the fix)."""

    exit_code = 2


class DevState:
    """The errors of the last build attempt (None when it succeeded), shared with the web app,
    and the path of `base_url`, under which the 404 page's absolute links point."""

    def __init__(self, base_path: str = "/") -> None:
        self.lock = threading.Lock()
        self.problems: Problems | None = None
        self.base_path = base_path


def error_banner(problems: Problems) -> bytes:
    """The errors as a block shown on top of every page while the sources are broken."""
    errors = unique(problems.errors)
    rows = "".join(f"<li><pre>{html.escape(p.format())}</pre></li>" for p in errors)
    return (
        '<div role="alert" id="site-builder-loi" style="position:relative;z-index:9999;margin:0;'
        'padding:1rem;background:#fff4f4;border:3px solid #a50e15;color:#1a1a1a;font:16px/1.5 sans-serif">'
        f"<strong>Có {len(errors)} lỗi, trang đang hiển thị là bản xây dựng tốt gần nhất.</strong>"
        f'<ol style="margin:.5rem 0 0 1.25rem;padding:0">{rows}</ol></div>'
    ).encode()


def _locate(root: Path, path: str) -> tuple[str, Path | None]:
    """("found", file), ("folder", None) for a folder asked without its "/", or ("missing", None).
    A path the file system refuses (too long, a NUL byte) is missing, never a server error."""
    try:
        target = (root / path.lstrip("/")).resolve()
        if not target.is_relative_to(root):
            return "missing", None
        if path.endswith("/"):
            target = target / "index.html"
        if target.is_file():
            return "found", target
        if (target / "index.html").is_file():
            return "folder", None
    except (OSError, ValueError):
        pass
    return "missing", None


def make_app(output: Path, state: DevState) -> App:
    """A small WSGI app serving the output folder like a static host, plus the error banner.
    The site is served at "/"; a path under `base_url`'s own path ("/ban-tin/static/style.css",
    as the 404 page links it) is served too, as the host will serve it."""
    root = output.resolve()

    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "/").encode("latin-1", "replace").decode("utf-8", "replace")
        if "\x00" in path:
            start_response("400 Bad Request", [("Content-Type", "text/plain; charset=utf-8")])
            return ["Yêu cầu không hợp lệ.".encode()]
        status, found = _locate(root, path) if len(path) <= MAX_PATH else ("missing", None)
        base = state.base_path
        if status == "missing" and base != "/" and path.startswith(base):
            path = path[len(base) - 1:]
            status, found = _locate(root, path)
        if status == "folder":
            start_response("301 Moved Permanently", [("Location", path + "/")])
            return [b""]
        code, target = ("200 OK", found) if found is not None else ("404 Not Found", root / "404.html")
        try:
            body = target.read_bytes()
        except OSError:
            start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
            return ["Không tìm thấy trang.".encode()]
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        with state.lock:
            problems = state.problems
        if problems is not None and kind == "text/html" and b"<body>" in body:
            body = body.replace(b"<body>", b"<body>" + error_banner(problems), 1)
        if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
            kind += "; charset=utf-8"
        start_response(code, [("Content-Type", kind), ("Cache-Control", "no-store")])
        return [body]

    return app


class DevBuilder:
    """One rebuild per change, told to the editor through the CLI's reporter; the search index
    follows each rebuild. A failed rebuild keeps serving the last good site."""

    def __init__(self, builder: LiveBuilder, state: DevState, reporter: Reporting) -> None:
        self.builder = builder
        self.state = state
        self.reporter = reporter

    def rebuild(self, changed: Iterable[str | Path] | None = None) -> bool:
        """Build after a change (`changed`: the files seen changed, when known); False if it failed."""
        try:
            result = self.builder.build(changed=changed)
        except SiteBuilderError as error:
            self.reporter.failed(error)
            if isinstance(error, BuildFailed):  # shown on top of every page until fixed
                with self.state.lock:
                    self.state.problems = error.problems
            return False
        except OSError as exc:
            where = exc.filename if isinstance(exc.filename, str) else self.builder.output
            self.reporter.say(f"{where}: Lỗi: không đọc hay ghi được ({reason(exc)}).\n"
                              "    Hãy kiểm tra tệp, quyền ghi và chỗ trống trên đĩa rồi lưu lại; "
                              "trang đang phục vụ là bản tốt gần nhất.")
            return False
        base_path = _base_path(self.builder.source)  # site.yaml may have changed
        with self.state.lock:
            self.state.problems = None
            self.state.base_path = base_path
        self.reporter.problems(result.problems)
        if result.report.changed:
            self.reporter.say(f"Đã xây dựng xong {result.rendered} trang trong {result.seconds:.2f} giây.")
        else:
            self.reporter.say("Không có gì thay đổi.")
        return True

    def index(self) -> None:
        """The search index of the last rebuild; then every input is walked, and a change that the
        rebuild's hint did not name is built (and indexed) now."""
        for again in (False, True):
            try:
                self.builder.index_search()
            except BuildFailed as failed:
                self.reporter.failed(failed)
                return
            if again or not self.builder.stale() or not self.rebuild():
                return


def _base_path(source: Path) -> str:
    """The path of `base_url` ("/ban-tin/"), or "/" while site.yaml cannot be read."""
    config = load_config(source, Problems(root=source))
    return config.base_path if config is not None and config.base_path.startswith("/") else "/"


def reserve_port(host: str, port: int) -> list[socket.socket]:
    """The port, held while the first build runs (so a second `serve` on it stops at once instead
    of building into the same folder); raises `ServeFailed` if it cannot be had."""
    try:
        return bind_sockets(port, host)
    except OSError as exc:
        raise _listen_error(exc, host, port) from None


def _listen_error(exc: OSError, host: str, port: int) -> ServeFailed:
    """A port that is taken (say which to try instead), or an address that cannot be served."""
    if exc.errno == errno.EADDRINUSE:
        return ServeFailed(f"cổng {port} đang bận — thử --port {port + 1}",
                           f"Hãy chạy lại với --port {port + 1}, hoặc dừng chương trình đang dùng cổng {port} "
                           "(có thể là một site-builder serve khác).")
    return ServeFailed(f"không mở được máy chủ ({reason(exc)}).",
                       "Hãy kiểm tra --host (mặc định 127.0.0.1) và --port (một số từ 1024 đến 65535).",
                       where=f"{host}:{port}")


class QuietServer(Server):  # type: ignore[misc]  # livereload has no type information
    """livereload's server without its English log lines ("Serving on…", one per request):
    `serve` says in Vietnamese what the editor needs to know. Paths matching `plain_paths` go to
    `plain`, untouched: livereload puts its reload script before any "</head>" in any response,
    which would break a script (Decap's bundle holds that text) and reload the desk on every save."""

    def __init__(self, app: App, plain: App | None = None, plain_paths: str = "") -> None:
        super().__init__(app=app)
        self.plain, self.plain_paths = plain, plain_paths

    def get_web_handlers(self, script: str) -> list[Any]:
        handlers: list[Any] = super().get_web_handlers(script)
        if self.plain is not None:
            handlers.insert(0, (self.plain_paths, FallbackHandler, {"fallback": WSGIContainer(self.plain)}))
        return handlers

    def _setup_logging(self) -> None:
        for name in ("livereload", "tornado"):
            logger = logging.getLogger(name)
            logger.addHandler(logging.NullHandler())
            logger.propagate = False


@dataclass
class LiveSession:
    """A first build done and its port checked: what `serve` and `edit` then serve and watch."""

    dev: DevBuilder
    state: DevState
    host: str
    port: int


def start_live(source: Path, output: Path, host: str, port: int, include_drafts: bool,
               reporter: Reporting) -> LiveSession:
    """Check the port (raises `ServeFailed` before building), then build and index once."""
    reserved = reserve_port(host, port)
    try:
        state = DevState(_base_path(source))
        dev = DevBuilder(LiveBuilder(source, output, include_drafts), state, reporter)
        dev.rebuild()
        dev.index()
    finally:
        for sock in reserved:
            sock.close()  # the server binds it again (SO_REUSEADDR) right below
    return LiveSession(dev, state, host, port)


def run_live(session: LiveSession, app: App, reporter: Reporting, greeting: str,
             plain: App | None = None, plain_paths: str = "") -> None:
    """Serve `app` with live reload until Ctrl-C, rebuilding on every change of the sources, the
    site's templates or the theme; `greeting` is said once the server is about to listen. Paths
    matching the regular expression `plain_paths` are answered by `plain`, without live reload."""
    dev = session.dev
    server = QuietServer(app, plain, plain_paths)

    def on_change() -> None:
        seen = server.watcher.filepath  # the one file its walk found changed first: the others at its next
        if dev.rebuild([seen] if isinstance(seen, str) else None):
            IOLoop.current().add_callback(dev.index)

    source = dev.builder.source
    watched = [source, source.parent / "themes", PACKAGE_THEMES]
    for folder in dict.fromkeys(watched):
        if folder.is_dir():
            server.watch(str(folder), on_change, delay=0.05)
    reporter.say(greeting)
    try:
        server.serve(host=session.host, port=session.port, debug=False, open_url_delay=None)  # returns on Ctrl-C
    except OSError as exc:  # taken between the check and now
        raise _listen_error(exc, session.host, session.port) from None


def serve(source: Path, output: Path, host: str, port: int, include_drafts: bool, reporter: Reporting) -> None:
    """Serve until Ctrl-C, then return; sources, site templates and the theme are watched, and
    every rebuild is told through `reporter` (the CLI's). Raises `ServeFailed` when the port
    cannot be opened (checked before the first build)."""
    session = start_live(source, output, host, port, include_drafts, reporter)
    run_live(session, make_app(output, session.state), reporter,
             f"Đang phục vụ tại http://{host}:{port}/ (nhấn Ctrl+C để dừng)")
