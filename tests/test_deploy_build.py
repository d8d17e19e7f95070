"""What `deploy` reads of a build (issue 16): the output's marker says whether the last build was
a normal one or one with drafts, a build with errors is noted beside the cache (the output stays
byte for byte), and `site.yaml`'s `deploy:` block is no part of what the build depends on."""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import tree_bytes
from hypothesis import given
from hypothesis import strategies as st

from site_builder.base.build_status import last_failed, without_deploy
from site_builder.base.cache import cache_folder
from site_builder.cli.main import main
from site_builder.write.output import BUILT, BUILT_DRAFTS, MARKER, MARKER_TEXT

DEPLOY = """
deploy:
  usb:
    kind: folder
    path: /media/usb/ban-tin   # a comment in the block
"""


def build(source: Path, out: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["build", "--source", str(source), "--output", str(out), *extra])
    return code, capsys.readouterr().err


def test_editing_the_deploy_block_rebuilds_nothing(sample_site: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    settings = sample_site / "site.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + DEPLOY, encoding="utf-8")
    code, err = build(sample_site, out, capsys)
    assert code == 0 and "deploy" not in err  # a known key: no "không được dùng" warning
    before = tree_bytes(out)
    settings.write_text(settings.read_text(encoding="utf-8").replace("/media/usb/ban-tin", "/mnt/khac"), encoding="utf-8")
    code, err = build(sample_site, out, capsys)
    assert code == 0
    assert err.strip().endswith("Không có gì thay đổi."), err
    assert tree_bytes(out) == before


def test_the_marker_says_which_build_it_was(sample_site: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert build(sample_site, out, capsys)[0] == 0
    assert (out / MARKER).read_text(encoding="utf-8") == MARKER_TEXT + BUILT
    assert build(sample_site, out, capsys, "--drafts")[0] == 0
    assert (out / MARKER).read_text(encoding="utf-8") == MARKER_TEXT + BUILT_DRAFTS
    assert build(sample_site, out, capsys)[0] == 0
    assert (out / MARKER).read_text(encoding="utf-8") == MARKER_TEXT + BUILT


def test_a_failed_build_is_noted_beside_the_cache_and_the_output_kept(sample_site: Path, tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert build(sample_site, out, capsys)[0] == 0
    before = tree_bytes(out)
    units = sample_site / "units.yaml"
    good = units.read_bytes()
    units.write_text("- id: [hỏng\n", encoding="utf-8")
    assert build(sample_site, out, capsys)[0] == 1
    assert tree_bytes(out) == before
    assert last_failed(cache_folder(sample_site), out)
    units.write_bytes(good)  # the sources of the last good build again: no "nothing changed" shortcut
    assert build(sample_site, out, capsys)[0] == 0
    assert not last_failed(cache_folder(sample_site), out)


@given(st.lists(st.sampled_from(["title: A\n", "  x: 1\n", "\n", "# c\n", "deploy:\n", "deploy: {a: 1}\n",
                                 "  path: /x\n", "theme: b\n", "organisation:\n"]), max_size=12))
def test_without_deploy_keeps_every_top_level_key_but_deploy(lines: list[str]) -> None:
    text = "".join(lines).encode()
    kept = without_deploy(text)
    assert not any(line.startswith(b"deploy") for line in kept.splitlines())
    tops = [line for line in text.splitlines() if line[:1].isalpha() and not line.startswith(b"deploy")]
    assert [line for line in kept.splitlines() if line[:1].isalpha()] == tops
    assert without_deploy(kept) == kept
