"""Vietnamese text rules: slugs, alphabetical order and strict date parsing."""
from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.base.vietnamese import (
    clean_text,
    format_datetime_vi,
    match_key,
    nfc,
    parse_date,
    parse_datetime,
    slugify,
    sort_key,
    strip_tones,
)

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


# --- slugify ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, slug", [
    ("Đại hội Đảng bộ", "dai-hoi-dang-bo"),
    ("Hội nghị tiếp xúc cử tri", "hoi-nghi-tiep-xuc-cu-tri"),
    ("Mặt trận Tổ quốc Việt Nam", "mat-tran-to-quoc-viet-nam"),
    ("Phòng, chống Covid-19", "phong-chong-covid-19"),
    ("  Xây dựng Đảng, chính quyền  ", "xay-dung-dang-chinh-quyen"),
    ("Ưu tiên ơ ư ă â ê ô", "uu-tien-o-u-a-a-e-o"),
    ("ĐĂK LẮK", "dak-lak"),
    ("Nhận việc theo “đặt hàng”", "nhan-viec-theo-dat-hang"),
    ("Thành phố Yên Bái: Cơ quan Khối", "thanh-pho-yen-bai-co-quan-khoi"),
    ("", ""),
    ("???", ""),
])
def test_slugify_examples(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_slugify_folds_every_apostrophe_the_same() -> None:
    plain = slugify("Đắk R'Lấp")
    assert plain == "dak-rlap"
    assert slugify("Đắk R’Lấp") == plain      # right single quotation mark
    assert slugify("Đắk RʼLấp") == plain      # modifier letter apostrophe


@pytest.mark.parametrize("text, slug", [
    ("Đại hội Đảng bộ", "dai-hoi-dang-bo"),
    ("Hòa Lạc", "hoa-lac"),
    ("Nguyễn Thái Học", "nguyen-thai-hoc"),
    ("Trường Sơn", "truong-son"),
    ("Đắk R’Lấp", "dak-rlap"),
])
def test_slugify_nfd_input(text: str, slug: str) -> None:
    decomposed = nfd(text)
    assert decomposed != text  # the test really feeds decomposed text
    assert (slugify(decomposed), slugify(text)) == (slug, slug)


def test_slugify_every_letter() -> None:
    """Each Vietnamese letter, every tone, both cases: folded to its base letter, đ to d."""
    letters = ("àảãáạ ằẳẵắặ ầẩẫấậ èẻẽéẹ ềểễếệ ìỉĩíị òỏõóọ ồổỗốộ ờởỡớợ ùủũúụ ừửữứự ỳỷỹýỵ ăâđêôơư")
    expected = "aaaaa-aaaaa-aaaaa-eeeee-eeeee-iiiii-ooooo-ooooo-ooooo-uuuuu-uuuuu-yyyyy-aadeoou"
    assert slugify(letters) == expected
    assert slugify(letters.upper()) == expected


def test_strip_tones_handles_d_bar() -> None:
    assert strip_tones("Đức Đông đường") == "Duc Dong duong"
    assert match_key("Giám  sát") == match_key("giam sat") == "giam sat"


def test_clean_text_nfc_soft_hyphen_and_spaces() -> None:
    assert clean_text(nfd("  Mặt\u00adtrận \n  Tổ   quốc ")) == "Mặttrận Tổ quốc"
    assert unicodedata.is_normalized("NFC", clean_text(nfd("Ủy ban")))


# --- sort_key -----------------------------------------------------------------------------------

def test_alphabet_order() -> None:
    letters = ["a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "g", "h", "i", "k", "l", "m", "n",
               "o", "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "x", "y"]
    shuffled = sorted(letters, key=lambda s: s.encode("utf-8")[::-1])
    assert shuffled != letters
    assert sorted(shuffled, key=sort_key) == letters


def test_tone_order() -> None:
    # ngang < huyền < hỏi < ngã < sắc < nặng
    tones = ["ma", "mà", "mả", "mã", "má", "mạ"]
    assert sorted(reversed(tones), key=sort_key) == tones
    assert sorted(["hòa", "họa", "hoa", "hóa", "hỏa", "hõa"], key=sort_key) == tones_like("hoa")


def tones_like(base: str) -> list[str]:
    marks = ["", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"]
    return [nfc(base[:2] + m + base[2:]) for m in marks]


def test_letters_before_tones() -> None:
    # A difference of letter anywhere outweighs a difference of tone.
    assert sort_key("bá") < sort_key("ca")
    assert sort_key("Mạc") < sort_key("Mai")
    # syllable by syllable, whatever the tones: "ha long" < "ha noi" < "hai phong"
    assert sorted(["Hải Phòng", "Hà Nội", "Hạ Long"], key=sort_key) == ["Hạ Long", "Hà Nội", "Hải Phòng"]


def test_d_bar_after_d() -> None:
    assert sort_key("Dương") < sort_key("Đức")
    assert sort_key("Dũng") < sort_key("Đà Nẵng")
    assert sort_key("Đức") < sort_key("Em")
    assert sorted(["Đức", "Dương", "Em", "Cường"], key=sort_key) == ["Cường", "Dương", "Đức", "Em"]
    # code point order would put Đ (U+0110) after every plain letter
    assert sorted(["Đức", "Em"]) == ["Em", "Đức"]


def test_vowel_letters_with_marks() -> None:
    assert sorted(["Âu Lâu", "An", "Ăn", "Ba"], key=sort_key) == ["An", "Ăn", "Âu Lâu", "Ba"]
    assert sorted(["Ơn", "Ôn", "On", "Ưa", "Ua"], key=sort_key) == ["On", "Ôn", "Ơn", "Ua", "Ưa"]


def test_sort_key_ignores_normal_form_and_spacing() -> None:
    assert sort_key(nfd("Đông Cuông")) == sort_key("Đông Cuông")
    assert sort_key("Xã  Mậu A") == sort_key("Xã Mậu A")


# --- dates --------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("2020-08-21", datetime(2020, 8, 21, 0, 0, tzinfo=ZONE)),
    ("2020-08-21 02:49", datetime(2020, 8, 21, 2, 49, tzinfo=ZONE)),
    ("2020-08-21T02:49", datetime(2020, 8, 21, 2, 49, tzinfo=ZONE)),
    ("2020-08-21 02:49:30", datetime(2020, 8, 21, 2, 49, 30, tzinfo=ZONE)),
    ("  2020-08-21 02:49  ", datetime(2020, 8, 21, 2, 49, tzinfo=ZONE)),
    ("2020-08-21T02:49:00+07:00", datetime(2020, 8, 21, 2, 49, tzinfo=timezone(timedelta(hours=7)))),
    ("2020-08-20T19:49:00Z", datetime(2020, 8, 20, 19, 49, tzinfo=UTC)),
])
def test_parse_datetime_accepts(text: str, expected: datetime) -> None:
    value = parse_datetime(text, ZONE)
    assert value is not None
    assert value.tzinfo is not None
    assert value == expected
    assert value.astimezone(ZONE).replace(tzinfo=None) == expected.astimezone(ZONE).replace(tzinfo=None)


def test_parse_datetime_local_time_is_vietnam_time() -> None:
    value = parse_datetime("2020-08-21 02:49", ZONE)
    assert value is not None
    assert value.utcoffset() == timedelta(hours=7)
    assert value.astimezone(UTC) == datetime(2020, 8, 20, 19, 49, tzinfo=UTC)


@pytest.mark.parametrize("text", [
    "", "21/08/2020", "21-08-2020", "2020-8-21", "2020/08/21", "20200821", "2020-02-30", "2020-13-01",
    "2020-08-21 25:00", "2020-08-21 02:60", "2020-08-21 2:49", "2020-08-21T", "2020-08-21 02:49 +07:00",
    "2020-08-21T02:49:00+07", "2020-W34", "hôm qua", "2020-08-21 02h49", "２０２０-08-21",
])
def test_parse_datetime_rejects(text: str) -> None:
    assert parse_datetime(text, ZONE) is None


def test_parse_date() -> None:
    assert parse_date("2025-07-01").isoformat() == "2025-07-01"  # type: ignore[union-attr]
    assert parse_date("2025-7-1") is None
    assert parse_date("2025-06-31") is None


def test_format_datetime_vi() -> None:
    value = datetime(2020, 8, 20, 19, 49, tzinfo=UTC)
    assert format_datetime_vi(value, ZONE) == "Thứ Sáu, 21/08/2020 02:49"


# --- properties ---------------------------------------------------------------------------------

VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂBCDĐEÊGHIKLMNOÔƠPQRSTUƯVXY"
TONED = "àảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵĐđ"
viet_text = st.text(alphabet=st.sampled_from(VIETNAMESE + TONED + " -,.'’0123456789"), max_size=30)
any_text = st.one_of(viet_text, st.text(max_size=30))


@settings(max_examples=300, deadline=None)
@given(any_text)
def test_slugify_output_is_always_a_clean_slug(text: str) -> None:
    slug = slugify(text)
    assert slug == "" or SLUG.match(slug), slug


@settings(max_examples=300, deadline=None)
@given(any_text)
def test_slugify_is_idempotent(text: str) -> None:
    assert slugify(slugify(text)) == slugify(text)


@settings(max_examples=200, deadline=None)
@given(any_text)
def test_slugify_same_for_nfc_and_nfd(text: str) -> None:
    assert slugify(nfd(text)) == slugify(nfc(text))


@settings(max_examples=200, deadline=None)
@given(st.lists(any_text, min_size=1, max_size=8))
def test_sort_key_is_a_total_order_consistent_under_nfc_nfd(words: list[str]) -> None:
    keys = [sort_key(w) for w in words]
    # NFC and NFD spellings get the same key
    assert [sort_key(nfd(w)) for w in words] == keys
    assert [sort_key(nfc(w)) for w in words] == keys
    # every pair is comparable and the order is total and antisymmetric
    for a in keys:
        for b in keys:
            assert (a < b) + (a == b) + (a > b) == 1
    # sorting NFD spellings gives the same order as sorting the NFC ones
    order_nfc = sorted(range(len(words)), key=lambda i: (sort_key(nfc(words[i])), i))
    order_nfd = sorted(range(len(words)), key=lambda i: (sort_key(nfd(words[i])), i))
    assert order_nfc == order_nfd


@settings(max_examples=200, deadline=None)
@given(viet_text, viet_text, viet_text)
def test_sort_key_is_transitive(a: str, b: str, c: str) -> None:
    ka, kb, kc = sorted([sort_key(a), sort_key(b), sort_key(c)])
    assert ka <= kb <= kc and ka <= kc


@settings(max_examples=200, deadline=None)
@given(viet_text)
def test_sort_key_letters_dominate_tones(text: str) -> None:
    # Removing tones never changes the letter part of the key.
    untoned = nfc("".join(ch for ch in nfd(text) if ch not in "\u0300\u0309\u0303\u0301\u0323"))
    assert sort_key(untoned)[0] == sort_key(text)[0]
