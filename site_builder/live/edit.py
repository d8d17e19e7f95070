"""`site-builder edit`: the live site of `serve`, plus the editor's desk (Decap CMS) at `/admin/`
and its backend at `/api/v1`, on 127.0.0.1 only.

The desk's page, Decap's bundle (vendored, see `base.desk_bundle`) and the content model
(`config.yml`, generated from the last good build's site by `plan.desk_config`) are served from
memory and the package, never written into the output. A save goes through `DeskApi`, which checks
it by the build's rules and writes the file; the site is rebuilt before the desk hears back, so the
live page is there when the editor opens it.
"""
from __future__ import annotations

import json
import mimetypes
import threading
from collections.abc import Iterable
from pathlib import Path

from ..base.desk_bundle import BUNDLE, OURS
from ..base.errors import BuildFailed, unique
from ..model.site import Site, load_site
from ..plan.desk_admin import admin_page
from ..plan.desk_config import DeskBackend, desk_config
from .desk_api import DeskApi, DeskReply
from .reporting import Reporting
from .serve import Environ, LiveSession, StartResponse, make_app, run_live, start_live

EDIT_HOST = "127.0.0.1"  # the desk writes content: it never listens beyond this machine
MAX_BODY = 64 * 1024 * 1024  # an upload of 20 MB as base64 with its JSON, and room to say no


DESK_PATHS = r"/(admin(/.*)?|api/v1)$"  # what DeskRoutes answers; the rest is the live site


class DeskRoutes:
    """`/admin/…` (the page, Decap's bundle, the generated `config.yml`) and `/api/v1`."""

    def __init__(self, session: LiveSession) -> None:
        self.session = session
        port = session.port
        self.hosts = frozenset({f"127.0.0.1:{port}", f"localhost:{port}"})
        self.api = DeskApi(session.dev.builder.source,
                           frozenset(f"http://{host}" for host in self.hosts), self._saved)
        self._site: Site | None = None

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "/")
        if path == "/api/v1":
            return self._api(environ, start_response)
        if path == "/admin":
            start_response("301 Moved Permanently", [("Location", "/admin/")])
            return [b""]
        if environ.get("HTTP_HOST") not in self.hosts:  # DNS rebinding: another name for this machine
            return _plain(start_response, "403 Forbidden", "Bàn biên tập chỉ mở tại địa chỉ site-builder edit in ra.")
        return self._admin(path[len("/admin/"):], start_response)

    def _api(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY:
            reply = DeskReply(413, {"error": "Lỗi: yêu cầu quá lớn. Hãy tải lên tệp nhỏ hơn 20 MB."})
        else:
            body = environ["wsgi.input"].read(length) if length else b""
            reply = self.api.handle(environ.get("REQUEST_METHOD", "GET"), environ.get("HTTP_HOST"),
                                    environ.get("HTTP_ORIGIN"), environ.get("CONTENT_TYPE"), body)
        data = json.dumps(reply.body, ensure_ascii=False).encode()
        start_response(f"{reply.status} {_REASONS.get(reply.status, 'Error')}",
                       [("Content-Type", "application/json; charset=utf-8"), ("Cache-Control", "no-store")])
        return [data]

    def _admin(self, name: str, start_response: StartResponse) -> Iterable[bytes]:
        try:
            return self._admin_file(name, start_response)
        except BuildFailed as failed:  # no good build yet: the desk cannot know the units and metrics
            errors = "\n".join(p.format() for p in unique(failed.problems.errors))
            return _plain(start_response, "503 Service Unavailable",
                          f"Nguồn đang có lỗi nên chưa mở được bàn biên tập:\n{errors}\n"
                          "Hãy sửa các lỗi trên (terminal cũng in chúng), rồi tải lại trang này.")

    def _admin_file(self, name: str, start_response: StartResponse) -> Iterable[bytes]:
        if name in ("", "index.html"):
            site = self._last_site()
            body = admin_page(site.config.title, self._backend())
            return _send(start_response, "text/html; charset=utf-8", body.encode())
        if name == "config.yml":
            return _send(start_response, "text/yaml; charset=utf-8",
                         desk_config(self._last_site(), self._backend()).encode())
        target = next((ours for ours in OURS if ours.name == name), None) or _inside(BUNDLE, name)
        if target is None:
            return _plain(start_response, "404 Not Found", "Không tìm thấy tệp này của bàn biên tập.")
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind.endswith("javascript"):
            kind += "; charset=utf-8"
        return _send(start_response, kind, target.read_bytes())

    def _last_site(self) -> Site:
        """The last good build's site (units, metrics, categories and tags as they are now), which
        the content model is made from; loaded once when the first build had nothing to do."""
        builder = self.session.dev.builder
        site = builder.snapshot.site if builder.snapshot is not None else self._site
        if site is None:
            site = load_site(builder.source, builder.include_drafts)  # BuildFailed: said by _admin
            self._site = site
        return site

    def _backend(self) -> DeskBackend:
        """This desk's backend: ours, at /api/v1; the repository's root is the project folder."""
        return DeskBackend(name="proxy", proxy_url="/api/v1", content_prefix=self.session.dev.builder.source.name)

    def _saved(self, paths: list[Path]) -> None:
        """After a save: rebuild now, so the page is live when the desk hears back; the search
        index follows on the server's loop."""
        self._site = None
        if self.session.dev.rebuild(paths):
            from tornado.ioloop import IOLoop
            IOLoop.current().add_callback(self.session.dev.index)


_REASONS = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
            409: "Conflict", 413: "Payload Too Large", 415: "Unsupported Media Type", 422: "Unprocessable Entity",
            500: "Internal Server Error"}


def _inside(folder: Path, name: str) -> Path | None:
    """The file `name` inside `folder`, or None when it is not one (or tries to leave it)."""
    try:
        target = (folder / name).resolve()
        return target if target.is_relative_to(folder.resolve()) and target.is_file() else None
    except (OSError, ValueError):
        return None


def _send(start_response: StartResponse, kind: str, body: bytes) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", kind), ("Cache-Control", "no-store")])
    return [body]


def _plain(start_response: StartResponse, status: str, text: str) -> Iterable[bytes]:
    start_response(status, [("Content-Type", "text/plain; charset=utf-8")])
    return [text.encode()]


def edit(source: Path, output: Path, port: int, include_drafts: bool, reporter: Reporting) -> None:
    """Build, then serve the live site and the desk on 127.0.0.1 until Ctrl-C; raises `ServeFailed`
    when the port cannot be opened (checked before the first build)."""
    session = start_live(source, output, EDIT_HOST, port, include_drafts, reporter)
    desk = DeskRoutes(session)
    # The first check of a save loads the whole site; do it while the editor opens the desk.
    threading.Thread(target=desk.api.warm_up, name="desk-warm-up", daemon=True).start()
    run_live(session, make_app(output, session.state), reporter,
             f"Bàn biên tập: mở http://{EDIT_HOST}:{port}/admin/ trong trình duyệt "
             f"(trang xem trước tại http://{EDIT_HOST}:{port}/; nhấn Ctrl+C để dừng)",
             plain=desk, plain_paths=DESK_PATHS)
