#!/usr/bin/env python3
"""The least time Python-Markdown needs for a corpus's bodies: a floor under any cold build.

    /tmp/venv/bin/python benchmarks/markdown_floor.py DIR/content [--jobs 2]

Reads every news item under DIR/content/news, keeps the bodies, and converts them with
Python-Markdown in `--jobs` processes (default: every core), three ways: with no extension at
all (the cheapest Python-Markdown can be), with the extensions site_builder always loads
(`sane_lists`, `toc`), and through site_builder's own `MarkdownRenderer` (only the extensions a
body uses, converters reused with `reset()`). Prints CPU seconds and wall seconds of each.
A cold build converts every body once, so none can be faster than the first line.
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from pathlib import Path

BODIES: list[str] = []


def _convert(args: tuple[str, int, int]) -> float:
    """Convert every `step`-th body from `start` in one process; return its CPU seconds."""
    how, start, step = args
    import markdown
    started = time.process_time()
    if how == "site_builder":
        from site_builder.load.markdown_render import MarkdownRenderer
        renderer = MarkdownRenderer()
        for body in BODIES[start::step]:
            renderer.convert(body)
    else:
        extensions = [] if how == "none" else ["sane_lists", "toc"]
        md = markdown.Markdown(extensions=extensions, output_format="html")
        for body in BODIES[start::step]:
            md.reset()
            md.convert(body)
    return time.process_time() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("content", type=Path)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    for path in sorted((args.content / "news").rglob("*.md")):
        text = path.read_text("utf-8")
        BODIES.append(text.split("\n---\n", 1)[1] if text.startswith("---\n") else text)
    size = sum(len(b.encode("utf-8")) for b in BODIES) / 1e6
    print(f"{len(BODIES)} bodies, {size:.1f} MB of Markdown, {args.jobs} processes")
    context = multiprocessing.get_context("fork")
    for how in ("none", "sane_lists+toc", "site_builder"):
        started = time.perf_counter()
        with context.Pool(args.jobs) as pool:
            cpu = sum(pool.map(_convert, [(how, i, args.jobs) for i in range(args.jobs)]))
        wall = time.perf_counter() - started
        print(f"{how:16s} CPU {cpu:6.2f} s   wall {wall:6.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
