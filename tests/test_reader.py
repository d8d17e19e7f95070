"""What a reader sees, said so it cannot be misread: the year a year-to-date total starts, and
former units told apart from today's units of the same name."""
from __future__ import annotations

import textwrap
from pathlib import Path

import lxml.html

from site_builder.build import build

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
