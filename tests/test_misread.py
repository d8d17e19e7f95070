"""Issue 12: a figure is never silently misread. Whatever YAML, a spreadsheet or a keyboard did
to what the editor typed is either read exactly as typed or refused at its file and line,
quoting the text; impossible figures, unit cycles and near-miss ids are named, never guessed."""
from __future__ import annotations

import re
import shutil
import textwrap
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import SAMPLE, SITE_YAML, UNITS_YAML, make_site, news_item
from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.base.vietnamese import ParseError, format_number, parse_number, slugify
from site_builder.cli.main import main

LINE = re.compile(r"^(?P<path>content/[^:\n]+?)(?::(?P<line>\d+))?: (?P<level>Lỗi|Cảnh báo): (?P<msg>.*)\n(?:    (?P<hint>.*))?",
                  re.M)

METRICS_YAML = textwrap.dedent("""\
    - id: cuoc-giam-sat
      label: Cuộc giám sát
      unit: cuộc
      kind: flow
    - id: tien-ung-ho
      label: Tiền ủng hộ
      unit: đồng
      kind: flow
      format: money
    - id: thanh-vien
      label: Thành viên
      unit: người
      kind: stock
    - id: xa-co-khoi
      label: Xã có cơ quan Khối
      unit: xã
      kind: coverage
    """)
DECIMAL_METRIC = "- id: dien-tich\n  label: Diện tích trồng cây\n  unit: ha\n  kind: flow\n  format: decimal\n"

# The purpose-made tree of conftest, and communes whose ids are one letter apart.
COMMUNES = textwrap.dedent("""\
            - id: huyen-van-yen
              name: Huyện Văn Yên
              type: huyen
              children:
                - id: xa-dong-cuong
                  name: Xã Đông Cuông
                  type: xa
                - id: xa-an-binh
                  name: Xã An Bình
                  type: xa
                - id: xa-an-dinh
                  name: Xã An Định
                  type: xa
    """)
UNITS = UNITS_YAML + COMMUNES


def problems_of(err: str) -> list[dict[str, str | int | None]]:
    """Every printed problem: path, line, level, message, hint."""
    return [{"path": m["path"], "line": int(m["line"]) if m["line"] else None, "level": m["level"],
             "msg": m["msg"], "hint": m["hint"] or ""} for m in LINE.finditer(err)]


def run(command: str, source: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    """`site-builder build|check` in-process; (exit code, stderr). A traceback fails the test."""
    capsys.readouterr()
    args = [command, "--source", str(source)]
    if command == "build":
        args += ["--output", str(source.parent / "output")]
    code = main([*args, *extra])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def site(tmp_path: Path, figures: str | None = None, files: dict[str, str] | None = None,
         news: dict[str, str] | None = None, units_yaml: str = UNITS, site_yaml: str = SITE_YAML) -> Path:
    """A small site with the metrics above; `figures` is the raw YAML after "figures:" in one item."""
    if news is None:
        extra = {"figures": figures} if figures is not None else {}
        news = {"news/2024/a.md": news_item(title="Bài có số liệu", **extra)}
    return make_site(tmp_path, news=news, units_yaml=units_yaml, site_yaml=site_yaml,
                     files={"metrics.yaml": METRICS_YAML, **(files or {})})


def refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], **kwargs: object) -> list[dict[str, str | int | None]]:
    """Build and check the site: both must fail with the same errors, and write no output."""
    source = site(tmp_path, **kwargs)  # type: ignore[arg-type]
    code, err = run("build", source, capsys)
    assert code == 1, err
    assert not (source.parent / "output").exists()
    check_code, check_err = run("check", source, capsys)
    assert check_code == 1, check_err
    errors = [p for p in problems_of(err) if p["level"] == "Lỗi"]
    assert errors == [p for p in problems_of(check_err) if p["level"] == "Lỗi"]
    return errors


# --- 1. a flow mapping torn by a comma ------------------------------------------------------------

TORN = [
    # (figures as typed, the text the message must quote, a fragment of the hint)
    ('[{metric: cuoc-giam-sat, period: "2021", value: 1,030}]', "1,030", 'value: "1.030"'),
    ('[{metric: cuoc-giam-sat, period: "2021", value: 1,030,500}]', "1,030,500", 'value: "1.030.500"'),
    ('[{metric: cuoc-giam-sat, value: 1,030, period: "2021"}]', "1,030", "value: 1030"),
    ('[{metric: tien-ung-ho, period: "2021", value: 16,4 tỷ}]', "16,4 tỷ", 'value: "16,4 tỷ"'),
    ('[{metric: xa-co-khoi, period: "2021", value: "9", denominator: 1,017}]', "1,017", 'denominator: "1.017"'),
    ('[{metric: cuoc-giam-sat, period: "2021", value: "3", note: Họp dân, tiếp xúc cử tri}]',
     "Họp dân,tiếp xúc cử tri", 'note: "'),
]


@pytest.mark.parametrize("figures, typed, hint", TORN)
def test_a_value_torn_by_a_comma_is_an_error_quoting_it(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                        figures: str, typed: str, hint: str) -> None:
    errors = refused(tmp_path, capsys, figures=figures)
    assert len(errors) == 1, errors
    [error] = errors
    assert (error["path"], error["line"]) == ("content/news/2024/a.md", 5)
    assert typed in str(error["msg"]) and "tách đôi" in str(error["msg"])
    assert hint in str(error["hint"])


def test_the_issue_example_in_the_sample_site_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The exact figure of the issue, added to a copy of the sample: today it publishes 1."""
    source = tmp_path / "content"
    shutil.copytree(SAMPLE, source)
    item = source / "news/2020/yen-bai-co-quan-khoi-hai-cap.md"
    text = item.read_text(encoding="utf-8")
    needle = "figures:\n"
    text = text.replace(needle, needle + '  - {metric: cuoc-giam-sat, period: "2021", value: 1,030}\n', 1)
    item.write_text(text, encoding="utf-8")
    line = text[: text.index("value: 1,030")].count("\n") + 1
    for command in ("build", "check"):
        code, err = run(command, source, capsys)
        assert code == 1, err
        errors = [p for p in problems_of(err) if p["level"] == "Lỗi"]
        assert [(e["path"], e["line"]) for e in errors] == [("content/news/2020/yen-bai-co-quan-khoi-hai-cap.md", line)]
        assert "1,030" in str(errors[0]["msg"]) and '"24"' not in err


def test_a_torn_value_in_a_yaml_data_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = '- unit: xa-c\n  metric: cuoc-giam-sat\n  period: "2021"\n  value: "2"\n- {unit: xa-c, metric: cuoc-giam-sat, period: "2022", value: 2,500}\n'
    errors = refused(tmp_path, capsys, files={"data/a.yaml": data})
    assert [(e["path"], e["line"]) for e in errors] == [("content/data/a.yaml", 5)]
    assert "2,500" in str(errors[0]["msg"])


@pytest.mark.parametrize("where", ["figure", "data"])
def test_an_unknown_key_in_a_record_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str) -> None:
    if where == "figure":
        errors = refused(tmp_path, capsys, figures='[{metric: cuoc-giam-sat, period: "2021", valeu: "3"}]')
    else:
        errors = refused(tmp_path, capsys, files={"data/a.yaml": '- unit: xa-c\n  metric: cuoc-giam-sat\n  period: "2021"\n'
                                                                   '  value: "3"\n  scoep: own\n'})
    assert any(("valeu" if where == "figure" else "scoep") in str(e["msg"]) for e in errors), errors


# --- 1b. what YAML reinterprets: octal, sexagesimal, hex, floats, booleans ----------------------

YAML_NUMBERS = [
    # (value as typed in the figure, unquoted; the quoted text the message must contain)
    ("0755", '"0755"'),      # octal 493 to YAML
    ("0x1F", '"0x1F"'),      # hexadecimal 31
    ("1:30", '"1:30"'),      # sexagesimal 90
    ("1_000", '"1_000"'),    # 1000
    ("1.0", '"1.0"'),        # a float where a count was meant
    ("1e3", '"1e3"'),
    ("yes", '"yes"'),        # true
    ("on", '"on"'),
    (".inf", '".inf"'),
]


@pytest.mark.parametrize("typed, quoted", YAML_NUMBERS)
def test_a_number_yaml_would_reinterpret_is_refused_as_typed(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                            typed: str, quoted: str) -> None:
    errors = refused(tmp_path, capsys, figures=f'[{{metric: cuoc-giam-sat, period: "2021", value: {typed}}}]')
    assert [(e["line"], quoted in str(e["msg"])) for e in errors] == [(5, True)], errors


def test_a_unit_id_yaml_reads_as_octal_is_quoted_as_typed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    units = UNITS_YAML + "    - id: 0755\n      name: Xã Số\n      type: xa\n"
    errors = refused(tmp_path, capsys, units_yaml=units)
    assert any('"0755"' in str(e["msg"]) for e in errors) and not any("493" in str(e["msg"]) for e in errors), errors


@pytest.mark.parametrize("typed", ["010", "0x10", "1_0", "1:30"])
def test_per_page_yaml_would_reinterpret_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], typed: str) -> None:
    errors = refused(tmp_path, capsys, site_yaml=SITE_YAML.replace("per_page: 5", f"per_page: {typed}"))
    assert [(e["path"], e["line"]) for e in errors] == [("content/site.yaml", 6)]
    assert f'"{typed}"' in str(errors[0]["msg"])


def test_text_fields_keep_what_was_typed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A phone number of octal digits, a title YAML reads as 1:30 = 90, tags 2020 and 1:30."""
    site_yaml = SITE_YAML.replace('phone: "0200 111 222"', "phone: 0216000000")
    news = {"news/2024/a.md": news_item(title="x").replace('title: "x"', "title: 1:30") + "\n",
            "news/2024/b.md": news_item(title="Bài thẻ", tags="[2020, 1:30]")}
    source = site(tmp_path, news=news, site_yaml=site_yaml)
    code, err = run("build", source, capsys)
    assert code == 0, err
    out = source.parent / "output"
    assert "0216000000" in (out / "index.html").read_text(encoding="utf-8")
    assert "<h1>1:30</h1>" in (out / "tin-tuc/2024/05/1-30/index.html").read_text(encoding="utf-8")
    assert (out / "the/1-30/index.html").is_file() and not (out / "the/90").exists()


# --- 2. impossible figures, numbers in another script or with stray spaces ------------------------

IMPOSSIBLE = [
    # (figure, a fragment of the message)
    ('{metric: xa-co-khoi, period: "2021", value: "18", denominator: "17"}', "lớn hơn mẫu số"),
    ('{metric: xa-co-khoi, period: "2021", value: "0", denominator: "0"}', "bằng 0"),
    ('{metric: cuoc-giam-sat, period: "2021", value: "-3"}', "âm"),
    ('{metric: thanh-vien, period: "2021", value: "-1.200"}', "âm"),
    ('{metric: tien-ung-ho, period: "2021", value: "-16,4 tỷ"}', "âm"),
    ('{metric: xa-co-khoi, period: "2021", value: "-1", denominator: "17"}', "âm"),
    ('{metric: cuoc-giam-sat, period: "2021", value: "2,5"}', "không phải số nguyên"),
    ('{metric: thanh-vien, period: "2021", value: "1,2345 nghìn"}', "1.234,5"),
    ('{metric: tien-ung-ho, period: "2021", value: "1,5"}', "không phải số nguyên"),
]


@pytest.mark.parametrize("figure, fragment", IMPOSSIBLE)
def test_an_impossible_figure_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str], figure: str, fragment: str) -> None:
    errors = refused(tmp_path, capsys, figures=f"[{figure}]")
    assert len(errors) == 1 and errors[0]["line"] == 5 and fragment in str(errors[0]["msg"]), errors


def test_a_fraction_is_fine_for_a_decimal_metric(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = site(tmp_path, figures='[{metric: dien-tich, period: "2021", value: "2,5"}]')
    (source / "metrics.yaml").write_text(METRICS_YAML + DECIMAL_METRIC, encoding="utf-8")
    code, err = run("build", source, capsys)
    assert code == 0, err


OTHER_SCRIPTS = [
    ("١٠٣٠", "1030"),          # Arabic-Indic
    ("۱۰۳۰", "1030"),          # Extended Arabic-Indic (Persian)
    ("１０３０", "1030"),      # full-width, from a CJK keyboard
    ("１.０３０", "1.030"),
    ("16,４ tỷ", "16,4 tỷ"),
    ("१२", "12"),               # Devanagari
]


@pytest.mark.parametrize("typed, usual", OTHER_SCRIPTS)
def test_digits_of_another_script_are_refused_with_the_usual_spelling(typed: str, usual: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_number(typed)
    assert f'"{typed}"' in info.value.message and f'"{usual}"' in info.value.hint


STRAY = [
    ("1 030", '"1.030"'),
    ("1\u00a0030", '"1.030"'),          # no-break space as a thousands separator
    ("1\u2009030\u2009500", '"1.030.500"'),  # thin spaces, the French way
    ("0755", '"755"'),
    ("-012", '"-12"'),
    ("00,5", '"0,5"'),
]


@pytest.mark.parametrize("typed, hint", STRAY)
def test_stray_spaces_and_leading_zeros_are_refused_with_a_hint(typed: str, hint: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_number(typed)
    assert hint in info.value.hint


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**18))
def test_every_count_written_the_vietnamese_way_reads_back_exactly(n: int) -> None:
    assert parse_number(format_number(n)) == Decimal(n)
    assert parse_number(str(n)) == Decimal(n)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789.,- ", min_size=1, max_size=12),
       st.sampled_from(["\u0660", "\u06f5", "\uff17", "\u0967", "\u0e53"]), st.data())
def test_a_non_ascii_digit_anywhere_is_refused(text: str, digit: str, data: st.DataObject) -> None:
    at = data.draw(st.integers(min_value=0, max_value=len(text)))
    with pytest.raises(ParseError):
        parse_number(text[:at] + digit + text[at:])


@settings(max_examples=500, deadline=None)
@given(st.text(min_size=0, max_size=16))
def test_any_text_is_read_exactly_or_refused(text: str) -> None:
    """Never an exception other than ParseError; an accepted text holds only ASCII digits, the
    two marks, a minus sign and a magnitude word, and its digits are the value's digits."""
    try:
        value = parse_number(text)
    except ParseError:
        return
    typed = re.sub(r"[\x00-\x1f\x7f]", " ", unicodedata.normalize("NFC", text))  # control characters are blanks
    body = typed.split()[0]
    assert re.fullmatch(r"-?[0-9][0-9.,]*", body), text
    assert not re.match(r"-?0[0-9]", body), text
    digits = body.replace(".", "").replace(",", ".")
    scale = {"nghìn": 1000, "ngàn": 1000, "triệu": 10**6, "tỷ": 10**9, "tỉ": 10**9}
    words = typed.split()
    factor = scale[words[1].lower()] if len(words) == 2 else 1
    assert value == Decimal(digits) * factor


# --- 3. unit cycles, children outside their parent, items after their unit ended -------------------

def _cycle_units(ring: list[str]) -> str:
    text = UNITS_YAML
    for i, unit_id in enumerate(ring):
        after = ring[(i + 1) % len(ring)]
        text += (f"    - id: {unit_id}\n      name: Xã {unit_id.upper()}\n      type: xa\n      valid_to: 2025-06-30\n"
                 f"      successors: [{{id: {after}, relation: {'renamed' if i % 2 else 'merged_into'}}}]\n")
    return text


@pytest.mark.parametrize("ring", [["xa-p", "xa-q"], ["xa-p", "xa-q", "xa-r"], ["xa-p", "xa-q", "xa-r", "xa-s", "xa-t"]])
def test_a_cycle_of_successors_is_an_error_naming_every_unit(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                             ring: list[str]) -> None:
    errors = refused(tmp_path, capsys, units_yaml=_cycle_units(ring))
    cycles = [e for e in errors if "vòng" in str(e["msg"])]
    assert len(cycles) == 1, errors
    assert all(f'"{u}"' in str(cycles[0]["msg"]) for u in ring)
    assert cycles[0]["path"] == "content/units.yaml" and cycles[0]["line"] is not None


@pytest.mark.parametrize("child_dates, parent_dates", [
    ("", "      valid_to: 2025-06-30\n"),                                   # child lives on after its parent
    ("      valid_to: 2026-01-01\n", "      valid_to: 2025-06-30\n"),
    ("", "      valid_from: 2025-07-01\n"),                                 # child older than its parent
    ("      valid_from: 2020-01-01\n", "      valid_from: 2025-07-01\n"),
])
def test_a_child_valid_outside_its_parent_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                      child_dates: str, parent_dates: str) -> None:
    units = UNITS_YAML + ("    - id: huyen-x\n      name: Huyện X\n      type: huyen\n" + parent_dates +
                          "      children:\n        - id: xa-y\n          name: Xã Y\n          type: xa\n" +
                          textwrap.indent(child_dates, "    "))
    errors = refused(tmp_path, capsys, units_yaml=units)
    assert len(errors) == 1 and '"xa-y"' in str(errors[0]["msg"]) and '"huyen-x"' in str(errors[0]["msg"]), errors


def test_an_item_dated_after_its_unit_ended_is_a_warning_naming_the_successor(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = site(tmp_path, news={"news/2025/a.md": news_item(date="2025-08-01 08:00", unit="xa-cu")})
    code, err = run("check", source, capsys)
    assert code == 0, err
    [warning] = [p for p in problems_of(err) if p["level"] == "Cảnh báo"]
    assert (warning["path"], warning["line"]) == ("content/news/2025/a.md", 4)
    assert '"xa-moi"' in str(warning["hint"]) and "Xã Mới" in str(warning["hint"])
    strict, err = run("check", source, capsys, "--strict")
    assert strict == 1, err


def test_a_figure_after_its_unit_ended_names_the_successor(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    figures = '[{unit: xa-cu, metric: cuoc-giam-sat, period: "2025-Q3", value: "3"}]'
    errors = refused(tmp_path, capsys, figures=figures)
    assert len(errors) == 1 and '"xa-moi"' in str(errors[0]["hint"]), errors


# --- 4. suggestions only for a near spelling of exactly one id ------------------------------------

NEAR = [
    # (typed, the one id to suggest, or None when no suggestion may be made)
    ("xa-dong-cuog", "xa-dong-cuong"),
    ("xa-dong-cuongg", "xa-dong-cuong"),
    ("xa-dogn-cuong", "xa-dong-cuong"),      # two letters swapped
    ("Xã Đông Cuông", "xa-dong-cuong"),      # the name typed with tones
    ("xa-an-linh", None),                    # one letter from both xa-an-binh and xa-an-dinh
    ("xa-dong", None),                       # too far from anything
    ("huyen-van-yen-moi", None),
]


@pytest.mark.parametrize("where", ["news", "csv", "yaml"])
@pytest.mark.parametrize("typed, expected", NEAR)
def test_an_unknown_unit_gets_a_suggestion_only_when_one_is_near(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str, typed: str, expected: str | None) -> None:
    if where == "news":
        kwargs: dict[str, object] = {"news": {"news/2024/a.md": news_item(unit=f'"{typed}"')}}
    elif where == "csv":
        kwargs = {"files": {"data/a.csv": f"unit,metric,period,value\n{typed},cuoc-giam-sat,2021,3\n"}}
    else:
        kwargs = {"files": {"data/a.yaml": f'- unit: "{typed}"\n  metric: cuoc-giam-sat\n  period: "2021"\n  value: "3"\n'}}
    errors = refused(tmp_path, capsys, **kwargs)
    [error] = errors
    assert f'"{typed}"' in str(error["msg"])
    hint = str(error["hint"])
    named = [u for u in ("xa-dong-cuong", "xa-an-binh", "xa-an-dinh", "huyen-van-yen", "xa-c", "xa-cu", "xa-moi")
             if f'"{u}"' in hint]
    if expected is None:
        assert named == [], hint
    else:
        assert named == [expected] and "Xã Đông Cuông, Huyện Văn Yên" in hint, hint


@pytest.mark.parametrize("typed, expected", [("cuoc-giam-sta", "cuoc-giam-sat"), ("thanh-vin", "thanh-vien"),
                                             ("so-hoi-nghi", None)])
def test_an_unknown_metric_gets_a_suggestion_only_when_one_is_near(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], typed: str, expected: str | None) -> None:
    errors = refused(tmp_path, capsys, figures=f'[{{metric: {typed}, period: "2021", value: "3"}}]')
    [error] = errors
    if expected is None:
        assert "Có phải" not in str(error["hint"])
    else:
        assert f'"{expected}"' in str(error["hint"])


def test_an_unknown_successor_and_root_unit_get_a_line_and_a_suggestion(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    errors = refused(tmp_path, capsys, site_yaml=SITE_YAML.replace("root_unit: viet-nam", "root_unit: viet-nma"))
    assert [(e["path"], e["line"]) for e in errors] == [("content/site.yaml", 5)]
    assert '"viet-nam"' in str(errors[0]["hint"])
    units = UNITS.replace("{id: xa-moi, relation: merged_into}", "{id: xa-mo, relation: merged_into}")
    [error] = refused(tmp_path / "2", capsys, units_yaml=units)
    assert error["line"] is not None and '"xa-moi"' in str(error["hint"])


# --- 5. tags as a string, dates out of range, titles too long for a file name ----------------------

@pytest.mark.parametrize("key, value", [("tags", "Dân vận, Giám sát"), ("tags", "Dân vận; Giám sát"),
                                        ("authors", "Mai Hiên, Tiến Đạt")])
def test_a_list_written_as_one_line_of_text_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                        key: str, value: str) -> None:
    errors = refused(tmp_path, capsys, news={"news/2024/a.md": news_item(**{key: value})})
    assert [(e["line"], key in str(e["msg"])) for e in errors] == [(5, True)]
    assert "[" in str(errors[0]["hint"])


@pytest.mark.parametrize("date", ["1900-01-01 08:00", "1944-12-31", "2101-01-01", "0999-05-10", "9999-12-31T23:00:00+07:00"])
def test_a_date_outside_1945_to_2100_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str], date: str) -> None:
    errors = refused(tmp_path, capsys, news={"news/a.md": news_item(date=date)})
    assert [(e["line"], date in str(e["msg"])) for e in errors] == [(3, True)], errors


@pytest.mark.parametrize("period", ["1900", "2101-Q1", "1944-12-01..1945-01-31"])
def test_a_period_outside_1945_to_2100_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str], period: str) -> None:
    errors = refused(tmp_path, capsys, figures=f'[{{metric: cuoc-giam-sat, period: "{period}", value: "3"}}]')
    assert [e["line"] for e in errors] == [5], errors


def test_a_unit_date_outside_1945_to_2100_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    errors = refused(tmp_path, capsys, units_yaml=UNITS.replace("valid_from: 2025-07-01", "valid_from: 1025-07-01"))
    assert any("1025-07-01" in str(e["msg"]) for e in errors), errors


@pytest.mark.parametrize("words", [60, 200])
def test_a_title_too_long_for_a_file_name_gets_a_cut_slug_and_a_warning(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], words: int) -> None:
    title = " ".join(["Hội nghị tổng kết công tác Mặt trận"] * words)
    source = site(tmp_path, news={"news/2024/a.md": news_item(title=title)})
    code, err = run("build", source, capsys)
    assert code == 0, err
    [warning] = [p for p in problems_of(err) if p["level"] == "Cảnh báo"]
    assert (warning["path"], warning["line"]) == ("content/news/2024/a.md", 2)
    [folder] = [p for p in (source.parent / "output/tin-tuc/2024/05").iterdir()]
    assert len(folder.name) <= 200 and slugify(title).startswith(folder.name + "-")
    assert (folder / "index.html").is_file()


# --- 6. what really happened: a semicolon CSV ------------------------------------------------------

@pytest.mark.parametrize("separator", [";", "\t"])
def test_a_semicolon_or_tab_csv_is_read_correctly(tmp_path: Path, capsys: pytest.CaptureFixture[str], separator: str) -> None:
    rows = ["unit;metric;period;value;denominator", "xa-c;cuoc-giam-sat;2021;1.030;", "xa-c;tien-ung-ho;2021;16,4 tỷ;",
            "xa-c;xa-co-khoi;2021;3;4"]
    csv_text = "\n".join(r.replace(";", separator) for r in rows) + "\n"
    source = site(tmp_path, files={"data/a.csv": csv_text})
    code, err = run("build", source, capsys)
    assert code == 0, err
    data = (source.parent / "output/so-lieu/du-lieu.csv").read_text(encoding="utf-8")
    assert "1030" in data and "16400000000" in data


# --- 7. every error that has a line names it ---------------------------------------------------------

@pytest.mark.parametrize("second, line", [(news_item(title="Hội nghị tổng kết"), 2),
                                          (news_item(title="Bài khác", slug="hoi-nghi-tong-ket"), 5)])
def test_a_duplicate_slug_is_reported_at_the_line_that_made_it(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                               second: str, line: int) -> None:
    """Two items of one month with one address: the error is at the title (or slug) line."""
    errors = refused(tmp_path, capsys, news={"news/2024/a.md": news_item(title="Hội nghị tổng kết"),
                                             "news/2024/b.md": second})
    where = {"content/news/2024/a.md": 2, "content/news/2024/b.md": line}
    [error] = errors
    assert error["line"] == where[str(error["path"])], errors
    other = ({"news/2024/a.md", "news/2024/b.md"} - {str(error["path"]).removeprefix("content/")}).pop()
    assert other in str(error["msg"])


def test_a_semicolon_csv_with_a_wrong_column_names_the_column_not_every_one(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Excel's ";" file whose header misspells one column: the message names that column only."""
    errors = refused(tmp_path, capsys, files={"data/a.csv": "unit;metric;period;valeur\nxa-c;cuoc-giam-sat;2021;3\n"})
    [error] = errors
    assert (error["path"], error["line"]) == ("content/data/a.csv", 1)
    assert "value" in str(error["msg"]) and "unit" not in str(error["msg"]) and ";" in str(error["hint"])


def test_unit_and_metric_text_fields_keep_what_was_typed(tmp_path: Path) -> None:
    """`name: 1:30` is not the unit "90"; `label: yes` is not "True"; a successor id typed 0755 is "0755"."""
    from site_builder.base.errors import Problems
    from site_builder.load.metrics import load_metrics
    from site_builder.load.units import load_units

    units = UNITS_YAML + "    - id: xa-so\n      name: 1:30\n      type: xa\n"
    source = site(tmp_path, units_yaml=units, files={"metrics.yaml": "- id: co\n  label: yes\n  unit: 0755\n  kind: flow\n"})
    problems = Problems(root=source)
    registry = load_units(source, problems)
    metrics = load_metrics(source, problems)
    assert not problems.items, problems.items
    assert registry is not None and registry["xa-so"].name == "1:30"
    assert (metrics["co"].label, metrics["co"].unit) == ("yes", "0755")


@pytest.mark.parametrize("figures", ['[{metric: cuoc-giam-sat, period: "2021", value: "3", note:}]',
                                     '[{metric: cuoc-giam-sat, period: "2021", value: "3", note: }]',
                                     '[{metric: cuoc-giam-sat, period: "2021", value: "1.030"}]',
                                     '[{metric: tien-ung-ho, period: "2021", value: "16,4 tỷ"}]'])
def test_a_value_left_empty_or_quoted_is_not_taken_for_a_torn_one(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                  figures: str) -> None:
    source = site(tmp_path, figures=figures)
    code, err = run("build", source, capsys)
    assert code == 0 and "Lỗi" not in err, err


@pytest.mark.parametrize("typo, warned", [("Dân vậm", True), ("Dan van", False), ("Giám sát", False)])
def test_a_category_one_typo_from_another_is_a_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                       typo: str, warned: bool) -> None:
    """"Dân vậm" once beside "Dân vận" twice files one item under a category of its own: warn at
    its line, naming the other; a spelling with the same slug is merged (another warning), and a
    far name is a category of its own."""
    news = {f"news/2024/{i}.md": news_item(title=f"Bài {i}", category=name)
            for i, name in enumerate(["Dân vận", "Dân vận", typo])}
    source = site(tmp_path, news=news)
    code, err = run("check", source, capsys)
    assert code == 0, err
    near = [p for p in problems_of(err) if p["level"] == "Cảnh báo" and "gần giống" in str(p["msg"])]
    if warned:
        assert [(p["path"], p["line"]) for p in near] == [("content/news/2024/2.md", 5)], err
        assert '"Dân vận"' in str(near[0]["hint"])
    else:
        assert near == [], err
