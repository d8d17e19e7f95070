"""Pixel dimensions of the images in `media/`, so every `<img>` carries width and height and the
page does not jump while a slow phone loads it.

Raster formats (PNG, JPEG, GIF, WebP) are read by Pillow, which parses only the header here.
SVG is read with the standard library's XML parser; a file declaring a DTD or entities is
refused before parsing (no entity expansion: "billion laughs"), and the size comes from the
`width`/`height` attributes in px (or unitless), else from the `viewBox`.
"""
from __future__ import annotations

import re
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

RASTER = {".png", ".jpg", ".jpeg", ".gif", ".webp"}
IMAGE_SUFFIXES = RASTER | {".svg"}
_SVG_LIMIT = 5 * 1024 * 1024          # an illustration, not a data dump
_LENGTH = re.compile(r"\s*([0-9]*\.?[0-9]+)\s*(px)?\s*$")


def dimensions(path: Path) -> tuple[int, int] | None:
    """(width, height) in CSS pixels of an image file, or None when it cannot be read as one."""
    suffix = path.suffix.lower()
    if suffix == ".svg":
        return _svg_dimensions(path)
    if suffix in RASTER:
        return _raster_dimensions(path)
    return None


def _raster_dimensions(path: Path) -> tuple[int, int] | None:
    from PIL import Image, UnidentifiedImageError  # imported late: only builds with raster images pay for it

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # DecompressionBombWarning: we only read the header
            with Image.open(path) as image:
                width, height = image.size
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError):
        return None
    return (width, height) if width > 0 and height > 0 else None


def _svg_dimensions(path: Path) -> tuple[int, int] | None:
    try:
        if path.stat().st_size > _SVG_LIMIT:
            return None
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    if "<!DOCTYPE" in text.upper() or "<!ENTITY" in text.upper():
        return None
    try:
        parser = ET.XMLParser()
        parser.feed(text)
        root = parser.close()
    except ET.ParseError:
        return None
    if root.tag not in ("svg", "{http://www.w3.org/2000/svg}svg"):
        return None
    width, height = _length(root.get("width")), _length(root.get("height"))
    box = _view_box(root.get("viewBox"))
    if width and height:
        return round(width), round(height)
    if box is not None:
        box_w, box_h = box
        if width:                       # one side given: keep the viewBox's proportions
            return round(width), round(width * box_h / box_w)
        if height:
            return round(height * box_w / box_h), round(height)
        return round(box_w), round(box_h)
    return None


def _length(value: str | None) -> float | None:
    """A width or height in px or without unit; percentages and other units give None."""
    if value is None:
        return None
    match = _LENGTH.match(value)
    if match is None:
        return None
    number = float(match.group(1))
    return number if number > 0 else None


def _view_box(value: str | None) -> tuple[float, float] | None:
    if value is None:
        return None
    parts = value.replace(",", " ").split()
    if len(parts) != 4:
        return None
    try:
        width, height = float(parts[2]), float(parts[3])
    except ValueError:
        return None
    return (width, height) if width > 0 and height > 0 else None
