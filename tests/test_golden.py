"""Golden output (Pelican's model): a few pages of the built sample compared byte for byte with
copies kept in tests/golden/, so that a template change shows up as a diff to review.

When a change of output is intended, rewrite the copies and review them with `git diff`:

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest -q tests/test_golden.py

A rewritten page is reported as skipped (which fails the run on CI, where UPDATE_GOLDEN has no
place); an unchanged one passes. The sample is built at conftest's fixed `NOW`, and the build
writes the same bytes for the same sources (the date of the build appears nowhere in these pages)."""
from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

GOLDEN = Path(__file__).resolve().parent / "golden"

# One page of each main template, chosen small: the home page, an article with a lead image, a body
# image and a table of figures, a unit page with its charts, one unit × metric page, a unit's Atom
# feed with entries, and the open-data CSV of every figure.
PAGES = [
    "index.html",
    "tin-tuc/2020/08/yen-bai-mo-hinh-co-quan-giup-viec-chung-khoi-mat-tran-va-cac-doan-the-phu-kin-hai-cap/index.html",
    "don-vi/tp-mong-cai/index.html",
    "don-vi/tp-mong-cai/so-lieu/thanh-vien-to-dan-van/index.html",
    "don-vi/tp-mong-cai/feed.xml",
    "so-lieu/du-lieu.csv",
]
CONTEXT_LINES = 3
MAX_DIFF_LINES = 120


def updating() -> bool:
    """True when UPDATE_GOLDEN asks for the golden copies to be rewritten from this build."""
    return os.environ.get("UPDATE_GOLDEN", "").strip().lower() not in ("", "0", "false")


def golden_diff(expected: bytes, actual: bytes, name: str) -> str:
    """A unified diff of two versions of `name`, cut at MAX_DIFF_LINES lines."""
    lines = list(difflib.unified_diff(expected.decode("utf-8", "replace").splitlines(keepends=True),
                                      actual.decode("utf-8", "replace").splitlines(keepends=True),
                                      f"tests/golden/{name}", f"built/{name}", n=CONTEXT_LINES))
    if not lines:  # bytes differ but not the text lines: line endings or invalid UTF-8
        return f"{name}: same lines, other bytes ({len(expected)} → {len(actual)} bytes)\n"
    cut = lines[:MAX_DIFF_LINES]
    if len(lines) > MAX_DIFF_LINES:
        cut.append(f"… {len(lines) - MAX_DIFF_LINES} more diff lines\n")
    return "".join(line if line.endswith("\n") else line + "\n" for line in cut)


@pytest.mark.parametrize("name", PAGES)
def test_page_matches_its_golden_copy(built_sample: Path, name: str) -> None:
    """The built page is byte for byte its golden copy: a template regression fails with a diff."""
    actual = (built_sample / name).read_bytes()
    golden = GOLDEN / name
    expected = golden.read_bytes() if golden.is_file() else None
    if updating() and expected != actual:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(actual)
        pytest.skip(f"tests/golden/{name} rewritten (UPDATE_GOLDEN): review it with git diff")
    if expected is None:
        pytest.fail(f"tests/golden/{name} is missing: run UPDATE_GOLDEN=1 pytest tests/test_golden.py", pytrace=False)
    if actual != expected:
        pytest.fail(f"{name} differs from its golden copy; if the change is intended, run "
                    f"UPDATE_GOLDEN=1 pytest tests/test_golden.py and review git diff.\n\n"
                    + golden_diff(expected, actual, name), pytrace=False)


def test_no_stray_golden_files() -> None:
    """Every file in tests/golden/ is one of PAGES: a page dropped from the list leaves no stale copy."""
    kept = {p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*") if p.is_file()} - {".gitattributes"}
    assert kept == set(PAGES)


def test_the_diff_shows_the_changed_line() -> None:
    """The failure message names both sides and shows the changed line with its context."""
    old = "".join(f"<p>dòng {i}</p>\n" for i in range(300)).encode()
    new = old.replace("<p>dòng 150</p>".encode(), "<p>Dòng 150</p>".encode())
    diff = golden_diff(old, new, "index.html")
    assert diff.startswith("--- tests/golden/index.html\n+++ built/index.html\n")
    assert "-<p>dòng 150</p>\n+<p>Dòng 150</p>\n" in diff
    assert " <p>dòng 149</p>\n" in diff and "dòng 10</p>" not in diff
    assert golden_diff(b"\xff\n", b"\xfe\n", "x.csv") == "x.csv: same lines, other bytes (2 → 2 bytes)\n"
