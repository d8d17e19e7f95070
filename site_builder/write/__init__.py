"""Write: put files into the output folder safely (lock, staging swap, all-or-none in place).

May import: base.
"""
