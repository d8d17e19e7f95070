"""The unit tree of chosen provinces from official data (`admin_data`): the former province with
its districts and communes until 30/6/2025, each commune with where it went (`merged_into`,
`split_into` or `renamed`), and the new province with its communes from 1/7/2025.

Ids are readable and the same on every run, whatever else is imported: a type prefix and the
name without tones ("xa-mau-a"), new units ending in "-2025" ("xa-mau-a-2025", since codes and
names are reused across the reform); a name shared by several units of its era anywhere in the
country takes its district's (then province's) name, then its code, so no two units ever meet.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

from ..base.vietnamese import match_key, slugify
from .admin_data import AdminData, FormerProvince, NewProvince, Official, Went
from .units_yaml import REFORM_END, REFORM_START, Entry

PREFIX = {"tinh": "tinh", "thanh-pho-tw": "tp", "huyen": "huyen", "quan": "quan", "thi-xa": "tx",
          "thanh-pho": "tp", "xa": "xa", "phuong": "phuong", "thi-tran": "tt", "dac-khu": "dac-khu"}
NEW_SUFFIX = "2025"


@dataclass(frozen=True)
class Chosen:
    """The provinces an import writes: former ones and new ones (keys of `AdminData`), and the
    former provinces of those new ones left out (named to the user, who may add them)."""

    former: tuple[str, ...]
    new: tuple[str, ...]
    left_out: tuple[str, ...]


def choose(data: AdminData, typed: Iterable[str]) -> tuple[Chosen | None, list[str]]:
    """The provinces named by what the user typed (a name with or without tones, with or without
    "Tỉnh"/"Thành phố", or a code); the typed words that name none."""
    former: list[str] = []
    new: list[str] = []
    unknown: list[str] = []
    for text in typed:
        f = [k for k, p in data.former.items() if _names(p.unit, text)]
        n = [k for k, p in data.new.items() if _names(p.unit, text)]
        if not f and not n:
            unknown.append(text)
        former += [k for k in f if k not in former]
        for key in [*(data.new_of(k).unit.key for k in f), *n]:
            if key not in new:
                new.append(key)
        for key in n:
            if not any(k in data.new[key].former for k in former):  # "Huế": its history comes with it
                former += [k for k in data.new[key].former if k not in former]
    if unknown or not new:
        return None, unknown
    left = tuple(k for n_key in new for k in data.new[n_key].former if k not in former)
    order = list(data.former)
    return Chosen(tuple(sorted(former, key=order.index)), tuple(new), left), []


def _names(unit: Official, text: str) -> bool:
    typed = match_key(text)
    return typed in (match_key(unit.short), match_key(unit.name)) or text.strip().lstrip("0") == unit.code.lstrip("0")


def near_provinces(data: AdminData, text: str) -> list[str]:
    """Province names a typo away from `text`, for the error message."""
    import difflib
    names = sorted({p.unit.short for p in data.former.values()} | {p.unit.short for p in data.new.values()})
    by_key = {match_key(n): n for n in names}
    return [by_key[k] for k in difflib.get_close_matches(match_key(text), list(by_key), n=3, cutoff=0.6)]


def _base(unit: Official) -> str:
    return f"{PREFIX[unit.type]}-{slugify(unit.short)}"


def _unique(candidates: dict[tuple[str, ...], list[str]]) -> dict[tuple[str, ...], str]:
    """Each unit's id: the first of its candidate ids that no other unit of the era shares at the
    same tier (the last candidate, with the code, is unique by itself)."""
    chosen: dict[tuple[str, ...], str] = {}
    tiers = max(len(c) for c in candidates.values())
    open_units = set(candidates)
    for tier in range(tiers):
        counts = Counter(candidates[u][min(tier, len(candidates[u]) - 1)] for u in candidates)
        taken = set(chosen.values())
        for unit in sorted(open_units):
            name = candidates[unit][min(tier, len(candidates[unit]) - 1)]
            if counts[name] == 1 and name not in taken or tier == tiers - 1:
                chosen[unit] = name
        open_units -= set(chosen)
    return chosen


@cache
def _former_ids(data: AdminData) -> dict[tuple[str, ...], str]:
    candidates: dict[tuple[str, ...], list[str]] = {}
    for p in data.former.values():
        province = slugify(p.unit.short)
        candidates[(p.unit.key,)] = [_base(p.unit), f"{_base(p.unit)}-{p.unit.code}"]
        for d in p.districts:
            base = _base(d.unit)
            candidates[(p.unit.key, d.unit.key)] = [base, f"{base}-{province}", f"{base}-{province}-{d.unit.code}"]
            district = slugify(d.unit.short)
            for c in d.communes:
                base = _base(c)
                candidates[(p.unit.key, d.unit.key, c.key)] = [
                    base, f"{base}-{district}", f"{base}-{district}-{province}", f"{base}-{c.code}"]
    return _unique(candidates)


@cache
def _new_ids(data: AdminData) -> dict[tuple[str, ...], str]:
    candidates: dict[tuple[str, ...], list[str]] = {}
    for p in data.new.values():
        province = slugify(p.unit.short)
        candidates[(p.unit.key,)] = [f"{_base(p.unit)}-{NEW_SUFFIX}", f"{_base(p.unit)}-{p.unit.code}-{NEW_SUFFIX}"]
        for c in p.communes:
            base = _base(c)
            candidates[(p.unit.key, c.key)] = [f"{base}-{NEW_SUFFIX}", f"{base}-{province}-{NEW_SUFFIX}",
                                               f"{base}-{c.code}-{NEW_SUFFIX}"]
    return _unique(candidates)


def _entry(unit: Official, unit_id: str) -> Entry:
    return Entry(unit_id, unit.name, unit.type, unit.code)


def imported_tree(data: AdminData, chosen: Chosen) -> list[Entry]:
    """The chosen provinces as units.yaml entries (the country root is the caller's)."""
    former_ids, new_ids = _former_ids(data), _new_ids(data)
    predecessors = _predecessors(data)

    def successors(went: Went | None) -> list[tuple[str, str]]:
        if went is None:
            return []
        ids = sorted(new_ids[(went.province, c)] for c in went.communes)
        if not went.whole:
            return [(i, "split_into") for i in ids]
        alone = len(predecessors[(went.province, went.communes[0])]) == 1
        return [(ids[0], "renamed" if alone else "merged_into")]

    roots: list[Entry] = []
    for key in chosen.former:
        roots.append(_former_province(data, data.former[key], former_ids, new_ids, successors))
    for key in chosen.new:
        p: NewProvince = data.new[key]
        entry = _entry(p.unit, new_ids[(key,)])
        entry.valid_from = REFORM_START
        for c in p.communes:
            child = _entry(c, new_ids[(key, c.key)])
            child.valid_from = REFORM_START
            entry.children.append(child)
        roots.append(entry)
    return roots


def _former_province(data: AdminData, p: FormerProvince, former_ids: dict[tuple[str, ...], str],
                     new_ids: dict[tuple[str, ...], str],
                     successors: Callable[[Went | None], list[tuple[str, str]]]) -> Entry:
    new = data.new_of(p.unit.key)
    entry = _entry(p.unit, former_ids[(p.unit.key,)])
    entry.valid_to = REFORM_END
    entry.successors = [(new_ids[(new.unit.key,)], "renamed" if new.former == (p.unit.key,) else "merged_into")]
    for d in p.districts:
        district = _entry(d.unit, former_ids[(p.unit.key, d.unit.key)])
        district.valid_to = REFORM_END
        if not d.communes:  # an island district with no communes went on as a special zone
            district.successors = successors(data.went.get((p.unit.key, d.unit.key, "")))
        for c in d.communes:
            commune = _entry(c, former_ids[(p.unit.key, d.unit.key, c.key)])
            commune.valid_to = REFORM_END
            commune.successors = successors(data.went.get((p.unit.key, d.unit.key, c.key)))
            district.children.append(commune)
        entry.children.append(district)
    return entry


@cache
def _predecessors(data: AdminData) -> dict[tuple[str, str], set[tuple[str, str, str]]]:
    """For each new commune, the former units that went into it, whole or in part."""
    found: dict[tuple[str, str], set[tuple[str, str, str]]] = {}
    for old, went in data.went.items():
        for c in went.communes:
            found.setdefault((went.province, c), set()).add(old)
    return found
