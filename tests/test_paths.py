"""No source can make the build read from or write outside its folders: slugs, ids, links out of
content/, odd media names, links planted in the output."""
from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest

from site_builder.cli import main

from conftest import make_site, news_item

SVG = "<svg xmlns='http://www.w3.org/2000/svg' width='4' height='4'/>"


def run_build(source: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["build", "--source", str(source), "--output", str(out)])
    return code, capsys.readouterr().err.replace(str(source.parent) + "/", "")


def everything(root: Path) -> set[str]:
    """Every path under root, links not followed."""
    found = set()
    for folder, dirs, names in os.walk(root):
        found.update(os.path.relpath(os.path.join(folder, n), root) for n in dirs + names)
    return found


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the site with a file the build must never read nor touch."""
    folder = tmp_path / "ngoai"
    folder.mkdir()
    (folder / "bi-mat.md").write_text(news_item(title="Bí mật"), encoding="utf-8")
    (folder / "bi-mat.svg").write_text(SVG, encoding="utf-8")
    return folder


# --- symbolic links in content/ ------------------------------------------------------------------

@pytest.mark.parametrize("link, target", [
    ("news/bi-mat.md", "bi-mat.md"),  # a news file
    ("media/bi-mat.svg", "bi-mat.svg"),  # a media file
    ("news/ngoai", "."),  # a folder of news
    ("media/ngoai", "."),  # a folder of media
    ("data", "."),  # a whole top-level folder
])
def test_link_out_of_content_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], outside: Path,
                                        link: str, target: str) -> None:
    source = make_site(tmp_path)
    (source / link).parent.mkdir(parents=True, exist_ok=True)
    (source / link).symlink_to(outside / target)
    out = tmp_path / "out"
    code, err = run_build(source, out, capsys)
    assert code == 1
    assert f"content/{link}: Lỗi:" in err and "symlink" in err, err
    assert "Traceback" not in err and not out.exists()


def test_link_out_of_settings_is_never_read(tmp_path: Path, capsys: pytest.CaptureFixture[str], outside: Path) -> None:
    source = make_site(tmp_path)
    secret = outside / "site.yaml"
    secret.write_text((source / "site.yaml").read_text(encoding="utf-8").replace("Bản tin", "BÍ MẬT"), encoding="utf-8")
    (source / "site.yaml").unlink()
    (source / "site.yaml").symlink_to(secret)
    code, err = run_build(source, tmp_path / "out", capsys)
    assert code == 1 and "content/site.yaml: Lỗi:" in err and "BÍ MẬT" not in err


def test_dangling_and_looping_links_are_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = make_site(tmp_path)
    (source / "media").mkdir()
    (source / "media/mat.svg").symlink_to(source / "media/khong-co.svg")
    (source / "media/vong").symlink_to(source / "media/vong")
    code, err = run_build(source, tmp_path / "out", capsys)
    assert code == 1
    assert "content/media/mat.svg: Lỗi:" in err and "content/media/vong: Lỗi:" in err


def test_link_inside_content_is_fine(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = make_site(tmp_path, files={"media/2024/anh.svg": SVG})
    (source / "media/anh-moi.svg").symlink_to(source / "media/2024/anh.svg")
    out = tmp_path / "out"
    code, err = run_build(source, out, capsys)
    assert code == 0, err
    assert (out / "media/anh-moi.svg").read_text(encoding="utf-8") == SVG
    assert not (out / "media/anh-moi.svg").is_symlink()


# --- the output folder -----------------------------------------------------------------------

def test_output_through_a_link_is_built_in_its_target(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = make_site(tmp_path)
    real = tmp_path / "that"
    real.mkdir()
    (tmp_path / "out").symlink_to(real)
    assert run_build(source, tmp_path / "out", capsys)[0] == 0
    assert (tmp_path / "out").is_symlink() and (real / "index.html").is_file()
    (source / "news/2024/hoi-nghi-tong-ket.md").write_text(news_item(title="Đã sửa"), encoding="utf-8")
    assert run_build(source, tmp_path / "out", capsys)[0] == 0
    assert (tmp_path / "out").is_symlink() and "Đã sửa" in (real / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("where", ["content/out", "content/media/out"])
def test_output_inside_content_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str) -> None:
    source = make_site(tmp_path, files={"media/anh.svg": SVG})
    before = everything(source)
    code, err = run_build(source, tmp_path / where, capsys)
    assert code == 2 and "thư mục nguồn" in err
    assert everything(source) == before


def test_output_link_into_content_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = make_site(tmp_path)
    (tmp_path / "out").symlink_to(source)
    before = everything(source)
    code, err = run_build(source, tmp_path / "out", capsys)
    assert code == 2 and "thư mục nguồn" in err
    assert everything(source) == before


def test_links_planted_in_the_output_are_never_written_through(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                              outside: Path) -> None:
    source = make_site(tmp_path, files={"media/anh.svg": SVG})
    out = tmp_path / "out"
    assert run_build(source, out, capsys)[0] == 0
    before = {p: p.read_bytes() for p in outside.iterdir()}
    # someone replaced output/media/ with a link out of the output, then the media changed
    for path in (out / "media").iterdir():
        path.unlink()
    (out / "media").rmdir()
    (out / "media").symlink_to(outside)
    (source / "media/anh.svg").write_text(SVG.replace("4", "5"), encoding="utf-8")
    code, err = run_build(source, out, capsys)
    assert code in (0, 2), err
    assert "Traceback" not in err
    assert {p: p.read_bytes() for p in outside.iterdir()} == before
    if code == 0:
        assert (out / "media/anh.svg").read_text(encoding="utf-8") == SVG.replace("4", "5")


# --- slugs, ids and names --------------------------------------------------------------------

@pytest.mark.parametrize("field, value", [
    ("slug", '"../.."'), ("slug", '"/etc/passwd"'), ("slug", r'"..\\..\\x"'), ("slug", '"a/../../b"'),
    ("category", '"../.."'), ("category", '"/etc"'), ("tags", '["../..", "/tmp/x", "..\\\\.."]'),
])
def test_path_like_values_never_leave_the_output(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 field: str, value: str) -> None:
    source = make_site(tmp_path, news={"news/a.md": news_item(**{field: value})})
    out = tmp_path / "out"
    code, err = run_build(source, out, capsys)
    assert code in (0, 1), err
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != ".cache") == (["content", "out"] if code == 0 else ["content"])
    if code == 1:
        assert "content/news/a.md:" in err
    else:
        assert all(".." not in p.split(os.sep) for p in everything(out))


@pytest.mark.parametrize("slug", ['"../.."', '"/etc/passwd"', '"..\\\\.."', '"tin-tuc"'])
def test_page_slugs_stay_inside(tmp_path: Path, capsys: pytest.CaptureFixture[str], slug: str) -> None:
    page = f'---\ntitle: "Giới thiệu"\nslug: {slug}\n---\n\nNội dung.\n'
    source = make_site(tmp_path, pages={"pages/gioi-thieu.md": page})
    code, err = run_build(source, tmp_path / "out", capsys)
    assert code in (0, 1) and "Traceback" not in err
    if code == 1:
        assert "content/pages/gioi-thieu.md:" in err
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != ".cache") == (["content", "out"] if code == 0 else ["content"])


@pytest.mark.parametrize("unit_id", ["../..", "/etc/passwd", "..\\..", "a/b", "."])
def test_unit_ids_cannot_be_paths(tmp_path: Path, capsys: pytest.CaptureFixture[str], unit_id: str) -> None:
    units = f'- id: viet-nam\n  name: Việt Nam\n  type: quoc-gia\n  children:\n    - id: "{unit_id.replace(chr(92), chr(92) * 2)}"\n      name: Xã X\n      type: xa\n      code: "001"\n'
    source = make_site(tmp_path, news={"news/a.md": news_item(unit="viet-nam")}, units_yaml=units)
    code, err = run_build(source, tmp_path / "out", capsys)
    assert code == 1 and "content/units.yaml:5: Lỗi:" in err, err
    assert not (tmp_path / "out").exists()


# --- media names -----------------------------------------------------------------------------

ODD_NAMES = {
    "space": "anh hoi nghi.svg",
    "vietnamese": "ảnh-hội-nghị.svg",
    "percent": "anh%20x.svg",
    "hash": "anh#1.svg",
    "question": "anh?x=1.svg",
    "quote": "anh\"x'.svg",
    "angle": "<script>.svg",
    "control": "anh\x07x.svg",
    "newline": "anh\nx.svg",
    "long": "a" * 200 + ".svg",
    "leading-dash": "-rf.svg",
}


@pytest.mark.parametrize("name", ODD_NAMES.values(), ids=ODD_NAMES.keys())
@pytest.mark.parametrize("folder", ["media", "data"])
def test_odd_published_names_are_refused_with_a_safe_name(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                          name: str, folder: str) -> None:
    suffix = ".csv" if folder == "data" else ".svg"
    name = name.removesuffix(".svg") + suffix
    data = SVG if folder == "media" else "unit,metric,period,value\n"
    source = make_site(tmp_path, files={f"{folder}/{name}": data})
    code, err = run_build(source, tmp_path / "out", capsys)
    assert code == 1, err
    line = next(line for line in err.splitlines() if "không dùng được trong địa chỉ trang" in line)
    assert line.startswith(f"content/{folder}/")
    hint = err.splitlines()[err.splitlines().index(line) + 1]
    proposed = hint.split('"')[1]
    assert proposed.endswith(suffix) and proposed.isascii() and " " not in proposed and len(proposed) <= 120
    assert not (tmp_path / "out").exists()


def test_names_differing_only_by_normalisation_or_case(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    nfc, nfd = unicodedata.normalize("NFC", "ảnh.svg"), unicodedata.normalize("NFD", "ảnh.svg")
    source = make_site(tmp_path, files={f"media/{nfc}": SVG, f"media/{nfd}": SVG})
    code, err = run_build(source, tmp_path / "out", capsys)
    assert code == 1 and err.count("không dùng được trong địa chỉ trang") == 2
    source = make_site(tmp_path / "hoa", files={"media/Anh.svg": SVG, "media/anh.svg": SVG})
    code, err = run_build(source, tmp_path / "hoa/out", capsys)
    assert code == 1 and "chữ hoa, chữ thường" in err


def test_plain_names_are_published_and_linked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    long_name = "a" * 116 + ".svg"
    body = f"![Ảnh](/media/2024/Anh_1.v2.svg)\n\n![Ảnh dài](media/{long_name})\n"
    source = make_site(tmp_path, news={"news/a.md": news_item(body=body)},
                       files={"media/2024/Anh_1.v2.svg": SVG, f"media/{long_name}": SVG})
    out = tmp_path / "out"
    code, err = run_build(source, out, capsys)
    assert code == 0, err
    article = next(out.glob("tin-tuc/*/*/*/index.html"))
    html = article.read_text(encoding="utf-8")
    for src in ("media/2024/Anh_1.v2.svg", f"media/{long_name}"):
        link = next(part.split('"')[0] for part in html.split('src="')[1:] if part.split('"')[0].endswith(src))
        assert (article.parent / link).resolve() == (out / src).resolve() and (out / src).is_file()
