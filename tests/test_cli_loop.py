"""The loop commands of ``hazardloop`` through click's CliRunner: the happy path and every error path."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from hazardloop.cli import cli

BY = "a-01:钱交办:县应急管理局"
OWNER = "r-01:孙厂长:某化工有限公司"
INSPECTOR = "i-01:李督查:县应急管理局"


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A database URL in a fresh directory (the file does not exist yet)."""
    return f"sqlite:///{tmp_path / 'reg.db'}"


def run(*args: str, ok: bool = True) -> Result:
    """Invoke the command; assert success (or failure when ``ok`` is False)."""
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code != 0, result.output
    return result


def js(*args: str) -> object:
    """Invoke with --json and parse the output."""
    return json.loads(run(*args, "--json").output)


def setup_units(db: str) -> None:
    """One hazchem unit and one fire unit."""
    run("units", "add", "HC01", "某化工有限公司", "城关镇", "--db", db, "--domain", "hazchem",
        "--attr", 'gb18218=[{"name": "氯", "q": 10}]', "--attr", "people_500m=60")
    run("units", "add", "FR01", "某商场", "东山镇", "--db", db, "--domain", "fire",
        "--attr", "lec_l=3", "--attr", "lec_e=6", "--attr", "lec_c=7")


def add(db: str, unit: str = "HC01", on: str = "2026-03-02", level: str = "一般", domain: str = "hazchem") -> str:
    """Report a hazard and return its id."""
    state = js("add", "--db", db, "--unit", unit, "--domain", domain, "-d", "液氯充装未使用万向管道充装系统",
               "--level", level, "--on", on, "--by", BY, "--criterion", "HC121-07")
    assert isinstance(state, dict)
    return str(state["hazard_id"])


def test_units_add_and_list(db: str) -> None:
    setup_units(db)
    units = js("units", "list", "--db", db)
    assert [u["code"] for u in units] == ["FR01", "HC01"]  # type: ignore[index]
    hc = next(u for u in units if u["code"] == "HC01")  # type: ignore[union-attr]
    attributes = hc["attributes"]  # type: ignore[index]
    assert attributes["people_500m"] == 60 and attributes["gb18218"] == [{"name": "氯", "q": 10}]
    table = run("units", "list", "--db", db).output
    assert "某化工有限公司" in table and "城关镇" in table


def test_the_whole_loop_and_show(db: str, tmp_path: Path) -> None:
    setup_units(db)
    hid = add(db)
    run("assign", hid, "--db", db, "--on", "2026-03-02", "--by", BY, "--to", OWNER, "--department", "县应急管理局",
        "--deadline", "2026-03-20")
    out = run("rectify", hid, "--db", db, "--on", "2026-03-04", "--by", OWNER, "--measures", "加装万向管道充装系统").output
    assert "整改" in out
    state = js("extend", hid, "--db", db, "--on", "2026-03-18", "--by", "p-01:周审批:县安委办",
               "--reason", "设备到货延迟", "--deadline", "2026-04-10")
    assert state["effective_deadline"] == "2026-04-10"  # type: ignore[index]
    photo = tmp_path / "after.jpg"
    photo.write_bytes(b"photo bytes")
    run("submit", hid, "--db", db, "--on", "2026-04-07", "--by", OWNER, "--evidence", str(photo))
    run("inspect", hid, "--db", db, "--on", "2026-04-08", "--by", INSPECTOR, "--fail", "--comments", "未完成")
    run("submit", hid, "--db", db, "--on", "2026-04-09", "--by", OWNER)
    run("inspect", hid, "--db", db, "--on", "2026-04-09", "--by", INSPECTOR, "--pass")
    state = js("close", hid, "--db", db, "--on", "2026-04-09", "--by", INSPECTOR)
    assert state["stage"] == "销号"  # type: ignore[index]
    state = js("reopen", hid, "--db", db, "--on", "2026-04-15", "--by", BY, "--reason", "回头看", "--deadline", "2026-04-25")
    assert state["stage"] != "销号" and state["reopen_count"] == 1  # type: ignore[index]

    shown = js("show", hid, "--db", db, "--as-of", "2026-04-30")
    kinds = [e["kind"] for e in shown["history"]]  # type: ignore[index]
    assert len(kinds) == 10  # 发现 交办 整改 延期 提交 不通过 提交 通过 销号 重新打开
    assert shown["status"] == "超期"  # type: ignore[index]
    submitted = shown["history"][4]  # type: ignore[index]
    assert submitted["evidence"][0]["sha256"] == hashlib.sha256(b"photo bytes").hexdigest()
    text = run("show", hid, "--db", db, "--as-of", "2026-04-30").output
    assert hid in text and "history" in text


def test_list_filters(db: str) -> None:
    setup_units(db)
    a = add(db)
    b = add(db, unit="FR01", domain="fire")
    c = add(db)
    run("assign", a, "--db", db, "--on", "2026-03-02", "--by", BY, "--to", OWNER, "--department", "县应急管理局",
        "--deadline", "2026-03-10")
    run("assign", b, "--db", db, "--on", "2026-03-02", "--by", BY, "--to", OWNER, "--department", "县消防救援大队",
        "--deadline", "2026-03-25")
    run("withdraw", c, "--db", db, "--on", "2026-03-03", "--by", BY, "--reason", "核查不实")

    def ids(*extra: str) -> list[str]:
        data = js("list", "--db", db, "--as-of", "2026-03-20", *extra)
        return [h["hazard_id"] for h in data["hazards"]]  # type: ignore[index]

    assert ids() == [a, b, c]
    assert ids("--overdue") == [a]
    assert ids("--due-soon") == [b]
    assert ids("--stage", "撤销") == [c]
    assert ids("--town", "东山镇") == [b]
    assert ids("--domain", "hazchem") == [a, c]
    assert ids("--as-of", "2026-03-01") == []  # nothing found yet
    assert "超期" in run("list", "--db", db, "--as-of", "2026-03-20").output


def test_dual_report_determine_regrade_correct_and_evidence(db: str, tmp_path: Path) -> None:
    setup_units(db)
    hid = add(db, level="重大")
    run("assign", hid, "--db", db, "--on", "2026-03-02", "--by", BY, "--to", OWNER, "--department", "县应急管理局",
        "--listing", "县级")
    state = js("report-dual", hid, "--db", db, "--on", "2026-03-03", "--by", OWNER, "--to", "监管部门")
    assert state["hazard_id"] == hid  # type: ignore[index]
    state = js("regrade", hid, "--db", db, "--on", "2026-03-04", "--by", BY, "--level", "一般", "--reason", "复核")
    assert state["level"] == "一般"  # type: ignore[index]
    state = js("determine", hid, "--db", db, "--on", "2026-03-05", "--by", BY, "--level", "重大",
               "--clause", "第四条", "--reason", "专家会商")
    assert state["level"] == "重大"  # type: ignore[index]
    state = js("correct", hid, "--db", db, "--on", "2026-03-06", "--by", BY, "--set", "location=二号罐区", "--reason", "录入错误")
    assert state["location"] == "二号罐区"  # type: ignore[index]
    doc = tmp_path / "plan.pdf"
    doc.write_bytes(b"%PDF plan")
    out = run("evidence", hid, str(doc), "--db", db, "--on", "2026-03-07", "--by", OWNER, "--phase", "文件").output
    assert hashlib.sha256(b"%PDF plan").hexdigest() in out
    kinds = [e["kind"] for e in js("show", hid, "--db", db)["history"]]  # type: ignore[index]
    assert len(kinds) == 7


def test_plugins_lists_the_domain_plugins() -> None:
    plugins = js("plugins")
    names = {p["name"] for p in plugins}  # type: ignore[union-attr]
    assert {"hazchem", "mines", "gas", "fire"} <= names
    mines = next(p for p in plugins if p["name"] == "mines")  # type: ignore[union-attr]
    assert mines["version"] and "hazardloop_assess_unit_risk" in mines["hooks"]
    assert "mines" not in {p["name"] for p in js("plugins", "--block", "mines")}  # type: ignore[union-attr]
    assert "hazchem" in run("plugins").output


# ---------------------------------------------------------------------------------------------
# errors: one clear line, non-zero exit
# ---------------------------------------------------------------------------------------------


def _one_line(result: Result) -> str:
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines and "Traceback" not in result.output
    return lines[-1]


def test_unknown_hazard(db: str) -> None:
    setup_units(db)
    result = run("show", "H999999", "--db", db, ok=False)
    assert "H999999" in _one_line(result)
    result = run("assign", "H999999", "--db", db, "--by", BY, "--to", OWNER, "--department", "x", ok=False)
    assert "H999999" in _one_line(result)


def test_illegal_transition(db: str) -> None:
    setup_units(db)
    hid = add(db)
    result = run("close", hid, "--db", db, "--on", "2026-03-03", "--by", BY, ok=False)
    assert "not allowed" in _one_line(result)
    result = run("inspect", hid, "--db", db, "--on", "2026-03-03", "--by", BY, "--pass", ok=False)
    assert result.exit_code == 1 and "Error" in _one_line(result)


def test_bad_date_and_bad_actor(db: str) -> None:
    setup_units(db)
    result = run("list", "--db", db, "--as-of", "2026-13-01", ok=False)
    assert "not a date" in result.output and result.exit_code == 2
    result = run("add", "--db", db, "--unit", "HC01", "--domain", "hazchem", "-d", "x", "--on", "yesterday", "--by", BY, ok=False)
    assert "not a date" in result.output
    result = run("add", "--db", db, "--unit", "HC01", "--domain", "hazchem", "-d", "x", "--by", "nobody", ok=False)
    assert "ID:NAME" in result.output


def test_unknown_unit(db: str) -> None:
    setup_units(db)
    result = run("add", "--db", db, "--unit", "ZZ99", "--domain", "hazchem", "-d", "x", "--on", "2026-03-02",
                 "--by", BY, ok=False)
    assert "ZZ99" in _one_line(result)


@pytest.mark.parametrize("args", [("list",), ("show", "H000001"), ("units", "list"),
                                  ("close", "H000001", "--by", BY), ("report", "--month", "2026-04")])
def test_missing_database_is_an_error_and_is_not_created(tmp_path: Path, args: tuple[str, ...]) -> None:
    missing = tmp_path / "nonexistent.db"
    result = run(*args, "--db", f"sqlite:///{missing}", ok=False)
    assert "no database" in _one_line(result)
    assert not missing.exists()


def test_hazardloop_db_environment_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'env.db'}"
    monkeypatch.setenv("HAZARDLOOP_DB", url)
    run("units", "add", "HC01", "某化工有限公司", "城关镇", "--domain", "hazchem")
    assert (tmp_path / "env.db").exists()
    assert js("units", "list")[0]["code"] == "HC01"  # type: ignore[index]


def test_main_turns_errors_into_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    from hazardloop.cli import main

    monkeypatch.setattr("sys.argv", ["hazardloop", "list", "--db", f"sqlite:///{tmp_path / 'no.db'}"])
    with pytest.raises(SystemExit) as exc:
        main()
    assert exc.value.code != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no database" in err[0]


def test_the_plugins_validate_the_verbs(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command's register carries the installed plugins as hooks: a plugin's refusal stops a verb."""
    import hazardloop.plugins as plugins_module
    from hazardloop.hookspecs import hookimpl

    class NoWithdrawing:
        @hookimpl
        def hazardloop_validate_event(self, state, event):  # type: ignore[no-untyped-def]
            return "撤销须经县安委办批准" if event.kind.value == "撤销" else None

    setup_units(db)
    hid = add(db)
    original = plugins_module.load_hooks
    monkeypatch.setattr(plugins_module, "load_hooks",
                        lambda **kw: original(**kw, plugins=[("no-withdrawing", NoWithdrawing())]))
    result = run("withdraw", hid, "--db", db, "--on", "2026-03-03", "--by", BY, "--reason", "核查不实", ok=False)
    assert "撤销须经县安委办批准" in _one_line(result)
    monkeypatch.setattr(plugins_module, "load_hooks", original)
    state = js("withdraw", hid, "--db", db, "--on", "2026-03-03", "--by", BY, "--reason", "核查不实")
    assert state["stage"] == "撤销"  # type: ignore[index]


def test_inspect_pass_and_close_in_one_step(db: str) -> None:
    setup_units(db)
    hid = add(db)
    run("assign", hid, "--db", db, "--on", "2026-03-02", "--by", BY, "--to", OWNER, "--department", "县应急管理局",
        "--deadline", "2026-03-20")
    run("rectify", hid, "--db", db, "--on", "2026-03-03", "--by", OWNER, "--measures", "整改")
    run("submit", hid, "--db", db, "--on", "2026-03-05", "--by", OWNER)
    assert "--close needs --pass" in run("inspect", hid, "--db", db, "--by", INSPECTOR, "--fail", "--close", ok=False).output
    state = js("inspect", hid, "--db", db, "--on", "2026-03-06", "--by", INSPECTOR, "--pass", "--close")
    assert state["stage"] == "销号"  # type: ignore[index]
    listed = js("list", "--db", db, "--as-of", "2026-03-06")
    assert listed["hazards"][0]["status"] != "超期"  # type: ignore[index]
