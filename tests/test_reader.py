"""What a reader sees, said so it cannot be misread: the year a year-to-date total starts, and
former units told apart from today's units of the same name."""
from __future__ import annotations

import textwrap
from pathlib import Path

import lxml.etree
import lxml.html
import pytest
from conftest import NOW, make_site, news_item

from site_builder.base.errors import BuildFailed
from site_builder.build.builder import build, check

METRICS_YAML = textwrap.dedent("""\
    - id: cuoc-giam-sat
      label: Cuộc giám sát
      unit: cuộc
      kind: flow
    """)
DATA_CSV = textwrap.dedent("""\
    unit,metric,period,value
    xa-c,cuoc-giam-sat,2020,5
    xa-c,cuoc-giam-sat,2021-Q1,3
    """)


def _cells(page: Path, label: str) -> list[str]:
    """The text of each cell in the headline table row of metric `label`."""
    doc = lxml.html.fromstring(page.read_bytes())
    rows = [r for r in doc.xpath("//table[contains(@class, 'figures')]//tr") if r.xpath(f"th[.//text()='{label}']")]
    assert len(rows) == 1, page
    return [" ".join(" ".join(c.itertext()).split()) for c in rows[0].xpath("td")]


def test_year_to_date_names_its_year(tmp_path: Path) -> None:
    source = make_site(tmp_path, files={"metrics.yaml": METRICS_YAML, "data/2021.csv": DATA_CSV})
    output = tmp_path / "output"
    assert not build(source, output, now=NOW).problems.errors
    assert _cells(output / "don-vi/xa-c/index.html", "Cuộc giám sát")[:2] == [
        "8 cuộc đến 31/03/2021", "3 cuộc từ đầu năm 2021"]
    doc = lxml.html.fromstring((output / "don-vi/xa-c/so-lieu/cuoc-giam-sat/index.html").read_bytes())
    assert "Lũy kế từ đầu năm 2021:" in [dt.text_content() for dt in doc.iter("dt")]


BODY_LINE = 7  # the file line of the body in `news_item`


@pytest.mark.parametrize("body, message", [
    ("<img src=x onerror=alert(1)>", 'ảnh "x" nằm ngoài thư mục media của trang.'),
    ('<img src="anh.png" alt="Hội nghị">', 'ảnh "anh.png" nằm ngoài thư mục media của trang.'),
    ('<img src="../media/a.png" alt="Hội nghị">', 'ảnh "../media/a.png" nằm ngoài thư mục media của trang.'),
    ("![Hội nghị](khac/anh.png)", 'ảnh "khac/anh.png" nằm ngoài thư mục media của trang.'),
    ('<img src="/media/khong-co.png" alt="Hội nghị">', 'không tìm thấy ảnh "/media/khong-co.png".'),
    ('<img src="../../../../media/khong-co.png" alt="Hội nghị">',           # from tin-tuc/2024/05/<slug>/
     'không tìm thấy ảnh "../../../../media/khong-co.png".'),
    ("![Hội nghị](../../../../../media/a.png)", 'ảnh "../../../../../media/a.png" nằm ngoài thư mục media của trang.'),
    ('<p>Ảnh:<br><img alt="Hội nghị" src="media/2024/khong-co.png"></p>', 'không tìm thấy ảnh "media/2024/khong-co.png".'),
])
def test_an_image_that_is_not_a_file_of_the_site_is_refused(tmp_path: Path, body: str, message: str) -> None:
    """What is left of `<img src=x onerror=…>`, or any image not in media/, would be a broken image:
    refused as a missing Markdown image is, at its line, by build and check alike."""
    source = make_site(tmp_path, news={"news/2024/a.md": news_item(body=body + "\n")})
    for run in (lambda: build(source, tmp_path / "output", now=NOW), lambda: check(source, now=NOW)):
        with pytest.raises(BuildFailed) as failed:
            run()
        assert [(e.path, e.line, e.message) for e in failed.value.problems.errors] == [
            ("content/news/2024/a.md", BODY_LINE, message)]
    assert not (tmp_path / "output").exists()


# Two units named "Xã Đông Cuông": the one before 1/7/2025, merged whole into the one after it.
NAMESAKE_UNITS = textwrap.dedent("""\
    - id: viet-nam
      name: Việt Nam
      type: quoc-gia
      children:
        - id: tinh-a
          name: Tỉnh A
          type: tinh
          code: "01"
          children:
            - id: xa-dong-cuong-cu
              name: Xã Đông Cuông
              type: xa
              code: "00004"
              valid_to: 2025-06-30
              successors:
                - {id: xa-dong-cuong, relation: merged_into}
            - id: xa-dong-cuong
              name: Xã Đông Cuông
              type: xa
              code: "00005"
              valid_from: 2025-07-01
            - id: xa-c
              name: Xã C
              type: xa
              code: "00003"
    """)
FORMER = "Xã Đông Cuông (đến 30/6/2025)"
TODAY = "Xã Đông Cuông"
NAMESAKE_DATA = textwrap.dedent("""\
    unit,metric,period,value
    xa-dong-cuong-cu,cuoc-giam-sat,2025-Q1,4
    xa-dong-cuong,cuoc-giam-sat,2025-Q4,6
    """)


def _texts(doc: lxml.html.HtmlElement, xpath: str) -> list[str]:
    return [" ".join(e.text_content().split()) for e in doc.xpath(xpath)]


def test_namesakes_of_two_eras_are_told_apart(tmp_path: Path) -> None:
    source = make_site(tmp_path, units_yaml=NAMESAKE_UNITS, news={
        "news/2024/cu.md": news_item(title="Tin xã cũ", unit="xa-dong-cuong-cu"),
        "news/2025/moi.md": news_item(title="Tin xã mới", date="2025-08-01 08:00", unit="xa-dong-cuong"),
    }, files={"metrics.yaml": METRICS_YAML, "data/2025.csv": NAMESAKE_DATA})
    output = tmp_path / "output"
    assert not build(source, output, now=NOW).problems.errors

    def page(path: str) -> lxml.html.HtmlElement:
        return lxml.html.fromstring((output / path / "index.html").read_bytes())

    former = page("don-vi/xa-dong-cuong-cu/")
    assert _texts(former, "//h1") == [FORMER]
    assert _texts(former, "/html/head/title") == [f"{FORMER} – Bản tin thử nghiệm"]
    assert _texts(former, "//dt[.='Tình trạng:']/following-sibling::dd") == [f"Đơn vị cũ Nhập toàn bộ vào {TODAY}"]
    today = page("don-vi/xa-dong-cuong/")
    assert _texts(today, "//h1") == [TODAY]
    assert _texts(today, "//section[@aria-labelledby='truoc-sap-xep']//li/a") == [FORMER]
    # the tree: today's unit, then the former one with its successor link
    assert _texts(page("don-vi/"), "//ul[@class='tree']//a[contains(., 'Đông Cuông')]") == [TODAY, FORMER, TODAY]
    assert _texts(page("tin-tuc/2024/05/tin-xa-cu/"), "//*[@data-pagefind-meta='place']") == [FORMER]
    assert _texts(page("tin-tuc/2025/08/tin-xa-moi/"), "//*[@data-pagefind-meta='place']") == [TODAY]
    assert _texts(page("so-lieu/2025/"), "//tbody/tr/th[contains(., 'Đông Cuông')]") == [TODAY, FORMER]
    feed = lxml.etree.fromstring((output / "don-vi/xa-dong-cuong-cu/feed.xml").read_bytes())
    assert feed.findtext("{http://www.w3.org/2005/Atom}title") == FORMER
    options = _texts(page("tim-kiem/"), "//select[@id='don-vi']/option[contains(., 'Đông Cuông')]")
    assert options == [f"— — {TODAY}", f"— — {FORMER}"]
