"""Typed stage caches (`base.stages`, `model.stages`, `plan.stages`) and `assemble_site`: what a
stage keeps is given back only for the same inputs, with the warnings it gave, and a Site
assembled again from the same parts is the same Site."""
from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from conftest import SAMPLE

from site_builder.base.cache import BuildCache
from site_builder.base.errors import Problems, SourceError
from site_builder.base.stages import Slot
from site_builder.live.builder import LiveBuilder
from site_builder.load.content import Item
from site_builder.model.site import Site, assemble_site, load_site
from site_builder.model.stages import ModelStages
from site_builder.plan.pages import PlannedPage, PlanStages, plan_pages

NOW = datetime(2026, 6, 15, tzinfo=UTC)
NO_FIGURES = "news/2020/van-yen-mat-tran-huyen-va-co-quan-khoi.md"  # an item that reports no figures
WITH_FIGURES = "news/2020/yen-bai-co-quan-khoi-hai-cap.md"


def _warning(text: str) -> SourceError:
    problems = Problems()
    problems.warn("content/news/a.md", 3, text)
    return problems.items[0]


def test_a_slot_gives_its_value_only_for_its_key_and_says_its_warnings_again() -> None:
    slot: Slot[list[int]] = Slot()
    problems = Problems()
    assert slot.get("a", problems) is None
    value, said = [1, 2], (_warning("một"), _warning("hai"))
    assert slot.put("a", value, said) is value
    assert slot.get("b", problems) is None and problems.items == []
    assert slot.get("a", problems) is value
    assert problems.items == list(said)
    assert slot.get("a", problems) is value  # said again on every reuse, as the stage would
    assert problems.items == [*said, *said]
    assert slot.get("a") is value  # without problems: the value only
    slot.put("b", [3])
    assert slot.get("a") is None and slot.said == ()
    slot.clear()
    assert slot.get("b") is None


def _copy(tmp_path: Path) -> Path:
    source = tmp_path / "content"
    shutil.copytree(SAMPLE, source)
    return source


def test_assembling_the_same_parts_twice_gives_equal_sites(tmp_path: Path) -> None:
    site = load_site(_copy(tmp_path), now=NOW)
    assert site.parts is not None
    first = assemble_site(site.parts, NOW, Problems(root=site.config.source))
    second = assemble_site(site.parts, NOW, Problems(root=site.config.source))
    assert first == second == site
    assert first.problems.items == second.problems.items
    assert first.figures_key == site.figures_key
    # the parts hold every item read: a later `now` publishes the scheduled ones too
    later = assemble_site(site.parts, datetime(2100, 1, 1, tzinfo=UTC), Problems())
    assert len(later.items) >= len(site.items)


def _shape(site: Site) -> tuple[object, ...]:
    """What a Site says, with items by their file (items compare by identity)."""
    def rels(items: tuple[Item, ...]) -> tuple[str, ...]:
        return tuple(i.rel for i in items)

    return (rels(site.items), tuple(p.rel for p in site.pages),
            tuple((t.slug, t.name, rels(t.items)) for t in (*site.categories, *site.tags)),
            {u: rels(news) for u, news in site.news_by_unit.items()}, site.years, site.next_scheduled,
            site.namesakes, site.figures_key, len(site.records), site.shortfalls, site.problems.items)


def _edit_body(source: Path, rel: str) -> None:
    path = source / rel
    path.write_text(path.read_text("utf-8") + "\nMột đoạn mới.\n", "utf-8")


def test_an_edit_that_changes_no_figure_reuses_the_figures_and_their_pages(tmp_path: Path) -> None:
    source = _copy(tmp_path)
    cache, model, plan = BuildCache(None), ModelStages(), PlanStages()
    site = load_site(source, now=NOW, cache=cache, stages=model)
    planned = plan_pages(site, None, site.problems, plan)
    assert site.records and model.figures.key == site.figures_key and plan.figure_pages.value

    _edit_body(source, NO_FIGURES)
    again = load_site(source, now=NOW, cache=cache, stages=model)
    fresh = load_site(source, now=NOW)  # no stages: everything made anew
    assert again.totals is site.totals and again.records is site.records  # reused
    assert _shape(again) == _shape(fresh)  # the same warnings said too
    replanned = plan_pages(again, None, again.problems, plan)
    figure_pages = {e.path: e for e in planned if e.path.startswith("so-lieu/")}
    assert figure_pages and all(figure_pages[e.path] is e for e in replanned if e.path.startswith("so-lieu/"))
    assert [e.path for e in replanned] == [e.path for e in plan_pages(fresh, None, Problems())]

    _edit_body(source, WITH_FIGURES)  # a body edit leaves its figures alone too
    assert load_site(source, now=NOW, cache=cache, stages=model).totals is site.totals


def test_an_edit_of_figures_makes_them_again(tmp_path: Path) -> None:
    source = _copy(tmp_path)
    cache, model = BuildCache(None), ModelStages()
    site = load_site(source, now=NOW, cache=cache, stages=model)
    (source / "data" / "yen-bai-2020.csv").write_text((source / "data" / "yen-bai-2020.csv").read_text("utf-8") + "\n",
                                                     "utf-8")
    again = load_site(source, now=NOW, cache=cache, stages=model)
    assert again.figures_key != site.figures_key and again.totals is not site.totals
    assert _shape(again) == _shape(load_site(source, now=NOW))


def test_the_fast_path_plans_the_edited_item_into_every_page_holding_it(tmp_path: Path) -> None:
    """`serve`'s fast path re-assembles and re-plans: every planned page holding the edited item
    holds the new one, and the planned files are where they were."""
    source = _copy(tmp_path)
    builder = LiveBuilder(source, tmp_path / "out", jobs=1)
    builder.build(NOW)
    assert builder.snapshot is not None
    paths = [e.path for e in builder.snapshot.files]
    _edit_body(source, NO_FIGURES)
    assert builder.build(NOW).fast
    snap = builder.snapshot
    assert snap is not None and [e.path for e in snap.files] == paths
    new = next(i for i in snap.site.items if i.rel == NO_FIGURES)
    assert "Một đoạn mới." in new.body_html
    holders = [e for e in snap.files if isinstance(e, PlannedPage)
               and any(getattr(v, "rel", None) == NO_FIGURES or
                       (isinstance(v, (list, tuple)) and any(getattr(x, "rel", None) == NO_FIGURES for x in v))
                       for v in e.context.values())]
    assert len(holders) > 3
    for entry in holders:
        for value in entry.context.values():
            for x in (value if isinstance(value, (list, tuple)) else [value]):
                if getattr(x, "rel", None) == NO_FIGURES:
                    assert x is new, entry.path
    assert _shape(snap.site) == _shape(load_site(source, now=NOW))


def _context_shape(value: object) -> object:
    if isinstance(value, Item):
        return ("item", value.rel, value.body_html, value.summary, value.title)
    if isinstance(value, (list, tuple)):
        return [_context_shape(v) for v in value]
    if isinstance(value, dict):
        return {k: _context_shape(v) for k, v in value.items()}
    return repr(value) if isinstance(value, (str, int, type(None))) else type(value).__name__


def test_a_kept_site_and_plan_with_an_edited_item_are_what_a_full_assembly_and_plan_make(tmp_path: Path) -> None:
    """An edit of an item's content (not of its place) reuses the assembled Site and the plan,
    with the new item in every list and page that holds it: as if made anew."""
    source = _copy(tmp_path)
    cache, model, plan = BuildCache(None), ModelStages(), PlanStages()
    site = load_site(source, now=NOW, cache=cache, stages=model)
    plan_pages(site, None, site.problems, plan)
    path = source / NO_FIGURES
    path.write_text(path.read_text("utf-8").replace("  - Hoàng Lan\n", "  - Hoàng Lan Anh\n", 1)
                    + "\nMột đoạn mới.\n", "utf-8")
    again = load_site(source, now=NOW, cache=cache, stages=model)
    assert model.assembly.value is again and again.assembly_key == site.assembly_key  # reused
    fresh = load_site(source, now=NOW)
    assert _shape(again) == _shape(fresh)
    edited = next(i for i in again.items if i.rel == NO_FIGURES)
    assert "Một đoạn mới." in edited.body_html and edited.authors == ("Hoàng Lan Anh",)
    for holder in (again.items, *(t.items for t in (*again.categories, *again.tags)), *again.news_by_unit.values()):
        assert all(i is edited for i in holder if i.rel == NO_FIGURES)
    kept_plan = plan_pages(again, None, Problems(), plan)
    assert plan.plan.value is not None and plan.plan.value.site is again
    full_plan = plan_pages(fresh, None, Problems())
    assert [e.path for e in kept_plan] == [e.path for e in full_plan]
    for a, b in zip(kept_plan, full_plan):
        assert a.deps == b.deps, a.path
        if isinstance(a, PlannedPage):
            assert isinstance(b, PlannedPage) and _context_shape(a.context) == _context_shape(b.context), a.path
