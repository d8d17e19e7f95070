"""One deploy: check the output, read the target's state, plan, then (unless a dry run) upload
phase by phase, write the manifest, delete last. The output's lock is held throughout, so no build
swaps the folder under a deploy. A second run after an interrupted one finds what is missing
(`plan`) and completes it."""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..base.deploy_targets import FolderTarget, GitTarget, RsyncTarget, S3Target, Target
from ..write.lock import output_lock
from .built import BuiltSite, check_built, read_built
from .folder import FolderRemote, ZipRemote, check_apart
from .git_branch import GitRemote
from .plan import Plan, check_delete_limit, make_plan
from .remote import Remote
from .rsync import RsyncRemote
from .s3 import S3Remote

Progress = Callable[[str, int], None]  # a phase's name, its number of files


@dataclass(frozen=True)
class Deployed:
    """What a deploy did (or, for a dry run, would do), and where."""

    plan: Plan
    where: str
    dry_run: bool


def open_remote(target: Target, site: BuiltSite, source: Path, scratch: Path) -> Remote:
    """The target's `Remote`."""
    if isinstance(target, FolderTarget):
        check_apart(target.path, site.root, source)
        return ZipRemote(target, site) if target.is_zip else FolderRemote(target, site)
    if isinstance(target, RsyncTarget):
        if not target.host:
            check_apart(Path(target.path), site.root, source)
        return RsyncRemote(target, site, scratch)
    if isinstance(target, S3Target):
        return S3Remote(target, site)
    assert isinstance(target, GitTarget)
    return GitRemote(target, site, scratch)


def deploy(output: Path, target: Target, source: Path, cache_folder: Path | None, scratch: Path,
           dry_run: bool = False, force: bool = False, progress: Progress | None = None) -> Deployed:
    """Deploy `output` to `target`; raise `DeployFailed` (having changed nothing when it is said
    before the first upload)."""
    check_built(output, cache_folder)
    scratch.mkdir(parents=True, exist_ok=True)
    with output_lock(output):
        check_built(output, cache_folder)  # a build may have finished while this one waited
        site = read_built(output)
        remote = open_remote(target, site, source, scratch)
        files = {**site.files, **{rel: hashlib.sha256(data).hexdigest() for rel, data in remote.extra.items()}}
        plan = make_plan(files, remote.state())
        if dry_run or not plan.changes:
            return Deployed(plan, remote.where, dry_run)
        if not force:
            check_delete_limit(plan, remote.where)
        for number, phase in enumerate(plan.phases):
            remote.upload(phase)
            if progress is not None and not remote.whole:
                progress(f"tải lên, đợt {number + 1}/{len(plan.phases)}", len(phase))
        remote.put_manifest(plan.manifest)
        remote.delete(plan.deletions)
        if progress is not None and plan.deletions and not remote.whole:
            progress("xóa", len(plan.deletions))
        if progress is not None and remote.whole:
            progress("ghi toàn bộ trang", len(site.files))
        remote.finish()
    return Deployed(plan, remote.where, dry_run)
