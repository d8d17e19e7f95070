"""`site.yaml` → a frozen `SiteConfig`; every problem in it reported at once."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..base.errors import Problems
from ..base.vietnamese import clean_text
from .yamlload import LineDict, as_typed, load_yaml_file


@dataclass(frozen=True)
class Organisation:
    """Who publishes the site: shown in every page's footer, as Decree 42/2022/NĐ-CP expects."""

    name: str
    governing_body: str
    address: str
    phone: str
    email: str
    responsible: str
    licence: str = ""


EDITOR_BACKENDS = ("github", "gitlab", "gitea")
_EDITOR_KEYS = ("backend", "repo", "branch", "base_url", "app_id", "folder")
_REPO = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)+")


@dataclass(frozen=True)
class EditorConfig:
    """`editor:` in site.yaml: the git host the published desk (`admin/`) saves to. `folder` is the
    source folder's path from the repository's root (default: the source folder's name)."""

    backend: str
    repo: str
    branch: str = "main"
    base_url: str = ""  # a self-hosted GitLab or Gitea
    app_id: str = ""  # its OAuth application id
    folder: str = ""


@dataclass(frozen=True)
class SiteConfig:
    """Settings of one site, checked and typed."""

    source: Path
    title: str
    description: str
    base_url: str
    timezone: ZoneInfo
    root_unit: str
    per_page: int
    theme: str
    organisation: Organisation
    iframe_hosts: tuple[str, ...] = ()  # hosts whose https:// pages a body may embed in <iframe>
    root_unit_line: int = 1  # where site.yaml names `root_unit`, for the message if no such unit
    editor: EditorConfig | None = None  # publish the desk in admin/ for this git host

    @property
    def base_path(self) -> str:
        """The path part of `base_url`, e.g. "/ban-tin/"."""
        return urlsplit(self.base_url).path


_REQUIRED_ORG = ("name", "governing_body", "address", "phone", "email", "responsible")
PLACEHOLDER = "[Cần điền"  # how `init` marks what the site owner must still write: a warning until written
_HOST = re.compile(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


def _iframe_hosts(data: LineDict, path: Path, problems: Problems) -> tuple[str, ...]:
    """`iframe_hosts`: a list of bare host names such as "www.youtube.com"."""
    value = data.get("iframe_hosts")
    if value is None:
        return ()
    line = data.line_of("iframe_hosts")
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        problems.error(path, line, '"iframe_hosts" phải là danh sách tên miền.',
                       "Ví dụ: iframe_hosts: [www.youtube.com, www.youtube-nocookie.com]")
        return ()
    hosts: dict[str, None] = {}
    for entry in value:
        host = clean_text(str(entry)).strip().lower() if isinstance(entry, (str, int, float)) else ""
        if not _HOST.fullmatch(host):
            problems.error(path, line, f'"{entry}" trong iframe_hosts không phải một tên miền.',
                           'Chỉ ghi tên miền, không có "https://" hay đường dẫn, ví dụ: www.youtube.com')
            continue
        hosts.setdefault(host, None)
    return tuple(hosts)


def _editor(data: LineDict, path: Path, problems: Problems) -> EditorConfig | None:
    """`editor: {backend: github|gitlab|gitea, repo: owner/name, branch, base_url, app_id, folder}`."""
    if "editor" not in data:
        return None
    block = data.get("editor")
    example = "Ví dụ: editor: {backend: github, repo: mttq-tinh/ban-tin, branch: main}"
    if not isinstance(block, LineDict):
        problems.error(path, data.line_of("editor"), 'mục "editor" phải gồm các dòng "khóa: giá trị".', example)
        return None
    errors = len(problems.errors)
    fields = {key: _text(block, key, path, problems, key in ("backend", "repo")) for key in _EDITOR_KEYS}
    for key in block:
        if key not in _EDITOR_KEYS:
            problems.warn(path, block.line_of(key), f'mục "editor.{key}" không được dùng.',
                          f"Các mục của editor: {', '.join(_EDITOR_KEYS)}.")
    if fields["backend"] and fields["backend"] not in EDITOR_BACKENDS:
        problems.error(path, block.line_of("backend"), f'editor.backend "{fields["backend"]}" không được hỗ trợ.',
                       "Hãy viết github, gitlab hoặc gitea.")
    if fields["repo"] and not _REPO.fullmatch(fields["repo"]):
        problems.error(path, block.line_of("repo"), f'editor.repo "{fields["repo"]}" không phải tên kho mã.',
                       'Hãy viết "chủ-sở-hữu/tên-kho", ví dụ mttq-tinh/ban-tin.')
    base = urlsplit(fields["base_url"])
    if fields["base_url"] and (base.scheme != "https" or not base.netloc or base.query or base.fragment):
        problems.error(path, block.line_of("base_url"), f'editor.base_url "{fields["base_url"]}" không phải '
                       "địa chỉ https đầy đủ.", "Ví dụ: base_url: https://git.example.gov.vn")
    elif fields["base_url"] and fields["backend"] == "github":
        problems.error(path, block.line_of("base_url"), "editor.base_url chỉ dùng cho GitLab hay Gitea tự cài.",
                       'Hãy bỏ dòng "base_url" khi dùng github.')
    folder = fields["folder"].strip("/")
    if folder and (".." in folder.split("/") or "\\" in folder):
        problems.error(path, block.line_of("folder"), f'editor.folder "{fields["folder"]}" không hợp lệ.',
                       "Hãy viết đường dẫn thư mục nguồn tính từ gốc kho mã, ví dụ content.")
    if len(problems.errors) > errors:
        return None
    return EditorConfig(backend=fields["backend"], repo=fields["repo"], branch=fields["branch"] or "main",
                        base_url=fields["base_url"].rstrip("/"), app_id=fields["app_id"], folder=folder)


def _text(data: LineDict, key: str, path: Path, problems: Problems, required: bool, default: str = "") -> str:
    value = as_typed(data.get(key), data.raw.get(key))  # `phone: 0216000000` is not the octal 37748736
    if value is None:
        if required:
            problems.error(path, data.line, f'thiếu mục "{key}".', f'Hãy thêm dòng "{key}: ..." vào {path.name}.')
        return default
    if isinstance(value, (dict, list)):
        problems.error(path, data.line_of(key), f'mục "{key}" phải là một dòng chữ.',
                       f'Hãy viết "{key}: ..." trên một dòng.')
        return default
    return clean_text(str(value))


def load_config(source: Path, problems: Problems) -> SiteConfig | None:
    """Read `source/site.yaml`; return None (with problems recorded) when it is unusable."""
    path = source / "site.yaml"
    if not path.is_file():
        problems.error(path, None, "không tìm thấy tệp site.yaml.",
                       "Thư mục nguồn cần có tệp site.yaml (xem README).")
        return None
    errors_before = len(problems.errors)
    data = load_yaml_file(path, problems, LineDict, 'site.yaml phải gồm các dòng "khóa: giá trị".')
    if data is None:
        if len(problems.errors) == errors_before:
            problems.error(path, 1, "site.yaml trống.", "Hãy khai báo title, base_url, root_unit và organisation (xem README).")
        return None
    before = len(problems.errors)

    title = _text(data, "title", path, problems, True)
    description = _text(data, "description", path, problems, False)
    base_url = _text(data, "base_url", path, problems, True)
    parts = urlsplit(base_url)
    if base_url and (parts.scheme not in ("http", "https") or not parts.netloc):
        problems.error(path, data.line_of("base_url"), f'base_url "{base_url}" không phải địa chỉ đầy đủ.',
                       'Hãy viết đủ, ví dụ "https://mttq.example.gov.vn/ban-tin/".')
    if base_url and not base_url.endswith("/"):
        base_url += "/"

    zone_name = _text(data, "timezone", path, problems, False, "Asia/Ho_Chi_Minh")
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        problems.error(path, data.line_of("timezone"), f'múi giờ "{zone_name}" không tồn tại.',
                       'Hãy dùng "Asia/Ho_Chi_Minh".')
        zone = ZoneInfo("Asia/Ho_Chi_Minh")

    root_unit = _text(data, "root_unit", path, problems, True)
    per_page_raw = data.get("per_page", 20)
    per_page = 20
    typed = data.raw.get("per_page", str(per_page_raw))
    if isinstance(per_page_raw, bool) or not isinstance(per_page_raw, int) or not 1 <= per_page_raw <= 500 \
            or ("per_page" in data.raw and not typed.isascii()) or ("per_page" in data.raw and not typed.isdigit()) \
            or typed.startswith("0"):
        problems.error(path, data.line_of("per_page"), f'per_page "{typed}" không hợp lệ.',
                       "Hãy viết một số nguyên từ 1 đến 500 bằng chữ số 0–9, không có số 0 ở đầu, ví dụ 20.")
    else:
        per_page = per_page_raw
    theme = _text(data, "theme", path, problems, False, "default")
    iframe_hosts = _iframe_hosts(data, path, problems)
    editor = _editor(data, path, problems)

    org_data = data.get("organisation")
    org_fields: dict[str, str] = {}
    if not isinstance(org_data, LineDict):
        problems.error(path, data.line_of("organisation"), 'thiếu hoặc sai mục "organisation".',
                       "Hãy khai báo cơ quan: name, governing_body, address, phone, email, responsible.")
    else:
        for key in _REQUIRED_ORG:
            org_fields[key] = _text(org_data, key, path, problems, True)
        org_fields["licence"] = _text(org_data, "licence", path, problems, False)
        for key in org_data:
            if key not in _REQUIRED_ORG + ("licence",):
                problems.warn(path, org_data.line_of(key), f'mục "organisation.{key}" không được dùng.',
                              "Hãy kiểm tra chính tả tên mục.")
    _unfilled(data, path, problems)
    known = {"title", "description", "base_url", "timezone", "root_unit", "per_page", "theme", "organisation",
             "iframe_hosts", "editor", "deploy"}  # deploy: read by `site-builder deploy` (load.deploy_settings)
    for key in data:
        if key not in known:
            problems.warn(path, data.line_of(key), f'mục "{key}" không được dùng.',
                          "Hãy kiểm tra chính tả tên mục (xem README).")

    if len(problems.errors) > before:
        return None
    return SiteConfig(
        source=source, title=title, description=description, base_url=base_url,
        timezone=zone, root_unit=root_unit, per_page=per_page, theme=theme,
        organisation=Organisation(**org_fields), iframe_hosts=iframe_hosts,
        root_unit_line=data.line_of("root_unit"), editor=editor,
    )


def _unfilled(data: LineDict, path: Path, problems: Problems) -> None:
    """Warn of what `init` left for the owner to write (a "[Cần điền: …]" value, an address on
    the reserved .example domain): `check --strict` then lists what is still to fill in."""
    org = data.get("organisation")
    fields = [(data, key, key) for key in ("title", "description")]
    if isinstance(org, LineDict):
        fields += [(org, key, f"organisation.{key}") for key in (*_REQUIRED_ORG, "licence")]
    for where, key, label in fields:
        value = where.get(key)
        if isinstance(value, str) and value.strip().startswith(PLACEHOLDER):
            problems.warn(path, where.line_of(key), f'mục "{label}" chưa điền: {value.strip()}',
                          "Hãy thay bằng thông tin thật của cơ quan: chân trang của mọi trang hiện mục này "
                          "(Nghị định 42/2022/NĐ-CP).")
    base_url = data.get("base_url")
    if isinstance(base_url, str) and (urlsplit(base_url).hostname or "").endswith(".example"):
        problems.warn(path, data.line_of("base_url"), f'base_url "{base_url}" vẫn là địa chỉ mẫu.',
                      "Hãy ghi địa chỉ thật của trang, ví dụ https://mattran.laocai.gov.vn/ban-tin/.")
