"""Model: the frozen `Site` assembled from what was loaded, with running totals and figure summaries.

May import: base, load.
"""
