"""What `deploy` must know of the last build into an output folder beyond the output itself.

A build with errors writes nothing into the output (it keeps the previous site byte for byte), so
its failure is noted beside the cache instead: `failed-<output>` under `.cache/site-builder/`,
removed by the next good build into that output. `site.yaml`'s `deploy:` block is left out of the
build's digest of that file: editing where the site goes never rebuilds it.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import re
from pathlib import Path

from .streams import digest_file

SETTINGS = "site.yaml"
_DEPLOY_KEY = re.compile(rb"deploy[ \t]*:")


def _note(cache_folder: Path, output: Path) -> Path:
    name = hashlib.sha256(str(output.resolve()).encode()).hexdigest()[:16]
    return cache_folder / f"failed-{name}"


def note_failure(cache_folder: Path | None, output: Path) -> None:
    """Remember that the last build into `output` had errors (best effort: a read-only cache only
    loses the note)."""
    if cache_folder is None:
        return
    with contextlib.suppress(OSError):
        cache_folder.mkdir(parents=True, exist_ok=True)
        _note(cache_folder, output).write_text(str(output.resolve()), encoding="utf-8")


def clear_failure(cache_folder: Path | None, output: Path) -> None:
    """A good build into `output`: forget an earlier failure."""
    if cache_folder is not None:
        with contextlib.suppress(OSError):
            os.unlink(_note(cache_folder, output))


def last_failed(cache_folder: Path | None, output: Path) -> bool:
    """Whether the last build into `output` from these sources had errors."""
    return cache_folder is not None and os.path.lexists(_note(cache_folder, output))


def without_deploy(data: bytes) -> bytes:
    """`site.yaml`'s bytes without its top-level `deploy:` block (the key's line and every indented,
    blank or comment line under it): what the build depends on."""
    kept: list[bytes] = []
    skipping = False
    for line in data.splitlines(keepends=True):
        if skipping and (line[:1] in (b" ", b"\t", b"#") or not line.strip()):
            continue
        skipping = bool(_DEPLOY_KEY.match(line))
        if not skipping:
            kept.append(line)
    return b"".join(kept)


def source_digest(path: Path) -> str:
    """A source file's SHA-256 as the build sees it: a `site.yaml` without its `deploy:` block."""
    if path.name != SETTINGS:
        return digest_file(path)
    data = path.read_bytes()
    if not _DEPLOY_KEY.search(data):
        return digest_file(path)
    return hashlib.sha256(without_deploy(data)).hexdigest()
