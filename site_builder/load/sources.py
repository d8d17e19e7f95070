"""Reading source files: the one place that opens them, decodes them and hands out NFC text."""
from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from ..base.errors import Problems
from ..base.oserrors import reason
from ..base.vietnamese import nfc, slugify
from ..base.walk import Trouble as Trouble  # noqa: PLC0414 — where the stages find them
from ..base.walk import walk_files as walk_files  # noqa: PLC0414
from .legacy import decode_legacy_bytes, find_legacy_lines

MAX_SOURCE_BYTES = 20 * 1024 * 1024  # text sources (news, pages, YAML, CSV); media are copied, not read
# C0 and C1 controls other than tab and newline: invalid in XML feeds, invisible on pages.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


# Candidate contents of source files, by absolute normalised path; None: the file is taken away.
# The desk (`live.desk_save`) checks a save by loading the site "as it would be" with them, through
# the very loaders `check` runs: the overlay is set around one load with `overlaid`, and every
# read of a source goes through `read_text` and every listing through `find_files`, so those two
# are the only places that look at it. A context variable rather than an argument: the loaders of
# site.yaml, units and records take no reader to thread it through, and a context variable stays
# with the one load that set it (no other thread or load sees it).
Overlay = Mapping[str, "str | None"]
_OVERLAY: ContextVar[Overlay] = ContextVar("source_overlay", default={})


@contextmanager
def overlaid(files: Mapping[Path, str | None]) -> Iterator[None]:
    """Within the block, `read_text` and `find_files` see `files` (text, or None for a file taken
    away) in place of what is on disk; nothing is written."""
    token = _OVERLAY.set({_key(path): text for path, text in files.items()})
    try:
        yield
    finally:
        _OVERLAY.reset(token)


def overlay_has(path: Path) -> bool:
    """True when `overlaid` gives `path` a candidate text (it need not exist on disk yet)."""
    overlay = _OVERLAY.get()
    return bool(overlay) and overlay.get(_key(path)) is not None


def _key(path: Path) -> str:
    return os.path.normpath(os.path.abspath(path))


@dataclass(frozen=True)
class SourceText:
    """A decoded source file: its path, NFC text and a hash of its bytes (for caching later)."""

    path: Path
    text: str
    digest: str


def read_text(path: Path, problems: Problems) -> SourceText | None:
    """Read a UTF-8 source file as NFC text; a file we cannot read becomes an error, not a crash.
    Under `overlaid`, a file it names is read from there."""
    overlay = _OVERLAY.get()
    try:
        if overlay and _key(path) in overlay:
            candidate = overlay[_key(path)]
            if candidate is None:
                raise FileNotFoundError(2, "No such file or directory", str(path))
            data = candidate.encode("utf-8")
        else:
            size = path.stat().st_size
            if size > MAX_SOURCE_BYTES:
                problems.error(path, None, f"tệp quá lớn ({size // (1024 * 1024)} MB).",
                               "Hãy chia nhỏ tệp (tối đa 20 MB mỗi tệp).")
                return None
            data = path.read_bytes()
    except OSError as exc:
        problems.error(path, None, f"không đọc được tệp ({reason(exc)}).",
                       "Hãy kiểm tra tệp còn tồn tại và cho phép đọc (với người dùng chạy site-builder).")
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        legacy = decode_legacy_bytes(data)
        if legacy is None:
            line = data[: exc.start].count(b"\n") + 1
            problems.error(path, line, "tệp không phải mã UTF-8 và không xác định chắc chắn được bảng mã.",
                           "Hãy mở tệp và lưu lại với bảng mã UTF-8 (Unicode).")
            return None
        text, encoding = legacy
        problems.warn(path, None, f"tệp được lưu bằng bảng mã {encoding}; đã đọc và chuyển sang Unicode.",
                      f"Hãy lưu lại tệp dạng UTF-8, hoặc chạy: site-builder fix-encoding {problems.where(path)}")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    match = _CONTROL.search(text)
    if match:
        line = text.count("\n", 0, match.start()) + 1
        problems.warn(path, line, f"tệp có ký tự điều khiển không in được (U+{ord(match.group()):04X}), đã bỏ đi.",
                      "Ký tự này thường lẫn vào khi sao chép từ PDF; hãy xóa nó khỏi tệp.")
        text = _CONTROL.sub("", text)
    _report_legacy_lines(path, text, problems)
    return SourceText(path, nfc(text), hashlib.sha256(data).hexdigest())


MAX_LEGACY_LINES = 10


def _report_legacy_lines(path: Path, text: str, problems: Problems) -> None:
    """Lines typed with a legacy Vietnamese font (TCVN3, VNI) are errors, with the fix shown."""
    found = find_legacy_lines(text)
    for hit in found[:MAX_LEGACY_LINES]:
        problems.error(path, hit.line, f'dòng này gõ bằng bảng mã {hit.encoding} cũ: "{_short(hit.original)}".',
                       f'Hãy sửa thành "{_short(hit.converted)}", hoặc chạy: site-builder fix-encoding {problems.where(path)}')
    if len(found) > MAX_LEGACY_LINES:
        problems.error(path, found[MAX_LEGACY_LINES].line,
                       f"còn {len(found) - MAX_LEGACY_LINES} dòng khác gõ bằng bảng mã cũ.",
                       f"Hãy chạy: site-builder fix-encoding {problems.where(path)}")


def _short(text: str, limit: int = 80) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def find_files(folder: Path, suffixes: tuple[str, ...] | None = None) -> list[Path]:
    """Files under `folder` (with one of `suffixes`, if given), hidden ones skipped, in a stable order.

    A symbolic link is listed only when it points to a file inside `folder`'s source tree (see
    `escaping_links`, which the build runs first and which names the others as errors). Under
    `overlaid`, its new files are listed and the files it takes away are not."""
    found = [
        p for p in folder.rglob("*")
        if p.is_file() and (suffixes is None or p.suffix.lower() in suffixes)
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
        and (not p.is_symlink() or _inside(p, folder))
    ] if folder.is_dir() else []
    overlay = _OVERLAY.get()
    if overlay:
        found = _with_overlay(found, folder, suffixes, overlay)
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


def _with_overlay(found: list[Path], folder: Path, suffixes: tuple[str, ...] | None, overlay: Overlay) -> list[Path]:
    """`found` without the files `overlay` takes away, with its new files under `folder` (named
    as `folder` is, so that they read back through `overlay`)."""
    root = _key(folder)
    kept = [p for p in found if overlay.get(_key(p), "") is not None]
    listed = {_key(p) for p in kept}
    for key, text in overlay.items():
        if text is not None and key not in listed and key.startswith(root + os.sep):
            rel = Path(os.path.relpath(key, root))
            if (suffixes is None or rel.suffix.lower() in suffixes) and not any(part.startswith(".") for part in rel.parts):
                kept.append(folder / rel)
    return kept


def _inside(path: Path, folder: Path) -> bool:
    """True when `path`, every symbolic link resolved, lies inside `folder` (also resolved)."""
    real, root = os.path.realpath(path), os.path.realpath(folder)
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def escaping_links(source: Path, problems: Problems) -> None:
    """Check the source tree before anything is loaded. Errors: a folder that cannot be listed (its
    files would silently vanish from the site), a symbolic link that points outside the sources or
    nowhere (the build never reads or publishes a file from elsewhere on the computer). Warning: a
    link to a folder holding it, a loop, which is not followed (loading never follows links to
    folders: each real file is read once)."""
    def unreadable(exc: OSError) -> None:
        problems.error(_escaped(str(exc.filename)), None, f"không đọc được thư mục ({reason(exc)}).",
                       "Hãy cho phép đọc thư mục này (với người dùng chạy site-builder) rồi xây dựng lại; "
                       "các bài trong đó không thể đăng khi chưa đọc được.")

    for folder, dirs, names in os.walk(source, onerror=unreadable):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(dirs + [n for n in names if not n.startswith(".")]):
            path = Path(folder) / name
            if _check_link(path, source, "thư mục nguồn", problems) and path.is_symlink() and _loops(path):
                problems.warn(path.parent / _escaped(name), None,
                              f'liên kết (symlink) tạo vòng lặp: "{_escaped(name)}" trỏ tới '
                              f"{_escaped(os.readlink(path))}, thư mục chứa chính nó; đã bỏ qua.",
                              "Hãy xóa liên kết này; mỗi tệp chỉ cần có một chỗ trong thư mục nguồn.")


def _loops(link: Path) -> bool:
    """True when `link` leads to the folder holding it or to one above it."""
    target, home = os.path.realpath(link), os.path.realpath(link.parent)
    return os.path.isdir(target) and (home == target or home.startswith(target.rstrip(os.sep) + os.sep))


def theme_files(static: Path, theme: Path, problems: Problems) -> list[Path]:
    """The files of a theme's `static/` to publish, in a stable order. Copying follows symbolic
    links, so each link under it (hidden names too: all are published), and `static/` itself, is
    checked as the sources are: one leading out of the theme folder, or to nothing, is an error and
    never copied; a theme never publishes a file from elsewhere on the computer."""
    if not _check_link(static, theme, "thư mục giao diện", problems) or not static.is_dir():
        return []
    refused: set[Path] = set()
    for folder, dirs, names in os.walk(static):
        dirs.sort()
        for name in sorted(dirs + names):
            if not _check_link(Path(folder) / name, theme, "thư mục giao diện", problems):
                refused.add(Path(folder) / name)
    return [p for p in sorted(static.rglob("*")) if p.is_file() and p not in refused]


def _check_link(path: Path, root: Path, root_name: str, problems: Problems) -> bool:
    """False, with an error, when `path` is a symbolic link leading out of `root` or to nothing."""
    if path.is_symlink() and (not _inside(path, root) or not path.exists()):
        name = _escaped(path.name)
        problems.error(path.parent / name, None, f'"{name}" là liên kết (symlink) trỏ ra ngoài {root_name} '
                       f"hoặc tới tệp không có: {_escaped(os.readlink(path))}.",
                       "Hãy chép tệp hoặc thư mục thật vào đây thay cho liên kết.")
        return False
    return True


# What a published file name may contain: it becomes part of a URL on every host, so plain ASCII
# letters, digits, "-", "_" and "." only (no spaces, Vietnamese letters, "%", "#", "?", quotes).
_SAFE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*")
MAX_NAME_CHARS = 120


def check_published_names(source: Path, rels: list[str], problems: Problems) -> None:
    """Media and data files are published under their own names: a name that is not safe in a
    URL, too long, or equal to another one but for letter case (hosts differ) is an error that
    proposes a safe name."""
    seen: dict[str, str] = {}
    for rel in rels:
        parts = rel.split("/")
        for part in parts:
            if len(part) > MAX_NAME_CHARS or not _SAFE_NAME.fullmatch(part):
                stem, dot, ext = part.rpartition(".")
                if not dot or not stem or not re.fullmatch(r"[A-Za-z0-9]{1,10}", ext):
                    stem, ext = part, ""
                proposal = (slugify(stem)[:MAX_NAME_CHARS - 11] or "tep") + (f".{ext.lower()}" if ext else "")
                problems.error(source / _escaped(rel), None,
                               f'tên "{_short(_escaped(part), 60)}" không dùng được trong địa chỉ trang '
                               f"(chỉ dùng chữ không dấu, số, dấu -, _ và ., tối đa {MAX_NAME_CHARS} ký tự).",
                               f'Hãy đổi tên thành "{proposal}" và sửa các chỗ dẫn tới tệp này.')
                break
        else:
            folded = rel.lower()
            if folded in seen:
                problems.error(source / _escaped(rel), None, f'tên tệp trùng với "{seen[folded]}" nếu không phân biệt chữ hoa, chữ thường.',
                               "Nhiều máy chủ coi hai tên này là một; hãy đổi tên một trong hai tệp.")
            else:
                seen[folded] = rel


def _escaped(name: str) -> str:
    """A file name as shown in a message: control characters written as hex escapes, so one
    problem stays on one line."""
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in name)
