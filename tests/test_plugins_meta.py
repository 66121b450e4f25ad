"""Meta-tests: every hook has its pair of tests and is documented in the guide with its exact arguments."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from hazardloop import hookspecs
from hazardloop.hookspecs import HOOK_NAMES

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "plugin-guide.md"


def _spec_args(name: str) -> list[str]:
    return list(inspect.signature(getattr(hookspecs, name)).parameters)


def test_there_are_hooks_for_every_concern():
    for needed in ("register_domains", "grade_hazard", "assess_unit_risk", "deadline_config",
                   "validate_event", "transition", "escalation", "reopened"):
        assert f"hazardloop_{needed}" in HOOK_NAMES


@pytest.mark.parametrize("name", HOOK_NAMES)
def test_every_hook_has_an_answer_and_a_none_test(name):
    import ast

    tree = ast.parse((ROOT / "tests" / "test_plugins_hooks.py").read_text(encoding="utf-8"))
    tests = {n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")}
    assert f"test_{name}__answer" in tests, f"no test of the core acting on an answer of {name}"
    assert f"test_{name}__none" in tests, f"no test of the core acting on None from {name}"


@pytest.mark.parametrize("name", HOOK_NAMES)
def test_every_hook_is_documented_with_its_exact_arguments(name):
    text = GUIDE.read_text(encoding="utf-8")
    heading = re.search(rf"^### `{name}\(([^)]*)\)`", text, re.MULTILINE)
    assert heading, f"{name} has no '### `{name}(...)`' heading in the guide"
    documented = [a.strip() for a in heading.group(1).split(",") if a.strip()]
    assert documented == _spec_args(name)


def test_guide_documents_no_hook_that_does_not_exist():
    text = GUIDE.read_text(encoding="utf-8")
    documented = set(re.findall(r"^### `(hazardloop_\w+)\(", text, re.MULTILINE))
    assert documented == set(HOOK_NAMES)


@pytest.mark.parametrize("name", HOOK_NAMES)
def test_every_spec_says_when_what_and_none(name):
    spec = getattr(hookspecs, name)
    doc = inspect.getdoc(spec) or ""
    assert "Called" in doc and ":returns:" in doc and "None" in doc
    for arg in _spec_args(name):
        assert f":param {arg}:" in doc, f"{name}: {arg} undocumented"
    assert not getattr(spec, "hazardloop_spec", {}).get("firstresult"), "no grade from a firstresult race"
    hints = inspect.get_annotations(spec)
    assert "return" in hints and set(hints) - {"return"} == set(_spec_args(name))


def test_the_guide_examples_run(monkeypatch):
    """The plugin and the tests shown in the guide work as written."""
    import types

    blocks = re.findall(r"```python\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)
    plugin = types.ModuleType("hazardloop_minex")
    monkeypatch.setitem(__import__("sys").modules, "hazardloop_minex", plugin)
    exec(blocks[0], plugin.__dict__)  # noqa: S102 - our own documentation
    tests: dict[str, object] = {}
    exec(blocks[-1], tests)  # noqa: S102
    ran = 0
    for name, fn in tests.items():
        if name.startswith("test_") and callable(fn):
            fn()
            ran += 1
    assert ran == 2
