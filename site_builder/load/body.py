"""A body's HTML: its Markdown converted and sanitised, each problem reported at its file line."""
from __future__ import annotations

from pathlib import Path

from ..base.errors import Problems
from .front_matter import FrontMatter
from .html_policy import Policy
from .markdown_render import MarkdownRenderer
from .sanitize import sanitize


def render_body(renderer: MarkdownRenderer, parsed: FrontMatter, path: Path, problems: Problems,
                policy: Policy, depth: int = 1) -> str | None:
    """The body's HTML, sanitised; each removal of raw HTML is a warning at its line. `depth`: how
    many folders deep its page is, to find the files that "../" addresses name."""
    html = renderer.convert(parsed.body, depth)
    for image in renderer.image_problems:
        problems.error(path, parsed.first_line + image.line - 1, image.message, image.hint)
    if html is None:
        problems.error(path, parsed.first_line, "nội dung bài lồng nhau quá sâu (danh sách hoặc trích dẫn nhiều cấp).",
                       "Hãy giảm số cấp thụt lề của danh sách hoặc trích dẫn.")
        return None
    if renderer.last_digest in renderer.known:
        return html  # sanitised under this policy by an earlier build, with nothing removed
    html, warnings = sanitize(html, parsed.body, policy)
    for image in renderer.html_image_problems(html, depth):  # raw HTML images, as a Markdown image is checked
        problems.error(path, parsed.first_line + image.line - 1, image.message, image.hint)
    for line, message, hint in warnings:
        problems.warn(path, parsed.first_line + line, message, hint)
    if warnings:
        renderer.last_digest = ""  # not reused by body digest: its warnings must be given again
    return html
