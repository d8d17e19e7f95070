"""Vietnamese text rules in one place: NFC, slugs, matching and sort keys, dates.

Every other module calls these; nothing else strips tones or formats a date by hand.
"""
from __future__ import annotations

import calendar
import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo
from decimal import Decimal

from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.numbers import format_decimal as _babel_decimal

LOCALE = "vi"

_APOSTROPHES = "'\u2019\u2018\u02bc`\u00b4"
_SOFT_HYPHEN = "\u00ad"
_SPACES = re.compile(r"\s+")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
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
    """NFC, no soft hyphens, control characters (a YAML "\\0") as spaces, runs of white space
    collapsed: for titles, names and tags."""
    return _SPACES.sub(" ", _CONTROL.sub(" ", nfc(text).replace(_SOFT_HYPHEN, ""))).strip()


def strip_tones(text: str) -> str:
    """Remove every diacritic, đ/Đ included (it has no Unicode decomposition): "Đức" → "Duc"."""
    text = nfc(text).replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@functools.lru_cache(maxsize=1 << 16)  # the same names (units, tags, titles) are slugged on every build
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


@functools.lru_cache(maxsize=1 << 16)  # pure, and called for every figure of every page
def format_datetime_vi(value: datetime, zone: tzinfo) -> str:
    """"Thứ Sáu, 21/08/2020 02:49" in the site's time zone."""
    return _babel_datetime(value.astimezone(zone), "EEEE, dd/MM/yyyy HH:mm", locale=LOCALE)


@functools.lru_cache(maxsize=1 << 16)  # pure, and called for every figure of every page
def format_weekday_date_vi(value: date) -> str:
    """"Thứ Sáu, 10/08/2018"."""
    return _babel_date(value, "EEEE, dd/MM/yyyy", locale=LOCALE)


@functools.lru_cache(maxsize=1 << 16)  # pure, and called for every figure of every page
def format_date_vi(value: date | datetime) -> str:
    """"21/08/2020"."""
    if isinstance(value, datetime):
        value = value.date()
    return _babel_date(value, "dd/MM/yyyy", locale=LOCALE)


def warm_up_formats() -> None:
    """Load Babel's Vietnamese data and parse the patterns now (≈ 30 ms the first time), so the
    first edit in `serve` after a build that rendered nothing does not wait for it."""
    _babel_datetime(datetime(2000, 1, 1, tzinfo=UTC), "EEEE, dd/MM/yyyy HH:mm", locale=LOCALE)
    _babel_date(date(2000, 1, 1), "EEEE, dd/MM/yyyy", locale=LOCALE)
    _babel_decimal(Decimal("1.5"), format="#,##0.###", locale=LOCALE)


def local_midnight(value: date, zone: tzinfo) -> datetime:
    return datetime.combine(value, time(0, 0), tzinfo=zone)


# --- numbers ----------------------------------------------------------------------------------

_SCALES = {"nghìn": 1000, "ngàn": 1000, "triệu": 10**6, "tỷ": 10**9, "tỉ": 10**9}
# ASCII digits only: Python's \d would also read Arabic-Indic "١٢٣" or full-width "１２３".
_PLAIN = re.compile(r"^-?\d+$", re.ASCII)
_GROUPED = re.compile(r"^-?[1-9]\d{0,2}(?:\.\d{3})+(?:,\d+)?$", re.ASCII)
_COMMA_DECIMAL = re.compile(r"^-?\d+,\d+$", re.ASCII)
_LEADING_ZERO = re.compile(r"^-?0\d", re.ASCII)


class ParseError(ValueError):
    """A number or period typed in a source that cannot be read without guessing; `hint` says how to write it."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def parse_number(text: str) -> Decimal:
    """Read a number the Vietnamese way, strictly: "1.030", "16,4 tỷ", "300 nghìn", "298".

    A dot groups thousands and a comma marks decimals. "1,030" (English thousands or 1,03?) and
    "16.4" (English decimal) are refused rather than guessed.
    """
    raw = clean_text(str(text))
    words = raw.split(" ")
    scale = 1
    if len(words) == 2 and words[1].lower() in _SCALES:
        scale = _SCALES[words[1].lower()]
        body = words[0]
    elif len(words) == 1:
        body = words[0]
    elif re.fullmatch(r"-?\d{1,3}( \d{3})+", raw, re.ASCII):
        raise ParseError(f'số "{raw}" có dấu cách giữa các chữ số.',
                         f'Hãy viết "{raw.replace(" ", ".")}" (hàng nghìn dùng dấu chấm) hoặc "{raw.replace(" ", "")}".')
    else:
        raise ParseError(f'số "{raw}" không đọc được.',
                          'Hãy viết số như "1.030", "16,4 tỷ", "300 nghìn" hoặc "298".')
    if not body:
        raise ParseError("thiếu số.", 'Hãy viết số như "1.030" hoặc "298".')
    _refuse_unusual_digits(raw, body)
    if _PLAIN.match(body):
        value = Decimal(body)
    elif _GROUPED.match(body):
        value = Decimal(body.replace(".", "").replace(",", "."))
    elif _COMMA_DECIMAL.match(body):
        whole, frac = body.split(",")
        if len(frac) == 3 and scale == 1 and whole.lstrip("-") != "0":
            raise ParseError(
                f'số "{raw}" không rõ nghĩa.',
                f'Viết "{whole}.{frac}" (hàng nghìn dùng dấu chấm) hoặc "{whole}{frac}"; '
                f'nếu là số thập phân, viết "{whole},{frac.rstrip("0") or "0"}".')
        value = Decimal(body.replace(",", "."))
    elif re.fullmatch(r"-?\d+\.\d{1,2}|-?\d+\.\d{4,}|-?0\.\d+", body, re.ASCII):
        whole, frac = body.split(".")
        raise ParseError(f'số "{raw}" không rõ nghĩa: dấu chấm dùng để tách hàng nghìn.',
                          f'Nếu là số thập phân, viết "{whole},{frac}".')
    else:
        raise ParseError(f'số "{raw}" không đọc được.',
                          'Hãy viết số như "1.030", "16,4 tỷ", "300 nghìn" hoặc "298".')
    value *= scale
    return Decimal(int(value)) if value == value.to_integral_value() else value.normalize()


def _refuse_unusual_digits(raw: str, body: str) -> None:
    """Digits that are not 0–9 (Arabic-Indic, full-width: pasted from another keyboard) and a
    leading zero ("0755": a code pasted as a figure, or an octal number to YAML) are refused with
    the number spelled the usual way, never converted silently."""
    if any(ch.isdigit() and not ("0" <= ch <= "9") for ch in body):
        usual = "".join(str(unicodedata.digit(ch)) if ch.isdigit() else ch for ch in raw)
        raise ParseError(f'số "{raw}" có chữ số không phải 0–9 (gõ bằng bàn phím hoặc bảng mã khác).',
                         f'Hãy gõ lại bằng chữ số 0–9, ví dụ "{usual}".')
    if _LEADING_ZERO.match(body):
        sign = "-" if body.startswith("-") else ""
        trimmed = sign + (body.lstrip("-").lstrip("0") or "0")
        if trimmed.lstrip("-").startswith(","):
            trimmed = sign + "0" + trimmed.lstrip("-")
        raise ParseError(f'số "{raw}" có chữ số 0 ở đầu.',
                         f'Số liệu không bắt đầu bằng 0 (đó thường là mã số dán nhầm); nếu đúng là số, hãy viết "{trimmed}".')


# --- periods ----------------------------------------------------------------------------------

@dataclass(frozen=True, order=True)
class Period:
    """A reporting period: its first and last day, and how it was written (for labels)."""

    start: date
    end: date
    kind: str   # year | half | quarter | month | day | range
    text: str

    def within(self, other: Period) -> bool:
        return other.start <= self.start and self.end <= other.end

    def overlaps(self, other: Period) -> bool:
        return self.start <= other.end and other.start <= self.end

    @property
    def year(self) -> int:
        return self.start.year

    @property
    def number(self) -> int:
        """The half (1–2), quarter (1–4) or month (1–12) of the year; 0 otherwise."""
        if self.kind == "half":
            return 1 if self.start.month == 1 else 2
        if self.kind == "quarter":
            return (self.start.month - 1) // 3 + 1
        if self.kind == "month":
            return self.start.month
        return 0


_PERIOD = re.compile(
    r"^(?P<year>\d{4})(?:-(?:H(?P<half>[12])|Q(?P<quarter>[1-4])|(?P<month>\d{2})(?:-(?P<day>\d{2}))?))?$"
)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def parse_period(text: str) -> Period:
    """`2020`, `2020-H1`, `2020-Q3`, `2020-08`, `2020-08-21` or `2020-01-01..2020-06-30`."""
    raw = clean_text(str(text)).replace(" ", "")
    hint = 'Hãy viết kỳ báo cáo như "2020", "2020-H1", "2020-Q3", "2020-08", "2020-08-21" hoặc "2020-01-01..2020-06-30".'
    if ".." in raw:
        first, _, last = raw.partition("..")
        start, end = parse_date(first), parse_date(last)
        if start is None or end is None:
            raise ParseError(f'kỳ báo cáo "{raw}" không đọc được.', hint)
        if end < start:
            raise ParseError(f'kỳ báo cáo "{raw}" có ngày kết thúc trước ngày bắt đầu.', "Hãy đổi chỗ hai ngày.")
        return Period(start, end, "range", raw)
    match = _PERIOD.match(raw)
    if not match:
        raise ParseError(f'kỳ báo cáo "{raw}" không đọc được.', hint)
    year = int(match["year"])
    try:
        if match["half"]:
            half = int(match["half"])
            return Period(date(year, 6 * half - 5, 1), _month_end(year, 6 * half), "half", raw)
        if match["quarter"]:
            quarter = int(match["quarter"])
            return Period(date(year, 3 * quarter - 2, 1), _month_end(year, 3 * quarter), "quarter", raw)
        if match["day"]:
            day = date(year, int(match["month"]), int(match["day"]))
            return Period(day, day, "day", raw)
        if match["month"]:
            month = int(match["month"])
            return Period(date(year, month, 1), _month_end(year, month), "month", raw)
        return Period(date(year, 1, 1), date(year, 12, 31), "year", raw)
    except ValueError:
        raise ParseError(f'kỳ báo cáo "{raw}" có năm, ngày hoặc tháng không tồn tại.', hint) from None


def year_period(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31), "year", str(year))


@functools.lru_cache(maxsize=1 << 16)  # pure, and called for every figure of every page
def format_number(value: Decimal | int) -> str:
    """"1.030", "16,4": Vietnamese grouping and decimal comma, exact for Decimals."""
    return _babel_decimal(value, format="#,##0.###", locale=LOCALE)


# (size, word, smallest amount written with the word): "2.300" stays in digits, "300 nghìn" does not.
_MAGNITUDES = ((10**9, "tỷ", 10**9), (10**6, "triệu", 10**6), (10**3, "nghìn", 10**5))


@functools.lru_cache(maxsize=1 << 16)  # pure, and called for every figure of every page
def format_amount(value: Decimal | int) -> str:
    """Large round amounts the way a bulletin writes them: "16,4 tỷ", "300 nghìn"; others in full."""
    value = Decimal(value)
    for size, word, smallest in _MAGNITUDES:
        if abs(value) >= smallest:
            scaled = value / size
            if scaled == scaled.quantize(Decimal("0.1")):
                return f"{format_number(scaled.normalize())} {word}"
            break
    return format_number(value)
