"""What a reader sees, said so it cannot be misread: the year a year-to-date total starts, and
former units told apart from today's units of the same name."""
from __future__ import annotations

import textwrap
from pathlib import Path

import lxml.html
import pytest

from site_builder.build import build, check
from site_builder.errors import BuildFailed

from conftest import NOW, make_site, news_item

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
