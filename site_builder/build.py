"""The whole pipeline in one short function: load → plan → render → write."""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

from .errors import BuildFailed, Problems
from .output import OutputWriter, UnsafePath, WriteReport, check_output
from .pages import CopiedFile, PlannedPage, SearchIndex, plan_pages
from .search import SearchIndexFailed, build_search_files
from .render import check_theme, make_environment, render_page, theme_static
from .site import load_site

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class BuildResult:
    """What a successful build did, and the warnings it collected."""

    pages: int
    report: WriteReport
    seconds: float
    problems: Problems


def build(source: Path, output: Path, include_drafts: bool = False, now: datetime | None = None,
          progress: Progress | None = None) -> BuildResult:
    """Build the site from `source` into `output`; raise `BuildFailed` and write nothing on errors."""
    started = time.perf_counter()
    site = load_site(source, include_drafts=include_drafts, now=now)
    problems = site.problems
    check_theme(site, problems)
    if problems:
        raise BuildFailed(problems)
    planned = plan_pages(site, theme_static(site), problems)
    if problems:
        raise BuildFailed(problems)

    check_output(output, source)
    env = make_environment(site)
    writer = OutputWriter(output)
    writer.begin()
    search_index: SearchIndex | None = None
    try:
        for done, entry in enumerate(planned, 1):
            try:
                if isinstance(entry, PlannedPage):
                    data = render_page(env, entry, site, problems)
                    if data is not None:
                        writer.put(entry.path, data)
                elif isinstance(entry, CopiedFile):
                    writer.copy(entry.path, entry.source)
                elif isinstance(entry, SearchIndex):
                    search_index = entry
                else:
                    writer.put(entry.path, entry.make())
            except UnsafePath:
                problems.error(source / entry.origin, None, f'đường dẫn "{entry.path}" nằm ngoài thư mục kết quả.',
                               "Hãy đổi tên tệp hoặc slug, chỉ dùng chữ, số và dấu gạch ngang.")
            if progress is not None:
                progress(done, len(planned))
        if search_index is not None and not problems:
            try:
                for path, data in sorted(build_search_files(writer.staging, search_index.entries).items()):
                    writer.put(path, data)
            except SearchIndexFailed as exc:
                problems.error(source / "site.yaml", None, f"không tạo được chỉ mục tìm kiếm ({exc}).",
                               "Hãy cài lại site-builder (gói pagefind[bin] đi kèm) rồi xây dựng lại.")
        if problems:
            raise BuildFailed(problems)
        report = writer.commit()
    except BaseException:
        writer.abort()
        raise
    pages = sum(1 for e in planned if isinstance(e, PlannedPage))
    return BuildResult(pages, report, time.perf_counter() - started, problems)
