"""The cache's large tables as rows of `tables.sqlite` (`base.rows`): read one at a time when asked
for, written only where changed, never a traceback when the file is torn, locked, unreadable or of
another version (a slower build then), and never losing another process's rows."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_cli_incremental import assert_clean, body, built, cli_build

import site_builder.base.rows as rows_module
from site_builder.base.cache import BuildCache, LastBuild, Parsed, cache_folder
from site_builder.base.rows import RowFile, Rows


def _parsed(digest: str, size: int = 10) -> Parsed:
    return Parsed(digest, "context", {"body": "x" * size}, [], f"body-{digest}:policy")


def _saved(folder: Path, count: int, size: int = 10) -> BuildCache:
    cache = BuildCache(folder)
    for number in range(count):
        cache.store_parsed(f"news/{number}.md", _parsed(f"d{number}", size))
    cache.set_last_build(folder.parent / "out", _record())
    assert cache.save()
    return cache


def test_the_small_file_holds_no_parsed_source(tmp_path: Path) -> None:
    """What every build reads whole (`cache.pickle`) stays small however large the parses are."""
    _saved(tmp_path / "cache", 20, size=100_000)
    assert (tmp_path / "cache" / "cache.pickle").stat().st_size < 100_000


def test_the_row_file_is_its_owners_alone(tmp_path: Path) -> None:
    _saved(tmp_path / "cache", 1)
    assert (tmp_path / "cache" / "tables.sqlite").stat().st_mode & 0o077 == 0


def test_a_row_is_read_when_asked_for_and_alone(tmp_path: Path) -> None:
    _saved(tmp_path / "cache", 50)
    cache = BuildCache(tmp_path / "cache")
    assert cache.parsed("news/7.md", "d7", "context") == _parsed("d7")
    assert cache.parsed("news/7.md", "other digest", "context") is None
    assert list(cache.state.parsed._known) == ["news/7.md"]  # the other 49 rows were not read
    assert len(cache.state.parsed) == 50  # iterating reads them all


def test_a_save_writes_only_what_changed(tmp_path: Path) -> None:
    _saved(tmp_path / "cache", 50)
    cache = BuildCache(tmp_path / "cache")
    cache.store_parsed("news/3.md", _parsed("new"))
    assert cache.state.parsed.changes()[0].keys() == {"news/3.md"}
    assert cache.save()
    again = BuildCache(tmp_path / "cache")
    assert again.parsed("news/3.md", "new", "context") is not None
    assert again.parsed("news/4.md", "d4", "context") is not None


def test_two_processes_keep_each_others_rows(tmp_path: Path) -> None:
    """Both read, then each saves its own parse: neither is lost (a whole-file save lost one)."""
    first, second = BuildCache(tmp_path / "cache"), BuildCache(tmp_path / "cache")
    first.state, second.state  # noqa: B018 — both have read the cache before either saves
    first.store_parsed("news/a.md", _parsed("a"))
    second.store_parsed("news/b.md", _parsed("b"))
    assert first.save() and second.save()
    third = BuildCache(tmp_path / "cache")
    assert third.parsed("news/a.md", "a", "context") and third.parsed("news/b.md", "b", "context")


def test_forgotten_rows_are_deleted(tmp_path: Path) -> None:
    cache = _saved(tmp_path / "cache", 5)
    cache.forget_missing({"news/1.md"})
    assert cache.save()
    assert list(BuildCache(tmp_path / "cache").state.parsed) == ["news/1.md"]


def test_converted_bodies_are_found_by_their_digest(tmp_path: Path) -> None:
    cache = BuildCache(tmp_path / "cache")
    cache.store_parsed("news/1.md", Parsed("d", "c", _Value("<p>một</p>"), [], "abc:policy"))
    cache.store_parsed("pages/draft.md", Parsed("d", "c", None, [], "def:policy"))
    assert cache.save()
    converted = BuildCache(tmp_path / "cache").converted(":policy")
    assert converted.get("abc") == "<p>một</p>"
    assert converted.get("def") is None and converted.get("abc:policy") is None
    assert BuildCache(tmp_path / "cache").converted(":other").get("abc") is None


class _Value:
    def __init__(self, body_html: str) -> None:
        self.body_html = body_html

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Value) and other.body_html == self.body_html

    def __hash__(self) -> int:
        return hash(self.body_html)


@pytest.mark.parametrize("damage", ["garbage", "torn", "empty"])
def test_a_damaged_file_gives_no_rows_and_is_replaced(tmp_path: Path, damage: str) -> None:
    _saved(tmp_path / "cache", 30, size=5000)
    path = tmp_path / "cache" / "tables.sqlite"
    data = path.read_bytes()
    path.write_bytes({"garbage": b"not a database at all" * 100, "torn": data[: len(data) // 2] + b"\0" * 999,
                      "empty": b""}[damage])
    cache = BuildCache(tmp_path / "cache")
    found = [cache.parsed(f"news/{n}.md", f"d{n}", "context") for n in range(30)]
    assert all(hit is None or hit == _parsed(f"d{n}", 5000) for n, hit in enumerate(found))  # never a wrong row
    cache.store_parsed("news/new.md", _parsed("new"))
    assert cache.save()
    assert BuildCache(tmp_path / "cache").parsed("news/new.md", "new", "context") == _parsed("new")


def test_a_locked_file_gives_no_rows_and_a_failed_save(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rows_module, "WAIT", 0.05)
    _saved(tmp_path / "cache", 3)
    holder = sqlite3.connect(tmp_path / "cache" / "tables.sqlite", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process in the middle of a long write
    try:
        cache = BuildCache(tmp_path / "cache")
        assert cache.parsed("news/1.md", "d1", "context") is None
        cache.store_parsed("news/new.md", _parsed("new"))
        cache.set_last_build(tmp_path / "out", _record())
        assert not cache.save()  # the rows could not be written: the caller warns
        assert BuildCache(tmp_path / "cache").last_build(tmp_path / "out") == _record()  # the rest was
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert cache.save()  # the rows are kept until they can be written
    assert BuildCache(tmp_path / "cache").parsed("news/new.md", "new", "context") == _parsed("new")


def _record() -> LastBuild:
    return LastBuild("stamp", None, (), 1, "names")


def test_an_unreadable_file_gives_no_rows_and_a_failed_save(tmp_path: Path) -> None:
    (tmp_path / "cache" / "tables.sqlite").mkdir(parents=True)  # unreadable even for root
    cache = BuildCache(tmp_path / "cache")
    assert cache.parsed("news/1.md", "d1", "context") is None
    cache.store_parsed("news/1.md", _parsed("d1"))
    assert not cache.save()


def test_rows_of_another_version_are_not_read_and_are_dropped(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    old = RowFile(folder / "tables.sqlite", "old version")
    assert old.write({"parsed": ({"news/1.md": ("", b"x")}, set())})
    cache = BuildCache(folder)
    assert len(cache.state.parsed) == 0
    cache.store_parsed("news/2.md", _parsed("d2"))
    assert cache.save()
    with sqlite3.connect(folder / "tables.sqlite") as db:
        assert db.execute("SELECT key FROM parsed").fetchall() == [("news/2.md",)]


def test_a_damaged_row_file_means_the_full_path_and_a_clean_site(tmp_path: Path) -> None:
    source, out = built(tmp_path)
    path = cache_folder(source) / "tables.sqlite"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3] + b"\x00garbage")
    body(source)
    cli_build(source, out)
    assert_clean(source, out, tmp_path)


KEYS = [f"k{n}" for n in range(6)]
keys = st.sampled_from(KEYS)
operations = st.lists(st.one_of(st.tuples(st.just("set"), keys, st.integers(0, 9)),
                                st.tuples(st.just("delete"), keys, st.just(0)),
                                st.tuples(st.just("save"), keys, st.just(0)),
                                st.tuples(st.just("reopen"), keys, st.just(0))), max_size=30)


@settings(max_examples=60, deadline=None)
@given(operations)
def test_rows_behave_as_a_dict_saved_and_read_again(tmp_path_factory: pytest.TempPathFactory,
                                                     steps: list[tuple[str, str, int]]) -> None:
    """Sets, deletes, saves and new readers in any order: a new reader sees what was saved."""
    path = tmp_path_factory.mktemp("rows") / "tables.sqlite"
    file = RowFile(path, "v")
    table: Rows[tuple[int]] = Rows(file, "stamps", tuple)
    model: dict[str, tuple[int]] = {}
    saved: dict[str, tuple[int]] = {}
    for action, key, value in steps:
        if action == "set":
            table[key] = model[key] = (value,)
        elif action == "delete" and key in model:
            del table[key], model[key]
        elif action == "save":
            assert file.write({"stamps": table.changes()})
            table.saved()
            saved = dict(model)
        elif action == "reopen":
            file = RowFile(path, "v")
            table, model = Rows(file, "stamps", tuple), dict(saved)
        assert {k: table.get(k) for k in KEYS} == {k: model.get(k) for k in KEYS}
    assert dict(table) == model
