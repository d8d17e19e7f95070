"""`site-builder init THƯ_MỤC --province "Yên Bái"`: a new site ready to build (Tạo trang mới)."""
from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ..base.oserrors import reason
from .report import EXIT_CONTENT, Reporter
from .units_import import add_province


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """The `init` command and its options."""
    p = commands.add_parser(
        "init", help="tạo trang mới cho một tỉnh, sẵn sàng xây dựng",
        description="Tạo trang mới: site.yaml (mục cơ quan để điền), danh sách đơn vị từ danh mục chính thức, "
                    "danh mục chỉ tiêu chuẩn, bài chào mừng, trang Giới thiệu và Liên hệ, .gitignore và quy trình "
                    "CI cho GitHub, GitLab.")
    p.add_argument("folder", type=Path, metavar="THƯ_MỤC", help="thư mục của trang mới (chưa có hoặc đang trống)")
    add_province(p)


def run(args: argparse.Namespace, report: Reporter) -> int:
    from ..scaffold.new_site import create_site

    folder: Path = args.folder
    try:  # a refusal (`InitRefused`, `ImportRefused`) is a SiteBuilderError: main prints it
        created = create_site(folder, args.province, datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")))
    except OSError as exc:
        report.say(f"{folder}: Lỗi: không tạo được trang mới ({reason(exc)}).\n"
                   "    Hãy kiểm tra quyền ghi và chỗ trống trên đĩa, rồi chạy lại; chưa có gì được tạo.")
        return EXIT_CONTENT
    report.say(f"Đã tạo trang mới trong {folder}: {len(created.files)} tệp, {created.units.added} đơn vị hành chính.")
    report.say(f"Tiếp theo:\n    cd {folder}\n    site-builder build           # xây dựng ngay được\n"
               "    site-builder check --strict  # liệt kê các mục còn phải điền trong content/site.yaml\n"
               "    site-builder serve           # xem trước tại http://127.0.0.1:8000/")
    return 0
