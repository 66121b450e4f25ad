"""The plugin manager factory, entry-point loading, blocking, the loud failures, the listing."""

from __future__ import annotations

import importlib
import sys
import textwrap
from pathlib import Path

import pytest

from hazardloop.errors import ConfigError
from hazardloop.grading import GradeStatus
from hazardloop.hookspecs import HOOK_NAMES, hookimpl
from hazardloop.plugins import PluginError, PluginHooks, load_hooks, make_plugin_manager
from hazardloop.records import Level
from hazardloop.register import RegisterHooks
from hazardloop.testing import Outbox, make_facts, make_hooks, make_register, make_unit

ROOT = Path(__file__).resolve().parent.parent
DOMAIN_PLUGINS = {"hazchem": "hazardloop-hazchem", "mines": "hazardloop-mines", "gas": "hazardloop-gas",
                  "fire": "hazardloop-fire"}


def test_factory_returns_a_fresh_manager_each_call():
    a, b = make_plugin_manager(entry_points=False), make_plugin_manager(entry_points=False)
    assert a is not b
    a.set_blocked("hazardloop.generalrisk")
    assert b.get_plugin("hazardloop.generalrisk") is not None


def test_no_module_level_manager():
    import hazardloop.plugins as mod

    assert not [name for name, val in vars(mod).items() if type(val).__name__ == "PluginManager"]


def test_domain_plugins_load_through_entry_points():
    hooks = load_hooks()
    listed = {p.name: p for p in hooks.plugins()}
    for name, dist in DOMAIN_PLUGINS.items():
        assert name in listed, f"{name} not loaded: pip install -e plugins/{name}"
        assert listed[name].distribution == dist
        assert listed[name].version == "0.1.0"
        assert "hazardloop_grade_hazard" in listed[name].hooks
    assert {d.code for d in hooks.domains} >= set(DOMAIN_PLUGINS)


def test_core_never_imports_the_domain_plugins():
    import ast

    src = ROOT / "src" / "hazardloop"
    for path in src.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert not name.startswith("hazardloop_"), f"{path.name} imports {name}"


def test_blocking_by_name():
    hooks = load_hooks(block=["fire", "hazardloop.generalrisk"])
    names = {p.name for p in hooks.plugins()}
    assert "fire" not in names and "hazardloop.generalrisk" not in names
    assert hooks.domain("fire") is None
    assert hooks.grade(make_facts("fire", "2024-01-01", ("GB35181-2017-6.1",))).status is GradeStatus.NO_PLUGIN
    assert hooks.assess_unit(make_unit(lec_l=10, lec_e=10, lec_c=100), "2026-01-05") == []


def test_unknown_hook_fails_loudly():
    class Typo:
        @hookimpl
        def hazardloop_grade_hazzard(self, hazard):
            return None

    with pytest.raises(PluginError, match="hazardloop_grade_hazzard"):
        make_plugin_manager(entry_points=False, plugins=[Typo()])


def test_unknown_argument_fails_loudly():
    class Extra:
        @hookimpl
        def hazardloop_grade_hazard(self, hazard, register):
            return None

    with pytest.raises(PluginError):
        make_plugin_manager(entry_points=False, plugins=[Extra()])


def test_parameter_defaults_fail_loudly():
    class Defaults:
        @hookimpl
        def hazardloop_grade_hazard(self, hazard=None):
            return None

    with pytest.raises(PluginError, match="defaults"):
        make_plugin_manager(entry_points=False, plugins=[Defaults()])


def test_unmarked_hook_function_fails_loudly():
    class Unmarked:
        def hazardloop_grade_hazard(self, hazard):
            return None

    with pytest.raises(PluginError, match="not marked"):
        make_plugin_manager(entry_points=False, plugins=[Unmarked()])


def test_facade_satisfies_register_hooks_protocol():
    hooks = make_hooks()
    assert isinstance(hooks, PluginHooks)
    for method in ("validate", "observe"):
        assert callable(getattr(hooks, method))
    _: RegisterHooks = hooks  # type-checks as the protocol
    register, _clock = make_register(hooks=hooks, units=(make_unit(),))
    assert register.hooks is hooks


def test_listing_names_every_hook_implemented():
    hooks = load_hooks()
    for info in hooks.plugins():
        assert info.hooks, info
        assert set(info.hooks) <= set(HOOK_NAMES)


@pytest.fixture
def fireworks_on_path(tmp_path, monkeypatch):
    """Publish examples/fireworks through a temporary dist-info: the entry-point path, no pip."""
    dist = tmp_path / "hazardloop_fireworks-0.1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: hazardloop-fireworks\nVersion: 0.1.0\n", encoding="utf-8"
    )
    (dist / "entry_points.txt").write_text(
        textwrap.dedent("""\
            [hazardloop]
            fireworks = hazardloop_fireworks
        """),
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.syspath_prepend(str(ROOT / "examples" / "fireworks"))
    importlib.invalidate_caches()
    yield
    sys.modules.pop("hazardloop_fireworks", None)


def test_third_party_example_loads_through_entry_point(fireworks_on_path):
    outbox = Outbox()
    hooks = load_hooks(outbox=outbox)
    listed = {p.name: p for p in hooks.plugins()}
    assert listed["fireworks"].distribution == "hazardloop-fireworks"
    assert listed["fireworks"].version == "0.1.0"
    assert "hazardloop_reopened" in listed["fireworks"].hooks
    assert hooks.domain("fireworks").name == "烟花爆竹"
    assert len(hooks.domain("fireworks").catalogs[0].criteria) == 20
    # item (五) 超过核定药量 ⇒ 重大; no item of a complete list ⇒ 一般
    major = hooks.grade(make_facts("fireworks", "2026-01-05", ("FW121-05",)))
    assert (major.level, [b.code for b in major.basis]) == (Level.MAJOR, ["FW121-05"])
    assert hooks.grade(make_facts("fireworks", "2026-01-05")).level is Level.GENERAL
    assert [s.code for s in hooks.suggest("fireworks", "3号工房滞留药量超过核定药量", "2026-01-05")] == ["FW121-05"]


def test_third_party_example_can_be_blocked(fireworks_on_path):
    hooks = load_hooks(block=["fireworks"])
    assert hooks.domain("fireworks") is None


def test_requirements_list_the_four_plugins():
    lines = [ln.strip() for ln in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()]
    reqs = [ln for ln in lines if ln and not ln.startswith("#")]
    assert reqs[0] == "-e .[postgres,map]"
    for name in DOMAIN_PLUGINS:
        assert f"-e ./plugins/{name}" in reqs


def test_domain_errors_are_config_errors():
    assert issubclass(PluginError, ConfigError)
