"""metrics.yaml and the YAML data files in the desk: their top-level lists reach Decap under one
field (an entry is a mapping) and are written back as top-level lists, meaning unchanged."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml
from conftest import NOW
from test_desk_api import Desk

from site_builder.live.desk_format import wrapped_list
from site_builder.load.yamlload import load_yaml
from site_builder.model.site import load_site
from site_builder.plan.desk_config import DeskBackend, desk_model

FILES = [("content/metrics.yaml", "metrics"), ("content/data/mong-cai.yaml", "records")]


@pytest.fixture
def desk(sample_site: Path) -> Desk:
    return Desk(sample_site)


@pytest.mark.parametrize(("path", "key"), FILES)
def test_a_list_file_reaches_decap_under_one_field_and_saves_back_unchanged(desk: Desk, path: str, key: str) -> None:
    file = desk.source.parent / path
    before_list, _ = load_yaml(file.read_text(encoding="utf-8"))
    before_site = load_site(desk.source, now=NOW)
    reply = desk.call("getEntry", {"path": path})
    assert reply.status == 200 and isinstance(reply.body, dict)
    entry = yaml.safe_load(reply.body["data"])
    assert list(entry) == [key] and entry[key] == yaml.safe_load(file.read_text(encoding="utf-8"))
    # Decap sends the mapping back as its own YAML dump
    saved = desk.persist(path, yaml.safe_dump(entry, allow_unicode=True, sort_keys=False))
    assert saved.status == 200, saved
    after_list, _ = load_yaml(file.read_text(encoding="utf-8"))
    assert after_list == before_list and isinstance(after_list, list)
    after_site = load_site(desk.source, now=NOW)
    def lineless(site):  # type: ignore[no-untyped-def]  # comments go, so lines move (README says so)
        return {k: dataclasses.replace(m, line=0) for k, m in site.metrics.metrics.items()}

    assert lineless(after_site) == lineless(before_site)
    assert [(r.unit, r.metric, r.period, r.value) for r in after_site.records] == \
        [(r.unit, r.metric, r.period, r.value) for r in before_site.records]


def test_a_bad_value_in_a_data_file_is_refused_with_nothing_written(desk: Desk) -> None:
    path = "content/data/mong-cai.yaml"
    file = desk.source.parent / path
    before = file.read_bytes()
    entry = yaml.safe_load(desk.call("getEntry", {"path": path}).body["data"])  # type: ignore[index]
    entry["records"][0]["value"] = "1,030"
    reply = desk.persist(path, yaml.safe_dump(entry, allow_unicode=True, sort_keys=False))
    assert reply.status >= 400 and "1,030" in reply.body["error"]  # type: ignore[index]
    assert file.read_bytes() == before


def test_wrapping_keeps_comments_and_leaves_a_mapping_alone() -> None:
    text = "# chú thích\n- unit: a\n  note: >-\n    dòng một\n\n    dòng hai\n"
    wrapped = wrapped_list(text, "records")
    assert yaml.safe_load(wrapped) == {"records": yaml.safe_load(text)}
    assert "  # chú thích" in wrapped
    assert wrapped_list("title: x\n", "records") == "title: x\n"


def test_the_local_desk_offers_metrics_and_each_yaml_data_file_and_a_git_desk_does_not(sample_site: Path) -> None:
    site = load_site(sample_site, now=NOW)
    local = {c["name"]: c for c in desk_model(site, DeskBackend("proxy"))["collections"]}
    assert local["chi-tieu"]["files"][0]["file"] == "content/metrics.yaml"
    assert [f["file"] for f in local["so-lieu"]["files"]] == ["content/data/mong-cai.yaml"]
    github = {c["name"] for c in desk_model(site, DeskBackend("github", repo="a/b"))["collections"]}
    assert "chi-tieu" not in github and "so-lieu" not in github
