"""Command line: `site-builder build | check | serve | new`. Exit 0 ok, 1 content errors, 2 usage errors."""
from __future__ import annotations

import argparse
import errno
import sys
from datetime import datetime, timezone
from pathlib import Path

from .build import build, check
from .config import load_config
from .errors import BuildFailed, Problems
from .fix_encoding import fix_encoding
from .newitem import write_new_item
from .output import UnsafeOutput
from .report import ProgressLine, print_problems
from .units import load_units
from .vietnamese import slugify

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="site-builder", description="Xây dựng trang bản tin tĩnh từ thư mục nguồn.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="{build,check,serve,new,fix-encoding}")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--source", type=Path, default=Path("content"), help="thư mục nguồn (mặc định: content)")

    b = sub.add_parser("build", help="xây dựng trang vào thư mục kết quả")
    common(b)
    b.add_argument("--output", type=Path, default=Path("output"), help="thư mục kết quả (mặc định: output)")
    b.add_argument("--drafts", action="store_true", help="đăng cả bài nháp và bài hẹn giờ")
    b.add_argument("--portable", action="store_true",
                   help="liên kết trỏ thẳng tới …/index.html, để mở trang từ ổ đĩa hay USB không cần máy chủ")

    c = sub.add_parser("check", help="kiểm tra nguồn như khi xây dựng, không ghi gì")
    common(c)
    c.add_argument("--strict", action="store_true", help="coi cảnh báo là lỗi (mã thoát 1)")
    c.add_argument("--drafts", action="store_true", help="kiểm tra cả bài nháp và bài hẹn giờ như khi đăng")

    s = sub.add_parser("serve", help="xây dựng, phục vụ tại 127.0.0.1 và tự tải lại khi sửa")
    common(s)
    s.add_argument("--output", type=Path, default=Path("output"))
    s.add_argument("--drafts", action="store_true")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)

    n = sub.add_parser("new", help="tạo bài viết mới từ khung mẫu")
    common(n)
    n.add_argument("title", help='tiêu đề bài viết, ví dụ "Hội nghị tiếp xúc cử tri"')
    n.add_argument("--unit", required=True, help="mã đơn vị trong units.yaml, ví dụ huyen-van-yen")
    f = sub.add_parser("fix-encoding", help="chuyển chữ gõ bằng bảng mã cũ (TCVN3, VNI, Windows-1258) sang Unicode")
    f.add_argument("file", type=Path, help="tệp cần chuyển")
    f.add_argument("--dry-run", action="store_true", help="chỉ hiện thay đổi, không ghi tệp")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "fix-encoding":
        return fix_encoding(args.file, args.dry_run)
    if not args.source.is_dir():
        print(f"Lỗi: không có thư mục nguồn {args.source}.", file=sys.stderr)
        return EXIT_USAGE
    if args.command == "build":
        return _build(args)
    if args.command == "check":
        return _check(args)
    if args.command == "serve":
        from .serve import serve
        serve(args.source, args.output, args.host, args.port, args.drafts)
        return EXIT_OK
    return _new(args)


def _build(args: argparse.Namespace) -> int:
    try:
        result = build(args.source, args.output, include_drafts=args.drafts, progress=ProgressLine(),
                       portable=args.portable,
                       waiting=lambda: print("Đang chờ bản dựng khác ghi xong thư mục kết quả…", file=sys.stderr))
    except BuildFailed as failed:
        print_problems(failed.problems)
        return EXIT_CONTENT
    except UnsafeOutput as exc:
        print(f"Lỗi: {exc.message}\n    {exc.hint}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(_os_error(exc, args.source, args.output), file=sys.stderr)
        return EXIT_CONTENT
    print_problems(result.problems)
    if result.report.changed:
        print(f"Đã xây dựng xong {result.pages} trang trong {result.seconds:.2f} giây "
              f"(trong đó chỉ mục tìm kiếm {result.search_seconds:.2f} giây; "
              f"{result.report.written} tệp ghi mới, {result.report.removed} tệp bị xóa).", file=sys.stderr)
    else:
        print("Không có gì thay đổi.", file=sys.stderr)
    return EXIT_OK


_REASONS = {
    errno.ENOSPC: "ổ đĩa đã đầy",
    errno.EDQUOT: "đã hết hạn mức dung lượng",
    errno.EFBIG: "tệp vượt quá kích thước cho phép",
    errno.EACCES: "không có quyền ghi",
    errno.EPERM: "không được phép ghi",
    errno.EROFS: "ổ đĩa chỉ cho đọc",
}


def _os_error(exc: OSError, source: Path, output: Path) -> str:
    """A refused read or write, said in Vietnamese with the folder it concerns and what to do."""
    reason = _REASONS.get(exc.errno or 0, exc.strerror or type(exc).__name__)
    where = Path(exc.filename) if isinstance(exc.filename, str) else None
    if where is not None and where.resolve().is_relative_to(source.resolve()) and exc.errno not in (errno.ENOSPC, errno.EFBIG):
        return (f"{where}: Lỗi: không đọc được tệp nguồn ({reason}).\n"
                "    Hãy kiểm tra tệp còn tồn tại và có quyền đọc, rồi xây dựng lại. Trang cũ vẫn giữ nguyên.")
    return (f"{output}: Lỗi: không ghi được thư mục kết quả ({reason}).\n"
            "    Hãy giải phóng dung lượng đĩa hoặc cấp quyền ghi cho thư mục này (và thư mục chứa nó), "
            "rồi xây dựng lại. Trang cũ vẫn giữ nguyên.")


def _check(args: argparse.Namespace) -> int:
    """Everything a build checks, writing nothing; `--strict` fails on warnings too."""
    try:
        problems = check(args.source, include_drafts=args.drafts)
    except BuildFailed as failed:
        problems = failed.problems
    except OSError as exc:  # check writes nothing, so this is a file it could not read
        reason = _REASONS.get(exc.errno or 0, exc.strerror or type(exc).__name__)
        where = exc.filename if isinstance(exc.filename, str) else args.source
        print(f"{where}: Lỗi: không đọc được tệp ({reason}).\n"
              "    Hãy kiểm tra tệp còn tồn tại và có quyền đọc, rồi kiểm tra lại.", file=sys.stderr)
        return EXIT_CONTENT
    for problem in problems.warnings + problems.errors:
        print(problem.format(), file=sys.stderr)
    errors, warnings = len(problems.errors), len(problems.warnings)
    failed = errors > 0 or (args.strict and warnings > 0)
    if not failed:
        print(f"Kiểm tra xong: không có lỗi, {warnings} cảnh báo.", file=sys.stderr)
    elif errors:
        print(f"Kiểm tra xong: có {errors} lỗi, {warnings} cảnh báo. Hãy sửa rồi kiểm tra lại.", file=sys.stderr)
    else:
        print(f"Kiểm tra xong: không có lỗi, nhưng có {warnings} cảnh báo (--strict coi cảnh báo là lỗi). "
              "Hãy sửa rồi kiểm tra lại.", file=sys.stderr)
    return EXIT_CONTENT if failed else EXIT_OK


def _new(args: argparse.Namespace) -> int:
    if not slugify(args.title):
        print(f'Lỗi: tiêu đề "{args.title}" không tạo được tên tệp (không có chữ cái Latin hay chữ số).\n'
              "    Hãy đặt tiêu đề có chữ, ví dụ \"Hội nghị tiếp xúc cử tri\".", file=sys.stderr)
        return EXIT_USAGE
    problems = Problems(root=args.source)
    config = load_config(args.source, problems)
    units = load_units(args.source, problems)
    if config is not None and units is not None and args.unit not in units:
        problems.error(args.source / "units.yaml", None, f'không có đơn vị "{args.unit}" trong units.yaml.',
                       "Hãy dùng một mã đơn vị có trong units.yaml.")
    if problems or config is None:
        print_problems(problems)
        return EXIT_CONTENT
    try:
        path = write_new_item(args.source, config, args.title, args.unit, datetime.now(timezone.utc))
    except FileExistsError as exc:
        print(f"{exc.filename}: Lỗi: tệp đã có.\n    Hãy đặt tiêu đề khác hoặc sửa tệp đó.", file=sys.stderr)
        return EXIT_CONTENT
    print(f"Đã tạo {path}", file=sys.stderr)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
