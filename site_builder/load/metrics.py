"""`metrics.yaml` → the registry of metrics: what each figure measures and how it adds up."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..base.errors import Problems
from ..base.vietnamese import clean_text, slugify
from .units import near_ids
from .yamlload import LineDict, LineList, as_typed, load_yaml_file, torn_values

KINDS = ("flow", "stock", "coverage")
# number: whole things counted (cuộc, người); money: whole đồng; decimal: a measure with a fraction.
FORMATS = ("number", "money", "decimal")


@dataclass(frozen=True)
class Metric:
    """One metric: `flow` sums over units and time, `stock` is a level as of a date, `coverage` is n/d."""

    id: str
    label: str
    unit: str
    kind: str
    format: str
    group: str
    description: str
    line: int


@dataclass(frozen=True)
class MetricRegistry:
    """Metrics by id, in the order metrics.yaml lists them."""

    metrics: dict[str, Metric]

    def __contains__(self, metric_id: object) -> bool:
        return metric_id in self.metrics

    def __getitem__(self, metric_id: str) -> Metric:
        return self.metrics[metric_id]


def metric_hint(typed: str, metrics: MetricRegistry) -> str:
    """What to do about an unknown metric id: the one metric it is a near spelling of, or none."""
    near = near_ids(typed, metrics.metrics)
    if len(near) == 1:
        return f'Có phải "{near[0]}" ({metrics[near[0]].label})? Nếu đúng, hãy sửa thành "{near[0]}".'
    return "Hãy dùng một mã chỉ tiêu có trong metrics.yaml, hoặc khai báo thêm chỉ tiêu này."


def load_metrics(source: Path, problems: Problems) -> MetricRegistry:
    """Read `source/metrics.yaml` (optional: a site without figures has none)."""
    path = source / "metrics.yaml"
    if not path.is_file():
        return MetricRegistry({})
    data = load_yaml_file(path, problems, LineList,
                          'metrics.yaml phải là danh sách chỉ tiêu (mỗi chỉ tiêu bắt đầu bằng "- id: ...").')
    if data is None:
        return MetricRegistry({})
    metrics: dict[str, Metric] = {}
    for index, entry in enumerate(data):
        line = data.line_of(index)
        if not isinstance(entry, LineDict):
            problems.error(path, line, 'mỗi chỉ tiêu phải có dạng "- id: ..." với label, unit, kind.')
            continue
        for torn in torn_values(entry):
            problems.error(path, torn.line, *torn.message())
        entry = _as_typed(entry)
        metric_id = entry.get("id")
        if not isinstance(metric_id, str) or slugify(metric_id) != metric_id:
            problems.error(path, entry.line_of("id"), f'mã chỉ tiêu "{metric_id}" không hợp lệ.',
                           'Mã chỉ gồm chữ thường không dấu, số và dấu "-", ví dụ "cuoc-giam-sat".')
            continue
        if metric_id in metrics:
            problems.error(path, entry.line_of("id"), f'mã chỉ tiêu "{metric_id}" bị trùng (đã có ở dòng {metrics[metric_id].line}).',
                           "Mỗi chỉ tiêu cần một mã riêng.")
            continue
        fields: dict[str, str] = {}
        for key in ("label", "unit"):
            value = entry.get(key)
            if not isinstance(value, str) or not value.strip():
                problems.error(path, entry.line_of(key), f'chỉ tiêu "{metric_id}" thiếu "{key}".',
                               f'Hãy thêm "{key}: ..." (label: tên chỉ tiêu; unit: đơn vị tính, ví dụ "cuộc").')
            fields[key] = clean_text(str(value or ""))
        kind = entry.get("kind")
        if kind not in KINDS:
            problems.error(path, entry.line_of("kind"), f'loại chỉ tiêu "{kind}" của "{metric_id}" không hợp lệ.',
                           "Hãy dùng flow (số phát sinh trong kỳ), stock (số có tại một thời điểm) hoặc coverage (tử số/mẫu số).")
        fmt = entry.get("format", "number")
        if fmt not in FORMATS:
            problems.error(path, entry.line_of("format"), f'định dạng "{fmt}" của "{metric_id}" không hợp lệ.',
                           "Hãy dùng number (đếm số nguyên), money (số tiền, đồng) hoặc decimal (số có phần lẻ).")
        for key in entry:
            if key not in ("id", "label", "unit", "kind", "format", "group", "description"):
                problems.warn(path, entry.line_of(key), f'mục "{key}" không được dùng.', "Hãy kiểm tra chính tả tên mục.")
        metrics[metric_id] = Metric(
            id=metric_id, label=fields["label"], unit=fields["unit"], kind=str(kind), format=str(fmt),
            group=clean_text(str(entry.get("group") or "")), description=clean_text(str(entry.get("description") or "")),
            line=entry.line,
        )
    return MetricRegistry(metrics)


def _as_typed(entry: LineDict) -> LineDict:
    """The entry with each value as the editor typed it (`label: 2020` stays "2020", `unit: yes`
    stays "yes"); lines are kept."""
    typed = LineDict({key: as_typed(value, entry.raw.get(key)) for key, value in entry.items()})
    typed.line, typed.lines, typed.raw, typed.key_raw = entry.line, entry.lines, entry.raw, entry.key_raw
    typed.flow, typed.bare = entry.flow, entry.bare
    return typed
