#!/usr/bin/env python3
"""Edits through the builder `serve` keeps in memory: one full build (warm-up), then eight body
edits of the same news item, each timed until its pages are written (search deferred, as in
`serve`). Each build is told the edited file, as `serve`'s watcher tells it (`build(changed=…)`);
with --walk it is not, and walks every source. Prints the warm-up and each edit in ms; the item
is put back as it was.

    .venv/bin/python benchmarks/serve_edits.py SOURCE OUTPUT [--walk]   (use a copy of a corpus)
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from site_builder.live.builder import LiveBuilder


def main() -> int:
    if len(sys.argv) not in (3, 4) or sys.argv[3:] not in ([], ["--walk"]):
        sys.exit(__doc__)
    source, output = Path(sys.argv[1]), Path(sys.argv[2])
    walk = sys.argv[3:] == ["--walk"]
    builder = LiveBuilder(source, output)
    started = time.perf_counter()
    builder.build()
    builder.index_search()
    print(f"warm-up {time.perf_counter() - started:.1f} s (load {os.getloadavg()[0]:.2f})")
    items = sorted((source / "news").rglob("*.md"))
    item = items[len(items) // 2]
    original = item.read_bytes()
    times: list[float] = []
    try:
        for number in range(8):
            item.write_bytes(original + f"\nCâu thêm {number} {time.time_ns()}.\n".encode())
            started = time.perf_counter()
            builder.build(changed=None if walk else [str(item)])
            times.append(time.perf_counter() - started)
    finally:
        item.write_bytes(original)
    print("edits ms", [round(t * 1000) for t in times], f"(load {os.getloadavg()[0]:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
