"""``hazardloop config``: configuration stored with the register, then used by every command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from hazardloop.cli import cli
from hazardloop.sqlstore import open_store, register_on
from hazardloop.testing import ASSIGNER, FINDER, RESPONSIBLE, FixedClock, make_unit

CONFIG = {
    "limit_table": {"name": "本市期限表", "effective_from": "2027-01-01", "roll_over": True,
                    "rules": [{"level": "重大", "listing": "县级", "days": 20, "cap_days": None, "count": "自然日"}]},
    "tiers": [{"name": "超期1天", "offset_days": 1}],
    "due_soon_days": 5,
    "holidays": ["2027-05-06"],
    "colour_bands": {"LEC": {"name": "本市 LEC 色带", "floor": "蓝", "bands": [[240, "红"], [120, "橙"], [50, "黄"]]}},
    "settings": {"index_weights": {"closure": 0.5, "on_time": 0.5}},
}


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_config_set_then_show_then_computes_with_it(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'r.db'}"
    f = tmp_path / "config.json"
    f.write_text(json.dumps(CONFIG, ensure_ascii=False), encoding="utf-8")
    code, out = run("config", "set", str(f), "--db", db, "--effective-from", "2027-01-01")
    assert code == 0, out
    assert "已保存 6 项配置" in out
    code, out = run("config", "show", "--db", db, "--json")
    shown = json.loads(out)
    assert shown["due_soon_days"] == 5 and shown["tiers"] == CONFIG["tiers"]
    assert shown["calendar_days"] == {"holidays": ["2027-05-06"], "workdays": []}
    assert shown["colour_bands"]["LEC"]["bands"] == [[240, "红"], [120, "橙"], [50, "黄"]]
    assert shown["settings"] == {"index_weights": {"closure": 0.5, "on_time": 0.5}}
    assert [t["name"] for t in shown["limit_tables"]] == ["本市期限表"]
    code, out = run("config", "show", "--db", db, "--as-of", "2026-12-31", "--json")
    assert json.loads(out)["due_soon_days"] is None  # not yet in force then
    # a register opened on the database computes with the stored table: county-listed major, 20 days
    register = register_on(db, clock=FixedClock("2027-03-01"))
    try:
        register.store.put_unit(make_unit("U1"))
        h = register.discover(unit_code="U1", domain="hazchem", description="储罐区", on="2027-03-01",
                              source="企业自查", level="重大", actor=FINDER)
        state = register.assign(h.hazard_id, on="2027-03-01", actor=ASSIGNER, responsible_person=RESPONSIBLE,
                                supervising_department="县应急管理局", listing_level="县级")
        # 20 days (not the default 30) end on Sunday 21 March, rolled over to Monday the 22nd
        assert str(state.effective_deadline) == "2027-03-22"
        assert register.store.colour_bands("LEC").name == "本市 LEC 色带"
    finally:
        register.store.close()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"limit_table": {"name": "x", "effective_from": "2027-01-01", "rules": [{"level": "特大"}]}}, "limit_table"),
        ({"due_soon_days": -1}, "due_soon_days"),
        ({"colour_bands": {"LEC": {"bands": [[240, "紫"]]}}}, "colour_bands"),
        ({"holidays": ["2027-13-40"]}, "holidays"),
        ({"deadline": 30}, "unknown key deadline"),
    ],
)
def test_a_bad_config_file_names_the_key_and_stores_nothing(tmp_path: Path, content: dict, message: str) -> None:
    db = f"sqlite:///{tmp_path / 'r.db'}"
    good = {"due_soon_days": 3, "settings": {"x": 1}}
    f = tmp_path / "config.json"
    f.write_text(json.dumps({**good, **content}, ensure_ascii=False), encoding="utf-8")
    code, out = run("config", "set", str(f), "--db", db, "--effective-from", "2027-01-01")
    assert code != 0 and str(f) in out and message in out
    with open_store(db) as store:
        assert store.config_versions("due_soon_days") == [] and store.config_versions("setting") == []
