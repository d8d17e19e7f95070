"""The whole pipeline: load → plan → render → write, doing only what changed since last time.

Each planned output file gets a key: the digest of the code, the theme, its own context
scalars and the sources it depends on. A file whose key matches the last build's manifest is
neither rendered nor written. A cold build (or one that changes much) renders in parallel
processes into a staging folder that replaces the output at once; a small change renders in
memory first and then replaces the changed files one by one, each atomically.
"""
from __future__ import annotations

import dataclasses
import errno
import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from ..base.cache import BuildCache, Manifest, cache_folder, code_version, digest_bytes
from ..base.errors import BuildFailed, Problems, SourceError
from ..base.oserrors import reason
from ..base.vietnamese import warm_up_formats
from ..base.workers import fork_pool
from ..load.content import listing_fields, load_some_items, placement_fields
from ..load.markdown_render import warm_up as markdown_warm_up
from ..load.sources import check_published_names, escaping_links, walk_files
from ..model.site import Site, assemble_site, load_site
from ..model.stages import ModelStages
from ..plan.pages import (
    CopiedFile,
    GeneratedFile,
    Planned,
    PlannedPage,
    PlanStages,
    SearchIndex,
    moved_items,
    plan_pages,
    pseudo_digests,
    published_addresses,
    shown,
    shown_digest,
)
from ..plan.search import SearchFiles, SearchIndexFailed, build_search_files, bundle_shard, scratch_root, shard_of
from ..render.environment import (
    PACKAGE_THEMES,
    bind_site,
    check_theme,
    make_environment,
    render_page,
    theme_dirs,
    theme_static,
    warm_up,
)
from ..write.output import (
    LOCK_WAIT,
    MARKER,
    TEMPORARY,
    InPlace,
    OutputWriter,
    UnsafePath,
    WriteReport,
    check_output,
    output_lock,
    safe_relative,
    write_many_in_place,
)
from . import delta

Progress = Callable[[int, int], None]
SEARCH_KEY = "@search"
SWAP_SHARE = 4  # rebuild through staging when more than 1/4 of the files change


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
    fast: bool = False  # made by `serve`'s fast path (see `delta`)


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def _scalars(value: Any) -> Any:
    """The plain-data part of a context (page numbers, years, URLs); objects are covered by deps."""
    if isinstance(value, (str, int, float, bool, type(None), date)):
        return value
    if isinstance(value, dict):
        return tuple((k, _scalars(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return tuple(_scalars(v) for v in value)
    return type(value).__name__


def _theme_digest(site: Site) -> str:
    h = hashlib.sha256()
    folders = list(theme_dirs(site))
    static = theme_static(site)
    if static is not None:
        folders.append(static)
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            h.update(path.as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


class _Digests:
    """Digests of source files by path relative to the source folder, through the cache; names
    starting with "@" are parts of sources that pages show (see `pages.pseudo_digests`)."""

    def __init__(self, source: Path, cache: BuildCache, pseudo: dict[str, str],
                 previous: _Digests | None = None) -> None:
        self.source, self.cache, self.known = source, cache, dict(pseudo)
        self.sets: dict[frozenset[str], bytes] = {}
        # `serve` passes the last build's digests: a set none of whose sources changed keeps its digest.
        self.reusable: dict[frozenset[str], bytes] = {}
        self.changed: set[str] = set()
        if previous is not None:
            self.reusable = previous.sets
            self.changed = {rel for rel, digest in previous.known.items() if self(rel) != digest}

    @classmethod
    def after_edit(cls, previous: _Digests, changed: dict[str, str]) -> _Digests:
        """The last build's digests with a few sources changed (`serve`'s fast path): no other
        source is looked at again."""
        new = cls.__new__(cls)
        new.source, new.cache = previous.source, previous.cache
        new.known = {**previous.known, **changed}
        new.sets, new.reusable, new.changed = {}, {**previous.reusable, **previous.sets}, set(changed)
        new.reusable = {s: d for s, d in new.reusable.items() if s.isdisjoint(new.changed)}
        return new

    def of_set(self, deps: frozenset[str]) -> bytes:
        """One digest for a set of sources; many pages share the same set (every figure page)."""
        known = self.sets.get(deps)
        if known is None and deps in self.reusable and deps.isdisjoint(self.changed):
            known = self.sets[deps] = self.reusable[deps]
        if known is None:
            h = hashlib.sha256()
            for rel in sorted(deps):
                h.update(rel.encode())
                h.update(self(rel).encode())
            known = self.sets[deps] = h.digest()
        return known

    def __call__(self, rel: str) -> str:
        if rel not in self.known:
            try:
                self.known[rel] = self.cache.digest(self.source / rel)
            except OSError:
                self.known[rel] = "missing"
        return self.known[rel]


def _key(entry: Planned, base: str, digests: _Digests) -> str:
    h = hashlib.sha256(base.encode())
    h.update(entry.path.encode())
    if isinstance(entry, PlannedPage):
        h.update(entry.template.encode())
        h.update(repr(_scalars(entry.context)).encode())
    if isinstance(entry, CopiedFile):
        try:
            h.update(digest_bytes(entry.source.read_bytes()).encode())
        except OSError:
            h.update(b"missing")
    h.update(digests.of_set(frozenset(entry.deps)))
    return h.hexdigest()


# --- rendering, in this process or in forked workers -------------------------------------------

_RENDER: tuple[Site, list[Planned], Path, Any] | None = None  # site, files, staging, environment


def _produce(entry: Planned, env: Any, site: Site, problems: Problems) -> bytes | None:
    if isinstance(entry, PlannedPage):
        return render_page(env, entry, site, problems)
    if isinstance(entry, CopiedFile):
        return entry.source.read_bytes()
    if isinstance(entry, GeneratedFile):
        return entry.make()
    return None


def _render_chunk(indices: list[int]) -> tuple[list[tuple[int, str]], list[SourceError]]:
    """Worker: render some planned files straight into the staging folder, with the environment
    the parent compiled before forking (each worker keeps its own cache of fragments)."""
    assert _RENDER is not None
    site, planned, staging, env = _RENDER
    problems = Problems(root=site.config.source)
    done: list[tuple[int, str]] = []
    for index in indices:
        entry = planned[index]
        data = _produce(entry, env, site, problems)
        if data is not None:
            target = staging.joinpath(*entry.path.split("/"))
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            done.append((index, digest_bytes(data)))
    return done, problems.items


class Builder:
    """Builds one source folder into one output folder, again and again (the CLI once, `serve` on
    every change), keeping what it learnt in memory and in `.cache/`."""

    def __init__(self, source: Path, output: Path, include_drafts: bool = False,
                 progress: Progress | None = None, jobs: int | None = None, use_cache: bool = True,
                 portable: bool = False, lock_timeout: float = LOCK_WAIT,
                 waiting: Callable[[], None] | None = None) -> None:
        self.source, self.output = source, output
        self.lock_timeout, self.waiting = lock_timeout, waiting  # see `output.output_lock`
        self.include_drafts = include_drafts
        self.portable = portable  # links end in index.html: the output works opened from disk
        self.progress = progress
        self.jobs = jobs or default_jobs()
        self.cache = BuildCache(cache_folder(source) if use_cache else None)
        self.defer_search = False  # `serve` writes the pages first and indexes right after
        self.pending_search: SearchIndex | None = None
        self.shards_due: set[str] | None = set()  # parts of the index to redo with it; None: all
        # What stages made, reused while their inputs are unchanged (units, figures, figure pages),
        # and the last build's source digests.
        self.model_stages, self.plan_stages = ModelStages(), PlanStages()
        self.last_digests: _Digests | None = None
        # `serve` keeps the last good build in memory: an edit of news bodies or summaries then
        # reads only those files and keys again only what depends on them (see `delta`); `live`
        # also compiles the templates once and keeps them.
        self.live = False
        self.snapshot: delta.Snapshot | None = None
        self._unsaved = False  # the cache is written after the search index in a live build
        self.addresses_from = self.cache  # where the addresses of the last builds are read (moved items)

    def _stats(self) -> delta.Stats:
        """Size, modification and change time of every input (sources, site templates, theme)."""
        return delta.input_stats([self.source, self.source.resolve().parent / "themes", PACKAGE_THEMES])

    def _stamp(self, stats: delta.Stats) -> str:
        """One digest of every input's stats and of the code."""
        h = hashlib.sha256(f"{code_version()}|{self.include_drafts}|{self.portable}".encode())
        h.update("\n".join(f"{path}|{stat}" for path, stat in sorted(stats.items())).encode())
        return h.hexdigest()

    def _unchanged(self, stamp: str, now: datetime) -> BuildResult | None:
        """The result of a build that finds nothing changed since the last one, without loading
        anything: same inputs, no scheduled item due since, and the same output files still there."""
        last = self.cache.last_build(self.output)
        if last is None or len(last) < 5 or last[0] != stamp or (last[1] is not None and now >= last[1]):
            return None
        if not last[4] or _names_digest(_existing_files(self.output)) != last[4]:
            return None
        problems = Problems(root=self.source)
        problems.items.extend(last[2])
        return BuildResult(last[3], WriteReport(0, 0, 0), 0.0, problems)

    def plan(self, now: datetime) -> tuple[Site, list[Planned]]:
        """Load and check every source and plan every output file, writing nothing; raise
        `BuildFailed` with all problems found. `build` and `check` share it."""
        tree = Problems(root=self.source)
        escaping_links(self.source, tree)
        if tree:  # before loading: a link out of the sources is never followed
            raise BuildFailed(tree)
        site = load_site(self.source, self.include_drafts, now, self.cache, self.jobs, self.model_stages)
        problems = site.problems
        problems.items[:0] = tree.items  # its warnings (links in a loop)
        if not _check_readable(sorted(p for folder in theme_dirs(site) for p in folder.rglob("*") if p.is_file()),
                               problems):
            raise BuildFailed(problems)  # one error per template, not one per page that uses it
        check_theme(site, problems)
        if problems:
            raise BuildFailed(problems)
        planned = plan_pages(site, theme_static(site), problems, self.plan_stages)
        for entry in planned:
            try:
                if not isinstance(entry, SearchIndex):
                    safe_relative(entry.path)
            except UnsafePath:
                problems.error(self.source / entry.origin, None, f'đường dẫn "{entry.path}" nằm ngoài thư mục kết quả.',
                               "Hãy đổi tên tệp hoặc slug, chỉ dùng chữ, số và dấu gạch ngang.")
        check_published_names(self.source, [*site.media, *site.data_files], problems)
        _check_readable([e.source for e in planned if isinstance(e, CopiedFile)], problems)
        if problems:
            raise BuildFailed(problems)
        if not self.include_drafts:
            moved_items(site, planned, self.addresses_from.published(self.output), problems)
        return site, planned

    def _locked(self) -> output_lock:
        """The output's lock, for a whole build or indexing run (see `output.output_lock`)."""
        return output_lock(self.output, self.lock_timeout, self.waiting)

    def _after_wait(self) -> None:
        """Once the lock is held: if another process saved the cache since this one read it (a
        `build` run while `serve` waited), what this process remembers may no longer describe the
        output; start again from the cache on disk."""
        if self.cache.reload_if_changed():
            self.snapshot = None

    def build(self, now: datetime | None = None) -> BuildResult:
        """Build; raise `BuildFailed` (writing nothing) when the sources have errors, `OutputBusy`
        when another build kept the output past `lock_timeout`."""
        try:
            check_output(self.output, self.source)  # before the lock, whose file must not land in the sources
            with self._locked():
                self._after_wait()
                return self._build(now)
        except OSError as exc:
            raise BuildFailed(self._system_problem(exc)) from exc

    def _system_problem(self, exc: OSError) -> Problems:
        """A refused read or write as an error naming the real file or folder and the real cause
        (`oserrors`), with what to do; a write into the output is told apart from a read of a source."""
        problems = Problems(root=self.source)
        name = exc.filename if isinstance(exc.filename, str) and os.sep in exc.filename else None
        where = Path(os.path.abspath(name)) if name else Path(os.path.abspath(self.output))
        output = Path(os.path.abspath(self.output))
        ours = [output, output.parent / f".{output.name}.staging", output.parent / f".{output.name}.old",
                output.parent / f".{output.name}.lock"]
        if name is None or where == output.parent or any(where.is_relative_to(p) for p in ours):
            problems.error(where, None, f"không ghi được vào thư mục kết quả ({reason(exc)}). Trang cũ vẫn giữ nguyên.",
                           _write_hint(exc))
        elif where.is_relative_to(cache_folder(self.source)):
            problems.error(where, None, f"không ghi được bộ nhớ đệm ({reason(exc)}). Trang cũ vẫn giữ nguyên.",
                           _write_hint(exc))
        else:
            problems.error(where, None, f"không đọc được ({reason(exc)}). Trang cũ vẫn giữ nguyên.",
                           "Hãy kiểm tra tệp hay thư mục này còn tồn tại và cho phép đọc "
                           "(với người dùng chạy site-builder), rồi xây dựng lại.")
        return problems

    def _build(self, now: datetime | None = None) -> BuildResult:
        started = time.perf_counter()
        now = now or datetime.now(UTC)
        stats = self._stats()
        stamp = self._stamp(stats)
        if not self.defer_search:
            quick = self._unchanged(stamp, now)
            if quick is not None:
                return dataclasses.replace(quick, seconds=time.perf_counter() - started)
        if self.snapshot is not None:
            fast = self._delta(self.snapshot, stats, stamp, now, started)
            if fast is not None:
                return fast
        site, planned = self.plan(now)
        problems = site.problems
        check_output(self.output, self.source)

        digests = _Digests(self.source, self.cache, pseudo_digests(site), self.last_digests)
        base = f"{code_version()}|{_theme_digest(site)}|{bool(site.records)}|{self.include_drafts}"
        if self.portable:  # kept out of the key otherwise: a normal build's keys stay as they were
            base += "|portable"
        keys = {e.path: _key(e, base, digests) for e in planned}
        manifest = self.cache.manifest(self.output)
        existing = _existing_files(self.output)
        files = [e for e in planned if not isinstance(e, SearchIndex)]
        todo = [e for e in files if manifest.entries.get(e.path, ("",))[0] != keys[e.path] or e.path not in existing]
        search = next((e for e in planned if isinstance(e, SearchIndex)), None)
        if self.defer_search:
            self.pending_search, search = search, None
        swap = not manifest.entries or not self.output.is_dir() or len(todo) * SWAP_SHARE > len(files)
        if swap and self.defer_search:
            self._pending_shards(None)

        env = None
        if self.live and self.snapshot is not None and self.snapshot.env is not None \
                and self.snapshot.base == base and self.snapshot.site.config == site.config:
            env = self.snapshot.env  # same theme and settings: its compiled templates still hold
            bind_site(env, site)
        if env is None and (swap or self.live):
            # Compiled once here rather than once per worker, and kept by a live build for its edits.
            env = make_environment(site, self.portable)
            warm_up(env)
        if swap:
            report, digests_out, rendered, search_seconds = self._swap(site, planned, files, todo, search, problems, env)
        else:
            report, digests_out, rendered, search_seconds = self._in_place(site, files, todo, search, existing,
                                                                           manifest, problems, env)
        new_manifest = Manifest({e.path: (keys[e.path], digests_out.get(e.path, manifest.entries.get(e.path, ("", ""))[1]))
                                 for e in files})
        for path, value in digests_out.items():
            if path.startswith("pagefind/") or path == "tim-kiem/bo-loc.json" or path == SEARCH_KEY:
                new_manifest.entries[path] = value if isinstance(value, tuple) else ("search", value)
        if SEARCH_KEY not in new_manifest.entries:
            # No new index: the one on disk stays (and stays listed, or the next build would
            # delete it); it is marked complete only if nothing is waiting to be indexed.
            for path, value in manifest.entries.items():
                if path.startswith("pagefind/") or path == "tim-kiem/bo-loc.json" \
                        or (path == SEARCH_KEY and not self.defer_search):
                    new_manifest.entries[path] = value
        self.cache.set_manifest(self.output, new_manifest)
        self.last_digests = digests
        complete = self.pending_search is None
        self.cache.set_last_build(self.output, (stamp if complete else "", site.next_scheduled,
                                                list(problems.items), sum(1 for e in planned if isinstance(e, PlannedPage)),
                                                _names_digest(p for p in new_manifest.entries if not p.startswith("@"))))
        if not self.include_drafts:
            self.cache.set_published(self.output, published_addresses(site, self.cache.published(self.output)))
        if swap:  # tidy the cache on big builds only: a stale entry costs nothing but space
            self.cache.forget_missing({i.rel for i in site.items} | {p.rel for p in site.pages} | _unpublished(site))
        self._save_cache(problems)
        pages = sum(1 for e in planned if isinstance(e, PlannedPage))
        if self.live:
            warm_up_formats()
            markdown_warm_up()
            self.snapshot = delta.Snapshot(site, files, self.pending_search or search, keys, base, digests, stats,
                                           env, pages)
            self.snapshot.dependents(())  # index the dependencies now rather than on the first edit
        written = tuple(sorted(p for p, d in digests_out.items() if p != SEARCH_KEY
                               and (swap or manifest.entries.get(p, ("", ""))[1] != d or p not in existing)))
        return BuildResult(pages, report, time.perf_counter() - started, problems, rendered, search_seconds, written)

    def _save_cache(self, problems: Problems) -> None:
        """Write the cache now, or in a live build with the search index still to come, after it
        (`index_search`): the edit's pages are written first. Until then the output's marker says a
        build is unfinished, so a process killed in between only makes the next build a full one."""
        if self.live and self.pending_search is not None:
            self._unsaved = True
            return
        self._unsaved = False
        if not self.cache.save():
            problems.warn(cache_folder(self.source), None, "không lưu được bộ nhớ đệm của lần xây dựng này; trang đã xây dựng xong.",
                          "Lần xây dựng sau sẽ làm lại toàn bộ, chậm hơn; hãy kiểm tra dung lượng đĩa và quyền ghi.")

    # --- live: news items edited in place, nothing else (see `delta`) -------------------------------

    def _delta(self, snap: delta.Snapshot, stats: delta.Stats, stamp: str, now: datetime,
               started: float) -> BuildResult | None:
        """Rebuild after edits of news items that keep their place (bodies, summaries), from the
        last good build; None when the change needs the full path. Raises `BuildFailed` (writing
        nothing) on errors."""
        paths = delta.changed_news(snap.stats, stats, self.source)
        site = snap.site
        if paths is None or (site.next_scheduled is not None and now >= site.next_scheduled):
            return None
        if not paths:  # nothing the build reads has changed
            snap.stats = stats
            return BuildResult(snap.pages, WriteReport(0, len(snap.files), 0), time.perf_counter() - started,
                               site.problems)
        by_rel = {i.rel: i for i in site.items}
        rels = {path: path.relative_to(self.source).as_posix() for path in paths}
        before = {rel: self.cache.state.parsed.get(rel) for rel in rels.values()}
        problems = Problems(root=self.source)
        loaded = load_some_items(paths, self.source, site.config, site.units, problems, self.cache, site.media)
        if problems.errors:
            raise BuildFailed(problems)
        swap: dict[str, Any] = {}
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
            swap[rel] = item
            new_problems = delta.replace_warnings(new_problems, parsed.warnings,
                                                  [w for w in problems.items if w.path == problems.where(path)])
        # The same assembly and plan as a full build's, with the edited items; the figures, their
        # pages and the units are reused (`stages`). The warnings are the last build's with the
        # edited items' own replaced: nothing else that warns has changed.
        if site.parts is None:
            return None
        parts = site.parts.with_items(swap)
        new_site = dataclasses.replace(
            assemble_site(parts, site.now, Problems(root=self.source), self.cache, self.model_stages),
            problems=new_problems)
        planned = plan_pages(new_site, theme_static(new_site), Problems(root=self.source), self.plan_stages)
        files: list[Planned] = [e for e in planned if not isinstance(e, SearchIndex)]
        same, deps_same = delta.same_places(snap.files, files, snap.dependents(set(swap) | {shown(i) for i in swap.values()}))
        if not same:
            return None
        digests = _Digests.after_edit(snap.digests, changed_names)

        keys = dict(snap.keys)
        manifest = self.cache.manifest(self.output)
        todo: list[Planned] = []
        for position in snap.dependents(changed_names):
            entry = files[position]
            keys[entry.path] = _key(entry, snap.base, digests)
            if manifest.entries.get(entry.path, ("",))[0] != keys[entry.path] \
                    or not (self.output / entry.path).is_file():
                todo.append(entry)

        env = snap.env or make_environment(new_site, self.portable)
        bind_site(env, new_site)
        produced, changed = self._render_changed(todo, env, new_site, manifest,
                                                 lambda path: (self.output / path).is_file(), Problems(root=self.source))
        if changed:
            self.cache.writing(self.output)
            write_many_in_place(self.output, changed)
        for entry in todo:
            manifest.entries[entry.path] = (keys[entry.path], produced.get(entry.path, ""))
        self.cache.set_manifest(self.output, manifest)
        search_seconds = 0.0
        touched = _shards_touched([path for path, _ in changed])
        if touched and snap.search is not None:
            manifest.entries.pop(SEARCH_KEY, None)
            self.pending_search = snap.search
            self._pending_shards(touched)
        self.cache.set_last_build(self.output, (stamp if self.pending_search is None else "", new_site.next_scheduled,
                                                list(new_problems.items), snap.pages,
                                                _names_digest(p for p in manifest.entries if not p.startswith("@"))))
        self.last_digests = digests
        self.snapshot = dataclasses.replace(snap, site=new_site, files=files, keys=keys, digests=digests, stats=stats,
                                            env=env, index=snap.index if deps_same else None)
        if self.pending_search is not None and not self.defer_search:
            search_seconds = self._index_search()  # the lock is held already
        else:
            self._save_cache(new_problems)
        return BuildResult(snap.pages, WriteReport(len(changed), len(files) - len(changed), 0),
                           time.perf_counter() - started, new_problems, len(todo), search_seconds,
                           tuple(sorted(path for path, _ in changed)), fast=True)

    # --- cold: everything through a staging folder ------------------------------------------------

    def _swap(self, site: Site, planned: list[Planned], files: list[Planned], todo: list[Planned],
              search: SearchIndex | None, problems: Problems, env: Any) -> tuple[WriteReport, dict[str, Any], int, float]:
        global _RENDER
        writer = OutputWriter(self.output)
        produced: dict[str, Any] = {}
        try:
            writer.begin()  # inside: Ctrl-C just after the staging folder is made removes it too
            todo_paths = {e.path for e in todo}
            for entry in files:
                if entry.path not in todo_paths and not writer.keep(entry.path):
                    todo_paths.add(entry.path)
            indices = [i for i, e in enumerate(files) if e.path in todo_paths]
            _RENDER = (site, files, writer.staging, env)
            try:
                if self.jobs > 1 and len(indices) >= 200:
                    chunks = [indices[i::self.jobs * 16] for i in range(self.jobs * 16)]  # small: no long tail
                    with fork_pool(self.jobs) as pool:
                        results = []
                        for done, items in pool.imap(_render_chunk, chunks):
                            results.append(done)
                            problems.items.extend(items)
                            self._tick(sum(len(r) for r in results), len(indices))
                else:
                    results = []
                    for start in range(0, len(indices), 200):
                        done, items = _render_chunk(indices[start:start + 200])
                        results.append(done)
                        problems.items.extend(items)
                        self._tick(sum(len(r) for r in results), len(indices))
            finally:
                _RENDER = None
            for done in results:
                for index, digest in done:
                    produced[files[index].path] = digest
                    writer.record(files[index].path)
            if problems:
                raise BuildFailed(problems)
            search_seconds = 0.0
            if search is not None:
                started = time.perf_counter()
                bundle = self._search(writer.staging, search, problems)
                for path, data in (bundle.files if bundle is not None else {}).items():
                    writer.put(path, data)
                    produced[path] = digest_bytes(data)
                produced[SEARCH_KEY] = "done"
                search_seconds = time.perf_counter() - started
            if problems:
                raise BuildFailed(problems)
            self.cache.writing(self.output)
            report = writer.commit()
        except BaseException:
            writer.abort()
            raise
        return report, produced, len(indices), search_seconds

    # --- warm: render the few changed files in memory, then replace them --------------------------

    def _in_place(self, site: Site, files: list[Planned], todo: list[Planned], search: SearchIndex | None,
                  existing: set[str], manifest: Manifest, problems: Problems, env: Any = None
                  ) -> tuple[WriteReport, dict[str, Any], int, float]:
        env = env or make_environment(site, self.portable)
        digests, changed = self._render_changed(todo, env, site, manifest, existing.__contains__, problems)
        produced: dict[str, Any] = dict(digests)
        written = len(changed)
        planned_paths = {e.path for e in files}
        search_paths = {p for p in manifest.entries if p.startswith("pagefind/")} | {"tim-kiem/bo-loc.json"}
        stale = sorted(p for p in existing if p not in planned_paths and p not in search_paths
                       and (not p.startswith(".") or p.startswith(TEMPORARY)))
        if changed or stale:
            self.cache.writing(self.output)
        search_seconds = 0.0
        with InPlace(self.output) as change:  # pages and index together, or nothing
            change.write(changed)
            change.remove(stale)  # before indexing: a removed page must not be found
            touched = _shards_touched([p for p, _ in changed] + stale)
            if search is None:  # deferred to `index_search`
                self._pending_shards(touched)
            if search is not None and (touched or SEARCH_KEY not in manifest.entries):
                started = time.perf_counter()
                only = touched if SEARCH_KEY in manifest.entries else None
                bundle_changed, old_bundle, bundle = self._index_output(search, only, manifest, existing, problems,
                                                                        change)
                produced.update(bundle)
                written += bundle_changed
                produced[SEARCH_KEY] = "done"
                stale += old_bundle
                search_seconds = time.perf_counter() - started
        return WriteReport(written, len(files) - written, len(stale)), produced, len(digests), search_seconds

    def _render_changed(self, todo: list[Planned], env: Any, site: Site, manifest: Manifest,
                        exists: Callable[[str], bool], problems: Problems
                        ) -> tuple[dict[str, str], list[tuple[str, bytes]]]:
        """Render files in memory: (digest of each, the ones whose bytes differ from the last
        build's or whose file is missing). Raises `BuildFailed`, writing nothing, on errors."""
        produced: dict[str, str] = {}
        changed: list[tuple[str, bytes]] = []
        for done, entry in enumerate(todo, 1):
            data = _produce(entry, env, site, problems)
            if data is not None:
                produced[entry.path] = digest = digest_bytes(data)
                if manifest.entries.get(entry.path, ("", ""))[1] != digest or not exists(entry.path):
                    changed.append((entry.path, data))
            self._tick(done, len(todo))
        if problems:
            raise BuildFailed(problems)
        return produced, changed

    def _pending_shards(self, touched: set[str] | None) -> None:
        """Add parts of the index to redo at the next `index_search` (None: all of them)."""
        if touched is None or self.shards_due is None:
            self.shards_due = None
        else:
            self.shards_due |= touched

    def index_search(self) -> float:
        """Index the output written by a build with `defer_search` (only the parts of the index
        whose pages changed); returns the seconds it took. Raises `BuildFailed` if Pagefind fails.
        A live build's cache is saved here, after it."""
        try:
            with self._locked():
                self._after_wait()
                return self._index_search()
        except OSError as exc:
            raise BuildFailed(self._system_problem(exc)) from exc

    def _index_search(self) -> float:
        search, self.pending_search = self.pending_search, None
        only, self.shards_due = self.shards_due, set()
        try:
            if search is None:
                return 0.0
            started = time.perf_counter()
            problems = Problems(root=self.source)
            manifest = self.cache.manifest(self.output)
            if SEARCH_KEY not in manifest.entries and not (self.output / "pagefind" / "pagefind-entry.json").is_file():
                only = None
            _, _, produced = self._index_output(search, only, manifest, _existing_files(self.output), problems)
            for path in [p for p in manifest.entries if bundle_shard(p) is not None and p not in produced]:
                del manifest.entries[path]
            for path, digest in produced.items():
                manifest.entries[path] = ("search", digest)
            manifest.entries[SEARCH_KEY] = ("search", "done")
            self.cache.set_manifest(self.output, manifest)
            self._unsaved = True
            return time.perf_counter() - started
        except BaseException:
            if self.pending_search is None:  # not indexed: due again with the next one
                self.pending_search = search
                self._pending_shards(only)
            raise
        finally:
            if self._unsaved and self.pending_search is None:
                self._unsaved = False
                self.cache.save()

    def _index_output(self, search: SearchIndex, only: set[str] | None, manifest: Manifest, existing: set[str],
                      problems: Problems, change: InPlace | None = None) -> tuple[int, list[str], dict[str, str]]:
        """Index parts of the output in place: (files written, files removed, digest of every file
        of the bundle now in the output). Written as part of `change`, or all or none by itself."""
        if change is None:
            with InPlace(self.output) as own:
                return self._index_output(search, only, manifest, existing, problems, own)
        bundle = self._search(self.output, search, problems, only)
        if problems or bundle is None:
            raise BuildFailed(problems)
        produced: dict[str, str] = {}
        changed: list[tuple[str, bytes]] = []
        for path, data in bundle.files.items():
            produced[path] = digest = digest_bytes(data)
            if manifest.entries.get(path, ("", ""))[1] != digest or path not in existing:
                changed.append((path, data))
        for path, value in manifest.entries.items():  # the parts not redone stay as they are
            if path not in produced and bundle_shard(path) is not None and not bundle.stale(path) and path in existing:
                produced[path] = value[1]
        if changed:
            self.cache.writing(self.output)
        change.write(changed)
        old = sorted(p for p in existing if bundle.stale(p))
        change.remove(old)
        return len(changed), old, produced

    def _search(self, folder: Path, search: SearchIndex, problems: Problems,
                only: set[str] | None = None) -> SearchFiles | None:
        scratch = scratch_root(cache_folder(self.source))
        try:
            return build_search_files(folder, search.entries, only, scratch)
        except SearchIndexFailed as exc:
            if isinstance(exc.__cause__, OSError):  # a full disk, a folder that cannot be written
                hint = f"Hãy giải phóng chỗ trống trên đĩa (thư mục tạm: {scratch or tempfile.gettempdir()}) rồi xây dựng lại."
            else:
                hint = "Hãy cài lại site-builder (gói pagefind[bin] đi kèm) rồi xây dựng lại."
            problems.error(self.source / "site.yaml", None, f"không tạo được chỉ mục tìm kiếm ({exc}).", hint)
            return None
        finally:
            if scratch is not None:
                shutil.rmtree(scratch, ignore_errors=True)

    def _tick(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(done, total)


def _check_readable(paths: list[Path], problems: Problems) -> bool:
    """Files read only while rendering or writing (templates, media, the theme's static files):
    one that cannot be opened is an error now, before anything is written, and in `check`.
    False when one could not."""
    readable = True
    for path in paths:
        try:
            os.close(os.open(path, os.O_RDONLY))
        except OSError as exc:
            readable = False
            problems.error(path, None, f"không đọc được tệp ({reason(exc)}).",
                           "Hãy kiểm tra tệp còn tồn tại và cho phép đọc (với người dùng chạy site-builder).")
    return readable


def _write_hint(exc: OSError) -> str:
    """What to do about a refused write, by its cause."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return "Hãy giải phóng dung lượng đĩa (hoặc xin thêm hạn mức) rồi xây dựng lại."
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return ("Hãy cấp quyền ghi cho thư mục này (và thư mục chứa nó), hoặc chọn --output ở chỗ khác, "
                "rồi xây dựng lại.")
    if exc.errno in (errno.ENOTDIR, errno.EEXIST, errno.EISDIR):
        return ("Trên đường dẫn này có một tệp ở chỗ lẽ ra là thư mục; hãy đổi tên hoặc xóa tệp đó, "
                "hoặc chọn --output khác, rồi xây dựng lại.")
    return "Hãy kiểm tra ổ đĩa và thư mục này rồi xây dựng lại."


def _shards_touched(paths: list[str]) -> set[str]:
    """The parts of the search index that read any of these output files."""
    return {shard for p in paths if (shard := shard_of(p)) is not None}


def _existing_files(output: Path) -> set[str]:
    """Every file under the output folder, as paths relative to it."""
    return {rel for rel, _ in walk_files(str(output), follow_links=False) if rel != MARKER}


def _names_digest(paths: Any) -> str:
    """One digest of a set of output file names: "are the same files still there?"."""
    return hashlib.sha256("\n".join(sorted(paths)).encode()).hexdigest()


def _unpublished(site: Site) -> set[str]:
    """Sources that exist but are not on the site (drafts, scheduled): their cache entries stay."""
    news = site.config.source / "news"
    return {p.relative_to(site.config.source).as_posix() for p in news.rglob("*.md")} if news.is_dir() else set()


def build(source: Path, output: Path, include_drafts: bool = False, now: datetime | None = None,
          progress: Progress | None = None, portable: bool = False,
          waiting: Callable[[], None] | None = None) -> BuildResult:
    """Build the site from `source` into `output`; raise `BuildFailed` and write nothing on errors.
    `portable` writes links to `…/index.html`, for opening the output from disk; `waiting` is
    called once if another build holds the output (this one waits for it)."""
    return Builder(source, output, include_drafts, progress, portable=portable, waiting=waiting).build(now)


def check(source: Path, include_drafts: bool = False, now: datetime | None = None,
          portable: bool = False) -> Problems:
    """Everything a build checks (sources, links, paths, every template rendered in memory),
    writing nothing: no output, no cache. Raises `BuildFailed` on errors; returns the warnings."""
    builder = Builder(source, source.parent / "output", include_drafts, jobs=1, use_cache=False, portable=portable)
    builder.addresses_from = BuildCache(cache_folder(source))  # read only: check writes no cache
    try:
        site, planned = builder.plan(now or datetime.now(UTC))
        problems = site.problems
        env = make_environment(site, portable)
        for entry in planned:
            if isinstance(entry, (PlannedPage, GeneratedFile)):
                _produce(entry, env, site, problems)
    except OSError as exc:  # check writes nothing: a read it was refused
        raise BuildFailed(builder._system_problem(exc)) from exc
    if problems:
        raise BuildFailed(problems)
    return problems
