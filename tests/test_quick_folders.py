"""A build with nothing to do checks the output's file names by each folder's inode and change time
once a listing agreed (`quick.same_files`), and still sees every name added, removed or renamed."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

import site_builder.build.quick as quick
from site_builder.base.cache import BuildCache, LastBuild


def _output(tmp_path: Path) -> tuple[BuildCache, Path, LastBuild]:
    out = tmp_path / "out"
    for rel in ("index.html", "tin-tuc/a/index.html", "tin-tuc/b/index.html", "pagefind/x.js"):
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(rel)
    (out / "empty").mkdir()
    (tmp_path / "cache").mkdir()
    last = LastBuild("stamp", None, (), 3, quick.names_digest(quick.existing_files(out)))
    time.sleep(0.1)  # the folders settle: older than a tick of the file system's clock
    return BuildCache(tmp_path / "cache"), out, last


class _Listings:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        listing = quick.existing_files

        def counted(output: Path, folders: list[str] | None = None) -> set[str]:
            self.count += 1
            return listing(output, folders)
        monkeypatch.setattr(quick, "existing_files", counted)


def test_the_second_check_lists_no_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache, out, last = _output(tmp_path)
    listings = _Listings(monkeypatch)
    assert quick.same_files(cache, out, last) and listings.count == 1
    assert quick.same_files(cache, out, last) and listings.count == 1


@pytest.mark.parametrize("change", ["remove", "add", "add in an empty folder", "rename", "remove a folder"])
def test_a_change_of_names_is_seen(tmp_path: Path, change: str) -> None:
    cache, out, last = _output(tmp_path)
    assert quick.same_files(cache, out, last)
    if change == "remove":
        (out / "tin-tuc/a/index.html").unlink()
    elif change == "add":
        (out / "tin-tuc/a/extra.html").write_text("x")
    elif change == "add in an empty folder":
        (out / "empty/extra.html").write_text("x")
    elif change == "rename":
        (out / "tin-tuc/b/index.html").rename(out / "tin-tuc/b/index.htm")
    else:
        (out / "pagefind/x.js").unlink()
        (out / "pagefind").rmdir()
    assert not quick.same_files(cache, out, last)


def test_a_folder_moved_away_and_back_is_listed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache, out, last = _output(tmp_path)
    assert quick.same_files(cache, out, last)
    (out / "tin-tuc/b").rename(tmp_path / "b")
    (tmp_path / "b").rename(out / "tin-tuc/b")
    listings = _Listings(monkeypatch)
    assert quick.same_files(cache, out, last) and listings.count == 1  # the same names, found by a listing


def test_a_folder_changed_just_now_is_not_trusted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache, out, last = _output(tmp_path)
    os.utime(out / "tin-tuc")  # a change time of now
    listings = _Listings(monkeypatch)
    assert quick.same_files(cache, out, last) and quick.same_files(cache, out, last)
    assert listings.count == 2
    assert not list((tmp_path / "cache").glob("folders-*"))


def test_another_record_or_a_damaged_file_means_a_listing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache, out, last = _output(tmp_path)
    assert quick.same_files(cache, out, last)
    listings = _Listings(monkeypatch)
    other = LastBuild("another stamp", None, (), 3, last.names_digest)
    assert quick.same_files(cache, out, other) and listings.count == 1
    for path in (tmp_path / "cache").glob("folders-*"):
        path.write_bytes(b"\x80garbage")
    assert quick.same_files(cache, out, other) and listings.count == 2
    assert quick.same_files(cache, out, other) and listings.count == 2  # recorded again
