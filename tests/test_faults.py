"""Faults in real processes: a build killed at any moment, a file size limit like a full disk. The
previous output stays complete (byte for byte), the error is clear, and the next build succeeds.
Faults at an exact point (the N-th write or rename, Ctrl-C, a read-only or full disk) are injected
in-process by tests/test_write_faults.py."""
from __future__ import annotations

import contextlib
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, SAMPLE, tree_bytes

from site_builder.base import cache as cache_module
from site_builder.build.builder import build

GENERATED = 40


def write_items(source: Path, version: str, count: int = GENERATED) -> None:
    """Add (or rewrite) `count` generated news items; each version changes every title."""
    folder = source / "news/thu-nghiem"
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        (folder / f"tin-{i:03d}.md").write_text(
            f'---\ntitle: "Tin thử nghiệm {version} số {i}"\ndate: "2021-{1 + i % 12:02d}-{1 + i % 28:02d} 08:{i % 60:02d}"\n'
            f"unit: xa-hanh-son\ncategory: Hoạt động Mặt trận\ntags: [Thử nghiệm, Nhóm {i % 7}]\n---\n\n"
            + f"Đoạn văn {version} của bài {i}. Mặt trận các cấp đã tổ chức hội nghị.\n\n" * 20,
            encoding="utf-8")


def command(source: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "site_builder", "build", "--source", str(source), "--output", str(out)]


def limited(max_bytes: int):  # type: ignore[no-untyped-def]
    """preexec_fn: no file may grow past `max_bytes`; writes beyond fail with EFBIG, like a full disk."""
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_bytes, max_bytes))
    return apply


def staging_of(out: Path) -> Path:
    return out.parent / f".{out.name}.staging"


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, bytes]]:
    """Clean builds of the two versions of the sources, each in its own folder with no cache."""
    refs = {}
    for version in ("A", "B"):
        root = tmp_path_factory.mktemp(f"ref{version}")
        source = root / "content"
        shutil.copytree(SAMPLE, source)
        write_items(source, version)
        out = root / "out"
        subprocess.run(command(source, out), check=True, capture_output=True, cwd=REPO, timeout=300)
        refs[version] = tree_bytes(out)
    assert refs["A"] != refs["B"]
    return refs


@pytest.fixture
def site(tmp_path: Path) -> Path:
    source = tmp_path / "content"
    shutil.copytree(SAMPLE, source)
    write_items(source, "A")
    return source


def run(source: Path, out: Path, **kwargs) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    return subprocess.run(command(source, out), capture_output=True, text=True, cwd=REPO, timeout=300, **kwargs)


# --- SIGKILL --------------------------------------------------------------------------------

def test_sigkill_at_random_points_keeps_a_complete_output(site: Path, versions: dict[str, dict[str, bytes]]) -> None:
    out = site.parent / "out"
    started = time.perf_counter()
    assert run(site, out).returncode == 0
    took = time.perf_counter() - started
    assert tree_bytes(out) == versions["A"]
    rng = random.Random(6)
    current, outcomes = "A", []
    for trial in range(5):
        target = "B" if current == "A" else "A"
        write_items(site, target)
        process = subprocess.Popen(command(site, out), cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if trial % 2:  # wait for the staging folder, then a little more
            deadline = time.monotonic() + 60
            while not staging_of(out).exists() and process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.005)
            time.sleep(rng.uniform(0, took / 10))
        else:
            time.sleep(rng.uniform(0.05, 1.0) * took)
        had_staging = staging_of(out).exists()
        process.send_signal(signal.SIGKILL)
        process.wait()
        now = tree_bytes(out)
        assert now in (versions[current], versions[target]), f"trial {trial}: output is neither version"
        if now == versions[target]:
            current = target
        outcomes.append((had_staging, now == versions[target]))
    # some kill fell mid-build, with the new files half made, and left the old output as it was
    assert any(staging and not finished for staging, finished in outcomes), outcomes
    result = run(site, out)
    assert result.returncode == 0, result.stderr
    assert tree_bytes(out) == versions[target]
    assert not staging_of(out).exists()


def _processes_naming(text: str) -> list[int]:
    """Pids of running processes whose command line holds `text`."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                if text.encode() in Path(f"/proc/{entry}/cmdline").read_bytes():
                    found.append(int(entry))
    return found


def test_sigkill_while_indexing_leaves_no_indexer_and_no_scratch(site: Path, versions: dict[str, dict[str, bytes]],
                                                                 tmp_path: Path) -> None:
    """A build killed while Pagefind runs: the indexer ends with it, its scratch files lie under
    the cache (not in the system's temporary folder, where nothing would ever remove them), and
    the next build removes them and succeeds."""
    out = site.parent / "out"
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = dict(os.environ, TMPDIR=str(temp))
    assert run(site, out, env=env).returncode == 0
    write_items(site, "B")
    scratch = site.parent / ".cache" / "site-builder" / "scratch"
    process = subprocess.Popen(command(site, out), cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    mine = scratch / str(process.pid)
    while not _processes_naming(str(mine)) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    assert process.poll() is None, "the build ended before Pagefind was seen running"
    process.send_signal(signal.SIGKILL)
    process.wait()
    for _ in range(200):  # the kernel signals the orphan at once; give it a moment to go
        if not _processes_naming(str(mine)):
            break
        time.sleep(0.01)
    assert not _processes_naming(str(mine)), "Pagefind outlived the build"
    assert tree_bytes(out) == versions["A"]
    assert mine.is_dir()  # what the killed build left, until the next build
    result = run(site, out, env=env)
    assert result.returncode == 0, result.stderr
    assert tree_bytes(out) == versions["B"]
    assert not mine.exists() and list(scratch.iterdir()) == []
    assert list(temp.iterdir()) == []


def test_kill_after_writing_but_before_the_cache_is_saved(site: Path, versions: dict[str, dict[str, bytes]],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The output changed but the cache still describes the old one; then the sources go back. The
    next build must not trust the old cache (a small change: in-place writes; a big one: a swap)."""
    out = site.parent / "out"
    build(site, out)
    for changed in (1, GENERATED):
        write_items(site, "B", changed)
        monkeypatch.setattr(cache_module.BuildCache, "save", lambda self: False)  # the kill
        build(site, out)
        monkeypatch.undo()
        write_items(site, "A")  # back to what the cache remembers
        build(site, out)
        assert tree_bytes(out) == versions["A"], changed


# --- a full disk, a folder that cannot be written ---------------------------------------------

def assert_refused(result: subprocess.CompletedProcess[str], out: Path, before: dict[str, bytes], reason: str) -> None:
    """Exit 1, the output as it was, nothing beside it, and the first line names the real file or
    folder refused (in the output, or its staging folder beside it) and the cause in Vietnamese."""
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    first = result.stderr.strip().splitlines()[0]
    place = rf"(?:{re.escape(out.name)}|\.{re.escape(out.name)}\.staging)(?:/\S*)?"
    assert re.search(rf"{place}: Lỗi: không ghi được vào thư mục kết quả \({re.escape(reason)}\)", first), result.stderr
    assert "Trang cũ vẫn giữ nguyên" in result.stderr
    assert tree_bytes(out) == before
    assert not staging_of(out).exists()


def test_file_size_limit_like_a_full_disk(site: Path, versions: dict[str, dict[str, bytes]]) -> None:
    out = site.parent / "out"
    assert run(site, out).returncode == 0
    write_items(site, "B")
    assert_refused(run(site, out, preexec_fn=limited(8192)), out, versions["A"], "tệp vượt quá kích thước cho phép")
    write_items(site, "A")  # then a small change, written in place
    (site / "news/thu-nghiem/tin-000.md").write_text(
        (site / "news/thu-nghiem/tin-000.md").read_text(encoding="utf-8").replace("nghiệm A", "nghiệm C"), encoding="utf-8")
    assert_refused(run(site, out, preexec_fn=limited(8192)), out, versions["A"], "tệp vượt quá kích thước cho phép")
    write_items(site, "B")
    result = run(site, out)
    assert result.returncode == 0 and tree_bytes(out) == versions["B"]


def test_cache_that_cannot_be_saved_is_a_warning(site: Path, versions: dict[str, dict[str, bytes]]) -> None:
    out = site.parent / "out"
    biggest = max(len(data) for data in versions["B"].values())
    assert run(site, out).returncode == 0
    cache_file = site.parent / ".cache/site-builder/tables.sqlite"  # the cache's large part (parsed sources)
    assert cache_file.stat().st_size > biggest + 1, "this test needs a cache bigger than every output file"
    write_items(site, "B")
    result = run(site, out, preexec_fn=limited(biggest + 1))
    assert result.returncode == 0, result.stderr
    assert "Cảnh báo: không lưu được bộ nhớ đệm" in result.stderr and "Traceback" not in result.stderr
    assert tree_bytes(out) == versions["B"]
    assert not list(cache_file.parent.glob(".cache-*"))  # no half-written cache left behind
    write_items(site, "A")
    assert run(site, out).returncode == 0 and tree_bytes(out) == versions["A"]
