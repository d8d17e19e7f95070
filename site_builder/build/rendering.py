"""Rendering planned files: in this process into memory, or in forked workers straight into a
staging folder (the environment compiled once by the parent before forking)."""
from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import jinja2

from ..base.cache import Manifest, digest_bytes
from ..base.errors import BuildFailed, Problems, SourceError
from ..base.streams import copy_digest, digest_file
from ..model.site import Site
from ..plan.pages import CopiedFile, GeneratedFile, Planned, PlannedPage
from ..render.environment import render_page

Progress = Callable[[int, int], None]

_RENDER: tuple[Site, Sequence[Planned], Path, jinja2.Environment] | None = None  # site, files, staging, environment


def produce(entry: Planned, env: jinja2.Environment, site: Site, problems: Problems) -> bytes | None:
    """The bytes of one planned page or generated file (None for a copied file, copied in chunks
    by the callers, and for the search index, made by `search_stage`)."""
    if isinstance(entry, PlannedPage):
        return render_page(env, entry, site, problems)
    if isinstance(entry, GeneratedFile):
        return entry.make()
    return None


@contextlib.contextmanager
def forking(site: Site, files: Sequence[Planned], staging: Path, env: jinja2.Environment) -> Iterator[None]:
    """What `render_chunk` reads in the workers forked inside this block."""
    global _RENDER
    _RENDER = (site, files, staging, env)
    try:
        yield
    finally:
        _RENDER = None


def render_chunk(indices: list[int]) -> tuple[list[tuple[int, str]], list[SourceError]]:
    """Worker: render some planned files straight into the staging folder, with the environment
    the parent compiled before forking (each worker keeps its own cache of fragments)."""
    assert _RENDER is not None
    site, planned, staging, env = _RENDER
    problems = Problems(root=site.config.source)
    done: list[tuple[int, str]] = []
    for index in indices:
        entry = planned[index]
        target = staging.joinpath(*entry.path.split("/"))
        if isinstance(entry, CopiedFile):
            target.parent.mkdir(parents=True, exist_ok=True)
            done.append((index, copy_digest(entry.source, target)))
            continue
        data = produce(entry, env, site, problems)
        if data is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            done.append((index, digest_bytes(data)))
    return done, problems.items


def render_changed(todo: Sequence[Planned], env: jinja2.Environment, site: Site, manifest: Manifest,
                   exists: Callable[[str], bool], problems: Problems, tick: Progress
                   ) -> tuple[dict[str, str], list[tuple[str, bytes | Path]]]:
    """Render files in memory: (digest of each, the ones whose bytes differ from the last
    build's or whose file is missing: the bytes, or for a copied file its source, copied in
    chunks when written). Raises `BuildFailed`, writing nothing, on errors."""
    produced: dict[str, str] = {}
    changed: list[tuple[str, bytes | Path]] = []
    for done, entry in enumerate(todo, 1):
        data: bytes | Path | None = entry.source if isinstance(entry, CopiedFile) else produce(entry, env, site, problems)
        if data is not None:
            produced[entry.path] = digest = digest_file(data) if isinstance(data, Path) else digest_bytes(data)
            if manifest.entries.get(entry.path, ("", ""))[1] != digest or not exists(entry.path):
                changed.append((entry.path, data))
        tick(done, len(todo))
    if problems:
        raise BuildFailed(problems)
    return produced, changed
