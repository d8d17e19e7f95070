"""What a stage keeps between builds (`serve`): typed slots, each holding the last value a stage
made, the key of the inputs it was made from, and the warnings the stage gave making it.

A slot gives its value back only for the same key, and says its warnings again then: a build
that reuses a stage's result reports exactly what one that redoes it would. Keys are digests of
inputs (file contents, settings), never the identity of objects.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from .errors import Problems, SourceError

T = TypeVar("T")


@dataclass
class Slot(Generic[T]):
    """The last value of one stage, with the key of its inputs and the warnings it gave."""

    key: str | None = None
    value: T | None = None
    said: tuple[SourceError, ...] = ()

    def get(self, key: str, problems: Problems | None = None) -> T | None:
        """The value kept for `key` (its warnings added to `problems`), or None."""
        if self.key is None or self.key != key or self.value is None:
            return None
        if problems is not None:
            problems.items.extend(self.said)
        return self.value

    def put(self, key: str, value: T, said: tuple[SourceError, ...] = ()) -> T:
        """Keep `value`, made from inputs whose digest is `key`, and the warnings it gave."""
        self.key, self.value, self.said = key, value, tuple(said)
        return value

    def clear(self) -> None:
        self.key, self.value, self.said = None, None, ()
