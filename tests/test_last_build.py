"""`LastBuild`: the typed record of the last build; a record of another shape means "no last build"."""
from __future__ import annotations

import pickle
from pathlib import Path

from site_builder.base.cache import BuildCache, LastBuild, code_version


def test_the_record_comes_back_from_the_small_file(tmp_path: Path) -> None:
    cache = BuildCache(tmp_path / "cache")
    record = LastBuild("stamp", None, (), 3, "names")
    cache.set_last_build(tmp_path / "out", record)
    assert cache.save()
    assert BuildCache(tmp_path / "cache").last_build(tmp_path / "out") == record


def test_an_old_tuple_record_is_no_last_build(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    key = str((tmp_path / "out").resolve())
    with (folder / "last-build.pickle").open("wb") as handle:
        pickle.dump((code_version(), {key: ("stamp", None, [], 3)}), handle)
    assert BuildCache(folder).last_build(tmp_path / "out") is None
