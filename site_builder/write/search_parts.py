"""The parts of the search index: which pages each Pagefind run reads, decided by the site's
articles alone, so that a clean build and an incremental one cut the index the same way.

MAIN holds the unit and standalone pages. Articles go by year; a year of more than `PART_SIZE`
articles is cut into runs of consecutive months, greedily from January, each of at most
`PART_SIZE` articles (a month of more is a part of its own). A part is named by its months
("2018" for a whole year, "2018-01-04" for January to April of 2018), so its name alone says
which pages it reads: a part recorded by an earlier build with the same name read the same
folders. Pagefind's memory and time grow with the pages of one run, so no edit re-indexes more
than about `PART_SIZE` articles, and no run holds more, however large a year grows.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

MAIN = ""
PART_SIZE = 1000  # articles per part; measured: see benchmarks/README.md ("The parts of the search index")
_ARTICLE = re.compile(r"tin-tuc/(\d{4})/(\d{2})/[^/]+/index\.html")
_MAIN_PAGE = re.compile(r"(?:don-vi/)?[^/]+/index\.html")
_NAME = re.compile(r"(\d{4})(?:-(\d{2})-(\d{2}))?")


def area_of(path: str) -> str | None:
    """The smallest piece of the index an output file belongs to, whatever the cut: "2018/03" for
    an article of March 2018, MAIN for a unit or standalone page, None for a file no part reads
    (lists, feeds, figure pages)."""
    match = _ARTICLE.fullmatch(path)
    if match:
        return f"{match.group(1)}/{match.group(2)}"
    return MAIN if _MAIN_PAGE.fullmatch(path) else None


def months_of(name: str) -> tuple[str, range] | None:
    """The year and months a part reads, from its name; None for MAIN or a name no cut gives."""
    match = _NAME.fullmatch(name)
    if match is None:
        return None
    first, last = (int(match.group(2)), int(match.group(3))) if match.group(2) else (1, 12)
    return match.group(1), range(first, last + 1)


def glob_of(name: str) -> str:
    """The pages of a part, as Pagefind's `--glob` takes them."""
    if name == MAIN:
        return "{don-vi/*/index.html,*/index.html}"
    year, months = months_of(name) or (name, range(1, 13))
    if len(months) == 12:
        return f"tin-tuc/{year}/*/*/index.html"
    folders = ",".join(f"{m:02d}" for m in months)
    return f"tin-tuc/{year}/{{{folders}}}/*/index.html" if len(months) > 1 else f"tin-tuc/{year}/{folders}/*/index.html"


def cut_year(year: str, counts: Counter[int], size: int | None = None) -> list[str]:
    """The parts of one year, given its articles per month (1-12): runs of consecutive months
    from January, as even as whole months allow (the fewest parts of at most `size` articles,
    unless one month alone has more), so that no edit re-indexes much more than the others."""
    size = size or PART_SIZE
    total = sum(counts.values())
    if total <= size:
        return [year]
    wanted = -(-total // size)
    parts: list[str] = []
    first, held, before = 1, 0, 0
    for month in range(1, 13):
        if held and counts[month] and held + counts[month] > size:
            parts.append(f"{year}-{first:02d}-{month - 1:02d}")
            first, held = month, 0
        held += counts[month]
        before += counts[month]
        if held and before < total and before * wanted >= (len(parts) + 1) * total:
            parts.append(f"{year}-{first:02d}-{month:02d}")
            first, held = month + 1, 0
    parts.append(f"{year}-{first:02d}-12")
    return parts if len(parts) > 1 else [year]


@dataclass(frozen=True)
class Parts:
    """The cut of one site's index: its parts (MAIN, then articles newest first) and which part
    each month of articles is in."""

    names: tuple[str, ...]
    by_area: dict[str, str]

    @classmethod
    def of(cls, urls: Iterable[str], size: int | None = None) -> Parts:
        """The cut for the searchable pages at these URLs ("tin-tuc/2018/03/slug/", …)."""
        counts: dict[str, Counter[int]] = {}
        for url in urls:
            area = area_of(url + "index.html")
            if area:
                year, folder = area.split("/")
                counts.setdefault(year, Counter())[int(folder)] += 1
        names = [MAIN]
        by_area = {MAIN: MAIN}
        for year in sorted(counts, reverse=True):
            cut = cut_year(year, counts[year], size)
            names.extend(reversed(cut))
            for name in cut:
                for month in (months_of(name) or (year, range(0)))[1]:
                    by_area[f"{year}/{month:02d}"] = name
        return cls(tuple(names), by_area)

    def part_of(self, path: str) -> str | None:
        """The part that reads this output file; None for a file no part reads."""
        area = area_of(path)
        return None if area is None else self.by_area.get(area)

    def areas(self, name: str) -> set[str]:
        """The areas (see `area_of`) a part reads."""
        if name == MAIN:
            return {MAIN}
        year, months = months_of(name) or (name, range(0))
        return {f"{year}/{m:02d}" for m in months}

    def touched(self, areas: Iterable[str]) -> set[str]:
        """The parts that read any of these areas."""
        return {name for area in areas if (name := self.by_area.get(area)) is not None}
