"""Errors and warnings as values with a place (file, line; or file and a spreadsheet's `Cell`),
collected until the CLI prints them; and `SiteBuilderError`, the one base of every exception that reaches the CLI.

`SiteBuilderError` is modelled on Click's `ClickException`: each subclass carries its exit code
(1 content errors, 2 usage errors or an output refused) and a Vietnamese `message` and `hint`;
`lines()` is what the CLI's reporter prints. Exceptions used as values inside the pipeline stay
outside the tree, because each is caught where it is raised and becomes a `Problems` entry with
its file and line: `vietnamese.ParseError` (a number or period that cannot be read),
`output.UnsafePath`, `render.TemplateNotUtf8`, and `xlsx.CellProblem` and `xlsx._Refused` (a
spreadsheet's cell, or the whole workbook, that cannot be read).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path


class Level(Enum):
    ERROR = "Lỗi"
    WARNING = "Cảnh báo"


@dataclass(frozen=True, order=True)
class Cell:
    """A place in a spreadsheet (.xlsx): a sheet, a row, and a column (1 is A) when one cell is
    meant, 0 when the whole row is. Shown as Excel writes it, `Sheet1!C12` (a sheet name with
    spaces or signs in quotes: `'Báo cáo 2020'!C12`), or `trang tính Sheet1, dòng 12`."""

    sheet: str
    row: int
    column: int = 0

    def __str__(self) -> str:
        """What an editor reads after the file's name: the cell in Excel's notation, or the row."""
        if self.column:
            return f"{quote_sheet(self.sheet)}!{column_letters(self.column)}{self.row}"
        return f"trang tính {quote_sheet(self.sheet)}, dòng {self.row}"


def column_letters(column: int) -> str:
    """Excel's letters of a column number: 1 → A, 27 → AA."""
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def quote_sheet(name: str) -> str:
    """A sheet's name as Excel writes it in a reference: bare when letters, digits and "_" only
    (not starting with a digit), else in single quotes with a quote inside doubled."""
    if re.fullmatch(r"[^\W\d]\w*", name):
        return name
    return "'" + name.replace("'", "''") + "'"


# Where a problem is: a line of a text file, a cell (or row) of a spreadsheet, or the whole file.
Place = int | Cell | None


@dataclass(frozen=True, order=True)
class SourceError:
    """One problem in one source file: where it is, what is wrong, and what to do about it.

    In a spreadsheet, `line` is the row and `sheet` and `column` say the rest of the place (see
    `cell`); they are plain fields so that problems stay comparable and hashable."""

    path: str
    line: int | None
    message: str
    hint: str = ""
    level: Level = field(default=Level.ERROR, compare=False)
    sheet: str = ""
    column: int = 0

    @property
    def cell(self) -> Cell | None:
        """The spreadsheet place of the problem, or None for a text file's line (or no place)."""
        return Cell(self.sheet, self.line, self.column) if self.sheet and self.line is not None else None

    @property
    def place(self) -> str:
        """`path:line`, `path: Sheet1!C12`, or the path alone: what leads the printed problem."""
        if self.cell is not None:
            return f"{self.path}: {self.cell}"
        return self.path if self.line is None else f"{self.path}:{self.line}"

    def format(self) -> str:
        """`path:line: Lỗi: message` (or `path: Sheet1!C12: Lỗi: message`) and, indented on the
        next line, the hint."""
        text = f"{self.place}: {self.level.value}: {self.message}"
        if self.hint:
            text += f"\n    {self.hint}"
        return text


@dataclass
class Problems:
    """Collects every error and warning of a build, in the order they were found."""

    root: Path | None = None
    items: list[SourceError] = field(default_factory=list)

    def where(self, path: Path | str) -> str:
        """How a path is shown to editors: relative to the folder holding the sources."""
        path = Path(path)
        if self.root is not None:
            try:
                return path.relative_to(self.root.parent).as_posix()
            except ValueError:
                pass
        return path.as_posix()

    def error(self, path: Path | str, line: Place, message: str, hint: str = "") -> None:
        """An error at a line of `path`, a cell of it (a `Cell`), or the whole file (None)."""
        self.items.append(self._at(path, line, message, hint, Level.ERROR))

    def warn(self, path: Path | str, line: Place, message: str, hint: str = "") -> None:
        """A warning at a line of `path`, a cell of it (a `Cell`), or the whole file (None)."""
        self.items.append(self._at(path, line, message, hint, Level.WARNING))

    def _at(self, path: Path | str, place: Place, message: str, hint: str, level: Level) -> SourceError:
        """The problem with its place spelled out in `SourceError`'s fields."""
        if isinstance(place, Cell):
            return SourceError(self.where(path), place.row, message, hint, level, place.sheet, place.column)
        return SourceError(self.where(path), place, message, hint, level)

    def extend(self, other: Problems) -> None:
        self.items.extend(other.items)

    @property
    def errors(self) -> list[SourceError]:
        return [p for p in self.items if p.level is Level.ERROR]

    @property
    def warnings(self) -> list[SourceError]:
        return [p for p in self.items if p.level is Level.WARNING]

    def __bool__(self) -> bool:
        return bool(self.errors)


def unique(items: list[SourceError]) -> list[SourceError]:
    """Each problem once, in the order found: a broken template that every page uses is one
    mistake, not one per page."""
    return list(dict.fromkeys(items))


def listing(problems: Problems) -> list[str]:
    """Warnings first, then errors, so the errors stay on screen; each problem once."""
    return [problem.format() for problem in unique(problems.warnings) + unique(problems.errors)]


def build_lines(problems: Problems) -> list[str]:
    """The problems of a build, then (when there are errors) a count saying nothing was written."""
    lines = listing(problems)
    if problems.errors:
        lines.append(f"Có {len(unique(problems.errors))} lỗi, chưa xây dựng trang. "
                     "Trang cũ trong thư mục kết quả vẫn giữ nguyên.")
    return lines


class SiteBuilderError(Exception):
    """What stops a command: its exit code and, in Vietnamese, what went wrong and what to do."""

    exit_code: int = 1

    def __init__(self, message: str, hint: str = "", where: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.where = where

    def lines(self) -> list[str]:
        """`where: Lỗi: message`, then the hint indented: what the reporter prints."""
        place = f"{self.where}: " if self.where else ""
        return [f"{place}Lỗi: {self.message}"] + ([f"    {self.hint}"] if self.hint else [])


class BuildFailed(SiteBuilderError):
    """Raised by the pipeline when a stage has collected errors; carries them all (exit 1)."""

    exit_code = 1

    def __init__(self, problems: Problems) -> None:
        super().__init__(f"{len(problems.errors)} lỗi")
        self.problems = problems

    def lines(self) -> list[str]:
        """Every problem, then the count: nothing was built."""
        return build_lines(self.problems)
