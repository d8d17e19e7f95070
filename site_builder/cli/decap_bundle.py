"""A maintainer's command for the vendored Decap CMS (the desk's browser part, `base/desk_bundle`):

    python -m site_builder.cli.decap_bundle update 3.16.4   # npm pack, check integrity, vendor, manifest
    python -m site_builder.cli.decap_bundle verify          # the vendored files still match the manifest

It is not a `site-builder` sub-command: editors never need it, and updating changes the package
itself (commit the result). It lives in `cli` because only the CLI prints.
"""
from __future__ import annotations

import argparse
import sys

from ..base.desk_bundle import BUNDLE, BundleError, read_manifest, update, verify
from .report import Reporter


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m site_builder.cli.decap_bundle",
                                     description="Cập nhật hoặc kiểm tra bản Decap CMS đi kèm site_builder.")
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("update", help="tải decap-cms từ npm (npm pack), kiểm tra mã integrity, chép vào gói")
    up.add_argument("version", help="phiên bản, ví dụ 3.16.4")
    commands.add_parser("verify", help="so sha256 của các tệp đã chép với MANIFEST.json")
    args = parser.parse_args(argv)
    reporter = Reporter()
    if args.command == "update":
        try:
            lines = update(args.version)
        except BundleError as error:
            return reporter.failed(error)
        for line in lines:
            reporter.say(line)
        return 0
    problems = verify(BUNDLE)
    manifest = read_manifest(BUNDLE)
    for problem in problems:
        reporter.say(f"Lỗi: {problem}")
    if not problems:
        reporter.say(f"{manifest.name}@{manifest.version}: {len(manifest.files)} tệp khớp với MANIFEST.json.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
