"""Property tests: random and mutated sources fed to the loader (and, for news items, to every check
a build makes). Each outcome is a site or `BuildFailed` whose problems all name a file (and a
line, where there is one) — never another exception, never a hang, never a crash of the process."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import NOW, REPO, SAMPLE, make_site, news_item
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from site_builder.base.errors import BuildFailed
from site_builder.build.builder import check
from site_builder.load.sources import MAX_SOURCE_BYTES
from site_builder.model.site import load_site

FUZZ = settings(max_examples=30, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
ITEM = "news/2020/hanh-son-bo-phan-giup-viec-chung.md"
VIETNAMESE = re.compile("[\u00c0-\u1ef9]")  # a letter with Vietnamese marks: an editor's message reads Vietnamese


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("fuzz") / "content"
    shutil.copytree(SAMPLE, target)
    return target


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_site(tmp_path_factory.mktemp("fuzz-small"))


def assert_clean_outcome(problems_root: Path, run: object) -> None:
    """`run()` succeeds, or fails with problems that each name a source file."""
    try:
        run()  # type: ignore[operator]
    except BuildFailed as failed:
        assert failed.problems.errors
        for problem in failed.problems.items:
            assert problem.path.startswith("content/") or problem.path.startswith(".cache"), problem
            assert problem.line is None or problem.line >= 1, problem
            assert problem.message and "\n" not in problem.path + problem.message, problem
            assert "Traceback" not in problem.message and VIETNAMESE.search(problem.message), problem
            if problem.message.startswith("YAML") or "lồng nhau" in problem.message:
                assert problem.line is not None, problem  # a broken text is placed at its line


@pytest.fixture
def replaced(sample: Path) -> Iterator[object]:
    """Write bytes over one file of the sample for one example, and put the original back."""
    saved: dict[Path, bytes | None] = {}

    def put(rel: str, data: bytes) -> Path:
        path = sample / rel
        if path not in saved:
            saved[path] = path.read_bytes() if path.exists() else None
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    yield put
    for path, data in saved.items():
        if data is None:
            path.unlink(missing_ok=True)
        else:
            path.write_bytes(data)


def load(source: Path) -> object:
    return lambda: load_site(source, now=NOW)


# --- mutations -------------------------------------------------------------------------------

YAMLISH = st.sampled_from(list(":-[]{}#&*!|>'\"%@`,?\n\t ") + ["---", "...", "- ", ": ", "\n  ", "\n- ", "0x1F", "1e999",
                                                                "!!python/object:os.system", "<<: *a", "&a", "~", "null",
                                                                "2020-13-45", "\u0300", "đ", "\ufeff", "\x00", "\r"])


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    """`text` with a few random edits: characters removed, YAML-significant pieces inserted."""
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "duplicate", "text"]))
        if action == "insert":
            text = text[:at] + draw(YAMLISH) + text[at:]
        elif action == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)):]
        elif action == "duplicate":
            text = text[:at] + text[at: at + draw(st.integers(1, 80))] * 2 + text[at:]
        else:
            text = text[:at] + draw(st.text(max_size=20)) + text[at:]
    return text


def sample_text(rel: str) -> str:
    return (SAMPLE / rel).read_text(encoding="utf-8")


@pytest.mark.parametrize("rel", [ITEM, "units.yaml", "metrics.yaml", "data/mong-cai.yaml", "data/yen-bai-2020.csv",
                                 "site.yaml", "pages/gioi-thieu.md"])
def test_mutated_sources(sample: Path, replaced, rel: str) -> None:  # type: ignore[no-untyped-def]
    if not (SAMPLE / rel).exists():
        pytest.skip(f"the sample has no {rel}")

    @FUZZ
    @given(mutated(sample_text(rel)))
    def property(text: str) -> None:
        replaced(rel, text.encode("utf-8", "surrogatepass"))
        assert_clean_outcome(sample, load(sample))

    property()


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
KEYS = st.sampled_from(["title", "date", "unit", "units", "category", "tags", "authors", "summary", "image",
                        "image_alt", "slug", "draft", "figures", "updated", "x"])


@FUZZ
@given(st.dictionaries(KEYS, JSONISH, max_size=8), st.booleans())
def test_random_front_matter_through_every_check(small: Path, meta: dict, keep_required: bool) -> None:  # type: ignore[type-arg]
    """Random values for every key, as YAML, through loading, planning, paths and rendering."""
    import yaml

    if keep_required:
        meta = {"title": "Tiêu đề", "date": "2024-05-10 09:30", "unit": "xa-c", **meta}
    text = "---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n\nNội dung.\n"
    path = small / "news/fuzz.md"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        assert_clean_outcome(small, lambda: check(small, now=NOW))
    finally:
        path.unlink()


MARKDOWN = st.lists(st.sampled_from(["#", "##", "- ", "1. ", "> ", "```", "~~~", "|", "---", "*", "_", "[", "](", ")",
                                     "![", "<div>", "</div>", "<", ">", "&", "&#0;", "\\", "    ", "\n", "\n\n", "[^1]",
                                     "[^1]: ", "*[", "{: #x }", ": ", "đ", "Ư", "\u0301", "<script>", "javascript:",
                                     "/media/x.svg", "http://", "<!--", "-->", "`", "\t"]) | st.text(max_size=8),
                    max_size=60).map("".join)


@FUZZ
@given(MARKDOWN)
def test_random_markdown_bodies(small: Path, body: str) -> None:
    path = small / "news/fuzz.md"
    path.write_text(news_item(body=body), encoding="utf-8", errors="surrogatepass")
    try:
        assert_clean_outcome(small, lambda: check(small, now=NOW))
    finally:
        path.unlink()


def _encodings(text: str) -> st.SearchStrategy[bytes]:
    data = text.encode("utf-8")
    return st.one_of(
        st.binary(max_size=300),
        st.just(text.encode("utf-16")), st.just(text.encode("utf-16-le")), st.just(b"\xff\xfe" + text.encode("utf-16-le")),
        st.just(text.encode("cp1258", "replace")), st.just(b"\xef\xbb\xbf" + data), st.just(b"\xef\xbb\xbf" * 3 + data),
        st.integers(1, len(data) - 1).map(lambda n: data[:n]),  # truncated, maybe inside a character
        st.tuples(st.integers(0, len(data)), st.binary(min_size=1, max_size=4)).map(lambda t: data[:t[0]] + t[1] + data[t[0]:]),
    )


@pytest.mark.parametrize("rel", [ITEM, "units.yaml", "metrics.yaml", "data/yen-bai-2020.csv", "data/mong-cai.yaml"])
def test_file_encodings(sample: Path, replaced, rel: str) -> None:  # type: ignore[no-untyped-def]
    @FUZZ
    @given(_encodings(sample_text(rel)))
    def property(data: bytes) -> None:
        replaced(rel, data)
        assert_clean_outcome(sample, load(sample))

    property()


# --- bounded sizes and nesting ---------------------------------------------------------------

def errors_of(source: Path) -> list[tuple[str, int | None, str]]:
    with pytest.raises(BuildFailed) as failed:
        load_site(source, now=NOW)
    return [(p.path, p.line, p.message) for p in failed.value.problems.errors]


@pytest.mark.parametrize("rel", ["news/2020/lon.md", "data/lon.csv", "units.yaml", "site.yaml", "metrics.yaml",
                                 "data/mong-cai.yaml", "pages/gioi-thieu.md"])
def test_file_over_the_size_limit(sample: Path, replaced, rel: str) -> None:  # type: ignore[no-untyped-def]
    """A 50 MB source of any kind is refused by name before it is read, with what to do."""
    assert MAX_SOURCE_BYTES < 50 * 1024 * 1024
    with replaced(rel, b"").open("r+b") as handle:
        handle.truncate(50 * 1024 * 1024)
    with pytest.raises(BuildFailed) as failed:
        load_site(sample, now=NOW)
    [problem] = [p for p in failed.value.problems.errors if p.path == f"content/{rel}"]
    assert problem.message == "tệp quá lớn (50 MB)." and "20 MB" in problem.hint


def nested(kind: str, depth: int, indent: int) -> str:
    """A YAML value nested `depth` levels deep, for a key indented by `indent` spaces."""
    if kind == "flow":
        return "[" * depth + "1" + "]" * depth
    if kind == "flow-map":
        return "{a: " * depth + "1" + "}" * depth
    pad = " " * (indent + 2)
    if kind == "block-list":
        return "\n" + "".join(pad + " " * (2 * i) + "-\n" for i in range(depth)) + pad + " " * (2 * depth) + "- 1"
    return "\n" + "".join(pad + " " * i + f"k{i}:\n" for i in range(depth)) + pad + " " * depth + "x: 1"


KINDS = ["flow", "flow-map", "block-list", "block-map"]
# Every kind of YAML source, and how one more value is written into it at its top level.
YAML_SOURCES = [ITEM, "units.yaml", "metrics.yaml", "data/mong-cai.yaml", "site.yaml"]


def with_value(rel: str, value: object) -> str:
    """The sample's `rel` with one more key whose YAML value is `value(indent)`."""
    text = sample_text(rel)
    if rel == ITEM:
        return text.replace("tags:\n", f"sau: {value(0)}\ntags:\n", 1)  # type: ignore[operator]
    if rel == "site.yaml":
        return text + f"\nsau: {value(0)}\n"  # type: ignore[operator]
    return text + f"\n- id: sau\n  extra: {value(2)}\n"  # type: ignore[operator]


LOAD_IN_A_CHILD = ("import sys; from pathlib import Path; from site_builder.model.site import load_site\n"
                   "from site_builder.base.errors import BuildFailed\n"
                   "try:\n    load_site(Path(sys.argv[1]))\nexcept BuildFailed as f:\n"
                   "    print('\\n'.join(p.format() for p in f.problems.errors))\n")


def load_in_a_child(sample: Path, timeout: float) -> str:
    """Load the site in a child process (a crash of libyaml would take pytest down with it, and a
    hang ends at `timeout`, failing the test); the printed errors."""
    result = subprocess.run([sys.executable, "-c", LOAD_IN_A_CHILD, str(sample)], capture_output=True, text=True,
                            cwd=REPO, timeout=timeout)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stdout + result.stderr
    return result.stdout


# 10 000 levels of every kind in every source; 100 000 in flow style in one front matter and one
# list file (block nesting that deep is ~100 MB of indentation: over the size limit anyway).
NESTING = [(rel, kind, 10_000) for rel in YAML_SOURCES for kind in KINDS] + \
          [(rel, kind, 100_000) for rel in (ITEM, "units.yaml") for kind in ("flow", "flow-map")]


@pytest.mark.parametrize(("rel", "kind", "depth"), NESTING)
def test_deep_nesting_in_every_yaml_source(sample: Path, replaced, rel: str, kind: str, depth: int) -> None:  # type: ignore[no-untyped-def]
    """Deep nesting in front matter, units, metrics, data records or settings is a Vietnamese
    error naming that file and a line, and the process survives."""
    text = with_value(rel, lambda indent: nested(kind, depth, indent))
    replaced(rel, text.encode("utf-8"))
    printed = load_in_a_child(sample, timeout=120)
    if len(text.encode("utf-8")) > MAX_SOURCE_BYTES:
        assert f"content/{rel}: Lỗi: tệp quá lớn" in printed, printed
    else:
        assert re.search(rf"^content/{re.escape(rel)}:\d+: Lỗi: YAML lồng nhau quá sâu", printed, re.M), printed


def alias_bomb(levels: int, width: int, indent: int) -> str:
    """A few hundred bytes of YAML whose aliases unfold into width**levels values."""
    pad = " " * (indent + 2)
    lines = [f"{pad}a0: &a0 [{', '.join(['x'] * width)}]"]
    lines += [f"{pad}a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]" for i in range(1, levels)]
    return "\n" + "\n".join(lines)


@pytest.mark.parametrize("rel", YAML_SOURCES)
def test_alias_bomb_in_every_yaml_source(sample: Path, replaced, rel: str) -> None:  # type: ignore[no-untyped-def]
    """Aliases that would unfold a small file into a billion values are refused at a line, at
    once, instead of hanging whatever walks the data."""
    text = with_value(rel, lambda indent: alias_bomb(10, 9, indent))
    assert len(text.encode("utf-8")) < len(sample_text(rel).encode("utf-8")) + 1000
    replaced(rel, text.encode("utf-8"))
    printed = load_in_a_child(sample, timeout=60)
    assert re.search(rf"^content/{re.escape(rel)}:\d+: Lỗi: YAML dùng lại giá trị có neo", printed, re.M), printed


def test_aliases_in_moderation_still_work(sample: Path, replaced) -> None:  # type: ignore[no-untyped-def]
    """An anchor reused a few times (YAML's own way to avoid repeating a value) is fine."""
    text = sample_text(ITEM).replace("tags:\n", "nhan: &n [một, hai]\nlai: *n\ntags:\n", 1)
    replaced(ITEM, text.encode("utf-8"))
    site = load_site(sample, now=NOW)
    assert any(item.rel.endswith(ITEM) for item in site.items)


@pytest.mark.parametrize("body", ["> " * 10_000 + "Sâu.", "- " * 10_000 + "mục", "1. " * 10_000 + "mục",
                                  "<div>" * 10_000 + "x" + "</div>" * 10_000,
                                  "".join("  " * i + "- mục\n" for i in range(500))])
def test_markdown_nested_very_deep(small: Path, body: str) -> None:
    path = small / "news/sau.md"
    path.write_text(news_item(body=body + "\n"), encoding="utf-8")
    try:
        assert_clean_outcome(small, lambda: check(small, now=NOW))
    finally:
        path.unlink()
