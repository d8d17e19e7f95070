"""Two builds of the same sources give byte-identical output, search bundle included, on any file
system: on tmpfs a folder lists its files in the order they were made (newest first), which the
build's parallel workers vary, and Pagefind numbers pages in the order it finds them."""
from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import NOW, SAMPLE, tree_bytes

from site_builder.build.builder import Builder
from site_builder.write.search_bundle import build_search_files

SHM = Path("/dev/shm")


@pytest.fixture
def on_tmpfs() -> Iterator[Path]:
    """A scratch folder on a tmpfs (where listing order is creation order)."""
    if not SHM.is_dir() or not os.access(SHM, os.W_OK):
        pytest.skip("no writable /dev/shm (tmpfs) here")
    folder = Path(tempfile.mkdtemp(dir=SHM, prefix="site-builder-test-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_the_bundle_does_not_depend_on_the_order_files_were_written(on_tmpfs: Path, tmp_path: Path) -> None:
    """The same rendered pages, written in opposite orders, give the same bundle byte for byte."""
    site = tmp_path / "site"
    Builder(shutil.copytree(SAMPLE, tmp_path / "content"), site, jobs=1).build(NOW)
    pages = sorted(p.relative_to(site) for p in site.rglob("*.html"))
    bundles = []
    for order in (pages, pages[::-1]):
        folder = on_tmpfs / f"order-{len(bundles)}"
        for rel in order:
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(site / rel, folder / rel)
        bundles.append(build_search_files(folder, _entries(), None, on_tmpfs).files)
    assert bundles[0].keys() == bundles[1].keys()
    assert bundles[0] == bundles[1]


def _entries() -> list:  # type: ignore[type-arg]
    from site_builder.plan.search import SearchEntry
    return [SearchEntry("tin-tuc/2020/08/x/", ("viet-nam",), "", "2020")]


def test_two_builds_on_tmpfs_are_byte_identical(on_tmpfs: Path) -> None:
    trees = []
    for run in range(2):
        root = on_tmpfs / f"run{run}"
        source = shutil.copytree(SAMPLE, root / "content")
        Builder(source, root / "out", jobs=2).build(NOW)
        trees.append(tree_bytes(root / "out"))
    assert trees[0].keys() == trees[1].keys()
    differ = sorted(k for k in trees[0] if trees[0][k] != trees[1][k])
    assert not differ, differ


def test_parts_are_indexed_while_pages_render_and_the_bundle_is_the_same(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A cold build hands each part of the index to Pagefind as soon as that part's pages are
    written, before the other pages are rendered; the bundle is the one indexing the finished
    output gives."""
    from site_builder.build import rendering, strategies
    from site_builder.write.search_bundle import PartIndexer

    rendered: list[str] = []
    started: dict[str, int] = {}
    cuts: list[object] = []
    real_chunk, real_start = rendering.render_chunk, PartIndexer.start

    def chunk(indices: list[int]) -> tuple[list[tuple[int, str]], list[object]]:
        assert rendering._RENDER is not None
        rendered.extend(rendering._RENDER[1][i].path for i in indices)
        return real_chunk(indices)  # type: ignore[return-value]

    def start(self: PartIndexer, shard: str) -> None:
        started.setdefault(shard, len(rendered))
        cuts.append(self.parts)
        real_start(self, shard)

    monkeypatch.setattr(strategies, "render_chunk", chunk)
    monkeypatch.setattr(PartIndexer, "start", start)
    output = tmp_path / "out"
    builder = Builder(shutil.copytree(SAMPLE, tmp_path / "content"), output, jobs=1)
    builder.build(NOW)

    assert len(started) > 1
    for shard, when in started.items():
        assert when < len(rendered), f"part {shard!r} waited for every page"
        assert all(cuts[0].part_of(path) != shard for path in rendered[when:]), f"part {shard!r} started too early"  # type: ignore[attr-defined]
    site, planned = builder.plan(NOW)
    entries = next(e for e in planned if type(e).__name__ == "SearchIndex").entries  # type: ignore[union-attr]
    again = build_search_files(output, entries, None, tmp_path).files
    assert again == {p: (output / p).read_bytes() for p in again}
