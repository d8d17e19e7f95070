"""`site-builder fix-encoding FILE`: convert legacy Vietnamese text to UTF-8 Unicode, showing the diff."""
from __future__ import annotations

import difflib
from pathlib import Path

from ..base.errors import SiteBuilderError
from ..base.oserrors import reason
from ..base.streams import replace_text
from ..base.vietnamese import nfc
from ..load.legacy import convert_text, decode_legacy_bytes
from .report import Reporter


class EncodingFailed(SiteBuilderError):
    """The file could not be read, its encoding could not be told for sure, or it could not be
    rewritten (exit 1); the file is left as it was."""

    exit_code = 1


def fix_encoding(path: Path, dry_run: bool = False, reporter: Reporter | None = None) -> int:
    """Show the diff of the conversion through the CLI's `reporter` and (unless `dry_run`) rewrite
    the file; returns the exit code, raises `EncodingFailed` for what stops it."""
    reporter = reporter or Reporter()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise EncodingFailed(f"không đọc được tệp ({reason(exc)}).",
                             "Hãy kiểm tra tên tệp và quyền đọc, rồi chạy lại.", where=str(path)) from None
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    try:
        before = body.decode("utf-8")
        note = ""
    except UnicodeDecodeError:
        legacy = decode_legacy_bytes(body)
        if legacy is None:
            raise EncodingFailed("không xác định chắc chắn được bảng mã của tệp.",
                                 "Hãy mở tệp bằng trình soạn thảo và lưu lại dạng UTF-8.", where=str(path)) from None
        before, encoding = legacy
        note = f"(tệp lưu bằng bảng mã {encoding}, sẽ được lưu lại dạng UTF-8)"
    shown = before.replace("\r\n", "\n")
    after = convert_text(nfc(shown))
    if after == shown and not note and body == data:
        reporter.say("Không có gì thay đổi.")
        return 0
    diff = difflib.unified_diff(shown.splitlines(keepends=True), after.splitlines(keepends=True),
                                fromfile=f"{path} (cũ)", tofile=f"{path} (mới)")
    reporter.result("".join(diff), end="")
    if note:
        reporter.result(note)
    if dry_run:
        return 0
    try:
        replace_text(path, after)
    except OSError as exc:
        raise EncodingFailed(f"không ghi được tệp ({reason(exc)}); tệp vẫn như cũ.",
                             "Hãy kiểm tra quyền ghi và chỗ trống trên đĩa, rồi chạy lại.", where=str(path)) from None
    reporter.say(f"Đã chuyển {path} sang Unicode (UTF-8).")
    return 0
