"""The search index: articles, unit pages and standalone pages, indexed by Pagefind at build time.

Pagefind reads the rendered pages (the theme marks what to index with `data-pagefind-body` and
what results show with `data-pagefind-meta`): its binary runs once per part of the index (see
`search_parts`), reading only the pages of that part that carry a body (articles, units, standalone
pages), as the command line tool (the same bundle, byte for byte, as the Python API's directory
indexing, for about 15-20 % less CPU at 10 000 items; the API is kept for an index without any
page, which the command line refuses). Pagefind folds tones but not "đ", so the search page widens a query
("duc" also tries "đuc"). Pagefind's own filter files come out in a different byte order on every
run, which would break byte-identical builds; filters therefore live in our own JSON
(`tim-kiem/bo-loc.json`), mapping each unit, category and year to the Pagefind page ids it covers.
"""
from __future__ import annotations

import asyncio
import contextlib
import functools
import gzip
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from pagefind.index import IndexConfig, PagefindIndex
from pagefind.service import get_executable

from ..base.errors import SiteBuilderError
from ..base.oserrors import reason
from ..base.workers import die_with_parent
from . import search_parts
from .search_parts import MAIN, Parts, glob_of, months_of

LANGUAGE = "vi"
BundleFile = dict[str, Any]  # {"path": path in the bundle, "content": bytes}, as Pagefind's API gives it


class SearchIndexFailed(SiteBuilderError, RuntimeError):
    """Pagefind could not be started or could not index the site (exit 1). `build` turns it into
    a `Problems` entry with what to do; still a `RuntimeError`, as before."""

    exit_code = 1


class Filtered(Protocol):
    """A searchable page and its filters, as the plan gives them (`plan.search.SearchEntry`)."""

    @property
    def url(self) -> str: ...
    @property
    def units(self) -> tuple[str, ...]: ...
    @property
    def category(self) -> str: ...
    @property
    def year(self) -> str: ...


# The index is split in parts (`search_parts`): the unit and standalone pages, and runs of months
# of articles, merged by the search page (Pagefind's `mergeIndex`). An edit re-indexes only the
# part its page is in, and Pagefind, whose memory grows with the pages it holds, never holds more
# than one part at a time.
_BUNDLE_PART = re.compile(r"pagefind/(\d{4}(?:-\d{2}-\d{2})?)/")


def bundle_shard(path: str) -> str | None:
    """The part an output file of the bundle belongs to ("pagefind/2020/…" → "2020",
    "pagefind/…" → MAIN), None for a file outside the bundle."""
    if not path.startswith("pagefind/"):
        return None
    match = _BUNDLE_PART.match(path)
    return match.group(1) if match else MAIN


def parts_of(entries: Sequence[Filtered]) -> Parts:
    """How the index of a site is cut (`search_parts.Parts`), from its searchable pages."""
    return _parts(tuple(e.url for e in entries), search_parts.PART_SIZE)


@functools.lru_cache(maxsize=4)
def _parts(urls: tuple[str, ...], size: int) -> Parts:
    """`Parts.of`, remembered by the pages and the part size it was cut with: `serve` asks for
    the same site's cut at every edit, and matching every URL costs more than the edit's own
    pages (about 30 ms at 3 000 items)."""
    return Parts.of(urls, size)


def _is_data(path: str) -> bool:
    """A file a merged part needs: its index, not the scripts and styles the main part brings."""
    return path == "pagefind-entry.json" or path.endswith(".pf_meta") or path.startswith(("fragment/", "index/", "filter/"))


def _prefix(shard: str) -> str:
    return "pagefind/" if shard == MAIN else f"pagefind/{shard}/"


_TIDYING: list[ThreadPoolExecutor] = []  # scratch still being removed after earlier builds of this process


def scratch_root(cache: Path) -> Path | None:
    """This build's folder for Pagefind's scratch files, in its process's folder under the build
    cache rather than the system's temporary folder: a build killed while indexing leaves its
    scratch behind, and here the next build removes it (folders of processes still running,
    named by their pid, are kept). None, meaning the system's temporary folder, when the cache
    folder cannot be written."""
    for tidy in _TIDYING:  # no thread of an earlier build still running when this one forks workers
        tidy.shutdown(wait=True)
    _TIDYING.clear()
    root = cache / "scratch"
    try:
        root.mkdir(parents=True, exist_ok=True)
        for old in root.iterdir():
            if old.name != str(os.getpid()) and not _running(old.name):
                shutil.rmtree(old, ignore_errors=True)
        mine = root / str(os.getpid())
        mine.mkdir(exist_ok=True)
        return Path(tempfile.mkdtemp(prefix="build-", dir=mine))
    except OSError:
        return None


def _running(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def _index_cli(folder: Path, scratch: Path, glob: str | None, scratch_dir: Path | None = None) -> bool:
    """Run Pagefind's binary on `folder`, writing the bundle into `scratch`; False if it found
    nothing to index (the command line fails then, where the API writes an empty bundle)."""
    binary = get_executable()
    if binary is None:
        raise SearchIndexFailed("không tìm thấy chương trình Pagefind")
    command = [str(binary), "--site", str(folder.resolve()), "--output-path", str(scratch.resolve()),
               "--force-language", LANGUAGE, "--silent"]
    if glob:
        command += ["--glob", glob]
    # An empty working directory and no PAGEFIND_* variables: the command line would otherwise
    # read a pagefind.yml/.toml/.json or PAGEFIND_* settings the API ignores.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAGEFIND_")}
    # The binary dies with this process, so a killed build leaves no indexer running.
    with tempfile.TemporaryDirectory(prefix="pagefind-cwd-", dir=scratch_dir) as cwd:
        run = subprocess.run(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                             capture_output=True, text=True, errors="replace",
                             preexec_fn=functools.partial(die_with_parent, os.getpid()))
    if run.returncode == 0:
        return True
    message = (run.stderr or run.stdout).strip()
    if "not able to build an index" in message:
        return False
    raise SearchIndexFailed(f"chương trình Pagefind dừng với mã lỗi {run.returncode}")


async def _index(folder: Path, scratch: Path, glob: str | None) -> None:
    # Pagefind writes the bundle itself into a scratch folder: get_files() would send the whole
    # index through the API's pipe, whose 2 MiB read limit hangs the build on large sites.
    config = IndexConfig(force_language=LANGUAGE, output_path=str(scratch))
    async with PagefindIndex(config=config) as index:
        await (index.add_directory(str(folder), glob=glob) if glob else index.add_directory(str(folder)))


def _mirror(folder: Path, pages: Path, shard: str) -> None:
    """Give Pagefind the pages of one part in a fresh folder, made in sorted order: Pagefind numbers
    pages in the order the file system lists them, which on tmpfs is the order they were written
    (by parallel workers, so different on every build); made the same way each time, the
    listing, and so the bundle, is the same byte for byte. Hard links, or copies where the file
    system has none."""
    year, months = months_of(shard) or ("", range(0))
    patterns = (("don-vi/*/index.html", "*/index.html") if shard == MAIN
                else tuple(f"tin-tuc/{year}/{m:02d}/*/index.html" for m in months))
    found = sorted({p.relative_to(folder).as_posix() for pattern in patterns for p in folder.glob(pattern)
                    if p.is_file() and not p.is_symlink()})
    for rel in found:
        target = pages.joinpath(*rel.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(folder / rel, target)
        except OSError:
            shutil.copyfile(folder / rel, target)


def _read_bundle(scratch: Path) -> list[BundleFile]:
    return [{"path": p.relative_to(scratch).as_posix(), "content": p.read_bytes()}
            for p in sorted(scratch.rglob("*")) if p.is_file()]


def _fragment_ids(files: list[BundleFile]) -> dict[str, str]:
    """Page URL (site-relative) → Pagefind page id (its fragment's name), read back from the fragments."""
    ids: dict[str, str] = {}
    for entry in files:
        path = entry["path"]
        if path.startswith("fragment/") and path.endswith(".pf_fragment"):
            data = gzip.decompress(entry["content"])
            fragment = json.loads(data[data.index(b"{"):])
            ids[fragment["url"].lstrip("/")] = path.removeprefix("fragment/").removesuffix(".pf_fragment")
    return ids


@dataclass(frozen=True)
class SearchFiles:
    """What an indexing run made: output path → bytes for the parts it redid and the filter file,
    which parts those were, and every part the site now has (files of other parts are stale)."""

    files: dict[str, bytes]
    redone: frozenset[str]
    shards: tuple[str, ...]

    def stale(self, path: str) -> bool:
        """An existing output file of the bundle that this run replaces or whose part is gone."""
        shard = bundle_shard(path)
        return shard is not None and path not in self.files and (shard in self.redone or shard not in self.shards)


def build_search_files(folder: Path, entries: Sequence[Filtered], only: set[str] | None = None,
                       scratch_dir: Path | None = None, notes: Path | None = None) -> SearchFiles:
    """Index the rendered site in `folder`: every part, or only the parts in `only` (the others
    are read back from `folder`'s bundle for the filter file). Scratch files go in `scratch_dir`
    (see `scratch_root`), or the system's temporary folder; `notes` see `PartIndexer`."""
    return PartIndexer(folder, entries, only, scratch_dir, notes).finish()


class PartIndexer:
    """Pagefind on the parts of the index, one at a time (its memory grows with the pages it
    holds) in a thread of its own: a part handed over with `start` as soon as its pages are
    written is indexed while the build renders the rest; `finish` indexes the parts not yet
    started and gives the same bundle, byte for byte, as indexing them all at the end. `notes`
    (in the build cache) keeps each part's page ids, which the filter file needs, so that the
    parts not indexed again need not be read back (`known_ids`)."""

    def __init__(self, folder: Path, entries: Sequence[Filtered], only: set[str] | None = None,
                 scratch_dir: Path | None = None, notes: Path | None = None) -> None:
        self.folder, self.entries, self.scratch_dir, self.notes = folder, entries, scratch_dir, notes
        self.parts = parts_of(entries)
        self.shards = list(self.parts.names)
        self.redo = [s for s in self.shards
                     if only is None or s in only or not (folder / _prefix(s) / "pagefind-entry.json").is_file()]
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pagefind")
        # Removing scratch folders (thousands of small files and folders) is left to a thread of
        # its own, which the interpreter waits for at exit: the build goes on meanwhile.
        self._tidy = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pagefind-tidy")
        _TIDYING.append(self._tidy)
        self._started: dict[str, Future[tuple[dict[str, bytes], dict[str, str]]]] = {}

    def start(self, shard: str) -> None:
        """Index this part now, after the part started before it (its pages are all written)."""
        if shard in self.redo and shard not in self._started:
            self._started[shard] = self._pool.submit(self._index_part, shard)

    def cancel(self) -> None:
        """Drop the parts not yet started and wait for the one running (the build failed)."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def remove_scratch(self) -> None:
        """Stop indexing (waiting for the part under way), then remove this build's scratch
        folder, and its process's folder if it is left empty, in the background."""
        self.cancel()
        if self.scratch_dir is not None and self.scratch_dir.exists():
            self._tidy.submit(_remove, self.scratch_dir, True)
            self.scratch_dir = None
        self._tidy.shutdown(wait=False)

    def _index_part(self, shard: str) -> tuple[dict[str, bytes], dict[str, str]]:
        """One part: (its bundle's files by output path, page URL → Pagefind page id)."""
        scratch = Path(tempfile.mkdtemp(prefix="pagefind-", dir=self.scratch_dir))
        pages = Path(tempfile.mkdtemp(prefix="pagefind-pages-", dir=self.scratch_dir))
        try:
            _mirror(self.folder, pages, shard)
            if not _index_cli(pages, scratch, glob_of(shard), self.scratch_dir):
                # Its own thread and event loop: `serve` calls the build from inside livereload's loop.
                with ThreadPoolExecutor(max_workers=1) as pool:
                    pool.submit(lambda: asyncio.run(_index(pages, scratch, glob_of(shard)))).result()
            files = _read_bundle(scratch)
        finally:
            for folder in (scratch, pages):
                self._tidy.submit(_remove, folder, False)
        ids = _fragment_ids(files)
        _keep_ids(self.notes, shard, ids)
        return ({_prefix(shard) + entry["path"]: bytes(entry["content"]) for entry in files
                 if shard == MAIN or _is_data(entry["path"])}, ids)

    def finish(self) -> SearchFiles:
        """Index the parts not started yet, wait for all, and add the filter file."""
        out: dict[str, bytes] = {}
        ids: dict[str, str] = {}
        try:
            for shard in self.redo:
                self.start(shard)
            for shard in self.redo:
                files, found = self._started[shard].result()
                out.update(files)
                ids.update(found)
            for shard in self.shards:
                if shard not in self.redo:
                    ids.update(known_ids(self.folder / _prefix(shard) / "fragment", self.notes, shard))
        except Exception as exc:  # the binary may be missing or fail in any way
            said = exc.args[0] if isinstance(exc, SearchIndexFailed) else (
                reason(exc) if isinstance(exc, OSError) else "Pagefind dừng bất thường")
            raise SearchIndexFailed(said) from exc
        finally:
            self.cancel()
        out["tim-kiem/bo-loc.json"] = _filter_file(self.entries, ids, self.shards)
        return SearchFiles(dict(sorted(out.items())), frozenset(self.redo), tuple(self.shards))


def _remove(folder: Path, and_parent: bool) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    if and_parent:
        with contextlib.suppress(OSError):
            folder.parent.rmdir()  # its process's folder, once no build of it has scratch left


def _filter_file(entries: Sequence[Filtered], ids: dict[str, str], shards: list[str]) -> bytes:
    """Our filter file: each unit, category and year → the Pagefind ids of its pages, and the parts."""
    filters: dict[str, dict[str, list[str]]] = {"unit": {}, "category": {}, "year": {}}
    for entry in entries:
        page_id = ids.get(entry.url)
        if page_id is None:
            continue
        for unit_id in entry.units:
            filters["unit"].setdefault(unit_id, []).append(page_id)
        if entry.category:
            filters["category"].setdefault(entry.category, []).append(page_id)
        if entry.year:
            filters["year"].setdefault(entry.year, []).append(page_id)
    canonical: dict[str, object] = {name: {key: sorted(values) for key, values in sorted(groups.items())}
                                    for name, groups in filters.items()}
    canonical["indexes"] = [f"{shard}/" for shard in shards if shard != MAIN]  # merged into the main part
    return json.dumps(canonical, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def known_ids(fragments: Path, notes: Path | None, shard: str) -> dict[str, str]:
    """Page URL → Pagefind page id of a part already on disk: the note kept when it was indexed,
    if it names exactly the fragments in `fragments` (ids are digests of the fragments, which
    hold the URL), else read from the fragments themselves (and noted for the next build)."""
    try:
        names = [n for n in os.listdir(fragments) if n.endswith(".pf_fragment")]
    except OSError:
        return {}
    note = _note(notes, shard)
    try:
        ids = json.loads(note.read_bytes()) if note is not None else None
    except (OSError, ValueError):
        ids = None
    if isinstance(ids, dict) and len(ids) == len(names) and \
            sorted(map(str, ids.values())) == sorted(n.removesuffix(".pf_fragment") for n in names):
        return {str(url): str(page) for url, page in ids.items()}
    found = _fragment_ids([{"path": "fragment/" + n, "content": (fragments / n).read_bytes()} for n in sorted(names)])
    _keep_ids(notes, shard, found)
    return found


def _note(notes: Path | None, shard: str) -> Path | None:
    return None if notes is None else notes / f"{shard or 'main'}.json"


def _keep_ids(notes: Path | None, shard: str, ids: dict[str, str]) -> None:
    """Note a part's page ids for `known_ids`; a cache that cannot be written only costs time."""
    note = _note(notes, shard)
    if note is None:
        return
    try:
        note.parent.mkdir(parents=True, exist_ok=True)
        fresh = note.with_name(f".{note.name}.{os.getpid()}")
        fresh.write_text(json.dumps(ids, sort_keys=True, separators=(",", ":")), encoding="utf-8")
        os.replace(fresh, note)
    except OSError:
        pass
