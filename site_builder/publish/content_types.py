"""The `Content-Type` and `Cache-Control` of each published file, for targets that keep headers (S3).

`mimetypes` alone gets several of our files wrong or leaves them out (`.xml` as text/xml, no
`.webmanifest`, nothing for Pagefind's `.pf_*` and `.pagefind`, no charset on text), so the types
we publish are named here first. Cache headers: pages, feeds, sitemaps and data change at every
deploy under the same name, and Pagefind's `pagefind-entry.json` is what switches the index to its
new files, so they are revalidated every time (`no-cache`: a cheap 304 when unchanged); Pagefind's
`.pf_meta`, `.pf_index` and `.pf_fragment` are named by their content's hash, so they never change
and are cached a year; everything else (style, scripts, images, media) keeps its name when it
changes, so an hour: a reader on a slow phone is spared repeated downloads, and sees a new
stylesheet within the hour.
"""
from __future__ import annotations

import mimetypes
from pathlib import PurePosixPath

UTF8 = "; charset=utf-8"
TYPES = {
    ".html": "text/html" + UTF8, ".htm": "text/html" + UTF8,
    ".xml": "application/xml" + UTF8, ".xsl": "application/xml" + UTF8,
    ".json": "application/json", ".webmanifest": "application/manifest+json",
    ".css": "text/css" + UTF8, ".js": "text/javascript" + UTF8, ".mjs": "text/javascript" + UTF8,
    ".txt": "text/plain" + UTF8, ".csv": "text/csv" + UTF8, ".md": "text/markdown" + UTF8,
    ".yaml": "application/yaml" + UTF8, ".yml": "application/yaml" + UTF8,
    ".svg": "image/svg+xml", ".ico": "image/x-icon", ".webp": "image/webp", ".avif": "image/avif",
    ".woff2": "font/woff2", ".woff": "font/woff", ".wasm": "application/wasm",
    ".pdf": "application/pdf", ".mp4": "video/mp4", ".webm": "video/webm", ".mp3": "audio/mpeg",
    ".pf_meta": "application/octet-stream", ".pf_index": "application/octet-stream",
    ".pf_fragment": "application/octet-stream", ".pagefind": "application/octet-stream",
}
FRESH = "no-cache"
IMMUTABLE = "public, max-age=31536000, immutable"
HOUR = "public, max-age=3600"
_FRESH = {".html", ".htm", ".xml", ".xsl", ".json", ".webmanifest", ".txt", ".csv", ".yaml", ".yml"}
_HASHED = {".pf_meta", ".pf_index", ".pf_fragment"}


def content_type(rel: str) -> str:
    """The `Content-Type` of an output file, by its name."""
    suffix = PurePosixPath(rel).suffix.lower()
    known = TYPES.get(suffix)
    if known is not None:
        return known
    guessed, encoding = mimetypes.guess_type(rel, strict=False)
    if guessed is None or encoding is not None:  # .gz, .bz2: sent as they are, not decoded by browsers
        return "application/octet-stream"
    return guessed + UTF8 if guessed.startswith("text/") else guessed


def cache_control(rel: str) -> str:
    """The `Cache-Control` of an output file (see the module's docstring for why)."""
    suffix = PurePosixPath(rel).suffix.lower()
    if suffix in _FRESH:
        return FRESH
    if suffix in _HASHED:
        return IMMUTABLE
    return HOUR
