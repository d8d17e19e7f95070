"""Vietnamese text rules in one place: NFC, slugs, matching and sort keys, dates.

Every other module calls these; nothing else strips tones or formats a date by hand.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, tzinfo

from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime

LOCALE = "vi"

_APOSTROPHES = "'\u2019\u2018\u02bc`\u00b4"
_SOFT_HYPHEN = "\u00ad"
_SPACES = re.compile(r"\s+")
_NON_SLUG = re.compile(r"[^a-z0-9]+")

# Combining marks that carry the five tones, in the order Vietnamese dictionaries sort them
# (ngang, then huyền < hỏi < ngã < sắc < nặng).
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
# Marks that make a separate letter of the alphabet: ă â ê ô ơ ư.
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}
_ALPHABET = [
    "a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m",
    "n", "o", "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z",
]
_LETTER_RANK = {letter: 100 + i for i, letter in enumerate(_ALPHABET)}


def nfc(text: str) -> str:
    """Unicode NFC: what every text from a source becomes before anything else sees it."""
    return unicodedata.normalize("NFC", text)


def clean_text(text: str) -> str:
    """NFC, no soft hyphens, runs of white space collapsed: for titles, names and tags."""
    return _SPACES.sub(" ", nfc(text).replace(_SOFT_HYPHEN, "")).strip()


def strip_tones(text: str) -> str:
    """Remove every diacritic, đ/Đ included (it has no Unicode decomposition): "Đức" → "Duc"."""
    text = nfc(text).replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def slugify(text: str, separator: str = "-") -> str:
    """Lower-case ASCII slug for URLs, tags and heading anchors: "Đại hội Đảng bộ" → "dai-hoi-dang-bo"."""
    text = strip_tones(text.replace(_SOFT_HYPHEN, "")).lower()
    for mark in _APOSTROPHES:
        text = text.replace(mark, "")
    return _NON_SLUG.sub(separator, text).strip(separator)


def match_key(text: str) -> str:
    """Key under which two spellings are the same thing: case, tones, đ and spacing folded."""
    return " ".join(slugify(text).split("-"))


def _letters(text: str) -> list[tuple[int, int, int]]:
    """(letter rank, tone, case) for each character, in Vietnamese alphabetical terms."""
    out: list[tuple[int, int, int]] = []
    for ch in nfc(text):
        upper = int(ch != ch.lower())
        low = ch.lower()
        if low == "đ":
            out.append((_LETTER_RANK["đ"], 0, upper))
            continue
        parts = unicodedata.normalize("NFD", low)
        base = parts[0]
        tone = 0
        for mark in parts[1:]:
            if mark in _LETTER_MARKS:
                base = unicodedata.normalize("NFC", base + mark)
            elif mark in _TONES:
                tone = _TONES[mark]
        if base in _LETTER_RANK:
            out.append((_LETTER_RANK[base], tone, upper))
        elif base.isdigit():
            out.append((50 + int(base) if base in "0123456789" else 60, 0, 0))
        elif base.isspace() or unicodedata.category(base).startswith(("P", "Z", "S")):
            out.append((1, 0, 0))
        else:
            out.append((1000 + ord(base), tone, upper))
    return out


def sort_key(text: str) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """Vietnamese collation: letters first (a ă â … đ …), then tones, then case, as ICU's `vi` does."""
    letters = _letters(clean_text(text))
    return (
        tuple(rank for rank, _, _ in letters),
        tuple(tone for _, tone, _ in letters),
        tuple(case for _, _, case in letters),
    )


_DATE = r"\d{4}-\d{2}-\d{2}"
_DATETIME_FORMS = re.compile(
    rf"^{_DATE}(?:[ T]\d{{2}}:\d{{2}}(?::\d{{2}}(?:\.\d+)?)?(?:Z|[+-]\d{{2}}:?\d{{2}})?)?$"
)


def parse_datetime(text: str, zone: tzinfo) -> datetime | None:
    """Strictly parse `2020-08-21`, `2020-08-21 02:49` (local time) or ISO 8601 with an offset."""
    text = text.strip()
    if not _DATETIME_FORMS.match(text):
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value


def parse_date(text: str) -> date | None:
    """Strictly parse `YYYY-MM-DD`."""
    text = text.strip()
    if not re.fullmatch(_DATE, text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def format_datetime_vi(value: datetime, zone: tzinfo) -> str:
    """"Thứ Sáu, 21/08/2020 02:49" in the site's time zone."""
    return _babel_datetime(value.astimezone(zone), "EEEE, dd/MM/yyyy HH:mm", locale=LOCALE)


def format_weekday_date_vi(value: date) -> str:
    """"Thứ Sáu, 10/08/2018"."""
    return _babel_date(value, "EEEE, dd/MM/yyyy", locale=LOCALE)


def format_date_vi(value: date | datetime) -> str:
    """"21/08/2020"."""
    if isinstance(value, datetime):
        value = value.date()
    return _babel_date(value, "dd/MM/yyyy", locale=LOCALE)


def local_midnight(value: date, zone: tzinfo) -> datetime:
    return datetime.combine(value, time(0, 0), tzinfo=zone)
