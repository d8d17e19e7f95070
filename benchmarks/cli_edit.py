#!/usr/bin/env python3
"""The command line after a save: `site-builder build` as a process (interpreter start and imports
included) with nothing changed, then after a sentence appended to one news item's body.

    python3 benchmarks/cli_edit.py --source DIR/content --output DIR/output [--runs 3] [--bin site-builder]

Builds once first if the output is missing. Each edit appends a new sentence to the same item
(the first news file of the middle year) and checks its page holds it; the source is changed, so
use a copy of a corpus. Prints wall and CPU seconds of each run (CPU: user + system of the process
and its children: Pagefind included).
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path


def run(command: list[str]) -> tuple[float, float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return wall, cpu, (done.stdout + done.stderr).strip().splitlines()[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, required=True)
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--bin", default=str(Path(sys.executable).with_name("site-builder")))
    args = parser.parse_args()
    command = [args.bin, "build", "--source", str(args.source), "--output", str(args.output)]
    if not args.output.is_dir():
        wall, cpu, said = run(command)
        print(f"first build: {wall:.2f} s wall, {cpu:.2f} s CPU ({said})")
    years = sorted(p for p in (args.source / "news").iterdir() if p.is_dir())
    item = sorted(years[len(years) // 2].glob("*.md"))[0]
    print(f"item: {item}  (load: {os.getloadavg()[0]:.2f})")
    for _ in range(args.runs):
        wall, cpu, said = run(command)
        print(f"no-change build   {wall:6.2f} s wall {cpu:6.2f} s CPU  {said}")
    for _ in range(args.runs):
        sentence = f"Câu thêm số {time.time_ns()} để thử bản dựng sau khi sửa."
        with item.open("a", encoding="utf-8") as handle:
            handle.write(f"\n{sentence}\n")
        wall, cpu, said = run(command)
        found = any(sentence in p.read_text("utf-8") for p in args.output.glob("tin-tuc/*/*/*/index.html"))
        print(f"one-item edit     {wall:6.2f} s wall {cpu:6.2f} s CPU  page has it: {found}  {said}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
