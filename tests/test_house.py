"""The shape of the package: no module over 400 lines, no class over 200, and each stage folder
importing only from the folders its `__init__.py` allows (read with `ast`, relative imports
resolved). The checks are plain functions over a folder, also run on planted mistakes."""
from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest
from conftest import REPO

PACKAGE = REPO / "site_builder"
MAX_MODULE_LINES = 400
MAX_CLASS_LINES = 200
STAGES = ("base", "load", "model", "plan", "render", "write", "build", "live", "scaffold", "publish", "cli")
# The folders each stage may import from, besides its own (as each `__init__.py` says); the
# package's top-level modules are the key "": `__main__.py` may import the command line only.
ALLOWED: dict[str, frozenset[str]] = {
    "base": frozenset(),
    "load": frozenset({"base"}),
    "model": frozenset({"base", "load"}),
    "plan": frozenset({"base", "load", "model"}),
    "render": frozenset({"base", "load", "model", "plan"}),
    "write": frozenset({"base"}),
    "build": frozenset({"base", "load", "model", "plan", "render", "write"}),
    "live": frozenset({"base", "load", "model", "plan", "render", "write", "build"}),
    "scaffold": frozenset({"base", "load"}),
    "publish": frozenset({"base", "write"}),
    "cli": frozenset(STAGES),
    "": frozenset({"cli"}),
}


def modules(package: Path) -> list[Path]:
    return sorted(package.rglob("*.py"))


def module_name(package: Path, path: Path) -> str:
    """`site_builder.load.content` for site_builder/load/content.py (a package for __init__.py)."""
    parts = [package.name, *path.relative_to(package).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(package: Path, path: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in the module, at any depth (in functions too);
    `from . import x` names the module `x` of that package, since it may be one."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    here = module_name(package, path).split(".")
    if path.name != "__init__.py":
        here = here[:-1]  # the package a relative import starts from
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found += [(node.lineno, f"{target}.{alias.name}") for alias in node.names]
    return found


def stage_of(package: Path, name: str) -> str | None:
    """The stage folder of a module name inside `package` ("" for a top-level module or the package
    itself), or None for a module of another package."""
    parts = name.split(".")
    if parts[0] != package.name:
        return None
    return parts[1] if len(parts) > 1 and parts[1] in STAGES else ""


def bad_imports(package: Path, path: Path) -> list[str]:
    """The imports of one module that its stage may not make, as "file:line: name"."""
    own = stage_of(package, module_name(package, path))
    assert own is not None
    if own == "" and path.name == "__init__.py":
        allowed: frozenset[str] = frozenset()  # the package's own __init__ imports nothing
    else:
        allowed = ALLOWED[own]
    bad = []
    for line, name in imported(package, path):
        target = stage_of(package, name)
        if target is None or target == own or target in allowed:
            continue
        bad.append(f"{path.relative_to(package.parent)}:{line}: {name} (stage {own or 'top level'} "
                   f"may import {', '.join(sorted(allowed)) or 'nothing'})")
    return bad


def long_classes(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [f"{node.name}: {lines} lines" for node in ast.walk(tree)
            if isinstance(node, ast.ClassDef)
            and (lines := (node.end_lineno or node.lineno) - node.lineno + 1) > MAX_CLASS_LINES]


def line_count(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


MODULES = modules(PACKAGE)
IDS = [p.relative_to(PACKAGE).as_posix() for p in MODULES]


def test_every_stage_folder_is_known() -> None:
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders == set(STAGES)
    assert {p.name for p in PACKAGE.glob("*.py")} == {"__init__.py", "__main__.py"}


@pytest.mark.parametrize("stage", STAGES)
def test_each_stage_docstring_names_the_folders_it_may_import(stage: str) -> None:
    doc = ast.get_docstring(ast.parse((PACKAGE / stage / "__init__.py").read_text(encoding="utf-8"))) or ""
    if stage == "base":
        assert "Imports nothing else of site_builder." in doc
    elif stage == "cli":
        assert "May import: everything." in doc
    elif stage == "live":
        assert "May import: every stage and build; not cli." in doc
    else:
        line = next(line for line in doc.splitlines() if line.startswith("May import: "))
        assert {n.strip() for n in line.removeprefix("May import: ").rstrip(".").split(",")} == ALLOWED[stage]


@pytest.mark.parametrize("path", MODULES, ids=IDS)
def test_module_length(path: Path) -> None:
    assert line_count(path) <= MAX_MODULE_LINES, f"{path.name}: {line_count(path)} lines"


@pytest.mark.parametrize("path", MODULES, ids=IDS)
def test_class_length(path: Path) -> None:
    assert long_classes(path) == []


@pytest.mark.parametrize("path", MODULES, ids=IDS)
def test_imports_follow_the_stages(path: Path) -> None:
    assert bad_imports(PACKAGE, path) == []


# The checks themselves, on a small package with planted mistakes.

def _plant(root: Path, files: dict[str, str]) -> Path:
    package = root / "site_builder"
    for rel, text in files.items():
        (package / rel).parent.mkdir(parents=True, exist_ok=True)
        (package / rel).write_text(textwrap.dedent(text), encoding="utf-8")
    for stage in STAGES:
        (package / stage).mkdir(exist_ok=True)
        (package / stage / "__init__.py").touch()
    return package


def test_the_import_check_finds_each_kind_of_bad_import(tmp_path: Path) -> None:
    package = _plant(tmp_path, {
        "base/a.py": "from ..load import x\n",                          # relative, two dots
        "write/b.py": "from .. import render\n",                        # a stage named by `from .. import`
        "load/c.py": "def f():\n    import site_builder.plan.pages\n",  # absolute, inside a function
        "live/d.py": "from ..cli.report import REPORT\n",               # live may not import cli
        "model/e.py": "from site_builder import __main__\n",            # the top level
        "__main__.py": "from .build import builder\n",                  # __main__ only imports cli
    })
    found = {p.relative_to(package).as_posix(): bad_imports(package, p) for p in modules(package)}
    assert found["base/a.py"] == ["site_builder/base/a.py:1: site_builder.load.x (stage base may import nothing)"]
    assert found["write/b.py"] == ["site_builder/write/b.py:1: site_builder.render (stage write may import base)"]
    assert [f.split(": ")[1] for f in found["load/c.py"]] == ["site_builder.plan.pages (stage load may import base)"]
    assert found["live/d.py"][0].startswith("site_builder/live/d.py:1: site_builder.cli.report.REPORT")
    assert found["model/e.py"][0].startswith("site_builder/model/e.py:1: site_builder.__main__")
    assert found["__main__.py"][0].startswith("site_builder/__main__.py:1: site_builder.build.builder")


def test_the_import_check_lets_allowed_imports_pass(tmp_path: Path) -> None:
    package = _plant(tmp_path, {
        "load/a.py": "from . import b\nfrom .b import c\nfrom ..base.errors import Problems\nimport yaml\n",
        "load/b.py": "import os\n",
        "render/c.py": "from site_builder.plan import pages\nfrom ..model.site import Site\n",
        "cli/d.py": "from ..live import serve\nfrom .. import build\n",
        "live/e.py": "from ..build.builder import Builder\n",
        "__main__.py": "from .cli.main import main\n",
        "plan/__init__.py": "from . import pages\n",
    })
    assert {p.relative_to(package).as_posix(): bad_imports(package, p) for p in modules(package)
            if bad_imports(package, p)} == {}


def test_the_length_checks_find_long_modules_and_classes(tmp_path: Path) -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_CLASS_LINES))
    package = _plant(tmp_path, {"load/big.py": f"class Big:\n{body}\n\n\nclass Small:\n    y = 1\n" + "\n" * 200})
    path = package / "load/big.py"
    assert long_classes(path) == [f"Big: {MAX_CLASS_LINES + 1} lines"]
    assert line_count(path) > MAX_MODULE_LINES
