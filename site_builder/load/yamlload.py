"""YAML with line numbers: mappings remember the line of every key, scalars keep their raw text.

Dates and times are left as strings (we parse them ourselves, strictly, in local time), and a
broken document becomes a `YamlProblem` with the line of the mistake instead of an exception.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self, TypeVar

import yaml
from yaml.constructor import SafeConstructor

from ..base.errors import Problems
from .sources import read_text


class LineDict(dict[str, Any]):
    """A dict from YAML that knows its own line and the line and raw text of each key's value."""

    line: int
    lines: dict[str, int]
    raw: dict[str, str]
    key_raw: dict[str, str]  # each key as typed: YAML reads the key `030` as the number 24
    flow: bool  # written inline, `{a: 1, b: 2}`, where an unquoted comma ends a value
    bare: set[str]  # keys written with no colon at all (`{a: 1, b}`): pieces of a torn value

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)

    def typed(self, key: str) -> str | None:
        """The text typed for a scalar value, when YAML read it as something else (a number,
        true/false): `0755` → "0755", not 493; `1:30` → "1:30", not 90; None otherwise."""
        return typed_text(self.get(key), self.raw.get(key))


class LineList(list[Any]):
    """A list from YAML that knows its own line and the line of each element."""

    line: int
    lines: list[int]
    raw: list[str | None]  # each scalar element as typed (None for a list or mapping)

    def line_of(self, index: int) -> int:
        return self.lines[index] if index < len(self.lines) else self.line

    def typed(self, index: int) -> str | None:
        """Like `LineDict.typed`, for the element at `index`."""
        return typed_text(self[index], self.raw[index] if index < len(self.raw) else None)


def typed_text(value: object, raw: str | None) -> str | None:
    """`raw` when YAML resolved a plain scalar to a non-text value (int, float, bool), else None."""
    if raw is not None and isinstance(value, (bool, int, float)):
        return raw
    return None


def as_typed(value: object, raw: str | None) -> object:
    """The value as the editor typed it: the raw text in place of a number or true/false that
    YAML made of it; a text field never shows 493 for `0755`."""
    typed = typed_text(value, raw)
    return value if typed is None else typed


@dataclass(frozen=True)
class YamlProblem:
    """Where a YAML document stopped making sense, in the file's own line numbers."""

    line: int | None
    message: str


_MAX_DEPTH = 100
_TOO_DEEP = f"YAML lồng nhau quá sâu (quá {_MAX_DEPTH} cấp danh sách hoặc mục con)"
_MAX_UNFOLD = 10  # values the aliases may unfold into, per value written in the file
_TOO_BIG = ("YAML dùng lại giá trị có neo (&tên, gọi lại bằng *tên) quá nhiều lần: khi mở ra, "
            "tệp thành quá nhiều giá trị")


class _Constructing(SafeConstructor):
    """Constructors that keep dates as text and record lines; `line_offset` maps to file lines."""

    line_offset = 0

    # `self: Self`: each method is typed as a method of the loader class it is registered on, as the
    # stubs' add_constructor asks. The ignore: the stubs type the result as dict[Hashable, ...], which
    # no dict subclass with str keys can match (dict is invariant in its key); PyYAML takes any dict.
    def construct_mapping(self: Self, node: yaml.MappingNode, deep: bool = False) -> LineDict:  # type: ignore[override]
        self.flatten_mapping(node)
        result = LineDict()
        result.line = node.start_mark.line + 1 + self.line_offset
        result.lines = {}
        result.raw = {}
        result.key_raw = {}
        result.flow = bool(node.flow_style)
        result.bare = set()
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise yaml.constructor.ConstructorError(
                    None, None, "khóa không hợp lệ", key_node.start_mark
                )
            key = str(key) if not isinstance(key, str) else key
            if key in result:
                raise yaml.constructor.ConstructorError(
                    None, None, f'khóa "{key}" bị lặp lại', key_node.start_mark
                )
            result[key] = self.construct_object(value_node, deep=True)
            result.lines[key] = key_node.start_mark.line + 1 + self.line_offset
            if isinstance(key_node, yaml.ScalarNode):
                result.key_raw[key] = key_node.value
            if isinstance(value_node, yaml.ScalarNode):
                result.raw[key] = value_node.value
                if value_node.value == "" and value_node.start_mark.index == key_node.end_mark.index:
                    result.bare.add(key)
        return result

    def construct_sequence(self: Self, node: yaml.SequenceNode, deep: bool = False) -> LineList:
        result = LineList(self.construct_object(child, deep=True) for child in node.value)
        result.line = node.start_mark.line + 1 + self.line_offset
        result.lines = [child.start_mark.line + 1 + self.line_offset for child in node.value]
        result.raw = [child.value if isinstance(child, yaml.ScalarNode) else None for child in node.value]
        return result

    def construct_yaml_str(self: Self, node: yaml.ScalarNode) -> str:
        return unicodedata.normalize("NFC", node.value)


class _Loader(_Constructing, yaml.SafeLoader):
    """The pure-Python parser: exact messages, and deep nesting ends in a RecursionError."""


# libyaml's loader when PyYAML was built with it, else the pure-Python one (same constructors);
# mypy checks against libyaml's.
if TYPE_CHECKING or yaml.__with_libyaml__:
    _FastBase = yaml.CSafeLoader
else:
    _FastBase = yaml.SafeLoader


class _FastLoader(_Constructing, _FastBase):
    """libyaml's parser, about five times faster; used only on short texts, since its recursive
    composer crashes the process on nesting in the tens of thousands."""


_AnyLoader = TypeVar("_AnyLoader", _Loader, _FastLoader)


def _use_constructors(cls: type[_AnyLoader]) -> None:
    cls.add_constructor("tag:yaml.org,2002:map", cls.construct_mapping)
    cls.add_constructor("tag:yaml.org,2002:seq", cls.construct_sequence)
    cls.add_constructor("tag:yaml.org,2002:str", cls.construct_yaml_str)
    cls.add_constructor("tag:yaml.org,2002:timestamp", cls.construct_yaml_str)


_use_constructors(_Loader)
_use_constructors(_FastLoader)

# Nesting in a text this short cannot reach the depth that crashes libyaml's composer.
_FAST_MAX_CHARS = 8192


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [v for pair in node.value for v in pair]
    return []


def _shape_problem(root: yaml.Node, max_depth: int, line_offset: int) -> YamlProblem | None:
    """A problem when the node graph nests deeper than `max_depth` (a cycle made by an alias
    counts as endless), or when its aliases (`*name`) would unfold it into far more values than
    the file holds: both would hang or crash whatever walks the data later. Iterative, and each
    distinct node is visited once, so the check itself stays linear in the file."""
    depth: dict[int, int] = {}
    size: dict[int, int] = {}
    open_nodes: set[int] = set()
    reused: yaml.Node | None = None  # the first node reached twice: an anchor (&name) in use
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            open_nodes.discard(key)
            children = _children(node)
            depth[key] = 1 + max((depth[id(c)] for c in children), default=0)
            size[key] = 1 + sum(size[id(c)] for c in children)
            if depth[key] > max_depth:
                return YamlProblem(root.start_mark.line + 1 + line_offset, _TOO_DEEP)
            continue
        if key in depth:
            reused = reused or node
            continue
        if key in open_nodes:  # an alias inside its own anchor
            return YamlProblem(node.start_mark.line + 1 + line_offset, _TOO_DEEP)
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node))
    if reused is not None and size[id(root)] > _MAX_UNFOLD * len(size) + 1000:
        return YamlProblem(reused.start_mark.line + 1 + line_offset, _TOO_BIG)
    return None


def load_yaml(text: str, line_offset: int = 0) -> tuple[Any, YamlProblem | None]:
    """Parse one YAML document; return (value, None) or (None, problem with the file line)."""
    if len(text) <= _FAST_MAX_CHARS:
        value, problem = _load_with(_FastLoader, text, line_offset)
        if problem is None:
            return value, None
    # Long texts, and every problem (so messages do not depend on which parser ran).
    return _load_with(_Loader, text, line_offset)


def _load_with(cls: type[_Loader] | type[_FastLoader], text: str, line_offset: int) -> tuple[Any, YamlProblem | None]:
    try:
        loader = cls(text)
    except yaml.reader.ReaderError as exc:  # a control character, found before any parsing
        line = text.count("\n", 0, exc.position) + 1 + line_offset
        return None, YamlProblem(line, f"YAML có ký tự điều khiển không được phép (mã #x{exc.character:04X}); "
                                       "hãy xóa ký tự đó (thường do dán từ tệp khác)")
    except yaml.YAMLError:
        return None, YamlProblem(None, "YAML không đọc được (tệp không phải văn bản YAML hợp lệ)")
    loader.line_offset = line_offset
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        shape = _shape_problem(node, _MAX_DEPTH, line_offset)
        if shape is not None:
            return None, shape
        return loader.construct_document(node), None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at = mark.line + 1 + line_offset if mark is not None else None
        return None, YamlProblem(at, _describe(exc))
    except RecursionError:  # the composer recurses once per level, far below any crash
        return None, YamlProblem(1 + line_offset, _TOO_DEEP)
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        return None, YamlProblem(None, f"YAML không đọc được ({type(exc).__name__})")
    finally:
        loader.dispose()


def _describe(exc: yaml.MarkedYAMLError) -> str:
    """A short Vietnamese description of a PyYAML error, keeping PyYAML's own words as a detail."""
    problem = (exc.problem or exc.context or "").strip()
    if "mapping values are not allowed" in problem:
        return "YAML sai cú pháp: dấu hai chấm không đúng chỗ (giá trị có dấu ':' cần đặt trong ngoặc kép)"
    if "could not find expected ':'" in problem:
        return "YAML sai cú pháp: thiếu dấu ':' sau tên khóa"
    if "found character '\\t'" in problem:
        return "YAML sai cú pháp: có ký tự tab, hãy thụt lề bằng dấu cách"
    if "found unexpected end of stream" in problem or "found unexpected end" in problem:
        return "YAML sai cú pháp: thiếu dấu ngoặc kép hoặc ngoặc đóng"
    if "duplicate" in problem or "bị lặp lại" in problem:
        return f"YAML: {problem}"
    if "khóa" in problem:
        return f"YAML: {problem}"
    return f"YAML sai cú pháp ({problem})"


_Shape = TypeVar("_Shape", LineDict, LineList)


def load_yaml_file(path: Path, problems: Problems, shape: type[_Shape], shape_message: str) -> _Shape | None:
    """Read a YAML source file whose top level must be `shape` (LineDict or LineList).

    Returns None, with the problem recorded, if it cannot be read or parsed or has the wrong
    shape; an empty file is None without a problem.
    """
    src = read_text(path, problems)
    if src is None:
        return None
    data, problem = load_yaml(src.text)
    if problem is not None:
        problems.error(path, problem.line, problem.message, "Hãy sửa cú pháp YAML ở dòng này.")
        return None
    if data is not None and not isinstance(data, shape):
        problems.error(path, 1, shape_message)
        return None
    return data


@dataclass(frozen=True)
class Torn:
    """A value YAML cut at an unquoted comma inside `{...}`: `value: 1,030` read as `value: 1`
    and a stray key `030` (itself read as the octal number 24)."""

    key: str
    line: int
    read: str                  # what YAML kept for `key`: "1"
    fragments: tuple[str, ...]  # the pieces after the commas, as typed: ("030",)
    stray_keys: tuple[str, ...]  # the keys YAML made of them, as stored in the mapping

    @property
    def typed(self) -> str:
        return ",".join((self.read,) + self.fragments)

    def message(self) -> tuple[str, str]:
        """The Vietnamese message and hint for an editor, quoting what was typed."""
        pieces = ", ".join(f'"{f}"' for f in self.fragments)
        if self.read.isdigit() and all(len(f) == 3 and f.isdigit() for f in self.fragments):
            grouped = ".".join((self.read,) + self.fragments)
            return (f"số {self.typed} bị YAML tách đôi ở dấu phẩy: chỉ đọc được {self.key}: {self.read}, "
                    f"phần {pieces} thành mục riêng.",
                    f'Hãy viết {self.key}: "{grouped}" hoặc {self.key}: {grouped.replace(".", "")} '
                    f'(hàng nghìn dùng dấu chấm); số thập phân viết trong ngoặc kép, ví dụ "{self.read},{self.fragments[0]}".')
        return (f'giá trị "{self.typed}" của "{self.key}" bị YAML tách đôi ở dấu phẩy: chỉ đọc được "{self.read}", '
                f"phần {pieces} thành mục riêng.",
                f'Hãy đặt giá trị trong ngoặc kép: {self.key}: "{self.typed}".')


def torn_values(entry: LineDict) -> list[Torn]:
    """Values of an inline mapping that an unquoted comma split: each key written with no colon
    that follows a key with a scalar value is a piece of that value (`note:` left empty is not)."""
    if not entry.flow:
        return []
    found: list[Torn] = []
    current: tuple[str, str] | None = None  # the last key with a scalar value, and its raw text
    pieces: list[tuple[str, str]] = []

    def close() -> None:
        if current is not None and pieces:
            found.append(Torn(current[0], entry.line_of(current[0]), current[1],
                              tuple(p for _, p in pieces), tuple(k for k, _ in pieces)))

    for key, value in entry.items():
        typed_key = entry.key_raw.get(key, key)
        if key in entry.bare and current is not None and typed_key.strip():
            pieces.append((key, typed_key))
            continue
        close()
        pieces = []
        current = (key, entry.raw[key]) if key in entry.raw and entry.raw[key] != "" else None
    close()
    return found
