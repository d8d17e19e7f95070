"""`site-builder serve`: build, serve `output/` on 127.0.0.1, rebuild and reload on every change."""
from __future__ import annotations

import sys
from pathlib import Path

from livereload import Server

from .build import build
from .errors import BuildFailed
from .output import UnsafeOutput
from .render import PACKAGE_THEMES
from .report import print_problems


def rebuild(source: Path, output: Path, include_drafts: bool) -> bool:
    """One build for the dev server; errors are printed and the last good output stays served."""
    try:
        result = build(source, output, include_drafts=include_drafts)
    except BuildFailed as failed:
        print_problems(failed.problems)
        return False
    except UnsafeOutput as exc:
        print(f"Lỗi: {exc.message}\n    {exc.hint}", file=sys.stderr)
        return False
    except OSError as exc:
        print(f"Lỗi: không ghi được thư mục kết quả ({exc.strerror}).", file=sys.stderr)
        return False
    print_problems(result.problems)
    if result.report.changed:
        print(f"Đã xây dựng xong {result.pages} trang trong {result.seconds:.2f} giây.", file=sys.stderr)
    else:
        print("Không có gì thay đổi.", file=sys.stderr)
    return True


def serve(source: Path, output: Path, host: str, port: int, include_drafts: bool) -> None:
    """Serve until interrupted; sources, site templates and the theme are watched."""
    rebuild(source, output, include_drafts)
    server = Server()
    watched = [source, source.parent / "themes", PACKAGE_THEMES]
    for folder in dict.fromkeys(watched):
        if folder.is_dir():
            server.watch(str(folder), lambda: rebuild(source, output, include_drafts), delay=0.2)
    print(f"Đang phục vụ tại http://{host}:{port}/ (nhấn Ctrl+C để dừng)", file=sys.stderr)
    server.serve(host=host, port=port, root=str(output), open_url_delay=None)
