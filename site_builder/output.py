"""Atomic, deterministic writing of the output folder.

Files are written into a staging folder beside the output; unchanged files are hard-linked from
the previous output instead of rewritten. Only when every file is in place is the staging folder
swapped in, so a failed or killed build leaves the previous output as it was: on Linux the
swap is one atomic exchange of the two folders (`renameat2`), elsewhere two renames that the
next build completes if a kill falls between them. Top-level hidden files of the output
(`.gitkeep`, `.htaccess`, `.well-known/`) are kept.

Nothing is ever written through a symbolic link found in the output folder. One writer at a time:
every build holds the output's lock (`output_lock`) while it reads the cache and writes.
"""
from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import Callable


MARKER = ".site-builder-output"
MARKER_TEXT = "Thư mục này do site-builder tạo ra; mỗi lần xây dựng sẽ thay toàn bộ nội dung.\n"


class UnsafePath(ValueError):
    """An output path that would land outside the output folder."""


class UnsafeOutput(ValueError):
    """An output folder the build must not replace: it holds the sources, or files it did not make."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class OutputBusy(UnsafeOutput):
    """Another build (or `serve`) kept the output folder's lock past the time a build waits."""


LOCK_WAIT = 600.0  # seconds: longer than a cold build of a large site
_POLL = 0.1


class output_lock:  # noqa: N801 - used as `with output_lock(out):`
    """The output folder's lock: one writer at a time, across processes.

    `flock` on `.<name>.lock` beside the output (where the staging folder goes too; the folder
    holding the output itself when no file can be made there). The kernel releases it when its
    process ends, however it ends, so a killed build never leaves a lock that blocks the next.
    A second writer waits rather than fails: it is an editor's second command or `serve`'s rebuild,
    and the first ends within seconds; `waiting` is called once, for the CLI to say so. Past
    `timeout` it stops with `OutputBusy`, having written nothing.
    """

    def __init__(self, output: Path, timeout: float = LOCK_WAIT, waiting: Callable[[], None] | None = None) -> None:
        self.output = Path(os.path.abspath(output))
        self.path = self.output.parent / f".{self.output.name}.lock"
        self.timeout, self.waiting = timeout, waiting
        self._fd: int | None = None

    def __enter__(self) -> "output_lock":
        deadline = time.monotonic() + self.timeout
        told = False
        while True:
            fd = self._open()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                if time.monotonic() >= deadline:
                    raise OutputBusy(f"thư mục kết quả {self.output} đang được một bản dựng khác ghi "
                                     f"(đã chờ {self.timeout:.0f} giây).",
                                     "Hãy chờ bản dựng kia (hoặc site-builder serve) xong rồi xây dựng lại.") from None
                if not told and self.waiting is not None:
                    self.waiting()
                told = True
                time.sleep(_POLL)
                continue
            except BaseException:
                os.close(fd)
                raise
            if self._still_named(fd):
                self._fd = fd
                return self
            os.close(fd)  # the lock file was removed and made again meanwhile: lock the new one

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._fd is not None:
            os.close(self._fd)  # releases the lock
            self._fd = None

    def _open(self) -> int:
        """The lock file, made if missing; the output's parent folder where it cannot be made."""
        self.output.parent.mkdir(parents=True, exist_ok=True)
        try:
            return os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            if exc.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
                raise
        try:
            return os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return os.open(self.output.parent, os.O_RDONLY)

    def _still_named(self, fd: int) -> bool:
        """True when `fd` is the file now at the lock's path (or the parent folder, used instead)."""
        try:
            named = os.stat(self.path)
        except FileNotFoundError:
            return os.path.samestat(os.fstat(fd), os.stat(self.output.parent))
        return os.path.samestat(os.fstat(fd), named)


def check_output(output: Path, source: Path) -> None:
    """Refuse an output folder that is, contains or lies inside the sources, or holds foreign files."""
    out, src = output.resolve(), source.resolve()
    if out == src or src.is_relative_to(out) or out.is_relative_to(src):
        raise UnsafeOutput(f"thư mục kết quả {output} trùng hoặc chứa thư mục nguồn {source}.",
                           "Hãy chọn một thư mục kết quả riêng, ví dụ --output output.")
    if out.is_dir() and not (out / MARKER).is_file():
        visible = [p.name for p in out.iterdir() if not p.name.startswith(".")]
        if visible:
            raise UnsafeOutput(f"thư mục kết quả {output} đã có tệp không do site-builder tạo ({visible[0]}, ...).",
                               "Mỗi lần xây dựng sẽ thay toàn bộ thư mục này; hãy chọn một thư mục trống hoặc xóa các tệp đó.")


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


class OutputWriter:
    """Collects the files of one build in staging, then swaps them in at once."""

    def __init__(self, output: Path) -> None:
        self.output = output.resolve()
        self.staging = self.output.parent / f".{self.output.name}.staging"
        self.old = self.output.parent / f".{self.output.name}.old"
        self.written = 0
        self.unchanged = 0
        self._paths: set[str] = set()

    def begin(self) -> None:
        self._recover()
        if self.staging.exists():
            shutil.rmtree(self.staging)
        self.staging.mkdir(parents=True)
        (self.staging / MARKER).write_text(MARKER_TEXT, encoding="utf-8")

    def _recover(self) -> None:
        """Finish a swap that a killed build left half done."""
        if self.old.exists():
            if self.output.exists():
                shutil.rmtree(self.old)
            else:
                self.old.rename(self.output)

    def _target(self, rel: str) -> tuple[Path, Path]:
        """Where a file goes in staging, and where the previous output had it; a previous file
        reached through a symbolic link out of the output is treated as absent."""
        path = safe_relative(rel)
        self._paths.add(path.as_posix())
        staged = self.staging.joinpath(*path.parts)
        staged.parent.mkdir(parents=True, exist_ok=True)
        previous = self.output.joinpath(*path.parts)
        if not _within(self.output, previous):
            previous = self.staging / ".missing"
        return staged, previous

    def _link_if_same(self, staged: Path, previous: Path, data: bytes | None, source: Path | None) -> bool:
        try:
            if not previous.is_file() or previous.is_symlink():
                return False
            if data is not None:
                if previous.stat().st_size != len(data) or previous.read_bytes() != data:
                    return False
            elif source is not None:
                if previous.stat().st_size != source.stat().st_size or previous.read_bytes() != source.read_bytes():
                    return False
            os.link(previous, staged)
        except OSError:
            return False
        self.unchanged += 1
        return True

    def put(self, rel: str, data: bytes) -> None:
        staged, previous = self._target(rel)
        if not self._link_if_same(staged, previous, data, None):
            staged.write_bytes(data)
            self.written += 1

    def copy(self, rel: str, source: Path) -> None:
        staged, previous = self._target(rel)
        if not self._link_if_same(staged, previous, None, source):
            shutil.copyfile(source, staged)
            self.written += 1

    def keep(self, rel: str) -> bool:
        """Carry an unchanged file of the previous output into staging (a hard link); False if absent."""
        staged, previous = self._target(rel)
        try:
            os.link(previous, staged)
        except OSError:
            self._paths.discard(safe_relative(rel).as_posix())
            return False
        self.unchanged += 1
        return True

    def record(self, rel: str) -> None:
        """Register a file that a worker process wrote into staging."""
        self._paths.add(safe_relative(rel).as_posix())
        self.written += 1

    def abort(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)

    def commit(self) -> WriteReport:
        """Swap staging in; if nothing differs from the previous output, leave it untouched."""
        removed = 0
        if self.output.is_dir():
            for path in sorted(self.output.rglob("*")):
                rel = path.relative_to(self.output).as_posix()
                if rel.startswith("."):
                    if "/" not in rel and rel != MARKER:
                        _keep(path, self.staging / rel)
                    continue
                if (path.is_file() or path.is_symlink()) and rel not in self._paths:
                    removed += 1
        report = WriteReport(self.written, self.unchanged, removed)
        if not report.changed and self.output.is_dir():
            self.abort()
            return report
        if self.output.exists() and _exchange(self.staging, self.output):
            shutil.rmtree(self.staging, ignore_errors=True)  # now the previous output
            return report
        if self.output.exists():
            self.output.rename(self.old)
        self.staging.rename(self.output)
        shutil.rmtree(self.old, ignore_errors=True)
        return report


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one atomic step (Linux `renameat2` with RENAME_EXCHANGE); False where
    the system or the file system cannot."""
    libc = _libc()
    if libc is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = libc.renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return result == 0


def _libc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.renameat2  # noqa: B018 - glibc 2.28+ only
    except (OSError, AttributeError):
        return None
    return libc


def _within(root: Path, path: Path) -> bool:
    """True when `path`, symbolic links resolved, is `root` (resolved already) or inside it."""
    real = os.path.realpath(path)
    return real == str(root) or real.startswith(str(root).rstrip(os.sep) + os.sep)


def _linked_out(root: Path, rel: str) -> UnsafeOutput:
    return UnsafeOutput(f"thư mục kết quả {root} có liên kết (symlink) trỏ ra ngoài nó, trên đường dẫn {rel}.",
                        "Hãy xóa liên kết đó (hoặc xóa cả thư mục kết quả) rồi xây dựng lại.")


def _keep(path: Path, staged: Path) -> None:
    """Carry a hidden top-level file or folder of the old output into the new one."""
    if path.is_dir() and not path.is_symlink():
        shutil.copytree(path, staged, copy_function=os.link, dirs_exist_ok=True)
    else:
        os.link(path, staged, follow_symlinks=False)


def write_in_place(output: Path, rel: str, data: bytes) -> None:
    """Replace one output file atomically (a temporary file renamed over it)."""
    write_many_in_place(output, [(rel, data)])


def write_many_in_place(output: Path, files: list[tuple[str, bytes]]) -> None:
    """Replace output files, each atomically: every new file is written to a temporary file
    beside its target first, and only when all are written are they renamed over their targets.
    A full disk or a refused write therefore changes nothing; a kill during the renames leaves
    every file whole (old or new), and the next build redoes the rest."""
    root = output.resolve()
    targets = [root.joinpath(*safe_relative(rel).parts) for rel, _ in files]  # all checked before any is made
    for (rel, _), target in zip(files, targets):
        if not _within(root, target.parent):  # checked before mkdir, which would follow the link
            raise _linked_out(root, rel)
    staged: list[tuple[str, Path]] = []
    try:
        for (rel, data), target in zip(files, targets):
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            staged.append((tmp, target))
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(tmp, 0o644)
    except BaseException:
        for tmp, _ in staged:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise
    for tmp, target in staged:
        os.replace(tmp, target)


def remove_in_place(output: Path, rels: list[str]) -> None:
    """Remove output files the build no longer makes, and folders left empty."""
    root = output.resolve()
    for rel in rels:
        target = output.joinpath(*safe_relative(rel).parts)
        if not _within(root, target.parent):
            continue  # inside a folder that is a link out of the output: not ours to delete
        with contextlib.suppress(FileNotFoundError):
            target.unlink()
        parent = target.parent
        while parent != output:
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent
