"""News items and standalone pages: front matter + Markdown → typed `Item` and `Page` values.

Front matter lines are reported as lines of the real file, not of the YAML block.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from ..base.cache import BuildCache, Parsed, digest_bytes
from ..base.errors import Level, Problems, SourceError
from ..base.vietnamese import format_date_vi, slugify
from ..base.workers import fork_pool
from . import images
from .body import render_body
from .config import SiteConfig
from .front_matter import (
    MAX_SLUG,
    Fields,
    cut_slug,
    path_like,
    path_slug_error,
    read_date,
    split_front_matter,
)
from .html_policy import Policy, policy_for
from .markdown_render import MarkdownRenderer
from .sources import find_files, read_text
from .units import UnitRegistry, successor_hint, unit_hint

NEWS_KEYS = {
    "title", "date", "unit", "units", "category", "tags", "authors", "summary", "image",
    "image_alt", "slug", "draft", "figures", "updated", "aliases",
}
PAGE_KEYS = {"title", "summary", "slug", "order", "draft"}


@dataclass(frozen=True, eq=False)
class Item:
    """One news item, checked: its metadata, its HTML body and where it came from."""

    source: Path
    rel: str
    title: str
    date: datetime
    updated: datetime | None
    units: tuple[str, ...]
    category: str | None
    tags: tuple[str, ...]
    authors: tuple[str, ...]
    summary: str
    image: str | None
    image_alt: str
    slug: str
    draft: bool
    figures: Any
    lines: dict[str, int]
    body_html: str
    image_size: tuple[int, int] | None = None   # (width, height) of `image`, for the <img> tag
    body_media: tuple[str, ...] = ()            # media files the body's images name (page dependencies)
    aliases: tuple[str, ...] = ()               # former addresses ("/tin-tuc/2020/08/ten-cu/"), checked in pages.py

    def line_of(self, key: str) -> int:
        """The file line of a front matter key (the first line of the front matter if absent)."""
        return self.lines.get(key, 2)


@dataclass(frozen=True, eq=False)
class Page:
    """A standalone page such as "Giới thiệu" or "Liên hệ"."""

    source: Path
    rel: str
    title: str
    summary: str
    slug: str
    order: int
    body_html: str


def load_item(path: Path, source: Path, config: SiteConfig, units: UnitRegistry,
              renderer: MarkdownRenderer, problems: Problems) -> Item | None:
    """Read one news item; None (with every problem recorded) if it cannot be published."""
    before = len(problems.errors)
    src = read_text(path, problems)
    if src is None:
        return None
    parsed = split_front_matter(src, path.relative_to(source).as_posix(), problems)
    if parsed is None:
        return None
    meta = parsed.meta
    f = Fields(src, meta, problems)
    f.unknown(NEWS_KEYS)
    title = f.text("title", True, '"Tiêu đề bài viết"')
    date = read_date(f, "date", config, True)
    updated = read_date(f, "updated", config, False)

    unit_ids: tuple[str, ...] = ()
    if "unit" in meta and "units" in meta:
        problems.error(path, f.line("units"), 'chỉ dùng một trong hai mục "unit" hoặc "units".',
                       'Nhiều đơn vị thì viết "units: [id1, id2]".')
    elif "units" in meta:
        unit_ids = f.text_list("units", "huyen-van-yen, xa-hanh-son")
        if not unit_ids:
            problems.error(path, f.line("units"), '"units" không có đơn vị nào.', 'Ví dụ: units: [huyen-van-yen].')
    else:
        one = f.text("unit", True, "huyen-van-yen")
        unit_ids = (one,) if one else ()
    key = "units" if "units" in meta else "unit"
    for unit_id in unit_ids:
        if unit_id not in units:
            problems.error(path, f.line(key), f'không có đơn vị "{unit_id}" trong units.yaml.', unit_hint(unit_id, units))
        elif date is not None and (valid_to := units[unit_id].valid_to) and date.date() > valid_to:
            unit = units[unit_id]
            problems.warn(path, f.line(key), f'bài viết ngày {format_date_vi(date)} gắn với "{unit_id}", '
                          f'đơn vị đã kết thúc hoạt động ngày {format_date_vi(unit.valid_to)}.',
                          successor_hint(unit, units) if unit.successors else
                          "Nếu bài viết về đơn vị mới, hãy dùng mã đơn vị đang hoạt động.")

    category = f.text("category")
    tags = f.text_list("tags", '"Dân vận", "Giám sát"')
    authors = f.text_list("authors", '"Mai Hiên", "Tiến Đạt"')
    summary = f.text("summary") or ""
    image = f.text("image")
    image_alt = f.text("image_alt") or ""
    if image:
        image = image.lstrip("/")
        if image.startswith(("http:", "https:", "//")):
            problems.error(path, f.line("image"), "ảnh phải nằm trong thư mục media của trang.",
                           "Hãy chép ảnh vào content/media/ và viết image: media/...")
            image = None
        elif not _inside(source / "media", source / image) or not (source / image).is_file():
            problems.error(path, f.line("image"), f'không tìm thấy ảnh "{image}".',
                           "Hãy chép ảnh vào content/media/ và ghi đường dẫn bắt đầu bằng media/.")
            image = None
        elif not image_alt:
            problems.error(path, f.line("image"), "ảnh thiếu mô tả (image_alt).",
                           'Hãy thêm "image_alt: ..." mô tả nội dung ảnh cho người không nhìn thấy ảnh.')
    image_size = images.dimensions(source / image) if image else None
    if image and image_size is None:
        problems.error(path, f.line("image"), f'không đọc được kích thước ảnh "{image}" (tệp hỏng hoặc không phải ảnh PNG, JPEG, GIF, WebP, SVG).',
                       "Hãy lưu lại ảnh ở một trong các dạng này rồi chép vào content/media/.")
    slug_text = f.text("slug")
    slug = slugify(slug_text) if slug_text else slugify(title or "")
    if slug_text is not None and not slug:
        problems.error(path, f.line("slug"), f'slug "{slug_text}" không tạo được đường dẫn.',
                       'Hãy dùng chữ và số, ví dụ slug: "hoi-nghi-cu-tri".')
    elif slug_text is not None and path_like(slug_text):
        path_slug_error(path, f.line("slug"), slug_text, slug, problems)
    if len(slug) > MAX_SLUG:
        problems.warn(path, f.line("slug" if slug_text is not None else "title"),
                      f"đường dẫn tạo từ {'slug' if slug_text is not None else 'tiêu đề'} dài {len(slug)} ký tự; "
                      f"đã cắt còn {len(cut_slug(slug))} ký tự.",
                      f'Nếu muốn đường dẫn khác, hãy thêm dòng slug: "{cut_slug(slug, 60)}".')
        slug = cut_slug(slug)
    if slug_text is None and title and not slug:
        problems.error(path, f.line("title"), f'tiêu đề "{title}" không tạo được đường dẫn (không có chữ cái Latin hay chữ số).',
                       'Hãy thêm dòng "slug: ..." gồm chữ không dấu, ví dụ slug: "bao-cao-tong-ket".')
    for key, names in (("category", (category,) if category else ()), ("tags", tags)):
        for name in names:
            if not slugify(name):
                word = "chuyên mục" if key == "category" else "thẻ"
                problems.error(path, f.line(key), f'{word} "{name}" không tạo được đường dẫn.',
                               "Hãy dùng tên có chữ cái hoặc chữ số.")
    draft = f.flag("draft")
    aliases = f.text_list("aliases", '"/tin-tuc/2020/08/ten-cu/"')
    figures = meta.get("figures")
    body_html = render_body(renderer, parsed, path, problems, _policy(config), depth=4)  # tin-tuc/YYYY/MM/slug/
    if len(problems.errors) > before or title is None or date is None or not slug or body_html is None:
        return None
    return Item(
        source=path, rel=path.relative_to(source).as_posix(), title=title, date=date, updated=updated,
        units=unit_ids, category=category, tags=tags, authors=authors, summary=summary,
        image=image, image_alt=image_alt, slug=slug, draft=draft, figures=figures,
        lines=dict(meta.lines), body_html=body_html, image_size=image_size,
        body_media=renderer.media_refs(parsed.body),
        aliases=aliases,
    )


def _inside(folder: Path, path: Path) -> bool:
    """True when `path` (symlinks resolved) lies inside `folder`."""
    try:
        path.resolve().relative_to(folder.resolve())
    except (ValueError, OSError):
        return False
    return True


def _policy(config: SiteConfig | None) -> Policy:
    return policy_for(config.iframe_hosts if config is not None else ())


def load_page(path: Path, source: Path, renderer: MarkdownRenderer, problems: Problems,
              include_drafts: bool = False, config: SiteConfig | None = None) -> Page | None:
    """Read one standalone page."""
    before = len(problems.errors)
    src = read_text(path, problems)
    if src is None:
        return None
    parsed = split_front_matter(src, path.relative_to(source).as_posix(), problems)
    if parsed is None:
        return None
    f = Fields(src, parsed.meta, problems)
    f.unknown(PAGE_KEYS)
    title = f.text("title", True, '"Giới thiệu"')
    slug_text = f.text("slug")
    slug = slugify(slug_text or path.stem)
    order = parsed.meta.get("order", 100)
    if isinstance(order, bool) or not isinstance(order, int):
        problems.error(path, f.line("order"), '"order" phải là một số nguyên.', "Ví dụ: order: 1")
        order = 100
    if not slug:
        problems.error(path, f.line("slug"), "trang không tạo được đường dẫn.",
                       'Hãy thêm dòng "slug: ..." gồm chữ không dấu, ví dụ slug: "gioi-thieu".')
    elif slug_text is not None and path_like(slug_text):
        path_slug_error(path, f.line("slug"), slug_text, slug, problems)
    draft = f.flag("draft")
    body_html = render_body(renderer, parsed, path, problems, _policy(config))
    if (draft and not include_drafts) or len(problems.errors) > before or title is None or body_html is None:
        return None
    return Page(source=path, rel=path.relative_to(source).as_posix(), title=title,
                summary=f.text("summary") or "", slug=slug, order=order, body_html=body_html)


@dataclass(frozen=True)
class _Job:
    """What a loading worker needs: set before the worker processes fork, read by them."""

    source: Path
    config: SiteConfig | None
    units: UnitRegistry | None
    include_drafts: bool
    known_html: Mapping[str, str]


_JOB: _Job | None = None
_RENDERER: MarkdownRenderer | None = None


def _renderer(known: Mapping[str, str]) -> MarkdownRenderer:
    """This process's renderer for the current job: converters survive from file to file."""
    global _RENDERER
    if _RENDERER is None or _RENDERER.known is not known:
        _RENDERER = MarkdownRenderer(known, _JOB.source if _JOB is not None else None)
    return _RENDERER


def _load_one(path: Path) -> tuple[Item | Page | None, list[SourceError], str]:
    """Parse one news item or page with its own problem list (runs in a worker or inline)."""
    assert _JOB is not None
    problems = Problems(root=_JOB.source)
    renderer = _renderer(_JOB.known_html)
    if _JOB.config is not None and _JOB.units is not None:
        value: Item | Page | None = load_item(path, _JOB.source, _JOB.config, _JOB.units, renderer, problems)
    else:
        value = load_page(path, _JOB.source, renderer, problems, _JOB.include_drafts, _JOB.config)
    digest = renderer.last_digest
    return value, problems.items, f"{digest}:{_policy(_JOB.config).key}" if digest else ""


def _load_all(paths: list[Path], job: _Job, problems: Problems, cache: BuildCache | None,
              context: str, jobs: int) -> list[Item | Page]:
    """Parse files, taking unchanged ones from the cache and the rest in parallel when many."""
    global _JOB
    found: dict[Path, Item | Page | None] = {}
    todo: list[tuple[Path, str, str]] = []
    for path in paths:
        rel = path.relative_to(job.source).as_posix()
        try:
            digest = cache.digest(path) if cache is not None else ""
        except OSError:
            digest = ""
        hit = cache.parsed(rel, digest, context) if cache is not None and digest else None
        if hit is not None:
            problems.items.extend(hit.warnings)
            moved = hit.value is not None and hit.value.source != path  # parsed at another path (a restored cache)
            found[path] = replace(hit.value, source=path) if moved else hit.value
        else:
            todo.append((path, rel, digest))
    _JOB = job
    try:
        if jobs > 1 and len(todo) >= 64:
            with fork_pool(jobs) as pool:
                results = pool.map(_load_one, [p for p, _, _ in todo], chunksize=32)
        else:
            results = [_load_one(p) for p, _, _ in todo]
    finally:
        _JOB = None
    for (path, rel, digest), (value, items, body_digest) in zip(todo, results):
        problems.items.extend(items)
        found[path] = value
        if cache is not None and digest and not any(i.level is Level.ERROR for i in items):
            cache.store_parsed(rel, Parsed(digest, context, value, list(items), body_digest))
    return [v for p in paths if (v := found[p]) is not None]


def _known_html(cache: BuildCache | None, policy: Policy) -> Mapping[str, str]:
    """Bodies converted and sanitised before under `policy`, by digest of their Markdown: a changed
    front matter or unit list re-reads the front matter but never converts an unchanged body twice."""
    return {} if cache is None else cache.converted(":" + policy.key)


def _media_stamps(source: Path, media: tuple[str, ...], cache: BuildCache | None) -> tuple[tuple[str, str], ...]:
    """Names and digests of the media files: items carry image sizes, so a file replaced under the
    same name must read them again; by content, not time, so a fresh clone reuses the parses."""
    stamps = []
    for rel in media:
        try:
            stamps.append((rel, cache.digest(source / rel) if cache is not None else ""))
        except OSError:
            continue
    return tuple(stamps)


def _item_job(source: Path, config: SiteConfig, units: UnitRegistry, cache: BuildCache | None,
              media: tuple[str, ...]) -> tuple[_Job, str]:
    """The loading job of news items and its cache context (what an item's parse depends on
    besides its file: time zone, unit ids, media files, the sanitiser's policy)."""
    policy = _policy(config)
    validity = sorted((u.id, u.valid_to, u.successors) for u in units.units.values())  # items warn by it
    context = digest_bytes(repr((config.timezone.key, validity, _media_stamps(source, media, cache),
                                 policy.key)).encode())
    return _Job(source, config, units, False, _known_html(cache, policy)), context


def load_items(source: Path, config: SiteConfig, units: UnitRegistry, problems: Problems,
               cache: BuildCache | None = None, jobs: int = 1, media: tuple[str, ...] = ()) -> list[Item]:
    paths = find_files(source / "news", (".md", ".markdown"))
    job, context = _item_job(source, config, units, cache, media)
    return [i for i in _load_all(paths, job, problems, cache, context, jobs) if isinstance(i, Item)]


def load_some_items(paths: list[Path], source: Path, config: SiteConfig, units: UnitRegistry,
                    problems: Problems, cache: BuildCache | None, media: tuple[str, ...]
                    ) -> dict[Path, Item | None]:
    """Only these news files, parsed as `load_items` parses them (same cache and context):
    `serve`'s fast path after an edit. None for a file that gives errors."""
    job, context = _item_job(source, config, units, cache, media)
    loaded = _load_all(paths, job, problems, cache, context, 1)
    by_source = {i.source: i for i in loaded if isinstance(i, Item)}
    return {path: by_source.get(path) for path in paths}


def placement_fields(item: Item) -> tuple[object, ...]:
    """What decides where an item appears and which pages exist: its address, date, units,
    category, tags, draft flag, images, figures. An edit that leaves these alone moves nothing."""
    return (item.rel, item.date, item.units, item.category, item.tags, item.slug, item.draft, item.figures,
            item.image, item.image_size, item.body_media, item.lines if item.figures is not None else None,
            item.aliases)


def listing_fields(item: Item) -> tuple[object, ...]:
    """Everything a page other than the item's own article page and the feeds shows of it (lists,
    archives, neighbours' links, the sitemap, filters, figure sources): all but the body. The
    file lines count when the item reports figures, whose sources cite them."""
    return (item.rel, item.title, item.date, item.updated, item.units, item.category, item.tags,
            item.authors, item.summary, item.image, item.image_alt, item.slug, item.draft, item.figures,
            item.image_size, item.lines if item.figures is not None else None)


def load_pages(source: Path, problems: Problems, include_drafts: bool = False,
               cache: BuildCache | None = None, config: SiteConfig | None = None) -> list[Page]:
    """Standalone pages; `config` gives the sanitiser's iframe hosts (none without it)."""
    paths = find_files(source / "pages", (".md", ".markdown"))
    policy = _policy(config)
    job = _Job(source, config, None, include_drafts, _known_html(cache, policy))
    context = ("drafts" if include_drafts else "published") + ":" + policy.key
    return [p for p in _load_all(paths, job, problems, cache, context, 1) if isinstance(p, Page)]
