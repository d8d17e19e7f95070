"""`serve`'s builder: the incremental `Builder` kept in memory, with the search index left to
`index_search` right after the pages, the compiled templates kept, and a fast path for edits of
news bodies and summaries: the site assembled again from the kept stage slots, and only the lists
and pages holding an edited item planned again (`_fast`)."""
from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import jinja2

from ..base.cache import LastBuild
from ..base.errors import BuildFailed, Problems
from ..base.vietnamese import warm_up_formats
from ..build import delta
from ..build.builder import Builder, BuildResult, Progress
from ..build.decide import Todo
from ..build.keys import Digests, key, names_digest
from ..build.rendering import render_changed
from ..load.content import Item, listing_fields, load_some_items, placement_fields
from ..load.markdown_render import warm_up as markdown_warm_up
from ..model.site import Site, assemble_site
from ..plan.pages import Planned, SearchIndex, plan_pages, shown, shown_digest
from ..render.environment import bind_site, make_environment, theme_static, warm_up
from ..write.in_place import write_many_in_place
from ..write.lock import LOCK_WAIT
from ..write.output import WriteReport


@dataclass(frozen=True)
class _Edit:
    """Edited news items that keep their place: the site assembled and planned again with them
    (`assemble_site`, `plan_pages`, reusing what the stages kept), its files, and the names
    whose digest changed."""

    site: Site
    files: list[Planned]
    names: dict[str, str]
    deps_same: bool  # the pages holding the edited items depend on the same sources as before


class LiveBuilder(Builder):
    """A `Builder` that `serve` keeps between saves: the last good build stays in memory
    (`snapshot`), and the cache is saved after the search index (`index_search`)."""

    # A save that touches fewer files than this is written in place however large its share of a
    # small site (a new article: half of the sample's pages), which is twice as fast as staging
    # every file; a kill then leaves each file whole, old or new, and the next build completes it.
    swap_from = 200

    def __init__(self, source: Path, output: Path, include_drafts: bool = False,
                 progress: Progress | None = None, jobs: int | None = None, use_cache: bool = True,
                 portable: bool = False, lock_timeout: float = LOCK_WAIT,
                 waiting: Callable[[], None] | None = None) -> None:
        super().__init__(source, output, include_drafts, progress, jobs, use_cache, portable, lock_timeout, waiting,
                         defer_search=True)
        self.snapshot: delta.Snapshot | None = None

    def _after_wait(self) -> None:
        if self.cache.reload_if_changed():
            self.snapshot = None  # another process wrote the output: the last build no longer describes it

    def _environment(self, site: Site, base: str, swap: bool) -> jinja2.Environment | None:
        """The last build's templates when theme and settings are the same; else compiled now and
        kept for the edits to come."""
        snap = self.snapshot
        if snap is not None and snap.env is not None and snap.base == base and snap.site.config == site.config:
            bind_site(snap.env, site)
            return snap.env
        env = make_environment(site, self.portable)
        warm_up(env)
        return env

    def _remember(self, site: Site, todo: Todo, keys: dict[str, str], base: str, digests: Digests,
                  stats: delta.Stats, env: jinja2.Environment | None, pages: int) -> None:
        warm_up_formats()
        markdown_warm_up()
        files: list[Planned] = list(todo.files)
        self.snapshot = delta.Snapshot(site, files, self.search.pending or todo.search, keys, base, digests, stats,
                                       env, pages)
        self.snapshot.dependents(())  # index the dependencies now rather than on the first edit

    def _save_cache(self, problems: Problems) -> None:
        """With the search index still to come, the cache is saved after it (`index_search`): the
        edit's pages are written first."""
        if self.search.pending is not None:
            self._unsaved = True
            return
        super()._save_cache(problems)

    def _fast(self, stats: delta.Stats, stamp: str, now: datetime, started: float) -> BuildResult | None:
        """Rebuild after edits of news items that keep their place (bodies, summaries), from the
        last good build; None when the change needs the full path. Raises `BuildFailed` (writing
        nothing) on errors."""
        snap = self.snapshot
        if snap is None:
            return None
        paths = delta.changed_news(snap.stats, stats, self.source)
        if paths is None or (snap.site.next_scheduled is not None and now >= snap.site.next_scheduled):
            return None
        if not paths:  # nothing the build reads has changed
            snap.stats = stats
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
        problems = edit.site.problems
        self.cache.set_last_build(self.output, LastBuild(
            stamp if self.search.pending is None else "", edit.site.next_scheduled, tuple(problems.items), snap.pages,
            names_digest(p for p in manifest.entries if not p.startswith("@"))))
        self.last_digests = digests
        self.snapshot = dataclasses.replace(snap, site=edit.site, files=files, keys=keys, digests=digests, stats=stats,
                                            env=env, index=snap.index if edit.deps_same else None)
        search_seconds = 0.0
        if self.search.pending is not None and not self.search.deferred:
            search_seconds = self._index_search()  # the lock is held already
        else:
            self._save_cache(problems)
        return BuildResult(snap.pages, WriteReport(len(changed), len(files) - len(changed), 0),
                           time.perf_counter() - started, problems, len(todo), search_seconds,
                           tuple(sorted(path for path, _ in changed)), fast=True)

    def _edited(self, snap: delta.Snapshot, paths: list[Path]) -> _Edit | None:
        """The edited items loaded again, and the site assembled and planned with them; None when
        one of them moved, is new, or changed what figure pages cite (the full path then)."""
        site = snap.site
        by_rel = {i.rel: i for i in site.items}
        rels = {path: path.relative_to(self.source).as_posix() for path in paths}
        before = {rel: self.cache.state.parsed.get(rel) for rel in rels.values()}
        problems = Problems(root=self.source)
        loaded = load_some_items(paths, self.source, site.config, site.units, problems, self.cache, site.media)
        if problems.errors:
            raise BuildFailed(problems)
        edited: dict[str, Item] = {}
        new_problems = site.problems
        changed_names: dict[str, str] = {}
        for path, item in loaded.items():
            rel = rels[path]
            old, parsed = by_rel.get(rel), before[rel]
            if item is None or old is None or parsed is None or placement_fields(old) != placement_fields(item):
                return None
            if listing_fields(old) != listing_fields(item):
                if item.figures is not None:  # figure pages cite its title: the full path re-renders them
                    return None
                changed_names[shown(item)] = shown_digest(item)  # a new title or summary in lists
            changed_names[rel] = self.cache.digest(path)
            edited[rel] = item
            new_problems = delta.replace_warnings(new_problems, parsed.warnings,
                                                  [w for w in problems.items if w.path == problems.where(path)])
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
        return _Edit(new_site, files, changed_names, deps_same) if same else None
