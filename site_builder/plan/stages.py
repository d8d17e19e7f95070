"""What the plan stage keeps between builds (`serve`, see `base.stages`), keyed by digests of what
it is made from: the figure summaries and pages, which do not depend on news items, and the
whole plan of a Site, which an edit of items' content (not of where they are) leaves in place."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from ..base.stages import Slot
from ..load.content import Item
from ..model.figures import MetricSummary
from ..model.site import Site, Term
from .planned import SHOWN, Planned, PlannedPage


@dataclass(frozen=True)
class Plan:
    """The planned files of a Site."""

    site: Site
    files: tuple[Planned, ...]

    def with_items_of(self, site: Site) -> list[Planned] | None:
        """The same files for a Site assembled from parts laid out the same (`Site.assembly_key`),
        holding its items: only the files holding an item that is not the one planned change.
        None when an edited item's date of update changed (the sitemap lists it)."""
        if len(self.site.items) != len(site.items):
            return None
        pairs = [(a, b) for a, b in zip(self.site.items, site.items) if a is not b]
        if any(a.rel != b.rel or a.updated != b.updated for a, b in pairs):
            return None
        new = {b.rel: b for _, b in pairs}
        files = list(self.files)
        if not new:
            return files
        terms = [(a, b) for a, b in zip((*self.site.categories, *self.site.tags), (*site.categories, *site.tags))
                 if a is not b]  # the terms holding an edited item, before and after
        names = {name for rel in new for name in (rel, SHOWN + rel)}
        for position, entry in enumerate(files):
            if isinstance(entry, PlannedPage) and not names.isdisjoint(entry.deps):
                files[position] = dataclasses.replace(
                    entry, context={k: _rebound(v, new, terms) for k, v in entry.context.items()})
        return files


def _rebound(value: Any, new: dict[str, Item], terms: list[tuple[Term, Term]]) -> Any:
    """A context value with the new items (by file) and the terms holding them."""
    if isinstance(value, Item):
        return new.get(value.rel, value)
    if isinstance(value, Term):
        return next((b for a, b in terms if a is value), value)
    if isinstance(value, (list, tuple)) and any(isinstance(v, (Item, Term)) for v in value):
        return type(value)(_rebound(v, new, terms) for v in value)
    return value


@dataclass
class PlanStages:
    """The figure summaries of every unit, keyed by `Site.figures_key`; the figure pages, keyed by
    it, the sources every page depends on and the time zone (see `figure_pages`); the last plan,
    keyed by `Site.assembly_key`, the pages and the theme's files (see `pages.plan_pages`)."""

    summaries: Slot[dict[str, tuple[MetricSummary, ...]]] = field(default_factory=Slot)
    figure_pages: Slot[tuple[Planned, ...]] = field(default_factory=Slot)
    plan: Slot[Plan] = field(default_factory=Slot)
