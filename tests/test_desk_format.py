"""The desk's own serializer (`live.desk_format`): what it writes reads back to the same meaning,
and every hand-written sample item saved through the desk keeps its meaning and its figures."""
from __future__ import annotations

import dataclasses
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from conftest import NOW
from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.base.errors import Problems
from site_builder.base.vietnamese import parse_datetime
from site_builder.live.desk_api import DeskApi
from site_builder.live.desk_format import NEWS_ORDER, body_of, markdown_file, records_file
from site_builder.load.config import load_config
from site_builder.load.content import Item, load_item
from site_builder.load.markdown_render import MarkdownRenderer
from site_builder.load.units import load_units
from site_builder.load.yamlload import LineDict, LineList, as_typed, load_yaml
from site_builder.model.site import load_site

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
ORIGIN = "http://127.0.0.1:8080"
TEXT = st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyÀÁẢÃẠĐàáảãạềếểễệ 0123456789:#'\"-[]{},.&*!|>%@`?/\\",
               min_size=1, max_size=30).map(str.strip).filter(bool)


def meaning(value: Any, raw: str | None = None) -> Any:
    """A value as the build reads it: scalars as typed, collections element by element."""
    if isinstance(value, LineDict):
        return {k: meaning(v, value.raw.get(k)) for k, v in value.items()}
    if isinstance(value, LineList):
        return [meaning(v, value.raw[i] if i < len(value.raw) else None) for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {k: meaning(v) for k, v in value.items()}
    if isinstance(value, list):
        return [meaning(v) for v in value]
    return as_typed(value, raw)


@settings(max_examples=60, deadline=None)
@given(title=TEXT, tags=st.lists(TEXT, max_size=4), summary=TEXT, draft=st.booleans(),
       moment=st.datetimes(min_value=datetime(1950, 1, 1), max_value=datetime(2090, 1, 1)),
       figures=st.lists(st.fixed_dictionaries({"metric": TEXT, "period": TEXT, "value": TEXT}), max_size=3),
       body=st.text(max_size=60))
def test_front_matter_reads_back_to_the_same_meaning(title: str, tags: list[str], summary: str, draft: bool,
                                                     moment: datetime, figures: list[dict[str, str]], body: str) -> None:
    moment = moment.replace(second=0, microsecond=0)
    meta: dict[str, Any] = {"title": title, "date": moment.strftime("%Y-%m-%d %H:%M"), "unit": "xa-a", "tags": tags,
                            "summary": summary, "draft": draft}
    if figures:
        meta["figures"] = figures
    text, keys = markdown_file(meta, body, NEWS_ORDER, ZONE)
    assert body_of(text) == body
    block = text[4:text.index("\n---\n", 3) + 1]
    parsed, problem = load_yaml(block, line_offset=1)
    assert problem is None and isinstance(parsed, LineDict), text
    assert parsed["draft"] is draft  # true/false is read as YAML types it
    again = meaning(parsed)
    again["draft"] = parsed["draft"]
    assert parse_datetime(again.pop("date"), ZONE) == moment.replace(tzinfo=ZONE)
    assert again == {k: v for k, v in meta.items() if k != "date"}
    assert all(keys.at(parsed.line_of(k)) == (k, None, None) for k in parsed if k != "figures")


@settings(max_examples=50, deadline=None)
@given(records=st.lists(st.fixed_dictionaries({"unit": TEXT, "metric": TEXT, "period": TEXT, "value": TEXT},
                                              optional={"note": TEXT, "source": TEXT}), max_size=4))
def test_records_read_back_to_the_same_meaning(records: list[dict[str, str]]) -> None:
    text, _ = records_file(records)
    parsed, problem = load_yaml(text)
    assert problem is None and meaning(parsed) == records


class _NoDates(yaml.SafeLoader):
    """Decap's YAML keeps dates it reads as text when they are quoted; ours are."""


_NoDates.yaml_implicit_resolvers = {k: [r for r in v if r[0] != "tag:yaml.org,2002:timestamp"]
                                    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()}


def as_decap_sends(text: str) -> str:
    """The file as Decap sends it back after opening and saving it unchanged: its front matter
    read and dumped again by a YAML library (comments, quotes and styles lost), the body as is."""
    match = re.match(r"---\n(.*?\n)---\n", text, re.S)
    assert match
    data = yaml.load(match.group(1), Loader=_NoDates)  # noqa: S506 - a SafeLoader
    dumped = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1000)
    body = body_of(text)
    assert body is not None
    return f"---\n{dumped}---\n{body}"


def item_meaning(item: Item) -> tuple[object, ...]:
    figures = meaning(item.figures)
    return (item.title, item.date, item.updated, item.units, item.category, item.tags, item.authors, item.summary,
            item.image, item.image_alt, item.slug, item.draft, item.aliases, item.body_html, json.dumps(figures))


def figures_of(source: Path) -> list[tuple[object, ...]]:
    site = load_site(source, include_drafts=True, now=NOW)
    return sorted((r.unit, r.metric, r.period.text, r.value, r.denominator, r.scope, r.qualifier, r.note, r.source.path)
                  for r in site.records)


def test_every_sample_item_keeps_its_meaning_when_saved(sample_site: Path) -> None:
    api = DeskApi(sample_site, frozenset({ORIGIN}), lambda paths: None, now=lambda: NOW)
    problems = Problems(root=sample_site)
    config, units = load_config(sample_site, problems), load_units(sample_site, problems)
    assert config is not None and units is not None
    renderer = MarkdownRenderer(None, sample_site)
    before = figures_of(sample_site)
    paths = sorted((sample_site / "news").rglob("*.md")) + sorted((sample_site / "pages").rglob("*.md"))
    assert len(paths) > 15
    for path in paths:
        rel = "content/" + path.relative_to(sample_site).as_posix()
        old = load_item(path, sample_site, config, units, renderer, Problems()) if "news/" in rel else None
        old_body = body_of(path.read_text())
        request = {"action": "persistEntry", "params": {"dataFiles": [{"path": rel, "raw": as_decap_sends(path.read_text()),
                                                                       "slug": "x"}], "assets": [], "options": {}}}
        reply = api.handle("POST", "127.0.0.1:8080", ORIGIN, "application/json", json.dumps(request).encode())
        assert reply.status == 200, (rel, reply)
        assert body_of(path.read_text()) == old_body, rel
        if old is not None:
            new = load_item(path, sample_site, config, units, renderer, Problems())
            assert new is not None and item_meaning(new) == item_meaning(old), rel
    config_before = load_config(sample_site, Problems())
    for path in [sample_site / "site.yaml", sample_site / "metrics.yaml", *sorted((sample_site / "data").rglob("*.yaml"))]:
        data = yaml.load(path.read_text(), Loader=_NoDates)  # noqa: S506 - a SafeLoader
        raw = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        rel = "content/" + path.relative_to(sample_site).as_posix()
        request = {"action": "persistEntry", "params": {"dataFiles": [{"path": rel, "raw": raw, "slug": "x"}], "assets": []}}
        reply = api.handle("POST", "127.0.0.1:8080", ORIGIN, "application/json", json.dumps(request).encode())
        assert reply.status == 200, (rel, reply)
    config_after = load_config(sample_site, Problems())
    assert config_before is not None and config_after is not None  # the same but for lines (comments are gone)
    assert dataclasses.replace(config_after, root_unit_line=0) == dataclasses.replace(config_before, root_unit_line=0)
    assert figures_of(sample_site) == before


def test_dates_with_offset_and_seconds(tmp_path: Path) -> None:
    text, _ = markdown_file({"date": "2020-08-20T19:49:00+00:00"}, "", NEWS_ORDER, ZONE)
    assert 'date: "2020-08-21 02:49"' in text
    text, _ = markdown_file({"date": "2020-08-21 02:49:30"}, "", NEWS_ORDER, ZONE)
    assert 'date: "2020-08-21 02:49:30"' in text
    text, _ = markdown_file({"date": "hôm qua"}, "", NEWS_ORDER, ZONE)
    assert 'date: "hôm qua"' in text


@pytest.mark.parametrize("sent, written", [
    ("value: 1.030", 'value: "1.030"'), ("value: 0755", 'value: "0755"'), ("value: 298", 'value: "298"'),
    ("period: 2020-08", 'period: "2020-08"'), ("metric: cuoc-giam-sat", "metric: cuoc-giam-sat"),
])
def test_figure_values_keep_what_was_typed(sent: str, written: str) -> None:
    parsed, problem = load_yaml(f"figures:\n  - {{{sent}}}\n")
    assert problem is None and isinstance(parsed, LineDict)
    text, _ = markdown_file(parsed, "", NEWS_ORDER, ZONE)
    assert written in text
