"""Vietnam's administrative units as the `vietnamadminunits` package publishes them: the tree of
63 provinces before 1 July 2025 (provinces, districts, communes with official codes), the tree of
34 provinces since, and which former commune went into which new one, whole or in parts.

Only this module knows the package's tables and keys; the rest of `scaffold` sees typed values.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

# The package names a unit's kind in words; units.yaml uses these types (load.units.UNIT_TYPES).
PROVINCE_TYPES = {"Tỉnh": "tinh", "Thành phố": "thanh-pho-tw"}
DISTRICT_TYPES = {"Huyện": "huyen", "Quận": "quan", "Thị xã": "thi-xa", "Thành phố": "thanh-pho"}
COMMUNE_TYPES = {"Xã": "xa", "Phường": "phuong", "Thị trấn": "thi-tran", "Đặc khu": "dac-khu"}


@dataclass(frozen=True)
class Official:
    """One unit as the package has it: its key (unique within its parent), full and short name,
    type (a units.yaml type) and official code."""

    key: str
    name: str
    short: str
    type: str
    code: str


@dataclass(frozen=True)
class FormerDistrict:
    unit: Official
    communes: tuple[Official, ...]


@dataclass(frozen=True)
class FormerProvince:
    unit: Official
    districts: tuple[FormerDistrict, ...]


@dataclass(frozen=True)
class NewProvince:
    unit: Official
    communes: tuple[Official, ...]
    former: tuple[str, ...]  # keys of the former provinces it was made of


@dataclass(frozen=True)
class Went:
    """Where a former commune (or a district without communes, an island) went on 1 July 2025:
    new communes of one new province, `whole` or divided among several."""

    province: str               # the new province's key
    communes: tuple[str, ...]   # new communes' keys
    whole: bool


@dataclass(frozen=True, eq=False)  # hashed by identity: one per process (`admin_data`)
class AdminData:
    former: dict[str, FormerProvince]
    new: dict[str, NewProvince]
    went: dict[tuple[str, str, str], Went]   # (former province, district, commune or "") → where

    def new_of(self, former_key: str) -> NewProvince:
        """The new province a former province went into."""
        return next(p for p in self.new.values() if former_key in p.former)


def _type(words: dict[str, str], name: str, given: str | None) -> str:
    if given in words:
        return words[given]
    return next(kind for word, kind in words.items() if name.startswith(word + " "))


@cache
def admin_data() -> AdminData:
    """Read the package's tables once (about a second: the package loads its address parsers)."""
    from vietnamadminunits.converter import converter_2025
    from vietnamadminunits.database import get_data

    return _assemble(get_data(table="admin_units_legacy"), get_data(table="admin_units"),
                     converter_2025.DICT_PROVINCE, converter_2025.DICT_PROVINCE_WARD_NO_DIVIDED,
                     converter_2025.DICT_PROVINCE_WARD_DIVIDED)


def _assemble(legacy: list[dict[str, Any]], current: list[dict[str, Any]], provinces: dict[str, list[str]],
              whole: dict[str, dict[str, list[str]]], divided: dict[str, dict[str, list[dict[str, Any]]]]) -> AdminData:
    former_units: dict[str, Official] = {}
    districts: dict[str, dict[str, Official]] = {}
    communes: dict[tuple[str, str], list[Official]] = {}
    for row in legacy:
        p, d = row["provinceKey"], row["districtKey"]
        former_units.setdefault(p, Official(p, row["province"], row["provinceShort"],
                                            _type(PROVINCE_TYPES, row["province"], None), row["provinceCode"]))
        districts.setdefault(p, {}).setdefault(d, Official(
            d, row["district"], row["districtShort"], _type(DISTRICT_TYPES, row["district"], row["districtType"]),
            row["districtCode"]))
        if row["wardKey"]:
            communes.setdefault((p, d), []).append(Official(
                row["wardKey"], row["ward"], row["wardShort"], _type(COMMUNE_TYPES, row["ward"], row["wardType"]),
                row["wardCode"]))
    former = {
        p: FormerProvince(unit, tuple(
            FormerDistrict(d, tuple(sorted(communes.get((p, d.key), ()), key=lambda c: c.code)))
            for d in sorted(districts[p].values(), key=lambda d: d.code)))
        for p, unit in former_units.items()}
    new_units: dict[str, Official] = {}
    new_communes: dict[str, list[Official]] = {}
    for row in current:
        p = row["provinceKey"]
        new_units.setdefault(p, Official(p, row["province"], row["provinceShort"],
                                         _type(PROVINCE_TYPES, row["province"], None), row["provinceCode"]))
        new_communes.setdefault(p, []).append(Official(
            row["wardKey"], row["ward"], row["wardShort"], _type(COMMUNE_TYPES, row["ward"], row["wardType"]),
            row["wardCode"]))
    new = {p: NewProvince(unit, tuple(sorted(new_communes[p], key=lambda c: c.code)), tuple(provinces.get(p, ())))
           for p, unit in new_units.items()}
    went: dict[tuple[str, str, str], Went] = {}
    for p, wards in whole.items():
        for ward, olds in wards.items():
            for old in olds:
                went[_split_key(old)] = Went(p, (ward,), True)
    for p, olds_divided in divided.items():
        for old, parts in olds_divided.items():
            went[_split_key(old)] = Went(p, tuple(part["newWardKey"] for part in parts), False)
    return AdminData(dict(sorted(former.items(), key=lambda kv: kv[1].unit.code)),
                     dict(sorted(new.items(), key=lambda kv: kv[1].unit.code)), went)


def _split_key(key: str) -> tuple[str, str, str]:
    """"tinhyenbai_thanhphoyenbai_phuongyenthinh" → its three keys (the commune's is "" for a
    district without communes)."""
    province, district, commune = key.split("_", 2)
    return province, district, commune
