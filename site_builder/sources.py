"""Reading source files: the one place that opens them, decodes them and hands out NFC text."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import Problems
from .legacy import decode_legacy_bytes, find_legacy_lines
from .vietnamese import nfc

MAX_SOURCE_BYTES = 20 * 1024 * 1024
# C0 and C1 controls other than tab and newline: invalid in XML feeds, invisible on pages.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class SourceText:
    """A decoded source file: its path, NFC text and a hash of its bytes (for caching later)."""

    path: Path
    text: str
    digest: str


def read_text(path: Path, problems: Problems) -> SourceText | None:
    """Read a UTF-8 source file as NFC text; a file we cannot read becomes an error, not a crash."""
    try:
        size = path.stat().st_size
        if size > MAX_SOURCE_BYTES:
            problems.error(path, None, f"tệp quá lớn ({size // (1024 * 1024)} MB).",
                           "Hãy chia nhỏ tệp (tối đa 20 MB mỗi tệp).")
            return None
        data = path.read_bytes()
    except OSError as exc:
        problems.error(path, None, f"không đọc được tệp ({exc.strerror}).",
                       "Hãy kiểm tra tệp còn tồn tại và có quyền đọc.")
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
    """Files under `folder` (with one of `suffixes`, if given), hidden ones skipped, in a stable order."""
    if not folder.is_dir():
        return []
    found = [
        p for p in folder.rglob("*")
        if p.is_file() and (suffixes is None or p.suffix.lower() in suffixes)
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    ]
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())
