"""No source can make the build read from or write outside its folders: slugs, ids, links out of
content/, odd media names, links planted in the output."""
from __future__ import annotations

import os
import re
import shutil
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import make_site, news_item

from site_builder.build import builder as build_module
from site_builder.cli.main import main
from site_builder.plan.pages import RESERVED, RESERVED_FILES, RESERVED_FOLDERS, CopiedFile, GeneratedFile, PlannedPage
from site_builder.render.environment import PACKAGE_THEMES
from site_builder.write.in_place import write_many_in_place
from site_builder.write.output import UnsafePath, safe_relative
from site_builder.write.staging import OutputWriter

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


def _own_theme(tmp_path: Path) -> Path:
    """A copy of the default theme beside the sources, where the build looks first."""
    theme = tmp_path / "themes/default"
    shutil.copytree(PACKAGE_THEMES / "default", theme)
    return theme


@pytest.mark.parametrize("link, target", [
    ("static/bi-mat.svg", "bi-mat.svg"),  # a file
    ("static/.an.svg", "bi-mat.svg"),  # a hidden one: copied like the others
    ("static/anh/bi-mat.svg", "bi-mat.svg"),  # deeper
    ("static/ngoai", "."),  # a folder
    ("static/mat.svg", "khong-co.svg"),  # nowhere
])
def test_link_out_of_the_theme_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], outside: Path,
                                          link: str, target: str) -> None:
    source = make_site(tmp_path)
    theme = _own_theme(tmp_path)
    (theme / link).parent.mkdir(parents=True, exist_ok=True)
    (theme / link).symlink_to(outside / target)
    out = tmp_path / "out"
    code, err = run_build(source, out, capsys)
    assert code == 1, err
    assert f'themes/default/{link}: Lỗi: "{link.rsplit("/", 1)[1]}" là liên kết (symlink) trỏ ra ngoài thư mục giao diện' in err, err
    assert "Hãy chép tệp hoặc thư mục thật vào đây" in err and "Traceback" not in err
    assert not out.exists()


def test_theme_static_folder_linked_out_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                   outside: Path) -> None:
    source = make_site(tmp_path)
    theme = _own_theme(tmp_path)
    shutil.copytree(theme / "static", outside / "static")
    shutil.rmtree(theme / "static")
    (theme / "static").symlink_to(outside / "static")
    code, err = run_build(source, tmp_path / "out", capsys)
    assert code == 1 and "themes/default/static: Lỗi:" in err and "thư mục giao diện" in err, err
    assert not (tmp_path / "out").exists()


def test_link_inside_the_theme_is_fine(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = make_site(tmp_path)
    theme = _own_theme(tmp_path)
    (theme / "hinh").mkdir()
    (theme / "hinh/logo.svg").write_text(SVG, encoding="utf-8")
    (theme / "static/logo.svg").symlink_to("../hinh/logo.svg")
    out = tmp_path / "out"
    code, err = run_build(source, out, capsys)
    assert code == 0, err
    assert (out / "static/logo.svg").read_text(encoding="utf-8") == SVG and not (out / "static/logo.svg").is_symlink()
    assert (out / "static/style.css").is_file()


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
    # a small change is written in place, where the link is found and refused (the link stays)
    assert code == 2, err
    assert err.startswith("Lỗi: thư mục kết quả out có liên kết (symlink) trỏ ra ngoài nó, trên đường dẫn media/anh.svg.")
    assert {p: p.read_bytes() for p in outside.iterdir()} == before
    assert (out / "media").readlink() == outside


# --- output paths: the last check before writing -----------------------------------------------

@pytest.mark.parametrize("rel", ["/x", "a/../b", "a//b", "a\\b", "a\x00b", "", "..", "./x", "a/.", "a/", "../x",
                                 "tin-tuc/../../x"])
def test_safe_relative_refuses_all_but_plain_relative_paths(rel: str) -> None:
    with pytest.raises(UnsafePath):
        safe_relative(rel)


@pytest.mark.parametrize("rel", ["index.html", "tin-tuc/2024/05/a/index.html", "static/.htaccess", "a..b/c...d",
                                 "~/x", "media/anh-1.v2.svg"])
def test_safe_relative_keeps_plain_paths_as_written(rel: str) -> None:
    assert safe_relative(rel).as_posix() == rel


def test_writers_refuse_paths_out_of_the_output(tmp_path: Path, outside: Path) -> None:
    before = everything(tmp_path)
    writer = OutputWriter(tmp_path / "out")
    writer.begin()
    for rel in ("../ngoai/x.md", str(outside / "x.md"), "a/../../ngoai/x.md"):
        with pytest.raises(UnsafePath):
            writer.put(rel, b"x")
        with pytest.raises(UnsafePath):
            write_many_in_place(tmp_path / "out", [("index.html", b"x"), (rel, b"x")])
    writer.abort()
    assert everything(tmp_path) == before  # not even the harmless first file of the batch


def _files(root: Path) -> dict[str, bytes]:
    return {p: (root / p).read_bytes() for p in everything(root) if (root / p).is_file()}


@pytest.mark.parametrize("kind", ["copied", "generated", "page"])
@pytest.mark.parametrize("path", ["../ngoai/chen.md", "tin-tuc/../../ngoai/chen.md", "{abs}/chen.md",
                                  "..\\ngoai\\chen.md", "tin-tuc/./chen.md"])
def test_a_planned_path_out_of_the_output_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch, outside: Path,
                                                     kind: str, path: str) -> None:
    """Whatever makes the plan (a bug, a future page kind), a path that is not plainly inside the
    output stops the build before anything is written; the previous output stays as it was."""
    source = make_site(tmp_path)
    out = tmp_path / "out"
    assert run_build(source, out, capsys)[0] == 0
    path = path.replace("{abs}", str(outside))
    origin = "news/2024/hoi-nghi-tong-ket.md"
    crafted = {"copied": CopiedFile(path, source / origin, frozenset({origin}), origin),
               "generated": GeneratedFile(path, lambda: b"chen", frozenset({origin}), origin),
               "page": PlannedPage(path, "404.html", {"url": path}, frozenset({origin}), origin)}[kind]
    real = build_module.plan_pages
    monkeypatch.setattr(build_module, "plan_pages", lambda *args, **kw: [*real(*args, **kw), crafted])
    (source / origin).write_text(news_item(title="Đã sửa"), encoding="utf-8")  # or "nothing changed" skips planning
    output_before, around_before = _files(out), _around(tmp_path)
    code, err = run_build(source, out, capsys)
    assert code == 1, err
    shown = path.replace(str(tmp_path) + "/", "")  # as run_build shows paths, relative to tmp_path
    assert f'content/{origin}: Lỗi: đường dẫn "{shown}" nằm ngoài thư mục kết quả.' in err, err
    assert "Hãy đổi tên tệp hoặc slug" in err and "Traceback" not in err
    assert _files(out) == output_before
    assert _around(tmp_path) == around_before
    assert sorted(p.name for p in outside.iterdir()) == ["bi-mat.md", "bi-mat.svg"]


# --- slugs, ids and names --------------------------------------------------------------------
#
# Decisions. A `slug` is a piece of an address, so one written as a path ("/etc/passwd",
# "../x", "a\b") is refused with the slug to write instead. A category or a tag is a name
# ("Văn hóa/Xã hội" is a fair one), so a "/" in it is folded into its slug: the page lands at the
# pinned slug inside its folder. A name or slug with no letter or digit left ("..", "~") is
# refused. Unit and metric ids must already be slugs. In every case nothing appears outside the output folder.

ABS = "{abs}"  # an absolute path to the sentinel folder beside the output, filled in by the test
DEEP = "../" * 12 + "x"


def ascii_slug(path: str) -> str:
    """The slug of a plain ASCII path by the rule DESIGN.md states (lower case, every run of other
    characters one "-"), written here so that the expected value does not come from `slugify`."""
    assert path.isascii(), path
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")


def _expect_refused(code: int, err: str, place: str, what: str, hint: str | None = None) -> None:
    """`place: Lỗi: ...what...`, and `hint` on the next line, with exit 1 and no traceback."""
    lines = err.splitlines()
    found = [i for i, line in enumerate(lines) if line.startswith(place + " Lỗi:") and what in line]
    assert code == 1 and found, err
    if hint is not None:
        assert hint in lines[found[0] + 1], err
    assert "Traceback" not in err


def _around(tmp_path: Path) -> set[str]:
    """What lies beside the output (the sentinel folders, HOME, the sources): must not change."""
    return {p for p in everything(tmp_path) if p.split(os.sep)[0] not in ("out", ".cache")}


def _build_beside(source: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Build `source` into `out` (both in one tmp_path): no traceback, and nothing beside the
    output changed."""
    before = _around(out.parent)
    code, err = run_build(source, out, capsys)
    assert "Traceback" not in err
    assert _around(out.parent) == before
    return code, err


@pytest.fixture
def around(tmp_path: Path, outside: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A HOME beside the output (for "~"), and a check after the test that nothing appeared in the sentinel folder, HOME, the folder
    holding tmp_path, or where the deepest climb would land (/x)."""
    home = tmp_path / "nha"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    above, root_x = set(os.listdir(tmp_path.parent)), os.path.lexists("/x")
    yield tmp_path
    assert os.listdir(home) == []
    assert sorted(os.listdir(outside)) == ["bi-mat.md", "bi-mat.svg"]
    assert set(os.listdir(tmp_path.parent)) <= above | {tmp_path.name} and os.path.lexists("/x") == root_x


NEWS_VALUES = [
    # slug: aimed at the sentinel from out/tin-tuc/2024/05/, deeper, absolute, home, backslashes
    ("slug", '"../../../../ngoai/x"', ("path", "ngoai-x")),
    ("slug", f'"{DEEP}"', ("path", "x")),
    ("slug", '"/etc/passwd"', ("path", "etc-passwd")),
    ("slug", f'"{ABS}/x"', ("path", None)),
    ("slug", '"~/x"', ("path", "x")),
    ("slug", r'"..\\..\\..\\..\\ngoai\\x"', ("path", "ngoai-x")),
    ("slug", '"a/../../b"', ("path", "a-b")),
    ("slug", '".."', ("refused", 'slug ".." không tạo được đường dẫn')),
    ("slug", '"~"', ("refused", 'slug "~" không tạo được đường dẫn')),
    ("slug", '"a\\0b"', ("published", "tin-tuc/2024/05/a-b/index.html")),
    # categories and tags are names: folded into a slug inside chuyen-muc/ and the/
    ("category", '"../../../ngoai/x"', ("published", "chuyen-muc/ngoai-x/index.html")),
    ("category", f'"{DEEP}"', ("published", "chuyen-muc/x/index.html")),
    ("category", '"/etc"', ("published", "chuyen-muc/etc/index.html")),
    ("category", f'"{ABS}"', ("published", "chuyen-muc/{abs-slug}/index.html")),
    ("category", r'"..\\..\\..\\ngoai"', ("published", "chuyen-muc/ngoai/index.html")),
    ("category", '".."', ("refused", 'chuyên mục ".." không tạo được đường dẫn')),
    ("category", '"~"', ("refused", 'chuyên mục "~" không tạo được đường dẫn')),
    ("tags", '["../../../ngoai/x"]', ("published", "the/ngoai-x/index.html")),
    ("tags", f'["{DEEP}", "/tmp/x"]', ("published", "the/x/index.html", "the/tmp-x/index.html")),
    ("tags", f'["{ABS}", "~/x"]', ("published", "the/{abs-slug}/index.html", "the/x/index.html")),
    ("tags", '["..\\\\..\\\\ngoai", "a\\0b"]', ("published", "the/ngoai/index.html", "the/a-b/index.html")),
    ("tags", '["..", "~"]', ("refused", 'thẻ ".." không tạo được đường dẫn', 'thẻ "~" không tạo được đường dẫn')),
]


@pytest.mark.parametrize("field, value, outcome", NEWS_VALUES)
def test_path_like_values_never_leave_the_output(tmp_path: Path, capsys: pytest.CaptureFixture[str], around: Path,
                                                 outside: Path, field: str, value: str,
                                                 outcome: tuple[str | None, ...]) -> None:
    value = value.replace(ABS, str(outside))
    abs_slug = ascii_slug(str(outside))
    out = tmp_path / "out"
    code, err = _build_beside(make_site(tmp_path, news={"news/a.md": news_item(**{field: value})}), out, capsys)
    kind, *expected = outcome
    if kind == "published":
        assert code == 0, err
        for rel in expected:
            assert (out / rel.replace("{abs-slug}", abs_slug)).is_file(), sorted(everything(out))
        assert not any((out / p).is_symlink() for p in everything(out))
    elif kind == "refused":
        for what in expected:
            _expect_refused(code, err, "content/news/a.md:5:", what)
        assert not out.exists()
    else:  # a slug written as a path: refused, with the slug to write instead
        suggestion = expected[0] or ascii_slug(value.strip('"'))
        _expect_refused(code, err, "content/news/a.md:5:", "slug", f'"{suggestion}"')
        assert not out.exists()


PAGE = '---\ntitle: "Giới thiệu"\nslug: {slug}\n---\n\nNội dung.\n'


@pytest.mark.parametrize("slug, outcome", [
    ('"../ngoai/x"', ("path", "ngoai-x")),  # aimed at the sentinel from out/
    (f'"{DEEP}"', ("path", "x")),
    ('"/etc/passwd"', ("path", "etc-passwd")),
    (f'"{ABS}/x"', ("path", None)),
    ('"~/x"', ("path", "x")),
    (r'"..\\ngoai\\x"', ("path", "ngoai-x")),
    ('"..\\\\.."', ("refused", 3, "trang không tạo được đường dẫn")),
    ('"~"', ("refused", 3, "trang không tạo được đường dẫn")),
    ('"tin-tuc"', ("refused", 1, 'đường dẫn "tin-tuc/" của trang trùng với một thư mục site-builder tự tạo')),
    ('"Pagefind"', ("refused", 1, 'đường dẫn "pagefind/" của trang trùng với một thư mục site-builder tự tạo')),
    ('"a\\0b"', ("published", "a-b/index.html")),
    ('"Giới thiệu chung"', ("published", "gioi-thieu-chung/index.html")),
])
def test_page_slugs_stay_inside(tmp_path: Path, capsys: pytest.CaptureFixture[str], around: Path, outside: Path,
                                slug: str, outcome: tuple[str | int | None, ...]) -> None:
    slug = slug.replace(ABS, str(outside))
    out = tmp_path / "out"
    code, err = _build_beside(make_site(tmp_path, pages={"pages/gioi-thieu.md": PAGE.format(slug=slug)}), out, capsys)
    kind, *expected = outcome
    if kind == "published":
        assert code == 0, err
        assert (out / str(expected[0])).is_file()
    elif kind == "refused":
        line, what = expected
        _expect_refused(code, err, f"content/pages/gioi-thieu.md:{line}:", str(what), 'slug: "')
        assert not out.exists()
    else:
        suggestion = expected[0] or ascii_slug(slug.strip('"'))
        _expect_refused(code, err, "content/pages/gioi-thieu.md:3:", "slug", f'"{suggestion}"')
        assert not out.exists()


def test_every_top_level_name_the_build_writes_is_reserved(tmp_path: Path) -> None:
    """A page slugged like a folder the build writes would land inside it: all are reserved."""
    from conftest import NOW, SAMPLE

    from site_builder.build.builder import Builder
    source = tmp_path / "content"
    shutil.copytree(SAMPLE, source)
    _, planned = Builder(source, tmp_path / "out", use_cache=False).plan(NOW)
    tops = {entry.path.split("/")[0] for entry in planned
            if not (isinstance(entry, PlannedPage) and "page" in entry.context)}  # but the pages' own
    assert {"pagefind", "static", "media", "so-lieu", "tin-tuc"} <= tops  # the sample site has them all
    assert tops <= RESERVED, tops - RESERVED
    assert RESERVED_FOLDERS | RESERVED_FILES == RESERVED


@pytest.mark.parametrize("name", sorted(RESERVED_FOLDERS))
def test_a_page_slugged_like_a_folder_of_the_build_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                              name: str) -> None:
    source = make_site(tmp_path, pages={f"pages/{name}.md": '---\ntitle: "Trang"\n---\n\nNội dung.\n'})
    code, err = run_build(source, tmp_path / "out", capsys)
    _expect_refused(code, err, f"content/pages/{name}.md:1:", f'đường dẫn "{name}/" của trang trùng',
                    f'slug: "trang-{name}"')
    assert not (tmp_path / "out").exists()


UNIT_IDS = ['"../.."', '"/etc/passwd"', r'"..\\.."', '"a/b"', '"."', f'"{DEEP}"', f'"{ABS}"', '"~"', '"~/x"',
            '"a\\0b"', '".hidden"']


@pytest.mark.parametrize("unit_id", UNIT_IDS)
def test_unit_ids_cannot_be_paths(tmp_path: Path, capsys: pytest.CaptureFixture[str], around: Path, outside: Path,
                                  unit_id: str) -> None:
    unit_id = unit_id.replace(ABS, str(outside))
    units = f'- id: viet-nam\n  name: Việt Nam\n  type: quoc-gia\n  children:\n    - id: {unit_id}\n      name: Xã X\n      type: xa\n      code: "001"\n'
    source = make_site(tmp_path, news={"news/a.md": news_item(unit="viet-nam")}, units_yaml=units)
    code, err = run_build(source, tmp_path / "out", capsys)
    _expect_refused(code, err, "content/units.yaml:5:", "mã đơn vị", "Mã chỉ gồm chữ thường không dấu")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("metric_id", UNIT_IDS)
def test_metric_ids_cannot_be_paths(tmp_path: Path, capsys: pytest.CaptureFixture[str], around: Path, outside: Path,
                                    metric_id: str) -> None:
    metric_id = metric_id.replace(ABS, str(outside))
    metrics = f"- id: cuoc-giam-sat\n  label: Cuộc giám sát\n  unit: cuộc\n  kind: flow\n- id: {metric_id}\n  label: X\n  unit: cuộc\n  kind: flow\n"
    source = make_site(tmp_path, files={"metrics.yaml": metrics})
    code, err = run_build(source, tmp_path / "out", capsys)
    _expect_refused(code, err, "content/metrics.yaml:5:", "mã chỉ tiêu", "Mã chỉ gồm chữ thường không dấu")
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
