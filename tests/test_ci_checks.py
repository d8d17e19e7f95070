"""`tests/run.sh` runs ruff and mypy after installing and before pytest, and stops the run on a
finding: checked by running run.sh's own check lines in a folder holding a copy of pyproject.toml
and a tiny `site_builder` package, clean or with a planted finding."""
from __future__ import annotations

import os
import subprocess
import tomllib
from pathlib import Path

import pytest
from conftest import REPO

RUN_SH = REPO / "tests/run.sh"
REACHED = "PYTEST-WOULD-RUN"
CLEAN = '"""A tiny package."""\nfrom __future__ import annotations\n\n\ndef double(x: int) -> int:\n    return 2 * x\n'
UNSORTED = '"""A tiny package."""\nimport sys\nimport os\n\nprint(os.sep, sys.argv)\n'
UNTYPED = '"""A tiny package."""\n\n\ndef double(x):\n    return 2 * x\n'


def _lines() -> list[str]:
    return RUN_SH.read_text(encoding="utf-8").splitlines()


def check_block() -> list[str]:
    """run.sh's lines from the comment "# Lint and types" up to the next blank line."""
    lines = _lines()
    start = next(i for i, line in enumerate(lines) if line.startswith("# Lint and types"))
    end = next(i for i in range(start, len(lines)) if not lines[i].strip())
    return lines[start:end]


def run_checks(tmp_path: Path, package: str) -> subprocess.CompletedProcess[str]:
    """run.sh's check lines, then a marker standing for pytest, with bash's options as run.sh sets
    them, in a folder with the repository's pyproject.toml, its .venv and `package` as site_builder."""
    (tmp_path / "pyproject.toml").write_text((REPO / "pyproject.toml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / ".venv").symlink_to(REPO / ".venv")
    (tmp_path / "site_builder").mkdir()
    (tmp_path / "site_builder/__init__.py").write_text(package, encoding="utf-8")
    script = "set -euo pipefail\n" + "\n".join(check_block()) + f"\necho {REACHED}\n"
    env = {k: v for k, v in os.environ.items() if k not in ("MYPYPATH", "RUFF_CACHE_DIR")}
    return subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300)


def test_checks_come_after_install_and_before_pytest() -> None:
    lines = _lines()
    block = check_block()
    start = lines.index(block[0])
    install = next(i for i, line in enumerate(lines) if "pip install" in line and "'.[test]'" in line)
    pytest_line = next(i for i, line in enumerate(lines) if "-m pytest" in line)
    assert install < start < start + len(block) <= pytest_line
    assert any(line.strip().startswith("if ! .venv/bin/ruff check .;") for line in block)
    assert any(line.strip().startswith("if ! .venv/bin/mypy;") for line in block)
    assert sum(line.strip() == "exit 1" for line in block) == 2


def test_test_extras_install_the_checkers() -> None:
    extras = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    names = {requirement.split(">")[0].split("=")[0].strip().lower() for requirement in extras["test"]}
    assert {"ruff", "mypy", "types-pyyaml", "types-markdown"} <= names


@pytest.mark.timeout(600)
def test_clean_code_goes_on_to_pytest(tmp_path: Path) -> None:
    result = run_checks(tmp_path, CLEAN)
    assert result.returncode == 0, result.stdout + result.stderr
    assert REACHED in result.stdout


def test_a_ruff_finding_stops_the_run(tmp_path: Path) -> None:
    result = run_checks(tmp_path, UNSORTED)
    assert result.returncode == 1, result.stdout + result.stderr
    assert REACHED not in result.stdout
    assert "I001" in result.stdout  # ruff's own report: the imports are not sorted
    assert "Lỗi: ruff check . có phát hiện" in result.stderr
    assert "mypy" not in result.stderr


@pytest.mark.timeout(600)
def test_a_mypy_finding_stops_the_run(tmp_path: Path) -> None:
    result = run_checks(tmp_path, UNTYPED)
    assert result.returncode == 1, result.stdout + result.stderr
    assert REACHED not in result.stdout
    assert "[no-untyped-def]" in result.stdout  # mypy --strict's own report
    assert "Lỗi: mypy có phát hiện" in result.stderr
