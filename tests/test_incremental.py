"""Incremental builds give exactly what a clean full build gives, after any sequence of edits,
and a one-item edit writes only the pages that show that item."""
from __future__ import annotations

import random
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import SAMPLE

from site_builder.build.builder import Builder
from site_builder.live.builder import LiveBuilder

NOW = datetime(2026, 6, 15, tzinfo=UTC)


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def clean_build(source: Path, out: Path) -> dict[str, bytes]:
    if out.exists():
        shutil.rmtree(out)
    Builder(source, out, use_cache=False, jobs=1).build(NOW)
    return tree(out)


def news_files(source: Path) -> list[Path]:
    return sorted(p for p in (source / "news").rglob("*.md") if "draft: true" not in p.read_text("utf-8")
                  and "2027" not in p.as_posix())


def replace_line(path: Path, key: str, value: str) -> None:
    text = path.read_text("utf-8")
    text = re.sub(rf"^{key}:.*$", f"{key}: {value}", text, count=1, flags=re.M)
    path.write_text(text, "utf-8")


def _title(rng: random.Random, source: Path) -> None:
    replace_line(rng.choice(news_files(source)), "title", f'"Tiêu đề sửa {rng.randrange(1000)}: Đảng ủy"')


def _body(rng: random.Random, source: Path) -> None:
    path = rng.choice(news_files(source))
    path.write_text(path.read_text("utf-8") + f"\nĐoạn thêm số {rng.randrange(1000)}.\n", "utf-8")


def _date(rng: random.Random, source: Path) -> None:
    replace_line(rng.choice(news_files(source)), "date", f'"20{rng.randint(16, 24)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)} 08:00"')


def _add(rng: random.Random, source: Path) -> None:
    n = rng.randrange(10_000)
    (source / "news" / "2024").mkdir(exist_ok=True)
    (source / "news" / "2024" / f"moi-{n}.md").write_text(
        f'---\ntitle: "Bài mới {n} về giám sát"\ndate: "2024-0{rng.randint(1, 9)}-0{rng.randint(1, 9)} 10:00"\n'
        f"unit: {rng.choice(['xa-hanh-son', 'phuong-mong-cai-1', 'tp-mong-cai', 'huyen-van-yen'])}\n"
        f"category: Dân vận\ntags: [Thẻ {rng.randrange(3)}]\n---\n\nNội dung bài mới {n}.\n", "utf-8")


def _delete(rng: random.Random, source: Path) -> None:
    files = [p for p in news_files(source) if "figures:" not in p.read_text("utf-8")]
    if len(files) > 3:
        rng.choice(files).unlink()


def _rename(rng: random.Random, source: Path) -> None:
    path = rng.choice(news_files(source))
    path.rename(path.with_name(f"doi-ten-{rng.randrange(1000)}-{path.name}"))


def _tags(rng: random.Random, source: Path) -> None:
    replace_line(rng.choice(news_files(source)), "category", rng.choice(["Dân vận", "Giám sát, phản biện", "Tin mới"]))


def _unit_name(rng: random.Random, source: Path) -> None:
    path = source / "units.yaml"
    text = path.read_text("utf-8").replace("name: Xã Hạnh Sơn", f"name: Xã Hạnh Sơn {rng.randrange(9)}", 1)
    text = re.sub(r"name: Xã Hạnh Sơn \d( \d)*", f"name: Xã Hạnh Sơn {rng.randrange(9)}", text, count=1)
    path.write_text(text, "utf-8")


def _metric(rng: random.Random, source: Path) -> None:
    path = source / "metrics.yaml"
    text = path.read_text("utf-8")
    text = re.sub(r"label: Khẩu trang tiếp nhận.*", f"label: Khẩu trang tiếp nhận (lần {rng.randrange(99)})", text, count=1)
    path.write_text(text, "utf-8")


def _record(rng: random.Random, source: Path) -> None:
    path = source / "data" / "yen-bai-2020.csv"
    text = path.read_text("utf-8")
    path.write_text(re.sub(r",2020-H1,173,173,", f",2020-H1,{rng.randint(100, 173)},173,", text), "utf-8")


def _template(rng: random.Random, source: Path) -> None:
    theme = SAMPLE.parent / "themes" / "default" / "templates" / "page.html"
    target = source / "templates" / "page.html"
    target.parent.mkdir(exist_ok=True)
    target.write_text(theme.read_text("utf-8").replace("<h1>{{ page.title }}</h1>",
                                                       f"<h1>{{{{ page.title }}}} ({rng.randrange(99)})</h1>"), "utf-8")


def _config(rng: random.Random, source: Path) -> None:
    replace_line(source / "site.yaml", "per_page", str(rng.choice([5, 7, 10])))


def _page(rng: random.Random, source: Path) -> None:
    path = source / "pages" / "lien-he.md"
    path.write_text(path.read_text("utf-8") + f"\nCập nhật {rng.randrange(99)}.\n", "utf-8")


def _media(rng: random.Random, source: Path) -> None:
    (source / "media" / f"tep-{rng.randrange(5)}.txt").write_text(f"tệp {rng.randrange(99)}\n", "utf-8")


def _draft(rng: random.Random, source: Path) -> None:
    files = [p for p in news_files(source) if "figures:" not in p.read_text("utf-8")]
    path = rng.choice(files)
    path.write_text(path.read_text("utf-8").replace("\n---\n", "\ndraft: true\n---\n", 1), "utf-8")


EDITS = [_title, _body, _date, _add, _delete, _rename, _tags, _unit_name, _metric, _record, _template,
         _config, _page, _media, _draft]


def _summary(rng: random.Random, source: Path) -> None:
    """A new summary for an item without figures: lists show it, nothing moves."""
    path = rng.choice([p for p in news_files(source) if "figures:" not in p.read_text("utf-8")])
    text = path.read_text("utf-8")
    line = f'summary: "Tóm tắt mới {rng.randrange(1000)} về Đảng ủy & <b>dân vận</b>"'
    if re.search(r"^summary:", text, flags=re.M):  # with a block scalar's indented lines
        text = re.sub(r"^summary:.*\n(?:[ \t]+.*\n)*", line + "\n", text, count=1, flags=re.M)
    else:
        text = text.replace("---\n", "---\n" + line + "\n", 1)
    path.write_text(text, "utf-8")


def live_builder(tmp_path: Path) -> tuple[Path, Path, LiveBuilder]:
    """The sample in tmp_path and a Builder set up as `serve` sets it, after its first build."""
    source = tmp_path / "content"
    shutil.copytree(SAMPLE, source)
    out = tmp_path / "out"
    builder = LiveBuilder(source, out, jobs=1)
    builder.build(NOW)
    builder.index_search()
    return source, out, builder


def _bodies(rng: random.Random, source: Path) -> None:
    """Body edits of one to three items at once (what the live fast path handles)."""
    for _ in range(rng.randint(1, 3)):
        _body(rng, source)


@pytest.mark.parametrize("seed", [1, 2])
def test_incremental_equals_clean_build_after_random_edits(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    source = tmp_path / "content"
    shutil.copytree(SAMPLE, source)
    out = tmp_path / "out"
    builder = Builder(source, out, jobs=1)
    builder.build(NOW)
    assert tree(out) == clean_build(source, tmp_path / "clean")
    for step in range(10):
        for edit in rng.sample(EDITS, 2):
            edit(rng, source)
        Builder(source, out, jobs=1).build(NOW) if step % 3 == 0 else builder.build(NOW)
        incremental, clean = tree(out), clean_build(source, tmp_path / "clean")
        assert incremental.keys() == clean.keys(), step
        different = [p for p in clean if clean[p] != incremental[p]]
        assert different == [], (step, different[:5])


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_live_builder_equals_clean_build_after_random_edits(tmp_path: Path, seed: int) -> None:
    """`serve`'s Builder keeps the last good build in memory and takes the fast path for edits
    of bodies and summaries: after any mix of those and other edits, its output is a clean build's."""
    rng = random.Random(seed)
    source, out, builder = live_builder(tmp_path)
    fast = 0
    for step in range(10):  # 14 until the suite neared CI's 15 minutes: each step is a clean build
        roll = rng.random()
        edits = [_bodies] if roll < 0.45 else [_summary, _bodies] if roll < 0.65 else rng.sample(EDITS, 2)
        for edit in edits:
            edit(rng, source)
        result = builder.build(NOW)
        builder.index_search()
        fast += result.fast
        if _bodies in edits:
            assert result.fast, step
        incremental, clean = tree(out), clean_build(source, tmp_path / "clean")
        assert incremental.keys() == clean.keys(), step
        different = [p for p in clean if clean[p] != incremental[p]]
        assert different == [], (step, different[:5])
    assert fast >= 4


def test_no_change_writes_nothing_and_one_body_edit_writes_only_its_pages(tmp_path: Path) -> None:
    source = tmp_path / "content"
    shutil.copytree(SAMPLE, source)
    out = tmp_path / "out"
    builder = Builder(source, out, jobs=1)
    builder.build(NOW)
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    again = Builder(source, out, jobs=1).build(NOW)
    assert again.written_paths == () and not again.report.changed and again.rendered == 0
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == before

    item = source / "news" / "2020" / "van-yen-mat-tran-huyen-va-co-quan-khoi.md"
    item.write_text(item.read_text("utf-8") + "\nMột đoạn mới về Đoàn Thanh niên.\n", "utf-8")
    result = builder.build(NOW)
    article = "tin-tuc/2020/08/van-yen-mat-tran-huyen-cung-cac-doan-the-chia-se-mot-bo-may-giup-viec/index.html"
    written = set(result.written_paths)
    assert article in written
    pages = {p for p in written if not p.startswith("pagefind/") and p != "tim-kiem/bo-loc.json"}
    # the body shows only on its article and in the feeds that carry it
    assert pages == {article, "feed.xml", "don-vi/huyen-van-yen/feed.xml", "don-vi/tinh-yen-bai/feed.xml",
                     "don-vi/viet-nam/feed.xml"}
    assert result.rendered < 40
    assert tree(out) == clean_build(source, tmp_path / "clean")


def test_parallel_cold_build_is_identical_to_a_serial_one(tmp_path: Path) -> None:
    """Workers parse (64+ changed items) and render (200+ files) in parallel: same bytes."""
    source = tmp_path / "content"
    shutil.copytree(SAMPLE, source)
    for n in range(80):
        (source / "news" / "2023").mkdir(exist_ok=True)
        (source / "news" / "2023" / f"bai-{n}.md").write_text(
            f'---\ntitle: "Bài số {n}: hội nghị ở Hạnh Sơn"\ndate: "2023-{n % 12 + 1:02d}-{n % 27 + 1:02d} 08:00"\n'
            f"unit: xa-hanh-son\ntags: [Thẻ {n % 5}]\n---\n\n## Phần {n}\n\nNội dung **{n}**, Đảng ủy.\n", "utf-8")
    serial = Builder(source, tmp_path / "serial", jobs=1, use_cache=False).build(NOW)
    parallel = Builder(source, tmp_path / "parallel", jobs=2, use_cache=False).build(NOW)
    assert serial.rendered == parallel.rendered > 200
    assert tree(tmp_path / "serial") == tree(tmp_path / "parallel")


def test_deferred_search_keeps_the_index_until_it_is_rebuilt(tmp_path: Path) -> None:
    """`serve` writes pages first and indexes after; edits in between never delete the index."""
    source = tmp_path / "content"
    shutil.copytree(SAMPLE, source)
    out = tmp_path / "out"
    Builder(source, out, jobs=1).build(NOW)
    index = {p for p in tree(out) if p.startswith("pagefind/")}
    assert index
    builder = Builder(source, out, jobs=1, defer_search=True)
    item = news_files(source)[0]
    for n in range(3):  # three saves, the index not rebuilt in between
        item.write_text(item.read_text("utf-8") + f"\nĐoạn thêm {n}.\n", "utf-8")
        builder.build(NOW)
        assert {p for p in tree(out) if p.startswith("pagefind/")} == index
    builder.index_search()
    assert tree(out) == clean_build(source, tmp_path / "clean")


def test_live_body_edit_reindexes_only_the_part_of_its_year(tmp_path: Path) -> None:
    """The search index comes in parts (a year of articles each, and the rest): after a body
    edit, only its year's part is indexed again, and the result is a clean build's."""
    source, out, builder = live_builder(tmp_path)
    parts = {p.parent.name for p in (out / "pagefind").glob("*/pagefind-entry.json")}
    assert len(parts) >= 3 and "2020" in parts
    before = {p: p.stat().st_mtime_ns for p in (out / "pagefind").rglob("*") if p.is_file()}
    item = source / "news" / "2020" / "van-yen-mat-tran-huyen-va-co-quan-khoi.md"
    item.write_text(item.read_text("utf-8") + "\nMột đoạn mới về Đoàn Thanh niên.\n", "utf-8")
    assert builder.build(NOW).fast
    assert builder.search.shards_due == {"2020"}
    builder.index_search()
    after = {p: p.stat().st_mtime_ns for p in (out / "pagefind").rglob("*") if p.is_file()}
    touched = {p.relative_to(out).parts[1] for p in after if before.get(p) != after[p]}
    assert touched == {"2020"}
    assert all(p.relative_to(out).parts[1] == "2020" for p in set(before) - set(after))  # others kept
    assert tree(out) == clean_build(source, tmp_path / "clean")


def test_no_change_reads_only_the_last_build_record(tmp_path: Path) -> None:
    """A build that finds nothing changed answers from the small record beside the cache, without
    reading the cache itself; a missing output file or an unfinished build makes it look again."""
    source = tmp_path / "content"
    shutil.copytree(SAMPLE, source)
    out = tmp_path / "out"
    Builder(source, out, jobs=1).build(NOW)
    quick = Builder(source, out, jobs=1)
    assert quick.build(NOW).written_paths == () and quick.cache._state is None
    (out / "robots.txt").unlink()
    again = Builder(source, out, jobs=1)
    assert again.build(NOW).written_paths == ("robots.txt",)
    marker = Builder(source, out, jobs=1)
    marker.cache.writing(out)  # as a build killed while writing leaves it
    assert Builder(source, out, jobs=1).build(NOW).rendered > 0
    assert tree(out) == clean_build(source, tmp_path / "clean")
