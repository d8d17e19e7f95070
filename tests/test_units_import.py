"""`site-builder units import`: the unit tree of a province from official data (the
vietnamadminunits package), checked against that package's own tables and address converter, laid
over an existing units.yaml without changing an id or a name the site uses, and built."""
from __future__ import annotations

import random
import re
import shutil
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from conftest import SAMPLE, make_site
from test_totals import METRICS, load_ok, value
from vietnamadminunits import convert_address
from vietnamadminunits.database import get_data

from site_builder.cli.main import main
from site_builder.scaffold.admin_data import admin_data
from site_builder.scaffold.unit_file import import_units
from site_builder.scaffold.unit_import import choose, imported_tree
from site_builder.scaffold.units_yaml import Entry

ID = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)+$")


def tree(*provinces: str) -> list[Entry]:
    chosen, unknown = choose(admin_data(), provinces)
    assert chosen is not None and not unknown
    return imported_tree(admin_data(), chosen)


def by_id(roots: list[Entry]) -> dict[str, Entry]:
    return {e.id: e for r in roots for e in r.walk()}


def official_counts(province: str) -> tuple[int, int, int]:
    """Districts and communes before, communes after, counted in the package's tables directly."""
    legacy = get_data(table="admin_units_legacy")
    current = get_data(table="admin_units")
    before = [r for r in legacy if r["provinceShort"] == province]
    after = [r for r in current if r["provinceShort"] == province]
    return (len({r["districtCode"] for r in before}), len({r["wardCode"] for r in before if r["wardCode"]}),
            len({r["wardCode"] for r in after}))


@pytest.mark.parametrize(("typed", "former", "new", "figures"), [
    ("Yên Bái", "Yên Bái", "Lào Cai", (9, 168, None)),      # merged into another province
    ("lao cai", "Lào Cai", "Lào Cai", (None, None, 99)),    # absorbed Yên Bái: 99 communes since 1/7/2025
    ("Cao Bằng", "Cao Bằng", "Cao Bằng", (10, 161, 56)),    # unchanged: the same territory goes on
])
def test_counts_match_the_official_tables(typed: str, former: str, new: str,
                                          figures: tuple[int | None, int | None, int | None]) -> None:
    roots = tree(typed)
    old_root, new_root = roots[0], roots[-1]
    assert old_root.name.endswith(former) and old_root.valid_to == date(2025, 6, 30)
    assert new_root.name.endswith(new) and new_root.valid_from == date(2025, 7, 1) and new_root.id.endswith("-2025")
    districts = len(old_root.children)
    communes = sum(len(d.children) for d in old_root.children)
    districts_official, communes_official, _ = official_counts(former)
    _, _, after_official = official_counts(new)
    assert (districts, communes, len(new_root.children)) == (districts_official, communes_official, after_official)
    for mine, published in zip((districts, communes, len(new_root.children)), figures, strict=True):
        assert published is None or mine == published
    assert all(c.valid_from == date(2025, 7, 1) for c in new_root.children)
    assert all(d.valid_to == date(2025, 6, 30) and not d.successors for d in old_root.children)  # dissolved
    relation = old_root.successors[0][1]
    assert relation == ("renamed" if former == new == "Cao Bằng" else "merged_into")


@pytest.mark.parametrize("province", ["Yên Bái", "Cao Bằng", "Ninh Thuận"])
def test_where_each_commune_went_agrees_with_the_packages_converter(province: str) -> None:
    """A sample of old→new pairs, asked of the package's own `convert_address`: a commune merged
    whole names its new commune; a split one lists the converter's choice among its parts."""
    roots = tree(province)
    units = by_id(roots)
    communes = [(d, c) for d in roots[0].children for c in d.children]
    rng = random.Random(province)
    for district, commune in rng.sample(communes, 25) + [(d, c) for d, c in communes
                                                         if any(r == "split_into" for _, r in c.successors)]:
        converted = convert_address(f"{commune.name}, {district.name}, {roots[0].name}")
        targets = {units[i].name for i, _ in commune.successors}
        assert converted.ward in targets, (commune.name, converted.ward, targets)
        relations = {r for _, r in commune.successors}
        assert len(relations) == 1 and (relations == {"split_into"}) == (len(commune.successors) > 1)


def test_renamed_only_where_the_new_commune_is_the_same_territory() -> None:
    roots = tree("Cao Bằng")
    successors_of: Counter[str] = Counter()
    for d in roots[0].children:
        for c in d.children:
            for i, _ in c.successors:
                successors_of[i] += 1
    for d in roots[0].children:
        for c in d.children:
            (target, relation), *_ = c.successors
            assert (relation == "renamed") == (successors_of[target] == 1), c.name


def test_ids_are_readable_unique_and_the_same_whatever_else_is_imported() -> None:
    one = by_id(tree("Yên Bái"))
    both = by_id(tree("Tuyên Quang", "Yên Bái"))
    assert all(ID.match(i) for i in both), [i for i in both if not ID.match(i)]
    assert len(both) == sum(1 for r in tree("Tuyên Quang", "Yên Bái") for _ in r.walk())  # unique
    assert {i: (e.name, e.code) for i, e in one.items()} == {i: (both[i].name, both[i].code) for i in one}
    assert all(i.endswith("-2025") == (e.valid_from is not None) for i, e in both.items())
    # codes are reused across the reform: new Lào Cai has old Yên Bái's 15, and ids tell them apart
    assert one["tinh-yen-bai"].code == one["tinh-lao-cai-2025"].code == "15"


def test_an_island_district_goes_on_as_a_special_zone() -> None:
    roots = tree("Quảng Trị")
    island = next(d for d in roots[0].children if d.name == "Huyện Cồn Cỏ")
    assert not island.children and island.successors == [("dac-khu-con-co-2025", "renamed")]


def test_import_into_the_sample_keeps_every_id_and_name_and_builds(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    source = shutil.copytree(SAMPLE, tmp_path / "content")
    units = source / "units.yaml"
    original = units.read_text("utf-8")
    before = {m.group(1) for m in re.finditer(r"- id: (\S+)", original)}
    names = re.findall(r"name: (.+)", original)
    assert main(["units", "import", "--province", "Yên Bái", "--source", str(source), "--dry-run"]) == 0
    out, err = capsys.readouterr()
    assert units.read_text("utf-8") == original  # a dry run writes nothing
    assert "Chạy thử (không thay đổi gì)" in err and out.startswith("--- ") and "+            - id: xa-minh-bao" in out
    assert main(["units", "import", "--province", "Yên Bái", "--source", str(source)]) == 0
    out, err = capsys.readouterr()
    assert "thêm 253 đơn vị" in err and "giữ nguyên mã và tên" in err
    after = units.read_text("utf-8")
    assert before <= {m.group(1) for m in re.finditer(r"- id: (\S+)", after)}
    assert Counter(names) - Counter(re.findall(r"name: (.+)", after)) == Counter()
    assert '"04375"' in after  # codes filled in, quoted
    assert main(["units", "import", "--province", "Yên Bái", "--source", str(source)]) == 0
    assert "không có gì thay đổi" in capsys.readouterr().err
    assert main(["build", "--source", str(source), "--output", str(tmp_path / "out")]) == 0, capsys.readouterr().err
    assert (tmp_path / "out/don-vi/xa-minh-bao/index.html").is_file()
    assert (tmp_path / "out/don-vi/xa-mau-a/index.html").is_file()  # the sample's own id, kept


def test_a_split_communes_figures_stay_with_it(tmp_path: Path) -> None:
    roots = tree("Ninh Thuận")
    split = next(c for d in roots[0].children for c in d.children if c.successors[0][1] == "split_into")
    text = import_units(["Ninh Thuận"], tmp_path / "none.yaml").after
    csv = f"unit,metric,period,value\n{split.id},cuoc-giam-sat,2020,9\n"
    totals = load_ok(make_site(tmp_path, news={}, units_yaml=text,
                               files={"metrics.yaml": METRICS, "data/a.csv": csv})).totals
    assert value(totals.cumulative(split.id, "cuoc-giam-sat", date(2025, 12, 31))) == 9
    for part, _ in split.successors:
        assert totals.cumulative(part, "cuoc-giam-sat", date(2025, 12, 31)) is None, part


@pytest.mark.parametrize(("argv", "said"), [
    (["--province", "Yen Bay"], "Có phải: Yên Bái?"),
    (["--province", "Atlantis"], "không tìm thấy tỉnh, thành phố \"Atlantis\""),
])
def test_an_unknown_province_is_said_in_vietnamese(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                   argv: list[str], said: str) -> None:
    assert main(["units", "import", *argv, "--to", str(tmp_path / "units.yaml")]) == 2
    assert said in capsys.readouterr().err and not (tmp_path / "units.yaml").exists()


def test_a_broken_units_yaml_is_reported_and_left_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "units.yaml"
    target.write_text("- id: viet-nam\n  name: Việt Nam\n  type: quoc-gia\n  children:\n    - id: x\n      name: [\n", "utf-8")
    assert main(["units", "import", "--province", "Cao Bằng", "--to", str(target)]) == 1
    err = capsys.readouterr().err
    assert f"{target}:" in err and "Lỗi:" in err and "Chưa nhập gì" in err and "Traceback" not in err
    assert target.read_text("utf-8").endswith("name: [\n")


def test_a_write_that_fails_leaves_the_old_file_and_no_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """A full disk at the swap: the old units.yaml stays, nothing half-written is left beside it."""
    import errno
    import os
    target = tmp_path / "units.yaml"
    target.write_text("- id: viet-nam\n  name: Việt Nam\n  type: quoc-gia\n", "utf-8")

    def full(*_: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(os, "replace", full)
    assert main(["units", "import", "--province", "Cao Bằng", "--to", str(target)]) == 1
    err = capsys.readouterr().err
    assert "không ghi được tệp" in err and "Traceback" not in err
    assert target.read_text("utf-8") == "- id: viet-nam\n  name: Việt Nam\n  type: quoc-gia\n"
    assert [p.name for p in tmp_path.iterdir()] == ["units.yaml"]
