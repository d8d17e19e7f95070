"""The desk's backend: Decap CMS's local backend protocol (`POST /api/v1`, `{action, params}`),
answered as Decap's own `decap-server` answers it in local file mode, in Python.

Every request is refused (403) unless its `Host` is one of the server's own addresses (a page of
another site whose name resolves to 127.0.0.1 — DNS rebinding — names its own host) and its
`Origin`, when sent, is one of them (another site's page posting here: CSRF). Only `POST` with a
JSON body of at most `MAX_BODY_BYTES` is read. Every path is checked by `desk_paths`.

An answer is a `DeskReply`: a status and a JSON body; a refusal is `{"error": "<Vietnamese>"}`
with a non-2xx status, which Decap shows the editor in its notification. Nothing raises out of
`handle`: an unexpected failure becomes a 500 with a plain Vietnamese message, no traceback.

Decisions where Decap's server is silent or unsafe:
- `getMedia` lists the media folder's year folders too (decap-server lists one level);
- `persistMedia` puts the upload in `media/<năm>/` under a safe name and answers with where it
  went (`path`, and `public_path`, the value `image:` takes);
- deleting is checked like saving: a file whose removal leaves the site with an error (an image
  an item shows, a data file…) is not deleted; a published news item may be deleted (readers of
  its old address then find the 404 page) — the build has no error for links to it.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .desk_deletes import delete_checked
from .desk_format import list_key, wrapped_list
from .desk_media import decode, media_reply, place, taken_names
from .desk_paths import Area, DeskError, Paths
from .desk_save import EDITABLE, Saver
from .desk_write import read_bytes, write_atomic

MAX_BODY_BYTES = 30 * 1024 * 1024  # a 20 MB upload is 27 MB in base64
MAX_DEPTH = 8
ALL_AREAS = (*EDITABLE, Area.MEDIA)


@dataclass(frozen=True)
class DeskReply:
    """An HTTP status and a JSON-serialisable body."""

    status: int
    body: object


class DeskApi:
    """Answers Decap's requests for one source folder. `own_origins`: the server's addresses
    ("http://127.0.0.1:8080"); `saved(paths)` is called after files were written or deleted."""

    def __init__(self, source: Path, own_origins: frozenset[str], saved: Callable[[list[Path]], None],
                 now: Callable[[], datetime] | None = None) -> None:
        self.paths = Paths(source)
        self.origins = frozenset(o.rstrip("/").lower() for o in own_origins)
        self.hosts = frozenset(urlsplit(o).netloc.lower() for o in self.origins)
        self.saved = saved
        self.now = now or (lambda: datetime.now(UTC))
        self.saver = Saver(self.paths, self.now)
        self._one_at_a_time = threading.Lock()  # a save checks the site as it is: no other save meanwhile

    def handle(self, method: str, host: str | None, origin: str | None, content_type: str | None,
               body: bytes) -> DeskReply:
        try:
            self._guard(method, host, origin, content_type, body)
            action, params = _request(body)
            with self._one_at_a_time:
                return DeskReply(200, self._answer(action, params))
        except DeskError as refusal:
            return DeskReply(refusal.status, {"error": refusal.message})
        except Exception:  # noqa: BLE001 - the browser gets a plain message, never a traceback
            return DeskReply(500, {"error": "Lỗi: bàn biên tập gặp sự cố không mong đợi nên chưa làm được việc này. "
                                            "Hãy thử lại; nếu vẫn lỗi, hãy báo người quản trị trang."})

    def warm_up(self) -> None:
        """Load the site once as the desk checks it (units, figures, totals, figure pages kept by
        the digests of their inputs), so that the first save costs what a later one costs. Call it
        in a background thread when the desk starts; requests wait for it. Problems are not
        reported here (the builds report them)."""
        with self._one_at_a_time, contextlib.suppress(Exception):
            self.saver.checker.load({}, self.now())

    def _guard(self, method: str, host: str | None, origin: str | None, content_type: str | None, body: bytes) -> None:
        if (host or "").strip().lower() not in self.hosts:
            raise DeskError(403, "Lỗi: yêu cầu không gửi tới đúng địa chỉ của bàn biên tập nên bị từ chối. "
                                 "Hãy mở bàn biên tập bằng địa chỉ lệnh site-builder edit in ra.")
        if origin is not None and origin.rstrip("/").lower() not in self.origins:
            raise DeskError(403, "Lỗi: yêu cầu đến từ một trang khác, không phải bàn biên tập, nên bị từ chối. "
                                 "Hãy mở bàn biên tập bằng địa chỉ lệnh site-builder edit in ra.")
        if method.upper() != "POST":
            raise DeskError(405, "Lỗi: bàn biên tập chỉ nhận yêu cầu POST.")
        if (content_type or "").split(";")[0].strip().lower() != "application/json":
            raise DeskError(415, "Lỗi: yêu cầu phải gửi dạng JSON (application/json). Hãy tải lại trang bàn biên tập.")
        if len(body) > MAX_BODY_BYTES:
            raise DeskError(413, f"Lỗi: yêu cầu quá lớn (tối đa {MAX_BODY_BYTES // (1024 * 1024)} MB). "
                                 "Hãy tải lên từng ảnh nhỏ hơn 20 MB.")

    def _answer(self, action: str, params: dict[str, Any]) -> object:
        if action == "info":
            return {"repo": self.paths.root.name, "publish_modes": ["simple"], "type": "local_fs"}
        if action == "entriesByFolder":
            folder = self.paths.folder(params.get("folder"), (Area.NEWS, Area.PAGES, Area.DATA))
            extension, depth = params.get("extension"), params.get("depth")
            if not isinstance(extension, str) or isinstance(depth, bool) or not isinstance(depth, (int, float)):
                raise _missing("extension, depth")
            return [self._entry(rel) for rel in self._listing(folder, extension, int(depth))]
        if action == "entriesByFiles":
            files = params.get("files")
            if not isinstance(files, list) or not all(isinstance(f, dict) for f in files):
                raise _missing("files")
            return [self._entry(self.paths.check(f.get("path"), EDITABLE).rel, f.get("label")) for f in files]
        if action == "getEntry":
            return self._entry(self.paths.check(params.get("path"), EDITABLE).rel)
        if action == "persistEntry":
            done = self.saver.save(params)
            self._tell(list(done.paths))
            return {"message": "Đã lưu.", "warnings": list(done.warnings)}
        if action == "getMedia":
            asked = params.get("mediaFolder")
            try:
                folder = self.paths.folder(asked, (Area.MEDIA,))
            except DeskError:
                # Decap asks for a new entry's own folder ("content/news") as its media folder:
                # a collection's folder keeps no media here; anything else is still refused.
                self.paths.folder(asked, (Area.NEWS, Area.PAGES, Area.DATA))
                return []
            return [self._media(rel) for rel in self._listing(folder, "", MAX_DEPTH)]
        if action == "getMediaFile":
            return self._media(self.paths.check(params.get("path"), (Area.MEDIA,)).rel)
        if action == "persistMedia":
            asked, data = decode(params.get("asset"))
            upload = place(self.paths.source, asked, data, taken_names(self.paths.source), self.now())
            rel = f"{self.paths.name}/{upload.inner}"
            write_atomic(self.paths.source / upload.inner, data, rel)
            self._tell([self.paths.source / upload.inner])
            return media_reply(rel, data)
        if action in ("deleteFile", "deleteFiles"):
            names = [params.get("path")] if action == "deleteFile" else params.get("paths")
            if not isinstance(names, list) or not names:
                raise _missing("paths")
            checked = [self.paths.check(name, ALL_AREAS) for name in names]
            gone = delete_checked(self.saver.checker, checked, self.now())
            if gone:
                self._tell(gone)
            return {"message": "Đã xóa " + ", ".join(p.rel for p in checked) + "."}
        if action == "getDeployPreview":
            return None
        raise DeskError(422, f'Lỗi: bàn biên tập không làm được thao tác "{action[:60]}". '
                             "Hãy tải lại trang; nếu vẫn lỗi, có thể giao diện bàn biên tập và site-builder khác phiên bản.")

    def _tell(self, paths: list[Path]) -> None:
        """`saved(paths)`; the files are written whatever it does, so its failure is not the
        editor's (the live builder reports its own problems)."""
        with contextlib.suppress(Exception):
            self.saved(paths)

    def _listing(self, folder: Path, extension: str, depth: int) -> list[str]:
        """Files under `folder` (paths from the project folder), `depth` levels down, ending in
        `extension`, hidden names and links skipped, each one the desk may read."""
        found: list[str] = []
        stack = [(folder, 1)]
        while stack:
            here, level = stack.pop()
            try:
                entries = sorted(os.scandir(here), key=lambda e: e.name)
            except OSError:
                continue
            for entry in entries:
                if entry.name.startswith(".") or entry.is_symlink():
                    continue
                if entry.is_dir():
                    if level < depth:
                        stack.append((Path(entry.path), level + 1))
                elif entry.name.endswith(extension):
                    rel = Path(entry.path).relative_to(self.paths.root).as_posix()
                    try:
                        self.paths.check(rel, ALL_AREAS)
                    except DeskError:
                        continue
                    found.append(rel)
        return sorted(found)

    def _entry(self, rel: str, label: object = None) -> dict[str, object]:
        data = read_bytes(self.paths.root / rel, rel)
        file: dict[str, object] = {"path": rel, "id": hashlib.sha256(data).hexdigest() if data is not None else None}
        if isinstance(label, str):
            file["label"] = label
        text = data.decode("utf-8", "replace") if data is not None else None
        key = list_key(rel.split("/", 1)[1]) if "/" in rel else None
        if text is not None and key is not None:
            text = wrapped_list(text, key)  # a Decap entry is a mapping; the save takes the key off again
        return {"data": text, "file": file}

    def _media(self, rel: str) -> dict[str, str]:
        data = read_bytes(self.paths.root / rel, rel)
        if data is None:
            raise DeskError(404, f'Lỗi: không có tệp "{rel}". Có thể tệp đã bị xóa; hãy tải lại thư viện ảnh.')
        return media_reply(rel, data)


def _request(body: bytes) -> tuple[str, dict[str, Any]]:
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise DeskError(400, "Lỗi: yêu cầu không phải JSON đọc được. Hãy tải lại trang bàn biên tập.") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("action"), str):
        raise DeskError(400, 'Lỗi: yêu cầu thiếu "action". Hãy tải lại trang bàn biên tập.')
    params = payload.get("params", {})
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise DeskError(400, 'Lỗi: "params" của yêu cầu phải là một đối tượng JSON. Hãy tải lại trang bàn biên tập.')
    return payload["action"], params


def _missing(names: str) -> DeskError:
    return DeskError(400, f"Lỗi: yêu cầu thiếu hoặc sai kiểu mục {names}. Hãy tải lại trang bàn biên tập.")
