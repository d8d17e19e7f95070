"""`site-builder units import --province "Yên Bái"`: the unit tree of a province from official
data into units.yaml, what it adds or changes said first (`--dry-run` writes nothing)."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from ..base.oserrors import reason
from .report import EXIT_CONTENT, Reporter

if TYPE_CHECKING:  # the import itself loads YAML and the official data: only when run
    from ..scaffold.unit_file import Imported


def add_province(p: argparse.ArgumentParser) -> None:
    """`--province`, as `units import` and `init` take it."""
    p.add_argument("--province", action="append", required=True, metavar="TỈNH",
                   help='tên tỉnh, thành phố (có dấu hoặc không dấu) hoặc mã tỉnh, ví dụ "Yên Bái"; '
                        "có thể ghi nhiều lần")


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """The `units import` command and its options."""
    p = commands.add_parser(
        "import", help="nhập danh sách đơn vị của một tỉnh từ danh mục chính thức vào units.yaml",
        description="Nhập danh sách đơn vị từ danh mục chính thức (gói vietnamadminunits): tỉnh, huyện, xã "
                    "đến 30/06/2025 kèm đơn vị kế thừa, và tỉnh, xã mới từ 01/07/2025. Đơn vị đã có trong "
                    "units.yaml giữ nguyên mã và tên.")
    add_province(p)
    p.add_argument("--source", type=Path, default=Path("content"), metavar="THƯ_MỤC",
                   help="thư mục nguồn (mặc định: content)")
    p.add_argument("--to", type=Path, metavar="TỆP", help="tệp ghi ra (mặc định: THƯ_MỤC/units.yaml)")
    p.add_argument("--dry-run", action="store_true", help="chạy thử: in ra thay đổi, không ghi gì")


def run(args: argparse.Namespace, report: Reporter) -> int:
    """Import, say what changes, write unless a dry run."""
    from ..base.streams import replace_text
    from ..scaffold.admin_data import admin_data
    from ..scaffold.unit_file import import_units
    target: Path = args.to or args.source / "units.yaml"
    try:  # `ImportRefused` is a SiteBuilderError: main prints it with its exit code
        result = import_units(args.province, target, admin_data())
    except OSError as exc:
        report.say(f"{target}: Lỗi: không đọc được tệp ({reason(exc)}).\n    Hãy kiểm tra đường dẫn và quyền đọc.")
        return EXIT_CONTENT
    _summary(result, target, report)
    if args.dry_run:
        if result.before != result.after:
            report.result(result.diff(target), end="")
        report.say("Chạy thử (không thay đổi gì): chưa ghi tệp nào.")
        return 0
    if result.before == result.after:
        report.say(f"{target} đã có đủ các đơn vị này; không có gì thay đổi.")
        return 0
    try:
        replace_text(target, result.after)
    except OSError as exc:
        report.say(f"{target}: Lỗi: không ghi được tệp ({reason(exc)}).\n"
                   "    Hãy kiểm tra quyền ghi và chỗ trống trên đĩa, rồi chạy lại; tệp cũ vẫn nguyên.")
        return EXIT_CONTENT
    report.say(f"Đã ghi {target}.")
    return 0


def _summary(result: Imported, target: Path, report: Reporter) -> None:
    from ..scaffold.admin_data import admin_data
    data = admin_data()
    former = ", ".join(data.former[k].unit.name for k in result.chosen.former)
    new = ", ".join(data.new[k].unit.name for k in result.chosen.new)
    report.say(f"Nhập từ danh mục chính thức: {former} (đến 30/06/2025) → {new} (từ 01/07/2025).")
    if result.chosen.left_out:
        names = ", ".join(f'"{data.former[k].unit.short}"' for k in result.chosen.left_out)
        report.say(f"    {new} còn gồm phần đất của: {names} — thêm bằng --province nếu trang cần cả lịch sử của chúng.")
    report.say(f"{target}: thêm {result.added} đơn vị, cập nhật {len(result.changed)} đơn vị đã có "
               "(giữ nguyên mã và tên của mọi đơn vị đã có).")
    for line in result.changed:
        report.say(f"    cập nhật {line}")
    for note in result.notes:
        report.say(f"Cảnh báo: {note}")
