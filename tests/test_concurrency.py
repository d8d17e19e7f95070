"""Two writers, one output: builds run at once (real processes, many times) never lose the site,
never leave a staging folder behind and never block the builds after them."""
from __future__ import annotations

import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

from site_builder.build import Builder
from site_builder.output import OutputBusy, output_lock

from conftest import NOW, REPO, SAMPLE, tree_bytes
from test_faults import command, staging_of, write_items

ROUNDS = 6


@pytest.fixture(scope="module")
def references(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, bytes]]:
    """A clean build of each version of the sources, made alone."""
    refs = {}
    for version in ("A", "B"):
        root = tmp_path_factory.mktemp(f"ref{version}")
        source = root / "content"
        shutil.copytree(SAMPLE, source)
        write_items(source, version, 10)
        subprocess.run(command(source, root / "out"), check=True, capture_output=True, cwd=REPO, timeout=300)
        refs[version] = tree_bytes(root / "out")
    return refs


def test_two_builds_at_once_keep_a_whole_site(tmp_path: Path, references: dict[str, dict[str, bytes]]) -> None:
    """Each round starts two builds together, from scratch (no output, no cache) or after a change;
    both succeed, one after the other, and the output is the whole site of the current sources."""
    source = tmp_path / "content"
    shutil.copytree(SAMPLE, source)
    out = tmp_path / "out"
    version = "A"
    for round_ in range(ROUNDS):
        if round_ % 2 == 0:
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(tmp_path / ".cache", ignore_errors=True)
        version = "B" if version == "A" else "A"
        write_items(source, version, 10)
        runs = [subprocess.Popen(command(source, out), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True) for _ in range(2)]
        results = [(p.wait(timeout=300), p.stderr.read()) for p in runs]  # type: ignore[union-attr]
        for code, stderr in results:
            assert code == 0 and "Traceback" not in stderr, (round_, stderr)
        assert tree_bytes(out) == references[version], f"round {round_}: not the whole site"
        assert not staging_of(out).exists()
        after = subprocess.run(command(source, out), cwd=REPO, capture_output=True, text=True, timeout=300)
        assert after.returncode == 0, after.stderr
        assert "Không có gì thay đổi." in after.stderr, after.stderr


def test_a_build_waits_for_the_lock_then_stops_with_a_clear_message(sample_site: Path, tmp_path: Path) -> None:
    """While another writer holds the output, a build says it waits and, past its time limit, stops
    with a Vietnamese message naming the folder, writing nothing."""
    out = tmp_path / "out"
    told: list[str] = []
    with output_lock(out):
        builder = Builder(sample_site, out, jobs=1, lock_timeout=0.5, waiting=lambda: told.append("chờ"))
        started = time.monotonic()
        with pytest.raises(OutputBusy) as busy:
            builder.build(NOW)
        assert time.monotonic() - started >= 0.5
    assert told == ["chờ"]
    assert str(out) in busy.value.message and "đang được một bản dựng khác ghi" in busy.value.message
    assert not out.exists() and not staging_of(out).exists()


def test_a_waiting_build_goes_on_when_the_lock_is_released(sample_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    held = output_lock(out)
    held.__enter__()
    threading.Timer(0.5, held.__exit__, (None, None, None)).start()
    result = Builder(sample_site, out, jobs=1, lock_timeout=60).build(NOW)
    assert result.report.written > 0 and (out / "index.html").is_file()
