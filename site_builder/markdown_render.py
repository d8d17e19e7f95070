"""Markdown bodies → HTML, with Vietnamese heading anchors ("Đại hội" → "dai-hoi").

Python-Markdown's "extra" features cost time on every body, used or not, so each body is
converted with only the extensions whose syntax it contains; the output is the same as with all
of them (tests/test_markdown_render.py). Converters are made once per extension set and reused
(`reset()`), since creating Python-Markdown instances is slow.
"""
from __future__ import annotations

import hashlib
import re
from typing import Callable

import markdown

from .vietnamese import slugify

_ALWAYS = ["sane_lists", "toc"]
_DEF_LIST = re.compile(r"^ {0,3}:", re.M)

# The members of "extra", in its own order, each with a test for the syntax it acts on.
_OPTIONAL: list[tuple[str, Callable[[str], bool]]] = [
    ("fenced_code", lambda t: "```" in t or "~~~" in t),
    ("footnotes", lambda t: "[^" in t),
    ("attr_list", lambda t: "{" in t),
    ("def_list", lambda t: _DEF_LIST.search(t) is not None),
    ("tables", lambda t: "|" in t),
    ("abbr", lambda t: "*[" in t),
    ("md_in_html", lambda t: "<" in t),
]
ALL_EXTENSIONS = ["extra", *_ALWAYS]


def _new_converter(extensions: list[str]) -> markdown.Markdown:
    return markdown.Markdown(
        extensions=extensions,
        extension_configs={"toc": {"slugify": slugify, "permalink": False}},
        output_format="html",
    )


def extensions_for(text: str) -> tuple[str, ...]:
    """The optional extensions whose syntax appears in `text`."""
    return tuple(name for name, used in _OPTIONAL if used(text))


class MarkdownRenderer:
    """Converters by extension set, and bodies already converted (by digest)."""

    def __init__(self, known: dict[str, str] | None = None) -> None:
        self.known = known if known is not None else {}
        self.last_digest = ""
        self._converters: dict[tuple[str, ...], markdown.Markdown] = {}

    def convert(self, text: str) -> str | None:
        """HTML of a body, or None when Python-Markdown cannot handle it (nesting too deep)."""
        self.last_digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        known = self.known.get(self.last_digest)
        if known is not None:
            return known
        needed = extensions_for(text)
        md = self._converters.get(needed)
        if md is None:
            md = self._converters[needed] = _new_converter([*needed, *_ALWAYS])
        md.reset()
        try:
            return md.convert(text)
        except RecursionError:
            del self._converters[needed]  # the converter's state is unknown after the error
            return None
