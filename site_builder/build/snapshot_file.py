"""The last full build of the command line, kept in the cache folder for the next process: what
`serve` keeps in memory (`delta.Snapshot` and the stage slots), so an edit of a news body is a
fast path there too (`fast.FastBuilder`).

The file is named after the output folder and carries a token that the cache (`BuildCache`)
keeps for that folder: a full build writes a new file and token, an edit through the fast path
keeps them (the next one starts from the same file and finds every edit since), and any other
build into the folder (`serve`, another version of the code) clears the token, so a file that no
longer describes the output is never read. A file that cannot be read only means the full path.
"""
from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import os
import pickle
import secrets
import tempfile
import types
from pathlib import Path
from typing import Any

from ..base.cache import BuildCache, code_version
from ..model.stages import ModelStages
from ..plan.pages import GeneratedFile, PlanStages
from . import delta

FORMAT = 1
Kept = tuple[delta.Snapshot, ModelStages, PlanStages]


def _gone() -> bytes:
    """What a file made by code that could not be kept would be made by: never called (`makes`)."""
    raise RuntimeError("made by code not kept on disk")


def _the_gone() -> Any:
    return _gone


class _Pickler(pickle.Pickler):
    """Functions made inside other functions (open data's makers) cannot be pickled: `_gone`."""

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, types.FunctionType) and "<" in obj.__qualname__:
            return (_the_gone, ())
        return NotImplemented


def makes(entry: GeneratedFile) -> bool:
    """Whether a generated file read back from disk can still be made."""
    return entry.make is not _gone


def _path(cache: BuildCache, output: Path) -> Path | None:
    if cache.folder is None:
        return None
    return cache.folder / f"snapshot-{hashlib.sha256(str(output.resolve()).encode()).hexdigest()[:16]}.pickle"


def save(cache: BuildCache, output: Path, snapshot: delta.Snapshot, model: ModelStages, plan: PlanStages,
         flags: tuple[bool, ...]) -> str:
    """Write the snapshot of a full build into `output`; the token the cache must keep for it
    ("" when it could not be written: the next build then takes the full path)."""
    path = _path(cache, output)
    if path is None:
        return ""
    token = secrets.token_hex(16)
    kept = dataclasses.replace(snapshot, env=None, folders=None, by_rel=None)
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".snapshot-")
        with os.fdopen(fd, "wb") as handle:
            _Pickler(handle, protocol=pickle.HIGHEST_PROTOCOL).dump(
                (FORMAT, code_version(), token, flags, (kept, model, plan)))
        os.replace(tmp, path)
        tmp = None
    except (OSError, pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return ""
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    return token


def load(cache: BuildCache, output: Path, flags: tuple[bool, ...]) -> Kept | None:
    """The snapshot of the last full build into `output`, if the cache still names it and it was
    made by this code with the same settings; None otherwise (or when it cannot be read)."""
    path = _path(cache, output)
    token = cache.snapshot_token(output)
    if path is None or not token:
        return None
    enabled = gc.isenabled()
    gc.disable()  # a large graph of new objects: collections while reading it only cost time
    try:
        with path.open("rb") as handle:
            value = pickle.load(handle)
    except Exception:  # noqa: BLE001 — a damaged or foreign file of any kind only means the full path
        return None
    finally:
        if enabled:
            gc.enable()
    if not (isinstance(value, tuple) and len(value) == 5 and value[:4] == (FORMAT, code_version(), token, flags)):
        return None
    kept = value[4]
    if not (isinstance(kept, tuple) and len(kept) == 3 and isinstance(kept[0], delta.Snapshot)
            and isinstance(kept[1], ModelStages) and isinstance(kept[2], PlanStages)):
        return None
    return kept[0], kept[1], kept[2]
