"""The unit tree as `units.yaml` text, in the layout of the sample site: block lists, codes
quoted (YAML reads an unquoted "04375" as the number 2301), successors one per line."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date

REFORM_START = date(2025, 7, 1)
REFORM_END = date(2025, 6, 30)
_PLAIN = re.compile(r"^[^\W\d_][\w .'()/-]*$")  # a name YAML reads back as the same string


@dataclass
class Entry:
    """One unit as units.yaml writes it."""

    id: str
    name: str
    type: str
    code: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    successors: list[tuple[str, str]] = field(default_factory=list)  # (id, relation)
    children: list[Entry] = field(default_factory=list)

    def walk(self) -> list[Entry]:
        """This unit and every unit under it, in document order."""
        found = [self]
        for child in self.children:
            found += child.walk()
        return found


def _scalar(text: str) -> str:
    return text if _PLAIN.match(text) and text.strip() == text and not text.endswith(":") else json.dumps(
        text, ensure_ascii=False)


def _lines(entry: Entry, indent: int) -> list[str]:
    pad = " " * indent
    out = [f"{pad}- id: {entry.id}", f"{pad}  name: {_scalar(entry.name)}", f"{pad}  type: {entry.type}"]
    if entry.code is not None:
        out.append(f'{pad}  code: "{entry.code}"')
    if entry.valid_from is not None:
        out.append(f"{pad}  valid_from: {entry.valid_from.isoformat()}")
    if entry.valid_to is not None:
        out.append(f"{pad}  valid_to: {entry.valid_to.isoformat()}")
    if entry.successors:
        out.append(f"{pad}  successors:")
        out += [f"{pad}    - {{id: {sid}, relation: {relation}}}" for sid, relation in entry.successors]
    if entry.children:
        out.append(f"{pad}  children:")
        for child in entry.children:
            out += _lines(child, indent + 4)
    return out


def render(roots: list[Entry], header: str = "") -> str:
    """The whole file: `header` (comment lines, kept as given), then the tree."""
    body: list[str] = []
    for root in roots:
        body += _lines(root, 0)
    text = "\n".join(body) + "\n"
    return f"{header.rstrip()}\n\n{text}" if header.strip() else text
