"""The desk writes sources in the project's own format, never in the YAML the browser sent.

What Decap sends is read with the build's own YAML reader (`load.yamlload`: lines, raw text of
every scalar), and written back by these functions:
- news front matter keys in the README's order (`NEWS_ORDER`), then any other key as it was;
  pages in `PAGE_ORDER`; data files as a list of block mappings in `RECORD_ORDER`;
- a string plain when YAML reads it back as that very string, double quoted otherwise (JSON
  escapes, which YAML reads the same); a value YAML would read as a number or true/false is
  written as it was typed (`title: 1:30` stays the text "1:30", the build reads it so);
- dates as the README writes them, `"2020-08-21 02:49"` in the site's time zone (a date the
  build cannot read is kept as typed, for the check to name it);
- unit, metric and category codes, periods and figure values always quoted;
- lists of names as flow lists `[a, b]`; figures as flow mappings, one a line;
- the body byte for byte.
Every function returns the text and which key each line holds (`LineKeys`), so that a problem
the build reports at a line of the written file is told to the editor by its field.
What changes when a hand-written file is saved: comments and blank lines in the front matter (or
in a data file), key order, block/flow style of lists, folded `>-` text written as one quoted
line, quoting; never a value.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any

from ..base.vietnamese import parse_datetime
from ..load.yamlload import LineDict, LineList, load_yaml, typed_text
from ..plan.desk_config import LIST_KEYS

NEWS_ORDER = ("title", "date", "updated", "unit", "units", "category", "tags", "authors", "summary",
              "image", "image_alt", "slug", "aliases", "draft", "figures")
PAGE_ORDER = ("title", "summary", "slug", "order", "draft")
FIGURE_ORDER = ("unit", "metric", "period", "value", "denominator", "scope", "qualifier", "note")
RECORD_ORDER = ("unit", "metric", "period", "value", "denominator", "scope", "qualifier", "source", "note")
ALWAYS_QUOTED = frozenset({"unit", "units", "category", "period", "value", "denominator", "date", "updated"})
DATE_KEYS = frozenset({"date", "updated"})
TYPED_KEYS = frozenset({"draft", "order"})  # their YAML type is their meaning (true, 3)


@dataclass
class LineKeys:
    """For each line of a written file, the key it holds and, in a list of figures or records,
    the entry's index (0-based) and the entry's key."""

    keys: dict[int, tuple[str, int | None, str | None]] = field(default_factory=dict)

    def at(self, line: int | None) -> tuple[str, int | None, str | None] | None:
        return self.keys.get(line) if line is not None else None


def quoted(text: str) -> str:
    """`text` as a double-quoted YAML scalar (a JSON string is one)."""
    return json.dumps(text, ensure_ascii=False)


_PLAIN_START = re.compile(r"[\w(]", re.UNICODE)


def scalar(text: str, in_flow: bool = False, force_quotes: bool = False) -> str:
    """`text` plain when YAML reads it back as this very string, quoted otherwise."""
    if force_quotes or not text or text != text.strip() or "\n" in text or not _PLAIN_START.match(text):
        return quoted(text)
    if any(mark in text for mark in (": ", " #", "\t")) or text.endswith(":"):
        return quoted(text)
    if in_flow and any(c in text for c in ",[]{}"):
        return quoted(text)
    doc = f"k: [{text}]" if in_flow else f"k: {text}"
    value, problem = load_yaml(doc)
    if problem is not None or not isinstance(value, dict):
        return quoted(text)
    got = value.get("k")
    if in_flow:
        got = got[0] if isinstance(got, list) and len(got) == 1 else None
    return text if got == text and isinstance(got, str) else quoted(text)


def _typed(value: object, raw: str | None) -> object:
    """A scalar as typed: the raw text of a plain scalar YAML made a number or true/false."""
    text = typed_text(value, raw)
    return value if text is None else text


def value_text(value: object, raw: str | None = None, in_flow: bool = False, force_quotes: bool = False,
               keep_type: bool = False) -> str:
    """One value, written: scalars by `scalar` (a number or true/false by its raw text unless
    `keep_type`), lists and mappings as flow collections."""
    if isinstance(value, bool) and (keep_type or raw is None):
        return "true" if value else "false"
    if isinstance(value, (int, float)) and not isinstance(value, bool) and (keep_type or raw is None):
        return raw if raw is not None and not force_quotes else (quoted(str(value)) if force_quotes else str(value))
    if value is None:
        return "null"
    if isinstance(value, list):
        raws = value.raw if isinstance(value, LineList) else [None] * len(value)
        return "[" + ", ".join(value_text(v, raws[i] if i < len(raws) else None, True, force_quotes)
                               for i, v in enumerate(value)) + "]"
    if isinstance(value, dict):
        raws_d = value.raw if isinstance(value, LineDict) else {}
        return "{" + ", ".join(f"{scalar(str(k), True)}: {value_text(v, raws_d.get(k), True)}"
                               for k, v in value.items()) + "}"
    text = str(_typed(value, raw))
    return scalar(text, in_flow, force_quotes)


def date_text(value: object, raw: str | None, zone: tzinfo) -> str:
    """A date as the README writes it ("2020-08-21 02:49", local time) when the build reads it to
    the same moment; as typed (quoted) otherwise."""
    text = str(_typed(value, raw)).strip()
    moment = parse_datetime(text, zone)
    if moment is None or moment.second or moment.microsecond:
        return quoted(text)
    return quoted(moment.astimezone(zone).strftime("%Y-%m-%d %H:%M"))


def _ordered(meta: dict[str, Any], order: tuple[str, ...]) -> list[str]:
    return [k for k in order if k in meta] + [k for k in meta if k not in order]


def _figure_line(entry: object) -> str:
    if not isinstance(entry, dict):
        return value_text(entry)
    raws = entry.raw if isinstance(entry, LineDict) else {}
    parts = [f"{scalar(str(k), True)}: {value_text(entry[k], raws.get(k), True, k in ALWAYS_QUOTED and k != 'unit')}"
             for k in _ordered(entry, FIGURE_ORDER)]
    return "{" + ", ".join(parts) + "}"


def front_matter(meta: dict[str, Any], order: tuple[str, ...], zone: tzinfo) -> tuple[str, LineKeys]:
    """The front matter block between the `---` lines (without them), and its line keys counted
    as lines of the whole file (line 1 is the opening `---`)."""
    raws = meta.raw if isinstance(meta, LineDict) else {}
    lines: list[str] = []
    keys = LineKeys()
    for key in _ordered(meta, order):
        value, raw = meta[key], raws.get(key)
        keys.keys[len(lines) + 2] = (key, None, None)
        if key == "figures" and isinstance(value, list) and value:
            lines.append("figures:")
            for index, entry in enumerate(value):
                keys.keys[len(lines) + 2] = (key, index, None)
                lines.append(f"  - {_figure_line(entry)}")
            continue
        if key in DATE_KEYS and not isinstance(value, (list, dict)) and value is not None:
            text = date_text(value, raw, zone)
        elif key in ("unit", "category") and isinstance(value, str):
            text = quoted(value)
        else:
            text = value_text(value, raw, force_quotes=key in ("units",), keep_type=key in TYPED_KEYS)
        lines.append(f"{scalar(key)}: {text}")
    return "".join(line + "\n" for line in lines), keys


def markdown_file(meta: dict[str, Any], body: str, order: tuple[str, ...], zone: tzinfo) -> tuple[str, LineKeys]:
    """A whole Markdown source: `---`, the front matter, `---`, then `body` as it is (all after
    the closing `---` line, `body_of`)."""
    block, keys = front_matter(meta, order, zone)
    return f"---\n{block}---\n{body}", keys


_BOUNDARY = re.compile(r"-{3,}[ \t]*")


def body_of(text: str) -> str | None:
    """Everything after the line that closes the front matter, byte for byte; None when `text`
    has no front matter between two `---` lines."""
    lines = text.removeprefix("\ufeff").split("\n")
    if not lines or not _BOUNDARY.fullmatch(lines[0].rstrip("\r")):
        return None
    for number in range(1, len(lines)):
        if _BOUNDARY.fullmatch(lines[number].rstrip("\r")):
            return "\n".join(lines[number + 1:])
    return None


def records_file(records: list[Any]) -> tuple[str, LineKeys]:
    """A data file: a list of records, each a block mapping with its keys in `RECORD_ORDER`,
    codes, periods and values quoted."""
    lines: list[str] = []
    keys = LineKeys()
    for index, record in enumerate(records):
        if not isinstance(record, dict) or not record:
            keys.keys[len(lines) + 1] = ("", index, None)
            lines.append(f"- {value_text(record)}")
            continue
        raws = record.raw if isinstance(record, LineDict) else {}
        for n, key in enumerate(_ordered(record, RECORD_ORDER)):
            keys.keys[len(lines) + 1] = ("", index, key)
            text = value_text(record[key], raws.get(key), force_quotes=key in ALWAYS_QUOTED)
            lines.append(f"{'- ' if n == 0 else '  '}{scalar(str(key))}: {text}")
    return "".join(line + "\n" for line in lines) if lines else "[]\n", keys


def yaml_file(data: object) -> str:
    """Any other YAML source (site.yaml, metrics.yaml): block mappings and lists of mappings,
    other lists in flow style, scalars by `value_text` (numbers and true/false keep their YAML
    type; a plain scalar YAML typed otherwise is written as it was typed)."""
    return "".join(line + "\n" for line in _block(data, "")) or "{}\n"


def _block(data: object, indent: str) -> list[str]:
    if isinstance(data, dict) and data:
        raws = data.raw if isinstance(data, LineDict) else {}
        out: list[str] = []
        for key, value in data.items():
            head = f"{indent}{scalar(str(key))}:"
            if isinstance(value, dict) and value or isinstance(value, list) and any(isinstance(v, dict) for v in value):
                out.append(head)
                out.extend(_block(value, indent + "  "))
            else:
                out.append(f"{head} {_kept(value, raws.get(key))}")
        return out
    if isinstance(data, list) and any(isinstance(v, dict) for v in data):
        out = []
        for value in data:
            inner = _block(value, indent + "  ") if isinstance(value, dict) and value else [indent + "  " + value_text(value)]
            out.append(indent + "- " + inner[0].lstrip())
            out.extend(inner[1:])
        return out
    return [indent + value_text(data)]


def _kept(value: object, raw: str | None) -> str:
    """A scalar that keeps its YAML meaning: numbers and true/false as typed (plain), text quoted
    when needed."""
    if isinstance(value, (bool, int, float)) and raw is not None:
        return raw
    return value_text(value, None, keep_type=True)


_LIST_START = re.compile(r"^(-|\[)")


def list_key(inner: str) -> str | None:
    """The field Decap edits a list file under ("metrics", "records"), or None for other files."""
    if inner == "metrics.yaml":
        return LIST_KEYS["metrics.yaml"]
    if inner.startswith("data/") and inner.endswith((".yaml", ".yml")):
        return LIST_KEYS["data"]
    return None


def wrapped_list(text: str, key: str) -> str:
    """A file whose top level is a YAML list, as a mapping of `key` to that list (every line
    indented under it, comments and blank lines kept): the shape a Decap entry can hold. Text
    whose top level is not a list is left as it is."""
    lines = [line for line in text.splitlines() if line.strip() not in ("---", "...")]
    first = next((line for line in lines if line.strip() and not line.lstrip().startswith("#")), "")
    if not _LIST_START.match(first):
        return text
    return f"{key}:\n" + "".join(f"  {line}\n" if line.strip() else "\n" for line in lines)
