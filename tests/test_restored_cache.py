"""A build with the cache restored beside a fresh copy of the sources (another path, new file times,
an empty output), as CI runs it: files and parts of the search index come from the cache's store
(`write.store`, `build.reuse`), keyed by content only, and the output is byte for byte a clean
build's — also when the store is damaged, on another file system, unreadable, or shared by two
builds at once."""
from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import NOW, SAMPLE, tree_bytes

from site_builder.base.cache import cache_folder, digest_bytes
from site_builder.build.builder import Builder, BuildResult
from site_builder.write import search_bundle, store

ITEM = "news/2025/lao-cai-mat-tran-tinh-moi-sau-hop-nhat.md"


def clone(root: Path, target: Path, cache: bool = True) -> Path:
    """The sources of `root` copied to `target` with new file times, and its cache beside them."""
    shutil.copytree(root / "content", target / "content", copy_function=shutil.copyfile)
    for path in (target / "content").rglob("*"):
        os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    if cache:
        shutil.copytree(root / ".cache", target / ".cache")
    return target / "content"


def run(source: Path, output: Path | None = None) -> BuildResult:
    return Builder(source, output or source.parent / "output", jobs=1).build(NOW)


def stored(source: Path) -> list[Path]:
    return sorted(p for p in (cache_folder(source) / "store").rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample built once into a/output, its cache in a/.cache; returns a."""
    root = tmp_path_factory.mktemp("first")
    shutil.copytree(SAMPLE, root / "content")
    run(root / "content")
    return root


@pytest.fixture
def indexed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The parts of the search index Pagefind is run on ("" for the main part)."""
    parts: list[str] = []
    real = search_bundle._index_cli

    def spy(folder: Path, scratch: Path, glob: str | None, scratch_dir: Path | None = None) -> bool:
        parts.append(glob or "")
        return real(folder, scratch, glob, scratch_dir)

    monkeypatch.setattr(search_bundle, "_index_cli", spy)
    return parts


def test_a_copy_elsewhere_renders_nothing_and_indexes_nothing(first: Path, tmp_path: Path,
                                                              indexed: list[str]) -> None:
    source = clone(first, tmp_path / "b")
    result = run(source)
    assert result.rendered == 0
    assert indexed == []
    assert tree_bytes(source.parent / "output") == tree_bytes(first / "output")
    # taken as hard links where the file system allows: no second copy of the bytes
    page = source.parent / "output" / "index.html"
    assert page.stat().st_nlink >= 2


def test_the_same_sources_elsewhere_load_nothing(first: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Inputs equal by content to a complete recorded build: its files, without loading a source."""
    def refused(*args: object) -> None:
        raise AssertionError("loaded")

    monkeypatch.setattr(Builder, "plan", refused)
    source = clone(first, tmp_path / "b")
    result = run(source)
    assert result.report.written == len(tree_bytes(first / "output")) - 1  # all but the output's marker
    assert tree_bytes(source.parent / "output") == tree_bytes(first / "output")
    monkeypatch.undo()
    assert run(source).report.changed == 0  # and the next build finds nothing changed


def test_a_scheduled_item_due_since_is_built(first: Path, tmp_path: Path) -> None:
    """The recorded build left out an item scheduled for 2027-03-01: past that, it is built."""
    later = NOW.replace(year=2027, month=4)
    source = clone(first, tmp_path / "b")
    Builder(source, source.parent / "output", jobs=1).build(later)
    clean = clone(first, tmp_path / "clean", cache=False)
    Builder(clean, clean.parent / "output", jobs=1).build(later)
    assert tree_bytes(source.parent / "output") == tree_bytes(clean.parent / "output")
    assert tree_bytes(source.parent / "output") != tree_bytes(first / "output")


def test_the_same_theme_at_another_path_keys_the_same(first: Path, tmp_path: Path) -> None:
    """A site with its own theme folder: its digest holds names within the folder, not paths."""
    from site_builder.build.keys import theme_digest
    from site_builder.model.site import load_site
    digests = []
    for name in ("x", "y"):
        source = clone(first, tmp_path / name, cache=False)
        shutil.copytree(SAMPLE.parent / "themes" / "default", source.parent / "themes" / "default")
        site = load_site(source, False, NOW, None, 1)
        digests.append(theme_digest(site))
    assert digests[0] == digests[1]


def test_an_edited_item_renders_its_pages_and_indexes_its_year_only(first: Path, tmp_path: Path,
                                                                    indexed: list[str]) -> None:
    source = clone(first, tmp_path / "b")
    item = source / ITEM
    item.write_text(item.read_text(encoding="utf-8") + "\nMột câu thêm vào.\n", encoding="utf-8")
    result = run(source)
    assert 0 < result.rendered < 10
    assert indexed == ["tin-tuc/2025/*/*/index.html"]
    clean = clone(tmp_path / "b", tmp_path / "clean", cache=False)
    run(clean)
    assert tree_bytes(source.parent / "output") == tree_bytes(clean.parent / "output")


@pytest.mark.parametrize("damage", ["truncated", "changed through the output"])
def test_a_damaged_stored_file_is_rendered_again(first: Path, tmp_path: Path, damage: str) -> None:
    source = clone(first, tmp_path / "b")
    files = stored(source)
    victim = max(files, key=lambda p: p.stat().st_size)
    data = victim.read_bytes()
    os.unlink(victim)  # not through the link: the first build's output keeps its bytes
    victim.write_bytes(data[:len(data) // 2] if damage == "truncated" else bytes(len(data)))
    result = run(source)
    assert result.rendered >= 1 or result.search_seconds > 0
    clean = clone(first, tmp_path / "clean", cache=False)
    run(clean)
    assert tree_bytes(source.parent / "output") == tree_bytes(clean.parent / "output")
    if victim.exists():  # removed when found damaged, or added again whole
        assert digest_bytes(victim.read_bytes()) == victim.parent.name + victim.name


def test_a_store_on_another_file_system_is_copied(first: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  indexed: list[str]) -> None:
    real_link = os.link

    def no_link(src: object, dst: object, *args: object, **kwargs: object) -> None:
        if "store" in str(src) or "store" in str(dst):
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        real_link(src, dst, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(store.os, "link", no_link)
    source = clone(first, tmp_path / "b")
    result = run(source)
    assert result.rendered == 0 and indexed == []
    page = source.parent / "output" / "index.html"
    assert page.stat().st_nlink == 1
    assert tree_bytes(source.parent / "output") == tree_bytes(first / "output")
    # a new file is copied into the store, not linked
    item = source / ITEM
    item.write_text(item.read_text(encoding="utf-8") + "\nThêm.\n", encoding="utf-8")
    run(source)
    assert all(p.stat().st_nlink == 1 for p in stored(source))


def test_a_real_other_file_system(first: Path, tmp_path: Path) -> None:
    shm = Path("/dev/shm")
    if not shm.is_dir() or os.stat(shm).st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("no second file system here")
    source = clone(first, tmp_path / "b")
    output = Path(tempfile.mkdtemp(dir=shm)) / "output"
    try:
        result = run(source, output)
        assert result.rendered == 0
        assert tree_bytes(output) == tree_bytes(first / "output")
    finally:
        shutil.rmtree(output.parent)


def test_an_unreadable_store_renders_with_one_warning(first: Path, tmp_path: Path) -> None:
    source = clone(first, tmp_path / "b")
    folder = cache_folder(source) / "store"
    shutil.rmtree(folder)
    folder.write_text("not a folder")  # every read and write in it is refused, as root too
    result = run(source)
    said = [w for w in result.problems.warnings if "kho tệp" in w.message]
    assert len(said) == 1
    assert result.rendered > 0
    assert tree_bytes(source.parent / "output") == tree_bytes(first / "output")


def test_the_store_keeps_only_what_manifests_name(first: Path, tmp_path: Path) -> None:
    source = clone(first, tmp_path / "b")
    run(source)  # a's output still exists: both manifests kept
    before = {p.name for p in stored(source)}
    stray = cache_folder(source) / "store" / "00" / ("0" * 62)
    stray.parent.mkdir(exist_ok=True)
    stray.write_bytes(b"nobody names me")
    (source / "pages" / "gioi-thieu.md").write_text("---\ntitle: Giới thiệu\n---\n\nMới hoàn toàn.\n",
                                                     encoding="utf-8")
    shutil.rmtree(source.parent / "output")  # a swap: the store is tidied
    run(source)
    after = {p.name for p in stored(source)}
    assert not stray.exists()
    assert after != before


def test_two_builds_at_once(first: Path, tmp_path: Path) -> None:
    source = clone(first, tmp_path / "b")
    code = ("import sys; from pathlib import Path; from site_builder.build.builder import build; "
            "from conftest import NOW; build(Path(sys.argv[1]), Path(sys.argv[2]), now=NOW)")
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).parent))
    runs = [subprocess.Popen([sys.executable, "-c", code, str(source), str(tmp_path / f"out{n}")], env=env)
            for n in (1, 2)]
    assert [p.wait(timeout=600) for p in runs] == [0, 0]
    expected = tree_bytes(first / "output")
    assert tree_bytes(tmp_path / "out1") == expected
    assert tree_bytes(tmp_path / "out2") == expected
    run(source)  # and the store they left serves a third
    assert tree_bytes(source.parent / "output") == expected


def test_without_a_cache_nothing_is_stored(tmp_path: Path) -> None:
    shutil.copytree(SAMPLE, tmp_path / "content")
    Builder(tmp_path / "content", tmp_path / "output", jobs=1, use_cache=False).build(NOW)
    assert not (cache_folder(tmp_path / "content") / "store").exists()  # Pagefind's scratch is beside it
