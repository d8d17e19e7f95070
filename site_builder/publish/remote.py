"""What every kind of target does for a deploy (`Remote`), so `run` orders the work once."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from .plan import RemoteState


class Remote(Protocol):
    """One target: its state, then uploads phase by phase, the manifest, deletions, and `finish`
    (a zip written, a git commit pushed). `extra` are files the target needs beyond the site."""

    where: str
    extra: dict[str, bytes]
    whole: bool  # the site is written at once by `finish` (a zip, a commit), not file by file

    def state(self) -> RemoteState: ...

    def upload(self, rels: Sequence[str]) -> None: ...

    def put_manifest(self, data: bytes) -> None: ...

    def delete(self, rels: Sequence[str]) -> None: ...

    def finish(self) -> None: ...
