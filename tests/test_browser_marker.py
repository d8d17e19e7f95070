"""`pytest -m "not browser"` works where Playwright is not installed: no test module imports it when
collected, and every test that drives chromium is marked `browser` (conftest.py marks the users of
the chromium fixture). Checked by collecting the suite in a subprocess where `import playwright`
fails, as it does in an environment without it."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import REPO

BLOCKER = 'raise ImportError("playwright is made unimportable for this test")\n'

# One test per module that drives chromium, each of a different kind (fixture used directly,
# through another fixture, through an overriding fixture).
BROWSER_TESTS = [
    "tests/test_xss.py::test_no_vector_runs_in_the_browser",
    "tests/test_xss.py::test_hostile_items_pass_axe",
    "tests/test_search_browser.py::test_nfd_query_finds_like_nfc",
    "tests/test_accessibility.py::test_skip_link_moves_the_focus_to_the_main_content",
    "tests/test_hosting.py::test_pages_in_chromium_stay_on_the_sub_path",
    "tests/test_page_weight.py::test_the_fold_check_sees_an_eager_image_below_the_fold",
    "tests/test_aliases.py::test_the_redirect_page_passes_axe",
]
# Tests of those same modules that need no browser.
OTHER_TESTS = [
    "tests/test_xss.py::test_there_are_at_least_40_vectors",
    "tests/test_hosting.py::test_references_in_feeds_sitemap_and_robots_are_mapped_onto_the_host",
    "tests/test_page_weight.py::test_home_page_with_its_css_and_scripts_is_under_60_kb_gzipped",
    "tests/test_aliases.py::test_an_alias_is_a_redirect_page_to_the_item",
]


def _without_playwright(tmp_path: Path, args: list[str], cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    """Run `python -m pytest ARGS` with a stub `playwright` package first on the path that raises ImportError."""
    stub = tmp_path / "stub"
    (stub / "playwright").mkdir(parents=True, exist_ok=True)
    (stub / "playwright" / "__init__.py").write_text(BLOCKER, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "CI"))}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(stub), os.environ.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def _ids(output: str) -> set[str]:
    """Test ids listed by `pytest --co -q`, parameters dropped."""
    return {line.split("[")[0] for line in output.splitlines() if "::" in line}


def test_the_blocker_catches_a_top_level_import(tmp_path: Path) -> None:
    """The stub is real: a test module importing Playwright at the top fails to collect under it."""
    (tmp_path / "test_top.py").write_text("from playwright.sync_api import Browser\n\n\ndef test_x():\n    pass\n",
                                          encoding="utf-8")
    result = _without_playwright(tmp_path, ["--co", "-q", "test_top.py"], cwd=tmp_path)
    assert result.returncode != 0
    assert "made unimportable for this test" in result.stdout


def test_without_playwright_the_suite_collects_and_chromium_tests_are_marked(tmp_path: Path) -> None:
    """Both halves (`-m browser`, `-m "not browser"`) collect without Playwright; the tests that drive
    chromium are in the first and only there, the others in the second (one test: two collections
    of the suite, about 10 s, made once rather than on each xdist worker)."""
    found: dict[str, set[str]] = {}
    for marks in ("browser", "not browser"):
        result = _without_playwright(tmp_path, ["--co", "-q", "-m", marks, "tests"])
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        assert "deselected" in result.stdout.splitlines()[-1], result.stdout[-3000:]
        found[marks] = _ids(result.stdout)
    assert len(found["not browser"]) > 400
    assert set(OTHER_TESTS) <= found["not browser"]
    assert set(BROWSER_TESTS) <= found["browser"]
    assert found["browser"].isdisjoint(found["not browser"])
