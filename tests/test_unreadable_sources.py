"""Sources the build cannot read, or that lead nowhere or in circles: an error (or for a loop a
warning) naming them, from `build` and `check` alike, never a silently smaller site, a hang or a
"nothing changed". The tests run as root, who reads everything: refusals are injected in-process."""
from __future__ import annotations

import errno
import os
import threading
from pathlib import Path
from typing import Any

import pytest
from conftest import NOW, tree_bytes

import site_builder.base.build_status as digests_module  # where the cache digests a source (site.yaml without deploy:)
from site_builder.base.errors import BuildFailed
from site_builder.build.builder import Builder, check


def refuse(monkeypatch: pytest.MonkeyPatch, refused: Path) -> None:
    """Listing `refused` (a folder) or opening it (a file) fails as for a user without permission."""
    real_scandir, real_open = os.scandir, os.open

    def denied(path: Any) -> OSError:
        return PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))

    def scandir(path: Any = ".") -> Any:
        if not isinstance(path, int) and os.path.abspath(os.fspath(path)) == str(refused):
            raise denied(path)
        return real_scandir(path)

    def open_(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if "dir_fd" not in kwargs and os.path.abspath(os.fspath(path)) == str(refused):
            raise denied(path)
        return real_open(path, flags, *args, **kwargs)
    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "open", open_)


def messages(failed: BuildFailed) -> str:
    return "\n".join(p.format() for p in failed.problems.items)


def test_an_unreadable_news_folder_is_an_error_not_an_unpublished_year(sample_site: Path, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    Builder(sample_site, out, jobs=1).build(NOW)
    before = tree_bytes(out)
    refuse(monkeypatch, sample_site / "news/2018")
    for attempt in ("build", "check"):
        with pytest.raises(BuildFailed) as failed:
            if attempt == "build":
                Builder(sample_site, out, jobs=1).build(NOW)
            else:
                check(sample_site, now=NOW)
        text = messages(failed.value)
        assert "content/news/2018: Lỗi: không đọc được thư mục (không có quyền truy cập)" in text, (attempt, text)
        assert "Permission denied" not in text
    assert tree_bytes(out) == before


def test_an_unreadable_file_is_named_in_vietnamese(sample_site: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    item = sorted((sample_site / "news/2018").glob("*.md"))[0]
    media = sorted(p for p in (sample_site / "media").rglob("*") if p.is_file())[0]
    for refused in (item, media):
        with monkeypatch.context() as m:
            refuse(m, refused)
            real = Path.read_bytes
            m.setattr(Path, "read_bytes", lambda self: (_ for _ in ()).throw(
                PermissionError(errno.EACCES, "Permission denied", str(self))) if self == refused else real(self))
            for attempt in ("build", "check"):
                with pytest.raises(BuildFailed) as failed:
                    if attempt == "build":
                        Builder(sample_site, tmp_path / "out", jobs=1).build(NOW)
                    else:
                        check(sample_site, now=NOW)
                text = messages(failed.value)
                where = refused.relative_to(sample_site.parent).as_posix()
                assert f"{where}: Lỗi: không đọc được tệp (không có quyền truy cập)" in text, (attempt, text)
                assert "Permission denied" not in text
        assert not (tmp_path / "out").exists()


def test_a_dangling_link_added_after_a_build_is_noticed(sample_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    Builder(sample_site, out, jobs=1).build(NOW)
    (sample_site / "news/2020/mat.md").symlink_to("khong-co.md")
    with pytest.raises(BuildFailed) as failed:
        Builder(sample_site, out, jobs=1).build(NOW)
    assert "content/news/2020/mat.md: Lỗi:" in messages(failed.value)


def test_an_unreadable_folder_after_a_build_is_noticed(sample_site: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The no-change shortcut does not answer "nothing changed" for a folder it can no longer list."""
    out = tmp_path / "out"
    Builder(sample_site, out, jobs=1).build(NOW)
    refuse(monkeypatch, sample_site / "media")
    with pytest.raises(BuildFailed) as failed:
        Builder(sample_site, out, jobs=1).build(NOW)
    assert "content/media: Lỗi: không đọc được thư mục" in messages(failed.value)


def test_links_in_a_loop_are_a_warning_and_each_file_is_read_once(sample_site: Path, tmp_path: Path) -> None:
    (sample_site / "news/a").symlink_to(".")
    (sample_site / "news/b").symlink_to(".")
    (sample_site / "news/2020/vong").symlink_to("..")
    out = tmp_path / "out"
    done: list[Any] = []
    worker = threading.Thread(target=lambda: done.append(Builder(sample_site, out, jobs=1).build(NOW)), daemon=True)
    worker.start()
    worker.join(60)
    assert done, "the build hung on the links"
    warnings = "\n".join(p.format() for p in done[0].problems.warnings)
    for link in ("news/a", "news/b", "news/2020/vong"):
        assert f"content/{link}: Cảnh báo: liên kết (symlink) tạo vòng lặp" in warnings, warnings
    reference = tmp_path / "ref"
    for link in ("news/a", "news/b", "news/2020/vong"):
        (sample_site / link).unlink()
    Builder(sample_site, reference, jobs=1, use_cache=False).build(NOW)
    assert tree_bytes(out) == tree_bytes(reference)  # no article twice


def test_a_file_made_unreadable_after_a_build_is_noticed(sample_site: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """chmod leaves size and modification time alone: the shortcut and the cache must still look."""
    out = tmp_path / "out"
    Builder(sample_site, out, jobs=1).build(NOW)
    item = sorted((sample_site / "news/2018").glob("*.md"))[0]
    item.chmod(0o000)
    real, real_digest = Path.read_bytes, digests_module.digest_file  # as root, chmod alone refuses nothing

    def denied(path: Path) -> PermissionError:
        return PermissionError(errno.EACCES, "Permission denied", str(path))
    monkeypatch.setattr(Path, "read_bytes", lambda self: (_ for _ in ()).throw(denied(self)) if self == item else real(self))
    monkeypatch.setattr(digests_module, "digest_file",
                        lambda path: (_ for _ in ()).throw(denied(path)) if path == item else real_digest(path))
    with pytest.raises(BuildFailed) as failed:
        Builder(sample_site, out, jobs=1).build(NOW)
    assert f"{item.relative_to(sample_site.parent).as_posix()}: Lỗi: không đọc được tệp" in messages(failed.value)
    item.chmod(0o644)


def test_check_names_an_unreadable_template_as_a_read(sample_site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`check` reads only: a template it cannot open is "không đọc được", never a write problem."""
    template = sample_site / "templates/base.html"
    template.parent.mkdir(exist_ok=True)
    template.write_text((Path(__file__).parent.parent / "themes/default/templates/base.html").read_text(encoding="utf-8"),
                        encoding="utf-8")
    refuse(monkeypatch, template)
    real_read, real_open = Path.read_bytes, open

    def open_(file: Any, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(file, int) and os.path.abspath(os.fspath(file)) == str(template):
            raise PermissionError(errno.EACCES, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)
    monkeypatch.setattr("builtins.open", open_)
    monkeypatch.setattr(Path, "read_bytes", lambda self: (_ for _ in ()).throw(
        PermissionError(errno.EACCES, "Permission denied", str(self))) if self == template else real_read(self))
    with pytest.raises(BuildFailed) as failed:
        check(sample_site, now=NOW)
    text = messages(failed.value)
    assert "content/templates/base.html: Lỗi: không đọc được" in text and "không có quyền truy cập" in text, text
    assert "ghi" not in text.split("\n")[0]
