#!/usr/bin/env python3
"""`site-builder` with a work-around for a hang in Pagefind's Python API, plus a timer; used by run.py.

    python _pagefind_shim.py build --source … --output …      # same arguments as site-builder

Why: pagefind's Python service (pagefind 1.5.x, `pagefind/service/__init__.py`) reads the
binary's replies with `StreamReader.readuntil(b",")` on a pipe opened with `limit=2**21`. The
reply to `get_files()` is the whole index, base64-encoded, in one message; once the index is over
~1.5 MB (about 150 news items of this corpus) the read raises `LimitOverrunError` inside the
polling task, nobody awaits that task, and `site-builder build` waits forever after
"Đang xây dựng: N/N tệp (100%)".

What this shim changes, and nothing else:
1. the pipe limit given to Pagefind's subprocess is raised to 1 GiB (so the reply fits);
2. if the polling task dies anyway, the error is printed and the process exits with code 3
   instead of hanging;
3. the time spent in `build_search_files` (Pagefind indexing, site_builder's search step) is
   printed to stderr as "[bench] search index: X.XX s", since site_builder does not print it.
"""
from __future__ import annotations

import asyncio
import os
import sys
import time

PIPE_LIMIT = 1 << 30


class _AsyncioWithBigPipes:
    """The asyncio module as pagefind.service sees it, with a larger pipe limit for subprocesses."""

    def __getattr__(self, name: str):
        return getattr(asyncio, name)

    @staticmethod
    async def create_subprocess_exec(*args, **kwargs):
        kwargs["limit"] = max(kwargs.get("limit", 0), PIPE_LIMIT)
        return await asyncio.create_subprocess_exec(*args, **kwargs)


def install(raise_limit: bool = True) -> None:
    import pagefind.service as service
    import site_builder.build as sb_build

    if raise_limit:
        service.asyncio = _AsyncioWithBigPipes()

    polling = service.PagefindService._wait_for_responses

    async def watched(self):
        try:
            await polling(self)
        except asyncio.CancelledError:
            raise
        except BaseException as exc:  # the reader died: site_builder would wait forever
            print(f"[bench] Pagefind reader died ({type(exc).__name__}: {exc}); site-builder would hang here.",
                  file=sys.stderr, flush=True)
            os._exit(3)

    service.PagefindService._wait_for_responses = watched

    indexer = sb_build.build_search_files

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return indexer(*args, **kwargs)
        finally:
            print(f"[bench] search index: {time.perf_counter() - started:.2f} s", file=sys.stderr, flush=True)

    sb_build.build_search_files = timed


if __name__ == "__main__":
    install(raise_limit=os.environ.get("BENCH_PAGEFIND_LIMIT", "raise") != "keep")
    from site_builder.cli import main

    sys.exit(main(sys.argv[1:]))
