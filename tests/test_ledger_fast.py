"""The import's fast paths give exactly what the validated constructors and the slow paths give.

The ledger import builds its records with unchecked constructors where the values are already in
their converted form (``hazardloop.ledger.history.unchecked``), caches per distinct cell value,
folds a new hazard's history in place and pauses the cyclic collector. These tests fail if any
of that makes a record, a state or a result differ from the validated, uncached path.
"""

from __future__ import annotations

import datetime as dt
import gc
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ledger_support import OPTIONS, fresh_register, write_csv

from hazardloop.ledger import Outcome, import_files
from hazardloop.ledger.cells import CellError, clean_text, parse_deadline
from hazardloop.ledger.history import (
    EventBuilder,
    Step,
    fast_ledger_actor,
    ledger_actor,
    person_actor,
    unchecked,
)
from hazardloop.ledger.importer import RowResult
from hazardloop.ledger.reader import read_ledger
from hazardloop.ledger.rows import SheetRows, _discovery, _person
from hazardloop.lifecycle import apply
from hazardloop.records import (
    Actor,
    Assignment,
    Discovery,
    Event,
    Level,
    ListingLevel,
    Origin,
    Source,
)
from hazardloop.records import (
    EventKind as K,
)

HEADER = ["序号", "所属乡镇", "被检查单位", "隐患编号", "隐患部位", "隐患描述", "隐患等级", "排查日期", "整改措施",
          "整改责任人", "整改期限", "整改资金", "整改完成日期", "验收人", "验收日期", "销号日期", "回头看日期", "延期后期限",
          "隐患状态", "备注"]


def _rows() -> list[list[Any]]:
    rows: list[list[Any]] = [HEADER]
    for i in range(40):
        found = dt.date(2021, 3, 1) + dt.timedelta(days=i)
        done = found + dt.timedelta(days=5)
        status = ["整改中", "已整改待审核", "已销号", "验收不通过", "待整改"][i % 5]
        closed = done.isoformat() if status == "已销号" else None
        reopened = (done + dt.timedelta(days=3)).isoformat() if i % 10 == 2 else None
        rows.append([
            i + 1, "东镇" if i % 3 else " 西镇 ", f"企业{i % 4}", f"Ｃ-{i}" if i % 2 else None, "仓库",
            f"  灭火器过期 {i} ", ["一般", "重大事故隐患", "较大", "一般隐患"][i % 4], found.isoformat(),
            "更换" if i % 6 else None, f"负责人{i % 3}" if i % 5 else None, [30, "15天", "2021年12月31日"][i % 3],
            [0, 1.5, None, "-0"][i % 4], done.isoformat() if status != "整改中" else None,
            f"验收员{i % 2}" if closed else None, done.isoformat() if closed else None, closed, reopened,
            "2022-01-31" if reopened else None, status, "备注 " if i % 7 == 0 else None,
        ])
    return rows


def _fixed_point(record: Any) -> None:
    """``record`` equals what its validated constructor makes of its own fields (recursively)."""
    assert attrs.evolve(record) == record, record
    for value in attrs.astuple(record, recurse=False):
        if attrs.has(type(value)):
            _fixed_point(value)


def test_unchecked_constructors_make_what_the_validated_ones_make() -> None:
    actor = Actor("ledger:a.xlsx#s!3", "台账a.xlsx[s]第3行", "台账导入")
    origin = Origin("a.xlsx", "s", 3, ("date", "actor"))
    now = dt.datetime(2021, 6, 1, 9, 0, tzinfo=dt.UTC)
    found = dt.date(2021, 6, 1)
    disc = Discovery("U1", "东镇", "general", "通道堵塞", Source.OTHER, Level.GENERAL, "仓库", "C-1", ("a",), (),
                     (("x", 1),))
    assign = Assignment("U1", actor, "应急局", ListingLevel.NONE, found, found, "台账: rule", False)
    cases = [
        (Actor, ("ledger:a.xlsx#s!3", "台账a.xlsx[s]第3行", "台账导入")),
        (Origin, ("a.xlsx", "s", 3, ("date", "actor"))),
        (Discovery, ("U1", "东镇", "general", "通道堵塞", Source.OTHER, Level.GENERAL, "仓库", "C-1", ("a",), (),
                     (("x", 1),))),
        (Assignment, ("U1", actor, "应急局", ListingLevel.NONE, found, found, "台账: rule", False)),
        (Event, ("HZ-1", 1, K.DISCOVER, found, now, actor, disc, "", (), origin)),
        (Event, ("HZ-1", 2, K.ASSIGN, found, now, actor, assign, "", (), origin)),
        (Step, (K.START, found, None, ("date",))),
        (RowResult, ("a.xlsx", "s", 3, Outcome.IMPORTED, "HZ-1", 4, "", "", "", (1, "x"))),
    ]
    for cls, args in cases:
        fast = unchecked(cls)(*args)
        assert type(fast) is cls
        assert fast == cls(*args)
        assert repr(fast) == repr(cls(*args))
        assert hash(fast) == hash(cls(*args))
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            fast.__setattr__(attrs.fields(cls)[0].name, "x")


@pytest.mark.parametrize("file,sheet,row", [("/tmp/a b/台账.xlsx", "4月", 7), ("C:\\x\\y.xls", " 表 ", 1), ("t.csv", "", 12)])
def test_fast_ledger_and_person_actors_equal_the_validated_ones(file: str, sheet: str, row: int) -> None:
    assert fast_ledger_actor(file, sheet, row) == ledger_actor(file, sheet, row)
    for name, org in [("张三", ""), ("张三", "甲公司"), (" 张三 ", "甲公司 "), ("李四", " ")]:
        assert _person(name, org) == person_actor(name, org)


_TEXT = st.text(alphabet=st.sampled_from(list("ab 东镇\u3000\t,Ａ")), max_size=6)


@settings(max_examples=200, deadline=None)
@given(unit=_TEXT, town=_TEXT, description=_TEXT, location=_TEXT, code=st.none() | _TEXT,
       criteria=st.lists(_TEXT, max_size=2), keys=st.lists(_TEXT, max_size=3),
       level=st.sampled_from([Level.GENERAL, Level.MAJOR, "一般", "MAJOR"]))
def test_a_rows_discovery_equals_the_validated_one_or_fails_alike(
    unit: str, town: str, description: str, location: str, code: str | None, criteria: list[str],
    keys: list[str], level: Any,
) -> None:
    extra = {k: i for i, k in enumerate(keys)}
    args = (unit, town, "general", description, Source.OTHER, level, location, code, tuple(criteria), extra)
    try:
        want = Discovery(unit_code=unit, town=town, domain="general", description=description, source=Source.OTHER,
                         level=level, location=location, hazard_code=code, criteria=tuple(criteria), extra=extra)
    except Exception as exc:  # noqa: BLE001 - the fast path must fail the same way
        with pytest.raises(type(exc), match=None) as got:
            _discovery(*args)
        assert str(got.value) == str(exc)
        return
    assert _discovery(*args) == want


def test_every_record_an_import_builds_is_a_fixed_point_of_its_validators(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "l.csv", _rows())
    register = fresh_register("2022-06-01")
    report = import_files(register, [path], OPTIONS)
    assert report.imported > 20 and report.imported + report.rejected == report.data_rows
    events = [e for state in register for e in register.history(state.hazard_id)]
    assert {e.kind for e in events} >= {K.DISCOVER, K.ASSIGN, K.START, K.SUBMIT, K.INSPECT_PASS, K.CLOSE}
    for event in events:
        _fixed_point(event)
    # and the states equal the chained apply() of their histories
    for state in register:
        chained = None
        for event in register.history(state.hazard_id):
            chained = apply(chained, event)
        assert chained == state


def test_the_builder_gives_the_same_events_with_or_without_a_shared_cache(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "l.csv", _rows())
    register = fresh_register("2022-06-01")
    sheet = read_ledger(path).sheets[0]
    reader = SheetRows(sheet, OPTIONS, {}, {})
    from hazardloop.ledger.history import BuildCache, RowRejected, fill_dates

    shared = BuildCache()
    built = 0
    for row in sheet.rows:
        try:
            facts = reader.facts(row)
            steps = fill_dates(facts.steps)
            a = EventBuilder(register, facts, (str(path), sheet.sheet, row.row), shared).build("HZ-9", 0, steps)
            b = EventBuilder(register, facts, (str(path), sheet.sheet, row.row)).build("HZ-9", 0, steps)
        except (RowRejected, CellError):
            continue
        except Exception as exc:  # noqa: BLE001 - a refusal must come from both alike
            with pytest.raises(type(exc)):
                EventBuilder(register, facts, (str(path), sheet.sheet, row.row)).build("HZ-9", 0, steps)
            continue
        assert a == b
        built += 1
    assert built > 20


@pytest.mark.parametrize("value", [30, 30.0, "15天", "30日内", "２０２１年５月１日", "2021.5.1", 44300, 4000.5, "x", True, "  "])
def test_sheet_deadlines_equal_parse_deadline(tmp_path: Path, value: Any) -> None:
    path = write_csv(tmp_path / "l.csv", [HEADER, [1, "东镇", "甲", None, "库", "描述", "一般", "2021-04-01"]])
    reader = SheetRows(read_ledger(path).sheets[0], OPTIONS, {}, {})
    start = dt.date(2021, 4, 1)
    for _ in range(2):  # the second time from the cache
        try:
            want: Any = parse_deadline(value, start)[0]
        except CellError as exc:
            want = str(exc)
        try:
            got: Any = reader.deadline(value, start)
        except CellError as exc:
            got = str(exc)
        assert got == want


def test_folding_full_width_text_is_unchanged() -> None:
    def old_map(s: str) -> str:  # the per-character fold the translate table replaced
        return "".join(chr(ord(ch) - 0xFEE0) if "\uff01" <= ch <= "\uff5e" else ch for ch in s)

    every = "".join(chr(c) for c in range(0xFF00, 0xFF61)) + "中文（）"
    assert clean_text(every, fold=True) == clean_text(old_map(every))
    assert clean_text("Ｃ－００１", fold=True) == "C-001"


def test_append_events_folds_a_new_hazard_as_chained_apply_would(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "l.csv", _rows())
    source = fresh_register("2022-06-01")
    import_files(source, [path], OPTIONS)
    target = fresh_register("2022-06-01")
    with target.batch():
        for state in source:
            history = source.history(state.hazard_id)
            assert target.append_events(history) == [state]
    assert [s for s in target] == [s for s in source]
    assert target.append_events([]) == []


@pytest.mark.parametrize("enabled", [True, False])
def test_the_import_restores_the_garbage_collector_as_it_was(tmp_path: Path, enabled: bool) -> None:
    path = write_csv(tmp_path / "l.csv", _rows())
    register = fresh_register("2022-06-01")
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        import_files(register, [path], OPTIONS, dry_run=True)
        assert gc.isenabled() is enabled
        import_files(register, [path], OPTIONS)
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_header_normalisation_is_unchanged() -> None:
    import random
    import unicodedata

    from hazardloop.ledger.columns import (
        _FULLWIDTH_PUNCT,
        _STRIP_MARKS,
        normalise_header,
    )

    def old(text: object) -> str:  # before the translate was skipped when there is nothing to translate
        return _STRIP_MARKS.sub("", unicodedata.normalize("NFKC", str(text)).translate(_FULLWIDTH_PUNCT))

    rng = random.Random(4)
    chars = list("：、－—–ab 隐患描述*※★:（）\u3000\t")
    for _ in range(3000):
        text = "".join(rng.choice(chars) for _ in range(rng.randrange(10)))
        assert normalise_header(text) == old(text)
    assert normalise_header(None) == "" and normalise_header(12) == "12"


def test_cells_equal_across_types_are_read_each_as_itself(tmp_path: Path) -> None:
    # 1, 1.0 and True, and 0.0 and -0.0, are equal keys: the sheet's per-value caches must not mix them
    from hazardloop.ledger.reader import DataRow

    sheet = read_ledger(write_csv(tmp_path / "l.csv", [HEADER, [1, "东镇", "甲", None, "库", "描述", "一般", "2021-04-01"]])).sheets[0]
    width = len(sheet.columns)
    idx = {c.header: c.index for c in sheet.columns}

    def row(n: int, funds: Any, found: Any, code: Any) -> DataRow:
        cells = [None] * width
        cells[idx["所属乡镇"]], cells[idx["被检查单位"]], cells[idx["隐患描述"]] = "东镇", "甲", f"描述{n}"
        cells[idx["隐患等级"]], cells[idx["整改资金"]], cells[idx["排查日期"]] = "一般", funds, found
        cells[idx["隐患编号"]], cells[idx["整改期限"]], cells[idx["整改措施"]] = code, 30, "更换"
        return DataRow(n + 2, tuple(cells))

    rows = (row(0, 0.0, 44300, 1), row(1, -0.0, 44300.0, 1.0), row(2, 2, dt.date(2021, 4, 1), True),
            row(3, 2.0, -0.0, "1"), row(4, True, 0.0, None))
    reader = SheetRows(attrs.evolve(sheet, rows=rows), OPTIONS, {}, {})
    got = []
    for r in rows:
        try:
            facts = reader.facts(r)
            got.append((repr(facts.texts["funds"]), facts.steps[0].on, facts.discovery.hazard_code))
        except Exception as exc:  # noqa: BLE001 - the reason is what is compared
            got.append(getattr(exc, "reason", str(exc)))
    assert got == [
        ("0.0", dt.date(2021, 4, 14), "1"),
        ("-0.0", dt.date(2021, 4, 14), "1"),
        ("2.0", dt.date(2021, 4, 1), "True"),
        "不是日期: -0.0",
        "不是日期: 0.0",
    ]
