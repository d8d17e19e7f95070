"""An import laid over the units.yaml a site already has: every unit it holds keeps its id and
name (news and figures filed under them never lose their unit), official data adds what is
missing (codes, dates of validity, successors) and the units the site lacks; each change is
listed in Vietnamese for the user to read before anything is written."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ..base.vietnamese import match_key
from ..load.units import RELATION_WORDS, UnitRegistry
from .units_yaml import REFORM_END, REFORM_START, Entry

LEVEL = {"quoc-gia": 0, "tinh": 1, "thanh-pho-tw": 1, "huyen": 2, "quan": 2, "thi-xa": 2, "thanh-pho": 2,
         "xa": 3, "phuong": 3, "thi-tran": 3, "dac-khu": 3}
_TYPE_WORDS = re.compile(r"^(tinh|thanh pho|huyen|quan|thi xa|xa|phuong|thi tran|dac khu) ")
COUNTRY = Entry("viet-nam", "Việt Nam", "quoc-gia")


@dataclass
class Merged:
    """The merged tree and what the import adds or changes, in words for the user."""

    roots: list[Entry]
    added: int = 0
    changed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    province_ids: list[str] = field(default_factory=list)  # the imported provinces' ids in the file


def entries_of(registry: UnitRegistry) -> list[Entry]:
    """The registry's tree as entries, in the file's order (the registry sorts by name)."""
    def in_file_order(ids: tuple[str, ...]) -> list[str]:
        return sorted(ids, key=lambda i: registry[i].line)

    def entry(unit_id: str) -> Entry:
        u = registry[unit_id]
        return Entry(u.id, u.name, u.type, u.code, u.valid_from, u.valid_to,
                     [(s.id, s.relation) for s in u.successors], [entry(c) for c in in_file_order(u.children)])
    return [entry(r) for r in in_file_order(registry.roots)]


def _era(e: Entry) -> str | None:
    if e.valid_to is not None and e.valid_to <= REFORM_END:
        return "former"
    if e.valid_from is not None and e.valid_from >= REFORM_START:
        return "new"
    return None


def _bare(name: str) -> str:
    """The name without its type word and tones: "Tỉnh Yên Bái" → "yen bai"."""
    return _TYPE_WORDS.sub("", match_key(name))


def _same(old: Entry, new: Entry) -> bool:
    return (LEVEL.get(old.type) == LEVEL.get(new.type) and _era(old) in (None, _era(new))
            and _bare(old.name) == _bare(new.name) and (old.code is None or old.code == new.code))


def merge(existing: list[Entry], imported: list[Entry]) -> Merged:
    """`imported` (provinces, as `unit_import.imported_tree` gives them) laid over `existing`."""
    roots = existing or [Entry(COUNTRY.id, COUNTRY.name, COUNTRY.type)]
    country = next((r for r in roots if r.type == "quoc-gia"), None)
    merged = Merged(roots)
    if country is None:
        merged.notes.append("units.yaml không có đơn vị cấp quốc gia; các tỉnh được thêm ở cấp cao nhất.")
    laying = _Laying(merged)
    imported_ids = [p.id for p in imported]
    provinces = [e for r in roots for e in r.walk() if LEVEL.get(e.type) == 1]
    for province in imported:
        laying.lay(province, provinces, country.children if country is not None else roots)
    laying.rename_clashes()
    laying.link()
    merged.province_ids = [laying.renamed.get(i, i) for i in imported_ids]
    return merged


class _Laying:
    """One import laid over the tree: which imported units are units the site has (`pairs`),
    which are added (`added`), and the ids the site already gives them (`renamed`)."""

    def __init__(self, merged: Merged) -> None:
        self.merged = merged
        self.pairs: list[tuple[Entry, Entry]] = []
        self.added: list[Entry] = []
        self.renamed: dict[str, str] = {}

    def lay(self, new: Entry, candidates: list[Entry], host: list[Entry]) -> None:
        """Put `new` (and its subtree) onto the one existing unit it is, or into `host`."""
        same = [c for c in candidates if _same(c, new)]
        if len(same) > 1:
            coded = [c for c in same if c.code == new.code]
            same = coded if len(coded) == 1 else same
        if len(same) != 1:
            if same:
                self.merged.notes.append(
                    f"{new.name} (mã {new.code}) giống nhiều đơn vị đã có ({', '.join(c.id for c in same)}); "
                    "đã thêm như đơn vị mới — hãy xem lại và xóa bản thừa.")
            host.append(new)
            self.added += new.walk()
            return
        old = same[0]
        if old.id != new.id:
            self.renamed[new.id] = old.id
        self.pairs.append((old, new))
        for child in new.children:
            self.lay(child, old.children, old.children)

    def rename_clashes(self) -> None:
        """An added unit whose id the site already gives another unit takes its code into its id."""
        counts = Counter(e.id for r in self.merged.roots for e in r.walk())
        for e in self.added:
            if counts[e.id] > 1:
                new_id = f"{e.id.removesuffix('-2025')}-{e.code}" + ("-2025" if e.id.endswith("-2025") else "")
                self.merged.notes.append(
                    f'mã "{e.id}" đã dùng cho một đơn vị khác trong units.yaml; {e.name} nhận mã "{new_id}".')
                counts[e.id] -= 1
                self.renamed[e.id] = new_id
                e.id = new_id

    def link(self) -> None:
        """Successors named by the ids the file uses; what changes on the site's own units, listed."""
        def mapped(successors: list[tuple[str, str]]) -> list[tuple[str, str]]:
            return [(self.renamed.get(i, i), rel) for i, rel in successors]

        for e in self.added:
            e.successors = mapped(e.successors)
        self.merged.added = len(self.added)
        for old, new in self.pairs:
            what = []
            for attr, word in (("code", "mã"), ("valid_from", "hiệu lực từ"), ("valid_to", "hiệu lực đến")):
                if getattr(new, attr) is not None and getattr(old, attr) != getattr(new, attr):
                    what.append(f"{word} {getattr(old, attr) or '(trống)'} → {getattr(new, attr)}")
                    setattr(old, attr, getattr(new, attr))
            successors = mapped(new.successors)
            if successors and old.successors != successors:
                what.append("đơn vị kế thừa: " + ", ".join(f"{i} ({RELATION_WORDS[r]})" for i, r in successors))
                old.successors = successors
            if what:
                self.merged.changed.append(f"{old.id} ({old.name}): " + "; ".join(what))
