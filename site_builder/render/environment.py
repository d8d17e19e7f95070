"""The Jinja2 environment: theme lookup, site overrides, and the Vietnamese filters in one place."""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from urllib.parse import urljoin

import jinja2

from ..base.errors import Problems
from ..base.vietnamese import (
    format_amount,
    format_date_vi,
    format_datetime_vi,
    format_number,
    format_weekday_date_vi,
    slugify,
    sort_key,
)
from ..model.site import Site
from ..plan import pages


def _package_themes() -> Path:
    """The themes that come with site_builder: inside the package when installed (`pip install .`
    or a wheel ships `themes/` as `site_builder/themes/`), else `themes/` beside the package in a
    checkout (or an editable install of one)."""
    package = Path(__file__).resolve().parents[1]
    installed = package / "themes"
    return installed if installed.is_dir() else package.parent / "themes"


PACKAGE_THEMES = _package_themes()
_SITE_LINK = re.compile(r'(\s(?:href|src)=")(?:/(?!/)|(?=media/))')
_SITE_LINK_TARGET = re.compile(r'(\s(?:href|src)=")(?:/(?!/)|(?=media/))([^"]*)"')
# A lazy <img> that says nothing about decoding (attribute values never hold ">": nh3 escapes it).
_LAZY_IMG = re.compile(r'(<img\b(?![^>]*\sdecoding=)[^>]*?\sloading="lazy")')
# Every address in Markdown output and sanitised HTML (both write attributes in double quotes).
_ANY_LINK = re.compile(r'(\s(?:href|src)=")([^"]*)"')
# What a feed reader cannot resolve on its own: anything without a scheme (":" before any "/?#").
_RELATIVE_LINK = re.compile(r'\s(?:href|src)="(?![a-zA-Z][a-zA-Z0-9+.\-]*:)')


class TemplateNotUtf8(jinja2.TemplateError):
    """A template file that is not UTF-8 text: where it is, and the line of its first bad byte."""

    def __init__(self, path: Path, line: int) -> None:
        super().__init__(f"{path}:{line}")
        self.path, self.line = path, line


class ThemeLoader(jinja2.FileSystemLoader):
    """Templates from the site's and the theme's folders, read as UTF-8; a file that is not is
    a `TemplateNotUtf8` naming it (a site's override saved by an old editor in Windows-1258)."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        try:
            return super().get_source(environment, template)
        except UnicodeDecodeError as exc:
            path = next(p for folder in self.searchpath
                        if (p := Path(folder).joinpath(*jinja2.loaders.split_template_path(template))).is_file())
            line = path.read_bytes()[:exc.start].count(b"\n") + 1
            raise TemplateNotUtf8(path, line) from None


_JINJA_ENGLISH = [
    (re.compile(r"^.* has no attribute '([^']*)'$"), 'không có thuộc tính "{0}"'),
    (re.compile(r"^'([^']*)' is undefined$"), 'chưa có giá trị nào tên "{0}"'),
    (re.compile(r"^No filter named '([^']*)'\.?$"), 'không có bộ lọc "{0}"'),
    (re.compile(r"^No test named '([^']*)'\.?$"), 'không có phép thử "{0}"'),
    (re.compile(r"^Encountered unknown tag '([^']*)'"), 'thẻ lạ "{0}"'),
    (re.compile(r"^Unexpected end of template.*closed is '([^']*)'", re.S),
     'mẫu kết thúc khi một khối chưa đóng: thiếu {{% end{0} %}}'),
    (re.compile(r"^Unexpected end of template", re.S), "mẫu kết thúc khi một khối chưa đóng"),
    (re.compile(r"^Expected an expression, got '([^']*)'$"), 'cần một biểu thức nhưng gặp "{0}"'),
    (re.compile(r"^expected token '([^']*)', got '([^']*)'$"), 'cần "{0}" nhưng gặp "{1}"'),
    (re.compile(r"^unexpected '([^']*)'$"), 'ký tự không đúng chỗ "{0}"'),
]
# Jinja's names for its own tokens, as they are written in a template.
_TOKENS = {"end of statement block": "%}", "end of print statement": "}}", "end of template": "cuối mẫu",
           "begin of statement block": "{%", "begin of print statement": "{{"}


def _in_vietnamese(message: str) -> str:
    """Jinja's most common complaints said in Vietnamese; any other is quoted as Jinja said it."""
    for pattern, text in _JINJA_ENGLISH:
        if match := pattern.match(message):
            return text.format(*(_TOKENS.get(g, g) for g in match.groups()))
    return f"Jinja báo: {message}"


def theme_dirs(site: Site) -> list[Path]:
    """Template folders, first match wins: the site's own `templates/`, then the theme."""
    source = site.config.source
    theme = site.config.theme
    candidates = [source / "templates", source.parent / "themes" / theme / "templates",
                  PACKAGE_THEMES / theme / "templates"]
    return [c for c in dict.fromkeys(candidates) if c.is_dir()]


def theme_static(site: Site) -> Path | None:
    """The theme's `static/` folder (CSS, icons), copied to `static/` in the output."""
    for folder in (site.config.source.parent / "themes" / site.config.theme, PACKAGE_THEMES / site.config.theme):
        if (folder / "templates").is_dir():
            return folder / "static"
    return None


def check_theme(site: Site, problems: Problems) -> None:
    if not any((d / "base.html").is_file() for d in theme_dirs(site)):
        problems.error(site.config.source / "site.yaml", None, f'không tìm thấy giao diện "{site.config.theme}".',
                       'Hãy dùng theme: default, hoặc tạo thư mục themes/<tên>/templates.')


def relative(root: str, target: str, portable: bool = False) -> str:
    """Link from a page whose way back to the site root is `root` ("../../") to `target`.
    `portable` links a folder's `index.html` itself, for a site opened from disk (file://),
    where no server turns "tin-tuc/" into "tin-tuc/index.html"."""
    if portable:
        return root + with_index(target)
    return (root + target) or "./"


def with_index(target: str) -> str:
    """ "tin-tuc/" → "tin-tuc/index.html", "" → "index.html", "don-vi/x/#so-lieu" → "don-vi/x/index.html#so-lieu";
    links to files ("feed.xml", "media/a.jpg") stay as they are."""
    cut = min((i for i in (target.find("#"), target.find("?")) if i >= 0), default=len(target))
    path, rest = target[:cut], target[cut:]
    if path == "" or path.endswith("/"):
        path += "index.html"
    return path + rest


def make_environment(site: Site, portable: bool = False) -> jinja2.Environment:
    """One environment per build, with every filter and URL helper the templates may use;
    `portable` makes every link to a folder end in `index.html` (see `relative`)."""
    env = jinja2.Environment(
        loader=ThemeLoader([str(d) for d in theme_dirs(site)]),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True, default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    zone = site.config.timezone
    base_url = site.config.base_url

    @jinja2.pass_context
    def url(ctx: jinja2.runtime.Context, target: str) -> str:
        return relative(ctx["root"], target, portable)

    @jinja2.pass_context
    def rebase(ctx: jinja2.runtime.Context, html: str) -> str:
        """Point "/…" and "media/…" links in Markdown output at the site root of this page, and
        let lazy body images decode off the main thread (`decoding="async"`, which the
        sanitiser's allow-list would remove from the body itself)."""
        if 'loading="lazy"' in html:
            html = _LAZY_IMG.sub(r'\1 decoding="async"', html)
        if portable:
            return _SITE_LINK_TARGET.sub(lambda m: m.group(1) + ctx["root"] + with_index(m.group(2)) + '"', html)
        return _SITE_LINK.sub(lambda m: m.group(1) + ctx["root"], html)

    def absolute(target: str) -> str:
        return base_url + target

    def rebase_absolute(html: str, page: str) -> str:
        """Every href and src of a body made absolute, for feeds (read away from the site): "/…"
        and "media/…" from base_url, as `rebase` does on pages; any other relative address
        ("../x", "tin-tuc/…", "#chu-thich") from the item's own page, whose site-relative URL is
        `page`, as a browser on that page resolves it."""
        if _RELATIVE_LINK.search(html) is None:
            return html
        page_url = urljoin(base_url, page)

        def absolute_link(match: re.Match[str]) -> str:
            value = match.group(2)
            if value.startswith("/") and not value.startswith("//"):
                value = base_url + value[1:]
            elif value.startswith("media/"):
                value = base_url + value
            else:
                value = urljoin(page_url, value)  # leaves "https:", "mailto:", "tel:" as written
            return f'{match.group(1)}{value}"'

        return _ANY_LINK.sub(absolute_link, html)

    def local(value: datetime) -> datetime:
        return value.astimezone(zone)

    env.filters.update(
        url=url,
        rebase=rebase,
        absolute=absolute,
        rebase_absolute=rebase_absolute,
        datetime_vi=lambda v: format_datetime_vi(v, zone),
        date_vi=lambda v: format_date_vi(local(v) if isinstance(v, datetime) else v),
        weekday_date_vi=lambda v: format_weekday_date_vi(local(v).date() if isinstance(v, datetime) else v),
        iso=lambda v: local(v).isoformat() if isinstance(v, datetime) else v.isoformat(),
        iso_date=lambda v: (local(v).date() if isinstance(v, datetime) else v).isoformat(),
        number=format_number,
        amount=format_amount,
        vi_sorted=lambda values, attribute=None: sorted(
            values, key=lambda v: sort_key(getattr(v, attribute) if attribute else v)),
    )
    bind_site(env, site)
    env.globals.update(
        unit_url=pages.unit_url,
        category_url=pages.category_url,
        tag_url=pages.tag_url,
        archive_url=pages.archive_url,
        page_url=pages.page_url,
        metric_url=pages.metric_url,
        figures_year_url=pages.figures_year_url,
        data_source_url=pages.data_source_url,
        slugify=slugify,
        portable=portable,
    )
    return env


def bind_site(env: jinja2.Environment, site: Site) -> None:
    """Point an environment at a new snapshot of the same site (same settings and theme): `serve`
    keeps its compiled templates from one edit to the next."""
    env.globals.update(
        site=site,
        config=site.config,
        units=site.units,
        metrics=site.metrics,
        item_url=lambda item: pages.item_url(item, site),
        fragment=_fragment_cache(),
    )


def _fragment_cache() -> Callable[..., str]:
    """`{% call fragment(a, b, …) %}…{% endcall %}`: the block rendered once per key for this
    site snapshot, then reused (a record's row appears on the figure pages of its unit and of
    every unit above it). Objects in the key count by identity, strings and numbers by value; the
    block must show nothing but what its key names."""
    made: dict[tuple[object, ...], tuple[str, tuple[object, ...]]] = {}

    def fragment(*key: object, caller: Callable[[], str]) -> str:
        ids = tuple(k if isinstance(k, (str, int, type(None))) else (type(k).__name__, id(k)) for k in key)
        hit = made.get(ids)
        if hit is None:
            hit = made[ids] = (caller(), key)  # the key kept alive: its objects' ids stay theirs
        return hit[0]

    return fragment


def warm_up(env: jinja2.Environment) -> None:
    """Compile every template now, so that the first edit in `serve` does not wait for it."""
    for name in env.list_templates(filter_func=lambda n: not n.startswith(".")):
        try:
            env.get_template(name)
        except jinja2.TemplateError:
            pass  # reported with its line when a page uses it


def root_of(path: str) -> str:
    """The way back to the site root from an output file: "tin-tuc/2020/08/x/index.html" → "../../../../"."""
    return "../" * path.count("/")


def render_page(env: jinja2.Environment, page: pages.PlannedPage, site: Site, problems: Problems) -> bytes | None:
    """Render one planned page to bytes; a template mistake becomes an error with its line."""
    # 404.html is served at any depth, so its links start with the site's path; a portable
    # build is opened from disk, where that path means nothing: its links stay relative.
    portable = bool(env.globals.get("portable"))
    root = site.config.base_path if page.path == "404.html" and not portable else root_of(page.path)
    # The messages name no page: a mistake in a template many pages use is one problem, printed once.
    try:
        template = env.get_template(page.template)
        text = template.render(root=root, **page.context)
    except TemplateNotUtf8 as exc:
        problems.error(exc.path, exc.line, "mẫu giao diện không phải văn bản UTF-8.",
                       "Hãy mở tệp bằng trình soạn thảo và lưu lại dạng UTF-8 (Unicode).")
        return None
    except jinja2.TemplateSyntaxError as exc:
        problems.error(Path(exc.filename or page.template), exc.lineno,
                       f"mẫu giao diện sai cú pháp ({_in_vietnamese(exc.message or '')}).",
                       "Hãy sửa mẫu giao diện ở dòng này.")
        return None
    except Exception as exc:  # a theme may fail in any way; it must not crash the build
        line = _template_line(exc)
        problems.error(Path(line[0] or page.template), line[1],
                       f"mẫu giao diện lỗi khi tạo trang ({_in_vietnamese(str(exc))}).", "Hãy sửa mẫu giao diện ở dòng này.")
        return None
    return text.encode("utf-8")


def _template_line(exc: BaseException) -> tuple[str | None, int | None]:
    """The innermost template frame of a rendering error."""
    tb = exc.__traceback__
    found: tuple[str | None, int | None] = (None, None)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".txt")):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found
