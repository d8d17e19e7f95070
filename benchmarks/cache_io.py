#!/usr/bin/env python3
"""What the build cache costs a build after one edit: reading what the fast path reads (the cache's
state, the snapshot token, one source's digest and parse) and saving one changed parse and record.

    python benchmarks/cache_io.py --source DIR/content --output DIR/output [--runs 3]

Run it with the Python of the site_builder to measure (another checkout's venv measures that
checkout); the cache beside DIR/content must be one that version wrote. The save writes back what
it read, so the cache stays as it was. Prints wall and CPU seconds of each step.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import time
from pathlib import Path

from site_builder.base.cache import BuildCache, cache_folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, required=True)
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    years = sorted(p for p in (args.source / "news").iterdir() if p.is_dir())
    item = sorted(years[len(years) // 2].glob("*.md"))[0]
    rel = item.relative_to(args.source).as_posix()
    print(f"cache folder: {cache_folder(args.source)}  (load: {os.getloadavg()[0]:.2f})")
    for _ in range(args.runs):
        cache = BuildCache(cache_folder(args.source))
        steps: list[tuple[str, float, float]] = []

        def timed(name: str, started: tuple[float, float]) -> None:
            steps.append((name, time.perf_counter() - started[0], time.process_time() - started[1]))

        now = (time.perf_counter(), time.process_time())
        cache.snapshot_token(args.output)
        cache.digest(item)
        parsed = cache.state.parsed.get(rel)
        record = cache.last_build(args.output)
        timed("read (state, token, one digest and parse)", now)
        if parsed is None or record is None:
            raise SystemExit(f"no parse of {rel} or no last build in this cache: build first with this version")
        now = (time.perf_counter(), time.process_time())
        cache.store_parsed(rel, dataclasses.replace(parsed))
        cache.set_last_build(args.output, record)
        ok = cache.save()
        timed("save (one parse, the record)" + ("" if ok else " FAILED"), now)
        print("   ".join(f"{name}: {wall:.3f} s wall {cpu:.3f} s CPU" for name, wall, cpu in steps))
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
