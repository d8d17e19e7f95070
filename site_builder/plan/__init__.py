"""Plan: every output file the site will have, with the sources it depends on (pages, feeds, open data, search entries).

May import: base, load, model.
"""
