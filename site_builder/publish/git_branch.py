"""A branch of a git repository (GitHub Pages' `gh-pages`), one commit per deploy, made with git's
plumbing in a scratch repository beside the cache: the branch's last commit is fetched, a tree of
the site (with `.nojekyll`, so GitHub Pages serves `_`-folders as they are, and the manifest) is
written from a temporary index, committed on top and pushed. A commit is all or nothing, so an
interrupted deploy leaves the branch as it was."""
from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from ..base.deploy_targets import GitTarget
from .built import MANIFEST, BuiltSite
from .errors import DeployFailed
from .plan import RemoteState, decode_manifest

FETCHED = "refs/site-builder/deployed"
AUTHOR = {"GIT_AUTHOR_NAME": "site-builder", "GIT_AUTHOR_EMAIL": "site-builder@localhost",
          "GIT_COMMITTER_NAME": "site-builder", "GIT_COMMITTER_EMAIL": "site-builder@localhost"}


class GitRemote:
    def __init__(self, target: GitTarget, site: BuiltSite, scratch: Path) -> None:
        if shutil.which("git") is None:
            raise DeployFailed("máy này chưa cài git.", "Hãy cài git (Debian, Ubuntu: apt-get install git) rồi chạy lại.")
        self.target, self.site = target, site
        self.repo = scratch / "git"
        self.where = f"nhánh {target.branch} của {target.repo}"
        self.extra: dict[str, bytes] = {".nojekyll": b""}
        self.whole = True
        self.parent = ""
        self._manifest = b""

    def _git(self, *args: str, data: bytes | None = None, ok: tuple[int, ...] = (0,),
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
        environment = {**os.environ, "GIT_DIR": str(self.repo), "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", **(env or {})}
        try:
            done = subprocess.run(["git", *args], input=data, capture_output=True, env=environment,
                                  stdin=None if data is not None else subprocess.DEVNULL)
        except OSError as exc:
            raise DeployFailed(f"không chạy được git ({exc.strerror}).", "Hãy kiểm tra git đã được cài.") from exc
        if done.returncode not in ok:
            said = next((line for line in reversed(done.stderr.decode(errors="replace").splitlines()) if line.strip()), "")
            raise DeployFailed(f"git không làm được việc với {self.where} (mã lỗi {done.returncode}).",
                               "Hãy kiểm tra repo và branch trong mục deploy của site.yaml, quyền đẩy (push) của máy "
                               f"này và mạng, rồi chạy lại. Thông báo của git: {said.strip()}")
        return done

    def state(self) -> RemoteState:
        if not (self.repo / "HEAD").is_file():
            self.repo.mkdir(parents=True, exist_ok=True)
            self._git("init", "--quiet", "--bare")
        heads = self._git("ls-remote", "--heads", self.target.repo, self.target.branch).stdout.decode()
        if f"refs/heads/{self.target.branch}" not in heads:
            return RemoteState(None, frozenset())
        self._git("fetch", "--quiet", "--no-tags", "--depth=1", self.target.repo,
                  f"+refs/heads/{self.target.branch}:{FETCHED}")
        self.parent = self._git("rev-parse", FETCHED).stdout.decode().strip()
        names = self._git("ls-tree", "-r", "-z", "--name-only", FETCHED).stdout.decode().split("\0")
        shown = self._git("show", f"{FETCHED}:{MANIFEST}", ok=(0, 128))
        manifest = decode_manifest(shown.stdout) if shown.returncode == 0 else None
        return RemoteState(manifest, frozenset(n for n in names if n and n != MANIFEST))

    def upload(self, rels: Sequence[str]) -> None:
        return None  # the commit holds the whole site (`finish`)

    def put_manifest(self, data: bytes) -> None:
        self._manifest = data

    def delete(self, rels: Sequence[str]) -> None:
        return None

    def finish(self) -> None:
        """One commit of the whole site on top of the branch, pushed."""
        files = list(self.site.files)
        paths = "\n".join(str(self.site.path(rel)) for rel in files) + "\n"
        blobs = self._git("hash-object", "-w", "--no-filters", "--stdin-paths", data=paths.encode()).stdout.split()
        entries = [f"100644 {blob.decode()}\t{rel}" for rel, blob in zip(files, blobs, strict=True)]
        for rel, data in {**self.extra, MANIFEST: self._manifest}.items():
            blob = self._git("hash-object", "-w", "--stdin", data=data).stdout.decode().strip()
            entries.append(f"100644 {blob}\t{rel}")
        index = {"GIT_INDEX_FILE": str(self.repo / "deploy-index")}
        self._git("read-tree", "--empty", env=index)
        self._git("update-index", "--add", "-z", "--index-info", data=("\0".join(entries) + "\0").encode(), env=index)
        tree = self._git("write-tree", env=index).stdout.decode().strip()
        parent = ["-p", self.parent] if self.parent else []
        commit = self._git("commit-tree", tree, *parent, "-m", "site-builder deploy",
                           env={**AUTHOR, **_configured()}).stdout.decode().strip()
        self._git("push", "--quiet", self.target.repo, f"{commit}:refs/heads/{self.target.branch}")


def _configured() -> dict[str, str]:
    """The user's own name and e-mail for the commit, when git knows them."""
    found: dict[str, str] = {}
    for key, names in (("user.name", ("GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME")),
                       ("user.email", ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"))):
        done = subprocess.run(["git", "config", "--global", key], capture_output=True, text=True, stdin=subprocess.DEVNULL)
        if done.returncode == 0 and done.stdout.strip():
            found.update(dict.fromkeys(names, done.stdout.strip()))
    return found
