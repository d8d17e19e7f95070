"""Front matter of a Markdown source: split from the body, each key read and checked at its file line."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from frontmatter.default_handlers import YAMLHandler

from ..base.errors import Problems
from ..base.vietnamese import clean_text, parse_datetime
from .config import SiteConfig
from .sources import SourceText
from .units import FIRST_YEAR, LAST_YEAR
from .yamlload import LineDict, LineList, as_typed, load_yaml

_HANDLER = YAMLHandler()

# Longest slug: a folder name may hold 255 bytes; 200 leaves room and is already past reading.
MAX_SLUG = 200


@dataclass(frozen=True)
class FrontMatter:
    """A source split in two: its front matter, read, and its body with the file line it starts on."""

    meta: LineDict
    body: str
    first_line: int


def split_front_matter(src: SourceText, rel: str, problems: Problems) -> FrontMatter | None:
    """Separate the YAML front matter from the body and load it with file line numbers."""
    text = src.text
    if not _HANDLER.detect(text):
        problems.error(src.path, 1, "tệp không có phần thông tin đầu bài (front matter).",
                       'Dòng đầu tiên phải là "---", tiếp theo là title, date, unit..., rồi một dòng "---".')
        return None
    match = _HANDLER.FM_BOUNDARY.search(text)
    assert match is not None
    try:
        fm, body = _HANDLER.split(text)
    except ValueError:
        problems.error(src.path, 1, "phần thông tin đầu bài không có dòng \"---\" đóng lại.",
                       'Hãy thêm một dòng "---" sau các dòng thông tin.')
        return None
    offset = text[: match.end()].count("\n")
    meta, problem = load_yaml(fm, line_offset=offset)
    if problem is not None:
        problems.error(src.path, problem.line, problem.message, "Hãy sửa phần thông tin đầu bài ở dòng này.")
        return None
    if not isinstance(meta, LineDict):
        problems.error(src.path, 2, "phần thông tin đầu bài phải gồm các dòng \"khóa: giá trị\".",
                       'Ví dụ: title: "Tiêu đề bài viết".')
        return None
    return FrontMatter(meta, body, text.count("\n") - body.count("\n") + 1)  # the body is the text's tail


class Fields:
    """Typed reads of front matter keys, each mistake recorded with its line."""

    def __init__(self, src: SourceText, meta: LineDict, problems: Problems) -> None:
        self.src, self.meta, self.problems = src, meta, problems

    def line(self, key: str) -> int:
        return self.meta.line_of(key)

    def text(self, key: str, required: bool = False, example: str = "...") -> str | None:
        value = as_typed(self.meta.get(key), self.meta.raw.get(key))  # `title: 1:30` is "1:30", not 90
        if value is None or value == "":
            if required:
                self.problems.error(self.src.path, self.meta.line, f'thiếu "{key}".',
                                    f'Hãy thêm dòng "{key}: {example}" vào phần thông tin đầu bài.')
            return None
        if isinstance(value, (list, dict, bool)):
            self.problems.error(self.src.path, self.line(key), f'"{key}" phải là một dòng chữ.',
                                f'Hãy viết "{key}: {example}".')
            return None
        return clean_text(str(value))

    def text_list(self, key: str, example: str) -> tuple[str, ...]:
        value = self.meta.get(key)
        if value is None:
            return ()
        if isinstance(value, str) and ("," in value or ";" in value):
            self.problems.error(self.src.path, self.line(key), f'"{key}" được viết thành một dòng chữ "{clean_text(value)}", '
                                "không phải danh sách: cả dòng sẽ thành một mục.",
                                f"Hãy đặt các mục trong ngoặc vuông: {key}: [{', '.join(_pieces(value))}]")
            return ()
        if isinstance(value, str):
            value = [value]
        elif isinstance(value, LineList):
            value = [as_typed(v, value.raw[i]) for i, v in enumerate(value)]
        if not isinstance(value, list) or any(isinstance(v, (list, dict)) or v is None for v in value):
            self.problems.error(self.src.path, self.line(key), f'"{key}" phải là danh sách các dòng chữ.',
                                f"Ví dụ: {key}: [{example}]")
            return ()
        seen: dict[str, None] = {}
        for v in value:
            cleaned = clean_text(str(v))
            if cleaned:
                seen.setdefault(cleaned, None)
        return tuple(seen)

    def flag(self, key: str) -> bool:
        value = self.meta.get(key, False)
        if not isinstance(value, bool):
            self.problems.error(self.src.path, self.line(key), f'"{key}" phải là true hoặc false.',
                                f"Ví dụ: {key}: true")
            return False
        return value

    def unknown(self, known: set[str]) -> None:
        for key in self.meta:
            if key not in known:
                self.problems.warn(self.src.path, self.line(key), f'mục "{key}" không được dùng.',
                                   "Hãy kiểm tra chính tả tên mục (xem README).")


def _pieces(text: str) -> list[str]:
    """The items of a list written as one line of text ("Dân vận, Giám sát")."""
    return [p for p in (clean_text(p) for p in text.replace(";", ",").split(",")) if p]


def read_date(fields: Fields, key: str, config: SiteConfig, required: bool) -> datetime | None:
    """The date and time of `key` in the site's time zone; None (with the problem recorded) if absent or wrong."""
    raw = fields.text(key, required, '"2020-08-21 02:49"')
    if raw is None:
        return None
    value = parse_datetime(raw, config.timezone)
    if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
        fields.problems.error(fields.src.path, fields.line(key), f'ngày "{raw}" ngoài khoảng năm {FIRST_YEAR}–{LAST_YEAR}.',
                              "Hãy kiểm tra lại năm của bài viết.")
        return None
    if value is not None:
        return value.astimezone(config.timezone)
    if value is None:
        fields.problems.error(fields.src.path, fields.line(key), f'ngày "{raw}" không đọc được.',
                              'Hãy viết theo dạng "2020-08-21 02:49" (giờ Việt Nam) hoặc "2020-08-21T02:49:00+07:00".')
    return value


def path_like(slug_text: str) -> bool:
    """A slug written as a path ("../x", "/etc/passwd", "a\\b", "~/x"), not as a piece of an address."""
    return "/" in slug_text or "\\" in slug_text or slug_text.startswith("~")


def path_slug_error(path: Path, line: int | None, slug_text: str, slug: str, problems: Problems) -> None:
    """Record that a slug was written as a path (see `path_like`), with the slug to write instead."""
    problems.error(path, line, f'slug "{slug_text}" được viết như một đường dẫn thư mục.',
                   f'Slug chỉ là một phần của địa chỉ trang, không có "/", "\\" hay "~": hãy viết slug: "{slug}".')


def cut_slug(slug: str, limit: int = MAX_SLUG) -> str:
    """`slug` cut to at most `limit` characters at a word boundary (inside a word only if the
    first word alone is longer)."""
    if len(slug) <= limit:
        return slug
    cut = slug[: limit + 1].rsplit("-", 1)[0]
    return cut if cut and len(cut) <= limit else slug[:limit].rstrip("-")
