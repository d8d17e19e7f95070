"""The fast path of a build after edits of news items that keep their place (bodies, summaries,
titles that keep the slug): the site assembled again from the kept stage slots, and only the pages
holding an edited item keyed, rendered and written again (see `delta`).

`serve` keeps the last good build in memory (`live.builder.LiveBuilder`); the command line reads it
from the cache folder (`snapshot_file`), written by its last full build into the same output.
"""
from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import jinja2

from ..base.cache import LastBuild, Manifest
from ..base.errors import BuildFailed, Problems, SourceError
from ..load.content import Item, listing_fields, load_some_items, placement_fields
from ..model.site import Site, assemble_site
from ..model.stages import ModelStages
from ..plan.pages import GeneratedFile, Planned, PlanStages, SearchIndex, plan_pages, shown, shown_digest
from ..render.environment import bind_site, make_environment, theme_static, warm_up
from ..write.in_place import write_many_in_place
from ..write.lock import LOCK_WAIT
from ..write.output import WriteReport
from . import delta, snapshot_file, watched
from .builder import Builder, BuildResult, Progress
from .decide import Todo
from .keys import Digests, key, names_digest
from .quick import same_files
from .rendering import render_changed


@dataclass(frozen=True)
class _Edit:
    """Edited news items that keep their place: the site assembled and planned again with them
    (`assemble_site`, `plan_pages`, reusing what the stages kept), its files, and the names
    whose digest changed."""

    site: Site
    files: list[Planned]
    names: dict[str, str]
    deps_same: bool  # the pages holding the edited items depend on the same sources as before
    warnings: dict[str, tuple[SourceError, ...]]  # the edited items' parse warnings
    items: dict[str, Item]  # the edited items by path


class FastBuilder(Builder):
    """A `Builder` that keeps its last good build (`snapshot`) and takes the fast path from it.
    With `persist` (the command line) the snapshot is also written beside the cache after a full
    build and read from there by the next process."""

    persist = False

    def __init__(self, source: Path, output: Path, include_drafts: bool = False,
                 progress: Progress | None = None, jobs: int | None = None, use_cache: bool = True,
                 portable: bool = False, lock_timeout: float = LOCK_WAIT,
                 waiting: Callable[[], None] | None = None, defer_search: bool = False) -> None:
        super().__init__(source, output, include_drafts, progress, jobs, use_cache, portable, lock_timeout, waiting,
                         defer_search)
        self.snapshot: delta.Snapshot | None = None
        self._from_disk = False  # the snapshot was read from the cache folder, not made here
        self._names: tuple[frozenset[str], str] = (frozenset(), "")  # the last edit's output names, their digest
        # With `serve`'s hints (`live.builder`): the source folders' records with the stats just
        # taken, and the only paths whose stats can have changed since the last good build.
        self._folders: watched.Folders | None = None
        self._candidates: frozenset[str] | None = None

    def _environment(self, site: Site, base: str, swap: bool) -> jinja2.Environment | None:
        """The last build's templates when theme and settings are the same; else compiled now and
        kept for the edits to come."""
        snap = self.snapshot
        if snap is not None and snap.env is not None and snap.base == base and snap.site.config == site.config:
            bind_site(snap.env, site)
            return snap.env
        if not self.persist:
            env = make_environment(site, self.portable)
            warm_up(env)
            return env
        return super()._environment(site, base, swap)

    def _remember(self, site: Site, todo: Todo, keys: dict[str, str], base: str, digests: Digests,
                  stats: delta.Stats, env: jinja2.Environment | None, pages: int) -> None:
        files: list[Planned] = list(todo.files)
        warnings = {rel: tuple(p.warnings) for rel, p in self.cache.state.parsed.items() if p.warnings}
        self.snapshot = delta.Snapshot(site, files, self.search.pending or todo.search, keys, base, digests, stats,
                                       env, pages, warnings=warnings, folders=self._folders)
        self._from_disk = False
        if self.persist:
            token = snapshot_file.save(self.cache, self.output, self.snapshot, self.model_stages, self.plan_stages,
                                       (self.include_drafts, self.portable))
            self.cache.set_snapshot_token(self.output, token)

    def _loaded(self) -> delta.Snapshot | None:
        """The last full build's snapshot from the cache folder (the command line), when the output
        is still as the builds since it left it; None otherwise."""
        last = self.cache.last_build(self.output)
        if last is None or not last.names_digest or not same_files(self.cache, self.output, last):
            return None
        kept = snapshot_file.load(self.cache, self.output, (self.include_drafts, self.portable))
        if kept is None:
            return None
        snap, self.model_stages, self.plan_stages = kept
        snap.digests = Digests.restored(self.source, self.cache, snap.digests)
        self._from_disk = True
        return snap

    def _fast(self, stats: delta.Stats, stamp: Callable[[], str], now: datetime,
              started: float) -> BuildResult | None:
        """Rebuild after edits of news items that keep their place (bodies, summaries), from the
        last good build; None when the change needs the full path. Raises `BuildFailed` (writing
        nothing) on errors."""
        if self.snapshot is None and self.persist:
            self.snapshot = self._loaded()
        result = self._fast_from(self.snapshot, stats, stamp, now, started) if self.snapshot is not None else None
        if result is None and self._from_disk:  # the full path starts afresh: nothing read from disk is reused
            self.snapshot, self.model_stages, self.plan_stages = None, ModelStages(), PlanStages()
            self._from_disk = False
        return result

    def _fast_from(self, snap: delta.Snapshot, stats: delta.Stats, stamp: Callable[[], str], now: datetime,
                   started: float) -> BuildResult | None:
        paths = delta.changed_news(snap.stats, stats, self.source, self._candidates)
        if paths is None or (snap.site.next_scheduled is not None and now >= snap.site.next_scheduled):
            return None
        if not paths:  # nothing the build reads has changed
            if self._from_disk:
                return None  # the output differs from what the last build left: the full path mends it
            snap.stats, snap.folders = stats, self._folders
            return BuildResult(snap.pages, WriteReport(0, len(snap.files), 0), time.perf_counter() - started,
                               snap.site.problems)
        edit = self._edited(snap, paths)
        if edit is None:
            return None
        digests = Digests.after_edit(snap.digests, edit.names)
        files = edit.files
        keys = dict(snap.keys)
        manifest = self.cache.manifest(self.output)
        todo: list[Planned] = []
        for position in snap.dependents(edit.names):
            entry = files[position]
            keys[entry.path] = key(entry, snap.base, digests)
            if manifest.entries.get(entry.path, ("",))[0] != keys[entry.path] \
                    or not (self.output / entry.path).is_file():
                if isinstance(entry, GeneratedFile) and not snapshot_file.makes(entry):
                    return None  # made by code the snapshot on disk could not keep
                todo.append(entry)

        env = snap.env or make_environment(edit.site, self.portable)
        bind_site(env, edit.site)
        produced, changed = render_changed(todo, env, edit.site, manifest, lambda path: (self.output / path).is_file(),
                                           Problems(root=self.source), self._tick)
        if changed:
            self.cache.writing(self.output)
            write_many_in_place(self.output, changed)
        for entry in todo:
            manifest.entries[entry.path] = (keys[entry.path], produced.get(entry.path, ""))
        self.cache.set_manifest(self.output, manifest)
        self.search.after_edit(snap.search, [path for path, _ in changed], manifest)
        search_seconds = 0.0
        if self.search.pending is not None and not self.search.deferred:
            search_seconds = self.search.index_pending() or 0.0  # the lock is held already
        problems = edit.site.problems
        # With the search index still to come the record is incomplete (no stamp), and the index
        # renames its files: neither the stamp nor the names' digest would be of use.
        complete = self.search.pending is None
        self.cache.set_last_build(self.output, LastBuild(
            stamp() if complete else "", edit.site.next_scheduled, tuple(problems.items), snap.pages,
            self._names_digest(manifest) if complete else ""))
        self.last_digests = digests
        self.snapshot = dataclasses.replace(snap, site=edit.site, files=files, keys=keys, digests=digests, stats=stats,
                                            env=env, index=snap.index if edit.deps_same else None,
                                            warnings=_merged(snap.warnings, edit.warnings), folders=self._folders,
                                            by_rel={**snap.items_by_rel(), **edit.items})
        self._save_cache(problems)
        return BuildResult(snap.pages, WriteReport(len(changed), len(files) - len(changed), 0),
                           time.perf_counter() - started, problems, len(todo), search_seconds,
                           tuple(sorted(path for path, _ in changed)), fast=True)

    def _names_digest(self, manifest: Manifest) -> str:
        """`names_digest` of the output's files, kept from the last edit while the names are the
        same (an edit in `serve` rewrites files, it seldom adds any): sorting and hashing every
        name of a large site cost more than the edit's own pages."""
        names = frozenset(p for p in manifest.entries if not p.startswith("@"))
        if names != self._names[0] or not self._names[1]:
            self._names = (names, names_digest(names))
        return self._names[1]

    def _edited(self, snap: delta.Snapshot, paths: list[Path]) -> _Edit | None:
        """The edited items loaded again, and the site assembled and planned with them; None when
        one of them moved, is new, or changed what figure pages cite (the full path then)."""
        site = snap.site
        by_rel = snap.items_by_rel()
        rels = {path: path.relative_to(self.source).as_posix() for path in paths}
        problems = Problems(root=self.source)
        loaded = load_some_items(paths, self.source, site.config, site.units, problems, self.cache, site.media)
        if problems.errors:
            raise BuildFailed(problems)
        edited: dict[str, Item] = {}
        new_problems = site.problems
        changed_names: dict[str, str] = {}
        warnings: dict[str, tuple[SourceError, ...]] = {}
        for path, item in loaded.items():
            rel = rels[path]
            old = by_rel.get(rel)
            if item is None or old is None or placement_fields(old) != placement_fields(item):
                return None
            listed_anew = listing_fields(old) != listing_fields(item)
            if listed_anew and item.figures is not None:  # figure pages cite its title: the full path re-renders them
                return None
            if listed_anew or self._from_disk:  # a new title or summary in lists (or, from disk, one since)
                changed_names[shown(item)] = shown_digest(item)
            changed_names[rel] = self.cache.digest(path)
            edited[rel] = item
            warnings[rel] = tuple(w for w in problems.items if w.path == problems.where(path))
            new_problems = delta.replace_warnings(new_problems, list(snap.warnings.get(rel, ())), list(warnings[rel]))
        if site.parts is None:
            return None
        # The same assembly and plan as a full build's; the warnings are the last build's with the
        # edited items' own replaced (nothing else that warns has changed).
        new_site = dataclasses.replace(
            assemble_site(site.parts.with_items(edited), site.now, Problems(root=self.source), self.cache,
                          self.model_stages),
            problems=new_problems)
        planned = plan_pages(new_site, theme_static(new_site), Problems(root=self.source), self.plan_stages)
        files: list[Planned] = [e for e in planned if not isinstance(e, SearchIndex)]
        holders = {*edited, *(shown(i) for i in edited.values())}
        same, deps_same = delta.same_places(snap.files, files, snap.dependents(holders))
        return _Edit(new_site, files, changed_names, deps_same, warnings, edited) if same else None


def _merged(kept: dict[str, tuple[SourceError, ...]],
            new: dict[str, tuple[SourceError, ...]]) -> dict[str, tuple[SourceError, ...]]:
    merged = {**kept, **new}
    return {rel: w for rel, w in merged.items() if w}


class CommandLineBuilder(FastBuilder):
    """The command line's builder: its last full build kept on disk for the next process."""

    persist = True
