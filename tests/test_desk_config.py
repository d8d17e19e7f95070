"""The desk's content model (`plan/desk_config.py`): generated from the sources, so a new unit or
metric appears with no config touched; labels and hints in Vietnamese; the same site gives the
same text; the YAML has no aliases (Decap's parser caps them)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from conftest import NOW, UNITS_YAML, make_site, news_item

from site_builder.model.site import load_site
from site_builder.plan.desk_admin import admin_page, content_security_policy
from site_builder.plan.desk_config import DeskBackend, desk_config

METRICS_YAML = """\
- id: cuoc-giam-sat
  label: Cuộc giám sát do Mặt trận thực hiện
  unit: cuộc
  kind: flow
"""


def _model(source: Path, backend: DeskBackend | None = None) -> tuple[str, dict[str, Any]]:
    text = desk_config(load_site(source, now=NOW), backend or DeskBackend("proxy"))
    return text, yaml.safe_load(text)


def _collection(model: dict[str, Any], name: str) -> dict[str, Any]:
    [found] = [c for c in model["collections"] if c["name"] == name]
    return found


def _field(fields: list[dict[str, Any]], name: str) -> dict[str, Any]:
    [found] = [f for f in fields if f["name"] == name]
    return found


def test_units_metrics_and_categories_come_from_the_sources(tmp_path: Path) -> None:
    news = {"news/2024/a.md": news_item(category="Giám sát, phản biện", tags="[Dân vận]")}
    source = make_site(tmp_path, news=news, files={"metrics.yaml": METRICS_YAML})
    text, model = _model(source)
    assert text.startswith("# Cấu hình Bàn biên tập") and "&id" not in text and "*id" not in text
    news_fields = _collection(model, "tin-tuc")["fields"]
    units = _field(news_fields, "unit")["options"]
    assert units[:3] == [{"label": "Việt Nam", "value": "viet-nam"}, {"label": "Tỉnh A, Việt Nam", "value": "tinh-a"},
                         {"label": "Huyện B, Tỉnh A", "value": "huyen-b"}]  # tree order
    assert {"label": "Xã Cũ, Tỉnh A (đến 30/6/2025)", "value": "xa-cu"} in units  # a former unit and its era
    assert _field(news_fields, "units")["multiple"] is True
    figures = _field(news_fields, "figures")["fields"]
    assert _field(figures, "metric")["options"] == [{"label": "Cuộc giám sát do Mặt trận thực hiện (cuộc)",
                                                     "value": "cuoc-giam-sat"}]
    assert _field(figures, "scope")["options"] == [{"label": "Các cấp", "value": "all"},
                                                   {"label": "Riêng cấp này", "value": "own"}]
    category = _field(news_fields, "category")
    assert category["widget"] == "suggest" and category["options"] == ["Giám sát, phản biện"]  # choose or add
    assert "Dân vận" in _field(news_fields, "tags")["hint"]

    # a new unit and a new metric appear on the next build, with nothing else touched
    (source / "units.yaml").write_text(UNITS_YAML + """\
        - id: xa-d
          name: Xã Đông Cuông
          type: xa
""", encoding="utf-8")
    (source / "metrics.yaml").write_text(METRICS_YAML + "- {id: to-hoa-giai, label: Tổ hòa giải, unit: tổ, "
                                         "kind: stock}\n", encoding="utf-8")
    _, model = _model(source)
    news_fields = _collection(model, "tin-tuc")["fields"]
    assert {"label": "Xã Đông Cuông, Tỉnh A", "value": "xa-d"} in _field(news_fields, "unit")["options"]
    metrics = _field(_field(news_fields, "figures")["fields"], "metric")["options"]
    assert {"label": "Tổ hòa giải (tổ)", "value": "to-hoa-giai"} in metrics


def test_formats_folders_and_the_same_text_twice(tmp_path: Path) -> None:
    source = make_site(tmp_path)
    text, model = _model(source)
    assert text == _model(source)[0]
    assert model["locale"] == "vi"
    assert {k: model["backend"][k] for k in ("name", "proxy_url", "branch")} == {
        "name": "proxy", "proxy_url": "/api/v1", "branch": "main"}
    assert model["backend"]["commit_messages"]["create"] == "Viết {{collection}} mới “{{slug}}”"
    assert (model["media_folder"], model["public_folder"]) == ("content/media", "media")
    news = _collection(model, "tin-tuc")
    assert (news["folder"], news["path"], news["extension"], news["format"]) == (
        "content/news", "{{year}}/{{slug}}", "md", "frontmatter")
    date = _field(news["fields"], "date")
    assert (date["format"], date["picker_utc"]) == ("YYYY-MM-DD HH:mm", False)  # "2020-08-21 02:49", no UTC shift
    image = _field(news["fields"], "image")
    assert (image["media_folder"], image["public_folder"]) == ("/content/media/{{year}}", "media/{{year}}")
    assert _collection(model, "trang")["folder"] == "content/pages"
    [settings] = _collection(model, "thong-tin-trang")["files"]
    assert settings["file"] == "content/site.yaml"
    assert [f["name"] for f in _field(settings["fields"], "organisation")["fields"]] == [
        "name", "governing_body", "address", "phone", "email", "responsible", "licence"]
    assert "chi-tieu" in {c["name"] for c in model["collections"]}  # metrics.yaml, under one list field (test_desk_lists)
    labels = [f["label"] for c in model["collections"] for f in c.get("fields", [])]
    assert "Số liệu trong bài" in labels and "Mô tả ảnh (cho người khiếm thị)" in labels


def test_git_backends_and_their_prefix(tmp_path: Path) -> None:
    source = make_site(tmp_path)
    _, model = _model(source, DeskBackend("github", repo="mttq/ban-tin", content_prefix="site/content"))
    assert {k: model["backend"][k] for k in ("name", "repo", "branch")} == {
        "name": "github", "repo": "mttq/ban-tin", "branch": "main"}
    assert _collection(model, "tin-tuc")["folder"] == "site/content/news"
    gitlab = DeskBackend("gitlab", repo="mttq/ban-tin", base_url="https://git.example.gov.vn", app_id="abc")
    assert gitlab.config()["api_root"] == "https://git.example.gov.vn/api/v4"
    assert gitlab.config()["auth_type"] == "pkce"
    assert "connect-src 'self' blob: https://git.example.gov.vn;" in content_security_policy(gitlab)


def test_admin_page() -> None:
    html = admin_page('Bản tin <Tỉnh> "A"', DeskBackend("github", repo="a/b"))
    assert '<html lang="vi">' in html
    assert "<title>Bàn biên tập — Bản tin &lt;Tỉnh&gt; &quot;A&quot;</title>" in html
    assert '<script src="decap-cms.js"></script>' in html and 'src="http' not in html and "href" not in html
    assert "connect-src 'self' blob: https://api.github.com;" in html
