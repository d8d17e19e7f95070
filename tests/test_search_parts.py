"""The search index cut into parts by months (`write.search_parts`): every month of a year in
exactly one part, parts no larger than `PART_SIZE` articles unless a month alone is, a small year
left whole; and on a site, an edit re-indexes only its part and reads no other part back."""
from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import NOW, SAMPLE, tree_bytes
from hypothesis import given
from hypothesis import strategies as st

from site_builder.base.cache import cache_folder
from site_builder.build.builder import Builder
from site_builder.write import search_bundle, search_parts
from site_builder.write.search_parts import MAIN, Parts, cut_year, glob_of, months_of

EDITED = "news/2020/van-yen-mat-tran-huyen-va-co-quan-khoi.md"  # August 2020


@given(st.dictionaries(st.integers(1, 12), st.integers(0, 400)), st.integers(1, 300))
def test_a_year_is_cut_into_runs_of_months_each_month_once(counts: dict[int, int], size: int) -> None:
    cut = cut_year("2018", Counter(counts), size)
    ranges = [months_of(name) for name in cut]
    assert all(r is not None and r[0] == "2018" for r in ranges)
    assert [m for r in ranges if r is not None for m in r[1]] == list(range(1, 13))
    if sum(counts.values()) <= size:
        assert cut == ["2018"]
    for r in ranges:
        assert r is not None
        held = [counts.get(m, 0) for m in r[1]]
        assert sum(held) > 0 or not sum(counts.values()), "a part without an article"
        assert sum(held) <= size or sum(1 for h in held if h) == 1, "too large, and not for one month"


@given(st.lists(st.tuples(st.integers(2016, 2025), st.integers(1, 12)), max_size=300), st.integers(1, 40))
def test_each_page_is_in_the_part_whose_name_says_its_month(dates: list[tuple[int, int]], size: int) -> None:
    urls = [f"tin-tuc/{y}/{m:02d}/bai-{i}/" for i, (y, m) in enumerate(dates)] + ["don-vi/xa-a/", "gioi-thieu/"]
    parts = Parts.of(urls, size)
    assert parts.names[0] == MAIN and len(set(parts.names)) == len(parts.names)
    assert parts.part_of("don-vi/xa-a/index.html") == MAIN and parts.part_of("tin-tuc/trang/2/index.html") is None
    for y, m in dates:
        name = parts.part_of(f"tin-tuc/{y}/{m:02d}/x/index.html")
        assert name is not None and f"{y}/{m:02d}" in parts.areas(name)
        read = months_of(name)
        assert read is not None and read[0] == str(y) and m in read[1]
    counts = Counter(y for y, _ in dates)
    assert Counter(n[:4] for n in parts.names if n) == Counter(
        {str(y): len(cut_year(str(y), Counter(m for yy, m in dates if yy == y), size)) for y in counts})


def test_globs_name_the_month_folders() -> None:
    assert glob_of("2018") == "tin-tuc/2018/*/*/index.html"
    assert glob_of("2018-03-05") == "tin-tuc/2018/{03,04,05}/*/index.html"
    assert glob_of("2018-07-07") == "tin-tuc/2018/07/*/index.html"


@pytest.fixture
def small_parts(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Parts of at most 3 articles (the sample's 2020 has 8: June 1, July 4, August 3), and the
    globs Pagefind is run on."""
    monkeypatch.setattr(search_parts, "PART_SIZE", 3)
    globs: list[str] = []
    real = search_bundle._index_cli

    def spy(folder: Path, scratch: Path, glob: str | None, scratch_dir: Path | None = None) -> bool:
        globs.append(glob or "")
        return real(folder, scratch, glob, scratch_dir)

    monkeypatch.setattr(search_bundle, "_index_cli", spy)
    yield globs


def test_a_large_year_is_indexed_in_parts_and_merged_by_the_search_page(small_parts: list[str], tmp_path: Path) -> None:
    source = shutil.copytree(SAMPLE, tmp_path / "content")
    out = tmp_path / "out"
    Builder(source, out, jobs=1).build(NOW)
    parts = {p.parent.name for p in (out / "pagefind").glob("*/pagefind-entry.json")}
    assert {"2020-01-06", "2020-07-07", "2020-08-12", "2018"} <= parts
    assert not (out / "pagefind" / "2020").exists()
    filters = json.loads((out / "tim-kiem" / "bo-loc.json").read_bytes())
    assert sorted(filters["indexes"]) == sorted(f"{p}/" for p in parts)
    ids = {i for group in filters["year"].values() for i in group}
    fragments = {p.stem for p in (out / "pagefind").glob("*/fragment/*.pf_fragment")}
    assert ids and ids <= fragments


def test_an_edit_indexes_its_part_alone_and_reads_no_other_back(small_parts: list[str], tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A build after a body edit (a fresh `Builder`, as the command line) runs Pagefind on the
    part of the item's months only, and takes the other parts' page ids from the notes kept in
    the cache, not from their fragments; the output is a clean build's."""
    source = shutil.copytree(SAMPLE, tmp_path / "content")
    out = tmp_path / "out"
    Builder(source, out, jobs=1).build(NOW)
    read: list[str] = []
    real = search_bundle._fragment_ids

    def counted(files: list[search_bundle.BundleFile]) -> dict[str, str]:
        read.extend(f["path"] for f in files if f["path"].startswith("fragment/"))
        return real(files)

    monkeypatch.setattr(search_bundle, "_fragment_ids", counted)
    small_parts.clear()
    item = source / EDITED
    item.write_text(item.read_text("utf-8") + "\nMột đoạn mới về Đoàn Thanh niên.\n", "utf-8")
    Builder(source, out, jobs=1).build(NOW)
    assert small_parts == ["tin-tuc/2020/{08,09,10,11,12}/*/index.html"]
    assert len(read) == 3  # the three pages of that part, from Pagefind's new bundle
    clean = shutil.copytree(source, tmp_path / "clean" / "content")
    Builder(clean, tmp_path / "clean" / "out", jobs=1).build(NOW)
    assert tree_bytes(out) == tree_bytes(tmp_path / "clean" / "out")


@pytest.mark.parametrize("damage", ["missing", "garbled", "of another part"])
def test_a_wrong_note_of_page_ids_is_not_trusted(small_parts: list[str], tmp_path: Path, damage: str) -> None:
    """The notes are only a shortcut: one that does not name the fragments on disk is ignored."""
    source = shutil.copytree(SAMPLE, tmp_path / "content")
    out = tmp_path / "out"
    Builder(source, out, jobs=1).build(NOW)
    notes = cache_folder(source) / "search-ids"
    note = notes / "2020-07-07.json"
    if damage == "missing":
        note.unlink()
    elif damage == "garbled":
        note.write_text("{", encoding="utf-8")
    else:
        shutil.copyfile(notes / "2018.json", note)
    item = source / EDITED
    item.write_text(item.read_text("utf-8") + "\nMột đoạn mới.\n", "utf-8")
    Builder(source, out, jobs=1).build(NOW)
    clean = shutil.copytree(source, tmp_path / "clean" / "content")
    Builder(clean, tmp_path / "clean" / "out", jobs=1).build(NOW)
    assert tree_bytes(out) == tree_bytes(tmp_path / "clean" / "out")
