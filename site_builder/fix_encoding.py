"""`site-builder fix-encoding FILE`: convert legacy Vietnamese text to UTF-8 Unicode, showing the diff."""
from __future__ import annotations

import difflib
import os
import shutil
import sys
import tempfile
from pathlib import Path

from .legacy import convert_text, decode_legacy_bytes
from .oserrors import reason
from .vietnamese import nfc


def fix_encoding(path: Path, dry_run: bool = False) -> int:
    """Print the diff of the conversion and (unless `dry_run`) rewrite the file. Returns an exit code."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        print(f"{path}: Lỗi: không đọc được tệp ({reason(exc)}).\n"
              "    Hãy kiểm tra tên tệp và quyền đọc, rồi chạy lại.", file=sys.stderr)
        return 1
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    try:
        before = body.decode("utf-8")
        note = ""
    except UnicodeDecodeError:
        legacy = decode_legacy_bytes(body)
        if legacy is None:
            print(f"{path}: Lỗi: không xác định chắc chắn được bảng mã của tệp.\n"
                  "    Hãy mở tệp bằng trình soạn thảo và lưu lại dạng UTF-8.", file=sys.stderr)
            return 1
        before, encoding = legacy
        note = f"(tệp lưu bằng bảng mã {encoding}, sẽ được lưu lại dạng UTF-8)"
    shown = before.replace("\r\n", "\n")
    after = convert_text(nfc(shown))
    if after == shown and not note and body == data:
        print("Không có gì thay đổi.", file=sys.stderr)
        return 0
    diff = difflib.unified_diff(shown.splitlines(keepends=True), after.splitlines(keepends=True),
                                fromfile=f"{path} (cũ)", tofile=f"{path} (mới)")
    sys.stdout.writelines(diff)
    if note:
        print(note)
    if dry_run:
        return 0
    try:
        _replace(path, after)
    except OSError as exc:
        print(f"{path}: Lỗi: không ghi được tệp ({reason(exc)}); tệp vẫn như cũ.\n"
              "    Hãy kiểm tra quyền ghi và chỗ trống trên đĩa, rồi chạy lại.", file=sys.stderr)
        return 1
    print(f"Đã chuyển {path} sang Unicode (UTF-8).", file=sys.stderr)
    return 0


def _replace(path: Path, text: str) -> None:
    """Write `text` beside `path` and swap it in at once: the file is old or new, never half."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        shutil.copymode(path, tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
