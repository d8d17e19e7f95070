"""`site.yaml`'s `deploy:` block → the checked targets of `site-builder deploy`, each problem with
its line. The build never reads this block (see `base.build_status`); a relative folder is taken
from the folder holding the source folder (where `site-builder` runs)."""
from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

from ..base.deploy_targets import KINDS, FolderTarget, GitTarget, RsyncTarget, S3Target, Target
from ..base.errors import Problems
from ..base.vietnamese import clean_text
from .yamlload import LineDict, LineList, as_typed, load_yaml_file

KEYS = {
    "folder": ("kind", "path"),
    "rsync": ("kind", "path", "host", "port", "identity_file", "ssh_options"),
    "s3": ("kind", "bucket", "endpoint", "prefix", "region", "profile"),
    "git": ("kind", "repo", "branch"),
}
SECRETS = ("aws_access_key_id", "aws_secret_access_key", "access_key", "secret_key", "secret", "password", "token")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
EXAMPLE = ("Ví dụ:\n        deploy:\n          may-chu:\n            kind: s3\n"
           "            endpoint: https://s3.example.vn\n            bucket: ban-tin")


def load_targets(source: Path, problems: Problems) -> tuple[Target, ...]:
    """Every target of `source/site.yaml`'s `deploy:` block; () with problems recorded when the
    block is missing or wrong."""
    path = source / "site.yaml"
    data = load_yaml_file(path, problems, LineDict, 'site.yaml phải gồm các dòng "khóa: giá trị".')
    if data is None:
        if not problems.errors:
            problems.error(path, None, "không đọc được site.yaml.", "Hãy kiểm tra tệp site.yaml trong thư mục nguồn.")
        return ()
    block = data.get("deploy")
    if block is None:
        problems.error(path, None, 'site.yaml chưa có mục "deploy" (nơi đưa trang lên).',
                       "Hãy thêm mục deploy vào site.yaml (xem README, phần Đưa lên máy chủ). " + EXAMPLE)
        return ()
    if not isinstance(block, LineDict) or not block:
        problems.error(path, data.line_of("deploy"), 'mục "deploy" phải gồm các nơi đưa lên, mỗi nơi một tên.', EXAMPLE)
        return ()
    targets = []
    for name in block:
        target = _target(str(name), block.get(name), block.line_of(name), path, source, problems)
        if target is not None:
            targets.append(target)
    return tuple(targets)


def _target(name: str, entry: object, line: int, path: Path, source: Path, problems: Problems) -> Target | None:
    if not _NAME.fullmatch(name):
        problems.error(path, line, f'tên nơi đưa lên "{name}" không hợp lệ.',
                       "Hãy dùng chữ không dấu, số và dấu gạch ngang, ví dụ may-chu.")
        return None
    if not isinstance(entry, LineDict):
        problems.error(path, line, f'deploy.{name} phải gồm các dòng "khóa: giá trị".', EXAMPLE)
        return None
    kind = _text(entry, "kind")
    if kind not in KINDS:
        problems.error(path, entry.line_of("kind"), f'deploy.{name}.kind "{kind}" không được hỗ trợ.' if kind else
                       f'deploy.{name} thiếu "kind".', "Hãy viết kind: folder, rsync, s3 hoặc git.")
        return None
    before = len(problems.errors)
    for key in entry:
        if str(key).lower() in SECRETS:
            problems.error(path, entry.line_of(key), f'không ghi khóa bí mật "{key}" vào site.yaml.',
                           "Hãy xóa dòng này; khóa truy cập lấy từ biến môi trường AWS_ACCESS_KEY_ID và "
                           "AWS_SECRET_ACCESS_KEY (hoặc profile), ssh lấy từ cấu hình ssh của máy.")
        elif key not in KEYS[kind]:
            problems.warn(path, entry.line_of(key), f'mục "deploy.{name}.{key}" không được dùng.',
                          f"Các mục của kind {kind}: {', '.join(KEYS[kind])}.")

    def need(key: str) -> str:
        value = _text(entry, key)
        if not value:
            problems.error(path, entry.line_of(key) if key in entry else line, f'deploy.{name} thiếu "{key}".',
                           f'Hãy thêm dòng "{key}: ..." vào deploy.{name}.')
        return value

    target: Target
    if kind == "folder":
        folder = need("path")
        target = FolderTarget(name, _local(folder, source), line)
    elif kind == "rsync":
        host, folder = _text(entry, "host"), need("path")
        local = str(_local(folder, source)) if folder and not host else folder  # a folder of this machine
        target = RsyncTarget(name, local, host, _port(entry, name, path, problems),
                             _text(entry, "identity_file"), _options(entry, name, path, problems), line)
    elif kind == "s3":
        target = S3Target(name, need("bucket"), _text(entry, "endpoint"), _text(entry, "prefix").strip("/"),
                          _text(entry, "region"), _text(entry, "profile"), line)
        _check_s3(target, entry, path, problems)
    else:
        target = GitTarget(name, need("repo"), _text(entry, "branch") or "gh-pages", line)
    return target if len(problems.errors) == before else None


def _text(entry: LineDict, key: str) -> str:
    value = as_typed(entry.get(key), entry.raw.get(key))
    return "" if value is None or isinstance(value, (dict, list)) else clean_text(str(value)).strip()


def _local(text: str, source: Path) -> Path:
    path = Path(text).expanduser()
    return path if path.is_absolute() else Path(os.path.normpath(source.resolve().parent / path))


def _port(entry: LineDict, name: str, path: Path, problems: Problems) -> int:
    text = _text(entry, "port")
    if not text:
        return 0
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        problems.error(path, entry.line_of("port"), f'deploy.{name}.port "{text}" không hợp lệ.',
                       "Hãy viết một số từ 1 đến 65535, ví dụ 22.")
        return 0
    return int(text)


def _options(entry: LineDict, name: str, path: Path, problems: Problems) -> tuple[str, ...]:
    value = entry.get("ssh_options")
    if value is None:
        return ()
    if not isinstance(value, LineList) or any(isinstance(v, (dict, list)) for v in value):
        problems.error(path, entry.line_of("ssh_options"), f"deploy.{name}.ssh_options phải là danh sách.",
                       'Ví dụ: ssh_options: ["-o", "StrictHostKeyChecking=yes"]')
        return ()
    return tuple(str(v) for v in value)


def _check_s3(target: S3Target, entry: LineDict, path: Path, problems: Problems) -> None:
    if target.bucket and not _BUCKET.fullmatch(target.bucket):
        problems.error(path, entry.line_of("bucket"), f'deploy.{target.name}.bucket "{target.bucket}" không phải '
                       "tên bucket.", "Tên bucket gồm chữ thường không dấu, số, dấu chấm và gạch ngang, ví dụ ban-tin.")
    parts = urlsplit(target.endpoint)
    if target.endpoint and (parts.scheme not in ("http", "https") or not parts.netloc or parts.path.strip("/")):
        problems.error(path, entry.line_of("endpoint"), f'deploy.{target.name}.endpoint "{target.endpoint}" không '
                       "phải địa chỉ máy chủ S3.", "Hãy viết đủ, ví dụ https://s3.example.vn (không có tên bucket).")
