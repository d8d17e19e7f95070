"""Which files the desk may read, write or delete: inside the source folder, inside a collection.

Every path the browser names is checked here before any file is touched, and refused (a
`DeskError`, 403) unless all of these hold:
- a non-empty text of at most `MAX_PATH_CHARS` characters, relative ("content/news/x.md", paths
  relative to the project folder, the source folder's parent, as Decap's local backend names
  them), with "/" between plain parts: no NUL or other control character, no backslash, no
  empty, ".", ".." or hidden (".cache") part;
- in one of the collections (`AREAS`): news and pages (Markdown), site.yaml, metrics.yaml, data
  files (YAML), media — never units.yaml, a theme, templates, `.cache/` or the output;
- and, every symbolic link resolved, the very same file: a path through a link (a folder or the
  file itself), even one pointing inside the sources, is refused, so nothing written or read
  through the desk lands anywhere but where its name says.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

MAX_PATH_CHARS = 400
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class Area(Enum):
    """A collection of the desk: what kind of file, where."""

    NEWS = "news"
    PAGES = "pages"
    DATA = "data"
    SETTINGS = "settings"  # site.yaml, metrics.yaml
    MEDIA = "media"


_MARKDOWN = (".md", ".markdown")
_YAML = (".yaml", ".yml")
SETTINGS_FILES = ("site.yaml", "metrics.yaml")


@dataclass(frozen=True)
class DeskError(Exception):
    """A request the desk refuses: the HTTP status and the Vietnamese message the editor sees."""

    status: int
    message: str


@dataclass(frozen=True)
class DeskPath:
    """A checked path: as the browser names it (`rel`, from the project folder), the file, the
    path inside the source folder (`inner`, "news/2020/x.md") and its collection."""

    rel: str
    path: Path
    inner: str
    area: Area


def refused(rel: str, why: str) -> DeskError:
    return DeskError(403, f'Lỗi: đường dẫn "{_shown(rel)}" {why} Bàn biên tập chỉ sửa bài viết, trang riêng, '
                     "số liệu (data/), site.yaml, metrics.yaml và ảnh trong media/ của thư mục nguồn.")


def _shown(rel: str) -> str:
    text = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in rel)
    return text if len(text) <= 120 else text[:119] + "…"


class Paths:
    """The source folder and the project folder holding it, and the checks of `check`."""

    def __init__(self, source: Path) -> None:
        self.source = source.absolute()
        self.root = self.source.parent
        self.name = self.source.name

    def area_of(self, inner: str) -> Area | None:
        """The collection a path inside the source folder belongs to, None if none."""
        first, _, rest = inner.partition("/")
        suffix = os.path.splitext(inner)[1].lower()
        if first == "news" and rest and suffix in _MARKDOWN:
            return Area.NEWS
        if first == "pages" and rest and suffix in _MARKDOWN:
            return Area.PAGES
        if first == "data" and rest and suffix in _YAML:
            return Area.DATA
        if first == "media" and rest:
            return Area.MEDIA
        if inner in SETTINGS_FILES:
            return Area.SETTINGS
        return None

    def folder(self, rel: object, areas: tuple[Area, ...]) -> Path:
        """A collection folder the browser names (entriesByFolder, getMedia): "content/news"."""
        text = self._text(rel)
        inner = self._inner(text)
        top = inner.split("/")[0]
        if top not in {a.value for a in areas} or top == Area.SETTINGS.value:
            raise refused(text, "không phải một thư mục của bàn biên tập.")
        path = self.source / inner
        self._same_file(text, path)
        return path

    def check(self, rel: object, areas: tuple[Area, ...]) -> DeskPath:
        """The checked path of a file the browser names, in one of `areas`; `DeskError` if not."""
        text = self._text(rel)
        inner = self._inner(text)
        area = self.area_of(inner)
        if area is None or area not in areas:
            raise refused(text, "nằm ngoài các mục bàn biên tập được sửa" + (" ở đây." if area else "."))
        path = self.source / inner
        self._same_file(text, path)
        return DeskPath(text, path, inner, area)

    def _text(self, rel: object) -> str:
        if not isinstance(rel, str) or not rel:
            raise DeskError(400, "Lỗi: yêu cầu thiếu đường dẫn tệp (phải là một dòng chữ). Hãy tải lại trang bàn biên tập.")
        if len(rel) > MAX_PATH_CHARS:
            raise refused(rel, f"dài quá {MAX_PATH_CHARS} ký tự.")
        if _CONTROL.search(rel) or "\\" in rel:
            raise refused(rel, "có ký tự điều khiển hoặc dấu \\.")
        return rel

    def _inner(self, text: str) -> str:
        """The path inside the source folder, from a path relative to the project folder."""
        parts = text.split("/")
        if text.startswith("/") or any(p in ("", ".", "..") or p.startswith(".") for p in parts):
            raise refused(text, "không phải đường dẫn tương đối bình thường (có /, ., .. hay tên ẩn).")
        if parts[0] != self.name or len(parts) < 2:
            raise refused(text, f"nằm ngoài thư mục nguồn {self.name}/.")
        return "/".join(parts[1:])

    def _same_file(self, text: str, path: Path) -> None:
        """Refuse a path that leads elsewhere once links are resolved (its parent folders, or the
        file itself when it exists)."""
        real_root = os.path.realpath(self.source)
        inner = os.path.relpath(path, self.source)
        if os.path.realpath(path) != os.path.join(real_root, inner):
            raise refused(text, "đi qua một liên kết (symlink).")
