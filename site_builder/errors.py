"""Errors and warnings as values with a place (file, line), collected until the CLI prints them."""
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

    def extend(self, other: "Problems") -> None:
        self.items.extend(other.items)

    @property
    def errors(self) -> list[SourceError]:
        return [p for p in self.items if p.level is Level.ERROR]

    @property
    def warnings(self) -> list[SourceError]:
        return [p for p in self.items if p.level is Level.WARNING]

    def __bool__(self) -> bool:
        return bool(self.errors)


class BuildFailed(Exception):
    """Raised by the pipeline when a stage has collected errors; carries them all."""

    def __init__(self, problems: Problems) -> None:
        super().__init__(f"{len(problems.errors)} lỗi")
        self.problems = problems
