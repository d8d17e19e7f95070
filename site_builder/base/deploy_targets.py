"""The places `site-builder deploy` puts a built site, as `site.yaml`'s `deploy:` block names them:
plain values, read and checked by `load.deploy_settings`, used by `publish`."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

KINDS = ("folder", "rsync", "s3", "git")


@dataclass(frozen=True)
class FolderTarget:
    """A folder (a USB stick, a share the IT office copies from) or, when `path` ends in `.zip`,
    one zip file holding the site."""

    name: str
    path: Path
    line: int = 0

    @property
    def is_zip(self) -> bool:
        return self.path.suffix.lower() == ".zip"


@dataclass(frozen=True)
class RsyncTarget:
    """`rsync` to `host:path` over ssh (keys from the user's ssh config or agent), or to a local
    `path` when `host` is empty."""

    name: str
    path: str
    host: str = ""
    port: int = 0
    identity_file: str = ""
    ssh_options: tuple[str, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class S3Target:
    """An S3-compatible bucket; keys from the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)
    or a named `profile`, never from site.yaml."""

    name: str
    bucket: str
    endpoint: str = ""
    prefix: str = ""
    region: str = ""
    profile: str = ""
    line: int = 0


@dataclass(frozen=True)
class GitTarget:
    """A branch of a git repository (GitHub Pages' `gh-pages`): one commit per deploy."""

    name: str
    repo: str
    branch: str = "gh-pages"
    line: int = 0


Target = FolderTarget | RsyncTarget | S3Target | GitTarget
