"""What `serve` tells the editor through: the CLI's `Reporter` fits (`live` does not import `cli`)."""
from __future__ import annotations

from typing import Protocol

from ..base.errors import Problems, SiteBuilderError


class Reporting(Protocol):
    """The one voice that prints: a line, a build's warnings, a failure."""

    def say(self, text: str) -> None: ...

    def problems(self, problems: Problems) -> None: ...

    def failed(self, error: SiteBuilderError) -> object: ...
