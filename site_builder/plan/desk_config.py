"""The desk's content model: Decap CMS's `config.yml`, generated from the site on every build.

Nobody writes this file by hand: its collections follow the source formats of README, and its
choice lists come from `units.yaml` (every unit, in tree order, labelled "Xã Đông Cuông, Huyện Văn
Yên (đến 30/6/2025)": full name, parent, and the end date of a former unit), `metrics.yaml`
("Cuộc giám sát do Mặt trận thực hiện (cuộc)": label and unit of measure) and the categories and
tags in use. A new unit or metric appears in the desk on the next build, with no config touched.
The same site gives the same text, byte for byte.

Decisions where Decap and our formats meet (README, "Bàn biên tập"):
- Dates are stored as `"2020-08-21 02:49"`, Vietnam time as written: the datetime widget's
  `format: "YYYY-MM-DD HH:mm"` with `picker_utc: false` parses and writes the value in the
  browser's local clock, with no conversion to UTC.
- Uploads go to `<source>/media/<year>/` (a field-level `media_folder` with `{{year}}`), and
  front matter gets `media/<year>/<file>` (`public_folder`), as README writes `image:`. Decap
  takes `{{year}}` in UTC; the local backend places every upload itself, in the year of the
  upload in Vietnam time (`live.desk_media.place`), and rewrites the entry's links to match.
- Category is our `suggest` field (`desk-widgets.js`): a text box offering the categories in
  use, which also takes a new one. Decap's `select` cannot add a value; the build folds
  spellings and warns about variants.
- `image_alt` is required only when there is an image; Decap cannot say so in its config, so
  the hint says it and the desk's backend refuses the save with the build's message.
- `metrics.yaml` and `data/*.yaml` are lists at their top level, which a Decap entry cannot be
  (an entry is a mapping): on our own backend (`edit`) each is edited under one list field
  (`LIST_KEYS`), which the backend adds when it reads the file and takes off when it writes it;
  a git host's desk leaves them out (it hands Decap the files as they are). CSV and Excel data
  stay with the data keeper's own tools.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import yaml

from ..base.vietnamese import slugify
from ..load.units import UnitRegistry
from ..model.site import Site

BackendName = Literal["proxy", "github", "gitlab", "gitea"]
TAG_HINT_SIZE = 40  # the most used tags named in the hint; a national site has thousands
DATE_FORMAT = "YYYY-MM-DD HH:mm"
PERIOD_PATTERN = (r"^\d{4}(-(H[12]|Q[1-4]|\d{2}(-\d{2})?))?$|^\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2}$")
COMMIT_MESSAGES = {
    "create": "Viết {{collection}} mới “{{slug}}”", "update": "Sửa {{collection}} “{{slug}}”",
    "delete": "Xóa {{collection}} “{{slug}}”", "uploadMedia": "Tải lên “{{path}}”", "deleteMedia": "Xóa tệp “{{path}}”",
}
HEADER = ("# Cấu hình Bàn biên tập (Decap CMS), do site-builder tạo tự động từ site.yaml, units.yaml,\n"
          "# metrics.yaml và các bài viết. Đừng sửa tay: mọi thay đổi sẽ bị ghi đè ở lần xây dựng sau.\n")


@dataclass(frozen=True)
class DeskBackend:
    """Where the desk reads and saves: our local backend (`proxy`, for `site-builder edit`) or a
    git host. `content_prefix` is the source folder's path from the repository's root (the local
    desk's root is the project folder, the source folder's parent)."""

    name: BackendName
    repo: str = ""  # owner/name on a git host
    branch: str = "main"
    base_url: str = ""  # a self-hosted GitLab or Gitea, e.g. https://git.example.gov.vn
    app_id: str = ""  # the OAuth application id a self-hosted GitLab or Gitea needs
    proxy_url: str = "/api/v1"
    content_prefix: str = "content"

    def config(self) -> dict[str, Any]:
        """Decap's `backend:` mapping, with commit messages in Vietnamese (they stay in the history)."""
        if self.name == "proxy":
            return {"name": "proxy", "proxy_url": self.proxy_url, "branch": self.branch,
                    "commit_messages": COMMIT_MESSAGES}
        out: dict[str, Any] = {"name": self.name, "repo": self.repo, "branch": self.branch,
                               "commit_messages": COMMIT_MESSAGES}
        host = self.base_url.rstrip("/")
        if self.name == "gitlab" and host:
            out |= {"base_url": host, "api_root": f"{host}/api/v4", "auth_endpoint": "oauth/authorize"}
        elif self.name == "gitea":
            host = host or "https://gitea.com"
            out |= {"base_url": host, "api_root": f"{host}/api/v1"}
        if self.app_id:
            out |= {"app_id": self.app_id, "auth_type": "pkce"}
        return out

    @property
    def api_origin(self) -> str:
        """The host the published desk talks to (for its Content-Security-Policy); empty for proxy."""
        if self.name == "github":
            return "https://api.github.com"
        if self.name == "gitlab":
            return (self.base_url.rstrip("/") or "https://gitlab.com")
        if self.name == "gitea":
            return self.base_url.rstrip("/") or "https://gitea.com"
        return ""


def unit_label(units: UnitRegistry, unit_id: str) -> str:
    """"Xã Đông Cuông, Huyện Văn Yên (đến 30/6/2025)": what the unit picker shows (and searches)."""
    unit = units[unit_id]
    label = units.full_name(unit_id)
    if unit.valid_to is not None:
        end = unit.valid_to
        label += f" (đến {end.day}/{end.month}/{end.year})"
    return label


def unit_options(units: UnitRegistry) -> list[dict[str, str]]:
    """Every unit, former ones too, in tree order (parents before their children)."""
    return [{"label": unit_label(units, u), "value": u} for r in units.roots for u in units.subtree(r)]


def _field(name: str, label: str, widget: str, hint: str = "", required: bool = True, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "label": label, "widget": widget}
    if not required:
        out["required"] = False
    if hint:
        out["hint"] = hint
    return out | extra


def _figure_fields(site: Site, units: list[dict[str, str]]) -> list[dict[str, Any]]:
    metrics = [{"label": f"{m.label} ({m.unit})", "value": m.id} for m in site.metrics.metrics.values()]
    return [
        _field("metric", "Chỉ tiêu", "select", "Gõ vài chữ của tên chỉ tiêu, có dấu hay không dấu đều được. "
               "Chỉ tiêu mới được thêm vào metrics.yaml.", options=metrics),
        _field("period", "Kỳ báo cáo", "string",
               "2020 (năm), 2020-H1 (6 tháng đầu năm), 2020-Q3 (quý III), 2020-08 (tháng), 2020-08-21 (ngày), "
               "2020-01-01..2020-06-30 (khoảng).",
               pattern=[PERIOD_PATTERN, "Kỳ báo cáo viết như 2020, 2020-H1, 2020-Q3, 2020-08, 2020-08-21 "
                                        "hoặc 2020-01-01..2020-06-30."]),
        _field("value", "Giá trị", "string",
               'Ví dụ 298, 1.030, 16.400.000.000, "16,4 tỷ", "300 nghìn": dấu chấm tách hàng nghìn, dấu phẩy '
               'là phần thập phân. Không viết 1,030 hay 16.4 (không rõ nghĩa). Tiền là số nguyên đồng.'),
        _field("unit", "Đơn vị", "select", "Để trống: đơn vị của bài viết.", required=False, options=units),
        _field("scope", "Phạm vi", "select", "Mặc định: các cấp (đơn vị và mọi đơn vị dưới nó).", required=False,
               options=[{"label": "Các cấp", "value": "all"}, {"label": "Riêng cấp này", "value": "own"}]),
        _field("qualifier", "Chữ trước con số", "select",
               'Giữ đúng như nguồn viết: "trên 16,4 tỷ đồng", "gần 2.300 lượt".', required=False,
               options=["trên", "hơn", "gần", "khoảng"]),
        _field("denominator", "Mẫu số", "string", 'Chỉ cho chỉ tiêu tỷ lệ phủ, ví dụ 17 trong "17/17 xã".',
               required=False),
    ]


def _news(site: Site, prefix: str, units: list[dict[str, str]]) -> dict[str, Any]:
    categories = [t.name for t in site.categories]
    tags = sorted(site.tags, key=lambda t: -len(t.items))[:TAG_HINT_SIZE]
    media: dict[str, Any] = {"media_folder": f"/{prefix}/media/{{{{year}}}}", "public_folder": "media/{{year}}"}
    date: dict[str, Any] = {"format": DATE_FORMAT, "date_format": "YYYY-MM-DD", "time_format": "HH:mm", "picker_utc": False}
    category_hint = "Chọn một chuyên mục đang dùng trong danh sách hiện ra, hoặc gõ chuyên mục mới."
    tag_hint = "Mỗi thẻ một mục."
    if tags:
        tag_hint += " Thẻ hay dùng: " + "; ".join(t.name for t in tags) + "."
    return {
        "name": "tin-tuc", "label": "Tin tức", "label_singular": "bài viết",
        "description": "Bài viết: Markdown, lưu trong news/<năm>/.",
        "folder": f"{prefix}/news", "path": "{{year}}/{{slug}}", "extension": "md", "format": "frontmatter",
        "create": True, "identifier_field": "title", "summary": "{{title}} ({{date}})",
        "sortable_fields": ["date", "title"],
        "fields": [
            _field("title", "Tiêu đề", "string", "Sửa tiêu đề bài đã đăng là đổi địa chỉ của bài, trừ khi có "
                   "Tên bài (slug) cố định hoặc Địa chỉ cũ."),
            _field("date", "Ngày đăng", "datetime", "Giờ Việt Nam. Ngày trong tương lai: bài hẹn giờ.",
                   default="{{now}}", **date),
            _field("unit", "Đơn vị", "select", "Gõ tên đơn vị, có dấu hay không dấu (\"dong cuong\"). Bài của "
                   "nhiều đơn vị: để trống ô này và chọn ở Các đơn vị.", required=False, options=units),
            _field("units", "Các đơn vị", "select", "Chỉ dùng khi bài nói về nhiều đơn vị; khi đó để trống ô "
                   "Đơn vị.", required=False, multiple=True, options=units),
            _field("category", "Chuyên mục", "suggest", category_hint, required=False, options=categories),
            _field("tags", "Thẻ", "list", tag_hint, required=False),
            _field("authors", "Tác giả", "list", "Mỗi người một mục, ví dụ Mai Hiên.", required=False),
            _field("summary", "Tóm tắt", "text", "Một hai câu, hiện ở danh sách bài và khi chia sẻ.",
                   required=False),
            _field("image", "Ảnh", "image", "Ảnh chính của bài, lưu vào media/<năm>/.", required=False,
                   choose_url=False, **media),
            _field("image_alt", "Mô tả ảnh (cho người khiếm thị)", "string",
                   "Bắt buộc khi có ảnh: tả điều ảnh cho thấy.", required=False),
            _field("slug", "Tên bài (slug)", "string", "Tùy chọn: phần cuối địa chỉ bài, chữ thường không dấu nối "
                   "bằng -, ví dụ co-quan-khoi-yen-bai. Mặc định lấy từ tiêu đề.", required=False,
                   pattern=["^([a-z0-9]+(-[a-z0-9]+)*)?$", "Chỉ chữ thường không dấu, chữ số và dấu -."]),
            _field("aliases", "Địa chỉ cũ", "list", "Địa chỉ cũ của bài, tính từ gốc trang, ví dụ "
                   "/tin-tuc/2020/08/ten-cu/: người mở địa chỉ cũ được chuyển sang bài.", required=False),
            _field("updated", "Cập nhật", "datetime", "Tùy chọn: lần sửa nội dung đáng kể gần nhất.",
                   required=False, **date),
            _field("draft", "Bản nháp", "boolean",
                   "Chọn khi bài chưa được đăng: bản nháp không lên trang (Công bố chỉ lưu lại). Bỏ chọn khi bài đã sẵn sàng.",
                   required=False, default=False),
            _field("figures", "Số liệu trong bài", "list", "Mỗi con số bài báo cáo: chỉ tiêu, kỳ báo cáo, giá trị.",
                   required=False, summary="{{fields.metric}} — {{fields.period}}: {{fields.value}}",
                   fields=_figure_fields(site, units)),
            _field("body", "Nội dung", "markdown", "Liên kết tới ảnh của trang bắt đầu bằng media/.", **media),
        ],
    }


def _pages(prefix: str) -> dict[str, Any]:
    return {
        "name": "trang", "label": "Trang riêng", "label_singular": "trang",
        "description": "Trang giới thiệu, liên hệ… hiện trên trình đơn.",
        "folder": f"{prefix}/pages", "slug": "{{slug}}", "extension": "md", "format": "frontmatter",
        "create": True, "identifier_field": "title",
        "fields": [
            _field("title", "Tiêu đề", "string"),
            _field("summary", "Tóm tắt", "text", required=False),
            _field("slug", "Tên trang (slug)", "string", "Địa chỉ của trang; mặc định là tên tệp.", required=False,
                   pattern=["^([a-z0-9]+(-[a-z0-9]+)*)?$", "Chỉ chữ thường không dấu, chữ số và dấu -."]),
            _field("order", "Thứ tự trên trình đơn", "number", "Số nhỏ đứng trước; mặc định 100.", required=False,
                   value_type="int", default=100),
            _field("draft", "Bản nháp", "boolean", "Bản nháp không được đăng.", required=False, default=False),
            _field("body", "Nội dung", "markdown"),
        ],
    }


def _settings(prefix: str, units: list[dict[str, str]]) -> dict[str, Any]:
    organisation = [
        _field("name", "Tên cơ quan", "string"),
        _field("governing_body", "Cơ quan chủ quản", "string"),
        _field("address", "Địa chỉ", "string"),
        _field("phone", "Điện thoại", "string"),
        _field("email", "Thư điện tử", "string"),
        _field("responsible", "Người chịu trách nhiệm nội dung", "string"),
        _field("licence", "Giấy phép", "string", "Tùy chọn, ví dụ: Ghi rõ nguồn khi phát hành lại.", required=False),
    ]
    fields = [
        _field("title", "Tên trang", "string"),
        _field("description", "Mô tả", "text", required=False),
        _field("base_url", "Địa chỉ trang", "string", "Địa chỉ đầy đủ, ví dụ https://mttq.example.gov.vn/ban-tin/"),
        _field("timezone", "Múi giờ", "string", "Mặc định Asia/Ho_Chi_Minh.", required=False),
        _field("root_unit", "Đơn vị cao nhất của trang", "select", options=units),
        _field("per_page", "Số bài mỗi trang danh sách", "number", "Từ 1 đến 500, mặc định 20.", required=False,
               value_type="int", min=1, max=500),
        _field("theme", "Giao diện", "string", "Mặc định: default.", required=False),
        _field("iframe_hosts", "Trang được nhúng (iframe)", "list", "Tên miền, ví dụ www.youtube.com.",
               required=False),
        _field("organisation", "Cơ quan", "object", "Hiện ở chân mọi trang (Nghị định 42/2022/NĐ-CP).",
               fields=organisation),
    ]
    return {
        "name": "thong-tin-trang", "label": "Thông tin trang", "editor": {"preview": False},
        "files": [{"name": "site", "label": "Thông tin trang", "file": f"{prefix}/site.yaml", "fields": fields}],
    }


LIST_KEYS = {"metrics.yaml": "metrics", "data": "records"}  # the one field a list file is edited under


def _metrics(prefix: str) -> dict[str, Any]:
    """metrics.yaml, a top-level list: the desk edits it under one list field (`LIST_KEYS`), which
    our backend adds when it reads the file and takes off when it writes it."""
    fields = [
        _field("id", "Mã chỉ tiêu", "string", "Chữ thường không dấu nối bằng -, ví dụ cuoc-giam-sat. Đừng đổi mã "
               "đã dùng: số liệu ghi theo mã này.", pattern=["^[a-z0-9]+(-[a-z0-9]+)*$", "Mã chỉ gồm a-z, 0-9 và -."]),
        _field("label", "Tên chỉ tiêu", "string"),
        _field("unit", "Đơn vị tính", "string", "Ví dụ cuộc, lượt, đồng."),
        _field("kind", "Loại", "select", "Số phát sinh trong kỳ, số hiện có tại một ngày, hay tỷ lệ phủ (tử số/mẫu số).",
               options=[{"label": "Số phát sinh (flow)", "value": "flow"}, {"label": "Số hiện có (stock)", "value": "stock"},
                        {"label": "Tỷ lệ phủ (coverage)", "value": "coverage"}]),
        _field("format", "Cách viết số", "select", "Mặc định: số.", required=False,
               options=[{"label": "Số", "value": "number"}, {"label": "Tiền (số nguyên đồng)", "value": "money"},
                        {"label": "Số có phần lẻ", "value": "decimal"}]),
        _field("group", "Nhóm chỉ tiêu", "string", "Nhóm trên trang số liệu.", required=False),
        _field("description", "Mô tả", "text", required=False),
    ]
    return {
        "name": "chi-tieu", "label": "Chỉ tiêu", "editor": {"preview": False},
        "description": "Danh mục chỉ tiêu số liệu (metrics.yaml).",
        "files": [{"name": "danh-muc", "label": "Danh mục chỉ tiêu", "file": f"{prefix}/metrics.yaml",
                   "fields": [_field("metrics", "Chỉ tiêu", "list", "Mỗi chỉ tiêu một mục.",
                                     summary="{{fields.label}} ({{fields.unit}})", fields=fields)]}],
    }


def _data(site: Site, prefix: str, units: list[dict[str, str]]) -> dict[str, Any] | None:
    """Each YAML data file (a top-level list of records) as one entry, edited under one list field
    as metrics.yaml is; CSV and Excel files stay with the data keepers' own tools."""
    kept = site.parts.data_files if site.parts is not None else ()
    names = [rel for rel in kept if rel.endswith((".yaml", ".yml"))]
    if not names:
        return None
    figure = {f["name"]: f for f in _figure_fields(site, units)}
    fields = [
        _field("unit", "Đơn vị", "select", 'Gõ tên đơn vị, có dấu hay không dấu ("dong cuong").', options=units),
        figure["metric"], figure["period"], figure["value"], figure["scope"], figure["qualifier"], figure["denominator"],
        _field("source", "Nguồn", "string", "Ví dụ: Báo cáo tháng 8/2020 của Ủy ban MTTQ tỉnh.", required=False),
        _field("note", "Ghi chú", "text", required=False),
    ]
    files = [{"name": slugify(rel) or "du-lieu", "label": rel, "file": f"{prefix}/{rel}",
              "fields": [_field("records", "Số liệu", "list", "Mỗi số liệu một mục: đơn vị, chỉ tiêu, kỳ báo cáo, giá trị.",
                                summary="{{fields.unit}} — {{fields.metric}} — {{fields.period}}: {{fields.value}}",
                                fields=fields)]} for rel in names]
    return {"name": "so-lieu", "label": "Số liệu", "editor": {"preview": False},
            "description": "Tệp số liệu YAML trong data/ (tệp CSV và Excel sửa bằng bảng tính).", "files": files}


def desk_model(site: Site, backend: DeskBackend) -> dict[str, Any]:
    """Decap's configuration as a mapping (what `desk_config` writes as YAML)."""
    prefix = backend.content_prefix.strip("/")
    units = unit_options(site.units)
    return {
        "backend": backend.config(),
        "locale": "vi",
        "media_folder": f"{prefix}/media",
        "public_folder": "media",
        "slug": {"encoding": "ascii", "clean_accents": True},
        "collections": [_news(site, prefix, units), _pages(prefix), _settings(prefix, units), *_lists(site, prefix, units, backend)],
    }


def _lists(site: Site, prefix: str, units: list[dict[str, str]], backend: DeskBackend) -> list[dict[str, Any]]:
    """metrics.yaml and the YAML data files: only on our own backend (`edit`), which wraps and
    unwraps their top-level lists; a git host hands Decap the files as they are, which it cannot edit."""
    if backend.name != "proxy":
        return []
    data = _data(site, prefix, units)
    return [_metrics(prefix), *([data] if data else [])]


class _NoAliases(yaml.SafeDumper):
    """Writes a list shared by several fields (the units) in full each time: Decap's YAML parser
    refuses a document whose aliases expand to more than 100 nodes."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def desk_config(site: Site, backend: DeskBackend) -> str:
    """The text of `config.yml` for the desk at `backend`: deterministic, Vietnamese for the editor."""
    body = yaml.dump(desk_model(site, backend), Dumper=_NoAliases, allow_unicode=True, sort_keys=False, width=100,
                     default_flow_style=False)
    return HEADER + body
