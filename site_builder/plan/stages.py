"""What the plan stage keeps between builds (`serve`, see `base.stages`): the parts of a plan
that do not depend on news items, keyed by digests of what they are made from."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..base.stages import Slot
from ..model.figures import MetricSummary
from .planned import Planned


@dataclass
class PlanStages:
    """The figure summaries of every unit, keyed by `Site.figures_key`; the figure pages, keyed by
    it, the sources every page depends on and the time zone (see `figure_pages`)."""

    summaries: Slot[dict[str, tuple[MetricSummary, ...]]] = field(default_factory=Slot)
    figure_pages: Slot[tuple[Planned, ...]] = field(default_factory=Slot)
