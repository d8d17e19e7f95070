#!/usr/bin/env python3
"""Where a site_builder build spends its time, without a profiler's overhead.

    /tmp/venv/bin/python benchmarks/phases.py --source DIR/content --output DIR/output [--cold]

Wraps a few of site_builder's internal functions with wall-clock timers, runs one build
through the CLI, and prints the time of
each phase. cProfile is of little use for the cold build: rendering happens in forked worker
processes, which inherit the profiler and slow down several times, and whose statistics are
lost. The wrapped names are internals of site_builder (builder.py, strategies.py, search_stage.py,
site.py, content.py, pages.py, records.py, totals.py, staging.py) as of this writing; a name that
no longer exists is skipped.
`--cold` removes the output and the cache (DIR/.cache) first. `--no-search` builds without the
search index (`SearchStage.take` gives None, as for a build whose index is deferred), to time a
build without Pagefind.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

TOTALS: dict[str, float] = defaultdict(float)
CALLS: dict[str, int] = defaultdict(int)

TARGETS = [
    # (module, attribute, label); attributes looked up on classes with "Class.method"
    ("site_builder.build.builder", "load_site", "load_site (all sources → Site)"),
    ("site_builder.model.site", "load_items", "  load_items (news: read, front matter, Markdown)"),
    ("site_builder.model.site", "load_records", "  load_records (CSV + figures, checks)"),
    ("site_builder.model.site", "build_totals", "  build_totals (roll-ups, overlap checks)"),
    ("site_builder.build.builder", "plan_pages", "plan_pages (URL scheme, contexts, figures)"),
    ("site_builder.build.builder", "key", "page keys (key, hashing every page's deps)"),
    ("site_builder.build.strategies", "StagingSwap.write", "StagingSwap.write (render all, staging, search, commit)"),
    ("site_builder.build.strategies", "WriteInPlace.write", "WriteInPlace.write (render changed + write)"),
    ("site_builder.write.search_bundle", "PartIndexer._index_part",
     "  Pagefind, all parts (a thread of its own: overlaps rendering)"),
    ("site_builder.write.search_bundle", "PartIndexer.finish", "  search index: the wait after rendering"),
    ("site_builder.write.staging", "OutputWriter.commit", "  output commit (swap staging in)"),
    ("site_builder.base.cache", "BuildCache.save", "cache save (pickle)"),
]


def wrap(module_name: str, attribute: str, label: str) -> None:
    import importlib
    module = importlib.import_module(module_name)
    owner, name = module, attribute
    if "." in attribute:
        cls, name = attribute.split(".")
        owner = getattr(module, cls, None)
    original = getattr(owner, name, None) if owner is not None else None
    if original is None:
        print(f"(skipped {module_name}.{attribute}: not found)", file=sys.stderr)
        return

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            TOTALS[label] += time.perf_counter() - started
            CALLS[label] += 1

    setattr(owner, name, timed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, required=True)
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--cold", action="store_true", help="remove the output and .cache first")
    parser.add_argument("--no-search", action="store_true", help="build without the search index")
    args = parser.parse_args()
    if args.cold:
        for path in (args.output, args.source.resolve().parent / ".cache"):
            shutil.rmtree(path, ignore_errors=True)
    for target in TARGETS:
        wrap(*target)
    if args.no_search:
        from site_builder.build.search_stage import SearchStage
        SearchStage.take = lambda self, search, swap: None  # type: ignore[method-assign]
    from site_builder.cli.main import main as cli_main
    started = time.perf_counter()
    code = cli_main(["build", "--source", str(args.source), "--output", str(args.output)])
    total = time.perf_counter() - started
    print(f"\n{'phase':60} {'seconds':>8} {'calls':>7}")
    for _, _, label in TARGETS:
        if label in TOTALS:
            print(f"{label:60} {TOTALS[label]:8.2f} {CALLS[label]:7d}")
    print(f"{'whole build (CLI)':60} {total:8.2f}")
    return code


if __name__ == "__main__":
    sys.exit(main())
