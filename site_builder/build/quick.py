"""A build that finds nothing to do, with as little imported as can be: the stats of every input,
one stamp of them and of the code, and the last build's record (`LastBuild`). The command line
asks here first (`nothing_to_do`) and loads the rest of the pipeline only when something changed;
`Builder` answers "unchanged?" with the same functions."""
from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..base.build_status import last_failed
from ..base.cache import BuildCache, LastBuild, cache_folder, code_version
from ..base.errors import Problems
from ..base.walk import Trouble, walk_files
from ..write.lock import LOCK_WAIT, check_output, output_lock
from ..write.output import MARKER, WriteReport, marker_text, read_marker

Stats = dict[str, tuple[int, int, int]]
UNREADABLE, LOOP = (-1, -1, -1), (-2, -2, -2)


@dataclass(frozen=True)
class BuildResult:
    """What a successful build did, and the warnings it collected."""

    pages: int
    report: WriteReport
    seconds: float
    problems: Problems
    rendered: int = 0
    search_seconds: float = 0.0
    written_paths: tuple[str, ...] = ()
    fast: bool = False  # made by the fast path (see `delta`)


def package_themes() -> Path:
    """The themes that come with site_builder (`render.environment.PACKAGE_THEMES`, found the same
    way without importing the templates' machinery)."""
    package = Path(__file__).resolve().parents[1]
    installed = package / "themes"
    return installed if installed.is_dir() else package.parent / "themes"


def input_stats(roots: Iterable[Path], folders: list[str] | None = None) -> Stats:
    """Modification time, size and change time (a new permission changes it) of every file under
    `roots`, by path: what a change is seen by. A file or folder that cannot be read, a link to
    nothing and a link in a loop are listed too, under marks of their own, so a build that finds
    one added since the last is not "nothing changed". Each folder walked goes to `folders`."""
    stats: Stats = {}
    for root in dict.fromkeys(roots):
        troubles: list[Trouble] = []
        listed: list[str] | None = [] if folders is not None else None
        for _, entry in walk_files(str(root), follow_links=True, troubles=troubles, folders=listed):
            try:
                stat = entry.stat()
            except OSError:
                stats[entry.path] = UNREADABLE
                continue
            stats[entry.path] = (stat.st_mtime_ns, stat.st_size, stat.st_ctime_ns)
        for trouble in troubles:
            stats[trouble.path] = LOOP if trouble.loop else UNREADABLE
        if folders is not None and listed is not None:
            folders.extend(os.path.join(str(root), rel.rstrip("/")) if rel else str(root) for rel in listed)
    return stats


def source_stats(source: Path, folders: list[str] | None = None) -> Stats:
    """The stats of every input of a build: sources, site themes beside them, the package's theme."""
    return input_stats([source, source.resolve().parent / "themes", package_themes()], folders)


def stamp_of(stats: Stats, include_drafts: bool, portable: bool) -> str:
    """One digest of every input's stats, of the code and of the settings that shape the output."""
    h = hashlib.sha256(f"{code_version()}|{include_drafts}|{portable}".encode())
    h.update("\n".join(f"{path}|{stat}" for path, stat in sorted(stats.items())).encode())
    return h.hexdigest()


def existing_files(output: Path, folders: list[str] | None = None) -> set[str]:
    """Every file under the output folder, as paths relative to it (and every folder listed, to
    `folders`)."""
    return {rel for rel, _ in walk_files(str(output), follow_links=False, folders=folders) if rel != MARKER}


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def names_digest(paths: Iterable[str]) -> str:
    """One digest of a set of output file names: "are the same files still there?"."""
    return hashlib.sha256("\n".join(sorted(paths)).encode()).hexdigest()


def unchanged(cache: BuildCache, source: Path, output: Path, stamp: str, now: datetime,
              drafts: bool = False) -> BuildResult | None:
    """The result of a build that finds nothing changed since the last one, without loading
    anything: same inputs, no scheduled item due since, the same output files still there, and
    the output's marker and the failure note saying what this build would (`deploy` reads them)."""
    last = cache.last_build(output)
    if read_marker(output) != marker_text(drafts) or last_failed(cache.folder, output):
        return None
    if last is None or last.stamp != stamp or (last.next_scheduled is not None and now >= last.next_scheduled):
        return None
    if not last.names_digest or not same_files(cache, output, last):
        return None
    problems = Problems(root=source)
    problems.items.extend(last.warnings)
    return BuildResult(last.pages, WriteReport(0, 0, 0), 0.0, problems)


def same_files(cache: BuildCache, output: Path, last: LastBuild) -> bool:
    """Whether the output holds the files the last build left, by name. Listing every folder of a
    large site is the slowest part of a build with nothing to do, so once a listing agrees, each
    folder's inode and change time are recorded beside the cache (`folders-….pickle`) and the next
    check only stats them: adding, removing or renaming anything in a folder changes its change
    time, which no tool can set back. Folders changed just before the listing are not recorded
    (`_settled`), so a change in the same tick of the file system's clock is never missed."""
    path = cache.folder / f"folders-{_digest(str(output.resolve()))[:16]}.pickle" if cache.folder else None
    tag = (code_version(), last.stamp, last.names_digest)
    recorded = _recorded(path, tag)
    if recorded is not None and _unmoved(str(output), recorded):
        return True
    started = time.time_ns()
    folders: list[str] = []
    if names_digest(existing_files(output, folders)) != last.names_digest:
        return False
    signature = _folder_stats(str(output), folders)
    if path is not None and signature and _settled(signature, started):
        _record(path, (tag, signature))
    return True


Folders = list[tuple[str, int, int]]  # (folder relative to the output, inode, change time in ns)


def _record(path: Path, value: object) -> None:
    """Best effort: without the file the next check lists the folders again."""
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".folders-")
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        tmp = None
    except (OSError, pickle.PicklingError):
        pass
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _recorded(path: Path | None, tag: tuple[str, str, str]) -> Folders | None:
    if path is None:
        return None
    try:
        with path.open("rb") as handle:
            value = pickle.load(handle)
    except Exception:  # noqa: BLE001 — none, or damaged: the folders are listed again
        return None
    return value[1] if isinstance(value, tuple) and len(value) == 2 and value[0] == tag else None


def _folder_stats(root: str, folders: list[str]) -> Folders | None:
    stats: Folders = []
    try:
        for rel in folders:
            stat = os.stat(root + "/" + rel, follow_symlinks=False)
            stats.append((rel, stat.st_ino, stat.st_ctime_ns))
    except OSError:
        return None
    return stats


def _unmoved(root: str, recorded: Folders) -> bool:
    """Every recorded folder still there, with the same inode and change time."""
    try:
        for rel, inode, changed in recorded:
            stat = os.stat(root + "/" + rel, follow_symlinks=False)
            if stat.st_ctime_ns != changed or stat.st_ino != inode:
                return False
    except OSError:
        return False
    return True


def _settled(stats: Folders, started: int) -> bool:
    """No folder changed within a tick of the file system's clock before the listing began: a
    change after it then gets a later change time. Whole seconds or coarser (FAT) need 2 s."""
    coarse = all(changed % 1_000_000 == 0 for _, _, changed in stats)
    return max(changed for _, _, changed in stats) < started - (2_000_000_000 if coarse else 50_000_000)


def nothing_to_do(source: Path, output: Path, include_drafts: bool = False, portable: bool = False,
                  waiting: Callable[[], None] | None = None) -> BuildResult | None:
    """A build's result when nothing changed since the last one into `output` (what `Builder.build`
    would answer then); None when there is something to do. Raises OSError when a file or the
    lock cannot be had (the full build says it then)."""
    started = time.perf_counter()
    check_output(output, source)
    with output_lock(output, LOCK_WAIT, waiting):
        result = unchanged(BuildCache(cache_folder(source)), source, output,
                           stamp_of(source_stats(source), include_drafts, portable), datetime.now(UTC),
                           include_drafts)
    if result is None:
        return None
    return BuildResult(result.pages, result.report, time.perf_counter() - started, result.problems)
