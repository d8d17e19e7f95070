"""`pip install .` (not editable) and a built wheel work: the default theme ships inside the
package, and the sample site builds from a wheel installed in a fresh venv, run from a folder
with no checkout beside it; so does a site made there by `init`."""
from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import REPO, SAMPLE

SHIPPED = ("site_builder", "themes", "pyproject.toml", "README.md")


def _pip(*args: str, python: str = sys.executable) -> None:
    proc = subprocess.run([python, "-m", "pip", *args], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_sample_builds_from_an_installed_wheel(tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    for name in SHIPPED:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, checkout / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            checkout.mkdir(exist_ok=True)
            shutil.copy2(source, checkout / name)
    dist = tmp_path / "dist"
    _pip("wheel", str(checkout), "-w", str(dist), "--no-deps", "-q")
    [wheel] = dist.glob("site_builder-*.whl")

    # every file of the theme is in the wheel, under the package
    theme_files = {p.relative_to(REPO / "themes").as_posix() for p in (REPO / "themes").rglob("*") if p.is_file()}
    with zipfile.ZipFile(wheel) as archive:
        shipped = {n.removeprefix("site_builder/themes/") for n in archive.namelist()
                   if n.startswith("site_builder/themes/")}
    assert theme_files and theme_files <= shipped, sorted(theme_files - shipped)
    # and the editor's desk: the vendored Decap CMS with its manifest, and the page's code
    bundle = REPO / "site_builder" / "desk_assets" / "decap"
    desk_files = {f"site_builder/desk_assets/decap/{p.name}" for p in bundle.iterdir() if p.is_file()}
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert len(desk_files) > 90 and desk_files <= names, sorted(desk_files - names)
        assert archive.read("site_builder/desk_assets/decap/decap-cms.js") == (bundle / "decap-cms.js").read_bytes()
        assert {"site_builder/plan/desk_config.py", "site_builder/plan/desk_admin.py",
                "site_builder/base/desk_bundle.py"} <= names

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    _pip("install", "-q", str(wheel), python=str(venv / "bin" / "python"))
    shutil.rmtree(checkout)  # nothing of the sources is left to fall back on

    site = tmp_path / "trang"
    shutil.copytree(SAMPLE, site / "content", ignore=shutil.ignore_patterns(".cache"))
    with (site / "content" / "site.yaml").open("a", encoding="utf-8") as settings:  # publish the desk too
        settings.write("editor:\n  backend: github\n  repo: mttq-tinh/ban-tin\n")
    proc = subprocess.run([str(venv / "bin" / "site-builder"), "build"], cwd=site, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "Đã xây dựng xong" in proc.stderr
    output = site / "output"
    assert '<html lang="vi">' in (output / "index.html").read_text("utf-8")
    assert (output / "static" / "style.css").read_bytes() == (REPO / "themes/default/static/style.css").read_bytes()
    assert (output / "404.html").is_file() and (output / "don-vi" / "index.html").is_file()
    assert list(output.glob("tin-tuc/*/*/*/index.html"))
    # `editor:` publishes the desk from the installed copy, which verifies against its manifest
    assert (output / "admin" / "decap-cms.js").read_bytes() == (bundle / "decap-cms.js").read_bytes()
    assert "Bàn biên tập" in (output / "admin" / "index.html").read_text("utf-8")
    verified = subprocess.run([str(venv / "bin" / "python"), "-m", "site_builder.cli.decap_bundle", "verify"],
                              cwd=site, capture_output=True, text=True, timeout=60)
    assert verified.returncode == 0 and "khớp với MANIFEST.json" in verified.stderr, verified.stderr

    # a new site from the installed copy: its templates ship in the wheel, and it builds at once
    made = subprocess.run([str(venv / "bin" / "site-builder"), "init", "moi", "--province", "Cao Bằng"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert made.returncode == 0 and "Đã tạo trang mới" in made.stderr, made.stderr
    built = subprocess.run([str(venv / "bin" / "site-builder"), "build"], cwd=tmp_path / "moi", capture_output=True,
                           text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "moi/output/don-vi/tinh-cao-bang-2025/index.html").is_file()
    assert "site-builder[deploy]==" in (tmp_path / "moi/.gitlab-ci.yml").read_text("utf-8")

    # the command ran the installed copy, not this checkout
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import site_builder.render.environment as r; print(r.PACKAGE_THEMES)"],
                           cwd=site, capture_output=True, text=True, timeout=60)
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout + where.stderr
