"""What the model stage keeps between builds (`serve`, see `base.stages`)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..base.stages import Slot
from ..load.records import Record
from ..load.units import UnitRegistry
from .totals import ShortfallWarning, Totals

if TYPE_CHECKING:
    from .site import Site


@dataclass(frozen=True)
class Figures:
    """The records of a site and what they add up to: made from the data files, metrics, units and
    the figures of items (`site._figures_key`)."""

    records: tuple[Record, ...]
    totals: Totals
    shortfalls: tuple[ShortfallWarning, ...]


@dataclass
class ModelStages:
    """units.yaml parsed, keyed by its digest; the figures, keyed by `site._figures_key`; the
    assembled Site, keyed by `site._assembly_key` (all it is made from but items' content)."""

    units: Slot[UnitRegistry] = field(default_factory=Slot)
    figures: Slot[Figures] = field(default_factory=Slot)
    assembly: Slot[Site] = field(default_factory=Slot)
