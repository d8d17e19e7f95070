"""Raw HTML in Markdown bodies, made safe: an allow-list sanitiser (nh3, Rust's ammonia) and,
for the editor, a list of what it removed and on which line of the Markdown file.

nh3 does the removing; a second, lenient reading of the same HTML (the standard library's
HTMLParser) only names what the allow-list leaves out, so that every removal gives a warning.
The allow-list covers what news bodies need and what Python-Markdown writes (headings with their
`id`s, footnotes, tables with alignment, abbreviations, definition lists, code). Scripts, styles,
event handlers, `javascript:`/`data:` URLs, forms, objects, SVG/MathML and frames are removed;
an `<iframe>` stays only when its `https://` address is on a host listed in `iframe_hosts` of
site.yaml. Links to other sites get rel="noopener noreferrer".

A `style` attribute, on any kept tag, is reduced to `STYLE_PROPERTIES` (alignment, each with a
keyword value, rewritten by us): no `url(`, no position, nothing a reader's browser would fetch.
Every other declaration is removed and named in the warning, so a warning says exactly what went.

The allow-list and the `Policy` applying it are in html_policy.py; this module runs it, turns what
it removed into the editor's warnings and makes the last repairs (a <details> without its
<summary>, ids the theme uses, images without `alt`).
"""
from __future__ import annotations

import re
from html import unescape

from .html_policy import Policy, Removal

_IMG_NO_ALT = re.compile(r'<img\b(?![^>]*\salt=")([^>]*)>')  # on nh3's output: lower case, double quotes
_SRC = re.compile(r'\ssrc="([^"]*)"')
# Ids the theme gives elements of every page that shows a body (base.html, article.html; a test
# keeps this list whole). A body element with one of them (a heading "Nội dung" is "noi-dung") would
# make the page invalid and could take the skip link's target: it is renamed, as Python-Markdown
# renames a repeated heading id ("noi-dung_1").
THEME_IDS = frozenset({"noi-dung", "tim-nhanh", "so-lieu-bai"})
_ID = re.compile(r'(\sid=")([^"]*)"')  # on nh3's output
_ID_VALUE = re.compile(r'\sid="([^"]*)"')
_DETAILS = re.compile(r"<(/?)details\b[^>]*>")  # on nh3's output
_SUMMARY_FIRST = re.compile(r"\s*<summary\b")


_MESSAGES = {
    "tag": ("đã bỏ thẻ HTML {names} (không được phép trong nội dung bài).",
            "Hãy xóa thẻ này khỏi bài; nội dung bài viết bằng Markdown (xem README, mục Nội dung HTML)."),
    "event": ("đã bỏ thuộc tính {names} (mã JavaScript chạy trên trang không được phép).",
              "Hãy xóa thuộc tính này khỏi thẻ HTML."),
    "style": ("đã bỏ định dạng {names} trong thuộc tính style (chỉ giữ được text-align, vertical-align).",
              "Hãy xóa định dạng này; giao diện của trang tự định dạng nội dung."),
    "url": ("đã bỏ đường dẫn {names} (chỉ dùng được http:, https:, mailto:, tel: hoặc đường dẫn trong trang).",
            "Hãy xóa đường dẫn này; ảnh thì chép vào content/media/ rồi dẫn tới media/..."),
    "iframe": ("đã bỏ khung nhúng <iframe>{names} (chỉ nhúng được từ trang khai báo trong iframe_hosts của site.yaml, qua https).",
               "Hãy xóa khung nhúng này, hoặc nhờ quản trị viên thêm tên miền vào iframe_hosts trong site.yaml."),
    "remote": ("đã bỏ ảnh lấy từ máy chủ khác ({names}): trang không tải gì từ máy chủ khác.",
               "Hãy tải ảnh về, chép vào content/media/ rồi dẫn tới media/..., ví dụ ![Mô tả](media/2024/anh.jpg)."),
    "nosrc": ("đã bỏ thẻ <img> không có địa chỉ ảnh (src).",
              "Hãy ghi địa chỉ ảnh trong content/media/, ví dụ ![Mô tả](media/2024/anh.jpg), hoặc xóa thẻ này."),
    "attribute": ("đã bỏ thuộc tính {names} (không được phép trong nội dung bài).",
                  "Hãy xóa thuộc tính này khỏi thẻ HTML."),
    "value": ("đã bỏ thuộc tính {names} (giá trị không hợp lệ, trang sẽ sai chuẩn HTML).",
              'Hãy sửa giá trị (ví dụ width="640", colspan="2", dir="ltr", datetime="2024-05-10") hoặc xóa thuộc tính này.'),
}
_NO_SUMMARY = ("đã bỏ thẻ HTML <details> (không có <summary> ngay đầu), giữ lại nội dung bên trong.",
               "Hãy viết <summary>Tiêu đề phần thu gọn</summary> ngay sau <details>, hoặc xóa thẻ <details>.")
_NO_ALT = ('ảnh {src} thiếu mô tả (alt); trang để mô tả trống, người khiếm thị sẽ không biết ảnh có gì.',
           'Hãy thêm alt="mô tả nội dung ảnh" vào thẻ <img>, hoặc viết ảnh bằng Markdown: ![Mô tả](media/2024/anh.jpg).')


def _names(kind: str, names: list[str]) -> str:
    if kind == "tag":
        return ", ".join(f"<{n}>" for n in names)
    if kind == "iframe":
        hosts = [n for n in names if n]
        return f" từ {', '.join(hosts)}" if hosts else ""
    return ", ".join(names)


def warnings_for(removals: list[Removal], body: str) -> list[tuple[int, str, str]]:
    """One (body line from 0, message, hint) per kind of removal per line, in body order."""
    grouped: dict[tuple[int, str], list[str]] = {}
    for removal in removals:
        line = body.count("\n", 0, removal.offset) if removal.offset >= 0 else 0
        names = grouped.setdefault((line, removal.kind), [])
        if removal.name not in names:
            names.append(removal.name)
    out = []
    for (line, kind), names in sorted(grouped.items(), key=lambda kv: (kv[0][0], list(_MESSAGES).index(kv[0][1]))):
        message, hint = _MESSAGES[kind]
        out.append((line, message.format(names=_names(kind, names)), hint))
    return out


def unwrap_details(html: str, body: str) -> tuple[str, list[tuple[int, str, str]]]:
    """A <details> whose first child is not its <summary> is invalid HTML (and reads as an
    unnamed "Details" button): its tags go, its content stays, with a warning at its line."""
    if "<details" not in html:
        return html, []
    drop: list[tuple[int, int]] = []
    bad_ordinals: list[int] = []  # which <details> of the body, counting from 0
    open_tags: list[tuple[re.Match[str], int, bool]] = []
    ordinal = 0
    for match in _DETAILS.finditer(html):
        if not match.group(1):
            open_tags.append((match, ordinal, _SUMMARY_FIRST.match(html, match.end()) is None))
            ordinal += 1
        elif open_tags:
            opening, number, bad = open_tags.pop()
            if bad:
                drop += [opening.span(), match.span()]
                bad_ordinals.append(number)
    for opening, number, bad in open_tags:  # never closed
        if bad:
            drop.append(opening.span())
            bad_ordinals.append(number)
    if not drop:
        return html, []
    out, last = [], 0
    for start, end in sorted(drop):
        out.append(html[last:start])
        last = end
    out.append(html[last:])
    written = [m.start() for m in re.finditer(r"<details\b", body, re.I)]
    lines = [body.count("\n", 0, written[n]) if n < len(written) else 0 for n in sorted(bad_ordinals)]
    return "".join(out), [(line, *_NO_SUMMARY) for line in lines]


def rename_theme_ids(html: str) -> str:
    """Body ids that the theme's own elements use get the first free "_N" suffix."""
    if ' id="' not in html:
        return html
    taken = set(_ID_VALUE.findall(html))
    if not taken & THEME_IDS:
        return html

    def rename(match: re.Match[str]) -> str:
        value = match.group(2)
        if value not in THEME_IDS:
            return match.group(0)
        number = 1
        while f"{value}_{number}" in taken:
            number += 1
        taken.add(f"{value}_{number}")
        return f'{match.group(1)}{value}_{number}"'

    return _ID.sub(rename, html)


def fill_alt(html: str, body: str) -> tuple[str, list[tuple[int, str, str]]]:
    """Every kept <img> without `alt` gets `alt=""` (a valid page), and a warning at the body
    line that names its source, so the editor can describe it."""
    if "<img" not in html:
        return html, []
    found: list[tuple[int, str, str]] = []
    cursor = 0

    def fill(match: re.Match[str]) -> str:
        nonlocal cursor
        src = _SRC.search(match.group(0))
        name = unescape(src.group(1)) if src else ""
        written = re.compile(rf"""<img\b[^>]*?\ssrc\s*=\s*["']?{re.escape(name)}""", re.I)
        place = written.search(body, cursor) or written.search(body)
        if place is not None:
            cursor = place.end()
        line = body.count("\n", 0, place.start()) if place is not None else 0
        found.append((line, _NO_ALT[0].format(src=f'"{name}"'), _NO_ALT[1]))
        return f'<img alt=""{match.group(1)}>'

    return _IMG_NO_ALT.sub(fill, html), found


def sanitize(html: str, body: str, policy: Policy) -> tuple[str, list[tuple[int, str, str]]]:
    """Clean `html` (made from the Markdown `body`); the warnings say what went, by body line,
    and which images lack a description."""
    stripped = policy.strip(html)
    unwrapped, no_summary = unwrap_details(stripped, body)
    filled, no_alt = fill_alt(rename_theme_ids(unwrapped), body)
    cleaned = policy.mark_links(filled)
    if stripped == html:  # nothing removed (links may have gained their rel)
        return cleaned, sorted(no_summary + no_alt, key=lambda w: w[0])
    return cleaned, sorted(warnings_for(policy.removals(html, body), body) + no_summary + no_alt, key=lambda w: w[0])
