"""Markdown bodies → HTML, with Vietnamese heading anchors ("Đại hội" → "dai-hoi").

One converter is made and reused (`reset()`), since creating Python-Markdown instances is slow.
"""
from __future__ import annotations

import markdown

from .vietnamese import slugify

_EXTENSIONS = ["extra", "sane_lists", "toc"]


class MarkdownRenderer:
    """Holds one configured Python-Markdown converter."""

    def __init__(self) -> None:
        self._md = markdown.Markdown(
            extensions=_EXTENSIONS,
            extension_configs={"toc": {"slugify": slugify, "permalink": False}},
            output_format="html",
        )

    def convert(self, text: str) -> str:
        self._md.reset()
        return self._md.convert(text)
