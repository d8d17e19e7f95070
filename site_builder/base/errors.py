"""Errors and warnings as values with a place (file, line), collected until the CLI prints them;
and `SiteBuilderError`, the one base of every exception that reaches the CLI.

`SiteBuilderError` is modelled on Click's `ClickException`: each subclass carries its exit code
(1 content errors, 2 usage errors or an output refused) and a Vietnamese `message` and `hint`;
`lines()` is what the CLI's reporter prints. Exceptions used as values inside the pipeline stay
outside the tree, because each is caught where it is raised and becomes a `Problems` entry with
its file and line: `vietnamese.ParseError` (a number or period that cannot be read),
`output.UnsafePath` and `render.TemplateNotUtf8`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path


class Level(Enum):
    ERROR = "Lỗi"
    WARNING = "Cảnh báo"


@dataclass(frozen=True, order=True)
class SourceError:
    """One problem in one source file: where it is, what is wrong, and what to do about it."""

    path: str
    line: int | None
    message: str
    hint: str = ""
    level: Level = field(default=Level.ERROR, compare=False)

    def format(self) -> str:
        """`path:line: Lỗi: message` and, indented on the next line, the hint."""
        place = self.path if self.line is None else f"{self.path}:{self.line}"
        text = f"{place}: {self.level.value}: {self.message}"
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

    def error(self, path: Path | str, line: int | None, message: str, hint: str = "") -> None:
        self.items.append(SourceError(self.where(path), line, message, hint, Level.ERROR))

    def warn(self, path: Path | str, line: int | None, message: str, hint: str = "") -> None:
        self.items.append(SourceError(self.where(path), line, message, hint, Level.WARNING))

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
