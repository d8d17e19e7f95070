"""`site-builder deploy` (issue 16) against real servers started here on 127.0.0.1: an
S3-compatible server (`rclone serve s3`), `rsync` to a local path and over a test-started `sshd`,
a local bare git repository, and plain folders and zips. The sample site is built once; other
versions of it are copies of that output changed by hand (deploy reads only the output)."""
from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import boto3
import pytest
from conftest import SAMPLE
from deploy_servers import BUCKET, S3_KEY, S3_SECRET, S3Server, SshServer, free_port, s3_server, ssh_server

from site_builder.base.build_status import note_failure
from site_builder.base.cache import cache_folder
from site_builder.cli.main import main
from site_builder.publish import s3 as s3_module
from site_builder.publish.built import MANIFEST
from site_builder.write.output import BUILT, BUILT_DRAFTS, MARKER, MARKER_TEXT

BASE = "https://mttq.example.gov.vn/ban-tin/"
VIETNAMESE = re.compile(r"[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]", re.I)
SETTINGS_END = "\n# --- deploy ---\n"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The sample site's sources and its output, built once for the module."""
    root = tmp_path_factory.mktemp("deploy-site")
    source = root / "content"
    shutil.copytree(SAMPLE, source)
    (source / "site.yaml").write_text((source / "site.yaml").read_text(encoding="utf-8") + SETTINGS_END, encoding="utf-8")
    assert main(["build", "--source", str(source), "--output", str(root / "output")]) == 0
    return source, root / "output"


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    with s3_server(tmp_path_factory.mktemp("s3")) as server:
        yield server


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshServer]:
    with ssh_server(tmp_path_factory.mktemp("sshd")) as server:
        yield server


@pytest.fixture(autouse=True)
def s3_keys(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The test server's keys in the environment; no AWS file or instance metadata of this machine."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", S3_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", S3_SECRET)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def targets(source: Path, block: str) -> None:
    """`block` (YAML under `deploy:`) as site.yaml's deploy block."""
    settings = source / "site.yaml"
    head = settings.read_text(encoding="utf-8").split(SETTINGS_END)[0]
    settings.write_text(head + SETTINGS_END + "deploy:\n" + block, encoding="utf-8")


def deploy(source: Path, output: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    """Run `site-builder deploy`; every line it prints must be Vietnamese, and no traceback."""
    capsys.readouterr()
    code = main(["deploy", "--source", str(source), "--output", str(output), *extra])
    out, err = capsys.readouterr()
    for line in (out + err).splitlines():
        assert not line.strip() or VIETNAMESE.search(line), f"dòng không phải tiếng Việt: {line!r}"
    assert "Traceback" not in err
    return code, out, err


def variant(output: Path, folder: Path, change: bool = False, remove: tuple[str, ...] = (),
            new_image: bool = False) -> Path:
    """A copy of the built output: style.css changed, pages removed, a new image on the home page."""
    copy = folder / "output"
    shutil.copytree(output, copy)
    if change:
        (copy / "static" / "style.css").write_text((copy / "static" / "style.css").read_text() + "\n/* mới */\n")
    for rel in remove:
        (copy / rel).unlink()
    if new_image:
        shutil.copyfile(next((copy / "media").rglob("*.png")), copy / "media" / "moi.png")
        home = copy / "index.html"
        home.write_text(home.read_text(encoding="utf-8").replace("</main>", '<img src="media/moi.png" alt="Ảnh mới"></main>', 1),
                        encoding="utf-8")
    return copy


def local_files(output: Path) -> set[str]:
    return {p.relative_to(output).as_posix() for p in output.rglob("*") if p.is_file() and p.name != MARKER}


def s3_target(server: S3Server, prefix: str) -> str:
    return f"  may-chu:\n    kind: s3\n    endpoint: {server.endpoint}\n    bucket: {BUCKET}\n    prefix: {prefix}\n"


def client(server: S3Server):  # type: ignore[no-untyped-def]
    return boto3.client("s3", endpoint_url=server.endpoint, aws_access_key_id=S3_KEY,
                        aws_secret_access_key=S3_SECRET, region_name="us-east-1")


def bucket_files(server: S3Server, prefix: str) -> set[str]:
    found: set[str] = set()
    for page in client(server).get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix + "/"):
        found.update(item["Key"][len(prefix) + 1:] for item in page.get("Contents", ()))
    return found


def test_dry_run_lists_every_upload_and_changes_nothing(site: tuple[Path, Path], s3: S3Server,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    source, output = site
    targets(source, s3_target(s3, "chay-thu"))
    code, out, err = deploy(source, output, capsys, "--dry-run")
    assert code == 0
    assert {line.removeprefix("Tải lên: ") for line in out.splitlines()} == local_files(output)
    assert "Chạy thử (không thay đổi gì)" in err
    assert bucket_files(s3, "chay-thu") == set()


def check_headers(s3: S3Server, prefix: str, output: Path) -> None:
    """Each kind of file as the server returns it on GET: its bytes, Content-Type and Cache-Control."""
    files = local_files(output)
    expected = {
        "index.html": ("text/html; charset=utf-8", "no-cache"),
        "feed.xml": ("application/xml; charset=utf-8", "no-cache"),
        "sitemap.xml": ("application/xml; charset=utf-8", "no-cache"),
        "pagefind/pagefind-entry.json": ("application/json", "no-cache"),
        "static/style.css": ("text/css; charset=utf-8", "public, max-age=3600"),
        "pagefind/pagefind.js": ("text/javascript; charset=utf-8", "public, max-age=3600"),
        "pagefind/wasm.unknown.pagefind": ("application/octet-stream", "public, max-age=3600"),
    }
    for suffix in (".pf_meta", ".pf_index", ".pf_fragment"):
        expected[next(f for f in sorted(files) if f.endswith(suffix))] = ("application/octet-stream",
                                                                         "public, max-age=31536000, immutable")
    for rel, (kind, cache) in expected.items():
        got = client(s3).get_object(Bucket=BUCKET, Key=f"{prefix}/{rel}")
        assert (rel, got["ContentType"], got.get("CacheControl")) == (rel, kind, cache)
        assert got["Body"].read() == (output / rel).read_bytes()


def test_s3_uploads_only_what_changed_with_its_headers_and_deletes_what_is_gone(site: tuple[Path, Path], s3: S3Server, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    source, output = site
    targets(source, s3_target(s3, "ban-chinh"))
    assert deploy(source, output, capsys)[0] == 0
    assert bucket_files(s3, "ban-chinh") == local_files(output) | {MANIFEST}
    check_headers(s3, "ban-chinh", output)
    code, _, err = deploy(source, output, capsys)
    assert code == 0 and "Không có gì thay đổi" in err
    changed = variant(output, tmp_path / "a", change=True)
    code, out, _ = deploy(source, changed, capsys, "--dry-run")
    assert out.splitlines() == ["Tải lên: static/style.css"]
    code, _, err = deploy(source, changed, capsys)
    assert "tải lên 1 tệp, xóa 0 tệp" in err
    gone = variant(changed, tmp_path / "b", remove=("gioi-thieu/index.html",))
    code, out, err = deploy(source, gone, capsys, "--dry-run")
    assert out.splitlines() == ["Xóa: gioi-thieu/index.html"]
    assert deploy(source, gone, capsys)[0] == 0
    assert "gioi-thieu/index.html" not in bucket_files(s3, "ban-chinh")
    client(s3).delete_object(Bucket=BUCKET, Key="ban-chinh/feed.xml")  # deleted by hand on the server
    code, _, err = deploy(source, gone, capsys)
    assert "tải lên 1 tệp" in err and "feed.xml" in bucket_files(s3, "ban-chinh")


def _links(html: str, rel: str) -> set[str]:
    """The site's own files a page links to, as paths in the output."""
    found = set()
    for href in re.findall(r'(?:href|src)="([^"]+)"', html):
        url = urljoin(BASE + rel, href)
        if not url.startswith(BASE):
            continue
        path = urlsplit(url).path[len(urlsplit(BASE).path):]
        found.add(path + "index.html" if path == "" or path.endswith("/") else path)
    return found


def test_an_interrupted_deploy_leaves_the_site_whole_and_a_second_run_completes_it(
        site: tuple[Path, Path], s3: S3Server, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    source, output = site
    targets(source, s3_target(s3, "ngat"))
    assert deploy(source, output, capsys)[0] == 0
    new = variant(output, tmp_path, change=True, remove=("lien-he/index.html",), new_image=True)
    put_one = s3_module.S3Remote.put_one
    pages: list[str] = []

    def stop_after_the_first_page(self: s3_module.S3Remote, rel: str) -> None:
        put_one(self, rel)
        if rel.endswith(".html"):
            pages.append(rel)
            raise KeyboardInterrupt  # Ctrl-C half way through the pages

    monkeypatch.setattr(s3_module.S3Remote, "put_one", stop_after_the_first_page)
    code, _, err = deploy(source, new, capsys)
    assert code == 130 and err.strip().endswith("Đã dừng theo yêu cầu.")
    assert "index.html" in pages  # the home page went up (with pages in flight beside it), its new image before it
    remote = bucket_files(s3, "ngat")
    assert "lien-he/index.html" in remote  # deletions come last
    known = local_files(output) | local_files(new)
    for rel in sorted(r for r in remote if r.endswith(".html")):
        html = client(s3).get_object(Bucket=BUCKET, Key="ngat/" + rel)["Body"].read().decode()
        broken = {link for link in _links(html, rel) if link in known and link not in remote}
        assert not broken, f"{rel} trỏ tới tệp chưa có trên máy chủ: {broken}"
    monkeypatch.setattr(s3_module.S3Remote, "put_one", put_one)
    code, _, err = deploy(source, new, capsys)
    assert code == 0 and "xóa 1 tệp" in err
    assert bucket_files(s3, "ngat") == local_files(new) | {MANIFEST}
    assert deploy(source, new, capsys)[2].strip().startswith("Không có gì thay đổi")


def test_wrong_endpoint_missing_keys_and_wrong_secret_are_said_in_vietnamese(
        site: tuple[Path, Path], s3: S3Server, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    source, output = site
    targets(source, f"  may-chu:\n    kind: s3\n    endpoint: http://127.0.0.1:{free_port()}\n    bucket: {BUCKET}\n")
    code, _, err = deploy(source, output, capsys)
    assert code == 1 and "Lỗi: không kết nối được máy chủ S3 http://127.0.0.1:" in err and "endpoint" in err
    targets(source, s3_target(s3, "khoa"))
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "sai")
    code, _, err = deploy(source, output, capsys)
    assert code == 1 and "khóa bí mật không khớp" in err and "AWS_SECRET_ACCESS_KEY" in err
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    code, _, err = deploy(source, output, capsys)
    assert code == 1 and "Chưa có khóa truy cập S3" in err and "AWS_ACCESS_KEY_ID" in err
    targets(source, f"  may-chu:\n    kind: s3\n    bucket: {BUCKET}\n    aws_secret_access_key: abc\n")
    code, _, err = deploy(source, output, capsys)
    assert code == 1 and re.search(r"site\.yaml:\d+: Lỗi: không ghi khóa bí mật", err)
    assert bucket_files(s3, "khoa") == set()


def test_the_delete_limit_refuses_without_force(site: tuple[Path, Path], tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    source, output = site
    remote = tmp_path / "usb"
    targets(source, f"  usb:\n    kind: folder\n    path: {remote}\n")
    assert deploy(source, output, capsys)[0] == 0
    assert local_files(remote) == local_files(output) | {MANIFEST}
    pages = sorted(f for f in local_files(output) if f.endswith(".html") and f != "index.html")
    fewer = variant(output, tmp_path / "a", remove=tuple(pages[: len(local_files(output)) // 5]))
    before = {p: (remote / p).read_bytes() for p in local_files(remote)}
    code, _, err = deploy(source, fewer, capsys)
    assert code == 1 and f"sẽ xóa {len(local_files(output)) // 5} trong {len(local_files(output))} tệp" in err
    assert "--force" in err and "--dry-run" in err
    assert {p: (remote / p).read_bytes() for p in local_files(remote)} == before
    assert deploy(source, fewer, capsys, "--force")[0] == 0
    assert local_files(remote) == local_files(fewer) | {MANIFEST}


def test_refused_outputs(site: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source, output = site
    targets(source, f"  usb:\n    kind: folder\n    path: {tmp_path / 'usb'}\n")
    drafts = variant(output, tmp_path / "nhap")
    (drafts / MARKER).write_text(MARKER_TEXT + BUILT_DRAFTS, encoding="utf-8")
    code, _, err = deploy(source, drafts, capsys)
    assert code == 1 and "--drafts" in err and "site-builder build" in err
    (drafts / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    assert "không rõ lần xây dựng gần nhất" in deploy(source, drafts, capsys)[2]
    (drafts / MARKER).unlink()
    assert "không phải thư mục kết quả của site-builder" in deploy(source, drafts, capsys)[2]
    failed = variant(output, tmp_path / "loi")
    assert (failed / MARKER).read_text(encoding="utf-8") == MARKER_TEXT + BUILT
    note_failure(cache_folder(source), failed)
    code, _, err = deploy(source, failed, capsys)
    assert code == 1 and "có lỗi" in err
    assert not (tmp_path / "usb").exists()


def test_a_zip_for_the_it_office(site: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source, output = site
    targets(source, f"  goi:\n    kind: folder\n    path: {tmp_path / 'ban-tin.zip'}\n")
    assert deploy(source, output, capsys)[0] == 0
    with zipfile.ZipFile(tmp_path / "ban-tin.zip") as archive:
        assert set(archive.namelist()) == local_files(output) | {MANIFEST}
        assert archive.read("index.html") == (output / "index.html").read_bytes()
    assert "Không có gì thay đổi" in deploy(source, output, capsys)[2]


def test_rsync_to_a_local_path_and_over_ssh(site: tuple[Path, Path], sshd: SshServer, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    source, output = site
    ssh = (f"    host: {sshd.user}@127.0.0.1\n    port: {sshd.port}\n    identity_file: {sshd.key}\n"
           f"    ssh_options: [-o, UserKnownHostsFile={sshd.known_hosts}, -o, StrictHostKeyChecking=accept-new]\n")
    targets(source, f"  tai-cho:\n    kind: rsync\n    path: {tmp_path / 'www'}\n"
                    f"  qua-ssh:\n    kind: rsync\n    path: {tmp_path / 'ssh-www'}\n{ssh}"
                    f"  sai-cong:\n    kind: rsync\n    path: {tmp_path / 'x'}\n{ssh.replace(str(sshd.port), str(free_port()))}")
    for name, remote in (("tai-cho", tmp_path / "www"), ("qua-ssh", tmp_path / "ssh-www")):
        assert deploy(source, output, capsys, "--target", name)[0] == 0
        assert local_files(remote) == local_files(output) | {MANIFEST}
    assert "Không có gì thay đổi" in deploy(source, output, capsys, "--target", "tai-cho")[2]
    gone = variant(output, tmp_path / "b", change=True, remove=("gioi-thieu/index.html",))
    code, _, err = deploy(source, gone, capsys, "--target", "qua-ssh")
    assert code == 0 and "tải lên 1 tệp, xóa 1 tệp" in err
    assert local_files(tmp_path / "ssh-www") == local_files(gone) | {MANIFEST}
    assert (tmp_path / "ssh-www" / "static" / "style.css").read_bytes() == (gone / "static" / "style.css").read_bytes()
    code, _, err = deploy(source, output, capsys, "--target", "sai-cong")
    assert code == 1 and "không kết nối được máy chủ" in err and "qua ssh" in err


def test_a_git_branch_gets_one_commit_per_deploy(site: tuple[Path, Path], tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    source, output = site
    repo = tmp_path / "trang.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(repo)], check=True)
    targets(source, f"  github:\n    kind: git\n    repo: {repo}\n    branch: gh-pages\n")
    assert deploy(source, output, capsys)[0] == 0
    assert "Không có gì thay đổi" in deploy(source, output, capsys)[2]
    gone = variant(output, tmp_path / "b", remove=("gioi-thieu/index.html",))
    assert deploy(source, gone, capsys)[0] == 0

    def git(*args: str) -> str:
        return subprocess.run(["git", "--git-dir", str(repo), *args], capture_output=True, text=True, check=True).stdout

    assert len(git("rev-list", "gh-pages").split()) == 2
    tree = set(git("ls-tree", "-r", "--name-only", "gh-pages").split("\n")) - {""}
    assert tree == local_files(gone) | {MANIFEST, ".nojekyll"}
    assert git("show", "gh-pages:index.html") == (gone / "index.html").read_text(encoding="utf-8")


def test_a_killed_folder_deploy_leaves_only_temporaries_the_next_removes(site: tuple[Path, Path], tmp_path: Path,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    source, output = site
    remote = tmp_path / "usb"
    targets(source, f"  usb:\n    kind: folder\n    path: {remote}\n")
    assert deploy(source, output, capsys)[0] == 0
    (remote / ".tmp-abc").write_bytes(b"nua chung")  # what a kill between a write and its rename leaves
    (remote / "static" / ".tmp-def").write_bytes(b"nua chung")
    code, out, _ = deploy(source, output, capsys, "--dry-run")
    assert sorted(out.splitlines()) == ["Xóa: .tmp-abc", "Xóa: static/.tmp-def"]
    code, _, err = deploy(source, output, capsys)
    assert "tải lên 0 tệp, xóa 2 tệp" in err
    assert local_files(remote) == local_files(output) | {MANIFEST}
