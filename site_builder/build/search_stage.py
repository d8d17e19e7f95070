"""The search stage of a build: Pagefind's bundle (`pagefind/…`) and our filter file
(`tim-kiem/bo-loc.json`) in the output and in its manifest, and the parts of the index still due.

A build indexes with its pages (`deferred` False), or, in `serve`, leaves the index pending and
`index_pending` does it right after the pages are written: only the parts (`write.search_parts`)
whose pages changed. The manifest's `SEARCH_KEY` entry says the index on disk is complete.
"""
from __future__ import annotations

import tempfile
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

from ..base.cache import BuildCache, Manifest, cache_folder, digest_bytes
from ..base.errors import BuildFailed, Problems
from ..load.sources import walk_files
from ..plan.pages import SearchIndex
from ..write.in_place import InPlace
from ..write.search_bundle import (
    PartIndexer,
    SearchFiles,
    SearchIndexFailed,
    bundle_shard,
    parts_of,
    scratch_root,
)
from ..write.search_parts import area_of

SEARCH_KEY = "@search"
FILTERS = "tim-kiem/bo-loc.json"


def in_bundle(path: str) -> bool:
    """An output file this stage writes (not the search page itself, which is a page)."""
    return path.startswith("pagefind/") or path == FILTERS


def shards_touched(paths: Iterable[str], search: SearchIndex | None) -> set[str]:
    """The parts of `search`'s index that read any of these output files."""
    if search is None:
        return set()
    return parts_of(search.entries).touched(area for p in paths if (area := area_of(p)) is not None)


def bundle_files(output: Path) -> set[str]:
    """The files of the search bundle and the filter file in the output folder (`index_output`
    looks at no other)."""
    found = {"pagefind/" + rel for rel, _ in walk_files(str(output / "pagefind"), follow_links=False)}
    return found | {FILTERS} if (output / FILTERS).is_file() else found


class SearchStage:
    """Indexes the output of one `Builder`, now or (`deferred`) at `index_pending`."""

    def __init__(self, source: Path, output: Path, cache: BuildCache, deferred: bool = False) -> None:
        self.source, self.output, self.cache, self.deferred = source, output, cache, deferred
        self.pending: SearchIndex | None = None
        self.shards_due: set[str] | None = set()  # parts of the index to redo with it; None: all

    def take(self, search: SearchIndex | None, swap: bool) -> SearchIndex | None:
        """The index to make with this build's pages; a deferred stage keeps it pending instead
        (all of it after a swap, whose new pages every part may read)."""
        if not self.deferred:
            return search
        self.pending = search
        if swap:
            self.due(None)
        return None

    def due(self, touched: set[str] | None) -> None:
        """Add parts of the index to redo at the next `index_pending` (None: all of them)."""
        if touched is None or self.shards_due is None:
            self.shards_due = None
        else:
            self.shards_due |= touched

    def touched(self, paths: Iterable[str], search: SearchIndex | None) -> set[str]:
        """The parts of the index that read these output files: of `search`, or of the index
        pending (a deferred stage's `take` kept it)."""
        return shards_touched(paths, search or self.pending)

    def after_edit(self, search: SearchIndex | None, written: Iterable[str], manifest: Manifest) -> None:
        """`serve`'s fast path wrote these pages: the parts reading them are due, the index incomplete."""
        touched = shards_touched(written, search)
        if touched and search is not None:
            manifest.entries.pop(SEARCH_KEY, None)
            self.pending = search
            self.due(touched)

    def record(self, new: Manifest, old: Manifest, bundle: Mapping[str, str] | None) -> None:
        """Put the bundle's files in the new manifest: those this build wrote (`bundle`), or else
        the ones on disk, which stay (and stay listed, or the next build would delete them);
        they are marked complete only if nothing is waiting to be indexed."""
        if bundle is not None:
            for path, digest in bundle.items():
                new.entries[path] = ("search", digest)
            new.entries[SEARCH_KEY] = ("search", "done")
            return
        for path, value in old.entries.items():
            if in_bundle(path) or (path == SEARCH_KEY and not self.deferred):
                new.entries[path] = value

    def listed(self, manifest: Manifest) -> set[str]:
        """Output files of the bundle that an in-place build must not remove as unplanned."""
        return {p for p in manifest.entries if p.startswith("pagefind/")} | {FILTERS}

    def index_pending(self) -> float | None:
        """Index the output written by a deferred build (only the parts whose pages changed); the
        seconds it took, or None when nothing was pending. Raises `BuildFailed` if Pagefind fails;
        the index stays due then."""
        search, self.pending = self.pending, None
        only, self.shards_due = self.shards_due, set()
        try:
            if search is None:
                return None
            started = time.perf_counter()
            problems = Problems(root=self.source)
            manifest = self.cache.manifest(self.output)
            if SEARCH_KEY not in manifest.entries and not (self.output / "pagefind" / "pagefind-entry.json").is_file():
                only = None
            _, _, produced = self.index_output(search, only, manifest, bundle_files(self.output), problems)
            for path in [p for p in manifest.entries if bundle_shard(p) is not None and p not in produced]:
                del manifest.entries[path]
            for path, digest in produced.items():
                manifest.entries[path] = ("search", digest)
            manifest.entries[SEARCH_KEY] = ("search", "done")
            self.cache.set_manifest(self.output, manifest)
            return time.perf_counter() - started
        except BaseException:
            if self.pending is None:  # not indexed: due again with the next one
                self.pending = search
                self.due(only)
            raise

    def index_output(self, search: SearchIndex, only: set[str] | None, manifest: Manifest, existing: set[str],
                     problems: Problems, change: InPlace | None = None) -> tuple[int, list[str], dict[str, str]]:
        """Index parts of the output in place: (files written, files removed, digest of every file
        of the bundle now in the output). Written as part of `change`, or all or none by itself."""
        if change is None:
            with InPlace(self.output) as own:
                return self.index_output(search, only, manifest, existing, problems, own)
        bundle = self.run(self.output, search, problems, only)
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

    def run(self, folder: Path, search: SearchIndex, problems: Problems,
            only: set[str] | None = None) -> SearchFiles | None:
        """Pagefind on the pages in `folder`; None, with the error in `problems`, when it fails."""
        return self.finish(self.begin(folder, search, only), problems)

    def begin(self, folder: Path, search: SearchIndex, only: set[str] | None = None) -> PartIndexer:
        """Pagefind ready to index each part of `folder` once its pages are written
        (`PartIndexer.start`); `finish` or `discard` ends it."""
        cache = cache_folder(self.source)
        return PartIndexer(folder, search.entries, only, scratch_root(cache), cache / "search-ids")

    def finish(self, parts: PartIndexer, problems: Problems) -> SearchFiles | None:
        """The bundle, once every part is indexed; None, with the error in `problems`, when Pagefind fails."""
        try:
            return parts.finish()
        except SearchIndexFailed as exc:
            if isinstance(exc.__cause__, OSError):  # a full disk, a folder that cannot be written
                where = parts.scratch_dir or tempfile.gettempdir()
                hint = f"Hãy giải phóng chỗ trống trên đĩa (thư mục tạm: {where}) rồi xây dựng lại."
            else:
                hint = "Hãy cài lại site-builder (gói pagefind[bin] đi kèm) rồi xây dựng lại."
            problems.error(self.source / "site.yaml", None, f"không tạo được chỉ mục tìm kiếm ({exc}).", hint)
            return None
        finally:
            self.discard(parts)

    @staticmethod
    def discard(parts: PartIndexer) -> None:
        """Stop indexing (waiting for the part under way) and remove the scratch files (in the background)."""
        parts.remove_scratch()
