"""Former addresses (`aliases:`): a redirect page at each, and the warning for an item that
left an address a previous build published with no alias kept there."""
from __future__ import annotations

import re
from collections.abc import Sequence

from ..base.errors import Problems
from ..model.site import Site
from .planned import Planned, PlannedPage, Planner, shown
from .urls import RESERVED_FILES, file_for, item_url

ALIAS_TEMPLATE = "alias.html"
# Folders of files, not pages: a redirect page inside them would mix with what the build copies.
_FILE_FOLDERS = {"static", "media", "pagefind"}
_ALIAS_SEGMENT = re.compile(r"[A-Za-z0-9_~%-]+")
_ALIAS_HINT = 'Hãy viết đường dẫn trong trang như địa chỉ cũ hiện sau base_url, ví dụ aliases: ["/tin-tuc/2020/08/ten-cu/"].'


def alias_url(text: str, base_url: str) -> str | None:
    """The site-relative URL of a former address ("/tin-tuc/2020/08/x/" → "tin-tuc/2020/08/x/"),
    also written in full under base_url or without its last "/"; None when it is not one."""
    path = "/" + text[len(base_url):] if base_url and text.startswith(base_url) else text
    if not path.startswith("/"):
        return None
    segments = path[1:].removesuffix("/").split("/")
    if segments == [""] or not all(_ALIAS_SEGMENT.fullmatch(s) for s in segments):
        return None
    return "/".join(segments) + "/"


def _alias_problem(text: str, base_url: str) -> tuple[str, str] | None:
    """Why a former address cannot be one (message, hint), or None when it can."""
    url = alias_url(text, base_url)
    if url is None and any(s in ("..", ".") for s in text.replace("\\", "/").split("/")):
        return f'địa chỉ cũ "{text}" trong aliases đi ra ngoài trang (có "..").', _ALIAS_HINT
    if url is None:
        return (f'địa chỉ cũ "{text}" trong aliases không đúng dạng (chỉ gồm chữ không dấu, số, "-" giữa các dấu "/").',
                _ALIAS_HINT)
    top = url.split("/")[0]
    if top in _FILE_FOLDERS or top in RESERVED_FILES:
        return (f'địa chỉ cũ "{text}" trong aliases nằm trong thư mục "{top}/" mà site-builder tự tạo.',
                "Hãy bỏ địa chỉ này khỏi aliases: ở đó không có bài viết nào.")
    return None


def add_aliases(p: Planner, site: Site, problems: Problems) -> None:
    """A redirect page at each former address of an item; a bad or colliding one is an error at
    its line. Planned after every other page, which an alias may never replace."""
    taken = {x.path: x.origin for x in p.out}
    aliased: dict[str, str] = {}
    base_url = site.config.base_url
    for item in site.items:
        target = item_url(item, site)
        for text in item.aliases:
            problem = _alias_problem(text, base_url)
            url = alias_url(text, base_url)
            path = file_for(url or "")
            if problem is None and path in taken:
                problem = (f'địa chỉ cũ "{text}" trong aliases trùng với địa chỉ của {_what(taken[path], item.rel)}.',
                           "Hãy bỏ địa chỉ này khỏi aliases: trang ở địa chỉ đó vẫn còn.")
            elif problem is None and path in aliased:
                problem = (f'địa chỉ cũ "{text}" trong aliases đã là địa chỉ cũ của bài {aliased[path]}.',
                           "Mỗi địa chỉ cũ chỉ chuyển đến một bài: hãy bỏ nó khỏi một trong hai bài.")
            if problem is not None:
                problems.error(item.source, item.line_of("aliases"), *problem)
                continue
            assert url is not None  # `_alias_problem` names every address that is not one
            aliased[path] = item.rel
            p.out.append(PlannedPage(file_for(url), ALIAS_TEMPLATE, {"url": url, "item": item, "target": target},
                                     p.deps({shown(item)}), item.rel))


def _what(origin: str, rel: str) -> str:
    """How an alias error names what already has the address."""
    return "chính bài này" if origin == rel else f"một trang đang có ({origin})"


def moved_items(site: Site, planned: Sequence[Planned], published: dict[str, tuple[str, ...]],
                problems: Problems) -> None:
    """Warn for each item that a previous build published at an address it has left, with no
    alias there: the hint is the exact `aliases:` line that keeps the old link working."""
    taken = {x.path for x in planned}
    base_url = site.config.base_url
    for item in site.items:
        now = "/" + item_url(item, site)
        kept = {alias_url(a, base_url) for a in item.aliases}
        lost = [old for old in published.get(item.rel, ())
                if old != now and old[1:] not in kept and file_for(old[1:]) not in taken]
        if not lost:
            continue
        month_moved = any(old.split("/")[2:4] != now.split("/")[2:4] for old in lost)
        key = "date" if month_moved else ("slug" if "slug" in item.lines else "title")
        line = "aliases: [" + ", ".join(f'"{a}"' for a in [*item.aliases, *lost]) + "]"
        todo = "Hãy sửa dòng aliases thành" if item.aliases else "Hãy thêm vào phần thông tin đầu bài dòng"
        problems.warn(item.source, item.line_of(key),
                      f'bài đã đổi địa chỉ từ {", ".join(lost)} sang {now}: liên kết cũ (đã đăng, đã chia sẻ) sẽ hỏng.',
                      f"{todo}: {line}")


def published_addresses(site: Site, before: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Every address each news item source has been published at, this build's included."""
    out = dict(before)
    for item in site.items:
        now = "/" + item_url(item, site)
        out[item.rel] = tuple(dict.fromkeys([*before.get(item.rel, ()), now]))
    return out

