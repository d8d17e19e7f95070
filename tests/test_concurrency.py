"""Two writers, one output: builds run at once (real processes, many times) never lose the site,
never leave a staging folder behind and never block the builds after them."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
from conftest import NOW, REPO, SAMPLE, tree_bytes
from test_faults import command, staging_of, write_items

from site_builder.build.builder import Builder
from site_builder.live.builder import LiveBuilder
from site_builder.write.lock import OutputBusy, output_lock

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


def test_a_build_while_serve_waits_to_index(tmp_path: Path, references: dict[str, dict[str, bytes]]) -> None:
    """`serve` writes pages, then indexes them a moment later; a `build` run in between (by
    another process) waits for nothing and leaves a whole site, which `serve`'s indexing then
    completes without undoing it."""
    source = tmp_path / "content"
    shutil.copytree(SAMPLE, source)
    write_items(source, "A", 10)
    out = tmp_path / "out"
    live = LiveBuilder(source, out, jobs=1)
    live.build()
    live.index_search()
    write_items(source, "B", 10)
    live.build()  # pages written, index due
    other = subprocess.run(command(source, out), cwd=REPO, capture_output=True, text=True, timeout=300)
    assert other.returncode == 0, other.stderr
    assert tree_bytes(out) == references["B"]
    live.index_search()
    assert tree_bytes(out) == references["B"]
    after = subprocess.run(command(source, out), cwd=REPO, capture_output=True, text=True, timeout=300)
    assert after.returncode == 0 and tree_bytes(out) == references["B"], after.stderr


def test_ctrl_c_in_a_real_build_leaves_the_output_whole(tmp_path: Path, references: dict[str, dict[str, bytes]]) -> None:
    """SIGINT to the build's whole process group (what Ctrl-C in a terminal sends), workers
    included, while it renders into staging: the old output stays, nothing is left beside it."""
    source = tmp_path / "content"
    shutil.copytree(SAMPLE, source)
    write_items(source, "A", 10)
    out = tmp_path / "out"
    subprocess.run(command(source, out), cwd=REPO, check=True, capture_output=True, timeout=300)
    for trial in range(3):
        write_items(source, "B" if trial % 2 == 0 else "A", 10)
        shutil.rmtree(tmp_path / ".cache")  # no manifest: the whole site goes through staging
        before = tree_bytes(out)
        process = subprocess.Popen(command(source, out), cwd=REPO, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 60
        while not staging_of(out).exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        assert process.poll() is None, "the build ended before it was interrupted"
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=60)
        now = tree_bytes(out)
        assert now == before or now == references["B" if trial % 2 == 0 else "A"], trial
        assert not staging_of(out).exists()
        with output_lock(out, timeout=0):
            pass
        again = subprocess.run(command(source, out), cwd=REPO, capture_output=True, text=True, timeout=300)
        assert again.returncode == 0, again.stderr
        assert tree_bytes(out) == references["B" if trial % 2 == 0 else "A"]


def test_the_command_line_says_it_waits(sample_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with output_lock(out):
        process = subprocess.Popen(command(sample_site, out), cwd=REPO, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, text=True)
        time.sleep(3)
        assert process.poll() is None, "the build did not wait"
    assert process.wait(timeout=300) == 0
    assert "Đang chờ bản dựng khác ghi xong thư mục kết quả…" in process.stderr.read()  # type: ignore[union-attr]
    assert (out / "index.html").is_file()
