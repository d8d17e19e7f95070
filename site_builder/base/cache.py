"""The persistent build cache under `.cache/site-builder/` beside the sources.

It remembers, across builds and processes: the digest of every source file (trusted while its
size and modification time are unchanged), every news item and page parsed from it (with the
warnings it gave), and per output folder a manifest of what each output file was made from.
Everything is keyed by the version of this code, so a new release starts from scratch.

The two large tables (digests, parsed sources) are rows of `tables.sqlite` (`rows`), read one by
one when asked for and written only where changed; the rest (manifests, records of the last
builds) is the small `cache.pickle`, read and written whole. A build after one edit thus reads
and writes a few rows, not the whole cache.

Before a build changes an output folder it leaves a small marker file; the marker goes only when
the cache, with the new manifest, is safely saved. A build killed in between (or a cache that
could not be saved) therefore leaves the marker, and the next build forgets that folder's
manifest and rebuilds it whole instead of trusting a manifest that no longer describes it. A save
removes only the markers this process read or wrote: another build's, into another output of the
same sources, stays until that build saves.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import re
import sys
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from .build_status import source_digest
from .errors import SourceError
from .rows import RowFile, Rows

FORMAT = 1


@lru_cache(maxsize=1)
def code_version() -> str:
    """Digest of this package's code and of the libraries that shape the output."""
    h = hashlib.sha256(str(FORMAT).encode())
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode())
        h.update(path.read_bytes())
    versions = _installed_versions()
    for name in ("jinja2", "markdown", "babel", "pagefind", "pyyaml", "python-frontmatter"):
        version = versions.get(name.replace("-", "_"))
        h.update(f"{name}={version}".encode() if version is not None else name.encode())
    return h.hexdigest()


def _installed_versions() -> dict[str, str]:
    """The version of each installed distribution, by normalised name, read from the names of the
    `*.dist-info` folders on `sys.path` (first found wins, as imports do): what
    `importlib.metadata.version` says, without importing its e-mail parser at every start."""
    found: dict[str, str] = {}
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for entry in names:
            if entry.endswith(".dist-info") and "-" in entry:
                name, _, version = entry[: -len(".dist-info")].rpartition("-")
                found.setdefault(re.sub(r"[-_.]+", "_", name).lower(), version)
    return found


def digest_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Parsed:
    """A parsed source (an Item or Page, or None when it was a draft page), with its warnings."""

    digest: str
    context: str
    value: Any
    warnings: list[SourceError]
    body_digest: str = ""


@dataclass
class Manifest:
    """What each output file of one output folder was made from: path → (page key, content digest)."""

    entries: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class LastBuild:
    """The small record of the last good build into one output folder, enough to answer "nothing
    changed" without loading anything (`BuildCache.last_build`)."""

    stamp: str                        # digest of every input's stats and of the code; "" when incomplete
    next_scheduled: datetime | None   # a scheduled item due then makes the next build a real one
    warnings: tuple[SourceError, ...]
    pages: int
    names_digest: str                 # digest of the output's file names
    content: str = ""                 # digest of every input's name and bytes (`build.reuse.content_stamp`)


Stamp = tuple[int, int, str, int]  # modification time, size, digest, change time


@dataclass
class _State:
    version: str
    manifests: dict[str, Manifest] = field(default_factory=dict)
    last_build: dict[str, LastBuild] = field(default_factory=dict)
    # per output folder: news item source → every address it was published at ("/tin-tuc/…/")
    published: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    # per output folder: the token of the snapshot its last full build left (`build.snapshot_file`)
    snapshots: dict[str, str] = field(default_factory=dict)
    # rows of `tables.sqlite`, never pickled here: a file's stamp by path, a parsed source by path
    stamps: Rows[Stamp] = field(default_factory=lambda: Rows.detached("stamps", tuple))
    parsed: Rows[Parsed] = field(default_factory=lambda: Rows.detached("parsed", Parsed))

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in ("stamps", "parsed")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update({k: v for k, v in state.items() if k not in ("stamps", "parsed")})


class BuildCache:
    """The cache of one source folder; `folder` None keeps it in memory only."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._state: _State | None = None
        self._dirty = False
        self._markers: set[Path] = set()  # applied when read, or written by `writing`
        self._seen: tuple[int, int, int] | None = None  # the cache file as last read or written
        self._rows = RowFile(folder / "tables.sqlite" if folder else None, code_version())

    @property
    def state(self) -> _State:
        """Everything cached, read on first use: a build that finds nothing changed reads only
        the small record of the last build (`last_build`)."""
        if self._state is None:
            state = self._load()
            state.stamps = Rows(self._rows, "stamps", tuple)
            state.parsed = Rows(self._rows, "parsed", Parsed, lambda parsed: parsed.body_digest)
            self._state = state
            self._apply_markers()
        return self._state

    def _file(self) -> Path | None:
        return self.folder / "cache.pickle" if self.folder else None

    def _quick_file(self) -> Path | None:
        return self.folder / "last-build.pickle" if self.folder else None

    def reload_if_changed(self) -> bool:
        """Forget what was read from the cache if another process has saved it since (True then):
        a long-lived build (`serve`) must not overwrite a newer cache with what it remembers."""
        if self._state is None or _signature(self._file()) == self._seen:
            return False
        self._state, self._dirty, self._markers = None, False, set()
        return True

    def _load(self) -> _State:
        path = self._file()
        self._seen = _signature(path)
        if path is not None and path.is_file():
            try:
                with path.open("rb") as handle:
                    state = pickle.load(handle)
                if isinstance(state, _State) and state.version == code_version():
                    return state
            except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, TypeError, ValueError):
                pass
        return _State(code_version())

    def _marker(self, output: Path) -> Path | None:
        name = hashlib.sha256(str(output.resolve()).encode()).hexdigest()[:16]
        return self.folder / f"writing-{name}" if self.folder else None

    def writing(self, output: Path) -> None:
        """Note, before changing files of `output`, that its manifest is about to go stale.
        Raises OSError when the note cannot be written (then nothing may be changed)."""
        marker = self._marker(output)
        if marker is not None:
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.write_text(str(output.resolve()), encoding="utf-8")
            self._markers.add(marker)
            _sync_folder(marker.parent)

    def _apply_markers(self) -> None:
        """Forget what an unfinished build may have made untrue: its folder's manifest and last build."""
        if self.folder is None or not self.folder.is_dir():
            return
        for marker in self.folder.glob("writing-*"):
            self._markers.add(marker)
            try:
                output = marker.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                output = None
            assert self._state is not None
            for table in (self._state.manifests, self._state.last_build, self._state.snapshots):
                if output is None:
                    table.clear()
                else:
                    table.pop(output, None)
            self._dirty = True

    def digest(self, path: Path) -> str:
        """The file's content digest, re-read only when its size, modification or change time
        changed (a new permission changes the last: a file made unreadable is read, and refused)."""
        stat = path.stat()
        key = str(path)
        known = self.state.stamps.get(key)
        if known is not None and known[:2] == (stat.st_mtime_ns, stat.st_size) and known[3:] == (stat.st_ctime_ns,):
            return known[2]
        value = source_digest(path)  # in chunks: a large video is never held whole
        self.state.stamps[key] = (stat.st_mtime_ns, stat.st_size, value, stat.st_ctime_ns)
        return value

    def parsed(self, rel: str, digest: str, context: str) -> Parsed | None:
        hit = self.state.parsed.get(rel)
        if hit is not None and hit.digest == digest and hit.context == context:
            return hit
        return None

    def store_parsed(self, rel: str, parsed: Parsed) -> None:
        self.state.parsed[rel] = parsed

    def forget_missing(self, present: set[str]) -> None:
        """Drop parsed entries of sources that no longer exist."""
        for rel in [r for r in self.state.parsed if r not in present]:
            del self.state.parsed[rel]

    def converted(self, suffix: str) -> Mapping[str, str]:
        """Bodies converted before, by digest of their Markdown, for parses whose body digest ends
        in `suffix` (the sanitiser's policy): read from the saved rows one at a time, when asked."""
        return _Converted(self.state.parsed, suffix)

    def manifest(self, output: Path) -> Manifest:
        return self.state.manifests.setdefault(str(output.resolve()), Manifest())

    def set_manifest(self, output: Path, manifest: Manifest) -> None:
        self.state.manifests[str(output.resolve())] = manifest
        self._dirty = True

    def forget_gone_outputs(self) -> None:
        """Drop the manifests of output folders that no longer exist (a cache restored on another
        machine): the store keeps only what the remaining manifests name."""
        for output in [o for o in self.state.manifests if not os.path.isdir(o)]:
            del self.state.manifests[output]
            self._dirty = True

    def last_build(self, output: Path) -> LastBuild | None:
        """The last good build into `output`, from the small record beside the cache when the cache
        itself has not been read; None while a build into `output` is unfinished (or a record of
        another shape is found)."""
        key = str(output.resolve())
        if self._state is not None:
            return _record(self.state.last_build.get(key))
        path = self._quick_file()
        if path is None or any(path.parent.glob("writing-*")):  # a build was cut short: read it all
            return _record(self.state.last_build.get(key))
        try:
            with path.open("rb") as handle:
                version, records = pickle.load(handle)
        except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, TypeError, ValueError):
            return _record(self.state.last_build.get(key))
        return _record(records.get(key)) if version == code_version() and isinstance(records, dict) else None

    def set_last_build(self, output: Path, value: LastBuild) -> None:
        self.state.last_build[str(output.resolve())] = value
        self._dirty = True

    def snapshot_token(self, output: Path) -> str:
        """The token of the snapshot the last full build into `output` left; "" when none."""
        return self.state.snapshots.get(str(output.resolve()), "")

    def set_snapshot_token(self, output: Path, token: str) -> None:
        if self.state.snapshots.get(str(output.resolve()), "") != token:
            self.state.snapshots[str(output.resolve())] = token
            self._dirty = True

    def published(self, output: Path) -> dict[str, tuple[str, ...]]:
        """The addresses each news item source was published at in `output` (for moved items)."""
        return self.state.published.get(str(output.resolve()), {})

    def set_published(self, output: Path, addresses: dict[str, tuple[str, ...]]) -> None:
        if self.state.published.get(str(output.resolve())) != addresses:
            self.state.published[str(output.resolve())] = addresses
            self._dirty = True

    def save(self) -> bool:
        """Write the rows changed since the last save (`rows`), then the rest atomically (a
        temporary file renamed over it), then drop the markers of `writing`. False when something
        cannot be written: only a slower next build, never a wrong one."""
        path = self._file()
        if path is None:
            return True
        rows_saved = True
        if self._state is not None:
            tables: dict[str, Rows[Any]] = {"stamps": self._state.stamps, "parsed": self._state.parsed}
            changes = {name: table.changes() for name, table in tables.items()}
            if any(upserts or deleted for upserts, deleted in changes.values()):
                rows_saved = self._rows.write(changes)
                if rows_saved:
                    for table in tables.values():
                        table.saved()
        try:
            if self._dirty or any(path.parent.glob("writing-*")):
                path.parent.mkdir(parents=True, exist_ok=True)
                for stale in path.parent.glob(".cache-*"):  # left by a build killed while saving
                    stale.unlink(missing_ok=True)
                _replace(path, self.state)
                self._seen = _signature(path)
                quick = self._quick_file()
                assert quick is not None
                _replace(quick, (self.state.version, self.state.last_build))
                for marker in self._markers:
                    marker.unlink(missing_ok=True)
                self._markers.clear()
                self._dirty = False
        except OSError:
            return False
        return rows_saved


class _Converted(Mapping[str, str]):
    """`BuildCache.converted`: looked up by `get` only (a Markdown renderer's known bodies)."""

    def __init__(self, parsed: Rows[Parsed], suffix: str) -> None:
        self._parsed, self._suffix = parsed, suffix

    def __getitem__(self, digest: str) -> str:
        hit = self._parsed.find(digest + self._suffix)
        if hit is None or hit.value is None:
            raise KeyError(digest)
        return str(hit.value.body_html)

    def __iter__(self) -> Iterator[str]:
        return iter([p.body_digest.removesuffix(self._suffix) for p in self._parsed.values()
                     if p.value is not None and p.body_digest.endswith(self._suffix)])

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _replace(path: Path, value: object) -> None:
    """Pickle `value` into a temporary file beside `path`, then rename it over `path`."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".cache-")
    try:
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _record(value: object) -> LastBuild | None:
    """A record of the last build, or None for anything else (a cache of an older shape)."""
    return value if isinstance(value, LastBuild) else None


def _signature(path: Path | None) -> tuple[int, int, int] | None:
    """Which version of a file is there (inode, modification time, size); None when none is."""
    try:
        stat = path.stat() if path is not None else None
    except OSError:
        return None
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size) if stat is not None else None


def _sync_folder(folder: Path) -> None:
    """Make a new file's name durable (best effort; not every system can open a folder)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def cache_folder(source: Path) -> Path:
    """`.cache/site-builder/` beside the source folder (ignored by git)."""
    return source.resolve().parent / ".cache" / "site-builder"
