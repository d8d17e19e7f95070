"""`units.yaml` → a validated registry of administrative units, former ones included.

A unit is keyed by its id, never by its name or official code; a unit with `valid_to` keeps
its page and links to its successors, whose pages list it as a predecessor.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

from ..base.errors import Problems
from ..base.vietnamese import clean_text, format_date_vi, parse_date, slugify, sort_key
from .yamlload import LineDict, LineList, as_typed, load_yaml_file, torn_values

UNIT_TYPES = (
    "quoc-gia", "tinh", "thanh-pho-tw", "huyen", "thi-xa", "thanh-pho", "quan",
    "xa", "phuong", "thi-tran", "dac-khu",
)
RELATIONS = ("merged_into", "split_into", "renamed")
RELATION_WORDS = {"merged_into": "nhập toàn bộ vào", "split_into": "nhập một phần vào", "renamed": "đổi tên thành"}
# Years a source date may name: from the founding of the state the units belong to, to a bound
# no bulletin reaches; outside it a date is a slip (1020, 2202), and the feeds could not write it.
FIRST_YEAR, LAST_YEAR = 1945, 2100


@dataclass(frozen=True)
class Successor:
    """Where a unit went at a reorganisation: `merged_into`, `split_into` or `renamed`."""

    id: str
    relation: str


@dataclass(frozen=True)
class Unit:
    """One administrative unit as units.yaml declares it."""

    id: str
    name: str
    type: str
    code: str | None
    valid_from: date | None
    valid_to: date | None
    successors: tuple[Successor, ...]
    parent: str | None
    children: tuple[str, ...]
    path: Path
    line: int

    @property
    def former(self) -> bool:
        return self.valid_to is not None

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


@dataclass(frozen=True)
class Predecessor:
    """A unit that went into this one, and how."""

    id: str
    relation: str


@dataclass(frozen=True)
class UnitRegistry:
    """All units by id, with the tree and the reorganisation links both ways."""

    units: dict[str, Unit]
    roots: tuple[str, ...]
    predecessors: dict[str, tuple[Predecessor, ...]] = field(default_factory=dict)

    def __contains__(self, unit_id: object) -> bool:
        return unit_id in self.units

    def __getitem__(self, unit_id: str) -> Unit:
        return self.units[unit_id]

    def ancestors(self, unit_id: str) -> list[str]:
        """Parents from the nearest up to the top."""
        out: list[str] = []
        parent = self.units[unit_id].parent
        while parent is not None:
            out.append(parent)
            parent = self.units[parent].parent
        return out

    def full_name(self, unit_id: str) -> str:
        """"Xã Đông Cuông, Huyện Văn Yên": the name and its parent's, to tell apart units of one name."""
        unit = self.units[unit_id]
        if unit.parent is None:
            return unit.name
        return f"{unit.name}, {self.units[unit.parent].name}"

    def subtree(self, unit_id: str) -> Iterator[str]:
        """The unit and everything under it, depth first."""
        stack = [unit_id]
        while stack:
            current = stack.pop()
            yield current
            stack.extend(reversed(self.units[current].children))


def edit_distance(a: str, b: str) -> int:
    """Edits (insert, delete, replace, swap two neighbours) turning `a` into `b`."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def near_ids(typed: str, known: Iterable[str]) -> list[str]:
    """Known ids a typo away from `typed`, compared without tones or case ("Xã Đông Cuông" is
    "xa-dong-cuong"): one or two edits, one only for short ids."""
    key = slugify(typed)
    limit = 1 if len(key) <= 6 else 2
    return [k for k in known if abs(len(k) - len(key)) <= limit and edit_distance(key, k) <= limit]


def unit_hint(typed: str, units: UnitRegistry) -> str:
    """What to do about an unknown unit id: the one unit it is a near spelling of, by full name,
    or no guess at all (a guess among several could file news under the wrong commune)."""
    near = near_ids(typed, units.units)
    if len(near) == 1:
        return f'Có phải "{near[0]}" ({units.full_name(near[0])})? Nếu đúng, hãy sửa thành "{near[0]}".'
    return "Hãy dùng một mã đơn vị có trong units.yaml (xem cột id, hoặc trang Các đơn vị của trang web)."


def successor_hint(unit: Unit, units: UnitRegistry) -> str:
    """Which unit to use after `unit` ended: its successors, named, with how it went into them."""
    assert unit.valid_to is not None
    went = "; ".join(f'{RELATION_WORDS[s.relation]} "{s.id}" ({units.full_name(s.id)})'
                     for s in unit.successors if s.id in units)
    since = format_date_vi(unit.valid_to + timedelta(days=1))
    return f'Từ {since}, "{unit.id}" đã {went}: hãy dùng đơn vị kế thừa.'


def _check_id(value: object, path: Path, line: int, problems: Problems) -> str | None:
    if not isinstance(value, str) or not value:
        problems.error(path, line, "đơn vị thiếu mã (id).", 'Hãy thêm "id: ..." viết thường, không dấu, ví dụ "huyen-van-yen".')
        return None
    if slugify(value) != value:
        problems.error(path, line, f'mã đơn vị "{value}" không hợp lệ.',
                       f'Mã chỉ gồm chữ thường không dấu, số và dấu "-", ví dụ "{slugify(value) or "huyen-van-yen"}".')
        return None
    if value.isdigit():
        problems.error(path, line, f'mã đơn vị "{value}" chỉ gồm chữ số.',
                       'Mã hành chính được dùng lại sau sắp xếp; hãy đặt mã có chữ, ví dụ "tinh-yen-bai", và ghi mã số vào "code".')
        return None
    return value


def _date(data: LineDict, key: str, path: Path, problems: Problems) -> date | None:
    value = as_typed(data.get(key), data.raw.get(key))
    if value is None:
        return None
    parsed = parse_date(str(value))
    if parsed is None:
        problems.error(path, data.line_of(key), f'ngày "{value}" ở mục "{key}" không hợp lệ.',
                       'Hãy viết theo dạng năm-tháng-ngày, ví dụ "2025-07-01".')
    elif not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        problems.error(path, data.line_of(key), f'ngày "{value}" ở mục "{key}" ngoài khoảng năm {FIRST_YEAR}–{LAST_YEAR}.',
                       "Hãy kiểm tra lại năm.")
        return None
    return parsed


def load_units(source: Path, problems: Problems) -> UnitRegistry | None:
    """Read `source/units.yaml` into a registry; every mistake in it is recorded with its line."""
    path = source / "units.yaml"
    if not path.is_file():
        problems.error(path, None, "không tìm thấy tệp units.yaml.", "Thư mục nguồn cần có tệp units.yaml (xem README).")
        return None
    errors_before = len(problems.errors)
    data = load_yaml_file(path, problems, LineList,
                          'units.yaml phải là một danh sách đơn vị (mỗi đơn vị bắt đầu bằng "- id: ...").')
    if data is None:
        if len(problems.errors) == errors_before:
            problems.error(path, 1, "units.yaml trống.", 'Hãy khai báo ít nhất một đơn vị, bắt đầu bằng "- id: ...".')
        return None
    before = len(problems.errors)
    raw: dict[str, tuple[LineDict, str | None]] = {}
    order: dict[str, list[str]] = {}

    def walk(entries: LineList, parent: str | None) -> list[str]:
        """Collect units in document order (YAML nesting is capped, so recursion is bounded)."""
        kids: list[str] = []
        for index, entry in enumerate(entries):
            if not isinstance(entry, LineDict):
                problems.error(path, entries.line_of(index), "mỗi đơn vị phải có dạng \"- id: ...\" với các mục name, type.")
                continue
            for torn in torn_values(entry):
                problems.error(path, torn.line, *torn.message())
            unit_id = _check_id(as_typed(entry.get("id"), entry.raw.get("id")), path, entry.line_of("id"), problems)
            if unit_id is None:
                continue
            if unit_id in raw:
                other = raw[unit_id][0]
                problems.error(path, entry.line_of("id"), f'mã đơn vị "{unit_id}" bị trùng (đã có ở dòng {other.line_of("id")}).',
                               "Mỗi đơn vị cần một mã riêng.")
                continue
            raw[unit_id] = (entry, parent)
            kids.append(unit_id)
            children = entry.get("children")
            if children is None:
                continue
            if isinstance(children, LineList):
                order[unit_id] = walk(children, unit_id)
            else:
                problems.error(path, entry.line_of("children"), '"children" phải là danh sách đơn vị.',
                               'Mỗi đơn vị con bắt đầu bằng "- id: ..." trên một dòng mới.')
        return kids

    roots = walk(data, None)

    units: dict[str, Unit] = {}
    for unit_id, (entry, parent) in raw.items():
        name = as_typed(entry.get("name"), entry.raw.get("name"))
        if not isinstance(name, str) or not name.strip():
            problems.error(path, entry.line, f'đơn vị "{unit_id}" thiếu tên (name).', 'Hãy thêm "name: Huyện ...".')
            name = unit_id
        unit_type = as_typed(entry.get("type"), entry.raw.get("type"))
        if unit_type not in UNIT_TYPES:
            problems.error(path, entry.line_of("type"), f'loại đơn vị "{unit_type}" không hợp lệ ở "{unit_id}".',
                           "Hãy dùng một trong: " + ", ".join(UNIT_TYPES) + ".")
        code = entry.get("code")
        if code is not None and not isinstance(code, str):
            raw_text = entry.raw.get("code", str(code))
            problems.error(path, entry.line_of("code"), f'mã hành chính {raw_text} của "{unit_id}" phải đặt trong ngoặc kép.',
                           f'Hãy viết code: "{raw_text}" (không có ngoặc kép, YAML đọc {raw_text} thành số {code}).')
            code = None
        valid_from = _date(entry, "valid_from", path, problems)
        valid_to = _date(entry, "valid_to", path, problems)
        if valid_from and valid_to and valid_to < valid_from:
            problems.error(path, entry.line_of("valid_to"), f'"{unit_id}" có valid_to trước valid_from.',
                           "Hãy kiểm tra lại hai ngày hiệu lực.")
        successors: list[Successor] = []
        succ_data = entry.get("successors")
        if succ_data is not None:
            if not isinstance(succ_data, LineList):
                problems.error(path, entry.line_of("successors"), '"successors" phải là danh sách.',
                               'Ví dụ: successors: [{id: tinh-lao-cai, relation: merged_into}].')
            else:
                for index, succ in enumerate(succ_data):
                    sline = succ_data.line_of(index)
                    if not isinstance(succ, LineDict) or "id" not in succ or "relation" not in succ:
                        problems.error(path, sline, "mỗi đơn vị kế thừa cần có id và relation.",
                                       "Ví dụ: {id: tinh-lao-cai, relation: merged_into}.")
                        continue
                    torn = torn_values(succ)
                    for cut in torn:
                        problems.error(path, cut.line, *cut.message())
                    relation = as_typed(succ["relation"], succ.raw.get("relation"))
                    if relation not in RELATIONS:
                        problems.error(path, succ.line_of("relation"), f'quan hệ "{relation}" không hợp lệ.',
                                       "Hãy dùng merged_into, split_into hoặc renamed.")
                        continue
                    if not torn:
                        successors.append(Successor(clean_text(str(as_typed(succ["id"], succ.raw.get("id")))), str(relation)))
                if successors and entry.get("valid_to") is None:
                    problems.error(path, entry.line_of("successors"), f'"{unit_id}" có đơn vị kế thừa nhưng thiếu valid_to.',
                                   "Hãy ghi ngày kết thúc hiệu lực, ví dụ valid_to: 2025-06-30.")
        units[unit_id] = Unit(
            id=unit_id, name=clean_text(str(name)), type=str(unit_type), code=code,
            valid_from=valid_from, valid_to=valid_to, successors=tuple(successors),
            parent=parent, children=(), path=path, line=entry.line,
        )

    predecessors: dict[str, list[Predecessor]] = {}
    for unit in units.values():
        entry = raw[unit.id][0]
        for succ in unit.successors:
            if succ.id not in units:
                near = near_ids(succ.id, units)
                problems.error(path, entry.line_of("successors"), f'không có đơn vị kế thừa "{succ.id}" trong units.yaml.',
                               f'Có phải "{near[0]}" ({units[near[0]].name})? Nếu đúng, hãy sửa thành "{near[0]}".'
                               if len(near) == 1 else "Hãy dùng mã của một đơn vị đã khai báo.")
            elif succ.id == unit.id:
                problems.error(path, entry.line_of("successors"), f'"{unit.id}" không thể kế thừa chính nó.')
            else:
                predecessors.setdefault(succ.id, []).append(Predecessor(unit.id, succ.relation))

    _check_cycles(units, raw, path, problems)
    _check_nesting(units, raw, path, problems)

    def by_name(ids: list[str]) -> tuple[str, ...]:
        return tuple(sorted(ids, key=lambda i: (sort_key(units[i].name), i)))

    for unit_id, kids in order.items():
        if unit_id in units:
            units[unit_id] = replace(units[unit_id], children=by_name([k for k in kids if k in units]))
    if len(problems.errors) > before:
        return None
    return UnitRegistry(
        units=units,
        roots=by_name(roots),
        predecessors={k: tuple(sorted(v, key=lambda p: sort_key(units[p.id].name))) for k, v in predecessors.items()},
    )



def _check_cycles(units: dict[str, Unit], raw: dict[str, tuple[LineDict, str | None]], path: Path,
                  problems: Problems) -> None:
    """Units that succeed each other in a ring (A → B → A): the totals would pass figures round
    it and lose them. One error per ring, at the first unit's successors, naming every unit."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in units:
        if state.get(start):
            continue
        path_ids: list[str] = []
        stack: list[tuple[str, Iterator[str]]] = [(start, iter(_next_ids(units, start)))]
        state[start] = 1
        path_ids.append(start)
        while stack:
            current, following = stack[-1]
            step = next(following, None)
            if step is None:
                stack.pop()
                path_ids.pop()
                state[current] = 2
            elif state.get(step) == 1:
                ring = path_ids[path_ids.index(step):]
                first = min(ring, key=lambda u: raw[u][0].line)
                ring = ring[ring.index(first):] + ring[:ring.index(first)]
                names = " → ".join(f'"{u}"' for u in ring + [first])
                problems.error(path, raw[first][0].line_of("successors"),
                               f"các đơn vị kế thừa nhau thành vòng tròn: {names}.",
                               "Đơn vị kế thừa phải là đơn vị mới sau sắp xếp; hãy bỏ successors của đơn vị mới.")
            elif not state.get(step):
                state[step] = 1
                path_ids.append(step)
                stack.append((step, iter(_next_ids(units, step))))


def _next_ids(units: dict[str, Unit], unit_id: str) -> list[str]:
    return [s.id for s in units[unit_id].successors if s.id in units and s.id != unit_id]


def _check_nesting(units: dict[str, Unit], raw: dict[str, tuple[LineDict, str | None]], path: Path,
                   problems: Problems) -> None:
    """A child unit valid before its parent began or after it ended: its figures would roll up
    into a parent that did not exist."""
    for unit in units.values():
        parent = units.get(unit.parent) if unit.parent else None
        if parent is None:
            continue
        entry = raw[unit.id][0]
        if parent.valid_from and (unit.valid_from is None or unit.valid_from < parent.valid_from):
            problems.error(path, entry.line_of("valid_from"),
                           f'"{unit.id}" có hiệu lực trước đơn vị cấp trên "{parent.id}" (từ {format_date_vi(parent.valid_from)}).',
                           f'Hãy ghi valid_from: {parent.valid_from.isoformat()} hoặc muộn hơn, hoặc đặt "{unit.id}" dưới đúng đơn vị cấp trên.')
        if parent.valid_to and (unit.valid_to is None or unit.valid_to > parent.valid_to):
            problems.error(path, entry.line_of("valid_to"),
                           f'"{unit.id}" còn hiệu lực sau khi đơn vị cấp trên "{parent.id}" kết thúc ({format_date_vi(parent.valid_to)}).',
                           f'Hãy ghi valid_to: {parent.valid_to.isoformat()} hoặc sớm hơn (kèm successors), hoặc đặt "{unit.id}" dưới đơn vị cấp trên mới.')
