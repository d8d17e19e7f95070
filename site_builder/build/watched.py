"""The inputs' stats after a change that `serve` saw (its watcher, or the desk's save), without
statting every source: the files it names are statted again, and each folder's inode, times and
number of entries (recorded at the last full walk) tell whether anything was added, removed or
renamed anywhere; a folder whose stats moved is listed again, and one with an entry the last walk
did not see sends the build back to the full walk.

What only the named files can tell is a file changed in place: a name missing from the hint leaves
that file as the last walk saw it until it is named or walked again (`serve` walks everything right
after each hinted build's search index: `FastBuilder.stale`).
"""
from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from .quick import LOOP, UNREADABLE, Stats

# (inode, mtime, ctime, files in it, folders in it, settled): see `_settled`
Record = tuple[int, int, int, int, int, bool]
Folders = dict[str, Record]


@dataclass(frozen=True)
class Seen:
    """The stats after a named change, the folders' records with them, and the only paths whose
    stats can differ from the last walk's (what `delta.changed_news` needs to look at)."""

    stats: Stats
    folders: Folders
    candidates: frozenset[str]


def records(stats: Stats, listed: Iterable[str], started: int) -> Folders | None:
    """The records of the folders a full walk listed (`quick.input_stats`), begun at `started`
    (`time.time_ns`); None when the walk met a file or folder it could not read or a link in a
    loop (the next change walks everything again)."""
    if any(value == UNREADABLE or value == LOOP for value in stats.values()):
        return None
    folders = list(listed)
    files = Counter(os.path.dirname(path) for path in stats)
    subfolders = Counter(os.path.dirname(folder) for folder in folders)
    kept: Folders = {}
    for folder in folders:
        record = _record(folder, files[folder], subfolders[folder], started)
        if record is None:
            return None
        kept[folder] = record
    return kept


def stats_after(old: Stats, folders: Folders, named: Iterable[str | os.PathLike[str]]) -> Seen | None:
    """The stats a full walk would give now, from the last walk's (`old`, `folders`) and the files
    changed in place since (`named`); None when only a full walk can tell (a file or folder added
    or removed, a named file the last walk did not see, a folder that cannot be read)."""
    stats = dict(old)
    kept = dict(folders)
    candidates: set[str] = set()
    for folder, record in folders.items():
        try:
            now = os.stat(folder)
        except OSError:
            return None
        if record[5] and (now.st_ino, now.st_mtime_ns, now.st_ctime_ns) == record[:3]:
            continue
        listed = _listed_again(folder, record, old, folders)
        if listed is None:
            return None
        files, kept[folder] = listed
        stats.update(files)
        candidates.update(files)
    for path in (str(p) for p in named):
        if path in old:
            try:
                stats[path] = _stat(path)
            except OSError:
                return None
            candidates.add(path)
        elif os.path.dirname(path) not in folders:
            return None  # not a place the last walk knew: only a walk can tell what it is
    return Seen(stats, kept, frozenset(candidates))


def _stat(path: str) -> tuple[int, int, int]:
    stat = os.stat(path)
    return stat.st_mtime_ns, stat.st_size, stat.st_ctime_ns


def _listed_again(folder: str, record: Record, old: Stats,
                  folders: Folders) -> tuple[Stats, Record] | None:
    """The stats of the files directly in `folder` and its new record, when it holds the same files
    and folders as at the last walk (an editor's atomic save, a backup file made and removed)."""
    started = time.time_ns()
    files: Stats = {}
    subfolders = 0
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir():
                    if entry.path not in folders:
                        return None
                    subfolders += 1
                    continue
                stat = entry.stat()
                files[entry.path] = (stat.st_mtime_ns, stat.st_size, stat.st_ctime_ns)
    except OSError:
        return None
    if subfolders != record[4] or len(files) != record[3] or any(path not in old for path in files):
        return None
    again = _record(folder, record[3], record[4], started)
    return None if again is None else (files, again)


def _record(folder: str, files: int, subfolders: int, started: int) -> Record | None:
    try:
        stat = os.stat(folder)
    except OSError:
        return None
    return stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns, files, subfolders, _settled(stat.st_ctime_ns, started)


def _settled(changed: int, started: int) -> bool:
    """The folder changed at least a tick of the file system's clock before the listing began, so
    a change after the listing gets a later change time (as `quick._settled`); an unsettled folder
    is listed again at the next change."""
    coarse = changed % 1_000_000 == 0
    return changed < started - (2_000_000_000 if coarse else 50_000_000)
