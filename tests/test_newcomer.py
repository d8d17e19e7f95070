"""What the README's "Tạo trang cho một tỉnh" and "Đưa lên máy chủ" tell a newcomer, in order:
`init` a site for a province, build it, then deploy it — dry run first — to a local
S3-compatible server (`rclone serve s3` on 127.0.0.1) and to a folder; every line printed is
Vietnamese, and the dry runs touch nothing."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from deploy_servers import BUCKET, S3_KEY, S3_SECRET, s3_server

from site_builder.cli.main import main
from site_builder.write.output import MARKER

VIETNAMESE = re.compile(r"[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]", re.I)


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    code = main(argv)
    out, err = capsys.readouterr()
    for line in (out + err).splitlines():
        assert not line.strip() or VIETNAMESE.search(line) or line.startswith(("    ", "-", "+", "@@")), \
            f"dòng không phải tiếng Việt: {line!r}"
    assert "Traceback" not in err
    return code, out + err


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file() and p.name != MARKER and not p.name.startswith(".site-builder")}


def test_a_newcomer_makes_builds_and_deploys_a_province_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    for name, value in (("AWS_ACCESS_KEY_ID", S3_KEY), ("AWS_SECRET_ACCESS_KEY", S3_SECRET),
                        ("AWS_CONFIG_FILE", str(tmp_path / "none")),
                        ("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none")), ("AWS_EC2_METADATA_DISABLED", "true")):
        monkeypatch.setenv(name, value)
    with s3_server(tmp_path / "s3") as s3:
        code, said = run(["init", str(tmp_path / "ban-tin"), "--province", "Hà Giang"], capsys)
        assert code == 0, said
        site = tmp_path / "ban-tin"
        monkeypatch.chdir(site)
        settings = site / "content/site.yaml"
        settings.write_text(settings.read_text("utf-8") + (
            f"deploy:\n  usb:\n    kind: folder\n    path: {tmp_path / 'usb'}\n"
            f"  may-chu:\n    kind: s3\n    endpoint: {s3.endpoint}\n    bucket: {BUCKET}\n"), "utf-8")
        code, said = run(["build"], capsys)
        assert code == 0, said
        built = files(site / "output")
        assert "don-vi/tinh-tuyen-quang-2025/index.html" in built  # Hà Giang went into Tuyên Quang
        for target, landed in (("usb", tmp_path / "usb"), ("may-chu", s3.data / BUCKET)):
            code, said = run(["deploy", "--target", target, "--dry-run"], capsys)
            assert code == 0, said
            assert "Chạy thử" in said
            assert not landed.exists() or not files(landed), target  # a dry run writes nothing
            code, said = run(["deploy", "--target", target], capsys)
            assert code == 0, said
            assert {k: v for k, v in files(landed).items() if k in built} == built, target
