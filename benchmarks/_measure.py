#!/usr/bin/env python3
"""Run one command and report, as JSON, its wall time and peak memory; used by run.py.

    python _measure.py RESULT.json TIMEOUT_SECONDS -- command args...

This wrapper is a fresh process whose only child is the command, so
`resource.getrusage(RUSAGE_CHILDREN).ru_maxrss` taken after the command ends is the peak RSS of
that command alone: the largest resident set of any single process in its tree (the command or
a helper it waited for, such as Pagefind's binary). Because a parent and a helper are alive at the
same time, the wrapper also samples the summed RSS of the whole process tree every 50 ms from
/proc ("tree_peak_kib"); a sample can miss a short spike, so it is a lower bound of the true peak.
Forked workers share their parent's pages, which that sum counts once per process; the summed
proportional set size ("tree_peak_pss_kib", each shared page divided among its sharers) is what
the machine holds at once.
The command's stdout and stderr go to RESULT.json.out and RESULT.json.err.
"""
from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path


def _children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        # the command name may hold spaces and parentheses: fields start after the last ")"
        fields = stat[stat.rfind(b")") + 2:].split()
        kids.setdefault(int(fields[1]), []).append(int(entry))
    return kids


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _pss_kib(pid: int) -> int:
    """Proportional set size: each page shared by n processes counts 1/n in each (Linux 4.14+)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_kib(root: int) -> tuple[int, int]:
    """The summed RSS and the summed PSS of a process and all its descendants."""
    kids = _children_map()
    rss, pss, stack = 0, 0, [root]
    while stack:
        pid = stack.pop()
        rss += _rss_kib(pid)
        pss += _pss_kib(pid)
        stack.extend(kids.get(pid, ()))
    return rss, pss


def main() -> int:
    result_path = Path(sys.argv[1])
    timeout = float(sys.argv[2])
    if sys.argv[3] != "--":
        print("usage: _measure.py RESULT.json TIMEOUT -- command ...", file=sys.stderr)
        return 2
    command = sys.argv[4:]
    with open(f"{result_path}.out", "wb") as out, open(f"{result_path}.err", "wb") as err:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                 start_new_session=True)
        peak = [0, 0]
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                rss, pss = tree_rss_kib(child.pid)
                peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)
                done.wait(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        timed_out = False
        try:
            returncode = child.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(child.pid, signal.SIGKILL)
            returncode = child.wait()
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    result_path.write_text(json.dumps({
        "command": command, "returncode": returncode, "timed_out": timed_out, "seconds": seconds,
        "maxrss_kib": usage.ru_maxrss, "tree_peak_kib": peak[0], "tree_peak_pss_kib": peak[1],
        "user_seconds": usage.ru_utime, "system_seconds": usage.ru_stime,
    }, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
