"""The deploy's plan, content types and settings, without a server (issue 16)."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from site_builder.base.deploy_targets import FolderTarget, GitTarget, RsyncTarget, S3Target
from site_builder.base.errors import Problems
from site_builder.load.deploy_settings import load_targets
from site_builder.publish.content_types import cache_control, content_type
from site_builder.publish.plan import RemoteState, decode_manifest, encode_manifest, make_plan, rank

NAMES = st.sampled_from(["index.html", "feed.xml", "a/b.html", "static/style.css", "static/x.js", "media/a.png",
                         "pagefind/pagefind-entry.json", "pagefind/f/x.pf_fragment", "so-lieu/du-lieu.csv",
                         "robots.txt", "pagefind/wasm.unknown.pagefind", "tin-tuc/c/index.html"])
DIGESTS = st.sampled_from(["a" * 64, "b" * 64, "c" * 64])
SITES = st.dictionaries(NAMES, DIGESTS)


@given(SITES, SITES, st.booleans(), st.sets(NAMES))
def test_the_plan_turns_the_remote_into_the_site_in_the_safe_order(local: dict[str, str], before: dict[str, str],
                                                                    listed: bool, gone: set[str]) -> None:
    # the remote's manifest says `before`; a listing may show some of it deleted by hand
    listing = frozenset(before) - gone if listed else None
    plan = make_plan(local, RemoteState(before, listing))
    remote = {rel: before[rel] for rel in (listing if listing is not None else before)}
    for rel in plan.uploads:
        remote[rel] = local[rel]
    for rel in plan.deletions:
        del remote[rel]
    assert remote == local
    assert [rank(r) for r in plan.uploads] == sorted(rank(r) for r in plan.uploads)
    assert all(local[r] != before.get(r) or (listing is not None and r not in listing) for r in plan.uploads)
    assert decode_manifest(plan.manifest) == local
    assert sum(len(p) for p in plan.phases) == len(plan.uploads)
    again = make_plan(local, RemoteState(local, frozenset(local) if listed else None))
    assert not again.changes


def test_pages_come_after_what_they_link_to() -> None:
    assert rank("media/a.png") < rank("static/style.css") < rank("pagefind/pagefind-entry.json") < rank("index.html")
    assert rank("pagefind/x/y.pf_index") == 0 and rank("feed.xml") == rank("sitemap.xml") == rank("robots.txt") == 3


def test_a_manifest_of_another_shape_is_no_manifest() -> None:
    assert decode_manifest(b"{") is None
    assert decode_manifest(b'{"site-builder": 2, "files": {}}') is None
    assert decode_manifest(b'{"site-builder": 1, "files": {"a": 1}}') is None
    assert decode_manifest(encode_manifest({"a": "x"})) == {"a": "x"}


@pytest.mark.parametrize(("rel", "kind", "cache"), [
    ("index.html", "text/html; charset=utf-8", "no-cache"),
    ("feed.xml", "application/xml; charset=utf-8", "no-cache"),
    ("so-lieu/tong-hop.json", "application/json", "no-cache"),
    ("site.webmanifest", "application/manifest+json", "no-cache"),
    ("so-lieu/du-lieu.csv", "text/csv; charset=utf-8", "no-cache"),
    ("pagefind/pagefind.vi_1.pf_meta", "application/octet-stream", "public, max-age=31536000, immutable"),
    ("pagefind/index/vi_1.pf_index", "application/octet-stream", "public, max-age=31536000, immutable"),
    ("pagefind/fragment/vi_1.pf_fragment", "application/octet-stream", "public, max-age=31536000, immutable"),
    ("pagefind/wasm.vi.pagefind", "application/octet-stream", "public, max-age=3600"),
    ("static/favicon.svg", "image/svg+xml", "public, max-age=3600"),
    ("media/a.JPG", "image/jpeg", "public, max-age=3600"),
    ("media/bao-cao.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "public, max-age=3600"),
    ("media/khong-ro", "application/octet-stream", "public, max-age=3600"),
    ("media/a.tar.gz", "application/octet-stream", "public, max-age=3600"),
])
def test_content_types_and_cache_headers(rel: str, kind: str, cache: str) -> None:
    assert (content_type(rel), cache_control(rel)) == (kind, cache)


SETTINGS = """title: x
deploy:
  usb:
    kind: folder
    path: usb/ban-tin
  may-chu:
    kind: s3
    endpoint: https://s3.example.vn
    bucket: ban-tin
    prefix: /trang/
  web:
    kind: rsync
    host: deploy@example.vn
    path: /var/www
    port: 2222
    ssh_options: [-o, BatchMode=yes]
  gh:
    kind: git
    repo: git@example.vn:a/b.git
  ban-sao:
    kind: rsync
    path: sao-luu
"""


def test_the_deploy_block_is_read_into_typed_targets(tmp_path: Path) -> None:
    source = tmp_path / "content"
    source.mkdir()
    (source / "site.yaml").write_text(SETTINGS, encoding="utf-8")
    problems = Problems(root=source)
    assert load_targets(source, problems) == (
        FolderTarget("usb", tmp_path / "usb" / "ban-tin", 3),
        S3Target("may-chu", "ban-tin", "https://s3.example.vn", "trang", "", "", 6),
        RsyncTarget("web", "/var/www", "deploy@example.vn", 2222, "", ("-o", "BatchMode=yes"), 11),
        GitTarget("gh", "git@example.vn:a/b.git", "gh-pages", 17),
        RsyncTarget("ban-sao", str(tmp_path / "sao-luu"), line=20))
    assert not problems.items


@pytest.mark.parametrize(("block", "line", "message"), [
    ("  a:\n    kind: ftp\n", 3, 'deploy.a.kind "ftp" không được hỗ trợ.'),
    ("  a:\n    kind: s3\n", 2, 'deploy.a thiếu "bucket".'),
    ("  a:\n    kind: s3\n    bucket: Ban_Tin\n", 4, 'không phải tên bucket'),
    ("  a:\n    kind: s3\n    bucket: ban-tin\n    endpoint: s3.example.vn\n", 5, "không phải địa chỉ máy chủ S3"),
    ("  a:\n    kind: rsync\n    path: /x\n    port: 70000\n", 5, 'deploy.a.port "70000" không hợp lệ.'),
    ("  a:\n    kind: s3\n    bucket: ban-tin\n    secret_key: abc\n", 5, 'không ghi khóa bí mật "secret_key"'),
    ("  a b:\n    kind: folder\n", 2, 'tên nơi đưa lên "a b" không hợp lệ.'),
    ("  - usb\n", 1, 'mục "deploy" phải gồm các nơi đưa lên'),
])
def test_a_wrong_deploy_block_is_an_error_at_its_line(tmp_path: Path, block: str, line: int, message: str) -> None:
    source = tmp_path / "content"
    source.mkdir()
    (source / "site.yaml").write_text("deploy:\n" + block, encoding="utf-8")
    problems = Problems(root=source)
    assert load_targets(source, problems) == ()
    error = problems.errors[0]
    assert (error.line, message in error.message) == (line, True), error.format()
    assert error.hint


def test_without_boto3_the_message_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    from site_builder.publish import s3
    from site_builder.publish.built import BuiltSite
    from site_builder.publish.errors import DeployFailed

    real = importlib.import_module

    def without_boto3(name: str, package: str | None = None) -> object:
        if name == "boto3":
            raise ImportError(name)
        return real(name, package)

    monkeypatch.setattr(s3.importlib, "import_module", without_boto3)
    with pytest.raises(DeployFailed) as refused:
        s3.S3Remote(S3Target("a", "ban-tin"), BuiltSite(Path("."), {}))
    assert refused.value.lines() == ["Lỗi: chưa cài thư viện boto3 để đưa trang lên máy chủ S3.",
                                     "    Hãy cài: pip install 'site-builder[deploy]' (hoặc pip install boto3), rồi chạy lại."]
