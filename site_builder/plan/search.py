"""What each searchable page is filtered by (unit, category, year), planned with the pages;
Pagefind indexes the rendered pages afterwards (`write.search_bundle`).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..base.vietnamese import slugify
from ..load.content import Item
from ..model.site import Site


@dataclass(frozen=True)
class SearchEntry:
    """The filters of one searchable page: the units it belongs to (with their ancestors), its
    category and its year."""

    url: str
    units: tuple[str, ...]
    category: str
    year: str


def search_entries(site: Site, item_url: Callable[[Item], str], unit_url: Callable[[str], str]) -> list[SearchEntry]:
    """Filter values of every article and unit page, in a stable order."""
    entries = []
    for item in site.items:
        reached: dict[str, None] = {}
        for unit_id in item.units:
            reached[unit_id] = None
            reached.update(dict.fromkeys(site.units.ancestors(unit_id)))
        entries.append(SearchEntry(item_url(item), tuple(reached), slugify(item.category or ""),
                                   str(item.date.year)))
    for unit_id in site.units.units:
        entries.append(SearchEntry(unit_url(unit_id), (unit_id, *site.units.ancestors(unit_id)), "", ""))
    return entries
