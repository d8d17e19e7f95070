"""Every built page of the sample site passes the Nu Html Checker with zero errors."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VNU = ROOT / ".venv" / "node" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def _checker() -> list[str]:
    if VNU.is_file() and shutil.which("java"):
        return ["java", "-jar", str(VNU)]
    if os.environ.get("CI"):
        pytest.fail("vnu.jar or java is missing: tests/run.sh installs them")
    pytest.skip("vnu.jar not installed (run tests/run.sh)")


def test_every_page_is_valid_html(built_sample: Path) -> None:
    command = _checker()
    pages = sorted(str(p) for p in built_sample.rglob("*.html"))
    assert len(pages) > 50
    result = subprocess.run(command + ["--errors-only", "--format", "json", *pages],
                            capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    errors = [f'{m.get("url", "")}:{m.get("lastLine", "")}: {m["message"]}' for m in messages if m.get("type") == "error"]
    assert errors == []
