"""Vietnamese text, done right: one table of slugs, match keys, sort keys and numbers; collation
checked against ICU's `vi` rules; tone placement, spacing and soft hyphens on the built site;
legacy encodings (TCVN3, VNI, Windows-1258, UTF-16) in sources, the `fix-encoding` command and
the converters themselves."""
from __future__ import annotations

import contextlib
import io
import os
import re
import stat
import subprocess
import sys
import unicodedata
from decimal import Decimal
from pathlib import Path

import icu
import pytest
from conftest import REPO, UNITS_YAML, make_site, news_item
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import html

from site_builder.base.errors import Problems
from site_builder.base.vietnamese import (
    ParseError,
    clean_text,
    match_key,
    nfc,
    parse_number,
    slugify,
    sort_key,
    strip_tones,
)
from site_builder.cli.main import main
from site_builder.load.legacy import (
    TCVN3,
    convert_text,
    decode_legacy_bytes,
    detect_line,
    find_legacy_lines,
    from_tcvn3,
    from_vni,
    is_syllable,
)
from site_builder.load.sources import read_text

VI = icu.Collator.createInstance(icu.Locale("vi"))
TONE_MARKS = ("\u0300", "\u0309", "\u0303", "\u0301", "\u0323")  # huyền hỏi ngã sắc nặng
MESSAGE = re.compile(r"^(?P<path>content/[^:\n]+?)(?::(?P<line>\d+))?: (?P<level>Lỗi|Cảnh báo): (?P<msg>.*)"
                     r"(?:\n    (?P<hint>.*))?$", re.M)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def messages(err: str, level: str) -> list[dict[str, str | int | None]]:
    """Every `content/path:line: <level>: message` block of the CLI's output, with its hint."""
    return [{"path": m["path"], "line": int(m["line"]) if m["line"] else None, "msg": m["msg"], "hint": m["hint"] or ""}
            for m in MESSAGE.finditer(err) if m["level"] == level]


def line_of(text: str, needle: str) -> int:
    for number, line in enumerate(text.split("\n"), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in text")


def cli_build(source: Path, output: Path) -> tuple[int, str]:
    """`site-builder build` in-process, its stderr captured; usable from module-scoped fixtures.
    Runs in the output's parent folder: a build leaves a stray pagefind/ in the working directory
    (see test_build_writes_nothing_in_the_working_directory), which must not land in the repository."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.chdir(output.parent):
        code = main(["build", "--source", str(source), "--output", str(output)])
    text = err.getvalue()
    assert "Traceback" not in text
    return code, text


def page(out: Path, rel: str) -> html.HtmlElement:
    return html.fromstring((out / rel / "index.html").read_bytes())


def text_of(element: html.HtmlElement) -> str:
    return element.text_content()


# --- encoders the tests need (the code under test only decodes) ---------------------------------

# TCVN 5712:1993 (VN3, the "ABC" fonts), byte → letter, copied by hand from the standard's code
# table: the seven upper-case letters without tone, then every lower-case letter with a mark, one
# vowel per line in the order no tone is not listed, huyền, hỏi, ngã, sắc, nặng. Upper-case letters
# with tones exist only in the separate VN3 capitals fonts and are not in this table.
TCVN3_STANDARD = {
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
    0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ",
    0xB5: "à", 0xB6: "ả", 0xB7: "ã", 0xB8: "á", 0xB9: "ạ",
    0xBB: "ằ", 0xBC: "ẳ", 0xBD: "ẵ", 0xBE: "ắ", 0xC6: "ặ",
    0xC7: "ầ", 0xC8: "ẩ", 0xC9: "ẫ", 0xCA: "ấ", 0xCB: "ậ",
    0xCC: "è", 0xCE: "ẻ", 0xCF: "ẽ", 0xD0: "é", 0xD1: "ẹ",
    0xD2: "ề", 0xD3: "ể", 0xD4: "ễ", 0xD5: "ế", 0xD6: "ệ",
    0xD7: "ì", 0xD8: "ỉ", 0xDC: "ĩ", 0xDD: "í", 0xDE: "ị",
    0xDF: "ò", 0xE1: "ỏ", 0xE2: "õ", 0xE3: "ó", 0xE4: "ọ",
    0xE5: "ồ", 0xE6: "ổ", 0xE7: "ỗ", 0xE8: "ố", 0xE9: "ộ",
    0xEA: "ờ", 0xEB: "ở", 0xEC: "ỡ", 0xED: "ớ", 0xEE: "ợ",
    0xEF: "ù", 0xF1: "ủ", 0xF2: "ũ", 0xF3: "ú", 0xF4: "ụ",
    0xF5: "ừ", 0xF6: "ử", 0xF7: "ữ", 0xF8: "ứ", 0xF9: "ự",
    0xFA: "ỳ", 0xFB: "ỷ", 0xFC: "ỹ", 0xFD: "ý", 0xFE: "ỵ",
}
TCVN3_OF = {letter: chr(code) for code, letter in TCVN3_STANDARD.items()}


def to_tcvn3(text: str) -> str:
    """Unicode → TCVN3 by the standard's table above, not by the module's (which is what is tested)."""
    return "".join(TCVN3_OF.get(ch, ch) for ch in nfc(text))


_VNI_TONE = {"": "", "\u0301": "ù", "\u0300": "ø", "\u0309": "û", "\u0303": "õ", "\u0323": "ï"}
_VNI_CIRCUMFLEX = {"": "â", "\u0301": "á", "\u0300": "à", "\u0309": "å", "\u0303": "ã", "\u0323": "ä"}
_VNI_BREVE = {"": "ê", "\u0301": "é", "\u0300": "è", "\u0309": "ú", "\u0303": "ü", "\u0323": "ë"}
_VNI_I = {"": "i", "\u0301": "í", "\u0300": "ì", "\u0309": "æ", "\u0303": "ó", "\u0323": "ò"}


def to_vni(text: str) -> str:
    """Unicode → VNI-Windows, written independently of `legacy.from_vni` from the VNI table."""
    out = []
    for ch in nfc(text):
        low = ch.lower()
        parts = nfd(low)
        base, marks = parts[0], parts[1:]
        tone = "".join(m for m in marks if m in TONE_MARKS)
        shape = "".join(m for m in marks if m not in TONE_MARKS)
        if low == "đ":
            vni = "ñ"
        elif base == "i" and not shape:
            vni = _VNI_I[tone]
        elif base == "y" and tone == "\u0323":
            vni = "î"
        elif shape == "\u0302":
            vni = base + _VNI_CIRCUMFLEX[tone]
        elif shape == "\u0306":
            vni = base + _VNI_BREVE[tone]
        elif shape == "\u031b":
            vni = ("ô" if base == "o" else "ö") + _VNI_TONE[tone]
        elif base.isalpha() and base.isascii():
            vni = base + _VNI_TONE[tone]
        else:
            vni = ch
        out.append(vni.upper() if ch != low else vni)
    return "".join(out)


def cp1258_bytes(text: str) -> bytes:
    """Text as Windows-1258 saves it: ă â ê ô ơ ư đ are single bytes, the five tones separate marks."""
    out = []
    for ch in nfc(text):
        parts = nfd(ch)
        tones = "".join(m for m in parts if m in TONE_MARKS)
        out.append(nfc("".join(m for m in parts if m not in TONE_MARKS)) + tones)
    return "".join(out).encode("cp1258")


def test_encoders_agree_with_known_legacy_text() -> None:
    assert to_tcvn3("Mặt trận Tổ quốc") == "MÆt trËn Tæ quèc"
    assert to_tcvn3("người") == "ng\u00adêi"
    assert to_vni("Mặt trận Tổ quốc") == "Maët traän Toå quoác"
    assert to_vni("NGUYỄN THỊ BÍCH NHIỆM") == "NGUYEÃN THÒ BÍCH NHIEÄM"
    assert nfc(cp1258_bytes("Mặt trận Tổ quốc").decode("cp1258")) == "Mặt trận Tổ quốc"
    assert b"\xf2" in cp1258_bytes("Mặt")  # the dot below is its own byte, not a precomposed letter


# --- the table ------------------------------------------------------------------------------------
# kind: "slug" (every input gives the slug), "match" (every input gives the match key),
# "same-sort" (whether all inputs have one sort key), "number" (the parsed Decimal, or ParseError).

CASES = [
    # NFD input
    pytest.param("slug", [nfd("Đại hội Đảng bộ"), "Đại hội Đảng bộ"], "dai-hoi-dang-bo", id="slug-nfd-title"),
    pytest.param("match", [nfd("Nguyễn Thị Bích Nhiệm")], "nguyen thi bich nhiem", id="match-nfd-name"),
    pytest.param("same-sort", [nfd("Ủy ban Mặt trận"), "Ủy ban Mặt trận"], True, id="sort-nfd-equals-nfc"),
    pytest.param("number", [nfd("16,4 tỷ")], Decimal(16_400_000_000), id="number-nfd-scale-word"),
    # tone placement: old (hoà, thuỷ, khoẻ) and new (hòa, thủy, khỏe)
    pytest.param("slug", ["Hoà giải", "Hòa giải"], "hoa-giai", id="slug-hoa-old-new"),
    pytest.param("match", ["Thuỷ lợi", "Thủy lợi", "THUỶ LỢI"], "thuy loi", id="match-thuy-old-new"),
    pytest.param("match", ["Sức khoẻ", "sức khỏe"], "suc khoe", id="match-khoe-old-new"),
    pytest.param("slug", ["Hòa Bình", "Hoà Bình", "HOÀ BÌNH"], "hoa-binh", id="slug-hoa-binh-old-new"),
    pytest.param("same-sort", ["Hoà", "Hòa"], False, id="sort-hoa-placements-distinct-like-icu"),
    # đ / Đ
    pytest.param("slug", ["ĐỒNG ĐĂNG", "Đồng Đăng"], "dong-dang", id="slug-d-bar-upper-lower"),
    pytest.param("match", ["Đức", "duc", "ĐỨC"], "duc", id="match-d-bar"),
    pytest.param("same-sort", ["Đa", "Da"], False, id="sort-d-bar-is-its-own-letter"),
    # legacy encodings: garbage is never read as text, the converted text is
    pytest.param("slug", [convert_text("MÆt trËn Tæ quèc"), "Mặt trận Tổ quốc"], "mat-tran-to-quoc",
                 id="slug-tcvn3-after-conversion"),
    pytest.param("match", [convert_text("Maët traän Toå quoác"), "Mặt trận Tổ quốc"], "mat tran to quoc",
                 id="match-vni-after-conversion"),
    pytest.param("number", ["16,4 tû"], ParseError, id="number-tcvn3-ty-refused"),
    pytest.param("number", [from_tcvn3("16,4 tû")], Decimal(16_400_000_000), id="number-tcvn3-ty-converted"),
    # apostrophes
    pytest.param("slug", ["Đắk R'Lấp", "Đắk R’Lấp", "Đắk RʼLấp"], "dak-rlap", id="slug-apostrophes"),
    pytest.param("match", ["Đắk R'Lấp", "đắk r’lấp"], "dak rlap", id="match-apostrophes"),
    # repeated spaces
    pytest.param("slug", ["  Xã   Tân  Lập ", "Xã Tân Lập"], "xa-tan-lap", id="slug-repeated-spaces"),
    pytest.param("match", ["  GIÁM   SÁT\t", "giám sát"], "giam sat", id="match-repeated-spaces"),
    pytest.param("same-sort", ["Xã   Tân  Lập", "Xã Tân Lập"], True, id="sort-repeated-spaces"),
    pytest.param("number", ["16,4   tỷ"], Decimal(16_400_000_000), id="number-repeated-spaces"),
    # soft hyphens
    pytest.param("slug", ["Nguy\u00adễn Co\u00advid-19", "Nguyễn Covid-19"], "nguyen-covid-19", id="slug-soft-hyphen"),
    pytest.param("match", ["Tổ\u00ad quốc", "Tổ quốc"], "to quoc", id="match-soft-hyphen"),
    pytest.param("same-sort", ["Nguy\u00adễn", "Nguyễn"], True, id="sort-soft-hyphen"),
    pytest.param("number", ["1.0\u00ad30"], Decimal(1030), id="number-soft-hyphen"),
    # numbers in text
    pytest.param("slug", ["Phòng, chống Covid-19 năm 2020"], "phong-chong-covid-19-nam-2020", id="slug-digits"),
    pytest.param("same-sort", ["Tổ 1", "Tổ 2"], False, id="sort-digits-distinct"),
    # numbers typed in sources
    pytest.param("number", ["1.030"], Decimal(1030), id="number-thousands-dot"),
    pytest.param("number", ["1.030.000"], Decimal(1_030_000), id="number-two-groups"),
    pytest.param("number", ["1.030,5"], Decimal("1030.5"), id="number-grouped-with-decimal"),
    pytest.param("number", ["16,4 tỷ", "16,4 tỉ", "16,4 Tỷ"], Decimal(16_400_000_000), id="number-ty-spellings"),
    pytest.param("number", ["300 nghìn", "300 ngàn"], Decimal(300_000), id="number-nghin-ngan"),
    pytest.param("number", ["2,5 triệu"], Decimal(2_500_000), id="number-trieu"),
    pytest.param("number", ["0,5"], Decimal("0.5"), id="number-decimal-comma"),
    pytest.param("number", ["298"], Decimal(298), id="number-plain"),
    pytest.param("number", ["16.4"], ParseError, id="number-english-decimal-refused"),
    pytest.param("number", ["1,030"], ParseError, id="number-english-thousands-refused"),
    pytest.param("number", ["2.5 triệu"], ParseError, id="number-english-decimal-with-scale-refused"),
    pytest.param("number", ["16,4 tỷ đồng"], ParseError, id="number-trailing-words-refused"),
    pytest.param("number", ["một nghìn"], ParseError, id="number-words-refused"),
]


@pytest.mark.parametrize("kind, inputs, expected", CASES)
def test_vietnamese_table(kind: str, inputs: list[str], expected: object) -> None:
    if kind == "slug":
        assert [slugify(text) for text in inputs] == [expected] * len(inputs)
    elif kind == "match":
        assert [match_key(text) for text in inputs] == [expected] * len(inputs)
    elif kind == "same-sort":
        keys = {sort_key(text) for text in inputs}
        assert (len(keys) == 1) is expected, keys
        icu_keys = {VI.getSortKey(clean_text(text)) for text in inputs}
        assert (len(icu_keys) == 1) is expected  # the row agrees with ICU's vi collation
    elif kind == "number":
        for text in inputs:
            if expected is ParseError:
                with pytest.raises(ParseError) as info:
                    parse_number(text)
                assert info.value.hint  # an editor is told how to write it
            else:
                value = parse_number(text)
                assert isinstance(value, Decimal)
                assert value == expected
                assert str(value) == str(expected)  # "16400000000", never "1.64E+10"
    else:  # pragma: no cover
        raise AssertionError(kind)


def test_strip_tones_keeps_case_and_punctuation() -> None:
    assert strip_tones("Đắk R’Lấp, THUỶ LỢI") == "Dak R’Lap, THUY LOI"
    assert strip_tones(nfd("Nguyễn Thị Bích Nhiệm")) == "Nguyen Thi Bich Nhiem"


def test_table_is_big_enough() -> None:
    assert len(CASES) >= 25
    kinds = {case.values[0] for case in CASES}
    assert kinds == {"slug", "match", "same-sort", "number"}


# --- collation ------------------------------------------------------------------------------------

VIETNAMESE_ORDER = "a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y".split()


def test_alphabet_and_tones_follow_icu_vi() -> None:
    shuffled = sorted(VIETNAMESE_ORDER, key=lambda s: s.encode("utf-8")[::-1])
    assert sorted(shuffled, key=sort_key) == VIETNAMESE_ORDER
    assert sorted(shuffled, key=VI.getSortKey) == VIETNAMESE_ORDER
    tones = ["ma", "mà", "mả", "mã", "má", "mạ"]  # ngang < huyền < hỏi < ngã < sắc < nặng
    assert sorted(reversed(tones), key=sort_key) == tones == sorted(reversed(tones), key=VI.getSortKey)


UNIT_NAMES_IN_ORDER = [
    "An Phú", "Ẳng Cang", "Ân Thi", "Bà Rịa", "Bạc Liêu", "Bắc Giang", "Bắc Kạn", "Bắc Ninh",
    "Cà Mau", "Cao Bằng", "Dương Hòa", "Đắk Lắk", "Đắk R'Lấp", "Đông Hưng", "Ea Súp", "Ê Đê",
    "Hà Giang", "Hạ Long", "Hải Dương", "Hòa Bình", "Khánh Hòa", "Mỏ Cày", "Mộ Đức", "Ô Diên",
    "Ông Đình", "Ơn", "Tân Lập", "Tây Ninh", "Thái Bình", "Uy Nỗ", "Ứng Hòe", "Yên Bái",
]


def test_unit_names_sort_in_vietnamese_order() -> None:
    shuffled = sorted(UNIT_NAMES_IN_ORDER)  # code point order puts Ẳ Â Đ Ê Ô Ơ Ứ after Y
    assert shuffled != UNIT_NAMES_IN_ORDER
    assert sorted(shuffled, key=sort_key) == UNIT_NAMES_IN_ORDER
    assert sorted(shuffled, key=VI.getSortKey) == UNIT_NAMES_IN_ORDER
    prefixed = ["Xã " + nfd(name) for name in shuffled]
    assert [nfc(n) for n in sorted(prefixed, key=sort_key)] == ["Xã " + n for n in UNIT_NAMES_IN_ORDER]


LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
VOWELS = "aăâeêioôơuưy"


@st.composite
def vietnamese_letter(draw: st.DrawFn, letters: str = LETTERS) -> str:
    base = draw(st.sampled_from(letters))
    tone = draw(st.sampled_from(("",) + TONE_MARKS)) if base in VOWELS else ""
    letter = nfc(base + tone)
    return letter.upper() if draw(st.booleans()) else letter


def vietnamese_words(letters: str = LETTERS) -> st.SearchStrategy[str]:
    """Runs of letters separated by single spaces (sort_key collapses runs of spaces, as names are
    cleaned on input; the table checks that); some are given decomposed (NFD)."""
    runs = st.lists(vietnamese_letter(letters), min_size=1, max_size=6).map("".join)
    return st.tuples(st.lists(runs, min_size=1, max_size=3).map(" ".join), st.booleans()) \
        .map(lambda t: nfd(t[0]) if t[1] else t[0])


# The whole alphabet, and a few look-alike letters so that many words differ only in marks, tones or case.
word_lists = st.one_of(st.lists(vietnamese_words(), min_size=2, max_size=15),
                       st.lists(vietnamese_words("aăâdđoôơ"), min_size=2, max_size=15))


@settings(max_examples=400, deadline=None)
@given(word_lists)
def test_sort_key_orders_like_icu_vi(words: list[str]) -> None:
    ours = sorted(words, key=sort_key)
    theirs = sorted(words, key=VI.getSortKey)
    # Strings ICU holds equal (NFC and NFD of one word) may come in either order: compare ICU keys.
    assert [VI.getSortKey(w) for w in ours] == [VI.getSortKey(w) for w in theirs], (ours, theirs)
    # and where ICU holds two neighbours equal, so does sort_key, and only there
    assert [VI.getSortKey(a) == VI.getSortKey(b) for a, b in zip(ours, ours[1:])] == \
        [sort_key(a) == sort_key(b) for a, b in zip(ours, ours[1:])]


# --- building sites -------------------------------------------------------------------------------

COLLATION_UNITS = [  # (id, name as written in units.yaml)
    ("xa-dak-rlap", "Xã   Đắk  R'Lấp"),
    ("xa-an-phu", "Xã An Phú"),
    ("xa-an-thi", "Xã Ân Thi"),
    ("xa-ang-cang", "Xã Ẳng Cang"),
    ("xa-duong-hoa", "Xã Dương Hòa"),
    ("xa-dong-hung", nfd("Xã Đông Hưng")),
    ("xa-ea-sup", "Xã Ea Súp"),
    ("xa-o-dien", "Xã Ô Diên"),
    ("xa-ong-dinh", "Xã Ông Đình"),
    ("xa-tan-lap", "Xã Tân\u00ad Lập"),
    ("xa-ung-hoe", "Xã Ứng Hòe"),
    ("xa-uy-no", "Xã Uy Nỗ"),
]
_XA_C = '              code: "00003"\n'
assert _XA_C in UNITS_YAML
COLLATION_UNITS_YAML = UNITS_YAML.replace(_XA_C, _XA_C + "".join(  # more communes of Huyện B
    f"            - id: {uid}\n              name: \"{name}\"\n              type: xa\n"
    f"              code: \"{10 + i:05d}\"\n"
    for i, (uid, name) in enumerate(COLLATION_UNITS)
))

HOA_OLD = news_item(title="Hoà giải   ở   cơ sở", date="2024-05-10 09:30", tags='["Hoà giải", "Đắk R\'Lấp"]')
HOA_NEW_1 = news_item(title="Tổ hòa giải thôn Một", date="2024-05-11 09:30", tags='["Hòa giải", "Đắk R’Lấp"]')
HOA_NEW_2 = news_item(title="Tổ hòa giải thôn Hai", date="2024-05-12 09:30", tags='["Hòa giải", "Ăn ở", "Dân vận"]')
SOFT = news_item(title="Bà Nguy\u00adễn Thị Bích tặng quà phòng chống Co\u00advid-19", date="2024-05-13 09:30",
                 unit="xa-dak-rlap", tags='["Ê Đê", "Ông bà", "Ứng phó"]')
NFD_TITLE = "Hội nghị Mặt trận Tổ quốc Đồng Hới"
NFD_BODY = "Ủy ban MTTQ huyện tổ chức hội nghị tiếp xúc cử tri.\n\n## Đại hội Đảng bộ\n"
NFD_ITEM = nfd(news_item(title=NFD_TITLE, date="2024-05-14 09:30", body=NFD_BODY, tags='["Đoàn kết"]'))
CP1258_TITLE = "Mặt trận tỉnh tổ chức hội nghị hiệp thương"
CP1258_BODY = "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh đã tổ chức hội nghị hiệp thương lần thứ nhất.\n"
UTF16_TITLE = "Người dân đồng thuận xây dựng nông thôn mới"
BOM_TITLE = "Cựu chiến binh giúp đỡ hộ nghèo"


@pytest.fixture(scope="module")
def good_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str, Path, Path]:
    """One site with tone variants, odd spacing, soft hyphens, NFD, a BOM, Windows-1258 and UTF-16
    files, and units whose names need Vietnamese order. Returns (exit code, stderr, source, output)."""
    tmp = tmp_path_factory.mktemp("vi-good")
    source = make_site(tmp, units_yaml=COLLATION_UNITS_YAML, news={
        "news/2024/hoa-cu.md": HOA_OLD,
        "news/2024/hoa-moi-1.md": HOA_NEW_1,
        "news/2024/hoa-moi-2.md": HOA_NEW_2,
        "news/2024/gach-mem.md": SOFT,
        "news/2024/nfd.md": NFD_ITEM,
    }, files={
        "news/2024/cp1258.md": cp1258_bytes(news_item(title=CP1258_TITLE, date="2024-05-15 09:30", body=CP1258_BODY)),
        "news/2024/utf16.md": news_item(title=UTF16_TITLE, date="2024-05-16 09:30",
                                        body="Bà con đóng góp ngày công làm đường.\n").encode("utf-16"),
        "news/2024/bom.md": b"\xef\xbb\xbf" + news_item(title=BOM_TITLE, date="2024-05-17 09:30").encode("utf-8"),
    })
    assert (source / "news/2024/utf16.md").read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
    output = tmp / "out"
    code, err = cli_build(source, output)
    return code, err, source, output


def test_good_site_builds(good_site: tuple[int, str, Path, Path]) -> None:
    code, err, _, _ = good_site
    assert code == 0, err
    assert messages(err, "Lỗi") == []


def test_tone_variants_are_one_tag_with_a_warning(good_site: tuple[int, str, Path, Path]) -> None:
    code, err, _, out = good_site
    assert code == 0, err
    tag_dirs = sorted(p.name for p in (out / "the").iterdir() if p.is_dir())
    assert "hoa-giai" in tag_dirs
    assert not any(d.startswith("hoa-giai-") for d in tag_dirs)
    tag_page = page(out, "the/hoa-giai")
    assert text_of(tag_page.xpath("//h1")[0]).count("Hòa giải") == 1  # the spelling most items use
    titles = " | ".join(text_of(a) for a in tag_page.xpath("//main//a"))
    for title in ("Hoà giải ở cơ sở", "Tổ hòa giải thôn Một", "Tổ hòa giải thôn Hai"):
        assert title in titles
    index = page(out, "the")
    entries = [text_of(li) for li in index.xpath("//main//li")]
    assert [e for e in entries if "giải" in e] == ["Hòa giải (3)"]

    warnings = [w for w in messages(err, "Cảnh báo") if "Hoà giải" in w["msg"]]
    assert len(warnings) == 1, err
    warning = warnings[0]
    assert '"Hoà giải"' in warning["msg"] and '"Hòa giải"' in warning["msg"]
    # it points at the odd one out: the file and line where "Hoà giải" was written
    assert warning["path"] == "content/news/2024/hoa-cu.md"
    assert warning["line"] == line_of(HOA_OLD, "tags:")


def test_author_spelling_is_kept_on_the_article(good_site: tuple[int, str, Path, Path]) -> None:
    _, _, _, out = good_site
    article = page(out, "tin-tuc/2024/05/hoa-giai-o-co-so")
    assert text_of(article.xpath("//h1")[0]) == "Hoà giải ở cơ sở"  # old placement kept, spaces collapsed
    tags = [(a.get("href"), text_of(a)) for a in article.xpath("//p[@class='tags']/a")]
    assert ("../../../../the/hoa-giai/", "Hoà giải") in tags
    newer = page(out, "tin-tuc/2024/05/to-hoa-giai-thon-mot")
    assert [text_of(a) for a in newer.xpath("//p[@class='tags']/a")][0] == "Hòa giải"


def test_straight_and_curly_apostrophes_are_one_tag(good_site: tuple[int, str, Path, Path]) -> None:
    _, err, _, out = good_site
    assert (out / "the/dak-rlap/index.html").is_file()
    assert not any(p.name.startswith("dak-rlap-") for p in (out / "the").iterdir())
    # one item each: the tie goes to the newer item's spelling (hoa-moi-1.md), the warning to the other file
    assert text_of(page(out, "the/dak-rlap").xpath("//h1")[0]) == "Thẻ: Đắk R’Lấp"
    assert [w for w in messages(err, "Cảnh báo") if "Lấp" in w["msg"]] == [{
        "path": "content/news/2024/hoa-cu.md", "line": line_of(HOA_OLD, "tags:"),
        "msg": '2 cách viết "Đắk R’Lấp" và "Đắk R\'Lấp" cho cùng một thẻ.',
        "hint": 'Hãy thống nhất một cách viết, ví dụ "Đắk R’Lấp".'}]


def test_spaces_and_soft_hyphens_cleaned_on_pages(good_site: tuple[int, str, Path, Path]) -> None:
    _, _, _, out = good_site
    article_html = (out / "tin-tuc/2024/05/ba-nguyen-thi-bich-tang-qua-phong-chong-covid-19/index.html").read_text("utf-8")
    article = html.fromstring(article_html)
    assert text_of(article.xpath("//h1")[0]) == "Bà Nguyễn Thị Bích tặng quà phòng chống Covid-19"
    assert "\u00ad" not in article_html and "&shy;" not in article_html
    assert "Xã Đắk R'Lấp" in text_of(article)  # its unit, spaces collapsed

    unit = page(out, "don-vi/xa-dak-rlap")
    assert text_of(unit.xpath("//h1")[0]) == "Xã Đắk R'Lấp"
    assert "Xã Đắk R'Lấp –" in text_of(unit.xpath("//title")[0])
    assert text_of(page(out, "don-vi/xa-tan-lap").xpath("//h1")[0]) == "Xã Tân Lập"
    tree = page(out, "don-vi")
    names = [text_of(a) for a in tree.xpath("//ul[@class='tree']//a")]
    assert "Xã Đắk R'Lấp" in names and "Xã Tân Lập" in names
    assert not any("  " in n or "\u00ad" in n for n in names)

    hoa = page(out, "tin-tuc/2024/05/hoa-giai-o-co-so")
    assert text_of(hoa.xpath("//title")[0]).startswith("Hoà giải ở cơ sở")


def test_nfd_sources_appear_nfc_on_the_page(good_site: tuple[int, str, Path, Path]) -> None:
    _, _, _, out = good_site
    assert nfd(NFD_TITLE) != NFD_TITLE
    text = (out / "tin-tuc/2024/05/hoi-nghi-mat-tran-to-quoc-dong-hoi/index.html").read_text("utf-8")
    assert unicodedata.is_normalized("NFC", text)
    tree = html.fromstring(text)
    assert text_of(tree.xpath("//h1")[0]) == NFD_TITLE
    assert "Ủy ban MTTQ huyện tổ chức hội nghị tiếp xúc cử tri." in text
    assert "Đại hội Đảng bộ" in [text_of(h) for h in tree.xpath("//h2")]
    assert (out / "the/doan-ket/index.html").is_file()
    unit = (out / "don-vi/xa-dong-hung/index.html").read_text("utf-8")  # NFD unit name in units.yaml
    assert "<h1>Xã Đông Hưng</h1>" in unit and unicodedata.is_normalized("NFC", unit)


def test_unit_tree_and_tag_index_in_vietnamese_order(good_site: tuple[int, str, Path, Path]) -> None:
    _, _, _, out = good_site
    tree = page(out, "don-vi")
    district = tree.xpath("//a[normalize-space()='Huyện B']/following-sibling::ul[1]")[0]
    children = [text_of(a) for a in district.xpath("./li/a")]
    expected = sorted([clean_text(n) for _, n in COLLATION_UNITS] + ["Xã C"], key=VI.getSortKey)
    assert expected[:4] == ["Xã An Phú", "Xã Ẳng Cang", "Xã Ân Thi", "Xã C"]  # the order really is Vietnamese
    assert children == expected

    index = page(out, "the")
    names = [re.sub(r" \(\d+\)$", "", text_of(li)).replace("’", "'") for li in index.xpath("//main//li")]
    assert len(names) >= 8
    assert names == sorted(names, key=VI.getSortKey)
    assert names.index("Ăn ở") < names.index("Dân vận") < names.index("Đắk R'Lấp") < names.index("Đoàn kết") \
        < names.index("Ê Đê") < names.index("Ông bà") < names.index("Ứng phó")


def test_windows_1258_file_is_read_with_a_warning(good_site: tuple[int, str, Path, Path]) -> None:
    code, err, _, out = good_site
    assert code == 0, err
    text = (out / "tin-tuc/2024/05/mat-tran-tinh-to-chuc-hoi-nghi-hiep-thuong/index.html").read_text("utf-8")
    tree = html.fromstring(text)
    assert text_of(tree.xpath("//h1")[0]) == CP1258_TITLE
    assert CP1258_BODY.strip() in text
    warnings = [w for w in messages(err, "Cảnh báo") if w["path"] == "content/news/2024/cp1258.md"]
    assert len(warnings) == 1, err
    assert "Windows-1258" in warnings[0]["msg"]
    assert "fix-encoding" in warnings[0]["hint"]


def test_utf16_file_is_read_with_a_warning(good_site: tuple[int, str, Path, Path]) -> None:
    _, err, _, out = good_site
    tree = page(out, "tin-tuc/2024/05/nguoi-dan-dong-thuan-xay-dung-nong-thon-moi")
    assert text_of(tree.xpath("//h1")[0]) == UTF16_TITLE
    assert "Bà con đóng góp ngày công làm đường." in text_of(tree)
    warnings = [w for w in messages(err, "Cảnh báo") if w["path"] == "content/news/2024/utf16.md"]
    assert len(warnings) == 1 and "UTF-16" in warnings[0]["msg"], err


def test_utf8_bom_is_accepted_silently(good_site: tuple[int, str, Path, Path]) -> None:
    _, err, _, out = good_site
    tree = page(out, "tin-tuc/2024/05/cuu-chien-binh-giup-do-ho-ngheo")
    assert text_of(tree.xpath("//h1")[0]) == BOM_TITLE
    assert "bom.md" not in err
    assert "\ufeff" not in (out / "tin-tuc/2024/05/cuu-chien-binh-giup-do-ho-ngheo/index.html").read_text("utf-8")


# --- reading source files ------------------------------------------------------------------------

LEGACY_TEXT = news_item(title="Mặt trận tỉnh tổ chức hội nghị hiệp thương",
                        body="Người dân tham gia giám sát việc thực hiện chính sách ở khu dân cư.\n")


@pytest.mark.parametrize("name, data, encoding", [
    ("windows-1258", cp1258_bytes(LEGACY_TEXT), "Windows-1258"),
    ("tcvn3-bytes", to_tcvn3(LEGACY_TEXT).encode("latin-1"), "TCVN3"),
    ("vni-bytes", to_vni(LEGACY_TEXT).encode("cp1252"), "VNI"),
    ("utf-16-le-bom", LEGACY_TEXT.encode("utf-16-le").join([b"\xff\xfe", b""]), "UTF-16"),
    ("utf-16-be-bom", LEGACY_TEXT.encode("utf-16-be").join([b"\xfe\xff", b""]), "UTF-16"),
])
def test_decode_legacy_bytes(name: str, data: bytes, encoding: str) -> None:
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert decode_legacy_bytes(data) == (LEGACY_TEXT, encoding)


@pytest.mark.parametrize("data", [
    "Un café crème, très français, à côté de la gare. Où est la forêt?".encode("latin-1"),
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(128, 256)),
    cp1258_bytes("Xin chào"),  # too little text to be certain
], ids=["french-latin-1", "binary", "too-short"])
def test_decode_legacy_bytes_refuses_to_guess(data: bytes) -> None:
    assert decode_legacy_bytes(data) is None


def read(tmp_path: Path, data: bytes) -> tuple[str | None, Problems]:
    path = tmp_path / "content" / "news" / "a.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    problems = Problems(root=tmp_path / "content")
    src = read_text(path, problems)
    return (None if src is None else src.text), problems


def test_read_text_bom_crlf_and_nfd(tmp_path: Path) -> None:
    text, problems = read(tmp_path, b"\xef\xbb\xbf" + nfd("Hòa giải\r\nở cơ sở\r\n").encode("utf-8"))
    assert text == "Hòa giải\nở cơ sở\n"
    assert problems.items == []


def test_read_text_removes_control_characters_with_a_warning(tmp_path: Path) -> None:
    text, problems = read(tmp_path, "Dòng một\nDòng\x0b hai\x1f\nBa\x85\n".encode())
    assert text == "Dòng một\nDòng hai\nBa\n"
    assert [(w.path, w.line) for w in problems.warnings] == [("content/news/a.md", 2)]
    assert "U+000B" in problems.warnings[0].message
    assert problems.errors == []


def test_read_text_legacy_bytes_and_lines(tmp_path: Path) -> None:
    text, problems = read(tmp_path, cp1258_bytes(LEGACY_TEXT))
    assert text == LEGACY_TEXT
    assert [(w.line, "Windows-1258" in w.message) for w in problems.warnings] == [(None, True)]
    text, problems = read(tmp_path, f"Dòng đầu\n{TCVN3_BODY}\n".encode())
    assert [(e.path, e.line) for e in problems.errors] == [("content/news/a.md", 2)]
    assert "TCVN3" in problems.errors[0].message
    assert "Người dân tham gia giám sát" in problems.errors[0].hint
    text, problems = read(tmp_path, b"abc\ndef\n\xff\xfe\x00garbage")
    assert text is None
    assert [(e.path, e.line) for e in problems.errors] == [("content/news/a.md", 3)]


# --- legacy lines in UTF-8 sources: errors --------------------------------------------------------

TCVN3_TITLE = to_tcvn3("Mặt trận Tổ quốc tỉnh tổ chức hội nghị hiệp thương")
TCVN3_BODY = to_tcvn3("Người dân tham gia giám sát việc thực hiện chính sách.")
VNI_SUMMARY = "Maët traän Toå quoác tænh hoïp baøn"
VNI_BODY = "NGUYEÃN THÒ BÍCH NHIEÄM, Chuû tòch UÛy ban Maët traän Toå quoác"
FOREIGN_LINES = [
    "Le garçon a reçu un cadeau à Noël, c'est très naïf et déjà oublié.",
    "Ça coûte cher, dit la française au café crème.",
    "Über die Straße müssen wir zur Brücke gehen, sagt Jürgen.",
    "Die Größe der Fußgängerzone ist schön.",
]
TCVN3_FILE = news_item(title=TCVN3_TITLE, date="2024-05-10 09:30", body=f"Mở đầu bằng Unicode.\n\n{TCVN3_BODY}\n")
VNI_FILE = news_item(title="Hội nghị hiệp thương", date="2024-05-11 09:30", summary=VNI_SUMMARY,
                     body=f"Đoạn đầu.\n\n{VNI_BODY}\n")
FOREIGN_FILE = news_item(title="Đoàn khách quốc tế thăm tỉnh", date="2024-05-12 09:30",
                         body="\n\n".join(FOREIGN_LINES) + "\n")


@pytest.fixture(scope="module")
def legacy_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str, Path]:
    tmp = tmp_path_factory.mktemp("vi-legacy")
    binary = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(128, 256)) * 4
    latin1 = news_item(title="Café à Paris", body="Un café crème, très français, à côté de la gare.\n").encode("latin-1")
    source = make_site(tmp, news={
        "news/2024/tcvn3.md": TCVN3_FILE,
        "news/2024/vni.md": VNI_FILE,
        "news/2024/ngoai-ngu.md": FOREIGN_FILE,
    }, files={"news/2024/anh.md": binary, "news/2024/latin1.md": latin1})
    output = tmp / "out"
    code, err = cli_build(source, output)
    return code, err, output


def test_legacy_lines_are_errors_naming_the_encoding(legacy_site: tuple[int, str, Path]) -> None:
    code, err, output = legacy_site
    assert code == 1, err
    assert not output.exists()
    errors = messages(err, "Lỗi")
    found = {(e["path"], e["line"]): e for e in errors}
    expected = [
        ("content/news/2024/tcvn3.md", line_of(TCVN3_FILE, TCVN3_TITLE), "TCVN3",
         "Mặt trận Tổ quốc tỉnh tổ chức hội nghị hiệp thương"),
        ("content/news/2024/tcvn3.md", line_of(TCVN3_FILE, TCVN3_BODY), "TCVN3",
         "Người dân tham gia giám sát việc thực hiện chính sách."),
        ("content/news/2024/vni.md", line_of(VNI_FILE, VNI_SUMMARY), "VNI", "Mặt trận Tổ quốc tỉnh họp bàn"),
        ("content/news/2024/vni.md", line_of(VNI_FILE, VNI_BODY), "VNI",
         "NGUYỄN THỊ BÍCH NHIỆM, Chủ tịch Ủy ban Mặt trận Tổ quốc"),
    ]
    for path, line, encoding, converted in expected:
        error = found.get((path, line))
        assert error is not None, f"no error at {path}:{line}\n{err}"
        assert encoding in error["msg"]
        assert converted in error["hint"]
        assert "fix-encoding" in error["hint"]
    assert "Mặt trận Tổ quốc" in found[expected[0][:2]]["hint"]
    assert len([e for e in errors if e["path"] in ("content/news/2024/tcvn3.md", "content/news/2024/vni.md")]) == 4


def test_french_and_german_are_not_flagged(legacy_site: tuple[int, str, Path]) -> None:
    _, err, _ = legacy_site
    assert "ngoai-ngu.md" not in err
    for line in FOREIGN_LINES:
        assert detect_line(line) is None, line
    assert find_legacy_lines(FOREIGN_FILE) == []


def test_unknown_encodings_are_errors_naming_the_file(legacy_site: tuple[int, str, Path]) -> None:
    _, err, _ = legacy_site
    errors = messages(err, "Lỗi")
    for name in ("anh.md", "latin1.md"):
        mine = [e for e in errors if e["path"] == f"content/news/2024/{name}"]
        assert len(mine) == 1, err
        assert "UTF-8" in mine[0]["msg"] + mine[0]["hint"]


# --- fix-encoding ---------------------------------------------------------------------------------

def fix_encoding(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "site_builder", "fix-encoding", *map(str, args)],
                          cwd=REPO, capture_output=True, text=True, encoding="utf-8", timeout=60)


def test_fix_encoding_rewrites_legacy_lines_and_the_build_then_succeeds(tmp_path: Path) -> None:
    source = make_site(tmp_path, news={"news/2024/tcvn3.md": TCVN3_FILE, "news/2024/vni.md": VNI_FILE},
                       files={"news/2024/cp1258.md": cp1258_bytes(news_item(title=CP1258_TITLE, body=CP1258_BODY,
                                                                            date="2024-05-15 09:30"))})
    tcvn3 = source / "news/2024/tcvn3.md"

    dry = fix_encoding(tcvn3, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert tcvn3.read_text("utf-8") == TCVN3_FILE  # untouched
    assert dry.stdout.startswith("---") and "\n+++" in dry.stdout and "\n@@" in dry.stdout
    assert f'-title: "{TCVN3_TITLE}"' in dry.stdout
    assert '+title: "Mặt trận Tổ quốc tỉnh tổ chức hội nghị hiệp thương"' in dry.stdout
    assert f"-{TCVN3_BODY}" in dry.stdout
    assert "+Người dân tham gia giám sát việc thực hiện chính sách." in dry.stdout

    done = fix_encoding(tcvn3)
    assert done.returncode == 0, done.stderr
    assert done.stdout == dry.stdout
    fixed = tcvn3.read_bytes().decode("utf-8")
    assert fixed == TCVN3_FILE.replace(TCVN3_TITLE, "Mặt trận Tổ quốc tỉnh tổ chức hội nghị hiệp thương") \
        .replace(TCVN3_BODY, "Người dân tham gia giám sát việc thực hiện chính sách.")
    assert unicodedata.is_normalized("NFC", fixed)

    again = fix_encoding(tcvn3)
    assert again.returncode == 0
    assert "Không có gì thay đổi." in again.stderr
    assert again.stdout == ""
    assert tcvn3.read_bytes().decode("utf-8") == fixed

    vni = source / "news/2024/vni.md"
    assert fix_encoding(vni).returncode == 0
    assert "NGUYỄN THỊ BÍCH NHIỆM" in vni.read_text("utf-8")
    assert "summary: Mặt trận Tổ quốc tỉnh họp bàn" in vni.read_text("utf-8")

    cp = source / "news/2024/cp1258.md"
    result = fix_encoding(cp)
    assert result.returncode == 0, result.stderr
    assert "Windows-1258" in result.stdout
    assert cp.read_bytes().decode("utf-8") == news_item(title=CP1258_TITLE, body=CP1258_BODY, date="2024-05-15 09:30")

    code, err = cli_build(source, tmp_path / "out")
    assert code == 0, err
    assert "Lỗi" not in err and "Windows-1258" not in err
    for rel, title in (("tin-tuc/2024/05/mat-tran-tinh-to-chuc-hoi-nghi-hiep-thuong", CP1258_TITLE),
                       ("tin-tuc/2024/05/mat-tran-to-quoc-tinh-to-chuc-hoi-nghi-hiep-thuong",
                        "Mặt trận Tổ quốc tỉnh tổ chức hội nghị hiệp thương")):
        assert text_of(page(tmp_path / "out", rel).xpath("//h1")[0]) == title
    assert "Người dân tham gia giám sát việc thực hiện chính sách." in text_of(
        page(tmp_path / "out", "tin-tuc/2024/05/mat-tran-to-quoc-tinh-to-chuc-hoi-nghi-hiep-thuong"))


def test_fix_encoding_on_a_clean_file_changes_nothing(tmp_path: Path) -> None:
    clean = tmp_path / "sach.md"
    data = news_item(title="Hội nghị tổng kết", body="Le café à Paris. Die Straße.\n").encode("utf-8")
    clean.write_bytes(data)
    result = fix_encoding(clean)
    assert result.returncode == 0
    assert result.stderr.strip() == "Không có gì thay đổi."
    assert result.stdout == ""
    assert clean.read_bytes() == data


def test_fix_encoding_refuses_an_unknown_encoding(tmp_path: Path) -> None:
    blob = tmp_path / "anh.md"
    data = b"\x89PNG\r\n\x1a\n" + bytes(range(128, 256))
    blob.write_bytes(data)
    result = fix_encoding(blob)
    assert result.returncode == 1
    assert "Lỗi" in result.stderr and "anh.md" in result.stderr
    assert blob.read_bytes() == data


def test_fix_encoding_keeps_file_permissions(tmp_path: Path) -> None:
    target = tmp_path / "tcvn3.md"
    target.write_text(TCVN3_FILE, encoding="utf-8")
    target.chmod(0o644)
    assert fix_encoding(target).returncode == 0
    assert "Mặt trận Tổ quốc" in target.read_text("utf-8")
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o644


# --- the converters -------------------------------------------------------------------------------

@pytest.mark.parametrize("legacy, unicode_text", [
    ("MÆt trËn Tæ quèc ViÖt Nam", "Mặt trận Tổ quốc Việt Nam"),
    ("Ng\u00adêi d©n tham gia gi¸m s¸t, ph¶n biÖn x· héi.", "Người dân tham gia giám sát, phản biện xã hội."),
    ("§¹i héi §¶ng bé tØnh Qu¶ng Ninh lÇn thø XV", "Đại hội Đảng bộ tỉnh Quảng Ninh lần thứ XV"),
    ("¡N ¢M £M ¤NG ¥N ¦U §I", "ĂN ÂM ÊM ÔNG ƠN ƯU ĐI"),  # TCVN3's upper-case letters without tones
])
def test_from_tcvn3_sentences(legacy: str, unicode_text: str) -> None:
    assert from_tcvn3(legacy) == unicode_text


@pytest.mark.parametrize("legacy, unicode_text", [
    ("NGUYEÃN THÒ BÍCH NHIEÄM", "NGUYỄN THỊ BÍCH NHIỆM"),
    ("Maët traän Toå quoác Vieät Nam", "Mặt trận Tổ quốc Việt Nam"),
    ("ÑAÏI HOÄI ÑAÛNG BOÄ TÆNH QUAÛNG NINH", "ĐẠI HỘI ĐẢNG BỘ TỈNH QUẢNG NINH"),
    ("Ngöôøi daân tham gia giaùm saùt, phaûn bieän xaõ hoäi.", "Người dân tham gia giám sát, phản biện xã hội."),
    ("Chuû tòch UÛy ban MTTQ, Tröôûng ban Daân vaän", "Chủ tịch Ủy ban MTTQ, Trưởng ban Dân vận"),
    ("Naêm nay, khuyeán khích hoïc sinh ñeán tröôøng", "Năm nay, khuyến khích học sinh đến trường"),
])
def test_from_vni_sentences(legacy: str, unicode_text: str) -> None:
    assert from_vni(legacy) == unicode_text
    assert detect_line(legacy) == ("VNI", unicode_text)


def test_detect_line_names_the_encoding() -> None:
    assert detect_line("MÆt trËn Tæ quèc") == ("TCVN3", "Mặt trận Tổ quốc")
    assert detect_line("Maët traän Toå quoác") == ("VNI", "Mặt trận Tổ quốc")
    assert detect_line("Mặt trận Tổ quốc") is None
    assert detect_line("Tổ\u00ad quốc và Nguy\u00adễn") is None  # soft hyphens in Unicode text are not TCVN3 ư
    hits = find_legacy_lines("Dòng Unicode.\nMÆt trËn\nMaët traän\n")
    assert [(h.line, h.encoding, h.converted) for h in hits] == [(2, "TCVN3", "Mặt trận"), (3, "VNI", "Mặt trận")]


@pytest.mark.parametrize("word, valid", [
    ("quốc", True), ("Nghiêng", True), ("hoà", True), ("hòa", True), ("khuya", True), ("gì", True),
    ("người", True), ("THUỶ", True), ("xoong", True),
    ("MTTQ", False), ("Straße", False), ("café", False), ("hoáà", False), ("quốcc", False), ("", False),
])
def test_is_syllable(word: str, valid: bool) -> None:
    assert is_syllable(word) is valid


ONSETS = ["", "b", "ch", "d", "đ", "gi", "h", "kh", "l", "m", "n", "nh", "ph", "r", "s", "t", "th", "tr", "v", "x",
          "c", "g", "ng", "k", "gh", "ngh", "qu"]
# (rhyme, index of the letter that carries the tone)
RHYMES = [
    ("a", 0), ("ai", 0), ("ao", 0), ("au", 0), ("ay", 0), ("âu", 0), ("ây", 0), ("e", 0), ("eo", 0), ("ê", 0),
    ("êu", 0), ("i", 0), ("ia", 0), ("iu", 0), ("iêu", 1), ("o", 0), ("oa", 1), ("oai", 1), ("oe", 1), ("oi", 0),
    ("ô", 0), ("ôi", 0), ("ơ", 0), ("ơi", 0), ("u", 0), ("ua", 0), ("uê", 1), ("ui", 0), ("uy", 1), ("uôi", 1),
    ("ư", 0), ("ưa", 0), ("ưi", 0), ("ưu", 0), ("ươi", 1), ("ươu", 1), ("y", 0), ("yêu", 1),
    ("an", 0), ("ăn", 0), ("ân", 0), ("anh", 0), ("ang", 0), ("ăng", 0), ("âng", 0), ("em", 0), ("ên", 0),
    ("ênh", 0), ("inh", 0), ("ong", 0), ("ông", 0), ("ơn", 0), ("un", 0), ("ung", 0), ("ưng", 0), ("iên", 1),
    ("yên", 1), ("uân", 1), ("uyên", 2), ("ương", 1), ("uông", 1), ("oan", 1), ("oang", 1), ("oăn", 1), ("iêm", 1),
    ("at", 0), ("ăc", 0), ("âp", 0), ("ach", 0), ("êch", 0), ("ich", 0), ("ôc", 0), ("ơt", 0), ("uc", 0), ("ưc", 0),
    ("iêt", 1), ("ươc", 1), ("uôt", 1), ("oat", 1), ("uyêt", 2), ("ep", 0), ("op", 0), ("ưt", 0),
]
FRONT = "eêiy"


def _spelling_ok(onset: str, rhyme: str) -> bool:
    if onset in ("k", "gh", "ngh"):
        return rhyme[0] in FRONT
    if onset in ("c", "g", "ng"):
        return rhyme[0] not in FRONT
    if onset == "qu":
        return rhyme[0] not in "uưoôơ" and not rhyme.startswith(("ia", "iu", "iê"))
    if onset == "gi":
        return rhyme[0] != "i" and rhyme[0] not in "yê"
    return True


SYLLABLE_PARTS = [(o, r, i) for o in ONSETS for r, i in RHYMES if _spelling_ok(o, r)]


@st.composite
def syllable(draw: st.DrawFn) -> str:
    onset, rhyme, at = draw(st.sampled_from(SYLLABLE_PARTS))
    stop = rhyme.endswith(("c", "ch", "p", "t"))
    tone = draw(st.sampled_from(("\u0301", "\u0323") if stop else ("",) + TONE_MARKS))
    return nfc(onset + rhyme[: at + 1] + tone + rhyme[at + 1:])


vietnamese_text = st.lists(st.tuples(syllable(), st.sampled_from([" ", " ", " ", ", ", ". "])), min_size=1,
                           max_size=12).map(lambda parts: "".join(s + sep for s, sep in parts).strip())


def test_tcvn3_table_is_the_standard() -> None:
    assert {ord(code): letter for code, letter in TCVN3.items()} == TCVN3_STANDARD


def test_from_tcvn3_every_letter() -> None:
    """Every letter of the standard, as its bytes read as Latin-1 (how a legacy .doc pastes) → Unicode."""
    legacy = ("µ¶·¸¹ »¼½¾Æ ÇÈÉÊË ÌÎÏÐÑ ÒÓÔÕÖ ×ØÜÝÞ ßáâãä åæçèé êëìíî ïñòóô õö÷øù úûüýþ "
              "¨©ª«¬\u00ad® ¡¢£¤¥¦§")
    assert from_tcvn3(legacy) == ("àảãáạ ằẳẵắặ ầẩẫấậ èẻẽéẹ ềểễếệ ìỉĩíị òỏõóọ ồổỗốộ ờởỡớợ ùủũúụ ừửữứự ỳỷỹýỵ "
                                  "ăâêôơưđ ĂÂÊÔƠƯĐ")


def test_tcvn3_table_is_one_to_one() -> None:
    assert len(TCVN3_OF) == len(TCVN3) == 74
    lower = {letter for letter in TCVN3.values() if letter == letter.lower()}
    # every lower-case Vietnamese letter with a mark: 12 vowels × 6 tones minus the 5 plain vowels, plus đ
    expected = {nfc(v + t) for v in VOWELS for t in ("",) + TONE_MARKS} - set("aeiouy") | {"đ"}
    assert lower == expected
    assert {letter for letter in TCVN3.values() if letter != letter.lower()} == set("ĂÂÊÔƠƯĐ")


@settings(max_examples=300, deadline=None)
@given(vietnamese_text)
def test_tcvn3_round_trip(text: str) -> None:
    for word in re.findall(r"\w+", text):
        assert is_syllable(word), word
    encoded = to_tcvn3(text)
    assert from_tcvn3(encoded) == text
    assert detect_line(encoded) in (None, ("TCVN3", text))  # if detected, then as TCVN3 and converted right


@settings(max_examples=300, deadline=None)
@given(vietnamese_text, st.sampled_from(["lower", "upper", "title"]))
def test_vni_round_trip(text: str, case: str) -> None:
    text = {"lower": text, "upper": text.upper(), "title": text.title()}[case]
    assert from_vni(to_vni(text)) == text


# --- bugs found -----------------------------------------------------------------------------------

def test_vni_with_a_dot_below_is_not_taken_for_tcvn3() -> None:
    assert detect_line("Haïnh Sôn.") == ("VNI", "Hạnh Sơn.")  # actual: ('TCVN3', 'Haùnh Sụn.')
    assert detect_line("naïn nhaân") == ("VNI", "nạn nhân")  # actual: ('TCVN3', 'naùn nhaõn')


def test_tcvn3_o_circumflex_is_detected() -> None:
    assert detect_line("Kh«ng") == ("TCVN3", "Không")  # actual: None
    assert detect_line("th«n, khu.") == ("TCVN3", "thôn, khu.")  # actual: None


def test_tcvn3_line_with_abbreviation_is_detected() -> None:
    line = to_tcvn3("Quyết định số 44-QĐ/TU của Ban Thường vụ Tỉnh ủy")
    assert line == "QuyÕt ®Þnh sè 44-Q§/TU cña Ban Th\u00adêng vô TØnh ñy"
    assert detect_line(line) == ("TCVN3", "Quyết định số 44-QĐ/TU của Ban Thường vụ Tỉnh ủy")  # actual: None


def test_legacy_line_without_odd_letters_is_detected() -> None:
    assert detect_line("trùc tuyÕn") == ("TCVN3", "trực tuyến")  # actual: None
    assert detect_line("gaàn daân hôn") == ("VNI", "gần dân hơn")  # actual: None


@pytest.mark.parametrize("line", [
    "© 2024 Ủy ban MTTQ tỉnh Quảng Ninh",      # actual: ('TCVN3', 'â 2024 Ủy ban MTTQ tỉnh Quảng Ninh')
    "Hà Nội · Thứ Sáu, 10/08/2018",            # actual: ('TCVN3', 'Hà Nội ã Thứ Sỏu, 10/08/2018')
    "Kích thước 2 × 3 m",                      # actual: ('TCVN3', 'Kớch thước 2 ì 3 m')
    "½ số hộ đã đăng ký",                      # actual: ('TCVN3', 'ẵ số hộ đó đăng ký')
])
def test_symbols_in_unicode_text_are_not_taken_for_tcvn3(line: str) -> None:
    assert detect_line(line) is None


def test_german_eszett_after_a_is_not_flagged() -> None:
    assert detect_line("Das Maß ist voll.") is None  # actual: ('TCVN3', 'Das Maò ist voll.')
    assert detect_line("Er aß Brot und saß am Tisch.") is None


def test_build_writes_nothing_in_the_working_directory(tmp_path: Path) -> None:
    source = make_site(tmp_path)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    output = tmp_path / "out"
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.chdir(cwd):
        assert main(["build", "--source", str(source), "--output", str(output)]) == 0, err.getvalue()
    assert (output / "pagefind/pagefind-entry.json").is_file()
    assert sorted(p.name for p in cwd.iterdir()) == []  # actual: ['pagefind']
