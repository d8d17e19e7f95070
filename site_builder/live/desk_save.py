"""`persistEntry`: what Decap sends is read, written in our format, checked, and only then saved.

1. Each data file Decap sends (`dataFiles`, or the older `entry`) is a path in a collection (and
   `newPath` when Decap moves it); its `raw` text is read with the build's own parsers.
2. Uploads in `assets` are checked and named (`desk_media`); fields and body links naming them as
   Decap named them are pointed to where they are put.
3. The file is written out by `desk_format`, and the site loaded as it would be with it
   (`desk_check.Checker`); any error refuses the whole save, told by field, and nothing
   stays written (uploads made for it are taken back).
4. A published news item (not a draft, its date passed) whose address changes — a new title
   without `slug:`, another month, a `newPath` move — gets its former address in `aliases:`,
   computed by the build's own `plan.urls.item_url`; then the site is checked again.
5. The files are written atomically; a move leaves one file, at the new path.
"""
from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from ..base.errors import Problems
from ..base.vietnamese import nfc
from ..load.config import load_config
from ..load.content import Item, load_item
from ..load.front_matter import split_front_matter
from ..load.markdown_render import MarkdownRenderer
from ..load.sources import SourceText
from ..load.yamlload import LineDict, load_yaml
from ..model.site import Site
from ..plan.urls import item_url
from .desk_check import Checker, Outcome, Written, explain
from .desk_format import NEWS_ORDER, PAGE_ORDER, LineKeys, body_of, list_key, markdown_file, records_file, yaml_file
from .desk_media import VIETNAM, Upload, decode, place, resolve_media, taken_names
from .desk_paths import Area, DeskError, DeskPath, Paths
from .desk_write import read_bytes, remove, write_atomic

EDITABLE = (Area.NEWS, Area.PAGES, Area.DATA, Area.SETTINGS)


@dataclass(frozen=True)
class Target:
    """One file of a save: where it is now (`old`), where it goes (`new`), what Decap sent."""

    old: DeskPath
    new: DeskPath
    raw: str


@dataclass(frozen=True)
class Saved:
    """What a save wrote (the files, uploads too) and the warnings the check gave on them."""

    paths: tuple[Path, ...]
    warnings: tuple[str, ...]


class Saver:
    """Saves entries of one source folder (`save`)."""

    def __init__(self, paths: Paths, now: Callable[[], datetime]) -> None:
        self.paths, self.now = paths, now
        self.checker = Checker(paths.source)  # kept between saves: a check redoes only what changed

    def save(self, params: dict[str, Any]) -> Saved:
        targets = self._targets(params)
        given = params.get("options")
        options: dict[str, Any] = given if isinstance(given, dict) else {}
        for t in targets:
            if t.new.path != t.old.path and t.new.path.exists():
                raise DeskError(409, f'Lỗi: đã có tệp "{t.new.rel}"; không chuyển bài sang đó được. Hãy đổi tiêu đề hoặc địa chỉ bài.')
            if options.get("newEntry") is True and t.old.path.exists():
                raise DeskError(409, f'Lỗi: đã có bài ở "{t.old.rel}". Hãy đổi tiêu đề (hoặc địa chỉ) của bài mới.')
        now = self.now()
        uploads = self._uploads(params.get("assets", []), now)
        done: list[Path] = []
        made = sorted({f for u in uploads for f in (self.paths.source / u.inner).parents
                       if f.is_relative_to(self.paths.source) and not f.exists()}, key=lambda f: -len(f.parts))
        try:
            for upload in uploads:
                write_atomic(self.paths.source / upload.inner, upload.data, f"{self.paths.name}/{upload.inner}")
                done.append(self.paths.source / upload.inner)
            saved = self._save(targets, {u.asked: u.inner for u in uploads}, now)
        except BaseException:
            for path in done:
                remove(path, path.name)
            for folder in made:  # the year folder made for the uploads, if nothing else is in it
                with contextlib.suppress(OSError):
                    folder.rmdir()
            raise
        return dataclasses.replace(saved, paths=tuple(done) + saved.paths)

    def _targets(self, params: dict[str, Any]) -> list[Target]:
        files = params.get("dataFiles")
        if files is None and params.get("entry") is not None:
            files = [params["entry"]]
        if not isinstance(files, list) or not files:
            raise DeskError(400, "Lỗi: yêu cầu lưu không có bài nào (thiếu dataFiles). Hãy tải lại trang bàn biên tập rồi lưu lại.")
        targets = []
        for one in files:
            if not isinstance(one, dict) or not isinstance(one.get("raw"), str):
                raise DeskError(400, "Lỗi: yêu cầu lưu thiếu nội dung bài (raw). Hãy tải lại trang bàn biên tập rồi lưu lại.")
            old = self.paths.check(one.get("path"), EDITABLE)
            new = self.paths.check(one["newPath"], (old.area,)) if one.get("newPath") not in (None, one.get("path")) else old
            targets.append(Target(old, new, one["raw"].replace("\r\n", "\n")))
        return targets

    def _uploads(self, assets: object, now: datetime) -> list[Upload]:
        if not isinstance(assets, list):
            raise DeskError(400, "Lỗi: danh sách tệp tải lên (assets) không đúng dạng. Hãy tải lại trang rồi lưu lại.")
        taken = taken_names(self.paths.source)
        return [place(self.paths.source, *decode(asset), taken, now) for asset in assets]

    def _save(self, targets: list[Target], uploads: dict[str, str], now: datetime) -> Saved:
        problems = Problems(root=self.paths.source)
        config = load_config(self.paths.source, problems)
        zone = config.timezone if config is not None else VIETNAM
        parsed = [self._parsed(t, uploads) for t in targets]
        written = [self._written(t, meta, body, zone) for t, (meta, body) in zip(targets, parsed)]
        outcome = self._check(targets, written, now)
        if outcome.site is not None:
            moved = [self._alias(t, meta, outcome.site, now) for t, (meta, _) in zip(targets, parsed)]
            if any(moved):
                written = [self._written(t, meta, body, zone) for t, (meta, body) in zip(targets, parsed)]
                outcome = self._check(targets, written, now)
        assert outcome.site is not None
        for t, w in zip(targets, written):
            write_atomic(t.new.path, w.text.encode("utf-8"), t.new.rel)
            if t.new.path != t.old.path:
                remove(t.old.path, t.old.rel)
        rels = {w.rel for w in written}
        warnings = tuple(f"{p.path}{'' if p.line is None else ':' + str(p.line)}: {p.message}"
                         for p in outcome.problems.warnings if p.path in rels)
        return Saved(tuple(t.new.path for t in targets) + tuple(t.old.path for t in targets if t.new.path != t.old.path),
                     warnings)

    def _check(self, targets: list[Target], written: list[Written], now: datetime) -> Outcome:
        files: dict[Path, str | None] = {t.old.path: None for t in targets if t.new.path != t.old.path}
        files.update({t.new.path: w.text for t, w in zip(targets, written)})
        outcome = self.checker.load(files, now)
        if outcome.errors:
            body_start = {w.rel: w.text.count("\n", 0, w.text.find("\n---", 3) + 1) + 2
                          for w in written if w.text.startswith("---")}
            raise DeskError(422, explain(outcome.errors, written, body_start))
        return outcome

    def _parsed(self, target: Target, uploads: dict[str, str]) -> tuple[Any, str]:
        """The front matter (or YAML data) and body of what Decap sent, read as the build reads."""
        text = nfc(target.raw)
        problems = Problems(root=self.paths.source)
        if target.new.area in (Area.NEWS, Area.PAGES):
            fm = split_front_matter(SourceText(target.new.path, text, ""), target.new.inner, problems)
            body = body_of(text)
            if fm is None or body is None:
                raise DeskError(422, _first(problems, target.new.rel, "phần thông tin đầu bài không đọc được."))
            meta = fm.meta
            if isinstance(meta.get("image"), str) and meta["image"].strip():
                meta["image"] = resolve_media(self.paths.source, meta["image"], uploads)
                meta.raw.pop("image", None)
            for asked, inner in uploads.items():
                bare = asked.split("/", 1)[1] if asked.startswith(self.paths.name + "/") else asked
                if bare != inner:
                    for start in ("(/", "("):
                        body = body.replace(start + bare, "(/" + inner)
            return meta, body
        data, problem = load_yaml(text)
        if problem is not None:
            raise DeskError(422, f"Lỗi: {target.new.rel}{'' if problem.line is None else ', dòng ' + str(problem.line)}: "
                            f"{problem.message}. Hãy sửa nội dung rồi lưu lại.")
        if list_key(target.new.inner) is not None and isinstance(data, dict) and len(data) == 1:
            (inner_list,) = data.values()  # Decap keeps a list under one field of a file collection
            if isinstance(inner_list, list):
                data = inner_list
        return data, ""

    def _written(self, target: Target, meta: Any, body: str, zone: tzinfo) -> Written:
        rel = target.new.rel
        if target.new.area in (Area.NEWS, Area.PAGES):
            order = NEWS_ORDER if target.new.area is Area.NEWS else PAGE_ORDER
            text, keys = markdown_file(meta, body, order, zone)
            figures = meta.get("figures")
            return Written(target.new.path, rel, text, keys, _entries(figures))
        if target.new.area is Area.DATA:
            if not isinstance(meta, list):
                raise DeskError(422, f'Lỗi: {rel}: tệp số liệu phải là danh sách các số liệu (mỗi số liệu có unit, metric, '
                                "period, value). Hãy sửa lại rồi lưu.")
            text, keys = records_file(meta)
            return Written(target.new.path, rel, text, keys, _entries(meta))
        return Written(target.new.path, rel, yaml_file(meta), LineKeys())

    def _alias(self, target: Target, meta: Any, site: Site, now: datetime) -> bool:
        """Add the former address of a published item whose address changes; True if added."""
        if target.new.area is not Area.NEWS or not isinstance(meta, LineDict):
            return False
        old = self._old_item(target.old, site)
        new = next((i for i in site.items if i.rel == target.new.inner), None)
        if old is None or new is None or old.draft or old.date > now:
            return False
        before, after = "/" + item_url(old, site), "/" + item_url(new, site)
        if before == after:
            return False
        aliases = meta.get("aliases")
        kept = [a for a in (aliases if isinstance(aliases, list) else [aliases] if isinstance(aliases, str) else [])
                if a != after]
        meta["aliases"] = kept + ([before] if before not in kept else [])
        meta.raw.pop("aliases", None)
        return True

    def _old_item(self, old: DeskPath, site: Site) -> Item | None:
        """The news item as it is on disk before the save, read by the build's loader."""
        if read_bytes(old.path, old.rel) is None:
            return None
        return load_item(old.path, self.paths.source, site.config, site.units, MarkdownRenderer(None, self.paths.source),
                         Problems(root=self.paths.source))


def _entries(value: object) -> tuple[dict[str, str], ...]:
    """Figures or records as field → text (to tell which field a problem quotes)."""
    if not isinstance(value, list):
        return ()
    out = []
    for entry in value:
        raws = entry.raw if isinstance(entry, LineDict) else {}
        out.append({str(k): raws.get(k, str(v)) for k, v in entry.items()} if isinstance(entry, dict) else {})
    return tuple(out)


def _first(problems: Problems, rel: str, fallback: str) -> str:
    if problems.errors:
        e = problems.errors[0]
        return f"Lỗi: {rel}{'' if e.line is None else ', dòng ' + str(e.line)}: {e.message} {e.hint}".strip()
    return f"Lỗi: {rel}: {fallback} Dòng đầu phải là \"---\", rồi các dòng thông tin, rồi một dòng \"---\"."
