"""Units that share a name across the 2025 reorganisation, told apart wherever a reader sees them.

"Xã Đông Cuông" before 1/7/2025 and "Xã Đông Cuông" after it are two units; on a page that names
both ("Nhập toàn bộ vào Xã Đông Cuông"), in a table, a list or the search filter, the former one
is shown with the day it ended: "Xã Đông Cuông (đến 30/6/2025)". This module only decides which
units need that (`namesakes`); the words are the theme's (`_labels.html`, `unit_name`).
"""
from __future__ import annotations

from .units import Unit, UnitRegistry


def namesakes(units: UnitRegistry) -> frozenset[str]:
    """Ids of former units whose name a unit of another era also bears (another end date, or
    none): each is shown with its end date. Namesakes of one era (wards of one name in two
    provinces) are not told apart by a date, and are left as they are."""
    by_name: dict[str, list[Unit]] = {}
    for unit in units.units.values():
        by_name.setdefault(" ".join(unit.name.casefold().split()), []).append(unit)
    found: set[str] = set()
    for group in by_name.values():
        if len({u.valid_to for u in group}) > 1:
            found.update(u.id for u in group if u.valid_to is not None)
    return frozenset(found)
