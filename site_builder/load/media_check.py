"""Media files that could run script on the site's own address, refused before anything is written.

Everything under `content/media/` is published byte for byte next to the site's pages, so a file a
browser opens as a document there (HTML, XHTML, XML, JavaScript; an SVG with a script, an event
handler, embedded HTML or a `javascript:` address) would run with the site's rights: read its
pages, change them, send readers elsewhere. The build names each such file as an error:
- by name: the suffixes in `SCRIPT_SUFFIXES` (pages, scripts, XML, server-side scripts a shared
  host might run) — whatever the file holds;
- by content: an SVG (`.svg`, `.svgz`, or any file that begins like one) holding `SVG_DANGERS`;
- any other file whose first bytes are HTML or XML markup (a page saved under an image's name,
  which a host that does not know the suffix serves for the browser to guess).
Plain images and documents (PNG, JPEG, PDF, plain SVG drawings with `<style>` and `<title>`)
pass. Only the first `SNIFF_BYTES` of a non-SVG file are read.
"""
from __future__ import annotations

import codecs
import gzip
import html
import re
import zlib
from pathlib import Path

from ..base.errors import Problems
from ..base.oserrors import reason as os_reason

SCRIPT_SUFFIXES = frozenset({
    ".html", ".htm", ".shtml", ".shtm", ".stm", ".xhtml", ".xht", ".mht", ".mhtml", ".hta",
    ".xml", ".xsl", ".xslt", ".xsd", ".rdf", ".xul", ".xbl",
    ".js", ".mjs", ".cjs", ".jsx", ".vbs", ".wsf", ".swf", ".appcache",
    ".php", ".phtml", ".php3", ".php4", ".php5", ".php7", ".phps", ".phar", ".asp", ".aspx",
    ".ashx", ".asmx", ".jsp", ".jspx", ".cgi",
})
SVG_SUFFIXES = (".svg", ".svgz")
SNIFF_BYTES = 512
MAX_SVG_BYTES = 50 * 1024 * 1024  # an SVG larger than this (unpacked) is not read to the end

# What makes an SVG more than a picture, each with the words the error shows.
SVG_DANGERS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"<\s*(?:[\w.-]+:)?script\b", re.I), "thẻ <script>"),
    (re.compile(r"\battributeName\s*=\s*[\"']?\s*on", re.I), "hiệu ứng đặt thuộc tính sự kiện on..."),
    (re.compile(r"<\s*(?:[\w.-]+:)?foreignObject\b", re.I), "thẻ <foreignObject>"),
    (re.compile(r"<\s*(?:[\w.-]+:)?(?:iframe|embed|object|handler|listener)\b", re.I), "thẻ nhúng nội dung"),
    (re.compile(r"http://www\.w3\.org/1999/xhtml", re.I), "nội dung HTML bên trong ảnh"),
    (re.compile(r"<!ENTITY\b", re.I), "khai báo <!ENTITY>"),
    (re.compile(r"<\?xml-stylesheet\b", re.I), "khai báo <?xml-stylesheet?>"),
)
EVENT = "thuộc tính sự kiện on...="
_EVENT = re.compile(r"[\s/\"']on[a-z]+\s*=", re.I)  # searched in start tags, their quoted values blanked
_START_TAG = re.compile(r"<[A-Za-z][^\s/>]*(?:[^>\"']|\"[^\"]*\"|'[^']*')*>")
_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")
SCRIPT_URL = "địa chỉ javascript:"
_SCRIPT_URL = re.compile(r"(?:java|vb)script:", re.I)
_URL_BLANKS = re.compile(r"[\t\n\r]")
# WHATWG MIME sniffing: what a browser takes for HTML at the start of an untyped file.
_HTML_START = re.compile(
    rb"(?:<!doctype\s+html|<html|<head|<script|<iframe|<h1|<div|<font|<table|<a|<style|<title|<b|<body|<br|<p|<!--)"
    rb"[\s>]|<\?xml", re.I)


def check_media(source: Path, media: tuple[str, ...], problems: Problems) -> None:
    """Name, as an error, every media file (paths relative to `source`) that could run script."""
    for rel in media:
        path = source / rel
        suffix = path.suffix.lower()
        if suffix in SCRIPT_SUFFIXES:
            problems.error(path, None, f"tệp {suffix} có thể chứa mã chạy trên trang (JavaScript) nên không "
                           "được đăng trong media/.",
                           "Hãy xóa tệp này khỏi content/media/; nội dung trang thì viết thành tệp .md trong "
                           "content/pages/, tệp đính kèm thì nén thành .zip hoặc lưu dạng PDF.")
            continue
        try:
            if suffix in SVG_SUFFIXES:
                _check_svg(path, _read_svg(path, suffix == ".svgz"), problems)
                continue
            with path.open("rb") as stream:
                start = stream.read(SNIFF_BYTES).lstrip(b" \t\n\r\f")
            lower = start.lower()
            if lower.startswith(b"<svg") or (lower.startswith(b"<?xml") and b"<svg" in lower):
                _check_svg(path, _read_svg(path, False), problems)  # an SVG by content, whatever its name
            elif _HTML_START.match(start):
                shown = re.match(rb"<[!?]?[\w-]*", start).group().decode("ascii")  # type: ignore[union-attr]
                problems.error(path, 1, f'tệp {"có đuôi " + suffix if suffix else "không có đuôi"} nhưng nội dung '
                               f'là mã HTML/XML (bắt đầu bằng "{shown}"); trình duyệt có thể mở nó như một trang.',
                               "Hãy chép đúng tệp ảnh hoặc tài liệu vào content/media/, hoặc xóa tệp này.")
        except (OSError, EOFError, zlib.error) as exc:
            reason = os_reason(exc) if isinstance(exc, OSError) and exc.errno else "tệp nén bị hỏng"
            problems.error(path, None, f"không đọc được tệp ({reason}).",
                           "Hãy kiểm tra tệp còn tồn tại, có quyền đọc và không bị hỏng.")


def _read_svg(path: Path, packed: bool) -> str:
    """The SVG's text, unpacked from gzip for `.svgz`; UTF-16 read as browsers do."""
    if packed:
        with gzip.open(path, "rb") as stream:
            data = stream.read(MAX_SVG_BYTES)
    else:
        with path.open("rb") as stream:
            data = stream.read(MAX_SVG_BYTES)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", "replace")
    if b"\x00" in data[:256]:  # UTF-16 without a byte order mark: read both ways
        return data.decode("utf-16-le", "replace") + "\n" + data.decode("utf-16-be", "replace")
    return data.decode("utf-8-sig", "replace")


def _check_svg(path: Path, text: str, problems: Problems) -> None:
    """One error naming everything in the SVG `text` that can run script, at the first such line."""
    found: dict[str, int] = {}
    for pattern, name in SVG_DANGERS:
        match = pattern.search(text)
        if match:
            found[name] = text.count("\n", 0, match.end() - 1) + 1
    for tag in _START_TAG.finditer(text):
        blanked = _QUOTED.sub(_blank, tag.group())
        match = _EVENT.search(blanked)
        if match:
            found[EVENT] = text.count("\n", 0, tag.start() + match.end() - 1) + 1
            break
    # in any spelling a browser reads as one: entities, tabs and line breaks inside the scheme
    if _SCRIPT_URL.search(_URL_BLANKS.sub("", html.unescape(text))):
        found[SCRIPT_URL] = next((number for number, line in enumerate(text.splitlines(), 1)
                                  if _SCRIPT_URL.search(_URL_BLANKS.sub("", html.unescape(line)))), 1)
    if not found:
        return
    names = sorted(found, key=lambda n: found[n])
    problems.error(path, found[names[0]], f"ảnh SVG có mã chạy được trên trang ({', '.join(names)}).",
                   "Hãy xuất lại ảnh dạng SVG thường, không có mã JavaScript (ví dụ Inkscape: Lưu thành "
                   '"Plain SVG"), hoặc lưu ảnh dạng PNG hay JPEG.')


def _blank(quoted: re.Match[str]) -> str:
    """A quoted attribute value with its text blanked: same length and line breaks, quotes kept."""
    value = quoted.group()
    return value[0] + re.sub(r"[^\n]", "x", value[1:-1]) + value[-1]
