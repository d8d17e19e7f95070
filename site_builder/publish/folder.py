"""A folder target (a USB stick, a share) and a zip target (one file for an IT office to copy).

A folder is changed file by file, each written beside itself and renamed over the old one, in
`plan`'s order; its state is its manifest checked against a walk of the folder. A zip is written
whole under a temporary name and renamed over the previous one at the end.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

from ..base.deploy_targets import FolderTarget
from ..base.oserrors import reason
from ..base.walk import walk_files
from ..write.output import TEMPORARY
from .built import MANIFEST, BuiltSite
from .errors import DeployFailed
from .plan import RemoteState, decode_manifest


def _failed(exc: OSError, where: Path) -> DeployFailed:
    at = exc.filename if isinstance(exc.filename, str) else str(where)
    return DeployFailed(f"không ghi được vào {at} ({reason(exc)}).",
                        "Hãy kiểm tra thư mục đích còn cắm, còn chỗ trống và có quyền ghi, rồi chạy lại: "
                        "lần sau sẽ làm tiếp phần còn thiếu.")


def check_apart(target: Path, output: Path, source: Path) -> None:
    """Refuse a target that is, holds or lies inside the output or the sources."""
    real = target.resolve()
    for folder, what in ((output.resolve(), "thư mục kết quả"), (source.resolve(), "thư mục nguồn")):
        if real == folder or real.is_relative_to(folder) or folder.is_relative_to(real):
            raise DeployFailed(f"nơi đưa lên {target} trùng, chứa hoặc nằm trong {what} {folder}.",
                               "Hãy chọn một thư mục khác trong mục deploy của site.yaml.")


class FolderRemote:
    def __init__(self, target: FolderTarget, site: BuiltSite) -> None:
        self.root, self.site = target.path, site
        self.where = f"thư mục {target.path}"
        self.extra: dict[str, bytes] = {}
        self.whole = False

    def state(self) -> RemoteState:
        if self.root.exists() and not self.root.is_dir():
            raise DeployFailed(f"{self.root} là một tệp, không phải thư mục.",
                               "Hãy sửa path trong mục deploy của site.yaml.")
        try:
            manifest_file = self.root / MANIFEST
            manifest = decode_manifest(manifest_file.read_bytes()) if manifest_file.is_file() else None
            # a killed deploy's `.tmp-` files are listed too: not in the site, so deleted at the end
            listing = frozenset(rel for rel, _ in walk_files(str(self.root), follow_links=False) if rel != MANIFEST)
        except OSError as exc:
            raise _failed(exc, self.root) from exc
        return RemoteState(manifest, listing)

    def _replace(self, rel: str, write: Path | bytes) -> None:
        target = self.root.joinpath(*rel.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=TEMPORARY)
        try:
            with os.fdopen(fd, "wb") as stream:
                if isinstance(write, bytes):
                    stream.write(write)
                else:
                    with open(write, "rb") as reading:
                        shutil.copyfileobj(reading, stream)
            os.replace(temporary, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise

    def upload(self, rels: Sequence[str]) -> None:
        try:
            for rel in rels:
                self._replace(rel, self.extra[rel] if rel in self.extra else self.site.path(rel))
        except OSError as exc:
            raise _failed(exc, self.root) from exc

    def put_manifest(self, data: bytes) -> None:
        try:
            self._replace(MANIFEST, data)
        except OSError as exc:
            raise _failed(exc, self.root) from exc

    def delete(self, rels: Sequence[str]) -> None:
        try:
            for rel in rels:
                path = self.root.joinpath(*rel.split("/"))
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                parent = path.parent
                while parent != self.root and not any(parent.iterdir()):
                    parent.rmdir()
                    parent = parent.parent
        except OSError as exc:
            raise _failed(exc, self.root) from exc

    def finish(self) -> None:
        return None


class ZipRemote:
    """The whole site in one zip; its manifest is a member of it."""

    def __init__(self, target: FolderTarget, site: BuiltSite) -> None:
        self.path, self.site = target.path, site
        self.where = f"tệp {target.path}"
        self.extra: dict[str, bytes] = {}
        self.whole = True
        self._manifest = b""

    def state(self) -> RemoteState:
        if not self.path.exists():
            return RemoteState(None, frozenset())
        try:
            with zipfile.ZipFile(self.path) as archive:
                names = frozenset(n for n in archive.namelist() if not n.endswith("/") and n != MANIFEST)
                manifest = decode_manifest(archive.read(MANIFEST)) if MANIFEST in archive.namelist() else None
        except (OSError, zipfile.BadZipFile) as exc:
            raise DeployFailed(f"không đọc được tệp zip {self.path} đang có.",
                               "Hãy xóa hoặc đổi tên tệp đó, hoặc chọn path khác trong mục deploy của site.yaml.") from exc
        return RemoteState(manifest, names)

    def upload(self, rels: Sequence[str]) -> None:
        return None  # the zip is written whole by `finish`

    def put_manifest(self, data: bytes) -> None:
        self._manifest = data

    def delete(self, rels: Sequence[str]) -> None:
        return None

    def finish(self) -> None:
        """Every file of the site and the manifest, into a new zip renamed over the old one."""
        temporary = self.path.with_name(TEMPORARY + self.path.name)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as archive:
                for rel in self.site.files:
                    archive.write(self.site.path(rel), rel)
                archive.writestr(MANIFEST, self._manifest or b"{}")
            os.replace(temporary, self.path)
        except OSError as exc:
            raise _failed(exc, self.path) from exc
        finally:
            with contextlib.suppress(OSError):
                temporary.unlink()
