"""Figures on the built sample site: the article's figures box, unit pages with running totals,
tables and charts, metric pages with their records, reorganised units, the /so-lieu/ pages and
the open data downloads; every link from a figure page resolves."""
from __future__ import annotations

import csv
import io
import json
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml
from conftest import SAMPLE
from lxml import html

RECORD_FIELDS = ["unit", "unit_name", "metric", "metric_label", "period", "start", "end", "value",
                 "denominator", "scope", "qualifier", "source", "note"]
TOTAL_KEYS = {"unit", "metric", "year", "value", "denominator", "cumulative", "basis"}
REPORT = "news/2020/yen-bai-co-quan-khoi-hai-cap.md"


# --- the sample's sources, read with plain PyYAML and csv, independently of the package -----------

def _front_matter(path: Path) -> dict:
    _, fm, _ = path.read_text(encoding="utf-8").split("---\n", 2)
    return yaml.safe_load(fm)


# The sample's news items that report figures and their addresses, written out by hand from their
# titles and dates (đ → d, tones and punctuation dropped), not computed by the code under test.
FIGURE_ITEMS = {
    "news/2018/mong-cai-co-quan-khoi-nhan-dat-hang.md":
        "tin-tuc/2018/08/mong-cai-co-quan-khoi-nhan-dat-hang-lam-gon-bo-may-ma-khong-bo-sot-viec/",
    REPORT: "tin-tuc/2020/08/yen-bai-mo-hinh-co-quan-giup-viec-chung-khoi-mat-tran-va-cac-doan-the-phu-kin-hai-cap/",
}


def _source_records(source: Path) -> list[dict]:
    """Every record of the sample as the sources write it: unit, metric, period, raw value, source."""
    found: list[dict] = []
    for path in sorted((source / "data").rglob("*")):
        rel = path.relative_to(source).as_posix()
        if path.suffix == ".csv":
            rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
            header = rows[0]
            for number, row in enumerate(rows[1:], 2):
                if any(cell.strip() for cell in row):
                    found.append({**dict(zip(header, row)), "where": f"{rel}:{number}"})
        elif path.suffix in (".yaml", ".yml"):
            text = path.read_text(encoding="utf-8")
            lines = text.splitlines()
            for entry in yaml.safe_load(text):
                # the entry's line is the one where "- unit: <id>" starts it
                number = next(i for i, line in enumerate(lines, 1) if line.startswith(f"- unit: {entry['unit']}"))
                found.append({**{k: str(v) for k, v in entry.items()}, "where": f"{rel}:{number}"})
    with_figures = {path.relative_to(source).as_posix() for path in (source / "news").rglob("*.md")
                    if _front_matter(path).get("figures")}
    assert with_figures == set(FIGURE_ITEMS), "a sample item with figures is missing from FIGURE_ITEMS"
    for rel, url in sorted(FIGURE_ITEMS.items()):
        meta = _front_matter(source / rel)
        for figure in meta["figures"]:
            found.append({"unit": meta["unit"], **{k: str(v) for k, v in figure.items()}, "where": url})
    return found


# --- helpers ------------------------------------------------------------------------------------------

def page(output: Path, rel: str) -> html.HtmlElement:
    return html.fromstring((output / rel).read_bytes())


def text_of(element: html.HtmlElement) -> str:
    """Visible text, white space collapsed; a <br> or a cell boundary counts as a space."""
    for node in element.xpath(".//script|.//style"):
        node.drop_tree()
    return " ".join(" ".join(element.itertext()).split())


def report_page(output: Path) -> str:
    """The output file of the Yên Bái report (the item with the most figures)."""
    page_rel = FIGURE_ITEMS[REPORT] + "index.html"
    assert (output / page_rel).is_file()
    return page_rel


def table_by_caption(tree: html.HtmlElement, fragment: str) -> html.HtmlElement:
    tables = [t for t in tree.xpath("//table") if fragment in t.xpath("string(caption)")]
    assert tables, fragment
    return tables[0]


def rows_of(table: html.HtmlElement) -> list[list[str]]:
    return [[text_of(c) for c in tr.xpath("./th|./td")] for tr in table.xpath("./tbody/tr")]


def resolve(page_rel: str, href: str) -> tuple[str, str]:
    """(output file, fragment) a relative link from `page_rel` points at."""
    parts = urlsplit(href)
    if not parts.path:
        return page_rel, parts.fragment
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page_rel), unquote(parts.path)))
    if parts.path.endswith("/"):
        target = posixpath.join(target, "index.html")
    return target.removeprefix("./"), parts.fragment


def figure_pages(output: Path) -> list[str]:
    rels = ["so-lieu/index.html", report_page(output)]
    rels += sorted(p.relative_to(output).as_posix() for p in output.glob("so-lieu/*/index.html"))
    rels += sorted(p.relative_to(output).as_posix() for p in output.glob("don-vi/*/so-lieu/*/index.html"))
    rels += sorted(p.parent.relative_to(output).as_posix() + "/index.html"
                   for p in output.glob("don-vi/*/so-lieu"))
    return rels


# --- the article --------------------------------------------------------------------------------------

def test_report_article_has_a_figures_box(built_sample: Path) -> None:
    tree = page(built_sample, report_page(built_sample))
    [box] = tree.xpath("//aside[contains(@class,'figures-box')]")
    box_text = text_of(box)
    for shown in ("trên 16,4 tỷ đồng", "trên 300 nghìn chiếc", "1.030", "khoảng 2.300 lượt",
                  "6 tháng đầu năm 2020", "298 cuộc"):
        assert shown in box_text, shown
    # one row per figure of the item, each linking to the unit's metric page
    figures = _front_matter(SAMPLE / REPORT)["figures"]
    rows = box.xpath(".//tbody/tr")
    assert len(rows) == len(figures)
    links = [r.xpath("./th/a/@href")[0] for r in rows]
    assert links == [f"../../../../don-vi/tinh-yen-bai/so-lieu/{f['metric']}/" for f in figures]
    # "own" scope is said so
    own = next(r for r in rows if "giam-sat-phoi-hop" in r.xpath("./th/a/@href")[0])
    assert "riêng cấp này" in text_of(own)


# --- unit pages ------------------------------------------------------------------------------------

def test_yen_bai_unit_page_has_running_totals_tables_and_charts(built_sample: Path) -> None:
    tree = page(built_sample, "don-vi/tinh-yen-bai/index.html")
    body = text_of(tree)
    assert "Lũy kế đến 30/06/2020: trên 16,4 tỷ đồng" in body
    assert "Lũy kế đến 30/06/2020: 1.030 tổ" in body
    headline = rows_of(table_by_caption(tree, "Lũy kế các chỉ tiêu của Tỉnh Yên Bái"))
    money = next(r for r in headline if r[0].startswith("Tiền ủng hộ"))
    assert money[1:] == ["trên 16,4 tỷ đồng đến 30/06/2020", "trên 16,4 tỷ đồng từ đầu năm 2020", "Số báo cáo"]

    by_year = rows_of(table_by_caption(tree, "Tiền ủng hộ phòng, chống dịch Covid-19 theo năm"))
    assert [r[:3] for r in by_year] == [["2020", "trên 16,4 tỷ đồng", "trên 16,4 tỷ đồng"]]
    by_period = rows_of(table_by_caption(tree, "Tiền ủng hộ phòng, chống dịch Covid-19 theo kỳ báo cáo"))
    assert [r[:2] for r in by_period] == [["6 tháng đầu năm 2020", "trên 16,4 tỷ đồng"]]
    coverage = rows_of(table_by_caption(tree, "Đơn vị cấp xã đã lập bộ phận giúp việc chung theo kỳ báo cáo"))
    assert [r[:2] for r in coverage] == [["6 tháng đầu năm 2020", "173/173 đơn vị"]]

    charts = tree.xpath("//svg[@role='img']")
    assert charts
    for svg in charts:
        [title] = svg.xpath("./title")
        assert title.text and title.get("id") == svg.get("aria-labelledby")
        assert svg.xpath("./rect")
    assert any("Tiền ủng hộ" in svg.xpath("string(title)") for svg in charts)

    targets = {resolve("don-vi/tinh-yen-bai/index.html", href)[0] for href in tree.xpath("//a/@href")}
    for metric in ("tien-ung-ho-phong-chong-covid", "khau-trang", "to-tu-quan-tieu-bieu",
                   "don-vi-cap-xa-co-bo-phan-giup-viec", "cuoc-giam-sat"):
        assert f"don-vi/tinh-yen-bai/so-lieu/{metric}/index.html" in targets, metric
        assert (built_sample / f"don-vi/tinh-yen-bai/so-lieu/{metric}/index.html").is_file()


def test_metric_page_lists_the_record_with_a_link_to_its_source(built_sample: Path, sample_copy: Path) -> None:
    rel = "don-vi/tinh-yen-bai/so-lieu/tien-ung-ho-phong-chong-covid/index.html"
    tree = page(built_sample, rel)
    body = text_of(tree)
    assert "Lũy kế đến 30/06/2020: trên 16,4 tỷ đồng" in body
    [section] = tree.xpath("//section[@id='nam-2020' or @aria-labelledby='nam-2020']")
    rows = section.xpath(".//tbody/tr")
    assert len(rows) == 1
    cells = [" ".join(c.text_content().split()) for c in rows[0].xpath("./th|./td")]
    assert cells[0] == "6 tháng đầu năm 2020"
    assert cells[1] == "Tỉnh Yên Bái"
    assert cells[2] == "trên 16,4 tỷ đồng"
    assert cells[3] == "Các cấp"
    [source] = rows[0].xpath("./td[4]/a/@href")
    assert resolve(rel, source) == (report_page(built_sample), "")
    # a record from a data file links to the published file and names its line
    rel = "don-vi/tinh-yen-bai/so-lieu/don-vi-cap-xa-co-bo-phan-giup-viec/index.html"
    tree = page(built_sample, rel)
    row = tree.xpath("//section[@aria-labelledby='nam-2020']//tbody/tr")[0]
    [link] = row.xpath("./td[4]/a")
    assert resolve(rel, link.get("href")) == ("so-lieu/nguon/yen-bai-2020.csv", "")
    assert "dòng 3" in " ".join(row.xpath("./td[4]")[0].text_content().split())
    assert (built_sample / "so-lieu/nguon/yen-bai-2020.csv").read_bytes() == \
        (sample_copy / "data/yen-bai-2020.csv").read_bytes()


def test_lao_cai_successor_carries_yen_bai_figures(built_sample: Path) -> None:
    tree = page(built_sample, "don-vi/tinh-lao-cai/index.html")
    body = text_of(tree)
    assert "Tỉnh Yên Bái" in body
    assert "Lũy kế đến 30/06/2020: trên 16,4 tỷ đồng" in body
    assert "Lũy kế đến 30/06/2020: trên 300 nghìn chiếc" in body
    assert "kể cả thời gian trước khi sắp xếp" in body
    by_year = rows_of(table_by_caption(tree, "Tiền ủng hộ phòng, chống dịch Covid-19 theo năm"))
    assert [r[:3] for r in by_year] == [["2020", "trên 16,4 tỷ đồng", "trên 16,4 tỷ đồng"]]
    # its metric page lists Yên Bái's record
    metric = page(built_sample, "don-vi/tinh-lao-cai/so-lieu/tien-ung-ho-phong-chong-covid/index.html")
    rows = metric.xpath("//section[@aria-labelledby='nam-2020']//tbody/tr")
    assert [" ".join(r.xpath("./td[1]")[0].text_content().split()) for r in rows] == ["Tỉnh Yên Bái"]


def test_split_unit_successors_say_its_figures_are_not_divided(built_sample: Path) -> None:
    for unit in ("phuong-yen-bai", "phuong-au-lau"):
        body = text_of(page(built_sample, f"don-vi/{unit}/index.html"))
        assert "Xã Tuy Lộc" in body and "nhập một phần" in body, unit
        assert "Số liệu của đơn vị nhập một phần không được chia nhỏ" in body, unit
    # the merged-whole note is only where a unit was merged whole
    assert "Số liệu của các đơn vị nhập toàn bộ" in text_of(page(built_sample, "don-vi/phuong-yen-bai/index.html"))
    assert "Số liệu của các đơn vị nhập toàn bộ" not in text_of(page(built_sample, "don-vi/phuong-au-lau/index.html"))


def test_mong_cai_coverage_and_stock(built_sample: Path) -> None:
    tree = page(built_sample, "don-vi/tp-mong-cai/index.html")
    body = text_of(tree)
    assert "17/17 xã/phường" in body
    assert "101/101 thôn/khu" in body
    assert "Lũy kế đến 31/12/2017: 179 người" in body
    # the data file's multi-year record counts in the running total
    assert "Lũy kế đến 31/07/2018: 7 nhiệm vụ" in body
    # and the province above it adds it up
    assert "17/17 xã/phường" in text_of(page(built_sample, "don-vi/tinh-quang-ninh/index.html"))


def test_home_page_shows_the_root_figures(built_sample: Path) -> None:
    tree = page(built_sample, "index.html")
    headline = rows_of(table_by_caption(tree, "Lũy kế các chỉ tiêu của Việt Nam"))
    money = next(r for r in headline if r[0].startswith("Tiền ủng hộ"))
    assert money[1] == "trên 16,4 tỷ đồng đến 30/06/2020"    # Yên Bái's figure once, not again via Lào Cai
    assert "so-lieu/index.html" in {resolve("index.html", href)[0] for href in tree.xpath("//a/@href")}


# --- /so-lieu/ ---------------------------------------------------------------------------------------

def test_figures_index_and_year_pages(built_sample: Path) -> None:
    tree = page(built_sample, "so-lieu/index.html")
    targets = {resolve("so-lieu/index.html", href)[0] for href in tree.xpath("//a/@href")}
    for year in (2016, 2017, 2018, 2020):
        assert f"so-lieu/{year}/index.html" in targets
        assert (built_sample / f"so-lieu/{year}/index.html").is_file()
    assert not (built_sample / "so-lieu/2019/index.html").exists()
    for download in ("du-lieu.csv", "du-lieu.json", "tong-hop.json"):
        assert f"so-lieu/{download}" in targets
    assert {"so-lieu/nguon/yen-bai-2020.csv", "so-lieu/nguon/mong-cai.yaml"} <= targets

    year = page(built_sample, "so-lieu/2020/index.html")
    table = table_by_caption(year, "Phòng, chống Covid-19, năm 2020")
    rows = {r[0]: r for r in rows_of(table)}
    assert set(rows) == {"Việt Nam", "Tỉnh Yên Bái", "Tỉnh Lào Cai"}
    headers = [" ".join(th.text_content().split()) for th in table.xpath("./thead/tr/th")]
    money_column = headers.index("Tiền ủng hộ phòng, chống dịch Covid-19")
    for unit in rows:
        assert rows[unit][money_column] == "trên 16,4 tỷ đồng lũy kế trên 16,4 tỷ đồng", unit


# --- open data -------------------------------------------------------------------------------------

def test_records_csv(built_sample: Path, sample_copy: Path) -> None:
    text = (built_sample / "so-lieu/du-lieu.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0] == ",".join(RECORD_FIELDS)
    rows = list(csv.DictReader(io.StringIO(text)))
    expected = _source_records(sample_copy)
    assert len(rows) == len(expected)
    assert sorted((r["unit"], r["metric"], r["period"], r["source"]) for r in rows) == \
        sorted((e["unit"], e["metric"], e["period"], e["where"]) for e in expected)
    for row in rows:
        assert re.fullmatch(r"\d+", row["value"]), row
        assert row["denominator"] == "" or re.fullmatch(r"\d+", row["denominator"]), row
        assert row["scope"] in ("all", "own")
    money = next(r for r in rows if r["metric"] == "tien-ung-ho-phong-chong-covid")
    assert (money["unit"], money["unit_name"], money["value"], money["qualifier"], money["start"], money["end"]) == \
        ("tinh-yen-bai", "Tỉnh Yên Bái", "16400000000", "trên", "2020-01-01", "2020-06-30")
    assert money["source"] + "index.html" == report_page(built_sample)
    data_row = next(r for r in rows if r["metric"] == "don-vi-cap-xa-co-bo-phan-giup-viec")
    assert (data_row["value"], data_row["denominator"], data_row["source"]) == ("173", "173", "data/yen-bai-2020.csv:3")
    ranged = next(r for r in rows if r["metric"] == "nhiem-vu-dat-hang")
    assert (ranged["period"], ranged["start"], ranged["end"], ranged["source"]) == \
        ("2016-01-01..2018-07-31", "2016-01-01", "2018-07-31", "data/mong-cai.yaml:2")
    # every source is a page of the site or a line of a published data file
    for row in rows:
        if row["source"].startswith("data/"):
            path, line = row["source"].rsplit(":", 1)
            source_line = (sample_copy / path).read_text(encoding="utf-8").splitlines()[int(line) - 1]
            assert row["unit"] in source_line, row
        else:
            assert (built_sample / row["source"] / "index.html").is_file(), row


def test_records_json_matches_the_csv(built_sample: Path) -> None:
    data = json.loads((built_sample / "so-lieu/du-lieu.json").read_text(encoding="utf-8"))
    assert list(data) == ["records"]
    records = data["records"]
    rows = list(csv.DictReader(io.StringIO((built_sample / "so-lieu/du-lieu.csv").read_text(encoding="utf-8"))))
    assert len(records) == len(rows)
    for record, row in zip(records, rows):
        assert list(record) == RECORD_FIELDS
        assert isinstance(record["value"], int) and not isinstance(record["value"], bool)
        assert record["denominator"] is None or isinstance(record["denominator"], int)
        assert {k: "" if v is None else str(v) for k, v in record.items()} == row
    money = next(r for r in records if r["metric"] == "tien-ung-ho-phong-chong-covid")
    assert money["value"] == 16_400_000_000
    coverage = next(r for r in records if r["metric"] == "xa-phuong-kien-toan-khoi-dan-van")
    assert (coverage["unit"], coverage["value"], coverage["denominator"]) == ("tp-mong-cai", 17, 17)


def test_totals_json(built_sample: Path) -> None:
    data = json.loads((built_sample / "so-lieu/tong-hop.json").read_text(encoding="utf-8"))
    assert list(data) == ["totals"]
    rows = data["totals"]
    assert rows
    for row in rows:
        assert set(row) == TOTAL_KEYS
        assert row["basis"] in ("reported", "computed")
        for key in ("value", "denominator", "cumulative"):
            assert row[key] is None or (isinstance(row[key], int) and not isinstance(row[key], bool)), row
    keyed = {(r["unit"], r["metric"], r["year"]): r for r in rows}
    assert len(keyed) == len(rows)   # one row per unit, metric and year
    money = "tien-ung-ho-phong-chong-covid"
    lao_cai = keyed[("tinh-lao-cai", money, 2020)]
    assert (lao_cai["value"], lao_cai["cumulative"], lao_cai["denominator"], lao_cai["basis"]) == \
        (16_400_000_000, 16_400_000_000, None, "computed")
    yen_bai = keyed[("tinh-yen-bai", money, 2020)]
    assert (yen_bai["value"], yen_bai["cumulative"], yen_bai["basis"]) == (16_400_000_000, 16_400_000_000, "reported")
    assert keyed[("viet-nam", money, 2020)]["value"] == 16_400_000_000     # once, though two paths lead there
    coverage = keyed[("tp-mong-cai", "xa-phuong-kien-toan-khoi-dan-van", 2017)]
    assert (coverage["value"], coverage["denominator"], coverage["cumulative"]) == (17, 17, None)
    stock = keyed[("tinh-yen-bai", "to-tu-quan-tieu-bieu", 2020)]
    assert (stock["value"], stock["cumulative"]) == (1030, None)
    # a record spanning several years: no single year's value, but in the running total
    ranged = keyed[("tp-mong-cai", "nhiem-vu-dat-hang", 2018)]
    assert (ranged["value"], ranged["cumulative"]) == (None, 7)
    # units without data in their subtree have no rows; the split unit's successors have none
    assert not any(r["unit"] in ("phuong-au-lau", "xa-tuy-loc", "huyen-luc-yen") for r in rows)


# --- links ---------------------------------------------------------------------------------------------

def test_every_link_from_figure_pages_resolves(built_sample: Path) -> None:
    pages = figure_pages(built_sample)
    assert "don-vi/tinh-yen-bai/so-lieu/tien-ung-ho-phong-chong-covid/index.html" in pages
    assert "don-vi/tinh-lao-cai/index.html" in pages and "so-lieu/2020/index.html" in pages
    checked = 0
    for rel in pages:
        for href in page(built_sample, rel).xpath("//a/@href"):
            parts = urlsplit(href)
            if parts.scheme or parts.netloc:
                continue
            target, _ = resolve(rel, href)
            assert not target.startswith("../"), (rel, href)
            assert (built_sample / target).is_file(), (rel, href)
            checked += 1
    assert checked > 1000


def test_every_fragment_link_from_figure_pages_has_its_target(built_sample: Path) -> None:
    ids: dict[str, set[str]] = {}
    missing = []
    checked = set()
    for rel in figure_pages(built_sample):
        for href in page(built_sample, rel).xpath("//a/@href"):
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.fragment:
                continue
            target, fragment = resolve(rel, href)
            if target not in ids:
                ids[target] = set(page(built_sample, target).xpath("//@id"))
            if fragment not in ids[target]:
                missing.append((rel, href))
            checked.add((rel, href))
    assert missing == []
    # the loop really met the three kinds of fragment link: skip link, a year of a metric, a unit's figures
    assert {
        ("so-lieu/index.html", "#noi-dung"),
        ("so-lieu/index.html", "../don-vi/viet-nam/so-lieu/tien-ung-ho-phong-chong-covid/#nam-2020"),
        ("don-vi/tinh-lao-cai/so-lieu/cong-trinh-chao-mung-dai-hoi/index.html", "../../../../don-vi/tinh-lao-cai/#so-lieu"),
    } <= checked
