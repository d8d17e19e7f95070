"""Vietnamese text from before Unicode: TCVN3 (ABC), VNI-Windows and Windows-1258.

Editors paste from old Word files typed with legacy fonts: the letters arrive as Latin-1
look-alikes ("MÆt trËn Tæ quèc" is TCVN3 for "Mặt trận Tổ quốc", "Maët traän Toå quoác" is
VNI). A line is reported only when its odd letters turn into valid Vietnamese syllables under
one of the two tables, so French or German words are left alone. Whole files in Windows-1258
or UTF-16 are read when the result is certainly Vietnamese.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from ..base.vietnamese import nfc

# --- TCVN3 (TCVN 5712:1993, "ABC"): one byte per letter ------------------------------------------
_TCVN3_LETTERS = {
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
    0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ",
}
_TCVN3_TONED = (
    (0xB5, "àảãáạ"), (0xBB, "ằẳẵắ"), (0xC6, "ặầẩẫấậ"), (0xCC, "è"), (0xCE, "ẻẽéẹềểễếệ"),
    (0xD7, "ìỉ"), (0xDC, "ĩíịò"), (0xE1, "ỏõóọồổỗốộờởỡớợù"), (0xF1, "ủũúụừửữứựỳỷỹýỵ"),
)
TCVN3: dict[str, str] = {chr(code): letter for code, letter in _TCVN3_LETTERS.items()}
for _start, _letters in _TCVN3_TONED:
    for _offset, _letter in enumerate(_letters):
        TCVN3[chr(_start + _offset)] = _letter

# --- VNI-Windows: a base letter followed by a mark byte -----------------------------------------
_VNI_MARKS = {  # mark character → (what it adds: a tone, a letter shape, or both)
    "ù": ("\u0301", ""), "ø": ("\u0300", ""), "û": ("\u0309", ""), "õ": ("\u0303", ""), "ï": ("\u0323", ""),
    "â": ("", "\u0302"), "á": ("\u0301", "\u0302"), "à": ("\u0300", "\u0302"), "å": ("\u0309", "\u0302"),
    "ã": ("\u0303", "\u0302"), "ä": ("\u0323", "\u0302"),
    "ê": ("", "\u0306"), "é": ("\u0301", "\u0306"), "è": ("\u0300", "\u0306"), "ú": ("\u0309", "\u0306"),
    "ü": ("\u0303", "\u0306"), "ë": ("\u0323", "\u0306"),
}
_VNI_SINGLE = {"ô": "ơ", "ö": "ư", "ñ": "đ", "î": "ỵ", "í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị"}
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def from_tcvn3(text: str) -> str:
    return "".join(TCVN3.get(ch, ch) for ch in text)


def from_vni(text: str) -> str:
    """Compose VNI's base-plus-mark pairs into Unicode letters."""
    out: list[str] = []
    for ch in text:
        low = ch.lower()
        if out and low in _VNI_MARKS and _accepts(out[-1], *_VNI_MARKS[low]):
            tone, shape = _VNI_MARKS[low]
            out[-1] = unicodedata.normalize("NFC", unicodedata.normalize("NFD", out[-1]) + shape + tone)
            continue
        single = _VNI_SINGLE.get(low)
        out.append((single.upper() if ch != low else single) if single else ch)
    return "".join(out)


def _accepts(previous: str, tone: str, shape: str) -> bool:
    """Whether a VNI mark can follow `previous`: a toneless vowel, with a shape it can take."""
    parts = unicodedata.normalize("NFD", previous.lower())
    base, marks = parts[0], parts[1:]
    if base not in "aeiouy" or any(m in _TONES for m in marks):
        return False
    if shape == "\u0302":
        return base in "aeo" and not marks
    if shape == "\u0306":
        return base == "a" and not marks
    return True


# --- Vietnamese syllables -----------------------------------------------------------------------
_ONSETS = ("ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr", "b", "c", "d", "đ", "g",
           "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "")
_VOWELS = {
    "a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y",
    "ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iu", "oa", "oă", "oe", "oi", "ôi", "ơi", "oo",
    "ua", "uâ", "uê", "ui", "uô", "uơ", "uy", "ưa", "ưi", "ưu", "ươ", "iê", "yê",
    "oai", "oao", "oay", "oeo", "uây", "uôi", "uya", "uyu", "ươi", "ươu", "iêu", "yêu", "uyê",
}
_CODAS = ("ch", "ng", "nh", "c", "m", "n", "p", "t", "")
_STOPS = ("c", "ch", "p", "t")
_VIETNAMESE_LETTERS = set("abcdefghijklmnopqrstuvwxyzăâđêôơư")
# Vowel groups that end the syllable (a final glide, or ia/ua/ưa) and groups that need a final consonant.
_OPEN_ONLY = {v for v in _VOWELS if len(v) > 1 and v[-1] in "iouy" and v not in ("uy", "oo")} | {"ia", "ua", "ưa", "uya"}
_CLOSED_ONLY = {"ă", "â", "oă", "uâ", "iê", "yê", "uô", "ươ", "uyê", "oo"}


@lru_cache(maxsize=1 << 16)
def is_syllable(word: str) -> bool:
    """True for a well-formed Vietnamese syllable ("quốc", "Nghiêng"): a known onset, vowel group and
    final, one tone mark at most, and only sắc or nặng before a stop (-c, -ch, -p, -t)."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = [ch for ch in decomposed if ch in _TONES]
    if len(tones) > 1:
        return False
    toneless = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONES))
    if not toneless or any(ch not in _VIETNAMESE_LETTERS for ch in toneless):
        return False
    for onset in _ONSETS:
        if not toneless.startswith(onset):
            continue
        rest = toneless[len(onset):]
        if onset == "gi" and rest in ("", "n", "ng", "m", "t", "c", "p"):
            return True
        for coda in _CODAS:
            vowels = rest[: len(rest) - len(coda)] if coda else rest
            if not rest.endswith(coda) or vowels not in _VOWELS:
                continue
            if (coda and vowels in _OPEN_ONLY) or (not coda and vowels in _CLOSED_ONLY):
                continue
            if coda in _STOPS and tones and tones[0] not in ("\u0301", "\u0323"):
                continue
            if onset == "qu" and vowels.startswith("u"):
                continue
            return True
    return False


def _acronym(word: str) -> bool:
    """Abbreviations such as "QĐ", "NĐ", "TU" that legacy lines carry beside syllables."""
    return 1 < len(word) <= 5 and word.isupper() and all(ch.lower() in _VIETNAMESE_LETTERS for ch in word)


# « and » are letters in TCVN3 (ô, ằ), so they do not split words.
_WORD = re.compile(r"[^\s\d.,;:!?()\[\]{}\"'“”‘’/\\|<>=+*&%$#@^~`_-]+")
_PLAIN_LETTER = re.compile(r"[A-Za-zĂÂĐÊÔƠƯăâđêôơưÀ-ỹ]")


def _vietnamese_char(ch: str) -> bool:
    """A letter Vietnamese writes: a plain letter, đ, or a vowel with tone, circumflex, breve or horn."""
    parts = unicodedata.normalize("NFD", ch.lower())
    if parts[0] in _VIETNAMESE_LETTERS and len(parts) == 1:
        return True
    return parts[0] in "aeiouy" and all(m in _TONES or m in ("\u0302", "\u0306", "\u031b") for m in parts[1:])


_ODD_CHARS = re.compile("[" + "".join(re.escape(chr(c)) for c in range(0xA0, 0x250) if not _vietnamese_char(chr(c))) + "]")


def _odd(word: str) -> bool:
    """A word mixing letters with a character Vietnamese never uses but legacy text produces
    ("MÆt", "th«n", "®Þnh"); a symbol standing alone ("©", "½", "·") is not one."""
    return _ODD_CHARS.search(word) is not None and re.search("[A-Za-z]", word) is not None


@lru_cache(maxsize=1 << 16)
def _suspect(word: str) -> bool:
    """A word that legacy text could have produced: odd characters, or accented but no syllable."""
    return _odd(word) or (not word.isascii() and not is_syllable(word) and not _acronym(word))


@lru_cache(maxsize=1 << 17)
def _clean_piece(piece: str) -> bool:
    """True when no word of a space-free piece of text ("năm," "(xã") is suspect."""
    return not any(_suspect(w) for w in _WORD.findall(piece))


@dataclass(frozen=True)
class LegacyLine:
    """A line that looks typed in a legacy encoding, with the table and the converted text."""

    line: int
    encoding: str        # "TCVN3" | "VNI"
    original: str
    converted: str


_CONVERTERS = (("TCVN3", from_tcvn3), ("VNI", from_vni))


def detect_line(text: str) -> tuple[str, str] | None:
    """(encoding, converted) when the line's suspect words all become Vietnamese under one table.

    Suspect words are those with odd characters ("MÆt") or accented words that are no Vietnamese
    syllable ("trùc"). A line without odd characters needs two suspects, so one typo or foreign
    word is never "converted"; a line whose plain words are mostly not Vietnamese is left alone;
    when both tables fit, the one leaving the line most Vietnamese wins.
    """
    if text.isascii():
        return None
    words = _WORD.findall(text)
    suspects = [w for w in words if _suspect(w)]
    if not suspects or (len(suspects) < 2 and not any(_odd(w) for w in suspects)):
        return None
    best: tuple[int, str, str] | None = None
    for name, convert in _CONVERTERS:
        fixed = [convert(w) for w in suspects]
        if not all(not _odd(w) and all(is_syllable(p) or _acronym(p) for p in _WORD.findall(w)) for w in fixed):
            continue
        converted = convert(text)
        converted_words = _WORD.findall(converted)
        vietnamese = sum(1 for w in converted_words if not w.isascii() and is_syllable(w))
        foreign = sum(1 for w in converted_words if w.isascii() and w.isalpha() and not is_syllable(w) and not _acronym(w))
        if foreign >= vietnamese:  # mostly another language ("Das Maß ist voll"): leave it alone
            continue
        score = vietnamese - foreign
        if best is None or score > best[0]:
            best = (score, name, converted)
    return (best[1], nfc(best[2])) if best else None


def find_legacy_lines(text: str) -> list[LegacyLine]:
    """Every line of a text that looks pasted from TCVN3 or VNI."""
    # Words never span lines or spaces: a text none of whose distinct pieces holds a suspect word
    # has no such line (the pieces repeat from text to text, so `_clean_piece` mostly hits its cache).
    if text.isascii() or all(map(_clean_piece, set(text.split()))):
        return []
    found = []
    for number, line in enumerate(text.split("\n"), 1):
        hit = detect_line(line)
        if hit:
            found.append(LegacyLine(number, hit[0], line, hit[1]))
    return found


def convert_text(text: str) -> str:
    """The text with every detected legacy line converted (what `fix-encoding` writes)."""
    lines = text.split("\n")
    for hit in find_legacy_lines(text):
        lines[hit.line - 1] = hit.converted
    return "\n".join(lines)


def _vietnamese_share(text: str) -> float:
    words = [w for w in _WORD.findall(text) if _PLAIN_LETTER.search(w)]
    accented = [w for w in words if not w.isascii()]
    if len(accented) < 3:
        return 0.0
    return sum(1 for w in accented if is_syllable(w)) / len(accented)


def decode_legacy_bytes(data: bytes) -> tuple[str, str] | None:
    """(text, encoding name) for a file that is not UTF-8, when it is certainly Vietnamese."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            return None
    candidates: list[tuple[float, str, str]] = []
    for name, decode in (("Windows-1258", lambda d: d.decode("cp1258")),
                         ("TCVN3", lambda d: from_tcvn3(d.decode("latin-1"))),
                         ("VNI", lambda d: from_vni(d.decode("cp1252", errors="strict")))):
        try:
            text = nfc(decode(data))
        except UnicodeDecodeError:
            continue
        share = _vietnamese_share(text)
        if share >= 0.95:
            candidates.append((share, name, text))
    if len(candidates) != 1:  # none, or several equally plausible: not certain
        return None
    return candidates[0][2], candidates[0][1]
