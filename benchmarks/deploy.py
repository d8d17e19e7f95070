#!/usr/bin/env python3
"""`site-builder deploy` as a process (interpreter start included) to a folder and to an
S3-compatible server (`rclone serve s3` on 127.0.0.1): the dry run, the first deploy, a deploy
with nothing changed, and one after one file of the output changed.

    python3 benchmarks/deploy.py --source DIR/content --output DIR/output [--bin site-builder]

Builds once first if the output is missing; writes the `deploy:` block into the source's
site.yaml (use a copy of a corpus) and changes one file of the output (static/style.css) for a
moment, putting its bytes back after. Prints wall seconds, the files uploaded, the load average.
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return wall, done.stderr.strip().splitlines()[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, required=True)
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--bin", default=str(Path(sys.executable).with_name("site-builder")))
    args = parser.parse_args()
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "do-chuan-khoa", "AWS_SECRET_ACCESS_KEY": "do-chuan-bi-mat",
           "AWS_EC2_METADATA_DISABLED": "true"}
    if not args.output.is_dir():
        wall, said = run([args.bin, "build", "--source", str(args.source), "--output", str(args.output)], env)
        print(f"build: {wall:.2f} s ({said})")
    work = Path(tempfile.mkdtemp(prefix="deploy-bench-"))
    (work / "s3" / "ban-tin").mkdir(parents=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    rclone = shutil.which("rclone", path=str(Path(sys.executable).parent)) or "rclone"
    server = subprocess.Popen([rclone, "serve", "s3", "--addr", f"127.0.0.1:{port}", "--auth-key",
                               "do-chuan-khoa,do-chuan-bi-mat", "--config", os.devnull, str(work / "s3")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        settings = args.source / "site.yaml"
        text = settings.read_text(encoding="utf-8").split("\ndeploy:")[0]
        settings.write_text(text + f"\ndeploy:\n  thu-muc:\n    kind: folder\n    path: {work / 'folder'}\n"
                            f"  s3:\n    kind: s3\n    endpoint: http://127.0.0.1:{port}\n    bucket: ban-tin\n",
                            encoding="utf-8")
        time.sleep(2)
        files = sum(1 for p in args.output.rglob("*") if p.is_file())
        print(f"output: {files} files, load average {os.getloadavg()[0]:.2f}")
        style = args.output / "static" / "style.css"
        original = style.read_bytes()
        for target in ("thu-muc", "s3"):
            base = [args.bin, "deploy", "--source", str(args.source), "--output", str(args.output), "--target", target]
            for label, extra in (("dry run, empty remote", ["--dry-run"]), ("first deploy", []),
                                 ("nothing changed", [])):
                wall, said = run(base + extra, env)
                print(f"{target:8} {label:24} {wall:7.2f} s  {said}")
            style.write_bytes(original + f"\n/* {time.time_ns()} */\n".encode())
            wall, said = run(base, env)
            print(f"{target:8} {'one file changed':24} {wall:7.2f} s  {said}")
            style.write_bytes(original)
        print(f"load average after: {os.getloadavg()[0]:.2f}")
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
