"""Build: decide what changed since the last build and run the stages for it.

May import: base, load, model, plan, render, write.
"""
