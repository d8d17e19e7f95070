"""One exception tree and one printer: every error the CLI can meet derives from `SiteBuilderError`
(with its exit code), and only the CLI's reporter prints (issue 13)."""
from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import site_builder

PACKAGE = Path(site_builder.__file__).parent
PRINTERS = {"cli/report.py", "cli/interrupt.py"}  # the CLI's reporter, and the Ctrl-C line (said before anything is imported)
# Exceptions used as values inside the pipeline: each is caught where it is raised and becomes a
# `Problems` entry (file, line, message), so none of them can reach the CLI.
INTERNAL = {
    "site_builder.write.output.UnsafePath": "build.py turns it into an error naming the source file",
    "site_builder.render.environment.TemplateNotUtf8": "render.py turns it into an error at the template's line",
    "site_builder.base.vietnamese.ParseError": "the loaders turn it into an error at the cell or field",
    "site_builder.live.desk_paths.DeskError": "DeskApi.handle turns it into the {error} reply the browser shows",
    "site_builder.load.xlsx.CellProblem": "records.py turns it into an error at the spreadsheet's cell",
    "site_builder.load.xlsx._Refused": "read_workbook turns it into an error naming the .xlsx file",
}


def _package_exceptions() -> dict[str, type[BaseException]]:
    """Every exception class defined in a module of the package, by its full name."""
    found: dict[str, type[BaseException]] = {}
    for info in pkgutil.walk_packages([str(PACKAGE)], prefix="site_builder."):
        if info.name.startswith("site_builder.themes"):
            continue
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, BaseException) and cls.__module__ == module.__name__:
                found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return found


def test_the_walk_finds_the_known_errors() -> None:
    names = _package_exceptions()
    for known in ("site_builder.base.errors.BuildFailed", "site_builder.write.output.UnsafeOutput",
                  "site_builder.live.serve.ServeFailed", *INTERNAL):
        assert known in names


@pytest.mark.parametrize("name", sorted(_package_exceptions()))
def test_each_error_reaching_the_cli_is_a_site_builder_error(name: str) -> None:
    if name in INTERNAL:
        return
    from site_builder.base.errors import SiteBuilderError
    cls = _package_exceptions()[name]
    assert issubclass(cls, SiteBuilderError), f"{name} không thuộc cây SiteBuilderError"
    assert cls.exit_code in {1, 2}, f"{name}: mã thoát {cls.exit_code}"


def test_internal_errors_still_exist() -> None:
    """A stale entry in INTERNAL would hide nothing, but says something untrue."""
    assert set(INTERNAL) <= set(_package_exceptions())


def test_error_lines_are_what_the_reporter_prints() -> None:
    from site_builder.base.errors import BuildFailed, Problems
    from site_builder.write.output import UnsafeOutput
    problems = Problems()
    problems.error("content/a.md", 3, "sai.", "Hãy sửa.")
    assert BuildFailed(problems).lines() == ["content/a.md:3: Lỗi: sai.\n    Hãy sửa.",
                                             "Có 1 lỗi, chưa xây dựng trang. "
                                             "Trang cũ trong thư mục kết quả vẫn giữ nguyên."]
    refused = UnsafeOutput("thư mục kết quả x là một tệp.", "Hãy chọn thư mục khác.")
    assert refused.lines() == ["Lỗi: thư mục kết quả x là một tệp.", "    Hãy chọn thư mục khác."]
    assert (BuildFailed.exit_code, UnsafeOutput.exit_code) == (1, 2)


def _prints(path: Path) -> list[int]:
    """Lines of `path` that call the builtin `print` or write to `sys.stdout`/`sys.stderr` themselves."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.lineno for node in ast.walk(tree) if _is_print(node) or _is_std_write(node)]


def _is_print(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print"


def _is_std_write(node: ast.AST) -> bool:
    """`sys.stdout.write(…)`, `sys.stderr.writelines(…)`."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
        return False
    stream = node.func.value
    return (node.func.attr in {"write", "writelines"} and isinstance(stream, ast.Attribute)
            and stream.attr in {"stdout", "stderr"} and isinstance(stream.value, ast.Name) and stream.value.id == "sys")


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_only_the_cli_prints(path: Path) -> None:
    if path.relative_to(PACKAGE).as_posix() in PRINTERS:
        return
    assert _prints(path) == [], f"{path.name} gọi print(): hãy trả về thông báo để CLI in"
