"""A large file in media/ is digested, compared and copied in chunks: a build, a rebuild after a
touch and one after a change each hold far less memory than the file's size (a 1 GB video used
to take 1 GB). The file is sparse, so the test writes almost nothing to disk."""
from __future__ import annotations

import filecmp
import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import make_site

SIZE = 200 * 1024 * 1024
REPO = Path(__file__).resolve().parents[1]
# The build runs as the only child of a small wrapper, whose RUSAGE_CHILDREN then gives the largest
# resident set of any process of the build (pytest's own children would count otherwise).
_WRAPPER = """
import json, resource, subprocess, sys
run = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(json.dumps({"code": run.returncode, "err": run.stderr,
                  "peak": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024}))
"""


def _build(source: Path, output: Path) -> int:
    """Build in a fresh process; its peak resident set in bytes."""
    wrapped = subprocess.run([sys.executable, "-c", _WRAPPER, sys.executable, "-m", "site_builder", "build",
                              "--source", str(source), "--output", str(output)],
                             capture_output=True, text=True, cwd=REPO, timeout=300, check=True)
    result = json.loads(wrapped.stdout)
    assert result["code"] == 0, result["err"]
    return int(result["peak"])


def test_a_large_media_file_builds_and_rebuilds_in_little_memory(tmp_path: Path) -> None:
    source = make_site(tmp_path)
    video = source / "media" / "2024" / "phim.mp4"
    video.parent.mkdir(parents=True)
    with open(video, "wb") as stream:
        stream.write(b"\x00\x00\x00\x18ftypmp42")
        stream.truncate(SIZE)
    output = tmp_path / "output"
    copied = output / "media" / "2024" / "phim.mp4"

    assert _build(source, output) < SIZE / 2  # cold: copied into staging
    assert filecmp.cmp(video, copied, shallow=False)

    os.utime(video, (1, 1))  # the same bytes, a new time: digested again
    assert _build(source, output) < SIZE / 2
    assert filecmp.cmp(video, copied, shallow=False)

    with open(video, "r+b") as stream:  # a change: digested, then replaced in place
        stream.seek(SIZE // 2)
        stream.write(b"khung moi")
    assert _build(source, output) < SIZE / 2
    assert filecmp.cmp(video, copied, shallow=False)
