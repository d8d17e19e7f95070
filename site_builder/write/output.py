"""What every way of writing the output shares: its marker file, safe relative paths, the errors
and the report of a write. The writing itself: `lock` (one writer at a time), `staging` (a whole
new output swapped in at once), `in_place` (a few files replaced, all or none).

Nothing is ever written through a symbolic link found in the output folder.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..base.errors import SiteBuilderError

MARKER = ".site-builder-output"
TEMPORARY = ".tmp-"  # files of an in-place write a kill left behind; the next build removes them
MARKER_TEXT = "Thư mục này do site-builder tạo ra; mỗi lần xây dựng sẽ thay toàn bộ nội dung.\n"
# The marker's second line: what the last good build into the folder was (read by `deploy`). A
# marker without it (a build cut short right after its swap, or an older site-builder) is unknown.
BUILT = "Lần xây dựng gần nhất: hoàn tất, có thể đưa lên máy chủ.\n"
BUILT_DRAFTS = "Lần xây dựng gần nhất: có cả bài nháp (--drafts), chỉ để xem trước, không đưa lên máy chủ.\n"


class UnsafePath(ValueError):
    """An output path that would land outside the output folder."""


class UnsafeOutput(SiteBuilderError, ValueError):
    """An output folder the build must not replace: it holds the sources, or files it did not make
    (exit 2, as a usage error: the editor named the wrong folder). Still a `ValueError`, as before."""

    exit_code = 2

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message, hint)



@dataclass(frozen=True)
class WriteReport:
    written: int
    unchanged: int
    removed: int

    @property
    def changed(self) -> bool:
        return bool(self.written or self.removed)


def safe_relative(rel: str) -> PurePosixPath:
    """Check an output path is a plain relative path inside the output folder, written one way only.

    Refused: empty, absolute, any "..", "." or empty segment ("a//b", "./x", "a/"), a backslash
    (a folder separator on Windows hosts) and NUL. "." and empty segments could not escape, but a
    path with them names a file under a second spelling, which the manifest would not recognise.
    """
    path = PurePosixPath(rel)
    if not rel or path.is_absolute() or any(part in ("..", ".", "") for part in rel.split("/")) \
            or "\\" in rel or "\x00" in rel:
        raise UnsafePath(rel)
    return path


def within(root: Path, path: Path) -> bool:
    """True when `path`, symbolic links resolved, is `root` (resolved already) or inside it."""
    real = os.path.realpath(path)
    return real == str(root) or real.startswith(str(root).rstrip(os.sep) + os.sep)


def linked_out(root: Path, rel: str) -> UnsafeOutput:
    return UnsafeOutput(f"thư mục kết quả {root} có liên kết (symlink) trỏ ra ngoài nó, trên đường dẫn {rel}.",
                        "Hãy xóa liên kết đó (hoặc xóa cả thư mục kết quả) rồi xây dựng lại.")



def marker_text(drafts: bool) -> str:
    """The marker of a finished build, with or without drafts."""
    return MARKER_TEXT + (BUILT_DRAFTS if drafts else BUILT)


def read_marker(output: Path) -> str | None:
    """The marker's text; None when the folder has none (it is not site-builder's)."""
    try:
        return (output / MARKER).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def mark_built(output: Path, drafts: bool) -> None:
    """Write into the marker what the build just finished was (only when it says otherwise)."""
    text = marker_text(drafts)
    if not output.is_dir() or read_marker(output) == text:
        return
    temporary = output / (TEMPORARY + MARKER)
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, output / MARKER)
