"""`site-builder units list [TỪ KHÓA]`: unit ids with what an editor recognises them by, so an id
is found by typing a name without tones ("dong cuong"), not by reading units.yaml."""
from __future__ import annotations

from ..base.vietnamese import format_date_vi, match_key
from ..load.units import Unit, UnitRegistry

RELATIONS = {"merged_into": "nhập toàn bộ vào", "split_into": "nhập một phần vào", "renamed": "đổi tên thành"}


def find_units(registry: UnitRegistry, query: str = "") -> list[Unit]:
    """Units in tree order whose name or id holds every word of `query`, tones, đ and case folded
    ("dong cuong" finds "Xã Đông Cường"; "hoa" finds both "Hoà" and "Hòa")."""
    words = match_key(query).split()
    found: list[Unit] = []
    for root in registry.roots:
        for unit_id in registry.subtree(root):
            unit = registry[unit_id]
            haystack = f" {match_key(unit.name)} {match_key(unit.id)} "
            if all(f" {word}" in haystack for word in words):
                found.append(unit)
    return found


def _validity(unit: Unit) -> str:
    """"hiệu lực từ 01/07/2025", "hiệu lực đến 30/06/2025", or "" for a unit valid throughout."""
    start = f" từ {format_date_vi(unit.valid_from)}" if unit.valid_from else ""
    end = f" đến {format_date_vi(unit.valid_to)}" if unit.valid_to else ""
    return f"hiệu lực{start}{end}" if start or end else ""


def _named(registry: UnitRegistry, unit_id: str) -> str:
    """`id (Tên đơn vị)`, or the id alone when units.yaml does not hold it."""
    return f"{unit_id} ({registry[unit_id].name})" if unit_id in registry else unit_id


def describe(registry: UnitRegistry, unit: Unit) -> str:
    """Two lines: the id and full name, then its parent, validity and successors."""
    facts: list[str] = []
    if unit.parent is not None:
        facts.append(f"thuộc {_named(registry, unit.parent)}")
    if validity := _validity(unit):
        facts.append(validity)
    for successor in unit.successors:
        facts.append(f"{RELATIONS.get(successor.relation, successor.relation)} {_named(registry, successor.id)}")
    if unit.valid_to is not None and not unit.successors:
        facts.append("kết thúc hoạt động")
    line = f"{unit.id}  {unit.name}"
    return f"{line}\n    {'; '.join(facts)}" if facts else line
