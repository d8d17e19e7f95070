"""Load: read every source (settings, units, metrics, news items, pages, data files) into checked values.

May import: base.
"""
