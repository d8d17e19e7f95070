"""Scaffold: write sources for a site owner — the unit tree from official data (`units import`)
and a new site ready to build (`init`). Reads official data and the site's own sources; writes
only the files it is asked to, after checking that they load.

May import: base, load.
"""
