#!/usr/bin/env python3
"""Deterministic generator of a realistic Vietnamese bulletin corpus for benchmarks.

    python benchmarks/corpus.py --items 1000 --out /tmp/corpus                 # site_builder: DIR/content/
    python benchmarks/corpus.py --items 1000 --out /tmp/hugo --format hugo     # a Hugo site in DIR/
    python benchmarks/corpus.py --items 1000 --out /tmp/pel --format pelican   # a Pelican site in DIR/

The same seed and item count always give byte-identical files, in every format, with no network
and nothing but the standard library. The three formats hold the same news items (titles, dates,
bodies, categories, tags, authors, slugs, URLs tin-tuc/YYYY/MM/slug/).

The unit tree follows the 2025 reform of one province: Tỉnh Yên Bái (until 30/6/2025) with its
nine district-level units (dissolved) and 172 communes, merged into ~50 new communes of Tỉnh Lào
Cai (from 1/7/2025); a few communes are split between two new ones. The names are those of real
places, but the grouping into new communes is approximate: it is test data, not a legal reference.
"""
from __future__ import annotations

import argparse
import calendar
import csv
import io
import json
import random
import re
import shutil
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

DEFAULT_SEED = 20250701
FIRST_DAY = date(2016, 1, 1)
LAST_DAY = date(2025, 12, 31)
REFORM_END = date(2025, 6, 30)        # last day of the old units
REFORM_START = date(2025, 7, 1)       # first day of the new ones
BASE_URL = "https://mttq.example.gov.vn/ban-tin/"
SITE_TITLE = "Bản tin Mặt trận Tổ quốc tỉnh Yên Bái – Lào Cai"
SITE_DESCRIPTION = ("Tin tức và số liệu về hoạt động của Mặt trận Tổ quốc và các đoàn thể chính trị - xã hội "
                    "ở các địa phương tỉnh Yên Bái (đến 30/6/2025) và tỉnh Lào Cai (từ 01/7/2025).")
FORMATS = ("site_builder", "hugo", "pelican")

# --------------------------------------------------------------------------------------------
# Text helpers (the same slug rule as site_builder: đ → d, tones removed, ASCII and "-")
# --------------------------------------------------------------------------------------------

_NON_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("đ", "d").replace("Đ", "D")
    text = "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch)).lower()
    for mark in "'\u2019\u2018\u02bc`\u00b4":
        text = text.replace(mark, "")
    return _NON_SLUG.sub("-", text).strip("-")


def q(text: str) -> str:
    """A double-quoted scalar, valid in YAML and TOML alike."""
    return json.dumps(text, ensure_ascii=False)


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def group_thousands(value: int) -> str:
    """1250000 → "1.250.000" (a dot groups thousands, as site_builder reads it)."""
    return f"{value:,}".replace(",", ".")


# --------------------------------------------------------------------------------------------
# Units: Yên Bái (old) → Lào Cai (new)
# --------------------------------------------------------------------------------------------

# (id, name, type, code, communes of the old district, new communes made from them).
# In the commune lists "p:" marks a phường, "t:" a thị trấn, anything else is a xã.
DISTRICTS = [
    ("tp-yen-bai", "Thành phố Yên Bái", "thanh-pho", "132",
     "p:Nguyễn Thái Học|p:Hồng Hà|p:Minh Tân|p:Đồng Tâm|p:Yên Thịnh|p:Yên Ninh|p:Nguyễn Phúc|p:Nam Cường|"
     "p:Hợp Minh|Tuy Lộc|Minh Bảo|Tân Thịnh|Phúc Lộc|Giới Phiên|Văn Phú|Âu Lâu|Văn Tiến",
     "p:Yên Bái|p:Nam Cường|p:Văn Phú|p:Âu Lâu"),
    ("tx-nghia-lo", "Thị xã Nghĩa Lộ", "thi-xa", "133",
     "p:Tân An|p:Pú Trạng|p:Trung Tâm|p:Cầu Thia|Nghĩa Lộ|Nghĩa An|Nghĩa Phúc|Nghĩa Lợi|Thanh Lương|"
     "Thạch Lương|Phù Nham|Phúc Sơn|Hạnh Sơn|Sơn A",
     "p:Nghĩa Lộ|p:Trung Tâm|p:Cầu Thia"),
    ("huyen-luc-yen", "Huyện Lục Yên", "huyen", "135",
     "t:Yên Thế|Tân Lĩnh|Khánh Hòa|Minh Xuân|Tân Phượng|Lâm Thượng|Khai Trung|Mai Sơn|Tô Mậu|An Phú|"
     "Động Quan|Phúc Lợi|Trung Tâm|Minh Chuẩn|Mường Lai|Vĩnh Lạc|Liễu Đô|Minh Tiến|Tân Lập|Khánh Thiện|"
     "Yên Thắng|An Lạc",
     "Lục Yên|Khánh Hòa|Lâm Thượng|Mường Lai|Tân Lĩnh|Phúc Lợi"),
    ("huyen-van-yen", "Huyện Văn Yên", "huyen", "136",
     "t:Mậu A|An Thịnh|Đại Sơn|Đông An|Đông Cuông|Lâm Giang|Lang Thíp|Mậu Đông|Mỏ Vàng|Nà Hẩu|Ngòi A|"
     "Phong Dụ Hạ|Phong Dụ Thượng|Quang Minh|Tân Hợp|Xuân Ái|Xuân Tầm|Yên Hợp|Yên Phú|Yên Thái|Viễn Sơn|"
     "Châu Quế Hạ|Châu Quế Thượng|Hoàng Thắng|Yên Hưng",
     "Mậu A|Đông Cuông|Lâm Giang|Châu Quế|Phong Dụ Thượng|Xuân Ái|Mỏ Vàng|Tân Hợp"),
    ("huyen-mu-cang-chai", "Huyện Mù Cang Chải", "huyen", "137",
     "t:Mù Cang Chải|Nậm Có|Púng Luông|Khao Mang|Mồ Dề|Chế Cu Nha|Lao Chải|Kim Nọi|Cao Phạ|Nậm Khắt|"
     "La Pán Tẩn|Dế Xu Phình|Chế Tạo|Hồ Bốn",
     "Mù Cang Chải|Khao Mang|Lao Chải|Chế Tạo|Nậm Có|Púng Luông"),
    ("huyen-tran-yen", "Huyện Trấn Yên", "huyen", "138",
     "t:Cổ Phúc|Hưng Khánh|Hồng Ca|Lương Thịnh|Hưng Thịnh|Việt Hồng|Việt Cường|Vân Hội|Minh Quán|Báo Đáp|"
     "Đào Thịnh|Nga Quán|Cường Thịnh|Quy Mông|Kiên Thành|Y Can|Minh Quân|Tân Đồng|Bảo Hưng|Hòa Cuông|"
     "Việt Thành",
     "Trấn Yên|Hưng Khánh|Lương Thịnh|Việt Hồng|Quy Mông"),
    ("huyen-tram-tau", "Huyện Trạm Tấu", "huyen", "139",
     "t:Trạm Tấu|Xà Hồ|Tà Xi Láng|Phình Hồ|Bản Mù|Hát Lìu|Túc Đán|Pá Lau|Pá Hu|Bản Công|Trạm Tấu|Làng Nhì",
     "Trạm Tấu|Tà Xi Láng|Hạnh Phúc|Phình Hồ"),
    ("huyen-van-chan", "Huyện Văn Chấn", "huyen", "140",
     "t:Sơn Thịnh|t:Nông trường Liên Sơn|t:Nông trường Nghĩa Lộ|t:Nông trường Trần Phú|Tân Thịnh|Đại Lịch|"
     "Chấn Thịnh|Bình Thuận|Nghĩa Tâm|Minh An|Thượng Bằng La|Cát Thịnh|Sơn Lương|Nậm Búng|Gia Hội|"
     "Suối Giàng|Suối Bu|Suối Quyền|Sùng Đô|Nậm Mười|An Lương|Nậm Lành|Tú Lệ|Nghĩa Sơn",
     "Văn Chấn|Thượng Bằng La|Chấn Thịnh|Nghĩa Tâm|Sơn Lương|Gia Hội|Tú Lệ|Cát Thịnh|Liên Sơn"),
    ("huyen-yen-binh", "Huyện Yên Bình", "huyen", "141",
     "t:Yên Bình|t:Thác Bà|Xuân Long|Ngọc Chấn|Tân Nguyên|Cảm Nhân|Phúc Ninh|Mỹ Gia|Xuân Lai|Yên Thành|"
     "Vĩnh Kiên|Đại Minh|Hán Đà|Thịnh Hưng|Đại Đồng|Phú Thịnh|Tân Hương|Bảo Ái|Cảm Ân|Mông Sơn|Văn Lãng|"
     "Vũ Linh|Bạch Hà",
     "Yên Bình|Thác Bà|Cảm Nhân|Yên Thành|Bảo Ái"),
]
TYPE_WORD = {"xa": "Xã", "phuong": "Phường", "thi-tran": "Thị trấn"}
SPLIT_COUNT = 6   # old communes split between two new ones (split_into)


@dataclass
class Unit:
    id: str
    name: str                 # "Xã Tú Lệ"
    short: str                # "Tú Lệ"
    type: str
    code: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    parent: str | None = None
    children: list[str] = field(default_factory=list)
    successors: list[tuple[str, str]] = field(default_factory=list)
    level: str = "xa"         # quoc-gia | tinh | huyen | xa
    district: str | None = None   # the old district (communes) or itself (districts)
    weight: float = 1.0       # how much news it makes

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    @property
    def in_text(self) -> str:
        """The name inside a sentence: "xã Tú Lệ", "huyện Văn Chấn", "Việt Nam"."""
        return self.name if self.level == "quoc-gia" else lower_first(self.name)


def _parse_commune(spec: str) -> tuple[str, str]:
    if spec.startswith("p:"):
        return "phuong", spec[2:]
    if spec.startswith("t:"):
        return "thi-tran", spec[2:]
    return "xa", spec


def build_units(rng: random.Random) -> dict[str, Unit]:
    units: dict[str, Unit] = {}

    def add(unit: Unit) -> Unit:
        assert unit.id not in units, unit.id
        units[unit.id] = unit
        if unit.parent:
            units[unit.parent].children.append(unit.id)
        return unit

    add(Unit("viet-nam", "Việt Nam", "MTTQ Việt Nam", "quoc-gia", level="quoc-gia", weight=0.0))
    add(Unit("tinh-yen-bai", "Tỉnh Yên Bái", "Yên Bái", "tinh", code="15", valid_to=REFORM_END,
             parent="viet-nam", successors=[("tinh-lao-cai", "merged_into")], level="tinh"))
    add(Unit("tinh-lao-cai", "Tỉnh Lào Cai", "Lào Cai", "tinh", code="15", valid_from=REFORM_START,
             parent="viet-nam", level="tinh"))
    number = 0
    code = 4246
    for dist_id, dist_name, dist_type, dist_code, old_spec, new_spec in DISTRICTS:
        short = dist_name.removeprefix("Huyện ").replace("Thành phố ", "TP ").replace("Thị xã ", "TX ")
        add(Unit(dist_id, dist_name, short, dist_type, code=dist_code, valid_to=REFORM_END,
                 parent="tinh-yen-bai", level="huyen", district=dist_id))
        old_ids = []
        for spec in old_spec.split("|"):
            kind, name = _parse_commune(spec)
            number += 1
            code += rng.choice((3, 3, 3, 6))
            unit = add(Unit(f"{kind}-{slugify(name)}-{number}", f"{TYPE_WORD[kind]} {name}", name, kind,
                            code=f"{code:05d}", valid_to=REFORM_END, parent=dist_id, district=dist_id,
                            weight=rng.uniform(0.3, 2.0)))
            old_ids.append(unit.id)
        new_ids = []
        for spec in new_spec.split("|"):
            kind, name = _parse_commune(spec)
            number += 1
            unit = add(Unit(f"{kind}-{slugify(name)}-{number}", f"{TYPE_WORD[kind]} {name}", name, kind,
                            valid_from=REFORM_START, parent="tinh-lao-cai", district=dist_id,
                            weight=rng.uniform(0.8, 2.5)))
            new_ids.append(unit.id)
        # Partition the old communes among the new ones, in runs (neighbours merge together).
        shuffled = old_ids[:]
        rng.shuffle(shuffled)
        for index, old_id in enumerate(shuffled):
            target = new_ids[index * len(new_ids) // len(shuffled)]
            units[old_id].successors = [(target, "merged_into")]
        for new_id in new_ids:     # a new commune reuses the official code of its first predecessor
            first = next(u for u in shuffled if units[u].successors[0][0] == new_id)
            units[new_id].code = units[first].code
    # A few communes split between two new communes of the same old district.
    candidates = [u for u in units.values() if u.level == "xa" and u.valid_to is not None]
    for unit in rng.sample(candidates, SPLIT_COUNT):
        first = unit.successors[0][0]
        others = [u for u in units.values() if u.valid_from == REFORM_START and u.district == unit.district
                  and u.id != first]
        second = rng.choice(others).id
        unit.successors = [(first, "split_into"), (second, "split_into")]
    return units


def reach_of(units: dict[str, Unit]) -> dict[str, frozenset[str]]:
    """Units whose records reach a unit (site_builder's rule): itself, descendants, units merged into it."""
    edges = {u: list(unit.children) for u, unit in units.items()}
    for unit in units.values():
        for succ, relation in unit.successors:
            if relation in ("merged_into", "renamed"):
                edges[succ].append(unit.id)
    reach = {}
    for uid in units:
        seen = {uid}
        stack = [uid]
        while stack:
            for nxt in edges[stack.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        reach[uid] = frozenset(seen)
    return reach


def ancestors(units: dict[str, Unit], uid: str) -> list[str]:
    out = []
    parent = units[uid].parent
    while parent:
        out.append(parent)
        parent = units[parent].parent
    return out


# --------------------------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------------------------

# (id, label, unit, kind, format, group, description). The first four are reported in news items'
# `figures:`; the others only in data/records.csv, so nothing is counted twice.
METRICS = [
    ("cuoc-giam-sat", "Cuộc giám sát do Mặt trận chủ trì", "cuộc", "flow", "number", "Giám sát, phản biện",
     "Số cuộc giám sát do Ủy ban MTTQ các cấp chủ trì trong kỳ."),
    ("hoi-nghi-phan-bien", "Hội nghị phản biện xã hội", "hội nghị", "flow", "number", "Giám sát, phản biện",
     "Hội nghị phản biện dự thảo nghị quyết, quy hoạch, đề án do Mặt trận tổ chức trong kỳ."),
    ("hoi-nghi-tiep-xuc-cu-tri", "Hội nghị tiếp xúc cử tri", "hội nghị", "flow", "number", "Tiếp xúc cử tri",
     "Hội nghị tiếp xúc cử tri do Mặt trận phối hợp tổ chức trong kỳ."),
    ("tien-quy-vi-nguoi-ngheo", "Tiền vận động Quỹ “Vì người nghèo”", "đồng", "flow", "money", "An sinh xã hội",
     "Số tiền Mặt trận các cấp tiếp nhận vào Quỹ “Vì người nghèo” trong kỳ."),
    ("y-kien-kien-nghi-cu-tri", "Ý kiến, kiến nghị của cử tri", "ý kiến", "flow", "number", "Tiếp xúc cử tri",
     "Số ý kiến, kiến nghị cử tri gửi tới kỳ họp, tổng hợp theo năm."),
    ("nha-dai-doan-ket", "Nhà Đại đoàn kết xây mới, sửa chữa", "căn", "flow", "number", "An sinh xã hội",
     "Số nhà Đại đoàn kết được xây mới hoặc sửa chữa, bàn giao trong kỳ."),
    ("to-tu-quan", "Tổ tự quản ở khu dân cư", "tổ", "stock", "number", "Khu dân cư",
     "Số tổ tự quản (an ninh trật tự, vệ sinh môi trường, hòa giải) đang hoạt động, tính đến cuối kỳ."),
    ("thanh-vien-ban-cong-tac-mat-tran", "Thành viên Ban Công tác Mặt trận", "người", "stock", "number",
     "Khu dân cư", "Số thành viên Ban Công tác Mặt trận ở thôn, tổ dân phố, tính đến cuối kỳ."),
    ("khu-dan-cu-van-hoa", "Khu dân cư đạt danh hiệu văn hóa", "khu dân cư", "coverage", "number", "Khu dân cư",
     "Số thôn, tổ dân phố đạt danh hiệu khu dân cư văn hóa trên tổng số thôn, tổ dân phố."),
]
FIGURE_METRICS = [m[0] for m in METRICS[:4]]
DATA_METRICS = [m[0] for m in METRICS[4:]]
MONEY = {m[0] for m in METRICS if m[4] == "money"}

# --------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------

CATEGORIES = [
    "Hoạt động Mặt trận",
    "Giám sát, phản biện xã hội",
    "Đại đoàn kết toàn dân tộc",
    "An sinh xã hội",
    "Xây dựng Đảng, chính quyền",
    "Dân chủ ở cơ sở",
]
CATEGORY_TAGS = {
    "Hoạt động Mặt trận": ["Ban Công tác Mặt trận", "Cơ quan Khối", "Tập huấn nghiệp vụ", "Sơ kết, tổng kết",
                           "Đoàn thể chính trị - xã hội", "Thi đua khen thưởng", "Mặt trận cơ sở"],
    "Giám sát, phản biện xã hội": ["Giám sát", "Phản biện xã hội", "Tiếp xúc cử tri", "Bảo hiểm y tế",
                                    "Đất đai", "Ban Thanh tra nhân dân", "Ban Giám sát đầu tư cộng đồng"],
    "Đại đoàn kết toàn dân tộc": ["Ngày hội Đại đoàn kết", "Khu dân cư văn hóa", "Đồng bào dân tộc thiểu số",
                                  "Người có uy tín", "Tôn giáo", "Nông thôn mới", "Đô thị văn minh"],
    "An sinh xã hội": ["Vì người nghèo", "Nhà Đại đoàn kết", "Giảm nghèo bền vững", "Cứu trợ thiên tai",
                       "Phòng, chống Covid-19", "Học bổng", "Tết vì người nghèo"],
    "Xây dựng Đảng, chính quyền": ["Bầu cử", "Hiệp thương", "Đại hội Đảng bộ", "Góp ý xây dựng Đảng",
                                   "Cải cách hành chính", "Sắp xếp đơn vị hành chính", "Chuyển đổi số"],
    "Dân chủ ở cơ sở": ["Hòa giải ở cơ sở", "Đối thoại", "Quy chế dân chủ", "Hương ước, quy ước",
                        "Tổ tự quản", "An ninh trật tự", "Môi trường"],
}
COMMON_TAGS = ["Cơ quan Khối", "Mặt trận cơ sở", "Chuyển đổi số", "Nông thôn mới", "Đoàn thể chính trị - xã hội"]
ALL_TAGS = sorted({t for tags in CATEGORY_TAGS.values() for t in tags} | set(COMMON_TAGS))

AUTHORS = [
    "Mai Hiên", "Tiến Đạt", "Đức Anh", "Thanh Hương", "Hoàng Lan", "Quốc Việt", "Minh Thư", "Văn Tuấn",
    "Lò Thị Hoa", "Giàng A Sình", "Hà Thu", "Nguyễn Hằng", "Phạm Dũng", "Thu Trang", "Bích Ngọc",
    "Trần Quang", "Lê Phương", "Đinh Hải", "Vũ Oanh", "Sùng A Chu", "Hồng Duyên", "Ngọc Khánh",
]
HAMLETS = [
    "Khe Lóng", "Bản Lè", "Làng Câu", "Đồng Bằng", "Khe Cam", "Nà Khá", "Bản Mường", "Khe Dứa", "Làng Ven",
    "Đồng Lú", "Bản Tủn", "Pá Kết", "Khau Phạ", "Hồng Phong", "Tân Tiến", "Đoàn Kết", "Thác Hoa",
    "Ngòi Kè", "Làng Đát", "Bản Đao", "Khe Vải", "Cầu Khai", "Đồng Tâm", "Nậm Tộc",
]

# Title patterns: {u} the unit's short name, {k} a small number, {y} the year, {h} a hamlet.
TITLES = {
    "Hoạt động Mặt trận": [
        "{u}: Sơ kết công tác Mặt trận 6 tháng đầu năm {y}",
        "{u}: Tổng kết công tác Mặt trận năm {y}, triển khai nhiệm vụ năm mới",
        "{u}: Tập huấn nghiệp vụ cho Ban Công tác Mặt trận thôn, tổ dân phố",
        "{u}: Cơ quan Khối đi vào nền nếp sau {k} năm hoạt động",
        "Mặt trận {u} ra mắt mô hình “Dân vận khéo” ở thôn {h}",
        "{u}: Hội nghị Ủy ban MTTQ lần thứ {k}, nhiệm kỳ 2019 – 2024",
        "{u}: Đổi mới nội dung, phương thức hoạt động của Mặt trận cơ sở",
        "{u}: Kỷ niệm ngày truyền thống Mặt trận Tổ quốc Việt Nam 18/11",
    ],
    "Giám sát, phản biện xã hội": [
        "{u}: Giám sát việc thực hiện chính sách bảo hiểm y tế năm {y}",
        "{u}: Phản biện dự thảo nghị quyết hỗ trợ phát triển sản xuất",
        "{u}: Tiếp xúc cử tri trước kỳ họp thứ {k} Hội đồng nhân dân",
        "{u}: Giám sát công tác bồi thường, giải phóng mặt bằng",
        "{u}: Ban Thanh tra nhân dân xã phát huy vai trò giám sát",
        "{u}: Cử tri kiến nghị sửa chữa đường liên thôn {h}",
        "{u}: Giám sát việc thu, chi các khoản đóng góp của nhân dân",
        "{u}: Phản biện quy hoạch sử dụng đất giai đoạn {y} – {y5}",
    ],
    "Đại đoàn kết toàn dân tộc": [
        "{u}: Ngày hội Đại đoàn kết toàn dân tộc ở thôn {h}",
        "{u}: Người có uy tín đồng hành cùng Mặt trận ở vùng cao",
        "{u}: Thôn {h} đạt chuẩn khu dân cư văn hóa {k} năm liền",
        "{u}: Chung sức xây dựng nông thôn mới, đô thị văn minh",
        "{u}: Gặp mặt chức sắc, chức việc các tôn giáo dịp cuối năm {y}",
        "{u}: Bà con thôn {h} hiến đất mở rộng đường",
        "{u}: Biểu dương {k} điển hình tiên tiến trong Cuộc vận động",
    ],
    "An sinh xã hội": [
        "{u}: Bàn giao {k} nhà Đại đoàn kết cho hộ nghèo",
        "{u}: Phát động Tháng cao điểm “Vì người nghèo” năm {y}",
        "{u}: Trao quà Tết cho hộ nghèo, gia đình chính sách",
        "{u}: Tiếp nhận ủng hộ đồng bào bị thiệt hại do mưa lũ",
        "{u}: Trao {k} suất học bổng cho học sinh vượt khó",
        "{u}: Mặt trận chung tay cùng người dân phòng, chống dịch",
        "{u}: Hỗ trợ sinh kế giúp hộ nghèo thôn {h} vươn lên",
    ],
    "Xây dựng Đảng, chính quyền": [
        "{u}: Hiệp thương lần thứ {k} giới thiệu người ứng cử đại biểu",
        "{u}: Góp ý dự thảo văn kiện Đại hội Đảng bộ nhiệm kỳ mới",
        "{u}: Lấy ý kiến cử tri về sắp xếp đơn vị hành chính",
        "{u}: Nhân dân góp ý xây dựng Đảng, xây dựng chính quyền năm {y}",
        "{u}: Hội nghị cử tri nơi cư trú nhận xét người ứng cử",
        "{u}: Mặt trận tham gia cải cách hành chính, chuyển đổi số",
    ],
    "Dân chủ ở cơ sở": [
        "{u}: Đối thoại giữa người đứng đầu cấp ủy với nhân dân",
        "{u}: Tổ hòa giải thôn {h} hòa giải thành {k} vụ việc",
        "{u}: Sửa đổi hương ước, quy ước thôn {h}",
        "{u}: Thực hiện dân chủ ở cơ sở gắn với xây dựng nông thôn mới",
        "{u}: Ra mắt tổ tự quản an ninh trật tự thôn {h}",
        "{u}: Nhân dân bàn và quyết định việc làm đường bê tông",
    ],
}

EVENTS = [
    "hội nghị sơ kết công tác Mặt trận 6 tháng đầu năm {y}",
    "hội nghị tổng kết công tác Mặt trận năm {y}",
    "hội nghị tiếp xúc cử tri trước kỳ họp Hội đồng nhân dân",
    "hội nghị phản biện xã hội dự thảo nghị quyết về hỗ trợ phát triển sản xuất",
    "lễ phát động Tháng cao điểm “Vì người nghèo” và an sinh xã hội",
    "Ngày hội Đại đoàn kết toàn dân tộc ở khu dân cư thôn {h}",
    "buổi giám sát việc thực hiện chính sách bảo hiểm y tế",
    "hội nghị triển khai Cuộc vận động “Toàn dân đoàn kết xây dựng nông thôn mới, đô thị văn minh”",
    "lễ bàn giao nhà Đại đoàn kết cho hộ nghèo",
    "hội nghị đối thoại giữa người đứng đầu cấp ủy, chính quyền với nhân dân",
    "lớp tập huấn nghiệp vụ công tác Mặt trận cho cán bộ cơ sở",
    "hội nghị hiệp thương giới thiệu người ứng cử đại biểu Hội đồng nhân dân",
    "hội nghị lấy ý kiến cử tri về đề án sắp xếp đơn vị hành chính",
    "buổi gặp mặt người có uy tín trong đồng bào dân tộc thiểu số",
]
LEADS = [
    "Ngày {d}, {mttq} tổ chức {event}.",
    "Sáng {d}, tại hội trường {place}, {mttq} đã tổ chức {event}.",
    "Chiều {d}, {mttq} phối hợp với Ủy ban nhân dân cùng cấp tổ chức {event}.",
    "Trong tháng {m}, {mttq} đã tổ chức {event}, thu hút đông đảo cán bộ, đoàn viên, hội viên và nhân dân tham gia.",
    "Thực hiện chương trình công tác năm {y}, ngày {d}, {mttq} tổ chức {event}.",
]
LEAD_FOLLOW = [
    "Tham dự có {n} đại biểu là lãnh đạo cấp ủy, chính quyền, các đoàn thể và đại diện các thôn, tổ dân phố.",
    "Đến dự có đại diện Thường trực cấp ủy, Hội đồng nhân dân, Ủy ban nhân dân và {n} đại biểu của các thôn, bản.",
    "Hội nghị được tổ chức theo hình thức trực tiếp kết hợp trực tuyến tới {k} điểm cầu ở cơ sở.",
    "Đây là hoạt động thiết thực nhằm phát huy vai trò của Mặt trận trong tập hợp, đoàn kết các tầng lớp nhân dân.",
    "Hoạt động nằm trong chuỗi sự kiện hướng tới kỷ niệm ngày truyền thống Mặt trận Tổ quốc Việt Nam 18/11.",
]
HEADINGS = [
    "Kết quả nổi bật", "Những cách làm hay", "Phát huy vai trò giám sát", "Lắng nghe ý kiến nhân dân",
    "Nâng cao chất lượng hoạt động", "Khó khăn, vướng mắc", "Phương hướng thời gian tới",
    "Đồng hành cùng chính quyền cơ sở", "Vận động nguồn lực xã hội", "Từ thực tiễn cơ sở",
    "Một đầu mối, nhiều việc", "Kiến nghị, đề xuất", "Chăm lo cho người nghèo",
    "Khu dân cư là địa bàn then chốt", "Phát huy dân chủ ở cơ sở", "Kinh nghiệm rút ra",
    "Đổi mới phương thức hoạt động", "Gắn với phong trào thi đua", "Chuyển đổi số trong công tác Mặt trận",
    "Sát dân, hiểu dân", "Những con số ấn tượng", "Ý kiến cử tri",
]
SENTENCES = [
    "Thời gian qua, Ban Thường trực Ủy ban MTTQ đã chủ động phối hợp với các tổ chức thành viên triển khai đồng bộ các nhiệm vụ trọng tâm.",
    "Công tác tuyên truyền, vận động được đổi mới theo hướng hướng về cơ sở, lấy khu dân cư làm địa bàn hoạt động chủ yếu.",
    "Các cuộc vận động và phong trào thi đua yêu nước tiếp tục được cụ thể hóa bằng những việc làm thiết thực, phù hợp với từng thôn, bản.",
    "Nhiều ý kiến, kiến nghị của cử tri đã được tổng hợp đầy đủ và chuyển đến cơ quan có thẩm quyền xem xét, giải quyết.",
    "Ban Công tác Mặt trận ở các thôn, tổ dân phố phát huy tốt vai trò nòng cốt trong tập hợp, đoàn kết nhân dân.",
    "Việc thực hiện dân chủ ở cơ sở có nhiều chuyển biến, người dân được biết, được bàn, được làm và được kiểm tra, giám sát.",
    "Các đoàn thể chính trị - xã hội đã phối hợp chặt chẽ, không để chồng chéo trong tổ chức các hoạt động ở địa bàn dân cư.",
    "Mặt trận các cấp đã tham gia tích cực vào công tác xây dựng Đảng, xây dựng chính quyền trong sạch, vững mạnh.",
    "Qua giám sát, Mặt trận đã kiến nghị chính quyền điều chỉnh kịp thời một số nội dung chưa phù hợp với thực tế.",
    "Quỹ “Vì người nghèo” được quản lý, sử dụng công khai, minh bạch, đúng đối tượng và có sự giám sát của nhân dân.",
    "Nhiều hộ nghèo đã được hỗ trợ xây mới, sửa chữa nhà ở, ổn định cuộc sống và yên tâm lao động sản xuất.",
    "Bà con các dân tộc đoàn kết, tích cực tham gia hiến đất, góp công làm đường giao thông nông thôn.",
    "Đội ngũ người có uy tín trong đồng bào dân tộc thiểu số là cầu nối quan trọng giữa cấp ủy, chính quyền với nhân dân.",
    "Công tác hòa giải ở cơ sở được quan tâm, nhiều mâu thuẫn nhỏ được giải quyết ngay từ thôn, tổ dân phố.",
    "Hoạt động giám sát và phản biện xã hội có trọng tâm, trọng điểm, tập trung vào những vấn đề nhân dân quan tâm.",
    "Mô hình tổ tự quản về an ninh trật tự và vệ sinh môi trường tiếp tục được nhân rộng ở nhiều khu dân cư.",
    "Việc ứng dụng công nghệ thông tin giúp cán bộ Mặt trận nắm bắt tình hình nhân dân nhanh chóng, kịp thời hơn.",
    "Trong năm, đã có nhiều tập thể, cá nhân được biểu dương, khen thưởng vì có thành tích xuất sắc trong các phong trào.",
    "Bên cạnh kết quả đạt được, công tác Mặt trận ở một số nơi vẫn còn hạn chế, hình thức tuyên truyền chưa thật phong phú.",
    "Đội ngũ cán bộ Mặt trận cơ sở phần lớn kiêm nhiệm, thường xuyên thay đổi nên ảnh hưởng đến chất lượng hoạt động.",
    "Kinh phí hoạt động của Ban Công tác Mặt trận ở một số thôn còn hạn hẹp, chưa đáp ứng yêu cầu nhiệm vụ.",
    "Thời gian tới, Mặt trận tiếp tục tập trung đổi mới nội dung, phương thức hoạt động, hướng mạnh về cơ sở.",
    "Ủy ban MTTQ sẽ tăng cường phối hợp với chính quyền trong việc nắm bắt tâm tư, nguyện vọng của nhân dân.",
    "Các đại biểu đã tập trung thảo luận, đóng góp nhiều ý kiến tâm huyết, trách nhiệm vào các nội dung của hội nghị.",
    "Nhiều ý kiến đề nghị cần có cơ chế hỗ trợ phù hợp hơn cho cán bộ Mặt trận ở thôn, bản vùng cao.",
    "Cử tri phản ánh tình trạng đường giao thông liên thôn xuống cấp, đề nghị sớm có kế hoạch sửa chữa.",
    "Một số cử tri kiến nghị tăng cường quản lý đất đai, xử lý nghiêm các trường hợp lấn chiếm đất công.",
    "Lãnh đạo chính quyền đã trực tiếp tiếp thu, giải trình và làm rõ nhiều vấn đề cử tri quan tâm.",
    "Những kiến nghị vượt thẩm quyền đã được tổng hợp, gửi đến cơ quan cấp trên để xem xét, trả lời.",
    "Phát biểu tại hội nghị, đại diện Thường trực cấp ủy ghi nhận, đánh giá cao những kết quả Mặt trận đã đạt được.",
    "Đồng chí đề nghị Mặt trận tiếp tục phát huy vai trò giám sát, phản biện xã hội, góp ý xây dựng Đảng, xây dựng chính quyền.",
    "Việc sắp xếp bộ máy theo hướng tinh gọn đặt ra yêu cầu mới đối với công tác tham mưu, giúp việc của cơ quan Khối.",
    "Từ khi có bộ phận giúp việc chung, các tổ chức cùng chia sẻ nhân lực, phương tiện và giảm đáng kể thủ tục hành chính.",
    "Các thôn đã tổ chức Ngày hội Đại đoàn kết với nhiều hoạt động văn hóa, thể thao đậm đà bản sắc dân tộc.",
    "Bữa cơm đoàn kết ở khu dân cư là dịp để bà con cùng ôn lại truyền thống và bàn việc xây dựng thôn, bản.",
    "Nhờ sự vào cuộc đồng bộ của cả hệ thống chính trị, tỷ lệ hộ nghèo trên địa bàn giảm rõ rệt qua từng năm.",
    "Mặt trận cũng đã phối hợp tổ chức trao quà cho các gia đình chính sách, hộ có hoàn cảnh khó khăn nhân dịp Tết.",
    "Trong đợt mưa lũ vừa qua, Mặt trận đã kịp thời tiếp nhận, phân bổ hàng cứu trợ đến tận tay người dân bị ảnh hưởng.",
    "Công tác vận động ủng hộ được thực hiện công khai, mọi khoản đóng góp đều được ghi chép, thông báo rộng rãi.",
    "Ban Giám sát đầu tư của cộng đồng đã theo dõi chặt chẽ tiến độ, chất lượng các công trình trên địa bàn.",
    "Mặt trận đã tham gia ý kiến vào dự thảo quy hoạch, kế hoạch sử dụng đất, bảo đảm quyền lợi chính đáng của người dân.",
    "Hội nghị cử tri nơi cư trú diễn ra dân chủ, đúng luật, tạo điều kiện để cử tri phát biểu ý kiến.",
    "Các bước hiệp thương được thực hiện chặt chẽ, bảo đảm cơ cấu, thành phần, số lượng người được giới thiệu ứng cử.",
    "Nhân dân đã tham gia góp ý thẳng thắn, xây dựng đối với cán bộ, đảng viên ở khu dân cư.",
    "Việc lấy ý kiến cử tri về đề án sắp xếp đơn vị hành chính được tổ chức nghiêm túc, đúng quy trình.",
    "Tỷ lệ cử tri đồng ý với chủ trương sắp xếp đơn vị hành chính đạt cao, thể hiện sự đồng thuận của nhân dân.",
    "Sau khi sắp xếp, Mặt trận xã mới nhanh chóng ổn định tổ chức, bảo đảm hoạt động thông suốt.",
    "Các thành viên Ban Công tác Mặt trận thường xuyên đến từng hộ gia đình để nắm tình hình, giải thích chủ trương.",
    "Nhiều gia đình đã tự nguyện hiến hàng trăm mét vuông đất để mở rộng đường, xây dựng nhà văn hóa thôn.",
    "Phong trào “Toàn dân bảo vệ an ninh Tổ quốc” được duy trì, góp phần giữ vững an ninh trật tự ở cơ sở.",
    "Đến nay, hầu hết các thôn, tổ dân phố đã xây dựng và thực hiện tốt hương ước, quy ước.",
    "Những cách làm sáng tạo ở cơ sở đã được tổng kết, nhân rộng trong toàn huyện.",
    "Cán bộ Mặt trận được tập huấn kỹ năng sử dụng phần mềm quản lý, báo cáo trực tuyến.",
    "Người dân có thể gửi ý kiến, phản ánh qua nhóm Zalo của thôn và được Ban Công tác Mặt trận tiếp nhận ngay.",
    "Đồng bào các dân tộc Mông, Thái, Dao, Tày luôn tin tưởng vào sự lãnh đạo của Đảng và chính sách của Nhà nước.",
    "Mặt trận đã phối hợp vận động các doanh nghiệp, nhà hảo tâm chung tay hỗ trợ sinh kế cho hộ nghèo.",
    "Những con bò, con lợn giống được trao tặng đã giúp nhiều hộ gia đình có thêm điều kiện phát triển kinh tế.",
    "Học bổng “Tiếp sức đến trường” đã tiếp thêm động lực cho các em học sinh có hoàn cảnh khó khăn.",
]
CLOSINGS = [
    "Kết thúc hội nghị, {mttq} đã khen thưởng các tập thể, cá nhân có thành tích xuất sắc.",
    "Thời gian tới, {mttq} tiếp tục phát huy kết quả đạt được, khắc phục hạn chế, hoàn thành tốt nhiệm vụ năm {y}.",
    "Hội nghị đã thống nhất các nhiệm vụ, giải pháp trọng tâm trong thời gian tới.",
    "Các ý kiến tại hội nghị sẽ được tổng hợp, báo cáo cấp ủy và gửi đến cơ quan có thẩm quyền.",
    "{mttq} đề nghị các tổ chức thành viên tiếp tục phối hợp chặt chẽ, hướng mạnh về cơ sở.",
]
LIST_INTROS = [
    "Một số nhiệm vụ trọng tâm trong thời gian tới:",
    "Các kiến nghị chính của cử tri gồm:",
    "Hội nghị thống nhất các giải pháp sau:",
    "Những việc Mặt trận đã làm được:",
    "Các đại biểu đề xuất:",
]
LIST_ITEMS = [
    "tăng cường tuyên truyền, vận động nhân dân thực hiện chủ trương của Đảng, chính sách của Nhà nước",
    "nâng cao chất lượng hoạt động của Ban Công tác Mặt trận ở thôn, tổ dân phố",
    "đẩy mạnh giám sát việc thực hiện chính sách an sinh xã hội",
    "tiếp tục vận động xây dựng nhà Đại đoàn kết cho hộ nghèo",
    "sửa chữa, nâng cấp tuyến đường liên thôn đã xuống cấp",
    "giải quyết dứt điểm các vụ việc tranh chấp đất đai kéo dài",
    "bố trí kinh phí hoạt động cho Ban Công tác Mặt trận",
    "nhân rộng mô hình tổ tự quản ở khu dân cư",
    "ứng dụng chuyển đổi số trong tiếp nhận ý kiến của nhân dân",
    "phát huy vai trò của người có uy tín trong đồng bào dân tộc thiểu số",
    "tổ chức tốt Ngày hội Đại đoàn kết toàn dân tộc ở khu dân cư",
    "hỗ trợ sinh kế, giúp hộ cận nghèo thoát nghèo bền vững",
    "tăng cường công tác hòa giải ở cơ sở",
    "đảm bảo nước sinh hoạt cho các thôn vùng cao trong mùa khô",
    "kiểm tra chất lượng công trình nhà văn hóa thôn",
    "quan tâm đào tạo nghề cho lao động nông thôn",
]
LINKS = [
    "Thông tin chi tiết được đăng trên [Cổng thông tin điện tử Ủy ban Trung ương MTTQ Việt Nam](https://mattran.org.vn/).",
    "Toàn văn kế hoạch được niêm yết tại nhà văn hóa các thôn và đăng trên [trang của đơn vị]({unit_link}).",
    "Bạn đọc có thể xem thêm các bài viết về [mô hình Cơ quan Khối](/gioi-thieu/) trên trang bản tin này.",
    "Các văn bản liên quan được công khai trên [Cổng Dịch vụ công quốc gia](https://dichvucong.gov.vn/).",
    "Ý kiến đóng góp xin gửi về Ban Thường trực theo địa chỉ ở trang [Liên hệ](/lien-he/).",
]
# (label, unit word, smallest, largest) for a commune; multiplied for districts and provinces.
TABLE_ROWS = [
    ("Hội nghị tiếp xúc cử tri", "hội nghị", 2, 12), ("Lượt cử tri tham dự", "lượt", 150, 1200),
    ("Ý kiến, kiến nghị", "ý kiến", 8, 60), ("Cuộc giám sát", "cuộc", 1, 6),
    ("Nhà Đại đoàn kết bàn giao", "căn", 1, 8), ("Suất quà Tết", "suất", 40, 400),
    ("Hộ nghèo được hỗ trợ", "hộ", 10, 120), ("Vụ việc hòa giải thành", "vụ", 2, 25),
    ("Mét vuông đất hiến", "m²", 200, 5000),
]
TABLE_SCALE = {"xa": 1, "huyen": 18, "tinh": 170, "quoc-gia": 170}
FIGURE_SENTENCES = {
    "cuoc-giam-sat": "Riêng {period}, {mttq} đã chủ trì {value} cuộc giám sát, tập trung vào chính sách an sinh xã hội và quản lý đất đai.",
    "hoi-nghi-phan-bien": "Trong {period}, {mttq} đã tổ chức {value} hội nghị phản biện xã hội đối với các dự thảo văn bản của chính quyền.",
    "hoi-nghi-tiep-xuc-cu-tri": "Trong {period}, Mặt trận đã phối hợp tổ chức {value} hội nghị tiếp xúc cử tri ở {place}.",
    "tien-quy-vi-nguoi-ngheo": "Trong {period}, Quỹ “Vì người nghèo” của {place} đã tiếp nhận {value} đồng từ các tổ chức, cá nhân.",
}
WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"]


# --------------------------------------------------------------------------------------------
# Items
# --------------------------------------------------------------------------------------------

@dataclass
class Figure:
    unit: str
    metric: str
    period: str
    start: date
    end: date
    value: int = 0
    own: int = 0


@dataclass
class Item:
    index: int
    when: datetime
    units: list[str]
    title: str
    slug: str
    explicit_slug: bool
    category: str
    tags: list[str]
    authors: list[str]
    summary: str
    figure: Figure | None = None
    body_parts: list = field(default_factory=list)   # text, with "{FIGURE}" where the figure goes
    body: str = ""

    @property
    def unit(self) -> str:
        return self.units[0]


def month_period(day: date) -> tuple[str, date, date]:
    last = calendar.monthrange(day.year, day.month)[1]
    return f"{day.year}-{day.month:02d}", date(day.year, day.month, 1), date(day.year, day.month, last)


def quarter_period(day: date) -> tuple[str, date, date]:
    qn = (day.month - 1) // 3 + 1
    first = date(day.year, 3 * qn - 2, 1)
    last_month = 3 * qn
    return f"{day.year}-Q{qn}", first, date(day.year, last_month, calendar.monthrange(day.year, last_month)[1])


def period_words(period: str) -> str:
    if "-Q" in period:
        year, qn = period.split("-Q")
        return f"quý {['I', 'II', 'III', 'IV'][int(qn) - 1]} năm {year}"
    year, month = period.split("-")
    return f"tháng {int(month)}/{year}"


def format_value(metric: str, value: int) -> str:
    if metric in MONEY:
        if value % 1_000_000 == 0:
            return f"{group_thousands(value // 1_000_000)} triệu"
        if value % 100_000 == 0:
            millions, rest = divmod(value, 1_000_000)
            return f"{group_thousands(millions)},{rest // 100_000} triệu"
        return group_thousands(value)
    return group_thousands(value)


class FigureRegistry:
    """Every figure placed so far, checked so that site_builder never sees double counting.

    - one unit, one metric: periods never overlap (rule 3);
    - a unit above another (its records reach it): the lower period lies within the upper one or
      does not touch it (no partial overlap, rule 1).
    """

    def __init__(self, reach: dict[str, frozenset[str]]) -> None:
        self.reach = reach
        self.by_metric: dict[str, list[Figure]] = {m: [] for m in FIGURE_METRICS}

    def fits(self, fig: Figure) -> bool:
        for other in self.by_metric[fig.metric]:
            if other.end < fig.start or fig.end < other.start:
                continue                                   # disjoint: always fine
            if other.unit == fig.unit:
                return False
            if other.unit in self.reach[fig.unit]:         # fig is above other
                if not (fig.start <= other.start and other.end <= fig.end):
                    return False
            elif fig.unit in self.reach[other.unit]:       # other is above fig
                if not (other.start <= fig.start and fig.end <= other.end):
                    return False
        return True

    def add(self, fig: Figure) -> None:
        self.by_metric[fig.metric].append(fig)

    def assign_values(self, rng: random.Random, units: dict[str, Unit]) -> None:
        """Bottom-up: a unit's figure is its own activity plus the figures it covers, so a reported
        total is never smaller than what its sub-units add up to."""
        scale = {"xa": 1, "huyen": 6, "tinh": 40, "quoc-gia": 60}
        for metric, figs in self.by_metric.items():
            figs.sort(key=lambda f: (len(self.reach[f.unit]), f.start, f.unit))
            for fig in figs:
                months = 3 if "-Q" in fig.period else 1
                k = scale[units[fig.unit].level] * months
                if metric in MONEY:
                    fig.own = rng.randint(2, 60) * k * 500_000
                elif metric == "hoi-nghi-tiep-xuc-cu-tri":
                    fig.own = rng.randint(1, 6) * k
                else:
                    fig.own = rng.randint(1, 3) * k
                inside = [o for o in figs if o is not fig and o.unit != fig.unit and o.unit in self.reach[fig.unit]
                          and fig.start <= o.start and o.end <= fig.end]
                top = [o for o in inside
                       if not any(p is not o and p.unit != o.unit and o.unit in self.reach[p.unit]
                                  and p.start <= o.start and o.end <= p.end for p in inside)]
                fig.value = fig.own + sum(o.value for o in top)


@dataclass
class Corpus:
    seed: int
    units: dict[str, Unit]
    items: list[Item]
    records: list[dict]

    def unit_chain(self, item: Item) -> list[str]:
        """The units an item is listed under: its own and their ancestors (site_builder's unit pages)."""
        seen: dict[str, None] = {}
        for uid in item.units:
            seen[uid] = None
            seen.update(dict.fromkeys(ancestors(self.units, uid)))
        return list(seen)


def _pick_unit(rng: random.Random, day: date, pools: dict) -> list[str]:
    old = day <= REFORM_END
    roll = rng.random()
    if roll < 0.03:
        return ["viet-nam"]
    if roll < 0.13:
        return ["tinh-yen-bai" if old else "tinh-lao-cai"]
    if old and roll < 0.35:
        ids, weights = pools["huyen"]
        return [rng.choices(ids, weights)[0]]
    ids, weights = pools["xa-old" if old else "xa-new"]
    first = rng.choices(ids, weights)[0]
    if rng.random() < 0.05:   # an item about two neighbouring communes
        return [first, rng.choice(pools["siblings"][first])]
    return [first]


def _dates(rng: random.Random, n: int) -> list[datetime]:
    span = (LAST_DAY - FIRST_DAY).days
    out = []
    for _ in range(n):
        day = FIRST_DAY + timedelta(days=rng.randrange(span + 1))
        out.append(datetime(day.year, day.month, day.day, rng.randint(6, 21), rng.randrange(60)))
    out.sort()
    return out


def _figure_candidates(when: datetime, unit: Unit) -> list[tuple[str, date, date]]:
    """Months and quarters the item could report: the last month or quarter, else the current one."""
    day = when.date()
    prev_month_day = day.replace(day=1) - timedelta(days=1)
    quarter_start = quarter_period(day)[1]
    prev_quarter_day = quarter_start - timedelta(days=1)
    options = [month_period(prev_month_day), quarter_period(prev_quarter_day), month_period(day),
               month_period(prev_month_day.replace(day=1) - timedelta(days=1))]
    valid = []
    for period, start, end in options:
        if start < date(2016, 1, 1):
            continue
        if (unit.valid_from and start < unit.valid_from) or (unit.valid_to and end > unit.valid_to):
            continue
        valid.append((period, start, end))
    return valid


def generate(items: int, seed: int = DEFAULT_SEED) -> Corpus:
    rng = random.Random(seed)
    units = build_units(rng)
    reach = reach_of(units)
    pools = {
        "huyen": ([u.id for u in units.values() if u.level == "huyen"],
                  [1.0 for u in units.values() if u.level == "huyen"]),
        "xa-old": ([u.id for u in units.values() if u.level == "xa" and u.valid_to],
                   [u.weight for u in units.values() if u.level == "xa" and u.valid_to]),
        "xa-new": ([u.id for u in units.values() if u.level == "xa" and u.valid_from],
                   [u.weight for u in units.values() if u.level == "xa" and u.valid_from]),
        "siblings": {u.id: [s for s in units[u.parent].children if s != u.id]
                     for u in units.values() if u.level == "xa"},
    }
    registry = FigureRegistry(reach)
    dates = _dates(rng, items)
    used_slugs: set[str] = set()
    out: list[Item] = []
    for index, when in enumerate(dates):
        r = random.Random(f"{seed}:item:{index}")
        unit_ids = _pick_unit(r, when.date(), pools)
        unit = units[unit_ids[0]]
        category = r.choice(CATEGORIES)
        names = {"u": unit.short if len(unit_ids) == 1 else f"{unit.short} và {units[unit_ids[1]].short}",
                 "k": r.randint(2, 12), "y": when.year, "y5": when.year + 5, "h": r.choice(HAMLETS)}
        title = r.choice(TITLES[category]).format(**names)
        # site_builder needs a slug unique within a month, Pelican within the site: an editor who
        # reuses a title writes `slug: …-2`.
        slug = slugify(title)
        explicit = False
        if slug in used_slugs and str(when.year) not in title:
            title = f"{title} năm {when.year}"
            slug = slugify(title)
        if slug in used_slugs:
            n = 2
            while f"{slug}-{n}" in used_slugs:
                n += 1
            slug, explicit = f"{slug}-{n}", True
        used_slugs.add(slug)
        pool = CATEGORY_TAGS[category] + COMMON_TAGS
        tags = list(dict.fromkeys(r.sample(pool, r.choice((0, 1, 2, 2, 3, 3, 4)))))
        authors = r.sample(AUTHORS, r.choice((1, 1, 1, 2)))
        item = Item(index, when, unit_ids, title, slug, explicit, category, tags, authors, "")
        if len(unit_ids) == 1 and r.random() < 0.21:
            metrics = FIGURE_METRICS[:]
            r.shuffle(metrics)
            for period, start, end in _figure_candidates(when, unit):
                placed = False
                for metric in metrics:
                    fig = Figure(unit.id, metric, period, start, end)
                    if registry.fits(fig):
                        registry.add(fig)
                        item.figure = fig
                        placed = True
                        break
                if placed:
                    break
        _compose_body(r, item, units)
        out.append(item)
    registry.assign_values(random.Random(f"{seed}:values"), units)
    for item in out:
        item.body = _render_body(item, units)
    records = _data_records(random.Random(f"{seed}:records"), units)
    return Corpus(seed, units, out, records)


def _mttq(unit: Unit) -> str:
    if unit.level == "quoc-gia":
        return "Ủy ban Trung ương MTTQ Việt Nam"
    return f"Ủy ban MTTQ {unit.in_text}"


def _fill(r: random.Random, text: str, item: Item, unit: Unit) -> str:
    day = item.when
    return text.format(
        d=f"{day.day}/{day.month}", m=f"{day.month}/{day.year}", y=day.year, mttq=_mttq(unit),
        place=unit.in_text, n=r.randint(40, 250), k=r.randint(2, 15), h=r.choice(HAMLETS),
        event=r.choice(EVENTS).format(y=day.year, h=r.choice(HAMLETS)),
        unit_link=f"/don-vi/{unit.id}/",
    )


def _compose_body(r: random.Random, item: Item, units: dict[str, Unit]) -> None:
    """The body as a list of blocks; "{FIGURE}" marks the sentence filled in once values are known."""
    unit = units[item.unit]
    target = r.randint(290, 790)
    blocks: list[str] = []

    # Sentences about the 2025 reorganisation only appear in items of 2025.
    sentences = SENTENCES if item.when.year >= 2025 else [s for s in SENTENCES if "sắp xếp" not in s]

    def paragraph(count: int, extra: str | None = None) -> str:
        chosen = r.sample(sentences, count)
        if extra is not None:
            chosen.insert(r.randrange(len(chosen) + 1), extra)
        return " ".join(chosen)

    lead = _fill(r, r.choice(LEADS), item, unit) + " " + _fill(r, r.choice(LEAD_FOLLOW), item, unit)
    item.summary = lead.split(". ")[0].rstrip(".") + "."
    blocks.append(lead + " " + paragraph(r.randint(1, 2)))
    headings = r.sample(HEADINGS, 6)
    table_done = link_done = figure_done = False
    section = 0

    def words() -> int:
        return sum(len(b.split()) for b in blocks)

    while words() < target - 30 and section < len(headings):
        blocks.append(f"## {headings[section]}")
        section += 1
        for _ in range(r.choice((1, 1, 2))):
            if words() >= target and (item.figure is None or figure_done):
                break
            extra = None
            if item.figure is not None and not figure_done:
                extra, figure_done = "{FIGURE}", True
            elif not link_done and r.random() < 0.15:
                extra, link_done = _fill(r, r.choice(LINKS), item, unit), True
            blocks.append(paragraph(r.randint(2, 4), extra))
        roll = r.random()
        if roll < 0.25:
            blocks.append(r.choice(LIST_INTROS))
            entries = r.sample(LIST_ITEMS, r.randint(3, 5))
            blocks.append("\n".join(f"- {e[:1].upper()}{e[1:]};" if i < len(entries) - 1 else f"- {e[:1].upper()}{e[1:]}."
                                    for i, e in enumerate(entries)))
        elif roll < 0.33 and not table_done:
            table_done = True
            rows = r.sample(TABLE_ROWS, r.randint(3, 4))
            lines = ["| Nội dung | Kết quả |", "| --- | ---: |"]
            scale = TABLE_SCALE[unit.level]
            lines += [f"| {label} | {group_thousands(r.randint(lo, hi) * scale)} {word} |" for label, word, lo, hi in rows]
            blocks.append(f"Kết quả cụ thể trong năm {item.when.year}:")
            blocks.append("\n".join(lines))
    blocks.append(_fill(r, r.choice(CLOSINGS), item, unit))
    item.body_parts = blocks


def _render_body(item: Item, units: dict[str, Unit]) -> str:
    text = "\n\n".join(item.body_parts)
    if item.figure is not None:
        fig = item.figure
        unit = units[fig.unit]
        sentence = FIGURE_SENTENCES[fig.metric].format(
            period=period_words(fig.period), mttq=_mttq(unit), place=unit.in_text,
            value=format_value(fig.metric, fig.value))
        text = text.replace("{FIGURE}", sentence)
    return text + "\n"


def _data_records(r: random.Random, units: dict[str, Unit]) -> list[dict]:
    """Yearly records of the metrics never reported in news items, for every commune."""
    rows: list[dict] = []
    for unit in units.values():
        if unit.level != "xa":
            continue
        hamlets = r.randint(6, 24)
        members = hamlets * r.randint(5, 9)
        groups = r.randint(2, hamlets)
        cultured = r.randint(hamlets // 3, hamlets)
        if unit.valid_to:
            periods = [str(y) for y in range(2016, 2025)] + ["2025-H1"]
            source = f"Báo cáo tổng kết năm của Ủy ban MTTQ {unit.in_text}"
        else:
            periods = ["2025-H2"]
            source = f"Báo cáo 6 tháng cuối năm 2025 của Ủy ban MTTQ {unit.in_text}"
        for period in periods:
            if r.random() < 0.06:        # a year the commune did not report
                continue
            half = period.endswith(("H1", "H2"))
            groups = min(hamlets * 3, groups + r.randint(0, 2))
            members = max(hamlets * 3, members + r.randint(-3, 6))
            cultured = min(hamlets, cultured + r.choice((0, 0, 1)))
            values = {
                "y-kien-kien-nghi-cu-tri": (r.randint(5, 60) // (2 if half else 1) + 1, ""),
                "nha-dai-doan-ket": (r.randint(0, 8), ""),
                "to-tu-quan": (groups, ""),
                "thanh-vien-ban-cong-tac-mat-tran": (members, ""),
                "khu-dan-cu-van-hoa": (cultured, str(hamlets)),
            }
            for metric in DATA_METRICS:
                value, denominator = values[metric]
                rows.append({"unit": unit.id, "metric": metric, "period": period, "value": group_thousands(value),
                             "denominator": denominator, "scope": "all",
                             "qualifier": "", "source": f"{source} {period.split('-')[0]}", "note": ""})
    return rows


# --------------------------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------------------------

def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")


def _fresh(out: Path, *names: str) -> None:
    """Remove what a previous run wrote (only the generator's own files and folders)."""
    for name in names:
        target = out / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()


def _flow_list(values: list[str]) -> str:
    return "[" + ", ".join(q(v) for v in values) + "]"


def _item_date(item: Item) -> str:
    return item.when.strftime("%Y-%m-%d %H:%M")


def _file_names(corpus: Corpus) -> list[str]:
    """A file stem per item: its slug, unique in the whole corpus."""
    return [item.slug for item in corpus.items]


def write_site_builder(corpus: Corpus, out: Path) -> Path:
    """DIR/content/ in site_builder's format."""
    content = out / "content"
    _fresh(out, "content")
    units = corpus.units
    _write(content / "site.yaml", f"""\
# Trang bản tin dùng để đo hiệu năng (dữ liệu do benchmarks/corpus.py sinh ra, hạt giống {corpus.seed}).
title: {q(SITE_TITLE)}
description: {q(SITE_DESCRIPTION)}
base_url: {BASE_URL}
timezone: Asia/Ho_Chi_Minh
root_unit: viet-nam
per_page: 20
theme: default
organisation:
  name: Ban Thường trực Ủy ban MTTQ Việt Nam tỉnh Lào Cai (dữ liệu mẫu)
  governing_body: Ủy ban Trung ương Mặt trận Tổ quốc Việt Nam
  address: Số 1 đường Hoàng Liên, phường Yên Bái, tỉnh Lào Cai
  phone: "0214 000 0000"
  email: bantin@mttq.example.gov.vn
  responsible: Nguyễn Văn An, Phó Chủ tịch Ủy ban MTTQ tỉnh (tên mẫu)
  licence: Ghi rõ nguồn khi phát hành lại thông tin từ trang này.
""")
    lines = ["# Cây đơn vị sinh tự động cho bài đo hiệu năng; cách sắp xếp xã năm 2025 là gần đúng.", ""]

    def emit(uid: str, depth: int) -> None:
        u = units[uid]
        pad = "  " * depth
        lines.append(f"{pad}- id: {u.id}")
        lines.append(f"{pad}  name: {q(u.name)}")
        lines.append(f"{pad}  type: {u.type}")
        if u.code is not None:
            lines.append(f'{pad}  code: "{u.code}"')
        if u.valid_from:
            lines.append(f"{pad}  valid_from: {u.valid_from.isoformat()}")
        if u.valid_to:
            lines.append(f"{pad}  valid_to: {u.valid_to.isoformat()}")
        if u.successors:
            lines.append(f"{pad}  successors:")
            for succ, relation in u.successors:
                lines.append(f"{pad}    - {{id: {succ}, relation: {relation}}}")
        if u.children:
            lines.append(f"{pad}  children:")
            for child in u.children:
                emit(child, depth + 2)

    emit("viet-nam", 0)
    _write(content / "units.yaml", "\n".join(lines) + "\n")

    mlines = ["# Danh mục chỉ tiêu của trang đo hiệu năng.", ""]
    for mid, label, unit_word, kind, fmt, group, desc in METRICS:
        mlines += [f"- id: {mid}", f"  label: {q(label)}", f"  unit: {q(unit_word)}", f"  kind: {kind}",
                   f"  format: {fmt}", f"  group: {q(group)}", f"  description: {q(desc)}", ""]
    _write(content / "metrics.yaml", "\n".join(mlines))

    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=["unit", "metric", "period", "value", "denominator", "scope",
                                             "qualifier", "source", "note"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(corpus.records)
    _write(content / "data" / "records.csv", buf.getvalue())

    _write(content / "pages" / "gioi-thieu.md", """\
---
title: Giới thiệu
summary: Trang bản tin về hoạt động của Mặt trận Tổ quốc và các đoàn thể ở cơ sở (dữ liệu mẫu).
order: 1
---

Trang bản tin đăng tin tức và số liệu về hoạt động của Mặt trận Tổ quốc Việt Nam và các đoàn thể
chính trị - xã hội ở tỉnh Yên Bái (đến ngày 30/6/2025) và tỉnh Lào Cai (từ ngày 01/7/2025).

## Cơ quan Khối

Cơ quan Khối là cơ quan tham mưu, giúp việc chung cho Mặt trận và các đoàn thể ở cấp huyện trước đây;
ở cấp xã là bộ phận giúp việc chung.
""")
    _write(content / "pages" / "lien-he.md", """\
---
title: Liên hệ
summary: Địa chỉ, điện thoại và thư điện tử của Ban biên tập.
order: 2
---

Ban biên tập bản tin, số 1 đường Hoàng Liên, phường Yên Bái, tỉnh Lào Cai.

- Điện thoại: 0214 000 0000
- Thư điện tử: bantin@mttq.example.gov.vn
""")

    for item, stem in zip(corpus.items, _file_names(corpus)):
        fm = ["---", f"title: {q(item.title)}", f'date: "{_item_date(item)}"']
        if len(item.units) == 1:
            fm.append(f"unit: {item.unit}")
        else:
            fm.append(f"units: [{', '.join(item.units)}]")
        fm.append(f"category: {q(item.category)}")
        if item.tags:
            fm.append(f"tags: {_flow_list(item.tags)}")
        fm.append(f"authors: {_flow_list(item.authors)}")
        fm.append(f"summary: {q(item.summary)}")
        if item.explicit_slug:
            fm.append(f"slug: {item.slug}")
        if item.figure is not None:
            fig = item.figure
            fm.append("figures:")
            fm.append(f'  - {{metric: {fig.metric}, period: "{fig.period}", value: {q(format_value(fig.metric, fig.value))}}}')
        fm.append("---")
        _write(content / "news" / str(item.when.year) / f"{stem}.md", "\n".join(fm) + "\n\n" + item.body)
    return content


HUGO_LAYOUTS = {
    "baseof.html": """\
<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ block "title" . }}{{ .Title }} – {{ site.Title }}{{ end }}</title>
<meta name="description" content="{{ with .Summary }}{{ . | plainify | truncate 160 }}{{ else }}{{ site.Params.description }}{{ end }}">
<link rel="canonical" href="{{ .Permalink }}">
{{ with site.Home.OutputFormats.Get "rss" }}<link rel="alternate" type="application/rss+xml" href="{{ .RelPermalink }}" title="{{ site.Title }}">{{ end }}
<style>body{font-family:system-ui,sans-serif;max-width:52rem;margin:auto;padding:1rem;line-height:1.5}
nav a{margin-right:1rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .5rem}</style>
</head>
<body>
<header><p><a href="{{ "/" | relURL }}">{{ site.Title }}</a></p>
<nav><a href="{{ "/tin-tuc/" | relURL }}">Tin tức</a><a href="{{ "/categories/" | relURL }}">Chuyên mục</a><a href="{{ "/tags/" | relURL }}">Thẻ</a><a href="{{ "/districts/" | relURL }}">Đơn vị</a></nav>
</header>
<main>{{ block "main" . }}{{ end }}</main>
<footer><p>{{ site.Params.organisation }} · {{ site.Params.address }}</p></footer>
</body>
</html>
""",
    "_partials/item.html": """\
<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<p><time datetime="{{ .Date.Format "2006-01-02T15:04:05-07:00" }}">{{ .Date.Format "02/01/2006 15:04" }}</time>{{ with .Params.categories }} · {{ index . 0 }}{{ end }}</p>
<p>{{ .Params.summary }}</p></article>
""",
    "_partials/pager.html": """\
{{ $p := .Paginator }}{{ if gt $p.TotalPages 1 }}<nav class="pager"><p>Trang {{ $p.PageNumber }}/{{ $p.TotalPages }}
{{ if $p.HasPrev }}<a href="{{ $p.Prev.URL }}" rel="prev">Trang trước</a>{{ end }}
{{ if $p.HasNext }}<a href="{{ $p.Next.URL }}" rel="next">Trang sau</a>{{ end }}</p></nav>{{ end }}
""",
    "home.html": """\
{{ define "main" }}<h1>{{ site.Title }}</h1>
<section><h2>Tin mới</h2>{{ range first 20 (where site.RegularPages "Section" "posts") }}{{ partial "item.html" . }}{{ end }}
<p><a href="{{ "/tin-tuc/" | relURL }}">Tất cả tin</a></p></section>
<section><h2>Đơn vị</h2><ul>{{ range first 20 (site.Taxonomies.districts.ByCount) }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul></section>
{{ end }}
""",
    "single.html": """\
{{ define "main" }}<article><h1>{{ .Title }}</h1>
<p>Ngày đăng: <time datetime="{{ .Date.Format "2006-01-02T15:04:05-07:00" }}">{{ .Date.Format "02/01/2006 15:04" }}</time></p>
<p>Đơn vị: {{ range $i, $t := .GetTerms "districts" }}{{ if $i }}, {{ end }}<a href="{{ $t.RelPermalink }}">{{ $t.LinkTitle }}</a>{{ end }}
{{ range .GetTerms "categories" }} · Chuyên mục: <a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>{{ end }}</p>
<p class="lead">{{ .Params.summary }}</p>
{{ .Content }}
{{ with .Params.authors }}<p>Tác giả: {{ delimit . ", " }}</p>{{ end }}
<p>{{ range $i, $t := .GetTerms "tags" }}{{ if $i }}, {{ end }}<a href="{{ $t.RelPermalink }}">{{ $t.LinkTitle }}</a>{{ end }}</p>
</article>
<nav>{{ with .PrevInSection }}<p>Bài mới hơn: <a href="{{ .RelPermalink }}">{{ .Title }}</a></p>{{ end }}
{{ with .NextInSection }}<p>Bài cũ hơn: <a href="{{ .RelPermalink }}">{{ .Title }}</a></p>{{ end }}</nav>
{{ end }}
""",
    "list.html": """\
{{ define "main" }}<h1>{{ .Title }}</h1>
{{ range (.Paginate .Pages).Pages }}{{ partial "item.html" . }}{{ end }}
{{ partial "pager.html" . }}{{ end }}
""",
    "taxonomy.html": """\
{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>
{{ end }}
""",
    "term.html": """\
{{ define "main" }}<h1>{{ .Title }}</h1>
{{ range (.Paginate .Pages).Pages }}{{ partial "item.html" . }}{{ end }}
{{ partial "pager.html" . }}{{ end }}
""",
}


def write_hugo(corpus: Corpus, out: Path) -> Path:
    """A Hugo site in DIR: config.toml, content/posts/*.md, layouts/ (a minimal theme of our own)."""
    _fresh(out, "content", "layouts", "config.toml", "hugo.toml")
    _write(out / "config.toml", f"""\
baseURL = {q(BASE_URL)}
languageCode = "vi"
defaultContentLanguage = "vi"
title = {q(SITE_TITLE)}
timeZone = "Asia/Ho_Chi_Minh"
removePathAccents = true
titleCaseStyle = "none"
disableKinds = ["sitemap", "robotsTXT", "404"]
enableRobotsTXT = false

[pagination]
pagerSize = 20
path = "trang"

[services.rss]
limit = 20

[taxonomies]
tag = "tags"
category = "categories"
district = "districts"

[permalinks.page]
posts = "/tin-tuc/:year/:month/:slug/"

[permalinks.section]
posts = "/tin-tuc/"

[outputs]
home = ["html", "rss"]
section = ["html"]
taxonomy = ["html"]
term = ["html"]

[params]
description = {q(SITE_DESCRIPTION)}
organisation = "Ban Thường trực Ủy ban MTTQ Việt Nam tỉnh Lào Cai (dữ liệu mẫu)"
address = "Số 1 đường Hoàng Liên, phường Yên Bái, tỉnh Lào Cai"
""")
    for name, text in HUGO_LAYOUTS.items():
        _write(out / "layouts" / name, text)
    _write(out / "content" / "posts" / "_index.md", '---\ntitle: "Tin tức"\n---\n')
    units = corpus.units
    for item, stem in zip(corpus.items, _file_names(corpus)):
        districts = [units[u].name for u in corpus.unit_chain(item)]
        fm = ["---", f"title: {q(item.title)}", f"date: {item.when.strftime('%Y-%m-%dT%H:%M:00')}+07:00",
              f"slug: {item.slug}", f"tags: {_flow_list(item.tags)}", f"categories: {_flow_list([item.category])}",
              f"districts: {_flow_list(districts)}", f"authors: {_flow_list(item.authors)}",
              f"summary: {q(item.summary)}", "---"]
        _write(out / "content" / "posts" / f"{item.when.year}-{stem}.md", "\n".join(fm) + "\n\n" + item.body)
    return out


def write_pelican(corpus: Corpus, out: Path) -> Path:
    """A Pelican site in DIR: pelicanconf.py (default theme) and content/*.md."""
    _fresh(out, "content", "pelicanconf.py")
    _write(out / "pelicanconf.py", f"""\
# Pelican settings for the benchmark corpus (written by benchmarks/corpus.py).
AUTHOR = "Ban biên tập"
SITENAME = {q(SITE_TITLE)}
SITEURL = ""
PATH = "content"
TIMEZONE = "Asia/Ho_Chi_Minh"
DEFAULT_LANG = "vi"
DEFAULT_DATE_FORMAT = "%d/%m/%Y %H:%M"
THEME = "notmyidea"   # Pelican's default theme
DEFAULT_PAGINATION = 20
PAGINATION_PATTERNS = (
    (1, "{{url}}", "{{save_as}}"),
    (2, "{{base_name}}/trang/{{number}}/", "{{base_name}}/trang/{{number}}/index.html"),
)
ARTICLE_URL = "tin-tuc/{{date:%Y}}/{{date:%m}}/{{slug}}/"
ARTICLE_SAVE_AS = "tin-tuc/{{date:%Y}}/{{date:%m}}/{{slug}}/index.html"
CATEGORY_URL = "chuyen-muc/{{slug}}/"
CATEGORY_SAVE_AS = "chuyen-muc/{{slug}}/index.html"
CATEGORIES_SAVE_AS = "chuyen-muc/index.html"
TAG_URL = "the/{{slug}}/"
TAG_SAVE_AS = "the/{{slug}}/index.html"
TAGS_SAVE_AS = "the/index.html"
# No author pages (site_builder has none); yearly archives as site_builder's /luu-tru/YYYY/.
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
ARCHIVES_SAVE_AS = "luu-tru/index.html"
YEAR_ARCHIVE_SAVE_AS = "luu-tru/{{date:%Y}}/index.html"
# One feed: the whole site, 20 latest items.
FEED_ALL_ATOM = "feed.xml"
FEED_MAX_ITEMS = 20
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TAG_FEED_ATOM = None
RELATIVE_URLS = True
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
# Unit pages: site_builder lists every item under its unit and the units above it; Pelican has no
# custom taxonomies, so those unit names are added to each article's tags instead.
""")
    units = corpus.units

    def meta_list(values: list[str]) -> str:
        # Pelican splits on ";" when there is one, else on ","; names here may contain commas.
        return "; ".join(values) + ";"

    for item, stem in zip(corpus.items, _file_names(corpus)):
        districts = [units[u].name for u in corpus.unit_chain(item)]
        meta = [f"Title: {item.title}", f"Date: {_item_date(item)}", f"Category: {item.category}",
                f"Tags: {meta_list(item.tags + districts)}", f"Authors: {meta_list(item.authors)}",
                f"Slug: {item.slug}", f"Summary: {item.summary}"]
        _write(out / "content" / f"{item.when.year}-{stem}.md", "\n".join(meta) + "\n\n" + item.body)
    return out


WRITERS = {"site_builder": write_site_builder, "hugo": write_hugo, "pelican": write_pelican}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, required=True, help="number of news items")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--format", choices=FORMATS, default="site_builder")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    if args.items < 1:
        parser.error("--items must be at least 1")
    corpus = generate(args.items, args.seed)
    where = WRITERS[args.format](corpus, args.out)
    figures = sum(1 for i in corpus.items if i.figure is not None)
    print(f"{args.format}: {len(corpus.items)} items ({figures} with figures), {len(corpus.units)} units, "
          f"{len(corpus.records)} data records → {where}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
