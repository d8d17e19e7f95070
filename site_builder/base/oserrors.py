"""System errors (`OSError`) said in Vietnamese: the reason by errno, never the C library's English.

Every message that reports a refused read, write or rename goes through `reason`, so an editor
reads "thư mục không rỗng", not "Directory not empty". A code not in the table is still said in
Vietnamese, with its symbolic name kept for whoever helps them.
"""
from __future__ import annotations

import errno

_REASONS: dict[int, str] = {
    errno.ENOENT: "không có tệp hay thư mục này",
    errno.EACCES: "không có quyền truy cập",
    errno.EPERM: "hệ thống không cho phép thao tác này",
    errno.EROFS: "ổ đĩa chỉ cho đọc",
    errno.ENOSPC: "ổ đĩa đã đầy",
    errno.EDQUOT: "đã hết hạn mức dung lượng",
    errno.EFBIG: "tệp vượt quá kích thước cho phép",
    errno.ENAMETOOLONG: "tên tệp quá dài",
    errno.ENOTDIR: "một phần của đường dẫn là tệp, không phải thư mục",
    errno.EISDIR: "đây là thư mục, không phải tệp",
    errno.ENOTEMPTY: "thư mục không rỗng",
    errno.EEXIST: "tệp hay thư mục đã có",
    errno.ELOOP: "liên kết tượng trưng vòng lặp",
    errno.EXDEV: "không chuyển được giữa hai ổ đĩa khác nhau",
    errno.EBUSY: "tệp hay thư mục đang được dùng",
    errno.EMFILE: "mở quá nhiều tệp cùng lúc",
    errno.ENFILE: "hệ thống mở quá nhiều tệp cùng lúc",
    errno.EIO: "lỗi đọc ghi ổ đĩa",
    errno.EINVAL: "tên hay thao tác không hợp lệ",
    errno.EADDRINUSE: "cổng đang bận",
    errno.EADDRNOTAVAIL: "địa chỉ không dùng được trên máy này",
    errno.ETXTBSY: "tệp đang được chạy",
    errno.EMLINK: "quá nhiều liên kết tới tệp",
}


def reason(exc: OSError) -> str:
    """What went wrong, in Vietnamese: 'thư mục không rỗng', never 'Directory not empty'."""
    code = exc.errno or 0
    if code in _REASONS:
        return _REASONS[code]
    name = errno.errorcode.get(code)
    return f"lỗi hệ thống {name}" if name else "lỗi hệ thống"


def describe(exc: OSError, doing: str) -> str:
    """`<path>: không <doing> được (<reason>).` — the path the system named, and why, in Vietnamese."""
    where = exc.filename if isinstance(exc.filename, str) else None
    head = f"{where}: " if where else ""
    return f"{head}không {doing} được ({reason(exc)})."
