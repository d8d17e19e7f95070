"""`serve` tells its builder which files it saw change (`build(changed=…)`, see `build.watched`):
the builder stats only those and the folders, and must still end where a clean build ends when
the hint is incomplete — several files saved, files added, removed, renamed, a folder renamed,
an atomic save, a file changed with its old time kept."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_incremental import NOW, clean_build, live_builder, news_files, tree

from site_builder.base.errors import Problems, SiteBuilderError
from site_builder.build import watched
from site_builder.build.quick import input_stats
from site_builder.live.serve import DevBuilder, DevState


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text("utf-8") + f"\n{text}\n", "utf-8")


def _same_as_clean(source: Path, out: Path, tmp_path: Path) -> None:
    incremental, clean = tree(out), clean_build(source, tmp_path / "clean")
    assert incremental.keys() == clean.keys()
    assert [p for p in clean if clean[p] != incremental[p]] == []


def test_a_named_body_edit_takes_the_fast_path_without_a_walk(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    source, out, builder = live_builder(tmp_path)
    item = news_files(source)[0]
    _append(item, "Đoạn thêm.")
    import site_builder.live.builder as live
    monkeypatch.setattr(live, "source_stats", lambda *_: (_ for _ in ()).throw(AssertionError("walked")))
    result = builder.build(NOW, changed=[str(item)])
    monkeypatch.undo()
    assert result.fast
    builder.index_search()
    _same_as_clean(source, out, tmp_path)


def test_a_hint_naming_one_of_two_changed_files_leaves_neither_stale(tmp_path: Path) -> None:
    source, out, builder = live_builder(tmp_path)
    assert not builder.stale()  # the folders' records settled (copied just before the first build)
    first, second = news_files(source)[:2]
    _append(first, "Đoạn một.")
    _append(second, "Đoạn hai.")
    assert builder.build(NOW, changed=[str(first)]).fast
    assert builder.stale()  # what `serve` asks after the search index …
    builder.build(NOW)  # … and builds then, walking every input
    builder.index_search()
    assert not builder.stale()
    _same_as_clean(source, out, tmp_path)


def test_the_watcher_naming_them_one_at_a_time_ends_as_a_clean_build(tmp_path: Path) -> None:
    """livereload's watcher names the first changed file it finds; the next poll names the next."""
    source, out, builder = live_builder(tmp_path)
    assert not builder.stale()
    first, second = news_files(source)[:2]
    _append(first, "Đoạn một.")
    _append(second, "Đoạn hai.")
    assert builder.build(NOW, changed=[str(first)]).fast
    assert builder.build(NOW, changed=[str(second)]).fast
    builder.index_search()
    assert not builder.stale()
    _same_as_clean(source, out, tmp_path)


class _Quiet:
    def __init__(self) -> None:
        self.said: list[str] = []

    def say(self, text: str) -> None:
        self.said.append(text)

    def problems(self, problems: Problems) -> None:
        pass

    def failed(self, error: SiteBuilderError) -> object:
        self.said.append(str(error))
        return None


def test_serve_builds_what_its_hint_missed_after_the_index(tmp_path: Path) -> None:
    """A file saved with its old modification time (the watcher never names it) while another is
    named: `DevBuilder.index` walks everything after the search index and builds it."""
    source, out, builder = live_builder(tmp_path)
    assert not builder.stale()
    first, second = news_files(source)[:2]
    kept = second.stat()
    _append(first, "Đoạn một.")
    _append(second, "Đoạn hai.")
    os.utime(second, ns=(kept.st_atime_ns, kept.st_mtime_ns))
    dev = DevBuilder(builder, DevState(), _Quiet())
    assert dev.rebuild([str(first)])
    dev.index()
    assert not builder.stale()
    _same_as_clean(source, out, tmp_path)


def test_files_added_removed_or_renamed_unnamed_take_the_full_path(tmp_path: Path) -> None:
    source, out, builder = live_builder(tmp_path)
    items = news_files(source)
    named, removed, renamed = items[0], items[1], items[2]
    _append(named, "Đoạn một.")
    removed.unlink()
    renamed.rename(renamed.with_name("doi-ten-" + renamed.name))
    assert not builder.build(NOW, changed=[str(named)]).fast
    builder.index_search()
    assert not builder.stale()
    _same_as_clean(source, out, tmp_path)


def test_a_folder_renamed_is_seen_without_a_hint_for_it(tmp_path: Path) -> None:
    source, out, builder = live_builder(tmp_path)
    item = news_files(source)[0]
    folder = item.parent
    folder.rename(folder.with_name(folder.name + "-cu"))
    assert not builder.build(NOW, changed=[str(item)]).fast  # the old path, as the watcher names a removal
    builder.index_search()
    _same_as_clean(source, out, tmp_path)


def test_an_atomic_save_and_a_backup_file_keep_the_fast_path(tmp_path: Path) -> None:
    """An editor (or the desk) writing a new file over the item changes its folder; so does a
    backup made and removed. The folder is listed again: same files, fast path."""
    source, out, builder = live_builder(tmp_path)
    item = news_files(source)[0]
    temporary = item.with_name(".luu-tam.md")
    temporary.write_text(item.read_text("utf-8") + "\nĐoạn mới.\n", "utf-8")
    os.replace(temporary, item)
    backup = item.with_name(item.name + "~")
    backup.write_text("x", "utf-8")
    backup.unlink()
    assert builder.build(NOW, changed=[item]).fast
    builder.index_search()
    _same_as_clean(source, out, tmp_path)


def test_a_theme_file_named_takes_the_full_path(tmp_path: Path) -> None:
    source, out, builder = live_builder(tmp_path)
    shutil.copytree(Path(__file__).parents[1] / "themes" / "default", source.parent / "themes" / "default")
    builder.build(NOW)
    builder.index_search()
    base = source.parent / "themes" / "default" / "templates" / "base.html"
    base.write_text(base.read_text("utf-8").replace("</footer>", "<p>Chân trang riêng</p></footer>", 1), "utf-8")
    assert not builder.build(NOW, changed=[str(base)]).fast  # walked: the theme's folders are not the sources'
    builder.index_search()
    assert not builder.stale()
    # Not compared with a clean build: an edit of a site theme's template beside the sources is not
    # re-rendered by the live builder, hint or none (main as of 7 Dec too).


# What happens to a tree between two builds; every file changed in place is named, as `serve`'s
# watcher names it. `stats_after` must then give what a full walk gives.
_OPS = st.lists(st.tuples(st.sampled_from(["edit", "add", "remove", "replace", "mkdir", "rename-folder", "backup"]),
                          st.integers(0, 50)), max_size=6)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=_OPS)
def test_stats_after_a_named_change_are_a_full_walks(tmp_path_factory, ops: list[tuple[str, int]]) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("cay")
    for folder in ("a", "a/b", "c"):
        (root / folder).mkdir()
        for n in range(3):
            (root / folder / f"{n}.md").write_text(f"{folder} {n}", "utf-8")
    listed: list[str] = []
    started = __import__("time").time_ns()
    old = input_stats([root], listed)
    folders = watched.records(old, listed, started)
    assert folders is not None
    named: list[str] = []
    for op, n in ops:
        files = sorted(p for p in root.rglob("*") if p.is_file())
        dirs = sorted(p for p in root.rglob("*") if p.is_dir())
        if op == "edit" and files:
            path = files[n % len(files)]
            path.write_text(path.read_text("utf-8") + "!", "utf-8")
            named.append(str(path))
        elif op == "add" and dirs:
            (dirs[n % len(dirs)] / f"moi-{n}.md").write_text("moi", "utf-8")
        elif op == "remove" and files:
            files[n % len(files)].unlink()
        elif op == "replace" and files:
            path = files[n % len(files)]
            (path.parent / ".tam").write_text("thay " * n, "utf-8")
            os.replace(path.parent / ".tam", path)
            named.append(str(path))
        elif op == "mkdir" and dirs:
            (dirs[n % len(dirs)] / f"thu-muc-{n}").mkdir(exist_ok=True)
        elif op == "rename-folder" and dirs:
            folder = dirs[n % len(dirs)]
            folder.rename(folder.with_name(folder.name + "-moi"))
        elif op == "backup" and dirs:
            (dirs[n % len(dirs)] / "sao~").write_text("x", "utf-8")
            (dirs[n % len(dirs)] / "sao~").unlink()
    seen = watched.stats_after(old, folders, named)
    if all(op in ("edit", "replace", "backup") for op, _ in ops):
        assert seen is not None  # the same files and folders: no walk needed
    if seen is not None:
        assert seen.stats == input_stats([root])
        assert {p for p in seen.stats if seen.stats[p] != old.get(p)} <= seen.candidates
