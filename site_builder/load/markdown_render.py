"""Markdown bodies → HTML, with Vietnamese heading anchors ("Đại hội" → "dai-hoi").

Python-Markdown's "extra" features cost time on every body, used or not, so each body is
converted with only the extensions whose syntax it contains; the output is the same as with all
of them (tests/test_markdown_render.py), and likewise without the inline patterns it cannot trigger.
Converters are made once per such set and reused
(`reset()`), since creating Python-Markdown instances is slow.

Images written in Markdown whose address points into `media/` get their real width and height
(site_builder/images.py): a page that knows its image sizes does not jump while loading. An image
that is missing or unreadable becomes a problem with its body line (`image_problems`). Every
Markdown image gets `loading="lazy"`: a body image comes after the title, the lead and the lead
image, below the fold. (One on another host is then dropped by the sanitiser, with a warning:
pages request nothing from other hosts. `decoding="async"` is added when a page is rendered, by
`render.py`'s `rebase`: the sanitiser's allow-list has no `decoding`.) Raw HTML `<img>` tags are
left as written, and checked once sanitised (`html_image_problems`). An image on this site must be
a file under media/: any other local address ("x", what is left of `<img src=x onerror=…>`) would
be a broken image on the page, and is a problem like a missing file.
"""
from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from urllib.parse import unquote, urlsplit

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from ..base.vietnamese import slugify
from . import images

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

# Python-Markdown tries every inline pattern on every run of text; one whose marker character
# never occurs in a body cannot match there, so the body's converter goes without it. (Whitespace
# is normalised first: a tab can become the two spaces of a line break.)
_INLINE_PATTERNS: list[tuple[str, Callable[[str], bool]]] = [
    ("backtick", lambda t: "`" in t),
    ("escape", lambda t: "\\" in t),
    ("reference", lambda t: "[" in t),
    ("link", lambda t: "[" in t),
    ("image_link", lambda t: "![" in t),
    ("image_reference", lambda t: "![" in t),
    ("short_reference", lambda t: "[" in t),
    ("short_image_ref", lambda t: "![" in t),
    ("autolink", lambda t: "<" in t),
    ("automail", lambda t: "<" in t),
    ("linebreak", lambda t: "  " in t or "\t" in t),
    ("html", lambda t: "<" in t),
    ("entity", lambda t: "&" in t),
    ("em_strong", lambda t: "*" in t or "_" in t),
]
_TOC_MARKER = "[TOC]"  # toc's default marker; looking for it walks the whole tree
# Addresses that may point into media/, as written in a body (for cache digests and lines).
_MEDIA_REF = re.compile(r"/?media/[^\s()\[\]<>\"']+")
_IMG_SRC = re.compile(r'<img\b[^>]*?\ssrc="([^"]*)"')  # on sanitised HTML: double quotes


def local(src: str) -> bool:
    """An address on this site (no scheme, no "//host"): one a reader's browser asks our server for."""
    try:
        parts = urlsplit(src.strip())
    except ValueError:
        return False
    return bool(src.strip()) and not parts.scheme and not parts.netloc


@dataclass(frozen=True)
class ImageProblem:
    """A body image the build cannot size: `line` counts from the body's first line (1)."""

    src: str
    line: int
    message: str
    hint: str


class MediaImages:
    """Sizes of the images under `source`/media, read once per file and process."""

    def __init__(self, source: Path) -> None:
        self.media = source / "media"
        self._sizes: dict[str, tuple[int, int] | str] = {}

    def target(self, src: str, depth: int | None = None) -> str | None:
        """The path under media/ that a body address names ("media/a.png", "/media/a.png", and
        "../../media/a.png" from a page `depth` folders deep), or None for addresses elsewhere
        (other hosts, other folders)."""
        parts = urlsplit(src)
        if parts.scheme or parts.netloc:
            return None
        path = unquote(parts.path)
        if path.startswith("../") and depth is not None:
            path = _from_root(path, depth) or ""
        path = path.lstrip("/")
        return path[len("media/"):] if path.startswith("media/") else None

    def size(self, rel: str) -> tuple[int, int] | str:
        """(width, height), or why not: "missing", "outside" (of media/) or "unreadable"."""
        if rel not in self._sizes:
            self._sizes[rel] = self._read(rel)
        return self._sizes[rel]

    def _read(self, rel: str) -> tuple[int, int] | str:
        path = self.media / rel
        try:
            path.resolve().relative_to(self.media.resolve())
        except (ValueError, OSError):
            return "outside"
        if not path.is_file():
            return "missing"
        return images.dimensions(path) or "unreadable"

    def signature(self, text: str) -> str:
        """What the HTML of `text` depends on besides the text: the stamps of the media it names."""
        stamps = []
        for ref in sorted(set(_MEDIA_REF.findall(text))):
            rel = self.target(ref)
            if rel is None:
                continue
            try:
                stat = (self.media / rel).stat()
                stamps.append(f"{rel}:{stat.st_size}:{stat.st_mtime_ns}")
            except (OSError, ValueError):
                stamps.append(f"{rel}:-")
        return "\n".join(stamps)


def _from_root(path: str, depth: int) -> str | None:
    """A "../" address written on a page `depth` folders deep, from the site root; None when it
    stays within the page's own folders or climbs above the root."""
    folders: list[str | None] = [None] * depth
    for segment in path.split("/"):
        if segment == "..":
            if not folders:
                return None
            folders.pop()
        elif segment not in ("", "."):
            folders.append(segment)
    return None if None in folders else "/".join(f for f in folders if f is not None)


class _ImageSizes(Treeprocessor):
    """Lazy loading for every body image, and width and height for those that point into media/."""

    def __init__(self, md: markdown.Markdown, owner: MarkdownRenderer) -> None:
        super().__init__(md)
        self.owner = owner

    def run(self, root: ET.Element) -> None:
        media = self.owner.media
        if media is None:
            return
        for img in root.iter("img"):
            src = img.get("src", "")
            rel = media.target(src, self.owner.depth)
            if rel is None and local(src):
                self.owner.report_image(src, "outside")
                continue
            if rel is None:
                img.set("loading", img.get("loading") or "lazy")  # another host: the sanitiser drops it
                continue
            size = media.size(rel)
            if isinstance(size, str):
                self.owner.report_image(src, size)
                continue
            if img.get("width") is None and img.get("height") is None:
                img.set("width", str(size[0]))
                img.set("height", str(size[1]))
            img.set("loading", img.get("loading") or "lazy")


class _ImageSizesExtension(Extension):
    def __init__(self, owner: MarkdownRenderer) -> None:
        super().__init__()
        self.owner = owner

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        md.treeprocessors.register(_ImageSizes(md, self.owner), "image_sizes", 4)   # after toc


def _new_converter(extensions: list[str], owner: MarkdownRenderer | None = None,
                   without: tuple[str, ...] = (), toc_marker: bool = True) -> markdown.Markdown:
    """A converter; with `owner`, body images are sized from owner's media folder. `without`
    names inline patterns to leave out; `toc_marker=False` stops the search for "[TOC]"."""
    md = markdown.Markdown(
        extensions=[*extensions, *([_ImageSizesExtension(owner)] if owner is not None else [])],
        extension_configs={"toc": {"slugify": slugify, "permalink": False,
                                   **({} if toc_marker else {"marker": ""})}},
        output_format="html",
    )
    for name in without:
        md.inlinePatterns.deregister(name)
    return md


def warm_up() -> None:
    """Import every extension now (≈ 45 ms the first time): the first edit in `serve` after a
    build that converted nothing would otherwise pay for it."""
    _new_converter(ALL_EXTENSIONS).convert("*x* [y](z)")


def extensions_for(text: str) -> tuple[str, ...]:
    """The optional extensions whose syntax appears in `text`."""
    return tuple(name for name, used in _OPTIONAL if used(text))


def unused_inline_patterns(text: str) -> tuple[str, ...]:
    """The core inline patterns that cannot match anywhere in `text`."""
    return tuple(name for name, used in _INLINE_PATTERNS if not used(text))


_IMAGE_MESSAGES = {
    "missing": ('không tìm thấy ảnh "{src}".',
                "Hãy chép ảnh vào content/media/ và ghi đường dẫn bắt đầu bằng media/, ví dụ ![Mô tả](media/2024/anh.jpg)."),
    "outside": ('ảnh "{src}" nằm ngoài thư mục media của trang.',
                "Hãy chép ảnh vào content/media/ và ghi đường dẫn bắt đầu bằng media/."),
    "unreadable": ('không đọc được kích thước ảnh "{src}" (tệp hỏng hoặc không phải ảnh PNG, JPEG, GIF, WebP, SVG).',
                   "Hãy lưu lại ảnh ở một trong các dạng này rồi chép vào content/media/."),
}


class MarkdownRenderer:
    """Converters by extension set, and bodies already converted (by digest).

    With `source` (the site's source folder), body images pointing into media/ are sized and
    the digest of a body covers the stamps of the media files it names.
    """

    def __init__(self, known: Mapping[str, str] | None = None, source: Path | None = None) -> None:
        self.known: Mapping[str, str] = known if known is not None else {}
        self.source = source
        self.media = MediaImages(source) if source is not None else None
        self.last_digest = ""
        self.depth: int | None = None  # folders deep of the page being converted (for "../" images)
        self.image_problems: list[ImageProblem] = []
        self._text = ""
        self._converters: dict[tuple[tuple[str, ...], tuple[str, ...], bool], markdown.Markdown] = {}

    def media_refs(self, text: str) -> tuple[str, ...]:
        """The files under media/ that `text` names ("media/2020/a.png"), sorted."""
        if self.media is None or "media/" not in text:
            return ()
        found = {self.media.target(ref) for ref in _MEDIA_REF.findall(text)}
        return tuple(sorted("media/" + rel for rel in found if rel))

    def report_image(self, src: str, reason: str) -> None:
        """Record an image the treeprocessor could not size, with the body line naming it."""
        self.image_problems.append(self._problem(src, reason))

    def _problem(self, src: str, reason: str) -> ImageProblem:
        line = next((n for n, text in enumerate(self._text.split("\n"), 1) if src in text), 1)
        message, hint = _IMAGE_MESSAGES[reason]
        return ImageProblem(src, line, message.format(src=src), hint)

    def html_image_problems(self, html: str, depth: int | None = None) -> list[ImageProblem]:
        """Images of the last body written as raw HTML, as they are once sanitised: one on this
        site must be a readable file under media/, as a Markdown image must."""
        if self.media is None or "<img" not in html:
            return []
        reported = {p.src for p in self.image_problems}
        found = []
        for match in _IMG_SRC.finditer(html):
            src = unescape(match.group(1))
            if src in reported or not local(src):
                continue
            rel = self.media.target(src, depth)
            reason = "outside" if rel is None else self.media.size(rel)
            if isinstance(reason, str):
                reported.add(src)
                found.append(self._problem(src, reason))
        return found

    def convert(self, text: str, depth: int | None = None) -> str | None:
        """HTML of a body, or None when Python-Markdown cannot handle it (nesting too deep);
        `depth`: how many folders deep its page is, for images addressed with "../"."""
        self.image_problems = []
        self.depth = depth
        self._text = text
        stamped = text if self.media is None or "media/" not in text else text + "\0" + self.media.signature(text)
        self.last_digest = hashlib.sha256(stamped.encode("utf-8")).hexdigest()
        known = self.known.get(self.last_digest)
        if known is not None:
            return known
        needed = extensions_for(text)
        key = (needed, unused_inline_patterns(text), _TOC_MARKER in text)
        md = self._converters.get(key)
        if md is None:
            md = self._converters[key] = _new_converter([*needed, *_ALWAYS], self, key[1], key[2])
        md.reset()
        try:
            return md.convert(text)
        except RecursionError:
            del self._converters[key]  # the converter's state is unknown after the error
            return None
