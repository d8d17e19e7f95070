"""`site-builder init`: a new site for a province, ready to build — settings with the
organisation block to fill in, the official unit tree, the standard metrics, a welcome item,
the about and contact pages, `.gitignore`, a README and CI workflows for GitHub and GitLab.

Everything is written into a folder beside the target and moved into place at once, so an
interrupted `init` leaves no half-made site."""
from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from ..base.errors import SiteBuilderError
from ..base.vietnamese import format_date_vi
from .admin_data import admin_data
from .unit_file import Imported, import_units

# Template in the package → where it goes in the new site.
FILES = {
    "site.yaml": "content/site.yaml",
    "metrics.yaml": "content/metrics.yaml",
    "pages/gioi-thieu.md": "content/pages/gioi-thieu.md",
    "pages/lien-he.md": "content/pages/lien-he.md",
    "gitignore": ".gitignore",
    "github-workflow.yml": ".github/workflows/ban-tin.yml",
    "gitlab-ci.yml": ".gitlab-ci.yml",
    "README.md": "README.md",
}
WELCOME = "ra-mat-trang-ban-tin.md"


class InitRefused(SiteBuilderError):
    """The folder for the new site already holds something (exit 2); nothing was made."""

    exit_code = 2


@dataclass(frozen=True)
class Created:
    folder: Path
    units: Imported
    files: tuple[str, ...]


def package_spec() -> str:
    """What a CI job installs to get this very version, with what `deploy` needs for S3 (boto3)."""
    try:
        return f"site-builder[deploy]=={version('site-builder')}"
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "site-builder[deploy]"


def create_site(folder: Path, typed: list[str], now: datetime) -> Created:
    """Make the site in `folder` (absent or empty); raises `InitRefused` or
    `unit_file.ImportRefused` with the reasons, leaving nothing behind."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InitRefused("thư mục đã có nội dung; chưa tạo gì.",
                          'Hãy chọn một thư mục mới hoặc thư mục trống, ví dụ: site-builder init ban-tin-moi '
                          '--province "Yên Bái".', str(folder))
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        units = import_units(typed, staging / "content/units.yaml", admin_data())
        written = _write(staging, units, now)
        if folder.exists():
            folder.rmdir()
        staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Created(folder, units, written)


def _write(root: Path, units: Imported, now: datetime) -> tuple[str, ...]:
    data = admin_data()
    new = data.new[units.chosen.new[0]].unit
    new_id = units.province_ids[len(units.chosen.former)]
    names = ", ".join([*(data.former[k].unit.name + " (đến 30/06/2025)" for k in units.chosen.former),
                       *(data.new[k].unit.name + " (từ 01/07/2025)" for k in units.chosen.new)])
    marks = {
        "@@NEW_NAME@@": new.name, "@@NEW_NAME_LOWER@@": new.name[0].lower() + new.name[1:],
        "@@NEW_ID@@": new_id, "@@NOW@@": now.strftime("%Y-%m-%d %H:%M"),
        "@@TODAY@@": format_date_vi(now.date()), "@@PACKAGE@@": package_spec(), "@@UNITS@@": names,
    }
    templates = resources.files(__package__) / "new_site"
    written = ["content/units.yaml"]
    (root / "content").mkdir(parents=True, exist_ok=True)
    (root / "content/units.yaml").write_text(units.after, encoding="utf-8")
    for name, target in [*FILES.items(), ("welcome.md", f"content/news/{now.year}/{WELCOME}")]:
        text = (templates / name).read_text(encoding="utf-8")
        for mark, value in marks.items():
            text = text.replace(mark, value)
        if name == "metrics.yaml":
            text = text.replace("của trang bản tin mẫu", "chuẩn (do site-builder init chép sẵn; thêm, bớt tùy cơ quan)", 1)
        path = root / target
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(target)
    return tuple(sorted(written))

