"""The built output a deploy publishes: refused unless site-builder made it with a normal build
that had no errors; its files with their SHA-256."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..base.build_status import last_failed
from ..base.streams import digest_file
from ..base.walk import walk_files
from ..write.output import BUILT, BUILT_DRAFTS, MARKER, MARKER_TEXT, TEMPORARY, read_marker
from .errors import DeployFailed

MANIFEST = ".site-builder-deploy.json"  # kept on the target: what each deployed file's SHA-256 is
REBUILD = "Hãy chạy site-builder build (không có --drafts) rồi đưa lên lại."


@dataclass(frozen=True)
class BuiltSite:
    """An output folder fit to publish, and each file's SHA-256 by its path in it."""

    root: Path
    files: dict[str, str]

    def path(self, rel: str) -> Path:
        return self.root.joinpath(*rel.split("/"))


def check_built(output: Path, cache_folder: Path | None) -> None:
    """Refuse an output that is missing, not site-builder's, made with --drafts, of unknown state
    (a build cut short, an older site-builder), or whose last build had errors."""
    if not output.is_dir():
        raise DeployFailed(f"không có thư mục kết quả {output}.",
                           "Hãy xây dựng trang trước (site-builder build), hoặc chỉ đúng thư mục bằng --output.")
    marker = read_marker(output)
    if marker is None:
        raise DeployFailed(f"thư mục {output} không phải thư mục kết quả của site-builder (thiếu tệp {MARKER}).",
                           "Hãy chỉ đúng thư mục kết quả bằng --output; chỉ đưa lên trang do site-builder build tạo ra.")
    if marker == MARKER_TEXT + BUILT_DRAFTS:
        raise DeployFailed(f"thư mục {output} được xây dựng với --drafts (có cả bài nháp, chỉ để xem trước).",
                           REBUILD)
    if marker != MARKER_TEXT + BUILT:
        raise DeployFailed(f"không rõ lần xây dựng gần nhất vào {output} đã hoàn tất hay chưa.", REBUILD)
    if last_failed(cache_folder, output):
        raise DeployFailed(f"lần xây dựng gần nhất vào {output} có lỗi; thư mục vẫn giữ bản cũ hơn nguồn.",
                           "Hãy sửa lỗi, chạy site-builder build cho đến khi không còn lỗi, rồi đưa lên lại.")


def read_built(output: Path) -> BuiltSite:
    """Every file of the output but the marker and a killed write's leftovers, with its SHA-256."""
    files: dict[str, str] = {}
    for rel, entry in walk_files(str(output), follow_links=False):
        name = rel.rsplit("/", 1)[-1]
        if rel in (MARKER, MANIFEST) or name.startswith(TEMPORARY) or entry.is_symlink():
            continue
        files[rel] = digest_file(Path(entry.path))
    return BuiltSite(output, dict(sorted(files.items())))
