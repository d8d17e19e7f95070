"""Converting with only the extensions a body needs gives the same HTML as all of them."""
from __future__ import annotations

import re
from pathlib import Path

import frontmatter
from conftest import SAMPLE
from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.load.markdown_render import (
    ALL_EXTENSIONS,
    MarkdownRenderer,
    _new_converter,
    extensions_for,
    unused_inline_patterns,
)

SNIPPETS = [
    "| a | b |\n|---|---|\n| 1 | 2 |\n",
    "```python\nx = 1\n```\n",
    "~~~\ncode\n~~~\n",
    "Câu có chú thích[^1].\n\n[^1]: Chú thích.\n",
    "## Tiêu đề {#rieng .lop}\n\nĐoạn {: .lop }\n",
    "Thuật ngữ\n:   Định nghĩa của thuật ngữ.\n",
    "MTTQ là viết tắt.\n\n*[MTTQ]: Mặt trận Tổ quốc\n",
    '<div markdown="1">\n**đậm** trong khối\n</div>\n',
    "<div>\n*không* xử lý\n</div>\n",
    "1. một\n2. hai\n\n* ba\n* bốn\n",
    "# Đại hội Đảng bộ\n\n## Đại hội Đảng bộ\n",
    "> trích dẫn\n> > lồng\n",
    "Liên kết [trang](https://example.org/) và <https://example.org>.\n",
    "Ảnh ![mô tả](https://example.org/a.png) và ![tham chiếu][a].\n\n[a]: https://example.org/b.png\n",
    "Thư <ban@example.org>, mã `x = 1`, thoát \\*sao\\*, &copy; &#169; và _nghiêng_ **đậm**.\n",
    "Xuống dòng  \nở đây,\tvà tab\t\ncuối dòng.\n",
    "[TOC]\n\n# Mục một\n\n## Mục hai\n",
    "Tiêu đề kiểu gạch\n=================\n\nĐoạn [liên kết][].\n\n[liên kết]: https://example.org/\n",
]


def _full(text: str) -> str:
    md = _new_converter(ALL_EXTENSIONS)
    return md.convert(text)


def test_sample_bodies_convert_the_same() -> None:
    renderer = MarkdownRenderer()
    bodies = [frontmatter.load(p).content for p in sorted(Path(SAMPLE).rglob("*.md"))]
    assert len(bodies) > 10
    for body in bodies + SNIPPETS:
        assert renderer.convert(body) == _full(body), body[:80]


def test_features_are_detected() -> None:
    assert "tables" in extensions_for(SNIPPETS[0])
    assert "footnotes" in extensions_for(SNIPPETS[3])
    assert "def_list" in extensions_for(SNIPPETS[5])
    assert extensions_for("Chỉ có chữ thường.") == ()


def test_inline_patterns_are_left_out_only_when_their_marker_is_absent() -> None:
    assert "em_strong" in unused_inline_patterns("Chỉ có chữ thường.")
    assert "em_strong" not in unused_inline_patterns("Chữ **đậm**.")
    assert "link" not in unused_inline_patterns("[trang](https://example.org/)")
    assert "image_link" in unused_inline_patterns("[trang](https://example.org/)")
    assert "linebreak" not in unused_inline_patterns("dòng\t\nsau")


_PIECES = st.sampled_from(SNIPPETS + ["chữ ", "**", "*", "_", "`", "[", "]", "(", ")", "{", "}", ":", "|",
                                      "-", "#", ">", "<", "\n", "\n\n", "    ", "1. ", "[^x]", "~~~", "&amp;",
                                      "&", "\\", "!", "![", "  ", "\t", "@", "=", "[TOC]", "<a@b.vn>",
                                      "<https://a.vn>", "\r\n", "\x02", "\x03"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_random_bodies_convert_the_same(text: str) -> None:
    assert MarkdownRenderer().convert(text) == _full(text)


def test_heading_anchors_are_the_site_slugs() -> None:
    """Anchors fold tones and đ like every slug (Python-Markdown's own would drop đ); a repeated
    heading gets "_1". Expected ids written by hand."""
    html = MarkdownRenderer().convert("[TOC]\n\n# Đại hội Đảng bộ\n\n## Đại hội Đảng bộ\n\n"
                                      "### Phòng, chống “Covid-19”\n\n## Đường đến trường\n")
    assert re.findall(r'<h\d id="([^"]+)"', html) == [
        "dai-hoi-dang-bo", "dai-hoi-dang-bo_1", "phong-chong-covid-19", "duong-den-truong"]
    assert re.findall(r'<a href="#([^"]+)"', html) == [
        "dai-hoi-dang-bo", "dai-hoi-dang-bo_1", "phong-chong-covid-19", "duong-den-truong"]
