"""Live: `serve`, a builder kept in memory that rebuilds on every saved change.

May import: every stage and build; not cli.
"""
