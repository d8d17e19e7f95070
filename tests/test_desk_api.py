"""The desk's backend (`live.desk_api`), action by action, against a copy of the sample site."""
from __future__ import annotations

import base64
import errno
import json
import os
import re
from pathlib import Path

import pytest
from conftest import NOW

from site_builder.live.desk_api import DeskApi, DeskReply
from site_builder.live.desk_media import MAX_UPLOAD_BYTES

ORIGIN = "http://127.0.0.1:8080"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
NEWS_RAW = """---
title: Hội nghị tổng kết công tác Mặt trận
date: 2026-05-10 09:30
unit: tinh-lao-cai
category: Hoạt động Mặt trận
tags: [Giám sát]
draft: false
{extra}---

Nội dung **bài viết**.
"""


class Desk:
    """A DeskApi on a copied sample site, and the files `saved` was told of."""

    def __init__(self, source: Path) -> None:
        self.source, self.saved = source, []  # type: list[Path]
        self.api = DeskApi(source, frozenset({ORIGIN, "http://localhost:8080"}), self.saved.extend, now=lambda: NOW)

    def call(self, action: str, params: object = None, host: str | None = "127.0.0.1:8080",
             origin: str | None = ORIGIN) -> DeskReply:
        body = json.dumps({"action": action, "params": params if params is not None else {}}).encode()
        reply = self.api.handle("POST", host, origin, "application/json; charset=utf-8", body)
        json.dumps(reply.body)  # always serialisable
        return reply

    def persist(self, path: str, raw: str, assets: list[dict[str, str]] | None = None, **more: str) -> DeskReply:
        data = {"path": path, "raw": raw, "slug": "x", **more}
        return self.call("persistEntry", {"dataFiles": [data], "assets": assets or [],
                                          "options": {"commitMessage": "x", "useWorkflow": False, "status": ""}})


@pytest.fixture
def desk(sample_site: Path) -> Desk:
    return Desk(sample_site)


def news(extra: str = "") -> str:
    """A new item as Decap sends it, `extra` front matter lines added."""
    return NEWS_RAW.format(extra=extra)


def error_of(reply: DeskReply) -> str:
    assert reply.status >= 400, reply
    assert isinstance(reply.body, dict)
    message = reply.body["error"]
    assert isinstance(message, str) and message.startswith("Lỗi") and "Traceback" not in message
    return message


def test_info(desk: Desk) -> None:
    reply = desk.call("info")
    assert reply == DeskReply(200, {"repo": desk.source.parent.name, "publish_modes": ["simple"], "type": "local_fs"})


def test_entries_by_folder_and_get_entry(desk: Desk) -> None:
    reply = desk.call("entriesByFolder", {"folder": "content/news", "extension": "md", "depth": 2})
    assert reply.status == 200 and isinstance(reply.body, list)
    paths = [e["file"]["path"] for e in reply.body]
    assert "content/news/2020/yen-bai-co-quan-khoi-hai-cap.md" in paths and len(paths) == 17
    shallow = desk.call("entriesByFolder", {"folder": "content/news", "extension": "md", "depth": 1})
    assert shallow.body == []  # every item sits in a year folder
    entry = desk.call("getEntry", {"path": "content/news/2020/yen-bai-co-quan-khoi-hai-cap.md"})
    assert entry.status == 200 and isinstance(entry.body, dict)
    assert entry.body["data"] == (desk.source / "news/2020/yen-bai-co-quan-khoi-hai-cap.md").read_text()
    missing = desk.call("entriesByFiles", {"files": [{"path": "content/site.yaml", "label": "Thông tin trang"},
                                                     {"path": "content/pages/khong-co.md"}]})
    assert missing.status == 200 and isinstance(missing.body, list)
    assert missing.body[0]["file"]["label"] == "Thông tin trang" and missing.body[1]["data"] is None


def test_new_article_with_figure_and_image(desk: Desk) -> None:
    asset = {"path": "content/media/Ảnh Hội Nghị.PNG", "content": base64.b64encode(PNG).decode(), "encoding": "base64"}
    raw = news('image: /media/ảnh-hội-nghị.png\nimage_alt: Hội nghị\n'
               'figures:\n  - {metric: hoi-nghi-tiep-xuc-cu-tri, period: 2026-Q1, value: 1.030}\n')
    raw = raw.replace("/media/ảnh-hội-nghị.png", "/media/Ảnh Hội Nghị.PNG")
    reply = desk.persist("content/news/2026/hoi-nghi-tong-ket.md", raw, [asset])
    assert reply.status == 200, reply
    text = (desk.source / "news/2026/hoi-nghi-tong-ket.md").read_text()
    assert text == (
        "---\n"
        "title: Hội nghị tổng kết công tác Mặt trận\n"
        'date: "2026-05-10 09:30"\n'
        'unit: "tinh-lao-cai"\n'
        'category: "Hoạt động Mặt trận"\n'
        "tags: [Giám sát]\n"
        "image: media/2026/anh-hoi-nghi.png\n"
        "image_alt: Hội nghị\n"
        "draft: false\n"
        "figures:\n"
        '  - {metric: hoi-nghi-tiep-xuc-cu-tri, period: "2026-Q1", value: "1.030"}\n'
        "---\n\nNội dung **bài viết**.\n")
    assert (desk.source / "media/2026/anh-hoi-nghi.png").read_bytes() == PNG
    assert set(desk.saved) == {desk.source / "news/2026/hoi-nghi-tong-ket.md", desk.source / "media/2026/anh-hoi-nghi.png"}


def test_ambiguous_number_refused_with_field_and_nothing_written(desk: Desk) -> None:
    raw = news("figures:\n  - {metric: hoi-nghi-tiep-xuc-cu-tri, period: 2026-Q1, value: '1,030'}\n")
    asset = {"path": "content/media/anh.png", "content": base64.b64encode(PNG).decode(), "encoding": "base64"}
    message = error_of(desk.persist("content/news/2026/hoi-nghi.md", raw, [asset]))
    assert "Số liệu trong bài, số liệu thứ 1, Giá trị" in message and '"1,030"' in message
    assert not (desk.source / "news/2026/hoi-nghi.md").exists()
    assert not (desk.source / "media/2026").exists() and desk.saved == []


def test_unit_not_valid_at_the_period_refused(desk: Desk) -> None:
    raw = news("figures:\n  - {unit: huyen-van-yen, metric: hoi-nghi-tiep-xuc-cu-tri, period: 2026-Q1, value: '3'}\n")
    message = error_of(desk.persist("content/news/2026/hoi-nghi.md", raw))
    assert "Số liệu trong bài, số liệu thứ 1" in message and "huyen-van-yen" in message
    assert not (desk.source / "news/2026/hoi-nghi.md").exists()


def test_unknown_unit_refused_by_field(desk: Desk) -> None:
    message = error_of(desk.persist("content/news/2026/hoi-nghi.md", news().replace("tinh-lao-cai", "van-yen")))
    assert message.splitlines()[1].startswith("Đơn vị (content/news/2026/hoi-nghi.md, dòng 4)")


def test_double_counting_refused(desk: Desk) -> None:
    raw = news().replace("2026-05-10", "2020-08-10").replace("tinh-lao-cai", "tinh-yen-bai")
    raw = raw.replace("draft: false\n", "figures:\n  - {metric: tien-ung-ho-phong-chong-covid, period: 2020-Q1, "
                      "value: '5 triệu'}\n")
    message = error_of(desk.persist("content/news/2020/trung.md", raw))
    assert "Số liệu trong bài, số liệu thứ 1, Kỳ báo cáo (content/news/2020/trung.md, dòng 8)" in message
    assert "tính hai lần" in message and "Tệp khác" not in message
    assert not (desk.source / "news/2020/trung.md").exists()


def test_slug_clash_refused(desk: Desk) -> None:
    old = (desk.source / "news/2020/yen-bai-co-quan-khoi-hai-cap.md").read_text()
    message = error_of(desk.persist("content/news/2020/ban-sao.md", old))
    assert "ban-sao.md" in message
    assert not (desk.source / "news/2020/ban-sao.md").exists()


def test_rename_adds_former_address(desk: Desk) -> None:
    path = desk.source / "news/2020/yen-bai-mat-tran-dong-hanh-phong-chong-covid.md"
    raw = path.read_text().replace("title: Mặt trận các cấp tỉnh Yên Bái đồng hành cùng người dân phòng, chống dịch Covid-19",
                                   "title: Yên Bái chung tay phòng dịch")
    reply = desk.persist("content/news/2020/yen-bai-mat-tran-dong-hanh-phong-chong-covid.md", raw)
    assert reply.status == 200, reply
    text = path.read_text()
    assert 'aliases: ["/tin-tuc/2020/07/mat-tran-cac-cap-tinh-yen-bai-dong-hanh-cung-nguoi-dan-phong-chong-dich-covid-19/"]' in text
    again = desk.persist("content/news/2020/yen-bai-mat-tran-dong-hanh-phong-chong-covid.md",
                         text.replace("title: Yên Bái chung tay phòng dịch", "title: Yên Bái chung tay chống dịch"))
    assert again.status == 200, again
    assert ('aliases: ["/tin-tuc/2020/07/mat-tran-cac-cap-tinh-yen-bai-dong-hanh-cung-nguoi-dan-phong-chong-dich-covid-19/", '
            '"/tin-tuc/2020/07/yen-bai-chung-tay-phong-dich/"]') in path.read_text()


def test_new_path_move_keeps_alias_and_one_file(desk: Desk) -> None:
    old = desk.source / "news/2020/yen-bai-tiep-xuc-cu-tri.md"
    raw = old.read_text()
    title = next(line for line in raw.splitlines() if line.startswith("title:"))
    raw = raw.replace(title, "title: Tiếp xúc cử tri ở Yên Bái")
    reply = desk.persist("content/news/2020/yen-bai-tiep-xuc-cu-tri.md", raw, newPath="content/news/2020/tiep-xuc-cu-tri.md")
    assert reply.status == 200, reply
    assert not old.exists()
    moved = (desk.source / "news/2020/tiep-xuc-cu-tri.md").read_text()
    assert 'aliases: ["/tin-tuc/2020/07/co-quan-khoi-gop-suc' in moved and "Tiếp xúc cử tri ở Yên Bái" in moved


def test_media_upload_safe_name_year_folder(desk: Desk) -> None:
    asset = {"path": "content/media/Trụ Sở Mới.PNG", "content": base64.b64encode(PNG).decode(), "encoding": "base64"}
    first = desk.call("persistMedia", {"asset": asset})
    second = desk.call("persistMedia", {"asset": asset})
    assert first.status == 200 and isinstance(first.body, dict) and isinstance(second.body, dict)
    assert first.body["path"] == "content/media/2026/tru-so-moi.png" and first.body["public_path"] == "media/2026/tru-so-moi.png"
    assert second.body["path"] == "content/media/2026/tru-so-moi-2.png"
    assert (desk.source / "media/2026/tru-so-moi.png").read_bytes() == PNG
    listed = desk.call("getMedia", {"mediaFolder": "content/media"})
    assert isinstance(listed.body, list) and "content/media/2026/tru-so-moi.png" in [m["path"] for m in listed.body]
    got = desk.call("getMediaFile", {"path": "content/media/2026/tru-so-moi.png"})
    assert isinstance(got.body, dict) and base64.b64decode(got.body["content"]) == PNG


def test_an_upload_on_new_years_night_goes_to_the_vietnamese_year(sample_site: Path) -> None:
    """00:30 on 1 January in Viet Nam is still 31 December in UTC (Decap's `{{year}}`): the
    backend, which places every upload, files it under the new year, and the entry names it so."""
    from datetime import UTC, datetime
    desk = Desk(sample_site)
    desk.api = DeskApi(sample_site, frozenset({ORIGIN}), desk.saved.extend, now=lambda: datetime(2026, 12, 31, 17, 30, tzinfo=UTC))
    asset = {"path": "content/media/2026/phao-hoa.png", "content": base64.b64encode(PNG).decode(), "encoding": "base64"}
    reply = desk.persist("content/news/2026/don-nam-moi.md",
                         news("image: media/2026/phao-hoa.png\nimage_alt: Pháo hoa đêm giao thừa\n"), [asset])
    assert reply.status == 200, reply
    assert (sample_site / "media/2027/phao-hoa.png").read_bytes() == PNG and not (sample_site / "media/2026/phao-hoa.png").exists()
    assert "image: media/2027/phao-hoa.png\n" in (sample_site / "news/2026/don-nam-moi.md").read_text()
    alone = desk.call("persistMedia", {"asset": {**asset, "path": "content/media/2026/bang-ron.png"}})
    assert isinstance(alone.body, dict) and alone.body["path"] == "content/media/2027/bang-ron.png"


@pytest.mark.parametrize("name, data", [
    ("ve.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ("trang.html", b"<p>x</p>"),
    ("anh.png", b"<html><script>alert(1)</script></html>"),
])
def test_media_that_could_run_script_refused(desk: Desk, name: str, data: bytes) -> None:
    asset = {"path": f"content/media/{name}", "content": base64.b64encode(data).decode(), "encoding": "base64"}
    assert "không được đăng" in error_of(desk.call("persistMedia", {"asset": asset}))
    assert not (desk.source / "media/2026").exists()


def test_media_size_limit(desk: Desk) -> None:
    big = base64.b64encode(b"\0" * (MAX_UPLOAD_BYTES + 1)).decode()
    reply = desk.call("persistMedia", {"asset": {"path": "content/media/to.png", "content": big, "encoding": "base64"}})
    assert reply.status == 413 and "quá lớn" in error_of(reply) and "20 MB" in error_of(reply)


def test_delete(desk: Desk) -> None:
    item = desk.source / "news/2020/yen-bai-to-tu-quan-tieu-bieu.md"
    assert desk.call("deleteFile", {"path": "content/news/2020/yen-bai-to-tu-quan-tieu-bieu.md"}).status == 200
    assert not item.exists() and desk.saved == [item]
    shown = desk.call("deleteFiles", {"paths": ["content/media/2020/hanh-son.svg"]})
    assert "Ảnh" in error_of(shown) or "ảnh" in error_of(shown)
    assert (desk.source / "media/2020/hanh-son.svg").exists()  # an item shows it: kept
    assert error_of(desk.call("deleteFile", {"path": "content/units.yaml"}))
    assert (desk.source / "units.yaml").exists()


@pytest.mark.parametrize("host, origin", [
    ("evil.com:8080", None), ("127.0.0.1:8080", "http://evil.com"), (None, None),
    ("127.0.0.1:8080", "null"), ("127.0.0.1:9999", ORIGIN),
])
def test_foreign_host_or_origin_refused(desk: Desk, host: str | None, origin: str | None) -> None:
    reply = desk.call("getEntry", {"path": "content/site.yaml"}, host=host, origin=origin)
    assert reply.status == 403 and "từ chối" in error_of(reply)
    assert desk.call("getEntry", {"path": "content/site.yaml"}, host="localhost:8080", origin=None).status == 200


@pytest.mark.parametrize("path", [
    "../x", "/etc/passwd", "content/units.yaml", "content/../content/units.yaml", "content/news/../units.yaml",
    "content/news/x\0.md", "content\\news\\x.md", "content/.cache/x.md", "themes/default/templates/base.html",
    "content/templates/base.html", "output/index.html", "content/news/link/x.md", "content/news/out.md", "",
])
def test_paths_outside_refused(desk: Desk, path: str, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.md").write_text("---\ntitle: x\n---\n")
    os.symlink(outside, desk.source / "news/link")
    os.symlink(outside / "x.md", desk.source / "news/out.md")
    for action, params in (("getEntry", {"path": path}), ("deleteFile", {"path": path}),
                           ("persistEntry", {"dataFiles": [{"path": path, "raw": news(), "slug": "x"}], "assets": []})):
        reply = desk.call(action, params)
        assert reply.status in (400, 403), (action, reply)
        error_of(reply)
    assert (outside / "x.md").read_text() == "---\ntitle: x\n---\n" and (desk.source / "units.yaml").exists()


@pytest.mark.parametrize("body, content_type, method", [
    (b"{not json", "application/json", "POST"), (b"[]", "application/json", "POST"),
    (b'{"action": 3}', "application/json", "POST"), (b'{"action": "info", "params": []}', "application/json", "POST"),
    (b'{"action": "info"}', "text/plain", "POST"), (b'{"action": "info"}', "application/json", "GET"),
    (b'{"action": "getEntry", "params": {}}', "application/json", "POST"),
    (b'{"action": "entriesByFolder", "params": {"folder": "content/news", "depth": "x"}}', "application/json", "POST"),
    (b'{"action": "persistEntry", "params": {"dataFiles": [{"path": 3}]}}', "application/json", "POST"),
    (b'{"action": "persistEntry", "params": {"dataFiles": "x"}}', "application/json", "POST"),
    (b'{"action": "persistMedia", "params": {"asset": {"path": "content/media/a.png", "content": "%%%"}}}', "application/json", "POST"),
    (b'{"action": "deleteFiles", "params": {"paths": [1]}}', "application/json", "POST"),
    (b'{"action": "unpublishedEntries", "params": {}}', "application/json", "POST"),
    (b"\xff\xfe", "application/json", "POST"),
])
def test_malformed_requests_are_4xx_in_vietnamese(desk: Desk, body: bytes, content_type: str, method: str) -> None:
    reply = desk.api.handle(method, "127.0.0.1:8080", ORIGIN, content_type, body)
    assert 400 <= reply.status < 500, reply
    error_of(reply)


def test_get_deploy_preview_and_unknown(desk: Desk) -> None:
    assert desk.call("getDeployPreview", {"collection": "x", "slug": "y"}) == DeskReply(200, None)
    assert desk.call("khong-co").status == 422


def test_overlay_is_seen_by_the_loaders_only_within(sample_site: Path) -> None:
    from site_builder.base.errors import Problems
    from site_builder.load.sources import find_files, overlaid, read_text
    new, gone = sample_site / "news/2030/moi.md", sample_site / "news/2020/yen-bai-tiep-xuc-cu-tri.md"
    with overlaid({new: "---\ntitle: x\n---\n", gone: None}):
        found = find_files(sample_site / "news", (".md",))
        assert new in found and gone not in found
        text = read_text(new, Problems())
        assert text is not None and text.text == "---\ntitle: x\n---\n"
        problems = Problems()
        assert read_text(gone, problems) is None and problems.errors
    found = find_files(sample_site / "news", (".md",))
    assert new not in found and gone in found and not new.exists()


def test_a_failing_saved_callback_is_not_the_editors_problem(sample_site: Path) -> None:
    def broken(paths: list[Path]) -> None:
        raise RuntimeError("x")
    api = DeskApi(sample_site, frozenset({ORIGIN}), broken, now=lambda: NOW)
    body = json.dumps({"action": "persistEntry", "params": {"dataFiles": [
        {"path": "content/news/2026/moi.md", "raw": news(), "slug": "x"}], "assets": []}}).encode()
    assert api.handle("POST", "127.0.0.1:8080", ORIGIN, "application/json", body).status == 200
    assert (sample_site / "news/2026/moi.md").exists()


def test_image_named_by_base_name_is_found_in_its_year_folder(desk: Desk) -> None:
    """Decap writes a picked image as public folder + base name; the file is in media/<năm>/."""
    raw = news("image: /media/hanh-son.svg\nimage_alt: Trụ sở xã\n")
    assert desk.persist("content/news/2026/anh-cu.md", raw).status == 200
    assert "image: media/2020/hanh-son.svg\n" in (desk.source / "news/2026/anh-cu.md").read_text()
    missing = error_of(desk.persist("content/news/2026/anh-thieu.md", news("image: /media/khong-co.png\nimage_alt: x\n")))
    assert "Ảnh (content/news/2026/anh-thieu.md, dòng 7)" in missing
    no_alt = error_of(desk.persist("content/news/2026/anh-thieu.md", news("image: /media/hanh-son.svg\n")))
    assert "Mô tả ảnh" in no_alt


def test_missing_title_and_date_told_by_field(desk: Desk) -> None:
    raw = news().replace("title: Hội nghị tổng kết công tác Mặt trận\n", "").replace("date: 2026-05-10 09:30\n", "")
    message = error_of(desk.persist("content/news/2026/khong-ten.md", raw))
    assert "\nTiêu đề (content/news/2026/khong-ten.md, dòng 2): Thiếu \"title\"" in message
    assert "\nNgày đăng (" in message


def test_body_too_large_refused(desk: Desk) -> None:
    reply = desk.api.handle("POST", "127.0.0.1:8080", ORIGIN, "application/json", b" " * (30 * 1024 * 1024 + 1))
    assert reply.status == 413 and "quá lớn" in error_of(reply)


def test_write_failure_is_a_vietnamese_error_with_the_file(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    (desk.source / "news/2026/la-thu-muc.md").mkdir(parents=True)
    assert "content/news/2026/la-thu-muc.md" in error_of(desk.persist("content/news/2026/la-thu-muc.md", news()))

    def full(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(os, "replace", full)
    message = error_of(desk.persist("content/news/2026/moi.md", news()))
    assert message.startswith('Lỗi: không ghi được tệp "content/news/2026/moi.md" (') and "No space" not in message
    assert desk.saved == [] and not list((desk.source / "news/2026").glob(".desk-*"))


def test_data_file_saved_in_our_format_and_checked(desk: Desk) -> None:
    raw = ("- unit: tp-mong-cai\n  metric: nhiem-vu-dat-hang\n  period: 2019\n  value: 7\n  source: Báo cáo\n")
    assert desk.persist("content/data/moi.yaml", raw).status == 200, "a new data file"
    assert (desk.source / "data/moi.yaml").read_text() == (
        '- unit: "tp-mong-cai"\n  metric: nhiem-vu-dat-hang\n  period: "2019"\n  value: "7"\n  source: Báo cáo\n')
    bad = error_of(desk.persist("content/data/moi.yaml", raw.replace("value: 7", "value: '1,030'")))
    assert "Số liệu thứ 1, Giá trị (content/data/moi.yaml, dòng 4)" in bad
    assert 'value: "7"' in (desk.source / "data/moi.yaml").read_text()
    wrapped = "records:\n" + "".join("  " + line + "\n" for line in raw.replace("2019", "2020").splitlines())
    assert desk.persist("content/data/moi.yaml", wrapped).status == 200, "a list under one field, as Decap keeps it"
    assert 'period: "2020"' in (desk.source / "data/moi.yaml").read_text()


def test_checker_never_reuses_figures_of_another_candidate(sample_site: Path) -> None:
    """The checker keeps stages between saves, by the digests of their inputs: a new data file's
    digest is its candidate text's, not "no file"."""
    from site_builder.live.desk_check import Checker
    checker, path = Checker(sample_site), sample_site / "data/moi.yaml"
    raw = "- {unit: tp-mong-cai, metric: nhiem-vu-dat-hang, period: \"2019\", value: \"%s\"}\n"
    for value in ("7", "9", "7"):
        site = checker.load({path: raw % value}, NOW).site
        assert site is not None
        assert [str(r.value) for r in site.records if r.source.path == "data/moi.yaml"] == [value]
    edited = sample_site / "news/2020/yen-bai-co-quan-khoi-hai-cap.md"
    for value in ("298", "299"):
        text = edited.read_text()
        site = checker.load({edited: re.sub(r'value: "?298"?', f'value: "{value}"', text)}, NOW).site
        assert site is not None and value in {str(r.value) for r in site.records if r.source.path == "news/2020/yen-bai-co-quan-khoi-hai-cap.md"}
