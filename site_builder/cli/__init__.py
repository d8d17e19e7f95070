"""The command line: parse arguments in Vietnamese, run a command, print through one reporter.

May import: everything.
"""
