"""The allow-list for raw HTML in bodies, and the `Policy` applying it with nh3 and naming each removal."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
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
