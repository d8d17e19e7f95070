"""Markdown bodies → HTML, with Vietnamese heading anchors ("Đại hội" → "dai-hoi").

One converter is made and reused (`reset()`), since creating Python-Markdown instances is slow.
"""
from __future__ import annotations

import hashlib

import markdown

from .vietnamese import slugify

_EXTENSIONS = ["extra", "sane_lists", "toc"]


class MarkdownRenderer:
    """Holds one configured Python-Markdown converter, and bodies already converted (by digest)."""

    def __init__(self, known: dict[str, str] | None = None) -> None:
        """Build the converter with our extensions and the Vietnamese heading slug."""
        self.known = known if known is not None else {}
        self.last_digest = ""
        self._md = markdown.Markdown(
            extensions=_EXTENSIONS,
            extension_configs={"toc": {"slugify": slugify, "permalink": False}},
            output_format="html",
        )

    def convert(self, text: str) -> str | None:
        """HTML of a body, or None when Python-Markdown cannot handle it (nesting too deep)."""
        self.last_digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        known = self.known.get(self.last_digest)
        if known is not None:
            return known
        self._md.reset()
        try:
            return self._md.convert(text)
        except RecursionError:
            self.__init__(self.known)  # the converter's state is unknown after the error
            return None
