#!/usr/bin/env python3
"""One-item edit through the code `serve` uses; used by run.py.

    python _edit_probe.py SOURCE OUTPUT ITEM.md ARTICLE.html

The Builder is `site_builder.incremental.Builder` if that module exists, else the `LiveBuilder`
that `site_builder.live.serve` runs (today `site_builder.live.builder.LiveBuilder`). Like `serve`, it
is kept in memory, writes the pages first and indexes search after (`index_search`).

Builds once (warm-up), appends a sentence to the body of ITEM.md, times `builder.build()` (the
changed pages are written when it returns), then times `builder.index_search()` if the Builder
has it; checks that ARTICLE.html (the item's page in OUTPUT) now holds the sentence, and puts
ITEM.md back as it was. Prints one JSON line. Exits 4 (printing status "missing") when neither
Builder exists.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

MARKER = "Bài viết được cập nhật trong lúc đo hiệu năng xây dựng lại."


def main() -> int:
    source, output, item, article = (Path(a) for a in sys.argv[1:5])
    Builder, where = find_builder()
    if Builder is None:
        print(json.dumps({"status": "missing"}))
        return 4
    builder = Builder(source, output)        # what serve builds: the last good build stays in memory
    deferred = hasattr(builder, "index_search")
    started = time.perf_counter()
    builder.build()
    if deferred:
        builder.index_search()
    warm = time.perf_counter() - started
    original = item.read_bytes()
    search_ms = None
    try:
        text = original.decode("utf-8").rstrip("\n") + " " + MARKER + "\n"
        item.write_bytes(text.encode("utf-8"))
        started = time.perf_counter()
        result = builder.build()
        edit = time.perf_counter() - started
        written = article.is_file() and MARKER in article.read_text(encoding="utf-8")
        if deferred:
            started = time.perf_counter()
            builder.index_search()
            search_ms = (time.perf_counter() - started) * 1000
    finally:
        item.write_bytes(original)
    print(json.dumps({"status": "ok", "builder": where, "warm_seconds": warm, "edit_ms": edit * 1000,
                      "search_ms": search_ms, "page_updated": written,
                      "rendered": getattr(result, "rendered", None),
                      "written": len(getattr(result, "written_paths", ()) or ()) or None}))
    return 0


def find_builder():
    try:
        from site_builder.incremental import Builder
        return Builder, "site_builder.incremental.Builder"
    except ModuleNotFoundError as exc:
        if exc.name != "site_builder.incremental":
            raise
    try:
        from site_builder.live import serve
    except ModuleNotFoundError:
        return None, None
    builder = getattr(serve, "LiveBuilder", None)
    if builder is None:
        return None, None
    return builder, f"site_builder.live.serve.LiveBuilder ({builder.__module__}.{builder.__qualname__})"


if __name__ == "__main__":
    sys.exit(main())
