"""The command line's build after an edit: a fresh builder in a new process (here a fresh
`CommandLineBuilder`, which knows only the cache on disk) takes the fast path from the last full
build's snapshot for edits of bodies, titles and summaries, and gives exactly what a clean build
gives after any change, a build killed half-way, a snapshot of other code or a damaged one."""
from __future__ import annotations

import pickle
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import SAMPLE
from test_incremental import NOW, clean_build, tree

import site_builder.build.fast as fast_module
from site_builder.base.cache import cache_folder
from site_builder.build.builder import Builder, BuildResult
from site_builder.build.fast import CommandLineBuilder
from site_builder.live.builder import LiveBuilder

SLUGGED = "news/2020/yen-bai-giam-sat-chinh-sach-ho-tro.md"  # an explicit slug and no figures
OTHER = "news/2016/mong-cai-cong-bo-thanh-lap-co-quan-khoi.md"  # the same
Edit = Callable[[Path], None]


def cli_build(source: Path, out: Path) -> BuildResult:
    """What `site-builder build` runs: a new builder that knows only what is on disk."""
    return CommandLineBuilder(source, out, jobs=1).build(NOW)


def built(tmp_path: Path) -> tuple[Path, Path]:
    source = tmp_path / "content"
    shutil.copytree(SAMPLE, source)
    out = tmp_path / "out"
    assert not cli_build(source, out).fast
    return source, out


def assert_clean(source: Path, out: Path, tmp_path: Path) -> None:
    incremental, clean = tree(out), clean_build(source, tmp_path / "clean")
    assert incremental.keys() == clean.keys()
    assert [p for p in clean if clean[p] != incremental[p]] == []


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text("utf-8") + text, "utf-8")


def _replace(path: Path, key: str, value: str) -> None:
    text = path.read_text("utf-8")
    path.write_text(re.sub(rf"^{key}:.*$", f"{key}: {value}", text, count=1, flags=re.M), "utf-8")


def body(source: Path) -> None:
    _append(source / SLUGGED, "\nMột đoạn thêm vào cuối bài để thử.\n")


def title(source: Path) -> None:
    _replace(source / SLUGGED, "title", '"Tiêu đề đã sửa: giám sát chính sách hỗ trợ"')


def summary(source: Path) -> None:
    text = (source / SLUGGED).read_text("utf-8")
    line = 'summary: "Tóm tắt mới của bài"'
    if re.search(r"^summary:", text, flags=re.M):
        text = re.sub(r"^summary:.*\n(?:[ \t]+.*\n)*", line + "\n", text, count=1, flags=re.M)
    else:
        text = text.replace("---\n", "---\n" + line + "\n", 1)
    (source / SLUGGED).write_text(text, "utf-8")


def new_item(source: Path) -> None:
    (source / "news" / "2024").mkdir(exist_ok=True)
    (source / "news" / "2024" / "bai-moi-thu.md").write_text(
        '---\ntitle: "Bài mới về giám sát"\ndate: "2024-03-04 10:00"\nunit: huyen-van-yen\n'
        "category: Dân vận\ntags: [Thẻ mới]\n---\n\nNội dung bài mới.\n", "utf-8")


def deleted_item(source: Path) -> None:
    (source / SLUGGED).unlink()


def figures_changed(source: Path) -> None:
    path = next(p for p in sorted((source / "news").rglob("*.md")) if "figures:" in p.read_text("utf-8"))
    text = path.read_text("utf-8")
    new = re.sub(r'(thanh-vien-to-dan-van, period: "2017", value: ")(\d+)', lambda m: f"{m.group(1)}{int(m.group(2)) + 1}",
                 text, count=1)
    assert new != text
    path.write_text(new, "utf-8")


def units_changed(source: Path) -> None:
    path = source / "units.yaml"
    text = path.read_text("utf-8")
    new = re.sub(r"(name: *\"?)([^\n\"]+)", lambda m: m.group(1) + m.group(2) + " mới", text, count=1)
    assert new != text
    path.write_text(new, "utf-8")


def template_changed(source: Path) -> None:
    theme = Path(fast_module.__file__).resolve().parents[2] / "themes" / "default" / "templates" / "article.html"
    (source / "templates").mkdir()
    text = theme.read_text("utf-8")
    (source / "templates" / "article.html").write_text(text.replace("</article>", "<p>Mẫu riêng.</p></article>", 1),
                                                       "utf-8")


@pytest.mark.parametrize("edit", [body, title, summary])
def test_an_edit_of_one_item_takes_the_fast_path_from_the_disk(tmp_path: Path, edit: Edit) -> None:
    source, out = built(tmp_path)
    edit(source)
    result = cli_build(source, out)
    assert result.fast
    assert 0 < len(result.written_paths) < 40
    assert_clean(source, out, tmp_path)
    assert not cli_build(source, out).report.changed  # and then nothing to do


@pytest.mark.parametrize("edit", [new_item, deleted_item, figures_changed, units_changed, template_changed])
def test_any_other_change_takes_the_full_path_and_gives_a_clean_build(tmp_path: Path, edit: Edit) -> None:
    source, out = built(tmp_path)
    edit(source)
    assert not cli_build(source, out).fast
    assert_clean(source, out, tmp_path)
    _append(source / OTHER, "\nThêm.\n")  # and the full build left a snapshot for the next edit
    assert cli_build(source, out).fast
    assert_clean(source, out, tmp_path)


def test_edits_in_several_processes_start_from_the_same_snapshot(tmp_path: Path) -> None:
    source, out = built(tmp_path)
    original = (source / SLUGGED).read_text("utf-8")
    for step, edit in enumerate([body, title, lambda s: _append(s / OTHER, "\nThêm.\n"),
                                 lambda s: (s / SLUGGED).write_text(original, "utf-8"), summary]):
        edit(source)
        assert cli_build(source, out).fast, step
        assert_clean(source, out, tmp_path)


def test_a_build_killed_while_writing_the_edit_is_completed_by_the_next(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    source, out = built(tmp_path)
    body(source)

    def killed(output: Path, changed: list[tuple[str, bytes]]) -> None:
        path, data = changed[0]
        (output / path).write_bytes(data[: len(data) // 2])
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(fast_module, "write_many_in_place", killed)
        with pytest.raises(KeyboardInterrupt):
            cli_build(source, out)
    assert not cli_build(source, out).fast
    assert_clean(source, out, tmp_path)


def test_serve_and_other_builds_in_between_are_never_undone(tmp_path: Path) -> None:
    source, out = built(tmp_path)
    live = LiveBuilder(source, out, jobs=1)
    live.build(NOW)
    live.index_search()
    body(source)
    assert live.build(NOW).fast
    live.index_search()
    title(source)
    assert not cli_build(source, out).fast  # serve's full build left no snapshot on disk
    assert_clean(source, out, tmp_path)
    Builder(source, out, jobs=1, portable=True).build(NOW)
    summary(source)
    cli_build(source, out)
    assert_clean(source, out, tmp_path)


def test_an_output_file_removed_is_written_again(tmp_path: Path) -> None:
    source, out = built(tmp_path)
    (out / "lien-he" / "index.html").unlink()
    body(source)
    cli_build(source, out)
    assert_clean(source, out, tmp_path)


def _snapshot_file(source: Path) -> Path:
    found = list(cache_folder(source).glob("snapshot-*.pickle"))
    assert len(found) == 1
    return found[0]


def test_a_snapshot_of_another_code_version_is_not_read(tmp_path: Path) -> None:
    source, out = built(tmp_path)
    path = _snapshot_file(source)
    value = pickle.loads(path.read_bytes())
    path.write_bytes(pickle.dumps((value[0], "another version", *value[2:])))
    body(source)
    assert not cli_build(source, out).fast
    assert_clean(source, out, tmp_path)


@pytest.mark.parametrize("name", ["snapshot", "cache.pickle"])
def test_a_damaged_cache_file_means_the_full_path(tmp_path: Path, name: str) -> None:
    source, out = built(tmp_path)
    path = _snapshot_file(source) if name == "snapshot" else cache_folder(source) / name
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3] + b"\x00garbage")
    body(source)
    assert not cli_build(source, out).fast
    assert_clean(source, out, tmp_path)


def test_a_build_with_nothing_to_do_imports_none_of_the_pipeline(tmp_path: Path) -> None:
    """`site-builder build` with nothing changed answers from `build.quick`: no Markdown, Jinja2,
    Babel, YAML or Pagefind loaded; after an edit it builds."""
    source = tmp_path / "content"
    shutil.copytree(SAMPLE, source)
    out = tmp_path / "out"
    program = ("import sys\nfrom site_builder.cli.main import main\n"
               f"code = main(['build', '--source', {str(source)!r}, '--output', {str(out)!r}])\n"
               "heavy = {'jinja2', 'markdown', 'babel', 'pagefind', 'yaml', 'openpyxl', 'frontmatter'}\n"
               "print(code, sorted(m for m in heavy if m in sys.modules))\n")

    def run() -> str:
        done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
        return done.stdout.strip().splitlines()[-1]

    assert run().startswith("0 ['babel'")  # the first build loads everything
    assert run() == "0 []"
    body(source)
    assert run().startswith("0 ['babel'")
