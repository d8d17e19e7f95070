"""Files the desk writes or deletes: atomically, with an OS failure as a Vietnamese `DeskError`.

A file is written to a temporary file beside it, flushed to disk, then renamed over the old one:
a reader (the live builder, a build) sees the old file or the new one, never half of one. Parent
folders are created. A failure (disk full, no permission) names the file and what to do.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from ..base.oserrors import reason
from .desk_paths import DeskError


def write_atomic(path: Path, data: bytes, shown: str) -> None:
    """Write `data` to `path` at once; `shown` is how the editor knows the file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=".desk-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
    except OSError as exc:
        raise DeskError(500, f'Lỗi: không ghi được tệp "{shown}" ({reason(exc)}). Chưa có gì thay đổi ở tệp này. '
                        "Hãy kiểm tra dung lượng đĩa và quyền ghi thư mục nguồn rồi lưu lại.") from None


def remove(path: Path, shown: str) -> bool:
    """Delete a file; False if it was not there."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise DeskError(500, f'Lỗi: không xóa được tệp "{shown}" ({reason(exc)}). '
                        "Hãy kiểm tra quyền ghi thư mục nguồn rồi thử lại.") from None
    return True


def read_bytes(path: Path, shown: str) -> bytes | None:
    """A file's bytes; None if there is no such file."""
    try:
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except IsADirectoryError:
        raise DeskError(422, f'Lỗi: "{shown}" là một thư mục, không phải tệp.') from None
    except OSError as exc:
        raise DeskError(500, f'Lỗi: không đọc được tệp "{shown}" ({reason(exc)}). '
                        "Hãy kiểm tra tệp còn tồn tại và cho phép đọc.") from None
