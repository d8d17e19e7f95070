"""Render: the Jinja2 environment, its filters, and one planned page turned into bytes.

May import: base, load, model, plan.
"""
