"""Faults injected in-process, at an exact point: the N-th write, rename or replace of a build
fails (or is interrupted by Ctrl-C), on both write paths — a big change through the staging
folder and its swap, a small one replaced in place. Each time the previous output stays as it
was byte for byte, nothing is left beside it, the lock is free, the error names the real file and
cause in Vietnamese, and the next build succeeds."""
from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import NOW, SAMPLE, tree_bytes
from test_faults import staging_of, write_items

from site_builder.base.errors import BuildFailed
from site_builder.build.builder import Builder
from site_builder.write import staging as staging_module
from site_builder.write.lock import output_lock
from site_builder.write.output import UnsafeOutput

COUNT = 12


class Fault:
    """Wraps `owner.name` so that its `at`-th call fails with `error` (0: never; counts calls)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, at: int,
                 error: Callable[[tuple[Any, ...]], BaseException]) -> None:
        self.calls, self.fired = 0, False
        real = getattr(owner, name)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            if self.calls == at:
                self.fired = True
                raise error(args)
            return real(*args, **kwargs)

        monkeypatch.setattr(owner, name, wrapper)


def full_disk(args: tuple[Any, ...]) -> OSError:
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(args[0]))


def interrupted(args: tuple[Any, ...]) -> BaseException:
    return KeyboardInterrupt()


def make(tmp_path: Path, version: str, count: int) -> Path:
    source = tmp_path / "content"
    if not source.exists():
        shutil.copytree(SAMPLE, source)
    write_items(source, version, count)
    return source


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, bytes]]:
    """Clean in-process builds: the sources before ("A") and after ("B") a change of one item."""
    refs = {}
    for name, version, count in (("A", "A", COUNT), ("B", "B", 1)):
        root = tmp_path_factory.mktemp(f"ref{name}")
        source = make(root, "A", COUNT)
        write_items(source, version, count)
        Builder(source, root / "out", jobs=1).build(NOW)
        refs[name] = tree_bytes(root / "out")
    return refs


def assert_untouched(out: Path, before: dict[str, bytes]) -> None:
    assert tree_bytes(out) == before
    assert not staging_of(out).exists()
    assert not (out.parent / f".{out.name}.old").exists()
    with output_lock(out, timeout=0):  # free: raises OutputBusy otherwise
        pass


def trial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reference: dict[str, dict[str, bytes]], path: str,
          owner: Any, name: str, error: Callable[[tuple[Any, ...]], BaseException]) -> tuple[int, list[str]]:
    """Fail the N-th call for every N worth trying, on the write path named (one item changed, sent
    through staging or written in place); returns the calls counted and what happened."""
    monkeypatch.setattr("site_builder.build.decide.SWAP_SHARE", 10_000 if path == "staging" else 0)
    source = make(tmp_path, "A", COUNT)
    out = tmp_path / "out"
    Builder(source, out, jobs=1).build(NOW)
    assert tree_bytes(out) == reference["A"]
    count = 0
    with monkeypatch.context() as m:
        counter = Fault(m, owner, name, 0, error)
        write_items(source, "B", 1)
        Builder(source, out, jobs=1).build(NOW)
        count = counter.calls
    assert count > 0, f"{name} is never called on this path"
    assert tree_bytes(out) == reference["B"]
    points = sorted({1, 2, count // 2, count - 1, count} - {0}) if count > 6 else list(range(1, count + 1))
    outcomes = []
    for at in points:
        write_items(source, "A", COUNT)
        Builder(source, out, jobs=1).build(NOW)
        assert tree_bytes(out) == reference["A"], at
        write_items(source, "B", 1)
        with monkeypatch.context() as m:
            fault = Fault(m, owner, name, at, error)
            try:
                Builder(source, out, jobs=1).build(NOW)
            except BuildFailed as failed:
                assert fault.fired
                assert_untouched(out, reference["A"])
                outcomes.append("failed: " + "\n".join(p.format() for p in failed.problems.errors))
            except KeyboardInterrupt:  # before the output changed, or after it was complete
                assert fault.fired
                now = tree_bytes(out)
                assert now in (reference["A"], reference["B"]), f"{at}: a partial site"
                assert_untouched(out, now)
                outcomes.append("interrupted before" if now == reference["A"] else "interrupted after")
            else:  # the fault fell after the output was complete (on the cache, say)
                assert tree_bytes(out) == reference["B"], at
                outcomes.append("built")
        Builder(source, out, jobs=1).build(NOW)
        assert tree_bytes(out) == reference["B"], at
        assert not staging_of(out).exists()
    return count, outcomes


@pytest.mark.parametrize("path", ["staging", "in-place"])
def test_full_disk_at_any_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                reference: dict[str, dict[str, bytes]], path: str) -> None:
    """Writes of the staging path (render, search bundle) and of the in-place path (temporary files)."""
    owner, name = (Path, "write_bytes") if path == "staging" else (os, "fdopen")
    _, outcomes = trial(tmp_path, monkeypatch, reference, path, owner, name, full_disk)
    failures = [o for o in outcomes if o.startswith("failed")]
    assert failures, outcomes
    for text in failures:
        assert "Lỗi: không ghi được vào thư mục kết quả" in text and "ổ đĩa đã đầy" in text, text
        assert "Trang cũ vẫn giữ nguyên" in text and "dung lượng" in text, text
        assert "No space" not in text


@pytest.mark.parametrize("path", ["staging", "in-place"])
def test_rename_fails_at_any_point(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   reference: dict[str, dict[str, bytes]], path: str) -> None:
    """The swap (without the one-step exchange, as on file systems that lack it) and the in-place
    replacements: a failed rename puts back what it had already moved."""
    monkeypatch.setattr(staging_module, "_exchange", lambda a, b: False)
    owner, name = (Path, "rename") if path == "staging" else (os, "replace")
    _, outcomes = trial(tmp_path, monkeypatch, reference, path, owner, name,
                        lambda args: OSError(errno.EIO, os.strerror(errno.EIO), str(args[0])))
    assert any(o.startswith("failed") for o in outcomes), outcomes
    for text in outcomes:
        assert text == "built" or "lỗi đọc ghi ổ đĩa" in text, text


@pytest.mark.parametrize("path", ["staging", "in-place"])
def test_ctrl_c_at_any_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                             reference: dict[str, dict[str, bytes]], path: str) -> None:
    owner, name = (Path, "write_bytes") if path == "staging" else (os, "replace")
    _, outcomes = trial(tmp_path, monkeypatch, reference, path, owner, name, interrupted)
    assert "interrupted before" in outcomes, outcomes


# --- what stands in the output's place ----------------------------------------------------------

def test_output_path_that_is_a_file_is_refused_and_kept(sample_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.write_text("ghi chú", encoding="utf-8")
    with pytest.raises(UnsafeOutput) as refused:
        Builder(sample_site, out, jobs=1).build(NOW)
    assert f"{out}" in refused.value.message and "là một tệp, không phải thư mục" in refused.value.message
    assert out.read_text(encoding="utf-8") == "ghi chú"
    assert not staging_of(out).exists()
    out.unlink()
    Builder(sample_site, out, jobs=1).build(NOW)
    assert (out / "index.html").is_file()


@pytest.mark.parametrize("leftover", ["folder", "file", "link", "locked-folder"])
def test_a_leftover_staging_never_blocks_a_build(sample_site: Path, tmp_path: Path, leftover: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    staging = staging_of(out)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("giữ", encoding="utf-8")
    if leftover == "file":
        staging.write_text("x", encoding="utf-8")
    elif leftover == "link":
        staging.symlink_to(elsewhere)
    else:
        (staging / "tin-tuc").mkdir(parents=True)
        (staging / "tin-tuc/index.html").write_text("cũ", encoding="utf-8")
    if leftover == "locked-folder":  # a folder whose entries cannot be removed at first (as non-root: mode 0o555)
        real_unlink = os.unlink
        refused: set[str] = set()

        def unlink(path: Any, *args: Any, **kwargs: Any) -> None:
            if os.path.basename(str(path)) == "index.html" and not refused \
                    and os.stat(staging / "tin-tuc").st_mode & 0o200 == 0:
                refused.add(str(path))
                raise PermissionError(errno.EACCES, "Permission denied", str(path))
            real_unlink(path, *args, **kwargs)
        monkeypatch.setattr(os, "unlink", unlink)
        (staging / "tin-tuc").chmod(0o555)
    Builder(sample_site, out, jobs=1).build(NOW)
    assert (out / "index.html").is_file() and not staging.exists() and not staging.is_symlink()
    assert (elsewhere / "keep.txt").read_text(encoding="utf-8") == "giữ"  # a link is removed, not followed


def test_a_refused_staging_folder_is_named_with_its_real_cause(sample_site: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    Builder(sample_site, out, jobs=1).build(NOW)
    before = tree_bytes(out)
    (sample_site / "news/2020").joinpath("moi.md").write_text(
        (SAMPLE / "news/2020").joinpath(sorted(os.listdir(SAMPLE / "news/2020"))[0]).read_text(encoding="utf-8")
        .replace("title:", "title: Mới", 1), encoding="utf-8")
    real_mkdir = Path.mkdir
    staging = staging_of(out)

    def mkdir(self: Path, *args: Any, **kwargs: Any) -> None:
        if self == staging:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        real_mkdir(self, *args, **kwargs)
    monkeypatch.setattr(Path, "mkdir", mkdir)
    monkeypatch.setattr("site_builder.build.decide.SWAP_SHARE", 10_000)  # every change goes through staging
    with pytest.raises(BuildFailed) as failed:
        Builder(sample_site, out, jobs=1).build(NOW)
    text = "\n".join(p.format() for p in failed.value.problems.errors)
    assert text.startswith(".out.staging: Lỗi: không ghi được vào thư mục kết quả"), text
    assert "không có quyền truy cập" in text and "quyền ghi" in text and "dung lượng" not in text, text
    assert_untouched(out, before)


def test_a_refused_read_is_not_called_a_write(sample_site: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A theme file the build cannot read is named as a read failure, not 'không ghi được'."""
    out = tmp_path / "out"
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "base.html":
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real(self)
    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    with pytest.raises(BuildFailed) as failed:
        Builder(sample_site, out, jobs=1).build(NOW)
    text = "\n".join(p.format() for p in failed.value.problems.errors)
    assert "base.html: Lỗi: không đọc được" in text and "không có quyền truy cập" in text, text
    assert "không ghi được" not in text
    assert not out.exists()


def test_a_read_only_output_written_in_place_is_named_with_its_real_cause(sample_site: Path, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A small change, written in place, into an output on a disk mounted read-only."""
    out = tmp_path / "out"
    Builder(sample_site, out, jobs=1).build(NOW)
    before = tree_bytes(out)
    write_items(sample_site, "A", 1)
    real = os.open

    def refuse(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if str(path).startswith(str(out)) and flags & os.O_CREAT:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real(path, flags, *args, **kwargs)
    monkeypatch.setattr(os, "open", refuse)
    monkeypatch.setattr("site_builder.build.decide.SWAP_SHARE", 0)
    with pytest.raises(BuildFailed) as failed:
        Builder(sample_site, out, jobs=1).build(NOW)
    text = "\n".join(p.format() for p in failed.value.problems.errors)
    assert text.startswith("out/") and ": Lỗi: không ghi được vào thư mục kết quả (ổ đĩa chỉ cho đọc)" in text, text
    assert "quyền ghi" in text and "dung lượng" not in text, text
    monkeypatch.undo()
    assert_untouched(out, before)


@pytest.mark.parametrize("path", ["staging", "in-place"])
def test_temporary_files_left_by_a_killed_build_are_removed(sample_site: Path, tmp_path: Path, path: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A kill during in-place writes leaves `.tmp-…` files (new files not yet renamed, old ones
    kept aside); the next build removes them, top level too, and keeps the site's own hidden files."""
    out = tmp_path / "out"
    Builder(sample_site, out, jobs=1).build(NOW)
    for rel in (".tmp-abc123", "tin-tuc/.tmp-def456"):
        (out / rel).write_text("dở dang", encoding="utf-8")
    (out / ".htaccess").write_text("Options -Indexes\n", encoding="utf-8")
    monkeypatch.setattr("site_builder.build.decide.SWAP_SHARE", 10_000 if path == "staging" else 0)
    write_items(sample_site, "A", 1)
    Builder(sample_site, out, jobs=1).build(NOW)
    assert not (out / ".tmp-abc123").exists() and not (out / "tin-tuc/.tmp-def456").exists()
    assert (out / ".htaccess").read_text(encoding="utf-8") == "Options -Indexes\n"
