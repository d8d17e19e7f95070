"""`rsync` to a server over ssh, or to a local path.

The state is the manifest fetched from the target and checked against `rsync --list-only`. Each
phase of `plan` is one `rsync --checksum --files-from` (only the files the plan names), then the
manifest, then one pass that only deletes (`--delete --existing --ignore-existing`). ssh runs with
`BatchMode=yes`: keys come from the user's ssh config or agent (or `identity_file`), never a prompt.
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ..base.deploy_targets import RsyncTarget
from ..write.output import MARKER, TEMPORARY
from .built import MANIFEST, BuiltSite
from .errors import DeployFailed
from .plan import RemoteState, decode_manifest

_ENTRY = re.compile(r"^(\S)\S*\s+[\d,.]+\s+\S+\s+\S+\s(.*)$")
_ESCAPED = re.compile(r"\\#(\d{3})")
MISSING = (23,)  # "some files could not be transferred": the manifest or the folder is not there yet


class RsyncRemote:
    def __init__(self, target: RsyncTarget, site: BuiltSite, scratch: Path) -> None:
        if shutil.which("rsync") is None:
            raise DeployFailed("máy này chưa cài rsync.", "Hãy cài rsync (Debian, Ubuntu: apt-get install rsync) rồi chạy lại.")
        self.target, self.site, self.scratch = target, site, scratch
        path = target.path.rstrip("/") + "/"
        self.destination = f"{target.host}:{path}" if target.host else path
        self.where = self.destination
        self.extra: dict[str, bytes] = {}
        self.whole = False

    def _command(self, *args: str) -> list[str]:
        command = ["rsync", "--protect-args"]
        if self.target.host:
            ssh = ["ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=15"]
            if self.target.port:
                ssh += ["-p", str(self.target.port)]
            if self.target.identity_file:
                ssh += ["-i", os.path.expanduser(self.target.identity_file)]
            command += ["-e", shlex.join([*ssh, *self.target.ssh_options])]
        return command + list(args)

    def _run(self, *args: str, missing_ok: bool = False) -> str | None:
        try:
            done = subprocess.run(self._command(*args), capture_output=True, text=True, errors="replace",
                                  stdin=subprocess.DEVNULL)
        except OSError as exc:
            raise DeployFailed(f"không chạy được rsync ({exc.strerror}).", "Hãy kiểm tra rsync đã được cài.") from exc
        if done.returncode == 0:
            return done.stdout
        if missing_ok and done.returncode in MISSING:
            return None
        said = next((line for line in reversed(done.stderr.splitlines()) if line.strip()), "")
        detail = f" Thông báo của rsync/ssh: {said.strip()}" if said else ""
        if done.returncode == 255 or (self.target.host and done.returncode in (5, 12) and "ssh" in done.stderr):
            raise DeployFailed(f"không kết nối được máy chủ {self.target.host} qua ssh.",
                               "Hãy kiểm tra host, port, khóa ssh (ssh-agent, ~/.ssh/config hoặc identity_file trong "
                               f"mục deploy) và thử: ssh {self.target.host}.{detail}")
        raise DeployFailed(f"rsync tới {self.where} dừng với mã lỗi {done.returncode}.",
                           f"Hãy kiểm tra path trong mục deploy và quyền ghi trên máy đích, rồi chạy lại: "
                           f"lần sau sẽ làm tiếp phần còn thiếu.{detail}")

    def state(self) -> RemoteState:
        listing_text = self._run("--recursive", "--list-only", self.destination, missing_ok=True)
        listing = set()
        for line in (listing_text or "").splitlines():
            found = _ENTRY.match(line)
            if found and found.group(1) == "-":
                rel = _ESCAPED.sub(lambda m: chr(int(m.group(1), 8)), found.group(2))
                if rel != MANIFEST and not rel.rsplit("/", 1)[-1].startswith(TEMPORARY):
                    listing.add(rel)
        manifest = None
        if MANIFEST in (listing_text or ""):
            folder = Path(tempfile.mkdtemp(dir=self.scratch))
            if self._run(self.destination + MANIFEST, str(folder) + "/", missing_ok=True) is not None:
                manifest = decode_manifest((folder / MANIFEST).read_bytes())
            shutil.rmtree(folder, ignore_errors=True)
        return RemoteState(manifest, frozenset(listing))

    def upload(self, rels: Sequence[str]) -> None:
        if not rels:
            return
        listed = self.scratch / "rsync-files"
        listed.write_bytes(b"\0".join(r.encode() for r in rels) + b"\0")
        self._run("--checksum", "--times", "--mkpath", "--from0", f"--files-from={listed}",
                  str(self.site.root) + "/", self.destination)

    def put_manifest(self, data: bytes) -> None:
        folder = Path(tempfile.mkdtemp(dir=self.scratch))
        (folder / MANIFEST).write_bytes(data)
        self._run("--checksum", "--mkpath", str(folder / MANIFEST), self.destination)
        shutil.rmtree(folder, ignore_errors=True)

    def delete(self, rels: Sequence[str]) -> None:
        if rels:
            self._run("--recursive", "--delete", "--existing", "--ignore-existing", f"--exclude=/{MANIFEST}",
                      f"--exclude=/{MARKER}", f"--exclude={TEMPORARY}*", str(self.site.root) + "/", self.destination)

    def finish(self) -> None:
        return None
