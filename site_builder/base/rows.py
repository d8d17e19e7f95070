"""The build cache's large tables (source digests, parsed sources) in one SQLite file: a row is read
when asked for and only the rows a build changed are written, in one transaction, so a build that
touches a few sources neither reads nor writes the rest (`cache.BuildCache`).

A row is never wrong once written (it says what it was made from: a file's stats, a source's digest
and context), so two builds writing at once need no more than SQLite's own locking. A file that
cannot be read (damaged, locked past `WAIT`, unreadable, another version of the code) gives no
rows: a slower build, never a wrong one; a damaged file is replaced at the next write.
"""
from __future__ import annotations

import contextlib
import os
import pickle
from collections.abc import Callable, Iterator, MutableMapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

if TYPE_CHECKING:  # imported when first used: a build with nothing to do reads no row (50 ms saved)
    import sqlite3

TABLES = ("stamps", "parsed")
WAIT = 10.0  # seconds a reader or writer waits for another process's transaction
V = TypeVar("V")
Changes = dict[str, tuple[dict[str, tuple[str, bytes]], set[str]]]  # table → (key → (extra, data), deleted keys)


class RowFile:
    """One SQLite file of keyed, pickled rows; `path` None keeps nothing (a cache in memory)."""

    def __init__(self, path: Path | None, version: str) -> None:
        self.path, self.version = path, version
        self._reader: sqlite3.Connection | None = None
        self._pid = 0
        self._usable = True   # False once reading failed or found another version: no rows this run
        self._damaged = False  # not a database, or a malformed one: replaced at the next write
        self._inherited: list[sqlite3.Connection] = []  # a parent's connection, never used or closed after fork

    def _read(self) -> sqlite3.Connection | None:
        import sqlite3

        if self.path is None or not self._usable:
            return None
        if self._reader is not None and self._pid == os.getpid():
            return self._reader
        if self._reader is not None:  # a forked worker: its own connection (SQLite's rule)
            self._inherited.append(self._reader)
            self._reader = None
        try:
            if not self.path.is_file():
                return None
            reader = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, timeout=WAIT,
                                     check_same_thread=False)
            row = reader.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        except (sqlite3.Error, OSError) as exc:
            self._failed(exc)
            return None
        if row is None or row[0] != self.version:
            reader.close()
            self._usable = False
            return None
        self._reader, self._pid = reader, os.getpid()
        return reader

    def _failed(self, exc: BaseException) -> None:
        import sqlite3

        self._usable = False
        if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
            self._damaged = True

    def _query(self, sql: str, args: tuple[str, ...] = ()) -> list[Any]:
        import sqlite3

        reader = self._read()
        if reader is None:
            return []
        try:
            return reader.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            self._failed(exc)
            return []

    def get(self, table: str, key: str) -> bytes | None:
        rows = self._query(f"SELECT data FROM {table} WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def find(self, table: str, extra: str) -> bytes | None:
        """The data of one row whose extra column is `extra` (indexed)."""
        rows = self._query(f"SELECT data FROM {table} WHERE extra = ? LIMIT 1", (extra,))
        return rows[0][0] if rows else None

    def rows(self, table: str) -> list[tuple[str, bytes]]:
        return self._query(f"SELECT key, data FROM {table}")

    def write(self, changes: Changes) -> bool:
        """Apply these changes in one transaction (a file of another version is emptied first);
        False when they could not be written."""
        import sqlite3

        if self.path is None:
            return True
        if self._reader is not None and self._pid == os.getpid():
            self._reader.close()
        self._reader = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self._damaged:
                self._remove()
            try:
                self._write(changes)
            except sqlite3.DatabaseError as exc:
                if isinstance(exc, sqlite3.OperationalError):
                    raise
                self._remove()  # damaged since it was read: start a new file
                self._write(changes)
        except (sqlite3.Error, OSError):
            return False
        finally:
            self._usable = True
        self._damaged = False
        return True

    def _remove(self) -> None:
        assert self.path is not None
        for path in (self.path, self.path.with_name(self.path.name + "-journal")):
            path.unlink(missing_ok=True)

    def _write(self, changes: Changes) -> None:
        import sqlite3

        assert self.path is not None
        if not self.path.exists():  # readable by its owner only, as the rest of the cache (drafts' text)
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
        writer = sqlite3.connect(self.path, timeout=WAIT, isolation_level=None)
        try:
            writer.execute("BEGIN IMMEDIATE")
            writer.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            for table in TABLES:
                writer.execute(f"CREATE TABLE IF NOT EXISTS {table} "
                               "(key TEXT PRIMARY KEY, extra TEXT NOT NULL, data BLOB NOT NULL)")
                writer.execute(f"CREATE INDEX IF NOT EXISTS {table}_extra ON {table} (extra)")
            row = writer.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
            if row is None or row[0] != self.version:  # rows of another version of the code
                for table in TABLES:
                    writer.execute(f"DELETE FROM {table}")
                writer.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (self.version,))
            for table, (upserts, deleted) in changes.items():
                writer.executemany(f"DELETE FROM {table} WHERE key = ?", [(key,) for key in deleted])
                writer.executemany(f"INSERT OR REPLACE INTO {table} VALUES (?, ?, ?)",
                                   [(key, extra, data) for key, (extra, data) in upserts.items()])
            writer.execute("COMMIT")
        finally:
            with contextlib.suppress(sqlite3.Error):
                writer.close()  # without COMMIT: rolled back


class Rows(MutableMapping[str, V], Generic[V]):
    """One table of a `RowFile` as a dict: a row read on first use; changes kept until `changes`.
    Iterating reads every row (what a full build needs anyway)."""

    def __init__(self, file: RowFile, table: str, kind: type, extra: Callable[[V], str] | None = None) -> None:
        self._file, self._table, self._kind, self._extra = file, table, kind, extra
        self._known: dict[str, V] = {}
        self._changed: set[str] = set()
        self._deleted: set[str] = set()
        self._complete = False

    @classmethod
    def detached(cls, table: str, kind: type) -> Rows[V]:
        return cls(RowFile(None, ""), table, kind)

    def _value(self, data: bytes | None) -> V | None:
        if data is None:
            return None
        try:
            value = pickle.loads(data)
        except Exception:  # noqa: BLE001 — a damaged or foreign row is only a row missing
            return None
        return cast(V, value) if isinstance(value, self._kind) else None

    def __getitem__(self, key: str) -> V:
        if key in self._known:
            return self._known[key]
        if self._complete or key in self._deleted:
            raise KeyError(key)
        value = self._value(self._file.get(self._table, key))
        if value is None:
            raise KeyError(key)
        self._known[key] = value
        return value

    def find(self, extra: str) -> V | None:
        """A row saved with this extra value (`extra` of the value), if any."""
        return self._value(self._file.find(self._table, extra))

    def __setitem__(self, key: str, value: V) -> None:
        self._known[key] = value
        self._changed.add(key)
        self._deleted.discard(key)

    def __delitem__(self, key: str) -> None:
        if key not in self:
            raise KeyError(key)
        del self._known[key]
        self._changed.discard(key)
        self._deleted.add(key)

    def _load_all(self) -> None:
        if self._complete:
            return
        for key, data in self._file.rows(self._table):
            if key not in self._known and key not in self._deleted and (value := self._value(data)) is not None:
                self._known[key] = value
        self._complete = True

    def __iter__(self) -> Iterator[str]:
        self._load_all()
        return iter(list(self._known))

    def __len__(self) -> int:
        self._load_all()
        return len(self._known)

    def changes(self) -> tuple[dict[str, tuple[str, bytes]], set[str]]:
        """The rows set since the last `saved` (key → (extra, pickled value)) and those deleted."""
        upserts = {key: (self._extra(self._known[key]) if self._extra else "",
                         pickle.dumps(self._known[key], protocol=pickle.HIGHEST_PROTOCOL)) for key in self._changed}
        return upserts, set(self._deleted)

    def saved(self) -> None:
        self._changed.clear()
        self._deleted.clear()
