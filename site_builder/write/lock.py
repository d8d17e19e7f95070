"""One writer at a time for an output folder (`output_lock`), and which folders may be one (`check_output`)."""
from __future__ import annotations

import errno
import fcntl
import os
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from .output import MARKER, UnsafeOutput


class OutputBusy(UnsafeOutput):
    """Another build (or `serve`) kept the output folder's lock past the time a build waits."""


LOCK_WAIT = 600.0  # seconds: longer than a cold build of a large site
_POLL = 0.1


class output_lock:  # noqa: N801 - used as `with output_lock(out):`
    """The output folder's lock: one writer at a time, across processes.

    `flock` on the folder holding the output (made if missing), which is where the staging folder
    goes too: no lock file is left beside the output, a read-only parent still locks, and the
    kernel releases the lock when its process ends, however it ends, so a killed build never
    leaves a lock that blocks the next. (Two outputs in one folder therefore take turns.) A second
    writer waits rather than fails: it is an editor's second command or `serve`'s rebuild, and
    the first ends within seconds; `waiting` is called once, for the CLI to say so. Past `timeout`
    it stops with `OutputBusy`, having written nothing. Where the file system has no locks
    (some network shares), builds go on unlocked, as before.
    """

    def __init__(self, output: Path, timeout: float = LOCK_WAIT, waiting: Callable[[], None] | None = None) -> None:
        self.output = Path(os.path.abspath(output))
        self.timeout, self.waiting = timeout, waiting
        self._fd: int | None = None

    def __enter__(self) -> output_lock:
        self.output.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.output.parent, os.O_RDONLY)
        deadline = time.monotonic() + self.timeout
        told = False
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise OutputBusy(f"thư mục kết quả {self.output} đang được một bản dựng khác ghi "
                                         f"(đã chờ {self.timeout:.0f} giây).",
                                         "Hãy chờ bản dựng kia (hoặc site-builder serve) xong rồi xây dựng lại.") from None
                    if not told and self.waiting is not None:
                        self.waiting()
                    told = True
                    time.sleep(_POLL)
                except OSError as exc:
                    if exc.errno not in (errno.ENOLCK, errno.EBADF, errno.EINVAL, errno.EOPNOTSUPP):
                        raise
                    break  # no locks on this file system
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._fd is not None:
            os.close(self._fd)  # releases the lock
            self._fd = None


def check_output(output: Path, source: Path) -> None:
    """Refuse an output folder that is, contains or lies inside the sources, or holds foreign files."""
    out, src = output.resolve(), source.resolve()
    if os.path.lexists(output) and not output.is_dir():
        raise UnsafeOutput(f"thư mục kết quả {output} là một tệp, không phải thư mục.",
                           "Hãy đổi tên hoặc xóa tệp đó, hoặc chọn một đường dẫn khác cho --output.")
    if out == src or src.is_relative_to(out) or out.is_relative_to(src):
        raise UnsafeOutput(f"thư mục kết quả {output} trùng hoặc chứa thư mục nguồn {source}.",
                           "Hãy chọn một thư mục kết quả riêng, ví dụ --output output.")
    if out.is_dir() and not (out / MARKER).is_file():
        visible = [p.name for p in out.iterdir() if not p.name.startswith(".")]
        if visible:
            raise UnsafeOutput(f"thư mục kết quả {output} đã có tệp không do site-builder tạo ({visible[0]}, ...).",
                               "Mỗi lần xây dựng sẽ thay toàn bộ thư mục này; hãy chọn một thư mục trống hoặc xóa các tệp đó.")

