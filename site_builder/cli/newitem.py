"""`site-builder new`: a news item skeleton an editor fills in."""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from ..base.vietnamese import clean_text, slugify
from ..load.config import SiteConfig

TEMPLATE = """---
title: {title}
date: "{date}"
unit: {unit}
category: ""
tags: []
authors: []
summary: ""
# image: media/{year}/ten-anh.jpg
# image_alt: "Mô tả nội dung ảnh"
draft: true
---

Viết nội dung bài ở đây. Xóa dòng "draft: true" ở trên khi bài đã sẵn sàng đăng.
"""


def new_item_path(source: Path, title: str, now: datetime) -> Path:
    return source / "news" / f"{now.year:04d}" / f"{slugify(title)}.md"


def write_new_item(source: Path, config: SiteConfig, title: str, unit: str, now: datetime) -> Path:
    """Write the skeleton and return its path; never overwrite an existing file."""
    local = now.astimezone(config.timezone)
    path = new_item_path(source, title, local)
    text = TEMPLATE.format(title=json.dumps(clean_text(title), ensure_ascii=False), date=local.strftime("%Y-%m-%d %H:%M"),
                           unit=unit, year=local.year)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:
        handle.write(text)
    return path
