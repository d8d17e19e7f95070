"""The search index: articles, unit pages and standalone pages, indexed by Pagefind at build time.

Pagefind reads the rendered pages (the theme marks what to index with `data-pagefind-body` and
what results show with `data-pagefind-meta`): its binary runs once on the whole site, as the
command line tool (the same bundle, byte for byte, as the Python API's directory indexing, for
about 15-20 % less CPU at 10 000 items; the API is kept for an index without any page, which the
command line refuses). Pagefind folds tones but not "đ", so the search page widens a query
("duc" also tries "đuc"). Pagefind's own filter files come out in a different byte order on every
run, which would break byte-identical builds; filters therefore live in our own JSON
(`tim-kiem/bo-loc.json`), mapping each unit, category and year to the Pagefind page ids it covers.
"""
from __future__ import annotations

import asyncio
import gzip
import json
import os
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from pagefind.index import IndexConfig, PagefindIndex
from pagefind.service import get_executable

from .content import Item
from .site import Site
from .vietnamese import slugify

LANGUAGE = "vi"


class SearchIndexFailed(RuntimeError):
    """Pagefind could not be started or could not index the site."""


@dataclass(frozen=True)
class SearchEntry:
    """The filters of one searchable page: the units it belongs to (with their ancestors), its
    category and its year."""

    url: str
    units: tuple[str, ...]
    category: str
    year: str


def search_entries(site: Site, item_url: Callable[[Item], str], unit_url: Callable[[str], str]) -> list[SearchEntry]:
    """Filter values of every article and unit page, in a stable order."""
    entries = []
    for item in site.items:
        reached: dict[str, None] = {}
        for unit_id in item.units:
            reached[unit_id] = None
            reached.update(dict.fromkeys(site.units.ancestors(unit_id)))
        entries.append(SearchEntry(item_url(item), tuple(reached), slugify(item.category or ""),
                                   str(item.date.year)))
    for unit_id in site.units.units:
        entries.append(SearchEntry(unit_url(unit_id), (unit_id, *site.units.ancestors(unit_id)), "", ""))
    return entries


def _index_cli(folder: Path, scratch: Path, glob: str | None) -> bool:
    """Run Pagefind's binary on `folder`, writing the bundle into `scratch`; False if it found
    nothing to index (the command line fails then, where the API writes an empty bundle)."""
    binary = get_executable()
    if binary is None:
        raise SearchIndexFailed("Could not find pagefind binary")
    command = [str(binary), "--site", str(folder.resolve()), "--output-path", str(scratch.resolve()),
               "--force-language", LANGUAGE, "--silent"]
    if glob:
        command += ["--glob", glob]
    # An empty working directory and no PAGEFIND_* variables: the command line would otherwise
    # read a pagefind.yml/.toml/.json or PAGEFIND_* settings the API ignores.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAGEFIND_")}
    with tempfile.TemporaryDirectory(prefix="site-builder-pagefind-cwd-") as cwd:
        run = subprocess.run(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                             capture_output=True, text=True, errors="replace")
    if run.returncode == 0:
        return True
    message = (run.stderr or run.stdout).strip()
    if "not able to build an index" in message:
        return False
    raise SearchIndexFailed(message.splitlines()[0] if message else f"pagefind exited with {run.returncode}")


async def _index(folder: Path, scratch: Path, glob: str | None) -> None:
    # Pagefind writes the bundle itself into a scratch folder: get_files() would send the whole
    # index through the API's pipe, whose 2 MiB read limit hangs the build on large sites.
    config = IndexConfig(force_language=LANGUAGE, output_path=str(scratch))
    async with PagefindIndex(config=config) as index:
        await (index.add_directory(str(folder), glob=glob) if glob else index.add_directory(str(folder)))


def _read_bundle(scratch: Path) -> list[dict]:
    return [{"path": p.relative_to(scratch).as_posix(), "content": p.read_bytes()}
            for p in sorted(scratch.rglob("*")) if p.is_file()]


def _fragment_ids(files: list[dict]) -> dict[str, str]:
    """Page URL (site-relative) → Pagefind page id (its fragment's name), read back from the fragments."""
    ids: dict[str, str] = {}
    for entry in files:
        path = entry["path"]
        if path.startswith("fragment/") and path.endswith(".pf_fragment"):
            data = gzip.decompress(entry["content"])
            fragment = json.loads(data[data.index(b"{"):])
            ids[fragment["url"].lstrip("/")] = path.removeprefix("fragment/").removesuffix(".pf_fragment")
    return ids


def build_search_files(folder: Path, entries: list[SearchEntry], glob: str | None = None) -> dict[str, bytes]:
    """Index the rendered site in `folder`; output path → bytes for `pagefind/` and the filter file."""
    try:
        with tempfile.TemporaryDirectory(prefix="site-builder-pagefind-") as scratch:
            if not _index_cli(folder, Path(scratch), glob):
                # Its own thread and event loop: `serve` calls the build from inside livereload's loop.
                with ThreadPoolExecutor(max_workers=1) as pool:
                    pool.submit(lambda: asyncio.run(_index(folder, Path(scratch), glob))).result()
            files = _read_bundle(Path(scratch))
    except Exception as exc:  # the binary may be missing or fail in any way
        raise SearchIndexFailed(str(exc) or type(exc).__name__) from exc
    out = {f"pagefind/{entry['path']}": bytes(entry["content"]) for entry in files}
    ids = _fragment_ids(files)
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
    canonical = {name: {key: sorted(values) for key, values in sorted(groups.items())}
                 for name, groups in filters.items()}
    out["tim-kiem/bo-loc.json"] = json.dumps(canonical, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return out
