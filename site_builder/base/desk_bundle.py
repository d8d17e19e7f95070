"""The editor's desk (Decap CMS) as files of the package: where they are, what they must be, and
how a maintainer replaces them with another version.

The desk must open with no network (no CDN, nothing fetched when an editor opens it) and a wheel
must carry it, so the browser part of the npm package `decap-cms` is vendored into
`site_builder/desk_assets/decap/` as package data: `decap-cms.js`, every chunk it loads lazily
(`<n>.decap-cms.js`), the WebAssembly files they load, the bundle's licence notices, and Decap's
MIT licence (the npm tarball has none, so it is kept here as `LICENSE`). Source maps and the
duplicate `cms.js` build are left out. `MANIFEST.json` records the npm name, version, the
tarball's integrity (as the registry states it) and the sha256 of every vendored file, so a
test (and `verify`) proves the files are the ones npm published.

The desk's page (`plan/desk_admin.admin_page`) loads the bundle, which reads `config.yml` beside
it, and one small script of ours, `desk-vi.js` (`PHRASES`): Decap's Vietnamese locale lacks 77
phrases (buttons such as "Add", the Markdown toolbar, the media library's "Copy"), which Decap
would show in English; the script registers the locale again with them added. A second,
`desk-widgets.js` (`WIDGETS`), registers our one field: a text box offering the values in use.

This lives in `base` because three stages use it (plan publishes the desk for git backends, live
serves it for `edit`, the CLI updates it) and it needs nothing of site_builder. The command that
runs it is `python -m site_builder.cli.decap_bundle update 3.16.4` (or `verify`).
"""
from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import SiteBuilderError

ASSETS = Path(__file__).resolve().parent.parent / "desk_assets"
BUNDLE = ASSETS / "decap"
# Ours, beside the bundle: the phrases Decap's Vietnamese locale lacks, loaded after decap-cms.js.
PHRASES = ASSETS / "desk-vi.js"
# Ours too: the desk's own field (`suggest`: choose a value in use or type a new one).
WIDGETS = ASSETS / "desk-widgets.js"
OURS = (PHRASES, WIDGETS)  # loaded in this order after decap-cms.js, served and published beside it
MANIFEST = BUNDLE / "MANIFEST.json"
PACKAGE = "decap-cms"
LICENSE_NAME = "LICENSE"
# Decap's licence (github.com/decaporg/decap-cms, LICENSE): the npm tarball carries none.
DECAP_LICENSE = """Copyright (c) 2016 Netlify <decap@p-m.si>

MIT License

Permission is hereby granted, free of charge, to any person obtaining
a copy of this software and associated documentation files (the
"Software"), to deal in the Software without restriction, including
without limitation the rights to use, copy, modify, merge, publish,
distribute, sublicense, and/or sell copies of the Software, and to
permit persons to whom the Software is furnished to do so, subject to
the following conditions:

The above copyright notice and this permission notice shall be
included in all copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND,
EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF
MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE
LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION
OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION
WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
"""


class BundleError(SiteBuilderError):
    """The bundle could not be fetched, checked or written (the message says why, in Vietnamese)."""

    exit_code = 1


@dataclass(frozen=True)
class Manifest:
    """What `MANIFEST.json` says: the npm package, its version and integrity, each file's sha256."""

    name: str
    version: str
    integrity: str
    files: dict[str, str]  # file name → sha256 (hex)


def read_manifest(folder: Path = BUNDLE) -> Manifest:
    data = json.loads((folder / "MANIFEST.json").read_text(encoding="utf-8"))
    return Manifest(str(data["name"]), str(data["version"]), str(data["integrity"]),
                    {str(k): str(v) for k, v in data["files"].items()})


def bundle_files(folder: Path = BUNDLE) -> list[str]:
    """The vendored files (names inside `folder`), sorted, as the manifest lists them."""
    return sorted(read_manifest(folder).files)


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def verify(folder: Path = BUNDLE) -> list[str]:
    """Every way the vendored files differ from the manifest (empty when they match): a file missing,
    changed, or present without being listed."""
    manifest = read_manifest(folder)
    problems = []
    for name, digest in sorted(manifest.files.items()):
        path = folder / name
        if not path.is_file():
            problems.append(f"thiếu tệp {name}")
        elif sha256_of(path) != digest:
            problems.append(f"tệp {name} khác với MANIFEST.json")
    extra = sorted(p.name for p in folder.iterdir() if p.name != "MANIFEST.json" and p.name not in manifest.files)
    problems += [f"tệp {name} không có trong MANIFEST.json" for name in extra]
    return problems


def wanted(name: str) -> bool:
    """Whether a file of the tarball's `dist/` is one the browser loads (or its licence notice)."""
    if name.endswith(".map"):
        return False
    if name in ("decap-cms.js", "decap-cms.js.LICENSE.txt") or name.endswith(".wasm"):
        return True
    head, _, tail = name.partition(".")
    return head.isdigit() and tail in ("decap-cms.js", "decap-cms.js.LICENSE.txt")


def integrity_of(data: bytes) -> str:
    """The npm `dist.integrity` form of a tarball: "sha512-" and the base64 digest."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def _npm(*args: str, cwd: Path | None = None) -> str:
    npm = shutil.which("npm")
    if npm is None:
        raise BundleError("không tìm thấy lệnh npm (cần Node.js để tải Decap CMS).")
    proc = subprocess.run([npm, *args], cwd=cwd, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise BundleError(f"npm {' '.join(args)} thất bại: {proc.stderr.strip()[-500:]}")
    return proc.stdout.strip()


def registry_integrity(version: str) -> str:
    """`npm view decap-cms@<version> dist.integrity`: what the registry says the tarball is."""
    return _npm("view", f"{PACKAGE}@{version}", "dist.integrity")


def pack(version: str, into: Path) -> Path:
    """`npm pack decap-cms@<version>` into `into`; the tarball's path."""
    name = _npm("pack", f"{PACKAGE}@{version}", "--silent", "--pack-destination", str(into), cwd=into)
    return into / name.splitlines()[-1].strip()


def extract(tarball: Path, expected_integrity: str) -> dict[str, bytes]:
    """The files the browser needs from a tarball whose integrity is `expected_integrity` (else
    `BundleError`), by name, with Decap's licence added."""
    data = tarball.read_bytes()
    actual = integrity_of(data)
    if actual != expected_integrity:
        raise BundleError(f"tệp {tarball.name} có mã kiểm tra {actual}, khác với npm ({expected_integrity}).")
    files: dict[str, bytes] = {}
    with tarfile.open(tarball, "r:gz") as archive:
        for member in archive.getmembers():
            name = member.name.removeprefix("package/dist/")
            if member.isfile() and name != member.name and "/" not in name and wanted(name):
                handle = archive.extractfile(member)
                assert handle is not None
                files[name] = handle.read()
    if "decap-cms.js" not in files:
        raise BundleError(f"tệp {tarball.name} không có dist/decap-cms.js.")
    files[LICENSE_NAME] = DECAP_LICENSE.encode("utf-8")
    return files


def fetch(version: str) -> tuple[str, dict[str, bytes]]:
    """Pack `version` from npm, check it against the registry's integrity; (integrity, files)."""
    integrity = registry_integrity(version)
    with tempfile.TemporaryDirectory() as tmp:
        files = extract(pack(version, Path(tmp)), integrity)
    return integrity, files


def write_bundle(version: str, integrity: str, files: dict[str, bytes], folder: Path = BUNDLE) -> None:
    """Replace the vendored files in `folder` with `files` and write the manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        if old.is_file():
            old.unlink()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    manifest = {"name": PACKAGE, "version": version, "integrity": integrity,
                "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())}}
    (folder / "MANIFEST.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def update(version: str, folder: Path = BUNDLE) -> list[str]:
    """Vendor `decap-cms@<version>`: lines saying what was done, for the CLI to print."""
    integrity, files = fetch(version)
    write_bundle(version, integrity, files, folder)
    size = sum(len(d) for d in files.values())
    return [f"Đã chép {len(files)} tệp của {PACKAGE}@{version} ({size // 1024} KB) vào {folder}.",
            f"Mã kiểm tra của npm: {integrity}"]
