"""How long a save through the editor's desk takes until the live page is written.

Starts `site-builder edit` on a copy of a site (the sample by default), waits for its first
build, then sends the desk's own request (`persistEntry`, as Decap sends it) for new articles
with a figure and for edits of the same articles' bodies, one at a time, a few seconds apart (the
search index follows each save on the server's loop). The reply comes after the rebuild, so the
time printed is from the editor's click to the page on disk. Prints every save and the median.

    python3 benchmarks/desk_save.py [--site content] [--saves 6] [--python .venv/bin/python]
"""
from __future__ import annotations

import argparse
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def article(n: int, body: str) -> str:
    return (f'---\ntitle: "Bài đo thời gian lưu {n}"\ndate: "2026-12-01 08:00"\nunit: xa-dong-cuong-2025\n'
            f'figures:\n  - {{metric: cuoc-giam-sat, period: "2026-{n % 12 + 1:02d}", value: "3"}}\n---\n{body}\n')


def save(port: int, folder: str, n: int, body: str) -> tuple[float, str]:
    """One persistEntry; the seconds until the reply, and the reply's message."""
    params = {"entry": {"slug": f"bai-do-{n}", "path": f"{folder}/news/2026/bai-do-{n}.md", "raw": article(n, body)},
              "assets": [], "options": {"commitMessage": "đo", "useWorkflow": False, "status": ""}}
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1", json.dumps({"action": "persistEntry", "params": params}).encode(),
        {"Content-Type": "application/json", "Origin": f"http://127.0.0.1:{port}"})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as reply:
            text = reply.read().decode()
    except urllib.error.HTTPError as refused:
        text = refused.read().decode()
    return time.perf_counter() - started, json.loads(text).get("message") or text


def wait_ready(port: int, process: subprocess.Popen[bytes], limit: float = 600) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("site-builder edit stopped before it served")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/config.yml", timeout=5):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("site-builder edit did not answer in time")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=REPO / "content", help="the source folder copied (default: the sample)")
    parser.add_argument("--saves", type=int, default=6, help="new articles, then as many body edits (default 6)")
    parser.add_argument("--python", type=Path, default=Path(sys.executable), help="the Python with site_builder")
    parser.add_argument("--pause", type=float, default=3.0, help="seconds between saves (default 3)")
    args = parser.parse_args()
    python = args.python.absolute()  # the server runs in the copy's folder
    work = Path(tempfile.mkdtemp(prefix="desk-save-"))
    folder = "content"
    shutil.copytree(args.site, work / folder)
    port = free_port()
    process = subprocess.Popen([str(python), "-m", "site_builder", "edit", "--source", folder,
                                "--output", "output", "--port", str(port)], cwd=work,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rows: dict[str, list[float]] = {"new": [], "edit": []}
    try:
        wait_ready(port, process)
        time.sleep(args.pause * 2)  # the checker's warm-up and the first search index
        for kind in ("new", "edit"):
            for n in range(1, args.saves + 1):
                seconds, message = save(port, folder, n, f"Nội dung {kind} {time.time()}.")
                rows[kind].append(seconds)
                print(f"{kind:4} {n:2}  {seconds * 1000:6.0f} ms  {message}", flush=True)
                time.sleep(args.pause)
    finally:
        process.terminate()
        process.wait(30)
        shutil.rmtree(work, ignore_errors=True)
    for kind, times in rows.items():
        print(f"{kind}: median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms "
              f"over {len(times)} saves")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
