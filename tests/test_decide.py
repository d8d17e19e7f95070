"""`decide`: which planned files a build renders, and whether it swaps the output through staging."""
from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.base.cache import Manifest
from site_builder.build import decide as decide_module
from site_builder.build.decide import SWAP_SHARE, Todo, decide
from site_builder.plan.pages import CopiedFile, GeneratedFile, Planned, PlannedPage, SearchIndex


def _page(n: int) -> PlannedPage:
    return PlannedPage(f"p{n}/index.html", "page.html", {"n": n}, frozenset({f"pages/p{n}.md"}))


SEARCH = SearchIndex("pagefind/", [], frozenset())


def _site(pages: int) -> list[Planned]:
    """`pages` pages, a copied and a generated file, and the search index (not a file to render)."""
    return [*(_page(n) for n in range(pages)), CopiedFile("static/a.css", Path("a.css")),
            GeneratedFile("so-lieu/a.csv", lambda: b"", frozenset()), SEARCH]


def _keys(planned: list[Planned]) -> dict[str, str]:
    return {e.path: f"key-{e.path}" for e in planned}


def _built(keys: dict[str, str]) -> Manifest:
    """The manifest a build with these keys leaves."""
    return Manifest({path: (key, "digest") for path, key in keys.items() if path != SEARCH.path})


def test_a_first_build_renders_every_file_through_staging() -> None:
    planned = _site(3)
    todo = decide(planned, _keys(planned), Manifest(), set(), output_is_dir=False)
    assert todo == Todo(tuple(planned[:-1]), tuple(planned[:-1]), SEARCH, swap=True)


def test_nothing_changed_renders_nothing_in_place() -> None:
    planned = _site(3)
    keys = _keys(planned)
    existing = {e.path for e in planned[:-1]}
    todo = decide(planned, keys, _built(keys), existing, output_is_dir=True)
    assert todo.render == () and not todo.swap
    assert todo.files == tuple(planned[:-1]) and todo.search is SEARCH


def test_a_new_key_or_a_missing_file_is_rendered_in_plan_order() -> None:
    planned = _site(8)
    keys = _keys(planned)
    manifest = _built(keys)
    existing = {e.path for e in planned[:-1]} - {"p5/index.html"}
    keys["p2/index.html"] = "changed"
    todo = decide(planned, keys, manifest, existing, output_is_dir=True)
    assert [e.path for e in todo.render] == ["p2/index.html", "p5/index.html"]
    assert not todo.swap  # 2 of 10 files


def test_an_empty_manifest_or_a_missing_output_swaps() -> None:
    planned = _site(3)
    keys = _keys(planned)
    existing = {e.path for e in planned[:-1]}
    assert decide(planned, keys, Manifest(), existing, output_is_dir=True).swap
    assert decide(planned, keys, _built(keys), existing, output_is_dir=False).swap


@pytest.mark.parametrize("changed, swap", [(2, False), (3, True)])
def test_more_than_one_file_in_swap_share_changed_swaps(changed: int, swap: bool) -> None:
    """8 pages + 2 files = 10 files: 2 changed (2 × 4 = 8 ≤ 10) stay in place, 3 (12 > 10) swap."""
    assert SWAP_SHARE == 4
    planned = _site(8)
    keys = _keys(planned)
    manifest = _built(keys)
    for n in range(changed):
        keys[f"p{n}/index.html"] = "changed"
    todo = decide(planned, keys, manifest, {e.path for e in planned[:-1]}, output_is_dir=True)
    assert len(todo.render) == changed and todo.swap is swap


@pytest.mark.parametrize("changed, swap", [(99, False), (100, True)])
def test_a_large_share_swaps_only_from_swap_from_files(changed: int, swap: bool) -> None:
    """`serve` writes a change of fewer than `swap_from` files in place, however large its share
    (a new article touches half of a small site): rendering them here beats staging the rest."""
    planned = _site(198)
    keys = _keys(planned)
    manifest = _built(keys)
    for n in range(changed):
        keys[f"p{n}/index.html"] = "changed"
    todo = decide(planned, keys, manifest, {e.path for e in planned[:-1]}, output_is_dir=True, swap_from=100)
    assert len(todo.render) == changed and todo.swap is swap
    assert decide(planned, keys, Manifest(), set(), output_is_dir=True, swap_from=100).swap  # a first build


def test_the_share_is_read_when_deciding(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests force either write mode through `decide.SWAP_SHARE`."""
    planned = _site(8)
    keys = _keys(planned)
    manifest = _built(keys)
    keys["p0/index.html"] = "changed"
    existing = {e.path for e in planned[:-1]}
    monkeypatch.setattr(decide_module, "SWAP_SHARE", 10_000)
    assert decide(planned, keys, manifest, existing, output_is_dir=True).swap
    monkeypatch.setattr(decide_module, "SWAP_SHARE", 0)
    assert not decide(planned, keys, manifest, existing, output_is_dir=True).swap
