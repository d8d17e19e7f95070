"""Uploads through the desk: a photo or attachment into `media/<năm>/` under a safe name.

- The folder is the year of now in Vietnam time (`media/2026/`), whatever folder Decap named:
  the sample site keeps its media by year, and a year folder never holds thousands of files.
- The name is made safe for an address as the build asks of published names
  (`load.sources.check_published_names`): the stem slugified (lower case ASCII, "-"), the
  extension kept in lower case, and unique in the whole of `media/` (letter case aside) by
  adding -2, -3…: Decap writes an image's field from the file's base name alone, so one base
  name must mean one file (`resolve_media` finds it in its year folder).
- What could run script on the site is refused exactly as the build refuses it
  (`load.media_check.check_media`, run on the bytes before they reach the source folder); so is
  a file over `MAX_UPLOAD_BYTES`.
Nothing is written before every check passed; the write is atomic (`desk_write`).
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ..base.errors import Problems
from ..base.vietnamese import slugify
from ..load.media_check import check_media
from ..load.sources import MAX_NAME_CHARS, find_files
from .desk_paths import DeskError

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
_EXTENSION = re.compile(r"[a-z0-9]{1,10}")


@dataclass(frozen=True)
class Upload:
    """An upload checked and named: where it goes (`inner`: "media/2026/anh.jpg") and its bytes."""

    inner: str
    data: bytes
    asked: str  # the path Decap named


def decode(asset: object) -> tuple[str, bytes]:
    """The path and bytes of a Decap asset `{path, content, encoding: "base64"}`."""
    if not isinstance(asset, dict) or not isinstance(asset.get("path"), str) or not isinstance(asset.get("content"), str):
        raise DeskError(400, "Lỗi: tệp tải lên thiếu đường dẫn hoặc nội dung. Hãy chọn lại tệp.")
    if asset.get("encoding", "base64") != "base64":
        raise DeskError(400, "Lỗi: tệp tải lên không mã hóa base64 như bàn biên tập gửi. Hãy tải lại trang rồi chọn lại tệp.")
    content: str = asset["content"]
    if len(content) > MAX_UPLOAD_BYTES * 4 // 3 + 8:
        raise too_big(asset["path"], len(content) * 3 // 4)
    try:
        data = base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError):
        raise DeskError(400, f'Lỗi: nội dung tệp "{os.path.basename(asset["path"])}" bị hỏng khi gửi. Hãy chọn lại tệp.') from None
    if len(data) > MAX_UPLOAD_BYTES:
        raise too_big(asset["path"], len(data))
    return asset["path"], data


def too_big(name: str, size: int) -> DeskError:
    return DeskError(413, f'Lỗi: tệp "{os.path.basename(name)}" quá lớn ({size / (1024 * 1024):.1f} MB; tối đa '
                     f"{MAX_UPLOAD_BYTES // (1024 * 1024)} MB). Hãy thu nhỏ ảnh (ví dụ chiều rộng 2000 điểm ảnh) "
                     "hoặc nén tệp rồi tải lên lại.")


def safe_name(name: str) -> str:
    """A file name safe in an address: "Ảnh Hội nghị.JPG" → "anh-hoi-nghi.jpg"."""
    base = os.path.basename(name.replace("\\", "/"))
    stem, dot, ext = base.rpartition(".")
    if not dot or not stem:
        stem, ext = base, ""
    ext = ext.lower()
    if ext and not _EXTENSION.fullmatch(ext):
        ext = ""
    room = MAX_NAME_CHARS - 20
    return (slugify(stem)[:room].strip("-") or "tep") + (f".{ext}" if ext else "")


def place(source: Path, asked: str, data: bytes, taken: set[str], now: datetime) -> Upload:
    """Check an upload and choose its file: `media/<năm>/<safe name>`, a name not in `taken`
    (base names in lower case, updated here)."""
    name = safe_name(asked)
    refuse_script(name, data)
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    candidate, number = name, 1
    while candidate.lower() in taken:
        number += 1
        candidate = f"{stem}-{number}" + (f".{ext}" if ext else "")
    taken.add(candidate.lower())
    year = now.astimezone(VIETNAM).year
    return Upload(f"media/{year}/{candidate}", data, asked)


def taken_names(source: Path) -> set[str]:
    """The base names already in `media/`, in lower case."""
    return {p.name.lower() for p in find_files(source / "media")}


def refuse_script(name: str, data: bytes) -> None:
    """`DeskError` when the build would refuse this file in media/ (it could run script)."""
    with tempfile.TemporaryDirectory(prefix="site-builder-desk-") as folder:
        Path(folder, name).write_bytes(data)
        problems = Problems(root=Path(folder))
        check_media(Path(folder), (name,), problems)
    if problems.errors:
        error = problems.errors[0]
        raise DeskError(422, f'Lỗi: tệp "{name}" không được đăng: {error.message} {error.hint}'.strip())


def media_reply(rel: str, data: bytes) -> dict[str, str]:
    """What decap-server answers for a media file, and `public_path`, the value the build reads
    in `image:` ("media/2026/anh.jpg")."""
    return {"id": hashlib.sha256(data).hexdigest(), "content": base64.b64encode(data).decode("ascii"),
            "encoding": "base64", "path": rel, "name": os.path.basename(rel),
            "public_path": rel.split("/", 1)[1] if "/" in rel else rel}


def resolve_media(source: Path, value: str, uploads: dict[str, str]) -> str:
    """The file an image value names, as the build reads it ("media/2026/anh.jpg"): a path Decap
    wrote from an upload of this save (by its asked path or base name) or from a base name alone
    ("/media/anh.jpg", the file being in a year folder) is found; anything else is left as it is."""
    text = value.strip()
    bare = text.lstrip("/")
    if bare in uploads.values() or (source / bare).is_file():
        return bare
    for asked, inner in uploads.items():
        if text in (asked, "/" + asked) or asked.endswith("/" + bare):
            return inner
    base = os.path.basename(bare)
    if bare.startswith("media/") and base:
        found = [p for p in find_files(source / "media") if p.name == base]
        if len(found) == 1:
            return found[0].relative_to(source).as_posix()
        named = [inner for inner in uploads.values() if os.path.basename(inner) == base]
        if len(named) == 1:
            return named[0]
    return value
