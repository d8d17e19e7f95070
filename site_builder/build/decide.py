"""What a build must do, decided from the plan, the keys and what the last build left: which files
to render, and whether to write through a staging folder or in place. Pure: no I/O."""
from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass

from ..base.cache import Manifest
from ..plan.pages import Planned, SearchIndex

SWAP_SHARE = 4  # rebuild through staging when more than 1/4 of the files change


@dataclass(frozen=True)
class Todo:
    """The decision: every planned file but the search index (plan order), those to render, the
    search index, and whether the whole output is swapped in at once (`swap`) or changed in place."""

    files: tuple[Planned, ...]
    render: tuple[Planned, ...]
    search: SearchIndex | None
    swap: bool


def decide(planned: Sequence[Planned], keys: Mapping[str, str], manifest: Manifest, existing: Set[str],
           output_is_dir: bool, swap_from: int = 0) -> Todo:
    """Render a file whose key differs from the last build's or whose file is gone; swap through
    staging on a first build, a missing output, or when more than 1/SWAP_SHARE of the files change
    and they are at least `swap_from` (`serve` writes fewer in place, see `LiveBuilder`)."""
    files = tuple(e for e in planned if not isinstance(e, SearchIndex))
    render = tuple(e for e in files if manifest.entries.get(e.path, ("",))[0] != keys[e.path] or e.path not in existing)
    search = next((e for e in planned if isinstance(e, SearchIndex)), None)
    swap = (not manifest.entries or not output_is_dir
            or (len(render) * SWAP_SHARE > len(files) and len(render) >= swap_from))
    return Todo(files, render, search, swap)
