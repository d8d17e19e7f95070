"""`site-builder deploy`: the built output onto a target named in `site.yaml`'s `deploy:` block,
a dry run first (`--dry-run` lists every upload and deletion and changes nothing)."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..publish.plan import DELETE_LIMIT, too_many_deletions

if TYPE_CHECKING:  # the rest is imported when the command runs: `build` never loads it
    from ..base.deploy_targets import Target
    from .report import Reporter


def register(sub: Any) -> None:
    """The subcommand and its Vietnamese help."""
    d = sub.add_parser("deploy", help="đưa trang đã xây dựng lên máy chủ (hãy chạy thử trước với --dry-run)",
                       description="Đưa lên máy chủ: chép thư mục kết quả tới nơi khai báo trong mục deploy của "
                                   "site.yaml (thư mục, tệp .zip, rsync, S3, nhánh git). Chỉ tải lên tệp đã thay đổi, "
                                   "xóa tệp trang không còn dùng, và xóa sau cùng.")
    d.add_argument("--source", type=Path, default=Path("content"), metavar="THƯ_MỤC",
                   help="thư mục nguồn, chứa site.yaml (mặc định: content)")
    d.add_argument("--output", type=Path, default=Path("output"), metavar="THƯ_MỤC",
                   help="thư mục kết quả đã xây dựng (mặc định: output)")
    d.add_argument("--target", metavar="TÊN", help="tên nơi đưa lên trong mục deploy (bắt buộc khi có nhiều nơi)")
    d.add_argument("--dry-run", action="store_true",
                   help="chạy thử (không thay đổi gì): liệt kê từng tệp sẽ tải lên và sẽ xóa")
    d.add_argument("--force", action="store_true",
                   help=f"cho phép xóa quá {DELETE_LIMIT * 100:.0f}%% số tệp trên máy chủ trong một lần")


def _chosen(targets: tuple[Target, ...], name: str | None, settings: Path) -> Target:
    from ..publish.errors import DeployUsage
    names = ", ".join(t.name for t in targets)
    if name is None:
        if len(targets) == 1:
            return targets[0]
        raise DeployUsage(f"mục deploy có {len(targets)} nơi đưa lên ({names}).",
                          "Hãy chọn một nơi bằng --target TÊN, ví dụ --target " + targets[0].name + ".", str(settings))
    for target in targets:
        if target.name == name:
            return target
    raise DeployUsage(f'không có nơi đưa lên "{name}" trong mục deploy.', f"Các nơi đã khai báo: {names}.", str(settings))


def run(args: argparse.Namespace, report: Reporter) -> int:
    """Deploy; `DeployFailed` and `DeployUsage` are printed by `main` with their exit codes."""
    from ..base.cache import cache_folder
    from ..base.errors import Problems, unique
    from ..load.deploy_settings import load_targets
    from ..publish.run import deploy
    problems = Problems(root=args.source)
    targets = load_targets(args.source, problems)
    if problems or not targets:
        report.listing(problems)
        report.say(f"Có {len(unique(problems.errors))} lỗi trong mục deploy của site.yaml, chưa đưa lên máy chủ. "
                   "Hãy sửa rồi chạy lại.")
        return 1
    report.listing(problems)  # warnings
    target = _chosen(targets, args.target, args.source / "site.yaml")

    def progress(phase: str, count: int) -> None:
        report.say(f"Đang đưa lên máy chủ: {phase}, {count} tệp…")

    cache = cache_folder(args.source)
    done = deploy(args.output, target, args.source, cache, cache / "deploy" / target.name,
                  dry_run=args.dry_run, force=args.force, progress=progress)
    plan = done.plan
    counts = (f"tải lên {len(plan.uploads)} tệp, xóa {len(plan.deletions)} tệp, "
              f"giữ nguyên {plan.unchanged} tệp")
    if done.dry_run:
        for rel in plan.uploads:
            report.result(f"Tải lên: {rel}")
        for rel in plan.deletions:
            report.result(f"Xóa: {rel}")
        report.say(f'Chạy thử (không thay đổi gì) cho nơi đưa lên "{target.name}" ({done.where}): sẽ {counts}.')
        if too_many_deletions(plan) and not args.force:
            report.say(f"Cảnh báo: sẽ xóa {len(plan.deletions)} trong {plan.remote_count} tệp trên máy chủ, quá "
                       f"{DELETE_LIMIT:.0%}; khi đưa lên thật, lệnh sẽ từ chối.\n"
                       "    Hãy kiểm tra danh sách tệp sẽ xóa ở trên; nếu đúng, đưa lên với --force.")
        return 0
    if not plan.changes:
        report.say(f'Không có gì thay đổi: "{target.name}" ({done.where}) đã có đúng bản này.')
        return 0
    report.say(f'Đã đưa lên máy chủ "{target.name}" ({done.where}): {counts}.')
    return 0
