"""Files read in chunks, never whole: a 1 GB video in `media/` is digested, compared and copied
with a few megabytes of memory."""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
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


def replace_text(path: Path, text: str) -> None:
    """Write `text` (UTF-8, newlines as given) beside `path` and swap it in at once: the file is
    old or new, never half; its mode is kept, and a failed write leaves no temporary behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        if path.exists():
            shutil.copymode(path, tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
