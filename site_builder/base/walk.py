"""Every file below a folder, walked with `os.scandir` (the sources, the themes, the output): a
module of its own so a build that finds nothing to do imports little (`build.quick`)."""
from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Trouble:
    """A place `walk_files` could not go on from: a folder it could not list (`error` says why),
    or a link to a folder already walked (`loop`), not followed."""

    path: str
    loop: bool
    error: OSError | None = None


def walk_files(root: str, follow_links: bool, troubles: list[Trouble] | None = None,
               folders: list[str] | None = None) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """(path relative to `root` with "/", entry) of every file below `root`, in no set order;
    links to folders are followed only with `follow_links` (the sources' links are checked by
    `escaping_links`; an output folder's are never followed, as `os.walk` does not), and each real
    folder is walked once, so links in a loop end. What could not be walked goes to `troubles`;
    each folder listed goes to `folders` (relative, "" for `root`, else ending in "/")."""
    stack = [("", root)]
    seen: set[tuple[int, int]] = set()
    while stack:
        prefix, folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
            if follow_links:
                seen.add(_identity(os.stat(folder)))
        except OSError as exc:
            if prefix and troubles is not None:  # a missing root (no site themes) is no trouble
                troubles.append(Trouble(folder, False, exc))
            continue
        if folders is not None:
            folders.append(prefix)
        for entry in entries:
            try:
                is_folder = entry.is_dir()
                link = entry.is_symlink()
                if is_folder and link and (not follow_links or _identity(entry.stat()) in seen):
                    if follow_links and troubles is not None:
                        troubles.append(Trouble(entry.path, True))
                    continue
            except OSError as exc:
                if troubles is not None:
                    troubles.append(Trouble(entry.path, False, exc))
                continue
            if is_folder:
                stack.append((prefix + entry.name + "/", entry.path))
            else:
                yield prefix + entry.name, entry


def _identity(stat: os.stat_result) -> tuple[int, int]:
    return stat.st_dev, stat.st_ino
