"""On CI a skipped test fails the run (conftest.py's `NoSkipsOnCI`), and `tests/run.sh` shows the
reasons of skips: checked by running pytest on tiny test files beside a copy of conftest.py."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from conftest import REPO

TINY = textwrap.dedent("""\
    import pytest

    def test_passes():
        pass

    @pytest.mark.xfail(strict=True, reason="lỗi đã biết")
    def test_known_bug():
        assert False
    """)
SKIPPED = TINY + textwrap.dedent("""\

    def test_needs_a_tool():
        pytest.skip("thiếu chromium")
    """)
SKIPPED_MODULE = 'import pytest\n\npytest.importorskip("khong_co_goi_nay")\n\n\ndef test_x():\n    pass\n'


def run_pytest(tmp_path: Path, tests: dict[str, str], ci: str | None) -> subprocess.CompletedProcess[str]:
    """pytest in a folder holding a copy of the suite's conftest.py and `tests`, with CI set to `ci`
    (None: unset)."""
    shutil.copy(REPO / "tests/conftest.py", tmp_path / "conftest.py")
    for name, text in tests.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci is not None:
        env["CI"] = ci
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", "."],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


def test_a_skip_passes_off_ci(tmp_path: Path) -> None:
    result = run_pytest(tmp_path, {"test_tiny.py": SKIPPED}, ci=None)
    assert result.returncode == 0, result.stdout
    assert "SKIPPED [1] test_tiny.py:" in result.stdout and "thiếu chromium" in result.stdout
    assert "1 passed, 1 skipped, 1 xfailed" in result.stdout


def test_a_skip_fails_on_ci(tmp_path: Path) -> None:
    result = run_pytest(tmp_path, {"test_tiny.py": SKIPPED}, ci="true")
    assert result.returncode == 1, result.stdout
    assert ("Lỗi: trên CI không được bỏ qua bài kiểm thử nào; 1 bài bị bỏ qua: test_tiny.py::test_needs_a_tool"
            in result.stdout)
    assert "thiếu chromium" in result.stdout  # -rs: the reason is shown


def test_a_skipped_module_fails_on_ci(tmp_path: Path) -> None:
    result = run_pytest(tmp_path, {"test_tiny.py": TINY, "test_module.py": SKIPPED_MODULE}, ci="true")
    assert result.returncode == 1, result.stdout
    assert "1 bài bị bỏ qua: test_module.py" in result.stdout


def test_no_skip_passes_on_ci(tmp_path: Path) -> None:
    """A strict xfail is a known bug, not a skip: it does not fail the run."""
    result = run_pytest(tmp_path, {"test_tiny.py": TINY}, ci="true")
    assert result.returncode == 0, result.stdout
    assert "1 passed, 1 xfailed" in result.stdout and "bị bỏ qua" not in result.stdout


def test_ci_set_to_false_is_off_ci(tmp_path: Path) -> None:
    assert run_pytest(tmp_path, {"test_tiny.py": SKIPPED}, ci="false").returncode == 0


def test_run_sh_shows_skip_reasons() -> None:
    lines = (REPO / "tests/run.sh").read_text(encoding="utf-8").splitlines()
    assert [line for line in lines if "-m pytest" in line] == ['.venv/bin/python -m pytest -q -rs -n 2 "$@"']
