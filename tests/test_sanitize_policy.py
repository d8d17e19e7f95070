"""The sanitiser's allow-list, tag by tag and attribute by attribute: what it keeps stays harmless
(a style keeps only alignment, never a `url(`), and each "đã bỏ" warning names exactly what went,
at the line where it was written."""
from __future__ import annotations

import lxml.html
import pytest
from conftest import REPO

from site_builder.load.html_policy import Policy, reduce_style
from site_builder.load.sanitize import THEME_IDS, sanitize

HOSTILE_STYLE = "background:url(https://evil.example/a.png);position:fixed;text-align:center"
STYLE_WARNING = "đã bỏ định dạng background, position trong thuộc tính style (chỉ giữ được text-align, vertical-align)."

# Every tag the policy keeps (written here, not read from the code), as a fragment that puts the
# tag where HTML lets it be; "{a}" receives the attributes under test.
KEPT_TAGS = {
    **{t: f"<{t} {{a}}>chữ</{t}>" for t in (
        "h1", "h2", "h3", "h4", "h5", "h6", "p", "div", "span", "a", "figure", "blockquote", "pre", "code",
        "kbd", "samp", "var", "em", "strong", "b", "i", "u", "s", "del", "ins", "mark", "small", "sub", "sup",
        "abbr", "cite", "q", "dfn", "time", "ul", "ol", "dl", "table")},
    "details": "<details {a}><summary>Tóm tắt</summary>chữ</details>",
    "br": "<p>a<br {a}>b</p>",
    "hr": "<hr {a}>",
    "img": '<img src="media/a.png" alt="Ảnh" {a}>',
    "figcaption": "<figure><figcaption {a}>chữ</figcaption></figure>",
    "li": "<ul><li {a}>chữ</li></ul>",
    "dt": "<dl><dt {a}>chữ</dt><dd>x</dd></dl>",
    "dd": "<dl><dt>x</dt><dd {a}>chữ</dd></dl>",
    "summary": "<details><summary {a}>chữ</summary>x</details>",
    "caption": "<table><caption {a}>chữ</caption><tr><td>x</td></tr></table>",
    "thead": "<table><thead {a}><tr><th>x</th></tr></thead></table>",
    "tbody": "<table><tbody {a}><tr><td>x</td></tr></tbody></table>",
    "tfoot": "<table><tfoot {a}><tr><td>x</td></tr></tfoot></table>",
    "tr": "<table><tr {a}><td>x</td></tr></table>",
    "th": "<table><tr><th {a}>chữ</th></tr></table>",
    "td": "<table><tr><td {a}>chữ</td></tr></table>",
    "colgroup": "<table><colgroup {a}><col></colgroup><tr><td>x</td></tr></table>",
    "col": "<table><colgroup><col {a}></colgroup><tr><td>x</td></tr></table>",
}


def _only(html: str, tag: str) -> lxml.html.HtmlElement:
    found = lxml.html.fragment_fromstring(html, create_parent="div").findall(f".//{tag}")
    assert len(found) == 1, html
    return found[0]


@pytest.mark.parametrize("tag", sorted(KEPT_TAGS))
def test_style_on_every_kept_tag_keeps_only_alignment(tag: str) -> None:
    html = KEPT_TAGS[tag].format(a=f'style="{HOSTILE_STYLE}" title="Tiêu đề"')
    cleaned, warnings = sanitize(html, html, Policy())
    element = _only(cleaned, tag)
    assert dict(element.attrib) | {"src": "", "alt": ""} == {"style": "text-align: center;", "title": "Tiêu đề",
                                                           "src": "", "alt": ""}
    assert "url(" not in cleaned and "position" not in cleaned
    assert [(line, message) for line, message, _ in warnings] == [(0, STYLE_WARNING)]


@pytest.mark.parametrize("value, kept, dropped", [
    ("background:url(https://x.vn/a.png);position:fixed", "", ["background", "position"]),
    ("text-align: LEFT", "text-align: left;", []),
    ("text-align:right;", "text-align: right;", []),
    ("vertical-align: top; color: red", "vertical-align: top;", ["color"]),
    ("text-align:left;background:url(x)", "text-align: left;", ["background"]),
    ('background:url("a;text-align:center")', "", ["background", "text-align"]),  # no piece of a url(
    ("text-align:\\6c eft", "", ["text-align"]),                                 # an escape
    ("text-align: left /* ; */", "", ["text-align", "*/"]),
    ("text-align: left; rác", "text-align: left;", ["rác"]),                            # a comment
    ("text-align: left !important", "", ["text-align"]),
    ("width: expression(alert(1))", "", ["width"]),
    ("behavior: url(a.htc)", "", ["behavior"]),
    ("text-align: -moz-center", "", ["text-align"]),
    ("position: fixed; top: 0", "", ["position", "top"]),
    ("url", "", ["url"]),
    (" ; ", "", []),
])
def test_a_style_is_reduced_to_the_safe_list(value: str, kept: str, dropped: list[str]) -> None:
    assert reduce_style(value) == (kept, dropped)


# Every attribute the policy keeps beyond "*", on its tag; URL attributes get a script address
# (removed, with a warning), the others a value that tries to break out of its quotes (kept as text).
URL_ATTRIBUTES = [("a", "href"), ("blockquote", "cite"), ("q", "cite"), ("del", "cite"), ("ins", "cite")]
TEXT_ATTRIBUTES = [("img", "alt"), *[("p", name) for name in ("class", "title")]]
BREAKOUT = '"><script>alert(1)</script><b onclick="x'
# Attributes whose values HTML restricts: (tag, name, a value HTML allows, values it does not).
VALUED_ATTRIBUTES = [
    ("img", "width", "640", ["abc", "-1", "50%", " 20"]), ("img", "height", "480", ["1e3", ""]),
    ("img", "loading", "lazy", ["never"]), ("ol", "start", "3", ["ba"]), ("ol", "reversed", "", ["no"]),
    ("ol", "type", "a", ["disc"]), ("li", "value", "2", ["hai"]), ("td", "colspan", "2", ["0x2", "two"]),
    ("td", "rowspan", "3", ["3.5"]), ("th", "colspan", "2", ["x"]), ("th", "rowspan", "2", ["y"]),
    ("th", "scope", "row", ["table"]), ("col", "span", "2", ["z"]), ("colgroup", "span", "1", ["w"]),
    ("time", "datetime", "2024-05-10T08:30+07:00", ["hôm qua", "10/05/2024"]), ("del", "datetime", "2024-05-10", ["x"]),
    ("ins", "datetime", "2024-05-10 08:30", ["mai", "2024", "2024-05"]), ("time", "datetime", "2024-05", ["05/2024"]), ("details", "open", "", ["false"]), ("a", "hreflang", "vi", ["tiếng Việt"]),
    ("p", "id", "muc-1", ["hai từ", ""]), ("p", "lang", "vi-VN", ["vi_VN", "Tiếng Việt"]),
    ("p", "dir", "rtl", ["sideways"]),
]


@pytest.mark.parametrize("tag, name", URL_ATTRIBUTES)
def test_a_kept_url_attribute_loses_a_script_address(tag: str, name: str) -> None:
    html = KEPT_TAGS[tag].format(a=f'{name}="jav&#x09;ascript:alert(1)"')
    cleaned, warnings = sanitize(html, html, Policy())
    assert _only(cleaned, tag).get(name) is None
    assert [(line, message.split(" (")[0]) for line, message, _ in warnings] == [(0, "đã bỏ đường dẫn javascript:")]


@pytest.mark.parametrize("tag, name", TEXT_ATTRIBUTES)
def test_a_kept_attribute_stays_text(tag: str, name: str) -> None:
    fragment = '<img src="media/a.png" {a}>' if (tag, name) == ("img", "alt") else KEPT_TAGS[tag]
    html = fragment.format(a=f'{name}="{BREAKOUT.replace(chr(34), "&quot;")}"')
    cleaned, warnings = sanitize(html, html, Policy())
    assert _only(cleaned, tag).get(name) == BREAKOUT
    parsed = lxml.html.fragment_fromstring(cleaned, create_parent="div")
    assert [e.tag for e in parsed.iter() if e.tag in ("script", "b")] == []
    assert [a for e in parsed.iter() for a in e.attrib if a.startswith("on")] == []
    assert warnings == []


@pytest.mark.parametrize("tag, name, good, bad", VALUED_ATTRIBUTES)
def test_a_kept_attribute_keeps_only_values_html_allows(tag: str, name: str, good: str, bad: list[str]) -> None:
    """A value HTML does not allow would make the page invalid: the attribute goes, with a warning."""
    html = KEPT_TAGS[tag].format(a=f'{name}="{good}"')
    cleaned, warnings = sanitize(html, html, Policy())
    assert (_only(cleaned, tag).get(name), warnings) == (good, [])
    for value in bad:
        html = KEPT_TAGS[tag].format(a=f'{name}="{value}"')
        cleaned, warnings = sanitize(html, html, Policy())
        assert _only(cleaned, tag).get(name) is None, value
        assert [(line, message) for line, message, _ in warnings] == [
            (0, f'đã bỏ thuộc tính {name}="{value}" (giá trị không hợp lệ, trang sẽ sai chuẩn HTML).')]


def test_the_image_source_is_kept_only_within_the_site() -> None:
    html = '<img src="media/a.png" alt="Ảnh"><img src="javascript:alert(1)" alt="x"><img src="https://evil.example/a.png" alt="y">'
    cleaned, warnings = sanitize(html, html, Policy())
    assert cleaned == '<img src="media/a.png" alt="Ảnh">'
    assert [m.split(" (")[0] for _, m, _ in warnings] == ["đã bỏ đường dẫn javascript:", "đã bỏ ảnh lấy từ máy chủ khác"]


def test_the_same_tag_written_twice_is_warned_at_both_lines() -> None:
    body = ('<td style="position:fixed">a</td>\n\nchữ\n\n<td style="position:fixed">b</td>\n\n'
            '<p onclick="x">c</p> <p onclick="x">d</p>\n')
    html = "<table><tr>" + body.split("\n\n")[0] + body.split("\n\n")[2] + "</tr></table>\n" + body.split("\n\n")[3]
    _, warnings = sanitize(html, body, Policy())
    assert [(line, message.split(" (")[0]) for line, message, _ in warnings] == [
        (0, "đã bỏ định dạng position trong thuộc tính style"), (4, "đã bỏ định dạng position trong thuộc tính style"),
        (6, "đã bỏ thuộc tính onclick")]


NO_ALT = "thiếu mô tả (alt); trang để mô tả trống, người khiếm thị sẽ không biết ảnh có gì."


def test_an_image_without_alt_gets_an_empty_one_and_a_warning_at_its_line() -> None:
    body = '<img src="media/a.png" width="3">\n\n<p>chữ</p>\n\n<IMG SRC=media/b.png>\n\n<img src="media/c.png" alt="Có mô tả">\n'
    cleaned, warnings = sanitize(body, body, Policy())
    images = lxml.html.fragment_fromstring(cleaned, create_parent="div").findall(".//img")
    assert [(i.get("src"), i.get("alt")) for i in images] == [("media/a.png", ""), ("media/b.png", ""),
                                                              ("media/c.png", "Có mô tả")]
    assert [(line, message) for line, message, _ in warnings] == [
        (0, f'ảnh "media/a.png" {NO_ALT}'), (4, f'ảnh "media/b.png" {NO_ALT}')]
    assert all(hint.startswith('Hãy thêm alt="') for _, _, hint in warnings)


NO_SUMMARY = "đã bỏ thẻ HTML <details> (không có <summary> ngay đầu), giữ lại nội dung bên trong."


def test_details_without_a_summary_is_unwrapped_at_its_line() -> None:
    """A <details> needs its <summary> first (the Nu checker says so); without one its content stays."""
    body = ("<details open ontoggle=alert(1)>\n\n<details><summary>Tiêu đề</summary>Giữ</details>\n\n"
            "<details>Mở<details><summary>Trong</summary>Giữ</details></details>\n")
    cleaned, warnings = sanitize(body, body, Policy())
    assert cleaned == ("\n\n<details><summary>Tiêu đề</summary>Giữ</details>\n\n"
                       "Mở<details><summary>Trong</summary>Giữ</details>\n")
    assert [(line, message) for line, message, _ in warnings if message.startswith("đã bỏ thẻ")] == [
        (0, NO_SUMMARY), (4, NO_SUMMARY)]


def test_a_body_id_never_repeats_one_of_the_theme() -> None:
    """A heading "Nội dung" or a raw id="tim-nhanh" would repeat an id of the page around the body."""
    body = ('<h2 id="noi-dung">Nội dung</h2>\n<p id="tim-nhanh">x</p>\n<h2 id="noi-dung_1">Nội dung</h2>\n'
            '<p id="khac">y</p>\n')
    cleaned, warnings = sanitize(body, body, Policy())
    ids = lxml.html.fragment_fromstring(cleaned, create_parent="div").xpath("//@id")
    assert (ids, warnings) == (["noi-dung_2", "tim-nhanh_1", "noi-dung_1", "khac"], [])


def test_the_theme_ids_list_is_whole() -> None:
    """Every fixed id on a page that shows a body is in THEME_IDS (the theme's templates, read here)."""
    import re

    templates = REPO / "themes" / "default" / "templates"
    found = {i for name in ("base.html", "article.html", "page.html")
             for i in re.findall(r'\bid="([a-z0-9-]+)"', (templates / name).read_text(encoding="utf-8"))}
    assert found == set(THEME_IDS)


def test_an_image_without_an_address_goes_with_a_warning() -> None:
    body = '<p>a<img alt="Ảnh">b</p>\n\n<p><img src="" alt="Ảnh"></p>\n\n<p><img src=" " alt="Ảnh"></p>\n'
    cleaned, warnings = sanitize(body, body, Policy())
    assert "<img" not in cleaned
    assert [(line, message) for line, message, _ in warnings] == [
        (n, "đã bỏ thẻ <img> không có địa chỉ ảnh (src).") for n in (0, 2, 4)]
