"""Checks a build makes before writing, and the errors it tells for refused reads and writes."""
from __future__ import annotations

import errno
import os
from pathlib import Path

from ..base.cache import cache_folder
from ..base.errors import Problems
from ..base.oserrors import reason
from ..load.sources import overlay_has
from ..model.site import Site


def system_problem(source: Path, output: Path, exc: OSError) -> Problems:
    """A refused read or write as an error naming the real file or folder and the real cause
    (`oserrors`), with what to do; a write into the output is told apart from a read of a source."""
    problems = Problems(root=source)
    name = exc.filename if isinstance(exc.filename, str) and os.sep in exc.filename else None
    where = Path(os.path.abspath(name)) if name else Path(os.path.abspath(output))
    out = Path(os.path.abspath(output))
    ours = [out, out.parent / f".{out.name}.staging", out.parent / f".{out.name}.old",
            out.parent / f".{out.name}.lock"]
    if name is None or where == out.parent or any(where.is_relative_to(p) for p in ours):
        problems.error(where, None, f"không ghi được vào thư mục kết quả ({reason(exc)}). Trang cũ vẫn giữ nguyên.",
                       write_hint(exc))
    elif where.is_relative_to(cache_folder(source)):
        problems.error(where, None, f"không ghi được bộ nhớ đệm ({reason(exc)}). Trang cũ vẫn giữ nguyên.",
                       write_hint(exc))
    else:
        problems.error(where, None, f"không đọc được ({reason(exc)}). Trang cũ vẫn giữ nguyên.",
                       "Hãy kiểm tra tệp hay thư mục này còn tồn tại và cho phép đọc "
                       "(với người dùng chạy site-builder), rồi xây dựng lại.")
    return problems


def check_readable(paths: list[Path], problems: Problems) -> bool:
    """Files read only while rendering or writing (templates, media, the theme's static files):
    one that cannot be opened is an error now, before anything is written, and in `check`.
    False when one could not. A file the desk is about to write (`overlay_has`) is readable."""
    readable = True
    for path in paths:
        if overlay_has(path):
            continue
        try:
            os.close(os.open(path, os.O_RDONLY))
        except OSError as exc:
            readable = False
            problems.error(path, None, f"không đọc được tệp ({reason(exc)}).",
                           "Hãy kiểm tra tệp còn tồn tại và cho phép đọc (với người dùng chạy site-builder).")
    return readable


def write_hint(exc: OSError) -> str:
    """What to do about a refused write, by its cause."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return "Hãy giải phóng dung lượng đĩa (hoặc xin thêm hạn mức) rồi xây dựng lại."
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return ("Hãy cấp quyền ghi cho thư mục này (và thư mục chứa nó), hoặc chọn --output ở chỗ khác, "
                "rồi xây dựng lại.")
    if exc.errno in (errno.ENOTDIR, errno.EEXIST, errno.EISDIR):
        return ("Trên đường dẫn này có một tệp ở chỗ lẽ ra là thư mục; hãy đổi tên hoặc xóa tệp đó, "
                "hoặc chọn --output khác, rồi xây dựng lại.")
    return "Hãy kiểm tra ổ đĩa và thư mục này rồi xây dựng lại."


def unpublished(site: Site) -> set[str]:
    """Sources that exist but are not on the site (drafts, scheduled): their cache entries stay."""
    news = site.config.source / "news"
    return {p.relative_to(site.config.source).as_posix() for p in news.rglob("*.md")} if news.is_dir() else set()
