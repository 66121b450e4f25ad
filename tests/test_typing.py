"""The package ships ``py.typed``: its code, the four built-in plugins and the examples type-check.

A host that runs mypy over its own code reads our annotations; a converter mypy cannot follow, or
a signature that lies, shows up there as an error in *their* code (``YearTable(2026, [day], [])``
was one until named converters replaced ``converter=frozenset``). Uses the ``[tool.mypy]``
settings of pyproject.toml.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TARGETS = [
    "src/hazardloop",
    *(str(p.parent.relative_to(ROOT)) for p in sorted(ROOT.glob("plugins/*/hazardloop_*/__init__.py"))),
    "examples",
]


def test_the_package_plugins_and_examples_type_check(monkeypatch: pytest.MonkeyPatch) -> None:
    api = pytest.importorskip("mypy.api")  # the test extra installs it; CI always has it
    assert len(TARGETS) == 6, TARGETS  # the package, four plugins, the examples
    monkeypatch.chdir(ROOT)  # pyproject.toml's [tool.mypy] and a cache beside it (.gitignored)
    out, err, status = api.run([*TARGETS])
    assert status == 0, out + err
    assert "Success: no issues found" in out


def test_a_user_s_calls_with_plain_collections_type_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Records built the way the README and a host build them: lists, strings for enums, dates."""
    api = pytest.importorskip("mypy.api")
    host = tmp_path / "host.py"
    host.write_text(
        "import datetime as dt\n"
        "from hazardloop.calendar import ChinaCalendar, YearTable\n"
        "from hazardloop.deadlines import LimitRule, LimitTable\n"
        "from hazardloop.records import Discovery, Level\n"
        "day = dt.date(2026, 10, 1)\n"
        "table = YearTable(2026, [day], [])\n"
        "cal = ChinaCalendar([day], [], {2026})\n"
        "limits = LimitTable('本县', day, [LimitRule('重大', '县级', days=20)])\n"
        "d = Discovery('U1', '城关镇', 'hazchem', '储罐区静电接地断开', '执法检查', '一般')\n"
        "level: Level = d.level\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(ROOT)
    out, err, status = api.run([str(host)])
    assert status == 0, out + err
