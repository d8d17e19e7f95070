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
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urlsplit

import nh3

# Bump when the allow-list changes: bodies cleaned under an older list are cleaned again.
POLICY_VERSION = "3"

TAGS = frozenset({
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "div", "span",
    "a", "img", "figure", "figcaption", "blockquote", "pre", "code", "kbd", "samp", "var",
    "em", "strong", "b", "i", "u", "s", "del", "ins", "mark", "small", "sub", "sup",
    "abbr", "cite", "q", "dfn", "time", "ul", "ol", "li", "dl", "dt", "dd",
    "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "colgroup", "col",
    "details", "summary",
})
# Removed with everything inside them (the rest of the removed tags keep their text); an
# <iframe> only when the site allows no iframe host.
CONTENT_TAGS = frozenset({
    "script", "style", "template", "noscript", "noembed", "noframes", "xmp", "object", "applet",
    "textarea", "select", "svg", "math", "title", "iframe",
})
ATTRIBUTES: dict[str, frozenset[str]] = {
    "*": frozenset({"id", "class", "title", "lang", "dir", "style"}),
    "a": frozenset({"href", "hreflang"}),
    "img": frozenset({"src", "alt", "width", "height", "loading"}),
    "ol": frozenset({"start", "reversed", "type"}),
    "li": frozenset({"value"}),
    "td": frozenset({"colspan", "rowspan"}),
    "th": frozenset({"colspan", "rowspan", "scope"}),
    "col": frozenset({"span"}),
    "colgroup": frozenset({"span"}),
    "time": frozenset({"datetime"}),
    "blockquote": frozenset({"cite"}),
    "q": frozenset({"cite"}),
    "del": frozenset({"cite", "datetime"}),
    "ins": frozenset({"cite", "datetime"}),
    "details": frozenset({"open"}),
    "iframe": frozenset({"src", "width", "height", "allowfullscreen", "allow", "loading",
                         "referrerpolicy"}),
}
# Values a kept attribute may take where HTML restricts them: any other value would make the page
# invalid (the Nu checker), so the attribute goes, with a warning. Free text (title, alt, class) and
# addresses (checked by scheme) are not listed.
_NUMBER = re.compile(r"[0-9]{1,4}")
_DATETIME = re.compile(r"[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2}(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,3})?)?"
                       r"(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?)?)?")
VALUES: dict[str, re.Pattern[str]] = {
    **{name: _NUMBER for name in ("width", "height", "colspan", "rowspan", "start", "value", "span")},
    "dir": re.compile(r"ltr|rtl|auto", re.I),
    "scope": re.compile(r"row|col|rowgroup|colgroup", re.I),
    "loading": re.compile(r"lazy|eager", re.I),
    "type": re.compile(r"[1aAiI]"),
    "lang": re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*"),
    "hreflang": re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*"),
    "datetime": _DATETIME,
    "id": re.compile(r"[^\s]+"),
    "open": re.compile(r"(?:open)?", re.I),
    "reversed": re.compile(r"(?:reversed)?", re.I),
    "allowfullscreen": re.compile(r"(?:allowfullscreen)?", re.I),
}


# <del>/<ins> take a whole date, with or without a time; <time> also a year or a month.
_FULL_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ].+)?")


def valid_value(tag: str, name: str, value: str) -> bool:
    """Whether a kept attribute's value is one HTML allows (see `VALUES`)."""
    rule = VALUES.get(name)
    if rule is None:
        return True
    if name == "datetime" and tag in ("del", "ins") and _FULL_DATE.fullmatch(value) is None:
        return False
    return rule.fullmatch(value) is not None


URL_ATTRIBUTES = frozenset({"href", "src", "cite", "action", "formaction", "data", "poster",
                            "background", "xlink:href", "codebase", "dynsrc", "lowsrc"})
SCHEMES = frozenset({"http", "https", "mailto", "tel"})
# The style declarations kept (Python-Markdown writes text-align for table columns), each with the
# keywords it may take: a value is never copied, only chosen from these.
STYLE_PROPERTIES: dict[str, frozenset[str]] = {
    "text-align": frozenset({"left", "right", "center", "justify", "start", "end"}),
    "vertical-align": frozenset({"top", "middle", "bottom", "baseline"}),
}
_DECLARATION = re.compile(r"\s*([a-zA-Z-]+)\s*:\s*([a-zA-Z-]+)\s*")
_PROPERTY = re.compile(r"\s*(-?[a-zA-Z][a-zA-Z0-9-]*)\s*:")
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")
_CONTROL = "".join(chr(c) for c in range(0x21))
_IFRAME = re.compile(r"<iframe\b([^>]*)>.*?</iframe\s*>", re.S | re.I)
_LINK = re.compile(r'<a\b([^>]*?)\shref="((?:https?:)?//[^"]*)"([^>]*)>', re.I)
_IMG_NO_SRC = re.compile(r'<img\b(?![^>]*\ssrc=")[^>]*>', re.I)
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


@dataclass(frozen=True)
class Removal:
    """One thing the sanitiser removed: what kind, its name, and where it was found."""

    kind: str  # "tag", "event", "style", "url", "iframe", "attribute"
    name: str
    offset: int  # position in the Markdown body, or -1 when it could not be found


def scheme_of(url: str) -> str | None:
    """The scheme a browser would read from `url` ("jav\\tascript:" → "javascript"), or None
    for a relative address."""
    cleaned = url.strip(_CONTROL).replace("\t", "").replace("\n", "").replace("\r", "")
    match = _SCHEME.match(cleaned)
    return match.group(1).lower() if match else None


def reduce_style(value: str) -> tuple[str, list[str]]:
    """The safe part of a style attribute ("" when none) and the names of what was dropped.

    A declaration is kept only when it is exactly `name: keyword` from `STYLE_PROPERTIES`, and is
    written anew: an escape, comment, bracket or quote never survives, whatever it hides."""
    kept: dict[str, str] = {}
    dropped: list[str] = []
    for declaration in value.split(";"):
        if not declaration.strip():
            continue
        match = _DECLARATION.fullmatch(declaration)
        name, keyword = (match.group(1).lower(), match.group(2).lower()) if match else ("", "")
        if keyword in STYLE_PROPERTIES.get(name, ()):
            kept[name] = keyword
        else:
            dropped.append(_property_name(declaration))
    return " ".join(f"{name}: {keyword};" for name, keyword in kept.items()), dropped


def _property_name(declaration: str) -> str:
    """How a warning names a dropped declaration: its property ("background"), else its text."""
    match = _PROPERTY.match(declaration)
    return match.group(1).lower() if match else declaration.strip()[:30]


def _iframe_allowed(src: str, hosts: frozenset[str]) -> bool:
    if scheme_of(src) != "https":
        return False
    try:
        host = urlsplit(src.strip(_CONTROL)).hostname
    except ValueError:
        return False
    return host is not None and host.lower() in hosts


def _elsewhere(src: str) -> bool:
    """True for an address on another host ("https://…", "//…"), which a reader's browser would
    fetch from there."""
    cleaned = src.strip(_CONTROL)
    return scheme_of(cleaned) in ("http", "https") or cleaned.replace("\\", "/").startswith("//")


def _iframe_host(src: str) -> str:
    try:
        return urlsplit(src.strip(_CONTROL)).hostname or ""
    except ValueError:
        return ""


class Policy:
    """The allow-list for one site: the fixed tags and attributes plus the site's iframe hosts."""

    def __init__(self, iframe_hosts: tuple[str, ...] = ()) -> None:
        self.iframe_hosts = frozenset(h.lower() for h in iframe_hosts)
        self.tags = TAGS | ({"iframe"} if self.iframe_hosts else set())
        self.key = hashlib.sha256(repr((POLICY_VERSION, sorted(self.iframe_hosts))).encode()).hexdigest()[:16]
        self._cleaner = nh3.Cleaner(
            tags=set(self.tags), clean_content_tags=set(CONTENT_TAGS - self.tags),
            attributes={tag: set(names) for tag, names in ATTRIBUTES.items() if tag in self.tags or tag == "*"},
            attribute_filter=self._filter, link_rel=None, url_schemes=set(SCHEMES), strip_comments=True,
        )  # built once: the allow-list is the same for every body

    def allowed_attribute(self, tag: str, name: str) -> bool:
        return name in ATTRIBUTES["*"] or name in ATTRIBUTES.get(tag, ())

    def _filter(self, tag: str, name: str, value: str) -> str | None:
        """Checks nh3's attribute lists cannot express: safe styles, iframe hosts, local images."""
        if name == "style":
            return reduce_style(value)[0] or None
        if not valid_value(tag, name, value):
            return None
        if tag == "iframe" and name == "src":
            return value if _iframe_allowed(value, self.iframe_hosts) else None
        if tag == "img" and name == "src" and not value.strip(_CONTROL):
            return None  # an empty address asks for the page itself: the image goes
        if tag == "img" and name == "src" and _elsewhere(value):
            return None  # the image goes with its src: a page requests nothing from other hosts
        if name in URL_ATTRIBUTES and scheme_of(value) not in (None, *SCHEMES):
            return None  # nh3 checks the scheme of href and src only, not of cite
        return value

    def clean(self, html: str) -> str:
        """The sanitised HTML."""
        return self.mark_links(self.strip(html))

    def strip(self, html: str) -> str:
        """`html` without what the allow-list does not allow (nothing else changed)."""
        cleaned = self._cleaner.clean(html)
        # nh3 writes attributes in double quotes with "<", ">" and '"' escaped, so these
        # patterns read its output exactly. A frame without an allowed address goes whole, and
        # a frame's fallback text goes too (browsers never show it; other readers might parse it).
        if "<iframe" in cleaned:  # nh3 writes tag names in lower case
            cleaned = _IFRAME.sub(lambda m: f"<iframe{m.group(1)}></iframe>" if ' src="' in m.group(1) else "",
                                  cleaned)
        return _IMG_NO_SRC.sub("", cleaned) if "<img" in cleaned else cleaned

    @staticmethod
    def mark_links(html: str) -> str:
        """Links to other sites get rel="noopener noreferrer"."""
        if "<a " not in html:
            return html
        return _LINK.sub(lambda m: f'<a{m.group(1)} href="{m.group(2)}"{m.group(3)} rel="noopener noreferrer">',
                         html)

    def removals(self, html: str, body: str) -> list[Removal]:
        """What `clean` takes out of `html`, each placed in the Markdown `body` it came from."""
        finder = _Finder(self, body)
        finder.feed(html)
        finder.close()
        return finder.found


@lru_cache(maxsize=8)
def policy_for(iframe_hosts: tuple[str, ...]) -> Policy:
    return Policy(iframe_hosts)


class _Finder(HTMLParser):
    """Walks the HTML before cleaning and lists what the policy does not allow."""

    def __init__(self, policy: Policy, body: str) -> None:
        super().__init__(convert_charrefs=True)
        self.policy = policy
        self.lower_body = body.lower()
        self.cursor = 0
        self.tag_cursor = 0
        self.tag_at = -1
        self.found: list[Removal] = []

    def _place(self, needles: list[str]) -> int:
        """Where the first of `needles` occurs in the body, from the last place found onwards."""
        for needle in needles:
            needle = needle.strip().lower()
            if not needle:
                continue
            at = self.lower_body.find(needle, self.cursor)
            if at < 0:
                at = self.lower_body.find(needle)
            if at >= 0:
                self.cursor = at
                return at
        return -1

    def _add(self, kind: str, name: str, needles: list[str]) -> None:
        at = self.tag_at if self.tag_at >= 0 else self._place(needles)
        self.found.append(Removal(kind, name, at))

    def _place_tag(self, raw: str) -> int:
        """Where the tag written as `raw` is, after the tags placed before it (a tag written
        twice is found twice), or -1 when Markdown wrote it (then its parts are looked for)."""
        at = self.lower_body.find(raw.lower(), self.tag_cursor)
        if at >= 0:
            self.tag_cursor = self.cursor = at + len(raw)
        return at

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raw = self.get_starttag_text() or f"<{tag}"
        self.tag_at = self._place_tag(raw)
        if tag == "iframe":
            src = dict(attrs).get("src") or ""
            if tag not in self.policy.tags or not _iframe_allowed(src, self.policy.iframe_hosts):
                self._add("iframe", _iframe_host(src), [raw, f"<{tag}"])
                return
        elif tag not in self.policy.tags:
            self._add("tag", tag, [raw, f"<{tag}"])
            return
        if tag == "img" and not (dict(attrs).get("src") or "").strip(_CONTROL):
            self._add("nosrc", "", [raw, "<img"])
        for name, value in attrs:
            value = value or ""
            needles = [raw, *_raw_values(raw, name), value, name]
            if name.startswith("on"):
                self._add("event", name, needles)
            elif name == "style":
                dropped = reduce_style(value)[1]
                if dropped:
                    self._add("style", ", ".join(dropped), needles)
            elif not self.policy.allowed_attribute(tag, name):
                self._add("attribute", name, needles)
            elif not valid_value(tag, name, value):
                self._add("value", f'{name}="{value[:30]}"', needles)
            elif tag == "img" and name == "src" and _elsewhere(value):
                self._add("remote", _iframe_host(value) or value, needles)
            elif name in URL_ATTRIBUTES:
                scheme = scheme_of(value)
                if scheme is not None and scheme not in SCHEMES:
                    self._add("url", scheme + ":", needles)


def _raw_values(tag_text: str, name: str) -> list[str]:
    """The values of attribute `name` as written in the tag (entities not yet decoded)."""
    pattern = re.compile(rf"""(?:^|[\s"'/]){re.escape(name)}\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
    return [next(g for g in m.groups() if g is not None) for m in pattern.finditer(tag_text)]


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
