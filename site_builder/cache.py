"""The persistent build cache under `.cache/site-builder/` beside the sources.

It remembers, across builds and processes: the digest of every source file (trusted while its
size and modification time are unchanged), every news item and page parsed from it (with the
warnings it gave), and per output folder a manifest of what each output file was made from.
Everything is keyed by the version of this code, so a new release starts from scratch.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from .errors import SourceError

FORMAT = 1


@lru_cache(maxsize=1)
def code_version() -> str:
    """Digest of this package's code and of the libraries that shape the output."""
    h = hashlib.sha256(str(FORMAT).encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    for name in ("jinja2", "markdown", "babel", "pagefind", "pyyaml", "python-frontmatter"):
        try:
            h.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            h.update(name.encode())
    return h.hexdigest()


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


@dataclass
class _State:
    version: str
    stamps: dict[str, tuple[int, int, str]] = field(default_factory=dict)
    parsed: dict[str, Parsed] = field(default_factory=dict)
    manifests: dict[str, Manifest] = field(default_factory=dict)
    last_build: dict[str, tuple[str, Any, list[SourceError], int]] = field(default_factory=dict)


class BuildCache:
    """The cache of one source folder; `folder` None keeps it in memory only."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.state = self._load()
        self._dirty = False

    def _file(self) -> Path | None:
        return self.folder / "cache.pickle" if self.folder else None

    def _load(self) -> _State:
        path = self._file()
        if path is not None and path.is_file():
            try:
                with path.open("rb") as handle:
                    state = pickle.load(handle)
                if isinstance(state, _State) and state.version == code_version():
                    return state
            except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, TypeError, ValueError):
                pass
        return _State(code_version())

    def digest(self, path: Path) -> str:
        """The file's content digest, re-read only when its size or modification time changed."""
        stat = path.stat()
        key = str(path)
        known = self.state.stamps.get(key)
        if known is not None and known[0] == stat.st_mtime_ns and known[1] == stat.st_size:
            return known[2]
        value = digest_bytes(path.read_bytes())
        self.state.stamps[key] = (stat.st_mtime_ns, stat.st_size, value)
        self._dirty = True
        return value

    def parsed(self, rel: str, digest: str, context: str) -> Parsed | None:
        hit = self.state.parsed.get(rel)
        if hit is not None and hit.digest == digest and hit.context == context:
            return hit
        return None

    def store_parsed(self, rel: str, parsed: Parsed) -> None:
        self.state.parsed[rel] = parsed
        self._dirty = True

    def forget_missing(self, present: set[str]) -> None:
        """Drop parsed entries of sources that no longer exist."""
        for rel in [r for r in self.state.parsed if r not in present]:
            del self.state.parsed[rel]
            self._dirty = True

    def manifest(self, output: Path) -> Manifest:
        return self.state.manifests.setdefault(str(output.resolve()), Manifest())

    def set_manifest(self, output: Path, manifest: Manifest) -> None:
        self.state.manifests[str(output.resolve())] = manifest
        self._dirty = True

    def last_build(self, output: Path) -> tuple[str, Any, list[SourceError], int] | None:
        """(stamp of all inputs, next scheduled time, warnings, pages) of the last good build."""
        return self.state.last_build.get(str(output.resolve()))

    def set_last_build(self, output: Path, value: tuple[str, Any, list[SourceError], int]) -> None:
        self.state.last_build[str(output.resolve())] = value
        self._dirty = True

    def save(self) -> None:
        """Write the cache atomically; a cache that cannot be written is only a slower next build."""
        path = self._file()
        if path is None or not self._dirty:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".cache-")
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(self.state, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
            self._dirty = False
        except OSError:
            pass


def cache_folder(source: Path) -> Path:
    """`.cache/site-builder/` beside the source folder (ignored by git)."""
    return source.resolve().parent / ".cache" / "site-builder"
