"""The URL scheme: where each page of a site is published (site-relative URLs, "" is the home
page), and the names the build itself writes at the top of the output."""
from __future__ import annotations

from ..load.content import Item, Page
from ..model.site import Site

# Pages the sitemap leaves out: the search page says `noindex` (its content is whatever a query
# finds), and a sitemap listing it would contradict it (search engines report such a page).
NOT_IN_SITEMAP = {"tim-kiem/"}
# Every name the build itself writes at the top of the output: a page slugged so would land inside
# (or on) one of them, as "pagefind" would inside the search bundle. Slugs hold no ".", so the file
# names cannot be taken today; they are listed so that the list stays whole if slugs ever change.
# A test checks that every top-level name a build plans is here.
RESERVED_FOLDERS = {"tin-tuc", "don-vi", "so-lieu", "chuyen-muc", "the", "luu-tru", "tim-kiem", "trang",
                    "static", "media", "pagefind", "admin"}
RESERVED_FILES = {"index.html", "404.html", "robots.txt", "sitemap.xml", "feed.xml"}
RESERVED = RESERVED_FOLDERS | RESERVED_FILES


def item_url(item: Item, site: Site) -> str:
    local = item.date.astimezone(site.config.timezone)
    return f"tin-tuc/{local.year:04d}/{local.month:02d}/{item.slug}/"


def unit_url(unit_id: str) -> str:
    return f"don-vi/{unit_id}/"


def category_url(slug: str) -> str:
    return f"chuyen-muc/{slug}/"


def tag_url(slug: str) -> str:
    return f"the/{slug}/"


def archive_url(year: int) -> str:
    return f"luu-tru/{year}/"


def page_url(page: Page) -> str:
    return f"{page.slug}/"


def metric_url(unit_id: str, metric_id: str) -> str:
    return f"don-vi/{unit_id}/so-lieu/{metric_id}/"


def figures_year_url(year: int) -> str:
    return f"so-lieu/{year}/"


def data_source_url(rel: str) -> str:
    """Where a data file is published for readers to check: "data/2020.csv" → "so-lieu/nguon/2020.csv"."""
    return "so-lieu/nguon/" + rel.removeprefix("data/")


def paged_url(base: str, number: int) -> str:
    return base if number == 1 else f"{base}trang/{number}/"


def file_for(url: str) -> str:
    """Output file of a pretty URL: "tin-tuc/" → "tin-tuc/index.html"."""
    return url + "index.html" if url == "" or url.endswith("/") else url

