"""The desk's page (`admin/index.html`) and, for a site whose `site.yaml` names a git host
(`editor:`), the published `admin/` folder: that page, the generated `config.yml` and the
vendored Decap CMS (`base/desk_bundle`).

The page loads `decap-cms.js` from its own folder (a relative address: the desk works under any
path and with no network), and Decap reads `config.yml` from the same folder by default. It holds
no inline script, so its Content-Security-Policy allows scripts from its own origin only; Decap
compiles its config schema with `new Function` (ajv) and styles itself with inline `<style>`
(emotion), hence `'unsafe-eval'` and `'unsafe-inline'` for styles. A git host's API is the one
other origin the published desk may reach.
"""
from __future__ import annotations

from html import escape
from typing import cast

from ..base.desk_bundle import BUNDLE, OURS, bundle_files
from ..load.config import SiteConfig
from ..model.site import Site
from .desk_config import BackendName, DeskBackend, desk_config
from .planned import CopiedFile, GeneratedFile, Planner, shown

ADMIN_FOLDER = "admin/"


def content_security_policy(backend: DeskBackend) -> str:
    connect = " ".join(filter(None, ("'self'", "blob:", backend.api_origin)))  # blob: Decap reads an upload back
    return ("default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data: blob:; media-src 'self' blob:; font-src 'self' data:; "
            f"connect-src {connect}; worker-src 'self' blob:; frame-src 'self' blob:; object-src 'none'; "
            "base-uri 'self'; form-action 'self'")


def admin_page(site_title: str, backend: DeskBackend) -> str:
    """The HTML of `/admin/`: Decap in Vietnamese, titled "Bàn biên tập — <site title>"."""
    scripts = "\n".join(f'<script src="{ours.name}"></script>' for ours in OURS)
    return f"""<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{escape(content_security_policy(backend), quote=False).replace('"', '&quot;')}">
<meta name="robots" content="noindex">
<title>Bàn biên tập — {escape(site_title)}</title>
</head>
<body>
<noscript>Bàn biên tập cần bật JavaScript.</noscript>
<script src="decap-cms.js"></script>
{scripts}
</body>
</html>
"""


def published_backend(config: SiteConfig) -> DeskBackend | None:
    """The git host `site.yaml`'s `editor:` names, as the published desk's backend (None without it)."""
    editor = config.editor
    if editor is None:
        return None
    return DeskBackend(name=cast(BackendName, editor.backend), repo=editor.repo, branch=editor.branch,
                       base_url=editor.base_url, app_id=editor.app_id,
                       content_prefix=editor.folder or config.source.name)


def add_desk(p: Planner, site: Site, backend: DeskBackend) -> None:
    """`admin/`: the page, the content model with `backend`, and the bundle. The page and the model
    depend on the sources they show (settings, units, metrics, categories and tags of items)."""
    deps = {"site.yaml", "units.yaml", "metrics.yaml", *(shown(i) for i in site.items)}
    page = admin_page(site.config.title, backend).encode("utf-8")
    p.out.append(GeneratedFile(ADMIN_FOLDER + "index.html", lambda: page, p.deps({"site.yaml"}), "site.yaml"))
    model = desk_config(site, backend).encode("utf-8")
    p.out.append(GeneratedFile(ADMIN_FOLDER + "config.yml", lambda: model, p.deps(deps), "site.yaml"))
    for ours in OURS:
        p.out.append(CopiedFile(ADMIN_FOLDER + ours.name, ours, frozenset(), "site.yaml"))
    for name in bundle_files(BUNDLE):
        p.out.append(CopiedFile(ADMIN_FOLDER + name, BUNDLE / name, frozenset(), "site.yaml"))
