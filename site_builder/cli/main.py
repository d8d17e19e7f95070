"""Command line: `site-builder build | check | serve | edit | new | fix-encoding | units list`.

Exit 0 ok, 1 content errors, 2 usage errors, 130 stopped by Ctrl-C. Every word it prints is
Vietnamese, argparse's own included (see `argparse_vi`).
"""
from __future__ import annotations

import argparse
import errno
import sys
from datetime import UTC, datetime
from pathlib import Path

from ..base.errors import BuildFailed, Problems, SiteBuilderError, unique
from ..base.oserrors import reason
from . import deploy_cmd, init_site, units_import
from .argparse_vi import Parser, vietnamese
from .interrupt import say_stopped, stop_here_only
from .report import EXIT_CONTENT, EXIT_OK, EXIT_USAGE, ProgressLine, Reporter

# The rest of the pipeline is imported by the commands that use it: a build that finds nothing
# to do (`build.quick`) never loads Markdown, Jinja2, Babel, YAML or Pagefind.

REPORT = Reporter()  # the one voice of every command: nothing else in the package prints
_SPACE = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
_RIGHTS = (errno.EACCES, errno.EPERM, errno.EROFS)


def _port(text: str) -> int:
    """`--port`: a whole number a TCP port can be."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f'cổng "{text}" không hợp lệ: cần một số từ 1 đến 65535, ví dụ 8000')
    return value


def _parser() -> argparse.ArgumentParser:
    """Every command and option, with Vietnamese help; build it inside `vietnamese()`."""
    parser = Parser(prog="site-builder", description="Xây dựng trang bản tin tĩnh từ thư mục nguồn.")
    sub = parser.add_subparsers(dest="command", required=True, title="Lệnh", metavar="LỆNH")

    def source(p: argparse.ArgumentParser) -> None:
        p.add_argument("--source", type=Path, default=Path("content"), metavar="THƯ_MỤC",
                       help="thư mục nguồn (mặc định: content)")

    def output(p: argparse.ArgumentParser) -> None:
        p.add_argument("--output", type=Path, default=Path("output"), metavar="THƯ_MỤC",
                       help="thư mục kết quả (mặc định: output)")

    b = sub.add_parser("build", help="xây dựng trang vào thư mục kết quả", description="Xây dựng trang vào thư mục kết quả.")
    source(b)
    output(b)
    b.add_argument("--drafts", action="store_true",
                   help="đăng cả bài nháp và bài hẹn giờ, chỉ để xem trước (không đưa bản này lên mạng)")
    b.add_argument("--portable", action="store_true",
                   help="liên kết trỏ thẳng tới …/index.html, để mở trang từ ổ đĩa hay USB không cần máy chủ")

    c = sub.add_parser("check", help="kiểm tra nguồn như khi xây dựng, không ghi gì",
                       description="Kiểm tra nguồn như khi xây dựng, không ghi gì.")
    source(c)
    c.add_argument("--strict", action="store_true", help="coi cảnh báo là lỗi (mã thoát 1)")
    c.add_argument("--drafts", action="store_true", help="kiểm tra cả bài nháp và bài hẹn giờ như khi đăng")

    s = sub.add_parser("serve", help="xây dựng, phục vụ tại 127.0.0.1 và tự tải lại khi sửa",
                       description="Xây dựng, phục vụ trang tại máy này và tự tải lại khi sửa. Nhấn Ctrl+C để dừng.")
    source(s)
    output(s)
    s.add_argument("--drafts", action="store_true", help="hiện cả bài nháp và bài hẹn giờ để xem trước")
    s.add_argument("--host", default="127.0.0.1", metavar="ĐỊA_CHỈ", help="địa chỉ phục vụ (mặc định: 127.0.0.1)")
    s.add_argument("--port", type=_port, default=8000, metavar="CỔNG", help="cổng phục vụ (mặc định: 8000)")

    e = sub.add_parser("edit", help="mở Bàn biên tập trong trình duyệt: viết bài, báo cáo số liệu, xem trang ngay",
                       description="Xây dựng trang rồi mở Bàn biên tập tại http://127.0.0.1:CỔNG/admin/ (chỉ trên máy "
                                   "này): viết bài, báo cáo số liệu, tải ảnh lên; mỗi lần lưu được kiểm tra như khi xây "
                                   "dựng và trang xem trước cập nhật ngay. Nhấn Ctrl+C để dừng.")
    source(e)
    output(e)
    e.add_argument("--drafts", action="store_true", help="hiện cả bài nháp và bài hẹn giờ trên trang xem trước")
    e.add_argument("--port", type=_port, default=8080, metavar="CỔNG", help="cổng phục vụ (mặc định: 8080)")

    n = sub.add_parser("new", help="tạo bài viết mới từ khung mẫu", description="Tạo bài viết mới (bản nháp) từ khung mẫu.")
    source(n)
    n.add_argument("title", metavar="TIÊU_ĐỀ", help='tiêu đề bài viết, ví dụ "Hội nghị tiếp xúc cử tri"')
    n.add_argument("--unit", required=True, metavar="MÃ_ĐƠN_VỊ",
                   help='mã đơn vị trong units.yaml, ví dụ huyen-van-yen (tìm mã: site-builder units list "van yen")')

    f = sub.add_parser("fix-encoding", help="chuyển chữ gõ bằng bảng mã cũ (TCVN3, VNI, Windows-1258) sang Unicode",
                       description="Chuyển chữ gõ bằng bảng mã cũ (TCVN3, VNI, Windows-1258) sang Unicode (UTF-8).")
    f.add_argument("file", type=Path, metavar="TỆP", help="tệp cần chuyển")
    f.add_argument("--dry-run", action="store_true", help="chỉ hiện thay đổi, không ghi tệp")

    u = sub.add_parser("units", help="tra cứu đơn vị trong units.yaml, nhập danh sách đơn vị chính thức",
                       description="Tra cứu đơn vị trong units.yaml, hoặc nhập danh sách đơn vị từ danh mục chính thức.")
    unit_commands = u.add_subparsers(dest="units_command", required=True, title="Lệnh", metavar="LỆNH")
    ul = unit_commands.add_parser("list", help="liệt kê mã đơn vị, tên, đơn vị cấp trên, hiệu lực và đơn vị kế thừa",
                                  description="Liệt kê đơn vị; gõ tên không dấu để lọc, ví dụ: site-builder units list "
                                              '"dong cuong".')
    source(ul)
    ul.add_argument("query", nargs="*", metavar="TỪ_KHÓA", help="một phần tên hay mã đơn vị, có dấu hoặc không dấu")
    units_import.register(unit_commands)
    init_site.register(sub)
    deploy_cmd.register(sub)
    return parser


def parse(argv: list[str] | None) -> argparse.Namespace:
    """The command line, read with argparse speaking Vietnamese."""
    with vietnamese():
        return _parser().parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run one command; a `SiteBuilderError` is printed once, here, with its own exit code;
    Ctrl-C stops it with one line and exit code 130."""
    try:
        with stop_here_only():
            return _run(parse(argv))
    except SiteBuilderError as error:
        return REPORT.failed(error)
    except KeyboardInterrupt:
        return say_stopped()
    except OSError as exc:  # a refusal no command foresaw: still Vietnamese, with its path
        where = exc.filename if isinstance(exc.filename, str) else "site-builder"
        REPORT.say(f"{where}: Lỗi: thao tác với tệp không thực hiện được ({reason(exc)}).\n"
                   "    Hãy kiểm tra đường dẫn, quyền truy cập và chỗ trống trên đĩa, rồi chạy lại.")
        return EXIT_CONTENT


def _run(args: argparse.Namespace) -> int:
    if args.command == "init":
        return init_site.run(args, REPORT)
    if args.command == "units" and args.units_command == "import":
        return units_import.run(args, REPORT)  # writes a units.yaml: the source folder may not exist yet
    if args.command == "fix-encoding":
        from .fix_encoding import fix_encoding
        return fix_encoding(args.file, args.dry_run, REPORT)  # EncodingFailed: exit 1, in main
    problem = _source_problem(args.source)
    if problem is not None:
        REPORT.say(f"{args.source}: Lỗi: {problem}.\n"
                   "    Hãy chạy lệnh trong thư mục chứa content/, hoặc chỉ rõ thư mục bằng --source.")
        return EXIT_USAGE
    if args.command == "build":
        return _build(args)
    if args.command == "check":
        return _check(args)
    if args.command == "serve":
        return _serve(args)
    if args.command == "edit":
        return _edit(args)
    if args.command == "units":
        return _units_list(args)
    if args.command == "deploy":
        return deploy_cmd.run(args, REPORT)
    return _new(args)


def _source_problem(source: Path) -> str | None:
    """What is wrong with `--source`, or None when it is a folder."""
    try:
        if source.is_dir():
            return None
    except OSError as exc:
        return f"không mở được thư mục nguồn ({reason(exc)})"
    return "không có thư mục nguồn này"


def _serve(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C (exit 130, one line); a busy port is a usage error said before building."""
    from ..live.serve import serve
    serve(args.source, args.output, args.host, args.port, args.drafts, REPORT)  # ServeFailed: exit 2, in main
    return say_stopped()


def _edit(args: argparse.Namespace) -> int:
    """The desk and the live site until Ctrl-C (exit 130, one line), on 127.0.0.1 only."""
    from ..live.edit import edit
    edit(args.source, args.output, args.port, args.drafts, REPORT)  # ServeFailed: exit 2, in main
    return say_stopped()


def _build(args: argparse.Namespace) -> int:
    from ..build.quick import nothing_to_do

    def waiting() -> None:
        REPORT.say("Đang chờ bản dựng khác ghi xong thư mục kết quả…")

    try:
        result = nothing_to_do(args.source, args.output, args.drafts, args.portable, waiting)
    except OSError:
        result = None  # the build below says what could not be read or written
    try:
        if result is None:
            from ..build.fast import CommandLineBuilder
            result = CommandLineBuilder(args.source, args.output, args.drafts, ProgressLine(), portable=args.portable,
                                        waiting=waiting).build()
    except OSError as exc:  # BuildFailed (exit 1) and UnsafeOutput (exit 2) are printed by `main`
        REPORT.say(os_error(exc, args.source, args.output))
        return EXIT_CONTENT
    REPORT.problems(result.problems)
    if result.report.changed:
        REPORT.say(f"Đã xây dựng xong {result.pages} trang trong {result.seconds:.2f} giây "
                   f"(trong đó chỉ mục tìm kiếm {result.search_seconds:.2f} giây; "
                   f"{result.report.written} tệp ghi mới, {result.report.removed} tệp bị xóa).")
    else:
        REPORT.say("Không có gì thay đổi.")
    return EXIT_OK


def os_error(exc: OSError, source: Path, output: Path) -> str:
    """A refused read or write, said in Vietnamese with the path it concerns and what to do."""
    where = Path(exc.filename) if isinstance(exc.filename, str) else None
    if where is not None and _inside(where, source) and exc.errno not in _SPACE:
        return (f"{where}: Lỗi: không đọc được tệp nguồn ({reason(exc)}).\n"
                "    Hãy kiểm tra tệp còn tồn tại và có quyền đọc, rồi xây dựng lại. Trang cũ vẫn giữ nguyên.")
    if exc.errno in _SPACE:
        todo = "Hãy giải phóng dung lượng đĩa"
    elif exc.errno in _RIGHTS:
        todo = "Hãy cấp quyền ghi cho thư mục này (và thư mục chứa nó)"
    else:
        todo = "Hãy kiểm tra đường dẫn thư mục kết quả (--output)"
    at = f" tại {where}" if where is not None and where != output else ""
    return (f"{output}: Lỗi: không ghi được thư mục kết quả ({reason(exc)}){at}.\n"
            f"    {todo}, rồi xây dựng lại. Trang cũ vẫn giữ nguyên.")


def _inside(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, ValueError):
        return False


def _check(args: argparse.Namespace) -> int:
    """Everything a build checks, writing nothing; `--strict` fails on warnings too."""
    from ..build.builder import check
    try:
        problems = check(args.source, include_drafts=args.drafts)
    except BuildFailed as stopped:
        problems = stopped.problems
    except OSError as exc:  # check writes nothing, so this is a file it could not read
        where = exc.filename if isinstance(exc.filename, str) else args.source
        REPORT.say(f"{where}: Lỗi: không đọc được tệp ({reason(exc)}).\n"
                   "    Hãy kiểm tra tệp còn tồn tại và có quyền đọc, rồi kiểm tra lại.")
        return EXIT_CONTENT
    REPORT.listing(problems)
    errors, warnings = len(unique(problems.errors)), len(unique(problems.warnings))
    failed = errors > 0 or (args.strict and warnings > 0)
    if not failed:
        REPORT.say(f"Kiểm tra xong: không có lỗi, {warnings} cảnh báo.")
    elif errors:
        REPORT.say(f"Kiểm tra xong: có {errors} lỗi, {warnings} cảnh báo. Hãy sửa rồi kiểm tra lại.")
    else:
        REPORT.say(f"Kiểm tra xong: không có lỗi, nhưng có {warnings} cảnh báo (--strict coi cảnh báo là lỗi). "
                   "Hãy sửa rồi kiểm tra lại.")
    return EXIT_CONTENT if failed else EXIT_OK


def _units_list(args: argparse.Namespace) -> int:
    """Units whose name or id matches the words typed, with parent, validity and successors."""
    from ..load.units import load_units
    from .unit_list import describe, find_units
    problems = Problems(root=args.source)
    units = load_units(args.source, problems)
    if units is None or problems:
        REPORT.listing(problems)
        return EXIT_CONTENT
    query = " ".join(args.query)
    found = find_units(units, query)
    for unit in found:
        REPORT.result(describe(units, unit))
    if not found:
        REPORT.say(f'Không có đơn vị nào khớp với "{query}".\n'
                   "    Hãy gõ một phần tên đơn vị, có dấu hoặc không dấu, ví dụ: site-builder units list \"van yen\".")
        return EXIT_CONTENT
    return EXIT_OK


def _new(args: argparse.Namespace) -> int:
    from ..base.vietnamese import slugify
    from ..load.config import load_config
    from ..load.units import load_units
    from .newitem import write_new_item
    from .unit_list import find_units
    if not slugify(args.title):
        REPORT.say(f'Lỗi: tiêu đề "{args.title}" không tạo được tên tệp (không có chữ cái Latin hay chữ số).\n'
                   "    Hãy đặt tiêu đề có chữ, ví dụ \"Hội nghị tiếp xúc cử tri\".")
        return EXIT_USAGE
    problems = Problems(root=args.source)
    config = load_config(args.source, problems)
    units = load_units(args.source, problems)
    if problems or config is None or units is None:
        REPORT.listing(problems)
        REPORT.say(f"Có {len(unique(problems.errors))} lỗi trong thư mục nguồn, chưa tạo bài mới. "
                   "Hãy sửa rồi chạy lại.")
        return EXIT_CONTENT
    if args.unit not in units:
        like = find_units(units, args.unit.replace("-", " "))
        example = f', ví dụ "{like[0].id}" ({like[0].name})' if like else ""
        REPORT.say(f'Lỗi: không có đơn vị "{args.unit}" trong {args.source / "units.yaml"}; chưa tạo bài mới.\n'
                   f"    Hãy dùng một mã đơn vị có trong units.yaml{example}. "
                   f'Tìm mã theo tên: site-builder units list "{args.unit.replace("-", " ")}".')
        return EXIT_CONTENT
    try:
        path = write_new_item(args.source, config, args.title, args.unit, datetime.now(UTC))
    except FileExistsError as exc:
        REPORT.say(f"{exc.filename}: Lỗi: tệp đã có.\n    Hãy đặt tiêu đề khác hoặc sửa tệp đó.")
        return EXIT_CONTENT
    except OSError as exc:
        where = exc.filename if isinstance(exc.filename, str) else args.source
        REPORT.say(f"{where}: Lỗi: không ghi được bài mới ({reason(exc)}).\n"
                   "    Hãy kiểm tra quyền ghi vào thư mục news/ rồi chạy lại.")
        return EXIT_CONTENT
    REPORT.say(f"Đã tạo {path}")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
