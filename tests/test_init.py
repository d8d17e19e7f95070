"""`site-builder init`: a new site for a province builds at once, `check --strict` lists what is
still to fill in (and passes once it is), the CI workflows run the commands a build needs with
the cache kept, and a refused init leaves nothing behind."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from conftest import SAMPLE

from site_builder.cli.main import main

PLACEHOLDERS = ("name", "governing_body", "address", "phone", "email", "responsible")


@pytest.fixture(scope="module")
def new_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("init") / "ban-tin"
    assert main(["init", str(folder), "--province", "Yên Bái"]) == 0
    return folder


def test_the_new_site_holds_what_a_province_needs(new_site: Path) -> None:
    files = {p.relative_to(new_site).as_posix() for p in new_site.rglob("*") if p.is_file()}
    assert {"content/site.yaml", "content/units.yaml", "content/metrics.yaml", "content/pages/gioi-thieu.md",
            "content/pages/lien-he.md", ".gitignore", ".github/workflows/ban-tin.yml", ".gitlab-ci.yml",
            "README.md"} <= files
    assert any(re.fullmatch(r"content/news/\d{4}/ra-mat-trang-ban-tin\.md", f) for f in files)
    assert (new_site / ".gitignore").read_text("utf-8").splitlines()[1:] == ["output/", ".cache/"]
    units = (new_site / "content/units.yaml").read_text("utf-8")
    assert "- id: tinh-yen-bai\n" in units and "- id: tinh-lao-cai-2025\n" in units
    welcome = next((new_site / "content/news").rglob("*.md")).read_text("utf-8")
    assert "unit: tinh-lao-cai-2025" in welcome and "tỉnh Lào Cai" in welcome
    # the standard catalogue is the sample's, metric for metric
    ours = (new_site / "content/metrics.yaml").read_text("utf-8").splitlines()[1:]
    assert ours == (SAMPLE / "metrics.yaml").read_text("utf-8").splitlines()[1:]


def test_it_builds_at_once_and_strict_check_lists_what_to_fill_in(new_site: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(new_site)
    assert main(["build"]) == 0, capsys.readouterr().err
    assert (new_site / "output/don-vi/tinh-lao-cai-2025/index.html").is_file()
    assert (new_site / "output/don-vi/xa-minh-bao/index.html").is_file()
    capsys.readouterr()
    assert main(["check", "--strict"]) == 1
    err = capsys.readouterr().err
    for key in PLACEHOLDERS:
        assert re.search(rf'content/site\.yaml:\d+: Cảnh báo: mục "organisation\.{key}" chưa điền', err), key
    assert 'base_url "https://ban-tin.example/" vẫn là địa chỉ mẫu' in err
    settings = new_site / "content/site.yaml"
    text = settings.read_text("utf-8")
    filled = re.sub(r'"\[Cần điền: [^]]*\]"', "Ủy ban MTTQ Việt Nam tỉnh Lào Cai", text)
    settings.write_text(filled.replace("https://ban-tin.example/", "https://mattran.laocai.gov.vn/"), "utf-8")
    try:
        assert main(["check", "--strict"]) == 0, capsys.readouterr().err
    finally:
        settings.write_text(text, "utf-8")


def test_the_ci_workflows_check_build_with_the_cache_kept_and_deploy(new_site: Path) -> None:
    github = yaml.safe_load((new_site / ".github/workflows/ban-tin.yml").read_text("utf-8"))
    steps = github["jobs"]["ban-tin"]["steps"]
    runs = [s["run"] for s in steps if "run" in s]
    assert runs == ['python -m pip install "$SITE_BUILDER"', "site-builder check --strict", "site-builder build",
                    "site-builder deploy"]
    cache = next(s for s in steps if s.get("uses", "").startswith("actions/cache@"))
    assert cache["with"]["path"] == ".cache/site-builder"
    assert github["env"]["SITE_BUILDER"].startswith("site-builder")
    gitlab = yaml.safe_load((new_site / ".gitlab-ci.yml").read_text("utf-8"))
    assert gitlab["ban-tin"]["cache"]["paths"] == [".cache/site-builder/"]
    assert gitlab["ban-tin"]["script"] == runs
    for text in ((new_site / ".github/workflows/ban-tin.yml").read_text("utf-8"),
                 (new_site / ".gitlab-ci.yml").read_text("utf-8")):
        assert "AWS_SECRET_ACCESS_KEY:" not in text or "secrets.AWS_SECRET_ACCESS_KEY" in text  # never a key itself


def test_a_folder_with_content_is_refused_and_left_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site/ghi-chu.txt").write_text("của tôi", "utf-8")
    assert main(["init", str(tmp_path / "site"), "--province", "Cao Bằng"]) == 2
    assert "thư mục đã có nội dung; chưa tạo gì" in capsys.readouterr().err
    assert [p.name for p in (tmp_path / "site").iterdir()] == ["ghi-chu.txt"]


def test_an_unknown_province_makes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", str(tmp_path / "moi"), "--province", "Yen Bay"]) == 2
    assert "Có phải: Yên Bái?" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []  # no folder, no staging left behind
