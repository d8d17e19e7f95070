"""What a deploy changes, and in which order.

The remote's state is the manifest a deploy leaves on it (`.site-builder-deploy.json`: each path's
SHA-256), checked against what is really there when the target lists cheaply: a file listed but
not in the manifest has an unknown digest (uploaded again if the site has it), a file in the
manifest but gone (deleted by hand) is uploaded again. Uploads go in the order that keeps the site
whole if the deploy stops half way: files nothing links from first (images, media, Pagefind's
index files), then stylesheets and scripts, then data and Pagefind's entry, then pages, feeds and
sitemaps, which link to all of these; the new manifest after them; deletions last.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from .errors import DeployFailed

DELETE_LIMIT = 0.10  # share of the remote's files a deploy deletes only with --force
FORMAT = 1
_CODE = {".css", ".js", ".mjs"}
_DATA = {".json", ".webmanifest", ".csv", ".yaml", ".yml"}
_PAGES = {".html", ".htm", ".xml", ".xsl", ".txt"}


@dataclass(frozen=True)
class RemoteState:
    """The manifest found on the target (None: none), and what a listing showed (None: no listing)."""

    manifest: dict[str, str] | None
    listing: frozenset[str] | None

    def files(self) -> dict[str, str | None]:
        """Each remote file → its SHA-256 as the manifest says, None when unknown."""
        known = self.manifest or {}
        if self.listing is None:
            return dict(known)
        return {rel: known.get(rel) for rel in self.listing}


@dataclass(frozen=True)
class Plan:
    uploads: tuple[str, ...]  # in the safe order (`rank`)
    deletions: tuple[str, ...]
    unchanged: int
    remote_count: int
    manifest: bytes  # the new manifest
    manifest_changed: bool
    phases: tuple[tuple[str, ...], ...] = field(default=())

    @property
    def changes(self) -> bool:
        return bool(self.uploads or self.deletions or self.manifest_changed)


def rank(rel: str) -> int:
    """0 leaves (images, media, Pagefind's index files), 1 code, 2 data and Pagefind's entry, 3
    pages, feeds, sitemaps and robots.txt."""
    suffix = PurePosixPath(rel).suffix.lower()
    return 3 if suffix in _PAGES else 2 if suffix in _DATA else 1 if suffix in _CODE else 0


def encode_manifest(files: Mapping[str, str]) -> bytes:
    return (json.dumps({"site-builder": FORMAT, "files": dict(sorted(files.items()))}, indent=0,
                       ensure_ascii=False) + "\n").encode()


def decode_manifest(data: bytes) -> dict[str, str] | None:
    """A manifest's files; None for anything else (then every remote digest is unknown)."""
    try:
        value = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return None
    files = value.get("files") if isinstance(value, dict) and value.get("site-builder") == FORMAT else None
    if not isinstance(files, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items()):
        return None
    return files


def make_plan(local: Mapping[str, str], state: RemoteState) -> Plan:
    """What to upload (new or changed by SHA-256, or of unknown digest) and delete."""
    remote = state.files()
    uploads = sorted((rel for rel, digest in local.items() if remote.get(rel) != digest), key=lambda r: (rank(r), r))
    deletions = tuple(sorted(rel for rel in remote if rel not in local))
    manifest = encode_manifest(local)
    phases = tuple(tuple(r for r in uploads if rank(r) == n) for n in range(4))
    return Plan(tuple(uploads), deletions, len(local) - len(uploads), len(remote), manifest,
                state.manifest != dict(local), tuple(p for p in phases if p))


def check_delete_limit(plan: Plan, where: str) -> None:
    """Refuse to delete more than `DELETE_LIMIT` of the remote's files (without --force)."""
    if too_many_deletions(plan):
        raise DeployFailed(f"lần đưa lên này sẽ xóa {len(plan.deletions)} trong {plan.remote_count} tệp trên {where}, "
                           f"quá {DELETE_LIMIT:.0%} nên chưa thay đổi gì.",
                           "Hãy chạy thử với --dry-run để xem danh sách tệp sẽ xóa; nếu đúng là cần xóa, "
                           "chạy lại với --force.")


def too_many_deletions(plan: Plan) -> bool:
    return len(plan.deletions) > DELETE_LIMIT * plan.remote_count
