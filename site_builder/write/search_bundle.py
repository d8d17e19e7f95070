"""The search index: articles, unit pages and standalone pages, indexed by Pagefind at build time.

Pagefind reads the rendered pages (the theme marks what to index with `data-pagefind-body` and
what results show with `data-pagefind-meta`): its binary runs once per part of the index (see
`shard_of`), reading only the pages of that part that carry a body (articles, units, standalone
pages), as the command line tool (the same bundle, byte for byte, as the Python API's directory
indexing, for about 15-20 % less CPU at 10 000 items; the API is kept for an index without any
page, which the command line refuses). Pagefind folds tones but not "đ", so the search page widens a query
("duc" also tries "đuc"). Pagefind's own filter files come out in a different byte order on every
run, which would break byte-identical builds; filters therefore live in our own JSON
(`tim-kiem/bo-loc.json`), mapping each unit, category and year to the Pagefind page ids it covers.
"""
from __future__ import annotations

import asyncio
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


# The index is split in parts ("shards"): one per year of articles and one for everything else
# (unit pages, standalone pages), merged by the search page (Pagefind's `mergeIndex`). An edit
# re-indexes only the part its page is in, and Pagefind, whose memory grows with the pages it
# holds, never holds more than one part at a time.
MAIN = ""
_ARTICLE = re.compile(r"tin-tuc/(\d{4})/\d{2}/[^/]+/index\.html")
_MAIN_PAGE = re.compile(r"(?:don-vi/)?[^/]+/index\.html")
_BUNDLE_PART = re.compile(r"pagefind/(\d{4})/")


def shard_of(path: str) -> str | None:
    """The part of the index an output file is read into: the year for an article, MAIN for a unit
    or standalone page, None for a file no part reads (lists, feeds, figure pages)."""
    match = _ARTICLE.fullmatch(path)
    if match:
        return match.group(1)
    return MAIN if _MAIN_PAGE.fullmatch(path) else None


def bundle_shard(path: str) -> str | None:
    """The part an output file of the bundle belongs to ("pagefind/2020/…" → "2020",
    "pagefind/…" → MAIN), None for a file outside the bundle."""
    if not path.startswith("pagefind/"):
        return None
    match = _BUNDLE_PART.match(path)
    return match.group(1) if match else MAIN


def shards_of(entries: Sequence[Filtered]) -> list[str]:
    """Every part of the index of a site: MAIN, then its years of articles, newest first."""
    years = {shard for e in entries if (shard := shard_of(e.url + "index.html")) is not None} - {MAIN}
    return [MAIN, *sorted(years, reverse=True)]


def _is_data(path: str) -> bool:
    """A file a merged part needs: its index, not the scripts and styles the main part brings."""
    return path == "pagefind-entry.json" or path.endswith(".pf_meta") or path.startswith(("fragment/", "index/", "filter/"))


def _glob(shard: str) -> str:
    return "{don-vi/*/index.html,*/index.html}" if shard == MAIN else f"tin-tuc/{shard}/*/*/index.html"


def _prefix(shard: str) -> str:
    return "pagefind/" if shard == MAIN else f"pagefind/{shard}/"


def scratch_root(cache: Path) -> Path | None:
    """This process's folder for Pagefind's scratch files, under the build cache rather than the
    system's temporary folder: a build killed while indexing leaves its scratch behind, and here
    the next build removes it (folders of builds still running, named by their pid, are kept).
    None, meaning the system's temporary folder, when the cache folder cannot be written."""
    root = cache / "scratch"
    try:
        root.mkdir(parents=True, exist_ok=True)
        for old in root.iterdir():
            if old.name != str(os.getpid()) and not _running(old.name):
                shutil.rmtree(old, ignore_errors=True)
        mine = root / str(os.getpid())
        mine.mkdir(exist_ok=True)
        return mine
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
    patterns = ("don-vi/*/index.html", "*/index.html") if shard == MAIN else (f"tin-tuc/{shard}/*/*/index.html",)
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
                       scratch_dir: Path | None = None) -> SearchFiles:
    """Index the rendered site in `folder`: every part, or only the parts in `only` (the others
    are read back from `folder`'s bundle for the filter file). Scratch files go in `scratch_dir`
    (see `scratch_root`), or the system's temporary folder."""
    return PartIndexer(folder, entries, only, scratch_dir).finish()


class PartIndexer:
    """Pagefind on the parts of the index, one at a time (its memory grows with the pages it
    holds) in a thread of its own: a part handed over with `start` as soon as its pages are
    written is indexed while the build renders the rest; `finish` indexes the parts not yet
    started and gives the same bundle, byte for byte, as indexing them all at the end."""

    def __init__(self, folder: Path, entries: Sequence[Filtered], only: set[str] | None = None,
                 scratch_dir: Path | None = None) -> None:
        self.folder, self.entries, self.scratch_dir = folder, entries, scratch_dir
        self.shards = shards_of(entries)
        self.redo = [s for s in self.shards
                     if only is None or s in only or not (folder / _prefix(s) / "pagefind-entry.json").is_file()]
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pagefind")
        self._started: dict[str, Future[tuple[dict[str, bytes], dict[str, str]]]] = {}

    def start(self, shard: str) -> None:
        """Index this part now, after the part started before it (its pages are all written)."""
        if shard in self.redo and shard not in self._started:
            self._started[shard] = self._pool.submit(self._index_part, shard)

    def cancel(self) -> None:
        """Drop the parts not yet started and wait for the one running (the build failed)."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _index_part(self, shard: str) -> tuple[dict[str, bytes], dict[str, str]]:
        """One part: (its bundle's files by output path, page URL → Pagefind page id)."""
        with tempfile.TemporaryDirectory(prefix="pagefind-", dir=self.scratch_dir) as scratch, \
                tempfile.TemporaryDirectory(prefix="pagefind-pages-", dir=self.scratch_dir) as pages:
            _mirror(self.folder, Path(pages), shard)
            if not _index_cli(Path(pages), Path(scratch), _glob(shard), self.scratch_dir):
                # Its own thread and event loop: `serve` calls the build from inside livereload's loop.
                with ThreadPoolExecutor(max_workers=1) as pool:
                    pool.submit(lambda: asyncio.run(_index(Path(pages), Path(scratch), _glob(shard)))).result()
            files = _read_bundle(Path(scratch))
        return ({_prefix(shard) + entry["path"]: bytes(entry["content"]) for entry in files
                 if shard == MAIN or _is_data(entry["path"])}, _fragment_ids(files))

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
                    ids.update(_fragment_ids(_read_fragments(self.folder / _prefix(shard) / "fragment")))
        except Exception as exc:  # the binary may be missing or fail in any way
            said = exc.args[0] if isinstance(exc, SearchIndexFailed) else (
                reason(exc) if isinstance(exc, OSError) else "Pagefind dừng bất thường")
            raise SearchIndexFailed(said) from exc
        finally:
            self.cancel()
        out["tim-kiem/bo-loc.json"] = _filter_file(self.entries, ids, self.shards)
        return SearchFiles(dict(sorted(out.items())), frozenset(self.redo), tuple(self.shards))


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


def _read_fragments(folder: Path) -> list[BundleFile]:
    """The fragment files of a part already on disk, as `_read_bundle` gives them."""
    if not folder.is_dir():
        return []
    return [{"path": "fragment/" + p.name, "content": p.read_bytes()} for p in sorted(folder.glob("*.pf_fragment"))]
