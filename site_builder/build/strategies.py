"""The two ways a build writes its output, one method each (`write`): a cold build (or one that
changes much) renders in parallel processes into a staging folder that replaces the output at
once (`StagingSwap`); a small change renders in memory first and then replaces the changed files,
all or none (`WriteInPlace`)."""
from __future__ import annotations

import contextlib
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import jinja2

from ..base.cache import BuildCache, Manifest, digest_bytes
from ..base.errors import BuildFailed, Problems
from ..base.workers import fork_pool
from ..model.site import Site
from ..plan.pages import Planned, SearchIndex
from ..render.environment import make_environment
from ..write.in_place import InPlace
from ..write.output import TEMPORARY, WriteReport
from ..write.search_bundle import PartIndexer
from ..write.staging import OutputWriter
from .decide import Todo
from .rendering import forking, render_changed, render_chunk
from .reuse import Reuse
from .search_stage import SEARCH_KEY, SearchStage

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Written:
    """What a write did: its report, the digest of every file rendered, the search bundle's files
    now in the output (None when this write did not index), and the time spent on the index
    once the pages were written (parts indexed while pages were still rendering not counted)."""

    report: WriteReport
    digests: dict[str, str]
    bundle: dict[str, str] | None
    rendered: int
    search_seconds: float


class Strategy(Protocol):
    def write(self, site: Site, todo: Todo, search: SearchIndex | None, problems: Problems,
              env: jinja2.Environment | None, manifest: Manifest, existing: set[str]) -> Written: ...


class StagingSwap:
    """Everything into a staging folder (unchanged files hard-linked), swapped in at once."""

    def __init__(self, output: Path, cache: BuildCache, search: SearchStage, jobs: int, tick: Progress,
                 reuse: Reuse | None = None, drafts: bool = False) -> None:
        self.output, self.cache, self.search, self.jobs, self.tick = output, cache, search, jobs, tick
        self.drafts = drafts  # written into the output's marker with the swap
        self.reuse = reuse  # files and parts of the index made before, from the cache's store

    def write(self, site: Site, todo: Todo, search: SearchIndex | None, problems: Problems,
              env: jinja2.Environment | None, manifest: Manifest, existing: set[str]) -> Written:
        assert env is not None, "a swap renders in forked workers with the environment compiled before"
        writer = OutputWriter(self.output, self.drafts)
        digests: dict[str, str] = {}
        bundle: dict[str, str] | None = None
        try:
            writer.begin()  # inside: Ctrl-C just after the staging folder is made removes it too
            todo_paths = {e.path for e in todo.render}
            for entry in todo.files:
                if entry.path not in todo_paths and not writer.keep(entry.path):
                    todo_paths.add(entry.path)
            if self.reuse is not None:
                for path, digest in self.reuse.files(writer.staging, [e.path for e in todo.files if e.path in todo_paths]).items():
                    digests[path] = digest
                    writer.record(path)
                    todo_paths.discard(path)
            indices = [i for i, e in enumerate(todo.files) if e.path in todo_paths]
            # Pagefind indexes each part as its pages are written, unless a recorded index may give
            # parts back: that needs every page's digest, so it waits for the rendering.
            recorded = search is not None and self.reuse is not None and self.reuse.has_index()
            parts = self.search.begin(writer.staging, search) if search is not None and not recorded else None
            try:
                with forking(site, todo.files, writer.staging, env):
                    results = self._render(indices, todo.files, problems, parts)
                for done in results:
                    for index, digest in done:
                        digests[todo.files[index].path] = digest
                        writer.record(todo.files[index].path)
                if problems:
                    raise BuildFailed(problems)
                search_seconds = 0.0
                if search is not None:
                    started = time.perf_counter()
                    if parts is None:
                        assert self.reuse is not None
                        only, bundle = self.reuse.parts(writer.staging, search, todo.files, digests, manifest)
                        for path in bundle:
                            writer.record(path)
                        made = self.search.run(writer.staging, search, problems, only)
                    else:
                        bundle = {}
                        made = self.search.finish(parts, problems)
                    for path, data in (made.files if made is not None else {}).items():
                        writer.put(path, data)
                        bundle[path] = digest_bytes(data)
                    search_seconds = time.perf_counter() - started
            finally:
                if parts is not None:
                    self.search.discard(parts)
            if problems:
                raise BuildFailed(problems)
            self.cache.writing(self.output)
            report = writer.commit()
        except BaseException:
            writer.abort()
            raise
        return Written(report, digests, bundle, len(indices), search_seconds)

    def _render(self, indices: list[int], files: Sequence[Planned], problems: Problems,
                parts: PartIndexer | None) -> list[list[tuple[int, str]]]:
        """Render these files into staging: in forked workers for many, here for a few. The pages
        of each part of the search index are rendered together, and the part handed to Pagefind
        (`parts`) as soon as they are all written, so that it is indexed while the rest renders."""
        ranks = {shard: n for n, shard in enumerate(parts.redo if parts is not None else ())}
        shard = {i: parts.parts.part_of(files[i].path) if parts is not None else None for i in indices}
        waiting = Counter(s for s in shard.values() if s is not None)
        order = sorted(indices, key=lambda i: (len(ranks) if (s := shard[i]) is None else ranks.get(s, len(ranks)), i))
        pooled = self.jobs > 1 and len(indices) >= 200
        size = -(-len(order) // (self.jobs * 16)) if pooled else 200  # small: no long tail
        chunks = [order[start:start + size] for start in range(0, len(order), size)]
        results: list[list[tuple[int, str]]] = []
        with fork_pool(self.jobs) if pooled else contextlib.nullcontext() as pool:
            # Started only now, so that the workers are forked before the indexing thread exists:
            # the parts with no page to render (all kept from the previous output).
            for kept in ranks:
                if not waiting[kept] and parts is not None:
                    parts.start(kept)
            made = pool.imap(render_chunk, chunks) if pool is not None else map(render_chunk, chunks)
            for chunk, (done, items) in zip(chunks, made):
                results.append(done)
                problems.items.extend(items)
                for index in chunk:
                    if (rendered := shard[index]) is not None:
                        waiting[rendered] -= 1
                        if not waiting[rendered] and parts is not None:
                            parts.start(rendered)
                self.tick(sum(len(r) for r in results), len(indices))
        return results


class WriteInPlace:
    """The few changed files rendered in memory, then replaced (and the unplanned removed), with
    the parts of the search index they touch, all or none."""

    def __init__(self, output: Path, cache: BuildCache, search: SearchStage, portable: bool, tick: Progress) -> None:
        self.output, self.cache, self.search, self.portable, self.tick = output, cache, search, portable, tick

    def write(self, site: Site, todo: Todo, search: SearchIndex | None, problems: Problems,
              env: jinja2.Environment | None, manifest: Manifest, existing: set[str]) -> Written:
        env = env or make_environment(site, self.portable)
        digests, changed = render_changed(todo.render, env, site, manifest, existing.__contains__, problems, self.tick)
        written = len(changed)
        planned_paths = {e.path for e in todo.files}
        listed = self.search.listed(manifest)
        stale = sorted(p for p in existing if p not in planned_paths and p not in listed
                       and (not p.startswith(".") or p.startswith(TEMPORARY)))
        if changed or stale:
            self.cache.writing(self.output)
        search_seconds = 0.0
        bundle: dict[str, str] | None = None
        with InPlace(self.output) as change:  # pages and index together, or nothing
            change.write(changed)
            change.remove(stale)  # before indexing: a removed page must not be found
            touched = self.search.touched([p for p, _ in changed] + stale, search)
            if search is None:  # deferred to `SearchStage.index_pending`
                self.search.due(touched)
            if search is not None and (touched or SEARCH_KEY not in manifest.entries):
                started = time.perf_counter()
                only = touched if SEARCH_KEY in manifest.entries else None
                bundle_changed, old_bundle, bundle = self.search.index_output(search, only, manifest, existing,
                                                                              problems, change)
                written += bundle_changed
                stale += old_bundle
                search_seconds = time.perf_counter() - started
        return Written(WriteReport(written, len(todo.files) - written, len(stale)), digests, bundle, len(digests),
                       search_seconds)
