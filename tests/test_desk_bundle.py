"""The vendored Decap CMS (`site_builder/desk_assets/decap/`): the files are those the manifest
lists, the manifest is the pinned npm release, the licence is there, and (with the npm registry
reachable, marker `network`) the files are byte for byte what `npm pack` gives for that release."""
from __future__ import annotations

import io
import shutil
import tarfile
from pathlib import Path

import pytest

from site_builder.base import desk_bundle
from site_builder.base.desk_bundle import BUNDLE, BundleError, extract, integrity_of, read_manifest, verify, wanted

PINNED = "3.16.3"
PINNED_INTEGRITY = "sha512-hf+dPlCh7TJmWl8+6VRzHYOWhri5xgUknrZbDewaWe4s9B7xJ8PQugp2QHeSldMUKzav6+z0oIpwUYhUJDYtYw=="


def test_vendored_files_match_the_manifest() -> None:
    manifest = read_manifest()
    assert (manifest.name, manifest.version, manifest.integrity) == ("decap-cms", PINNED, PINNED_INTEGRITY)
    assert verify(BUNDLE) == []
    names = set(manifest.files)
    assert {"decap-cms.js", "decap-cms.js.LICENSE.txt", "LICENSE"} <= names
    assert not any(n.endswith(".map") or n.startswith("cms.") for n in names)  # no source maps, no duplicate build
    assert len([n for n in names if n.endswith(".decap-cms.js")]) > 50  # the lazily loaded chunks
    assert [n for n in names if n.endswith(".wasm")]


def test_every_chunk_the_bundle_can_load_is_vendored() -> None:
    """Webpack names chunks `<id>.decap-cms.js`; every id the main file's chunk map knows is here."""
    import re
    main = (BUNDLE / "decap-cms.js").read_text(encoding="utf-8")
    assert '__webpack_require__.u=e=>e+".decap-cms.js"' in main
    vendored = {n for n in read_manifest().files if n.endswith(".decap-cms.js")}
    wasm = {m for chunk in vendored for m in re.findall(r'r\.p\+"([0-9a-f]+\.wasm)"', (BUNDLE / chunk).read_text("utf-8"))}
    assert wasm and wasm <= set(read_manifest().files)


def test_the_licence_is_mit() -> None:
    text = (BUNDLE / "LICENSE").read_text(encoding="utf-8")
    assert "MIT License" in text and "Netlify" in text and "WITHOUT WARRANTY" in text


def test_verify_names_a_changed_a_missing_and_an_unlisted_file(tmp_path: Path) -> None:
    folder = tmp_path / "decap"
    shutil.copytree(BUNDLE, folder)
    (folder / "decap-cms.js").write_bytes(b"changed")
    (folder / "LICENSE").unlink()
    (folder / "extra.js").write_text("x")
    assert verify(folder) == ["thiếu tệp LICENSE", "tệp decap-cms.js khác với MANIFEST.json",
                              "tệp extra.js không có trong MANIFEST.json"]


def _tarball(tmp_path: Path, files: dict[str, bytes]) -> Path:
    path = tmp_path / "decap-cms-0.0.0.tgz"
    with tarfile.open(path, "w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def test_extract_keeps_what_the_browser_loads_and_refuses_another_integrity(tmp_path: Path) -> None:
    tarball = _tarball(tmp_path, {"package/dist/decap-cms.js": b"main", "package/dist/12.decap-cms.js": b"chunk",
                                  "package/dist/12.decap-cms.js.map": b"map", "package/dist/cms.js": b"dup",
                                  "package/dist/ab12.wasm": b"wasm", "package/README.md": b"readme"})
    files = extract(tarball, integrity_of(tarball.read_bytes()))
    assert sorted(files) == ["12.decap-cms.js", "LICENSE", "ab12.wasm", "decap-cms.js"]
    with pytest.raises(BundleError, match="khác với npm"):
        extract(tarball, PINNED_INTEGRITY)
    assert not wanted("cms.js.LICENSE.txt") and wanted("decap-cms.js.LICENSE.txt")


@pytest.mark.network
def test_npm_pack_of_the_pinned_release_gives_the_vendored_files(tmp_path: Path) -> None:
    """Needs the npm registry (CI has it): the registry's integrity is the pinned one, the packed
    tarball has it, and the files extracted from it are the vendored ones, byte for byte."""
    if shutil.which("npm") is None:
        pytest.fail("npm is needed to check the vendored Decap CMS against the registry")
    assert desk_bundle.registry_integrity(PINNED) == PINNED_INTEGRITY
    files = extract(desk_bundle.pack(PINNED, tmp_path), PINNED_INTEGRITY)
    assert sorted(files) == sorted(read_manifest().files)
    for name, data in files.items():
        assert (BUNDLE / name).read_bytes() == data, name
