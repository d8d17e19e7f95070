"""`units import` on a file: the chosen provinces from official data, laid over the units.yaml
already there (or a new one), rendered, and checked by the same loader a build uses before the
caller writes anything."""
from __future__ import annotations

import dataclasses
import difflib
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..base.errors import Problems, SiteBuilderError, SourceError
from ..load.units import load_units
from .admin_data import AdminData, admin_data
from .unit_import import Chosen, choose, imported_tree, near_provinces
from .unit_merge import entries_of, merge
from .units_yaml import Entry, render

HEADER = """\
# Đơn vị hành chính, nhập từ danh mục chính thức (gói vietnamadminunits) bằng lệnh
#   site-builder units import --province "…"
# Đơn vị cũ (đến 30/06/2025) giữ lịch sử và trang riêng, kèm đơn vị kế thừa; đơn vị mới
# (từ 01/07/2025) có mã kết thúc bằng -2025. Mã (code) luôn đặt trong ngoặc kép.
"""


@dataclass(frozen=True)
class Imported:
    """What an import would write: the file's text before (empty when new) and after, the
    provinces chosen, and what it adds or changes, in words."""

    before: str
    after: str
    chosen: Chosen
    added: int
    changed: tuple[str, ...]
    notes: tuple[str, ...]
    province_ids: tuple[str, ...]  # as `chosen`: the former provinces, then the new ones

    def diff(self, target: Path) -> str:
        return "".join(difflib.unified_diff(self.before.splitlines(True), self.after.splitlines(True),
                                            f"{target} (hiện tại)", f"{target} (sau khi nhập)"))


class ImportRefused(SiteBuilderError):
    """Why nothing was imported: provinces not found (exit 2), or problems of the existing file,
    each with its line (exit 1); nothing was written."""

    def __init__(self, problems: list[SourceError] | None = None, lines: list[str] | None = None,
                 target: Path | None = None) -> None:
        super().__init__("chưa nhập danh sách đơn vị")
        self.problems = problems or []
        self.said = lines or []
        self.target = target
        self.exit_code = 2 if self.said else 1

    def lines(self) -> list[str]:
        if self.said:
            return list(self.said)
        return [e.format() for e in self.problems] + [f"Chưa nhập gì: hãy sửa {self.target} rồi chạy lại."]


def _load(text: str, shown_as: Path) -> tuple[list[SourceError], list[Entry]]:
    """Load units.yaml text with the build's own loader (which reads `folder/units.yaml`): its
    errors, placed at `shown_as`, and the tree."""
    with tempfile.TemporaryDirectory(prefix="units-import-") as folder:
        (Path(folder) / "units.yaml").write_text(text, encoding="utf-8")
        problems = Problems(root=Path(folder))
        registry = load_units(Path(folder), problems)
    errors = [dataclasses.replace(e, path=str(shown_as)) for e in problems.errors]
    return errors, entries_of(registry) if registry is not None else []


def import_units(typed: list[str], target: Path, data: AdminData | None = None) -> Imported:
    """The import of `typed` provinces into `target`; raises `ImportRefused` with the reasons."""
    data = data or admin_data()
    chosen, unknown = choose(data, typed)
    if chosen is None:
        lines = []
        for text in unknown:
            near = near_provinces(data, text)
            hint = f' Có phải: {", ".join(near)}?' if near else ""
            lines.append(f'Lỗi: không tìm thấy tỉnh, thành phố "{text}" trong danh mục chính thức.{hint}\n'
                         '    Hãy gõ tên tỉnh (có dấu hoặc không dấu, ví dụ "Yên Bái" hay "yen bai") hoặc mã tỉnh, ví dụ "15".')
        raise ImportRefused(lines=lines)
    before = target.read_text(encoding="utf-8") if target.is_file() else ""
    existing: list[Entry] = []
    header = HEADER
    if before.strip():
        errors, existing = _load(before, target)
        if errors:
            raise ImportRefused(problems=errors, target=target)
        header = "".join(_leading_comments(before))
    merged = merge(existing, imported_tree(data, chosen))
    after = render(merged.roots, header)
    if any(line.lstrip().startswith("#") for line in before.splitlines()[len(header.splitlines()):]):
        merged.notes.append("các dòng chú thích (#) giữa tệp không được giữ lại; chỉ giữ phần chú thích ở đầu tệp.")
    errors, _ = _load(after, target)
    if errors:  # never written: the loader has the last word on what a build will read
        raise ImportRefused(problems=errors, target=target)
    return Imported(before, after, chosen, merged.added, tuple(merged.changed), tuple(merged.notes),
                    tuple(merged.province_ids))


def _leading_comments(text: str) -> list[str]:
    lines: list[str] = []
    for line in text.splitlines(True):
        if line.startswith("#") or (not line.strip() and lines):
            lines.append(line)
        elif line.strip():
            break
    return lines
