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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import TracebackType

from ..base.errors import SiteBuilderError

MARKER = ".site-builder-output"
TEMPORARY = ".tmp-"  # files of an in-place write a kill left behind; the next build removes them
MARKER_TEXT = "Thư mục này do site-builder tạo ra; mỗi lần xây dựng sẽ thay toàn bộ nội dung.\n"


class UnsafePath(ValueError):
    """An output path that would land outside the output folder."""


class UnsafeOutput(SiteBuilderError, ValueError):
    """An output folder the build must not replace: it holds the sources, or files it did not make
    (exit 2, as a usage error: the editor named the wrong folder). Still a `ValueError`, as before."""

    exit_code = 2

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message, hint)


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
        remove(self.staging)  # left by a killed build: a folder, or anything else under its name
        self.staging.mkdir(parents=True)
        (self.staging / MARKER).write_text(MARKER_TEXT, encoding="utf-8")

    def _recover(self) -> None:
        """Finish a swap that a killed build left half done."""
        if os.path.lexists(self.old):
            if os.path.lexists(self.output) or not self.old.is_dir() or self.old.is_symlink():
                remove(self.old)
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
        with contextlib.suppress(OSError):
            remove(self.staging)

    def commit(self) -> WriteReport:
        """Swap staging in; if nothing differs from the previous output, leave it untouched."""
        removed = 0
        if self.output.is_dir():
            for path in sorted(self.output.rglob("*")):
                rel = path.relative_to(self.output).as_posix()
                if rel.startswith(".") and not rel.startswith(TEMPORARY):
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
            self.abort()  # the staging folder's name now holds the previous output
            return report
        if self.output.exists():
            self.output.rename(self.old)
        try:
            self.staging.rename(self.output)
        except BaseException:
            if os.path.lexists(self.old) and not os.path.lexists(self.output):
                self.old.rename(self.output)  # put the previous output back
            raise
        with contextlib.suppress(OSError):
            remove(self.old)
        return report


def remove(path: Path) -> None:
    """Remove whatever is at `path`: a folder with all it holds, a file, or a symbolic link (never
    followed). A folder inside that refuses removal (no write permission) is opened up first."""
    if not os.path.lexists(path):
        return
    if path.is_symlink() or not path.is_dir():
        path.unlink()
        return

    def opened_up(function: Callable[..., object], name: str, info: object) -> None:
        parent = os.path.dirname(name)
        os.chmod(parent, 0o700)
        if os.path.isdir(name) and not os.path.islink(name):
            shutil.rmtree(name, onerror=_fail)
        else:
            os.unlink(name)

    shutil.rmtree(path, onerror=opened_up)


def _fail(function: Callable[..., object], name: str, info: tuple[type, BaseException, object]) -> None:
    raise info[1]


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
    """Replace output files, all or none (see `InPlace`)."""
    with InPlace(output) as change:
        change.write(files)


def remove_in_place(output: Path, rels: list[str]) -> None:
    """Remove output files the build no longer makes, and folders left empty; all or none."""
    with InPlace(output) as change:
        change.remove(rels)


class InPlace:
    """Changes to an output folder in place that happen all or none, across several writes and
    removals (a build's pages, then its search index): `with InPlace(out) as change: …`.

    Each new file is written to a temporary file beside its target first, and only when all of a
    `write` are written are they renamed over their targets. Every file replaced or removed is
    kept aside under a second name (a hard link, or a copy where the file system has none) until
    the block ends; if it ends with an error — a full disk, a refused write, a failed rename,
    Ctrl-C — everything is put back as it was. A kill leaves every file whole (old or new), and
    the next build redoes the rest (its manifest is forgotten, see `cache.BuildCache.writing`).
    """

    def __init__(self, output: Path) -> None:
        self.output = output
        self.root = output.resolve()
        self._done: list[tuple[Path, str | None]] = []  # target, its previous file kept aside (None: it was new)

    def __enter__(self) -> InPlace:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if kind is None:
            for _, kept in self._done:
                if kept is not None:
                    with contextlib.suppress(OSError):
                        os.unlink(kept)
        else:
            self._undo()
        self._done = []

    def _target(self, rel: str) -> Path:
        target = self.root.joinpath(*safe_relative(rel).parts)
        if not _within(self.root, target.parent):  # checked before mkdir, which would follow the link
            raise _linked_out(self.root, rel)
        return target

    def write(self, files: list[tuple[str, bytes]]) -> None:
        """Write every file to a temporary file, then rename each over its target."""
        targets = [self._target(rel) for rel, _ in files]  # all checked before any is made
        staged: list[tuple[str, Path]] = []
        try:
            for (_, data), target in zip(files, targets):
                target.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=TEMPORARY)
                staged.append((tmp, target))
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                os.chmod(tmp, 0o644)
            for tmp, target in staged:
                self._done.append((target, _set_aside(target)))
                os.replace(tmp, target)
        finally:
            for tmp, _ in staged:  # those not renamed (after an error)
                with contextlib.suppress(OSError):
                    os.unlink(tmp)

    def remove(self, rels: list[str]) -> None:
        """Remove files, and the folders they leave empty; a file in a folder that is a link out
        of the output is not ours to delete and stays."""
        for rel in rels:
            try:
                target = self._target(rel)
            except UnsafeOutput:
                continue
            kept = _set_aside(target)
            self._done.append((target, kept))
            with contextlib.suppress(FileNotFoundError):
                target.unlink()
            parent = target.parent
            while parent != self.root:
                try:
                    parent.rmdir()
                except OSError:
                    break
                parent = parent.parent

    def _undo(self) -> None:
        """Put back every file replaced or removed, and remove every file added."""
        for target, kept in reversed(self._done):
            with contextlib.suppress(OSError):
                if kept is not None:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(kept, target)
                else:
                    os.unlink(target)
            if kept is not None:  # still there when the rename did nothing (the same file: never replaced)
                with contextlib.suppress(OSError):
                    os.unlink(kept)


def _set_aside(target: Path) -> str | None:
    """A second name for the file at `target` (a hard link, or a copy where links are not
    supported), to put it back if a later step fails; None when there is no file yet."""
    if not os.path.isfile(target) or os.path.islink(target):
        return None
    fd, aside = tempfile.mkstemp(dir=target.parent, prefix=TEMPORARY)
    os.close(fd)
    os.unlink(aside)
    try:
        os.link(target, aside)
    except OSError:
        shutil.copyfile(target, aside)
    return aside
