#!/usr/bin/env python3
"""What the search costs a reader: the search page of a built site opened in Debian's chromium
(Playwright), a query run until its results show, in a fresh browser context (nothing cached):
requests, bytes and milliseconds, on 127.0.0.1 and on an emulated slow mobile network.

    python3 benchmarks/search_reader.py --output DIR/output [--query "giam sat"] [--runs 3]

Needs Playwright (the test extra) and /usr/bin/chromium. The parts of the index are counted from
`tim-kiem/bo-loc.json`; the requests are every one the page made from navigation to results.
"""
from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]
# A slow mobile network as Chrome's DevTools define "Slow 4G": 150 ms more per request, 1.6 Mbit/s down.
SLOW = {"offline": False, "latency": 150, "downloadThroughput": 1.6e6 / 8, "uploadThroughput": 750e3 / 8}


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def measure(browser: Any, origin: str, query: str, slow: bool) -> tuple[float, int, int, int]:
    """One search in a fresh context: (milliseconds to results, requests, bytes, results shown)."""
    context = browser.new_context()
    page = context.new_page()
    sizes: list[int] = []
    page.on("requestfinished", lambda r: sizes.append(r.sizes()["responseBodySize"]))
    if slow:
        session = context.new_cdp_session(page)
        session.send("Network.enable")
        session.send("Network.emulateNetworkConditions", SLOW)
    started = time.perf_counter()
    page.goto(f"{origin}tim-kiem/?q={quote(query)}")
    page.wait_for_function("document.querySelectorAll('#ket-qua li').length > 0"
                           " || document.getElementById('trang-thai').textContent.startsWith('Không')",
                           timeout=120000)
    elapsed = (time.perf_counter() - started) * 1000
    shown = page.eval_on_selector_all("#ket-qua li", "items => items.length")
    page.wait_for_timeout(200)  # requests still finishing are counted too
    context.close()
    return elapsed, len(sizes), sum(sizes), shown


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--query", action="append")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    parts = len(json.loads((args.output / "tim-kiem" / "bo-loc.json").read_bytes()).get("indexes", [])) + 1
    handler = functools.partial(Quiet, directory=str(args.output))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}/"
    print(f"{args.output}: {parts} parts of the index (load {os.getloadavg()[0]:.2f})")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        for query in args.query or ["giam sat", "duc tho", "hoi nghi tiep xuc cu tri"]:
            for slow in (False, True):
                runs = [measure(browser, origin, query, slow) for _ in range(args.runs)]
                times = [r[0] for r in runs]
                _, requests, size, shown = runs[-1]
                print(f"{query!r:30} {'slow 4G' if slow else 'local':8} {statistics.median(times):8.0f} ms "
                      f"(runs {', '.join(f'{t:.0f}' for t in times)})  {requests} requests  "
                      f"{size / 1024:.0f} KiB  {shown} results shown")
        browser.close()
    server.shutdown()
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
