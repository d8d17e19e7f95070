"""Files read in chunks, never whole: a 1 GB video in `media/` is digested, compared and copied
with a few megabytes of memory."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

CHUNK = 1024 * 1024


def digest_file(path: Path) -> str:
    """The SHA-256 of a file's bytes (as `cache.digest_bytes` of its whole content), read in chunks."""
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def copy_digest(source: Path, target: Path) -> str:
    """Copy `source` to `target` (made anew, as `write_bytes` makes it) in chunks; the copied
    bytes' SHA-256."""
    h = hashlib.sha256()
    with open(source, "rb") as reading, open(target, "wb") as writing:
        while chunk := reading.read(CHUNK):
            h.update(chunk)
            writing.write(chunk)
    return h.hexdigest()


def same_content(a: Path, b: Path) -> bool:
    """Whether two files hold the same bytes, compared chunk by chunk (sizes first)."""
    if os.stat(a).st_size != os.stat(b).st_size:
        return False
    with open(a, "rb") as first, open(b, "rb") as second:
        while True:
            one, two = first.read(CHUNK), second.read(CHUNK)
            if one != two:
                return False
            if not one:
                return True
