"""Every built page of the sample site passes the Nu Html Checker with zero errors.

The checker's own report is read strictly: no output, output that is not its JSON, a non-zero
exit without an error message, or a file it could not read (a `non-document-error`) all fail, so
a checker that did not really run never passes. A page known to be invalid is checked in the same
run and must be reported. A missing vnu.jar or java fails too, rather than skipping: tests/run.sh
always installs both, so their absence means a broken set-up, and a skip would pass unseen.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import reader_pages

ROOT = Path(__file__).resolve().parent.parent
VNU = ROOT / ".venv" / "node" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# Invalid in two ways vnu reports as errors: a stray end tag and an attribute <p> cannot have.
BROKEN_PAGE = '<!DOCTYPE html><html lang="vi"><head><title>Hỏng</title></head><body><p foo="1">a</div></body></html>\n'
FAILING_TYPES = ("error", "non-document-error")


def _checker() -> list[str]:
    """The command that runs vnu; fails (never skips) when it cannot run."""
    if not VNU.is_file() or not shutil.which("java"):
        pytest.fail(f"vnu.jar ({VNU}) or java is missing: tests/run.sh installs them")
    return ["java", "-jar", str(VNU)]


def read_report(returncode: int, stderr: str) -> dict[str, list[str]]:
    """vnu's JSON report (`--format json`, on stderr) → file URL → its error messages; raises
    AssertionError when the report cannot be trusted."""
    assert stderr.strip(), f"vnu wrote nothing (exit {returncode})"
    try:
        report = json.loads(stderr)
    except json.JSONDecodeError as exc:
        raise AssertionError(f"vnu's output is not JSON ({exc}): {stderr[:500]}") from None
    assert isinstance(report, dict) and isinstance(report.get("messages"), list), stderr[:500]
    errors: dict[str, list[str]] = {}
    for m in report["messages"]:
        if m.get("type") in FAILING_TYPES:
            errors.setdefault(m.get("url", ""), []).append(
                f'{m["type"]}:{m.get("lastLine", "")}: {m.get("message", "")}')
    assert returncode == 0 or errors, f"vnu exited {returncode} without naming an error: {stderr[:500]}"
    return errors


def test_every_page_is_valid_html(built_sample: Path, tmp_path: Path) -> None:
    command = _checker()
    pages = [str(p) for p in reader_pages(built_sample)]  # the desk's page is Decap's (conftest.DESK_FOLDER)
    assert len(pages) > 50
    broken = tmp_path / "hong.html"
    broken.write_text(BROKEN_PAGE, encoding="utf-8")
    result = subprocess.run(command + ["--errors-only", "--format", "json", *pages, str(broken)],
                            capture_output=True, text=True, timeout=300)
    errors = read_report(result.returncode, result.stderr)
    assert any(url.endswith("/hong.html") for url in errors), f"the invalid control page passed: {errors}"
    assert result.returncode != 0, "vnu found errors but exited 0"
    found = {url: messages for url, messages in errors.items() if not url.endswith("/hong.html")}
    assert found == {}


ERROR = {"type": "error", "url": "file:/a.html", "lastLine": 3, "message": "Stray end tag “div”."}


@pytest.mark.parametrize("returncode, stderr, expected", [
    (0, '{"messages": []}', {}),
    (1, json.dumps({"messages": [ERROR]}), {"file:/a.html": ["error:3: Stray end tag “div”."]}),
    (1, json.dumps({"messages": [{"type": "non-document-error", "url": "file:/b.html", "subType": "io",
                                  "message": "File not found."}]}),
     {"file:/b.html": ["non-document-error:: File not found."]}),
    (0, json.dumps({"messages": [{"type": "info", "url": "file:/a.html", "message": "Consider lang."}]}), {}),
])
def test_report_reading(returncode: int, stderr: str, expected: dict[str, list[str]]) -> None:
    assert read_report(returncode, stderr) == expected


@pytest.mark.parametrize("returncode, stderr", [
    (0, ""),                                          # nothing written: the checker did not run
    (1, "   \n"),
    (0, "Error: Unable to access jarfile vnu.jar"),   # not JSON
    (0, '{"errors": []}'),                            # JSON, but not vnu's report
    (1, '{"messages": []}'),                          # failed without saying why
    (2, json.dumps({"messages": [{"type": "info", "message": "Consider lang."}]})),
])
def test_report_that_cannot_be_trusted_fails(returncode: int, stderr: str) -> None:
    with pytest.raises(AssertionError):
        read_report(returncode, stderr)
