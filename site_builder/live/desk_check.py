"""A save checked as `check` checks the site: loaded "as it would be" with the candidate files.

`Checker.load` runs the build's own planning (`Builder.plan`: every loader, records and totals,
double counting, addresses and aliases, published names) with the candidate contents laid over
the source folder (`load.sources.overlaid`), writing nothing and reading no cache (a cached parse
would be of the file on disk). Drafts are in: a draft is checked as it will be when published,
so a save is refused now rather than at publication. Templates are not rendered: no save through
the desk changes a template. Any error refuses the save, also one in another file (the site could
not be built with the save either); the message says so.

`explain` turns the build's problems into the editor's words: each problem at a line of the
written file is told by the desk's label of the field on that line (`LineKeys`).
"""
from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..base.cache import BuildCache, cache_folder, digest_bytes
from ..base.errors import BuildFailed, Problems, SourceError
from ..build.builder import Builder
from ..load.sources import overlaid
from ..model.site import Site
from .desk_format import LineKeys

LABELS = {
    "title": "Tiêu đề", "date": "Ngày đăng", "updated": "Cập nhật", "unit": "Đơn vị", "units": "Đơn vị",
    "category": "Chuyên mục", "tags": "Thẻ", "authors": "Tác giả", "summary": "Tóm tắt", "image": "Ảnh",
    "image_alt": "Mô tả ảnh", "slug": "Địa chỉ bài (slug)", "aliases": "Địa chỉ cũ", "draft": "Bản nháp",
    "figures": "Số liệu trong bài", "order": "Thứ tự", "metric": "Chỉ tiêu", "period": "Kỳ báo cáo",
    "value": "Giá trị", "denominator": "Mẫu số", "scope": "Phạm vi", "qualifier": "Từ đi kèm",
    "source": "Nguồn", "note": "Ghi chú",
}
# Which field of a figure a message is about, by the text of the field it quotes (tried in turn).
_FIGURE_FIELDS = ("value", "denominator", "period", "metric", "unit", "scope", "qualifier")
MAX_SHOWN = 8


@dataclass(frozen=True)
class Written:
    """A file the save would write: its text and which key each of its lines holds."""

    path: Path
    rel: str  # as problems name it: from the project folder ("content/news/x.md")
    text: str
    keys: LineKeys
    entries: tuple[dict[str, str], ...] = ()  # figures or records, field → text, for `_figure_field`


@dataclass(frozen=True)
class Outcome:
    """The site as it would be (None when it could not be assembled) and every problem found."""

    site: Site | None
    problems: Problems

    @property
    def errors(self) -> list[SourceError]:
        return self.problems.errors


class CandidateCache(BuildCache):
    """The build cache of the source folder, read and never written, that knows the candidate
    files: their digest is the digest of the candidate text, so a parse cached for the file on
    disk is not taken for them (everything else is: a check costs what the save changes)."""

    def __init__(self, source: Path) -> None:
        super().__init__(cache_folder(source))
        self.candidates: dict[str, str] = {}

    def digest(self, path: Path) -> str:
        key = os.path.normpath(os.path.abspath(path))
        if key in self.candidates:
            return self.candidates[key]
        return super().digest(path)

    def save(self) -> bool:
        return True  # the builds write the cache; the desk only reads it


class Checker:
    """Loads the site as it would be with candidate files (`load`), as `check` loads it. One is
    kept between saves: its builder keeps the stages (units, figures and totals, figure pages) by
    the digests of their inputs, and the cache (`CandidateCache`) the parsed items, so a save that
    leaves the figures alone costs what the saved file costs; the first save costs a build."""

    def __init__(self, source: Path) -> None:
        self.source = source
        self.cache = CandidateCache(source)
        self.builder = Builder(source, source.parent / "output", include_drafts=True, jobs=1, use_cache=False)
        self.builder.cache = self.builder.addresses_from = self.cache

    def load(self, files: Mapping[Path, str | None], now: datetime) -> Outcome:
        """Plan the site with `files` in place of what is on disk (None: the file is taken away)."""
        self.cache.reload_if_changed()  # a build saved a newer cache since
        self.cache.candidates = {os.path.normpath(os.path.abspath(p)): "desk:" + digest_bytes(t.encode("utf-8"))
                                 for p, t in files.items() if t is not None}
        try:
            with overlaid(files):
                site, _ = self.builder.plan(now)
        except BuildFailed as failed:
            return Outcome(None, failed.problems)
        finally:
            self.cache.candidates = {}
        return Outcome(site, site.problems)


def explain(errors: list[SourceError], written: list[Written], body_start: dict[str, int]) -> str:
    """Every error, one a line, led by the field it is about; errors in other files named as such."""
    by_rel = {w.rel: w for w in written}
    lines = []
    for error in errors[:MAX_SHOWN]:
        mine = by_rel.get(error.path)
        if mine is None:
            error, mine = _cited(error, written)
        if mine is None:
            lines.append(f"Tệp khác ({error.path}{_at(error.line)}): {_what(error)} Bài chưa được lưu: "
                         "trang không xây dựng được khi còn lỗi này; hãy sửa tệp đó trước (hoặc báo người quản trị).")
            continue
        lines.append(f"{field_label(error, mine, body_start.get(error.path))} ({error.path}{_at(error.line)}): {_what(error)}")
    if len(errors) > MAX_SHOWN:
        lines.append(f"… và {len(errors) - MAX_SHOWN} lỗi khác.")
    return "Lỗi: chưa lưu được.\n" + "\n".join(lines)


def _cited(error: SourceError, written: list[Written]) -> tuple[SourceError, Written | None]:
    """An error placed in another file that cites a line of a written one ("trùng thời gian với
    kỳ … ở news/2020/x.md:8", double counting found on the other record): as an error of that line."""
    for w in written:
        inner = w.rel.split("/", 1)[-1]
        match = re.search(re.escape(inner) + r":(\d+)", error.message)
        if match:
            return dataclasses.replace(error, path=w.rel, line=int(match.group(1)),
                                       message=f"{error.message} (ở {error.path}:{error.line})"), w
    return error, None


def _at(line: int | None) -> str:
    return f", dòng {line}" if line is not None else ""


def _what(error: SourceError) -> str:
    text = error.message[:1].upper() + error.message[1:]
    return f"{text} {error.hint}".strip()


def field_label(error: SourceError, written: Written, body_start: int | None) -> str:
    """The desk's name of the field an error is about: by its line, else by the key it quotes."""
    missing = re.match(r'thiếu "(\w+)"', error.message)  # told at the front matter's first line
    if missing:
        return LABELS.get(missing.group(1), missing.group(1))
    at = written.keys.at(error.line)
    if at is None:
        if body_start is not None and error.line is not None and error.line >= body_start:
            return "Nội dung"
        for key in LABELS:
            if f'"{key}"' in error.message or f"({key})" in error.message:
                return LABELS[key]
        return "Tệp"
    key, index, sub = at
    if key == "image" and "image_alt" in error.message:
        return LABELS["image_alt"]
    if index is None:
        return LABELS.get(key, key)
    sub = sub or _figure_field(error, written.entries[index] if index < len(written.entries) else {})
    head = f"{LABELS['figures']}, số liệu thứ {index + 1}" if key == "figures" else f"Số liệu thứ {index + 1}"
    return f"{head}, {LABELS.get(sub, sub)}" if sub else head


def _figure_field(error: SourceError, entry: dict[str, str]) -> str | None:
    """The field of a figure a message quotes ("1,030" → Giá trị), None if it quotes none."""
    said = error.message + " " + error.hint
    for name in _FIGURE_FIELDS:
        text = entry.get(name)
        if text and (f'"{text}"' in said or f" {text} " in f" {said} "):
            return name
    for name in _FIGURE_FIELDS:
        if f'"{name}"' in said or f"{name}:" in said:
            return name
    return None
