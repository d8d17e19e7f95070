"""An S3-compatible bucket (AWS, and the Vietnamese providers that speak S3), through boto3.

Each file is put with its `Content-Type` and `Cache-Control` (`content_types`); the state is the
manifest object checked against a listing of the prefix. Keys come from the environment or a
named profile (boto3's own lookup), never from site.yaml. Requests use path-style addressing on a
custom endpoint and send checksums only where required: what S3-compatible servers accept.
"""
from __future__ import annotations

import importlib
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from typing import Any

from ..base.deploy_targets import S3Target
from .built import MANIFEST, BuiltSite
from .content_types import FRESH, cache_control, content_type
from .errors import DeployFailed
from .plan import RemoteState, decode_manifest

BIG = 64 * 1024 * 1024  # above this a file goes up in parts (boto3's managed transfer)
WORKERS = 8  # requests in flight within one phase: a round trip to the provider each, not CPU
KEYS = ("Chưa có khóa truy cập S3. Hãy đặt biến môi trường AWS_ACCESS_KEY_ID và AWS_SECRET_ACCESS_KEY "
        "(không ghi khóa vào site.yaml), hoặc ghi profile: TÊN trong mục deploy để dùng hồ sơ trong ~/.aws/credentials.")
_CODES = {
    "NoSuchBucket": ("bucket không tồn tại", "Hãy kiểm tra bucket trong mục deploy của site.yaml, hoặc tạo bucket đó trước."),
    "InvalidAccessKeyId": ("khóa truy cập không đúng", "Hãy kiểm tra biến môi trường AWS_ACCESS_KEY_ID."),
    "SignatureDoesNotMatch": ("khóa bí mật không khớp", "Hãy kiểm tra biến môi trường AWS_SECRET_ACCESS_KEY."),
    "AccessDenied": ("máy chủ từ chối quyền truy cập", "Hãy xin cấp quyền đọc, ghi và xóa trong bucket cho khóa này."),
}


def _boto3() -> Any:
    try:
        return importlib.import_module("boto3")
    except ImportError as exc:
        raise DeployFailed("chưa cài thư viện boto3 để đưa trang lên máy chủ S3.",
                           "Hãy cài: pip install 'site-builder[deploy]' (hoặc pip install boto3), rồi chạy lại.") from exc


class S3Remote:
    def __init__(self, target: S3Target, site: BuiltSite) -> None:
        self.target, self.site = target, site
        self.prefix = target.prefix + "/" if target.prefix else ""
        self.where = f"s3://{target.bucket}/{self.prefix}" + (f" tại {target.endpoint}" if target.endpoint else "")
        self.extra: dict[str, bytes] = {}
        self.whole = False
        self.client = self._client()

    def _client(self) -> Any:
        boto3 = _boto3()
        from botocore.config import Config
        from botocore.exceptions import BotoCoreError
        try:
            session = boto3.session.Session(profile_name=self.target.profile or None)
        except BotoCoreError as exc:  # ProfileNotFound
            raise DeployFailed(f'không có hồ sơ "{self.target.profile}" trong cấu hình AWS của máy này.',
                               "Hãy sửa profile trong mục deploy của site.yaml, hoặc bỏ nó và đặt biến môi trường "
                               "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY.") from exc
        if session.get_credentials() is None:
            raise DeployFailed(f"không đưa được lên {self.where}.", KEYS)
        config = Config(s3={"addressing_style": "path"} if self.target.endpoint else {},
                        retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=10, read_timeout=60,
                        request_checksum_calculation="when_required", response_checksum_validation="when_required")
        return session.client("s3", endpoint_url=self.target.endpoint or None,
                              region_name=self.target.region or "us-east-1", config=config)

    @contextmanager
    def _said(self) -> Iterator[None]:
        """botocore's errors, said in Vietnamese with what to check."""
        from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError, NoCredentialsError
        try:
            yield
        except NoCredentialsError as exc:
            raise DeployFailed(f"không đưa được lên {self.where}.", KEYS) from exc
        except EndpointConnectionError as exc:
            raise DeployFailed(f"không kết nối được máy chủ S3 {self.target.endpoint or 'của AWS'}.",
                               "Hãy kiểm tra endpoint trong mục deploy của site.yaml và mạng của máy này, rồi chạy lại: "
                               "lần sau sẽ làm tiếp phần còn thiếu.") from exc
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            what, todo = _CODES.get(code, (f"máy chủ trả lời lỗi {code or 'không rõ'}",
                                           "Hãy kiểm tra endpoint, bucket, region và khóa truy cập, rồi chạy lại."))
            raise DeployFailed(f"không đưa được lên {self.where}: {what}.", todo) from exc
        except BotoCoreError as exc:
            raise DeployFailed(f"không đưa được lên {self.where} (lỗi kết nối: {type(exc).__name__}).",
                               "Hãy kiểm tra endpoint và mạng của máy này, rồi chạy lại.") from exc
        except OSError as exc:
            raise DeployFailed(f"không đọc được tệp {exc.filename or ''} để tải lên.",
                               "Hãy xây dựng lại trang rồi chạy lại.") from exc

    def state(self) -> RemoteState:
        from botocore.exceptions import ClientError
        listing: set[str] = set()
        with self._said():
            pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.target.bucket, Prefix=self.prefix)
            for page in pages:
                listing.update(item["Key"][len(self.prefix):] for item in page.get("Contents", ())
                               if not item["Key"].endswith("/"))  # a provider's folder marker, not a file
            listing.discard(MANIFEST)
            try:
                body = self.client.get_object(Bucket=self.target.bucket, Key=self.prefix + MANIFEST)["Body"].read()
                manifest = decode_manifest(body)
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") not in ("NoSuchKey", "404"):
                    raise
                manifest = None
        return RemoteState(manifest, frozenset(listing))

    def put_one(self, rel: str) -> None:
        """One file with its headers (a test stops a deploy here)."""
        key, kind, cache = self.prefix + rel, content_type(rel), cache_control(rel)
        if rel in self.extra:
            self.client.put_object(Bucket=self.target.bucket, Key=key, Body=self.extra[rel], ContentType=kind,
                                   CacheControl=cache)
            return
        path = self.site.path(rel)
        if path.stat().st_size > BIG:
            self.client.upload_file(str(path), self.target.bucket, key,
                                    ExtraArgs={"ContentType": kind, "CacheControl": cache})
            return
        with open(path, "rb") as body:
            self.client.put_object(Bucket=self.target.bucket, Key=key, Body=body, ContentType=kind, CacheControl=cache)

    def upload(self, rels: Sequence[str]) -> None:
        """One phase's files, `WORKERS` at a time (a boto3 client is shared by threads); the phase
        ends only when all are up, and the first failure or Ctrl-C cancels what has not started."""
        with self._said():
            pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="s3")
            try:
                for done in as_completed([pool.submit(self.put_one, rel) for rel in rels]):
                    done.result()
            finally:
                pool.shutdown(wait=True, cancel_futures=True)

    def put_manifest(self, data: bytes) -> None:
        with self._said():
            self.client.put_object(Bucket=self.target.bucket, Key=self.prefix + MANIFEST, Body=data,
                                   ContentType="application/json", CacheControl=FRESH)

    def delete(self, rels: Sequence[str]) -> None:
        with self._said():
            for start in range(0, len(rels), 1000):
                batch = [{"Key": self.prefix + rel} for rel in rels[start:start + 1000]]
                answer = self.client.delete_objects(Bucket=self.target.bucket, Delete={"Objects": batch, "Quiet": True})
                if answer.get("Errors"):
                    first = answer["Errors"][0]
                    raise DeployFailed(f"không xóa được {first.get('Key', '')} trên {self.where} "
                                       f"({first.get('Code', 'không rõ')}).",
                                       "Hãy kiểm tra quyền xóa của khóa truy cập, rồi chạy lại.")

    def finish(self) -> None:
        return None
