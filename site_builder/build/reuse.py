"""What a build takes from the cache's store (`write.store`) instead of making it again: an output
file whose key some manifest of the cache recorded (of any output folder, so also of the build a
restored cache came from), and a part of the search index whose pages are, path and bytes, the
pages a complete index of a recorded build read. Keys hold no path or file time (`keys`), so the
same sources at another path, with other times, find the same files.
"""
from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from hashlib import sha256
from pathlib import Path
from typing import TYPE_CHECKING

from ..base.cache import BuildCache, Manifest
from ..base.errors import Problems
from ..base.oserrors import reason
from ..plan.pages import Planned, SearchIndex
from ..render.environment import PACKAGE_THEMES
from ..write.search_bundle import bundle_shard, parts_of
from ..write.search_parts import Parts
from ..write.staging import OutputWriter
from ..write.store import Store
from .delta import LOOP, UNREADABLE, Stats
from .search_stage import SEARCH_KEY, in_bundle

if TYPE_CHECKING:
    from .builder import Builder, BuildResult

THREADS = 4  # reading and hashing release the interpreter's lock


def part_signatures(pages: Mapping[str, str], parts: Parts) -> dict[str, str]:
    """Per part of the index, one digest of the paths and digests of the pages it reads. A part's
    name says which pages it reads (`search_parts`): one cut serves for this build and a recorded one."""
    lines: dict[str, list[str]] = {}
    for path in sorted(pages):
        part = parts.part_of(path)
        if part is not None and not in_bundle(path):
            lines.setdefault(part, [part]).append(f"{path}\0{pages[path]}")
    return {part: sha256("\n".join(text).encode()).hexdigest() for part, text in lines.items()}


class Reuse:
    """The store of one build's cache, with the keys of this build's files."""

    def __init__(self, cache: BuildCache, keys: Mapping[str, str]) -> None:
        self.cache, self.keys = cache, keys
        self.store = Store(cache.folder)
        self.taken: set[str] = set()  # digests taken from the store: already in it

    def _recorded(self) -> dict[str, str]:
        """Key → digest of every output file (not the search bundle) a manifest recorded."""
        return {key: digest for manifest in self.cache.state.manifests.values()
                for path, (key, digest) in manifest.entries.items()
                if digest and not path.startswith("@") and not in_bundle(path)}

    def files(self, staging: Path, paths: Sequence[str]) -> dict[str, str]:
        """Take the files at these paths whose key was recorded into `staging`: path → digest."""
        recorded = self._recorded()
        return self.take(staging, {p: recorded[k] for p in paths if (k := self.keys.get(p)) is not None and k in recorded})

    def take(self, staging: Path, files: Mapping[str, str]) -> dict[str, str]:
        """Take these files (path → digest) from the store into `staging`, in threads: those taken."""
        wanted = list(files.items())
        if not wanted:
            return {}

        def chunk(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
            return [(p, d) for p, d in pairs if self.store.take(d, staging.joinpath(*p.split("/")))]

        with ThreadPoolExecutor(THREADS) as pool:
            done = [pair for part in pool.map(chunk, [wanted[i::THREADS * 4] for i in range(THREADS * 4)])
                    for pair in part]
        self.taken.update(d for _, d in done)
        return dict(done)

    def has_index(self) -> bool:
        """Whether a complete search index is recorded in any manifest (`parts` may give parts)."""
        return any(m.entries.get(SEARCH_KEY) == ("search", "done") for m in self.cache.state.manifests.values())

    def parts(self, staging: Path, search: SearchIndex, files: Sequence[Planned], digests: Mapping[str, str],
              manifest: Manifest) -> tuple[set[str] | None, dict[str, str]]:
        """Take the parts of the search index whose pages a complete recorded index read into
        `staging`: (the parts still to index, None for all; the bundle files taken, path → digest)."""
        pages = {e.path: digests.get(e.path) or manifest.entries.get(e.path, ("", ""))[1] for e in files}
        cut = parts_of(search.entries)
        wanted = part_signatures(pages, cut)
        shards = list(cut.names)
        found: dict[str, dict[str, str]] = {}
        for old in self.cache.state.manifests.values():
            if old.entries.get(SEARCH_KEY) != ("search", "done") or all(s in found for s in shards):
                continue
            signatures = part_signatures({p: d for p, (_, d) in old.entries.items() if not p.startswith("@")}, cut)
            for shard in shards:
                if shard not in found and shard in wanted and signatures.get(shard) == wanted[shard]:
                    bundle = {p: d for p, (_, d) in old.entries.items() if bundle_shard(p) == shard}
                    if bundle:
                        found[shard] = bundle
        taken: dict[str, str] = {}
        for shard, bundle in found.items():
            targets = [staging.joinpath(*p.split("/")) for p in bundle]
            if all(self.store.take(d, t) for d, t in zip(bundle.values(), targets)):
                taken.update(bundle)
            else:  # the part is indexed again: none of its files may stay half there
                for target in targets:
                    target.unlink(missing_ok=True)
                found[shard] = {}
        self.taken.update(taken.values())
        left = {s for s in shards if not found.get(s)}
        return (left if taken else None), taken

    def keep(self, output: Path, paths: Iterable[str], digests: Mapping[str, str],
             bundle: Mapping[str, str] | None) -> None:
        """Add the files this build wrote into `output` (their digests in `digests` or `bundle`)
        to the store, but those it took from there."""
        for path in paths:
            digest = digests.get(path) or (bundle or {}).get(path)
            if digest and digest not in self.taken:
                self.store.add(output.joinpath(*path.split("/")), digest)

    def finish(self, problems: Problems, tidy: bool, whole: tuple[Builder, Stats] | None) -> None:
        """After the manifest is set: note the content of this build's inputs in its record (`whole`:
        a command-line build, see `restore_whole`); when `tidy` (a swap), forget the manifests of
        output folders that are gone and remove from the store what no manifest names; one
        warning if the store could not be read or written (the build rendered instead)."""
        last = self.cache.last_build(whole[0].output) if whole is not None else None
        if whole is not None and last is not None and last.stamp:
            content = content_stamp(whole[0], whole[1])
            self.cache.set_last_build(whole[0].output, dataclasses.replace(last, content=content or ""))
        if tidy:
            self.cache.forget_gone_outputs()
            self.store.collect(d for m in self.cache.state.manifests.values() for _, d in m.entries.values())
        if self.store.trouble is not None and self.store.folder is not None:
            problems.warn(self.store.folder, None,
                          f"không dùng được kho tệp đã dựng trong bộ nhớ đệm ({reason(self.store.trouble)}); "
                          "các tệp đó được dựng lại.",
                          "Hãy kiểm tra quyền đọc, ghi và dung lượng của thư mục này; trang vẫn đúng, chỉ chậm hơn.")


def content_stamp(builder: Builder, stats: Stats) -> str | None:
    """One digest of the options, the code, and every input file's name (within its folder) and
    bytes: equal for the same sources at another path with other times. None when an input
    cannot be read."""
    roots = [str(r) for r in dict.fromkeys([builder.source, builder.source.resolve().parent / "themes", PACKAGE_THEMES])]
    lines = [builder._stamp({})]
    try:
        for path, stat in sorted(stats.items()):
            if stat in (UNREADABLE, LOOP):
                return None
            number = next(i for i, root in enumerate(roots) if path.startswith(root + os.sep))
            lines.append(f"{number}/{os.path.relpath(path, roots[number])}\0{builder.cache.digest(Path(path))}")
    except (OSError, StopIteration):
        return None
    return sha256("\n".join(lines).encode()).hexdigest()


def restore_whole(builder: Builder, stats: Stats, stamp: str, now: datetime) -> BuildResult | None:
    """A command-line build into an empty output whose inputs are, by content, those of a complete
    recorded build (a cache restored beside a fresh clone): every file of that build taken from
    the store into staging and swapped in, without loading anything. None when there is no such
    build, a scheduled item fell due since, or a file is missing from the store."""
    from .builder import BuildResult  # the builder calls this
    output = builder.output
    if output.is_dir() and any(output.iterdir()):
        return None
    content = content_stamp(builder, stats)
    records = builder.cache.state.last_build
    found = next((k for k, r in records.items() if content and r.content == content and r.stamp
                  and k in builder.cache.state.manifests and (r.next_scheduled is None or now < r.next_scheduled)), None)
    if found is None:
        return None
    last, manifest = records[found], builder.cache.state.manifests[found]
    if manifest.entries.get(SEARCH_KEY) != ("search", "done"):
        return None
    started = time.perf_counter()
    reuse = Reuse(builder.cache, {})
    writer = OutputWriter(output, builder.include_drafts)
    try:
        writer.begin()
        files = {p: d for p, (_, d) in manifest.entries.items() if not p.startswith("@")}
        if len(reuse.take(writer.staging, files)) != len(files):
            writer.abort()
            return None
        writer.written += len(files)  # into an empty output: no file of it to count as removed
        builder.cache.writing(output)
        report = writer.commit()
    except BaseException:
        writer.abort()
        raise
    builder.cache.set_manifest(output, Manifest(dict(manifest.entries)))
    builder.cache.set_last_build(output, dataclasses.replace(last, stamp=stamp))
    builder.cache.set_published(output, builder.cache.published(Path(found)))
    problems = Problems(root=builder.source)
    problems.items.extend(last.warnings)
    builder._save_cache(problems)
    return BuildResult(last.pages, report, time.perf_counter() - started, problems)
