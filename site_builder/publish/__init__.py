"""Publish: `site-builder deploy`, a built output put on a folder, a zip, rsync, an S3-compatible
bucket or a git branch; only what changed, in an order that keeps the remote site whole.

May import: base, write.
"""
