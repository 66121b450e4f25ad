"""Exporting ledgers: the styled workbook, a user's template, and the export → import round trip."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from hazardloop.ledger import ExportError, export_ledger, export_to_template, import_files, ledger_rows
from hazardloop.records import Level, Stage
from hazardloop.testing import APPROVER, ASSIGNER, FINDER, INSPECTOR, RESPONSIBLE, make_evidence, make_register, make_unit

AS_OF = "2025-06-30"


def sample_register():  # type: ignore[no-untyped-def]
    register, _ = make_register(AS_OF, units=(make_unit("U1", "城关镇"),))
    a = register.discover(unit_code="U1", domain="hazchem", description="=SUM(A1:A9) 储罐区静电接地断开", on="2025-05-05",
                          source="企业自查", level="一般", actor=FINDER, location="+储罐区", extra={"隐患类别": "设备设施"})
    register.assign(a.hazard_id, on="2025-05-06", actor=ASSIGNER, responsible_person=RESPONSIBLE,
                    supervising_department="县应急管理局", deadline="2025-05-20")  # overdue on AS_OF
    b = register.discover(unit_code="U1", domain="hazchem", description="@消防通道堵塞", on="2025-05-07", source="执法检查",
                          level="重大", actor=FINDER, hazard_code="-7")
    register.assign(b.hazard_id, on="2025-05-08", actor=ASSIGNER, responsible_person=RESPONSIBLE,
                    supervising_department="县应急管理局", listing_level="县级")
    register.start_rectification(b.hazard_id, on="2025-05-09", actor=RESPONSIBLE, measures="清理", plan="方案", funds=1.5)
    register.submit(b.hazard_id, on="2025-05-10", actor=RESPONSIBLE, evidence=[make_evidence()])
    register.pass_and_strike_off(b.hazard_id, on="2025-05-12", inspector=INSPECTOR)
    return register


def test_the_styled_workbook(tmp_path: Path) -> None:
    register = sample_register()
    out = tmp_path / "ledger.xlsx"
    table = export_ledger(register, out, as_of=AS_OF, colours={"U1": "橙"})
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["隐患台账", "汇总"]
    ws = book["隐患台账"]
    headers = [c.value for c in ws[1]]
    assert headers == list(table.headers) and "隐患描述" in headers and "风险颜色" in headers and headers[-1] == "隐患类别"
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(headers))}3"
    col = {h: i + 1 for i, h in enumerate(headers)}
    desc = ws.cell(2, col["隐患描述"])
    assert desc.value == "=SUM(A1:A9) 储罐区静电接地断开" and desc.data_type == "s"  # text, never a formula
    assert ws.cell(2, col["隐患部位"]).data_type == "s" and ws.cell(3, col["隐患编号"]).value == "-7"
    assert ws.cell(3, col["隐患描述"]).value == "@消防通道堵塞"
    found = ws.cell(2, col["排查日期"])
    assert found.value == dt.datetime(2025, 5, 5) and found.is_date
    colour = ws.cell(2, col["风险颜色"])
    assert colour.value == "橙" and colour.fill.fgColor.rgb.endswith("FFA500")
    assert ws.cell(2, col["超期状态"]).value == "超期" and ws.cell(3, col["超期状态"]).value == "按期销号"
    assert ws.cell(3, col["隐患状态"]).value == "销号" and ws.cell(3, col["验收结果"]).value == "通过"
    validations = {dv.formula1 for dv in ws.data_validations.dataValidation}
    assert '"一般,重大"' in validations and '"发现,交办,整改,督查,销号,撤销,作废"' in validations
    rules = [r for rng in ws.conditional_formatting for r in rng.rules]
    assert any('="超期"' in (r.formula[0] if r.formula else "") for r in rules)  # overdue rows highlighted
    assert all(ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width >= 8 for i in range(1, len(headers) + 1))
    summary = book["汇总"]
    cells = {summary.cell(r, 1).value: summary.cell(r, 2).value for r in range(1, summary.max_row + 1)}
    assert cells["隐患总数"] == 2 and cells["销号"] == 1 and cells["交办"] == 1 and cells["超期"] == 1 and cells["重大"] == 1


def test_an_empty_register_exports_a_header_and_a_summary(tmp_path: Path) -> None:
    register, _ = make_register(AS_OF)
    table = export_ledger(register, tmp_path / "empty.xlsx")
    assert table.rows == () and openpyxl.load_workbook(tmp_path / "empty.xlsx")["隐患台账"].max_row == 1


def test_export_into_a_users_template(tmp_path: Path) -> None:
    register = sample_register()
    template = tmp_path / "template.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "报表"
    ws["A1"] = "XX县事故隐患排查整改台账 (上报格式)"
    ws.append(["序号", "存在的安全隐患", "整改单位", "整改时限", "乡镇街道名称", "签收人"])
    ws["B3"].font = openpyxl.styles.Font(bold=True)
    book.save(template)
    out = tmp_path / "filled.xlsx"
    export_to_template(register, template, out, mapping={"乡镇街道名称": "town"}, as_of=AS_OF)
    ws = openpyxl.load_workbook(out)["报表"]
    assert ws["A1"].value.startswith("XX县")
    assert [ws.cell(3, c).value for c in (1, 2, 3, 5)] == [1, "=SUM(A1:A9) 储罐区静电接地断开", "U1", "城关镇"]
    assert ws["B3"].data_type == "s" and ws["B3"].font.bold  # text, in the template's style
    assert ws["D3"].value == dt.datetime(2025, 5, 20)
    assert ws["F3"].value is None  # a template column nothing maps to stays empty
    with pytest.raises(ExportError, match="没有 不存在"):
        export_to_template(register, template, out, mapping={"不存在": "town"})


def test_a_macro_enabled_template_keeps_its_macros(tmp_path: Path) -> None:
    """openpyxl drops a workbook's VBA project unless asked to keep it: an .xlsm template filled
    into an .xlsm file keeps its macros byte for byte; filled into an .xlsx it has none."""
    import zipfile

    register = sample_register()
    plain = tmp_path / "plain.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["序号", "存在的安全隐患", "整改单位"])
    book.save(plain)
    template = tmp_path / "template.xlsm"
    vba = b"\xd0\xcf\x11\xe0 a VBA project stands here" * 8
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(template, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        dst.writestr("xl/vbaProject.bin", vba)
    out = tmp_path / "filled.xlsm"
    export_to_template(register, template, out, as_of=AS_OF)
    with zipfile.ZipFile(out) as z:
        assert z.read("xl/vbaProject.bin") == vba
    assert openpyxl.load_workbook(out).active.cell(2, 2).value == "=SUM(A1:A9) 储罐区静电接地断开"
    export_to_template(register, template, tmp_path / "filled.xlsx", as_of=AS_OF)
    with zipfile.ZipFile(tmp_path / "filled.xlsx") as z:
        assert "xl/vbaProject.bin" not in z.namelist()


def test_text_beyond_the_excel_cell_limit_is_cut_reported_and_still_recognised(tmp_path: Path) -> None:
    """Excel holds 32,767 characters in a cell. A longer description is written cut, the export
    says which cells it cut, and importing the ledger back finds the same hazard (a duplicate,
    not a second copy); into an empty register it arrives cut."""
    from hazardloop.ledger import ImportOptions
    from hazardloop.ledger.exporter import EXCEL_CELL_CHARS, excel_cut

    long_text = "储罐区静电接地断开，" * 4000 + "𠀀" * 10  # 40,010 characters, the last ten beyond U+FFFF
    register, _ = make_register(AS_OF, units=(make_unit("U1", "城关镇"),))
    register.discover(unit_code="U1", domain="hazchem", description=long_text, on="2025-05-05",
                      source="企业自查", level="一般", actor=FINDER, location="储罐区")
    register.discover(unit_code="U1", domain="hazchem", description="短描述", on="2025-05-05",
                      source="企业自查", level="一般", actor=FINDER, location="储罐区")
    out = tmp_path / "ledger.xlsx"
    table = export_ledger(register, out, as_of=AS_OF)
    assert table.cut_cells == ((2, "隐患描述"),)
    again = import_files(register, [out], ImportOptions())
    assert (again.imported, again.duplicates, again.rejected) == (0, 2, 0) and len(register) == 2
    fresh, _ = make_register(AS_OF, units=(make_unit("U1", "城关镇"),))
    first = import_files(fresh, [out], ImportOptions())
    assert first.imported == 2
    got = {s.description for s in fresh}
    assert long_text[:EXCEL_CELL_CHARS] in got and "短描述" in got
    # the template path cuts too (openpyxl would write the whole text, which Excel then refuses)
    template = tmp_path / "template.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["序号", "存在的安全隐患"])
    book.save(template)
    filled = export_to_template(register, template, tmp_path / "filled.xlsx", as_of=AS_OF)
    assert filled.cut_cells == ((2, "存在的安全隐患"),)
    assert openpyxl.load_workbook(tmp_path / "filled.xlsx").active.cell(2, 2).value == long_text[:EXCEL_CELL_CHARS]
    # UTF-16 units, as Excel counts: a character beyond U+FFFF counts twice and is never split
    assert excel_cut("a" * EXCEL_CELL_CHARS) is None and excel_cut("a" * (EXCEL_CELL_CHARS + 1)) == "a" * EXCEL_CELL_CHARS
    assert excel_cut("a" * (EXCEL_CELL_CHARS - 1) + "𠀀") == "a" * (EXCEL_CELL_CHARS - 1)


# ---------------------------------------------------------------------------------------------
# round trip: export, import into an empty register, export again: the same ledger
# ---------------------------------------------------------------------------------------------

TEXT = st.builds(
    lambda prefix, body: prefix + body,
    st.sampled_from(["", "=", "+", "-", "@", "=HYPERLINK(\"x\")"]),
    st.text(alphabet="隐患灭火器过期通道堵塞ABCxyz0123456789()（）：:,，。/-", min_size=1, max_size=12),
)


@st.composite
def registers(draw):  # type: ignore[no-untyped-def]
    register, _ = make_register(AS_OF)
    n = draw(st.integers(1, 6))
    for i in range(n):
        day = dt.date(2025, 1, 2) + dt.timedelta(days=draw(st.integers(0, 60)))

        def later(max_days: int = 4) -> dt.date:
            nonlocal day
            day = day + dt.timedelta(days=draw(st.integers(0, max_days)))
            return day

        level = draw(st.sampled_from([Level.GENERAL, Level.MAJOR]))
        listing = draw(st.sampled_from(["未挂牌", "县级", "市级"])) if level is Level.MAJOR else "未挂牌"
        extra = {"附加说明": draw(TEXT)} if draw(st.booleans()) else None
        s = register.discover(
            unit_code=draw(st.sampled_from(["U1", "U2"])), town=draw(st.sampled_from(["城关镇", "东镇"])), domain="hazchem",
            description=f"{draw(TEXT)}#{i}", on=day, source=draw(st.sampled_from(["企业自查", "属地排查", "举报"])),
            level=level, actor=FINDER, location=draw(st.sampled_from(["", "-仓库", "@车间"])),
            hazard_code=draw(st.sampled_from([None, f"C{i}", f"={i}"])), extra=extra,
        )
        h = s.hazard_id
        path = draw(st.lists(st.sampled_from(["go", "fail", "extend", "reopen"]), max_size=8))
        if draw(st.integers(0, 5)) == 0:
            register.withdraw(h, on=later(), actor=ASSIGNER, reason=f"误报{draw(TEXT)}")
            continue
        if draw(st.integers(0, 6)) == 0:
            continue  # stays 发现
        register.assign(h, on=later(), actor=ASSIGNER, responsible_person=RESPONSIBLE, supervising_department="县应急管理局",
                        listing_level=listing, deadline=None if listing != "未挂牌" else day + dt.timedelta(days=draw(st.integers(0, 40))))
        for step in path:
            st_ = register.get(h)
            if step == "extend" and st_.is_open:
                register.extend(h, on=later(), approver=APPROVER, reason="延期", deadline=st_.effective_deadline + dt.timedelta(days=draw(st.integers(1, 20))))
            elif step == "reopen" and st_.stage is Stage.CLOSED:
                on = later()
                register.reopen(h, on=on, actor=INSPECTOR, reason="回头看", deadline=on + dt.timedelta(days=draw(st.integers(1, 30))))
            elif step in ("go", "fail"):
                if st_.stage is Stage.ASSIGNED:
                    register.start_rectification(h, on=later(), actor=RESPONSIBLE, measures=draw(TEXT), plan="治理方案", funds=draw(st.sampled_from([None, 2.5])))
                elif st_.stage is Stage.RECTIFYING:
                    register.submit(h, on=later(), actor=RESPONSIBLE, evidence=[make_evidence()])
                elif st_.stage is Stage.INSPECTING and step == "fail":
                    register.inspect(h, on=later(), inspector=INSPECTOR, passed=False, comments=draw(TEXT))
                elif st_.stage is Stage.INSPECTING:
                    register.pass_and_strike_off(h, on=later(), inspector=INSPECTOR)
        if draw(st.integers(0, 6)) == 0:
            register.void(h, on=later(), actor=ASSIGNER, reason="录入错误")
    return register


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(register=registers())
def test_export_then_import_gives_the_same_register(tmp_path: Path, register) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "round.xlsx"
    first = export_ledger(register, out, as_of=AS_OF)
    again, _ = make_register(AS_OF)
    report = import_files(again, [out])
    assert (report.imported, report.rejected) == (len(register), 0), report.rejected_rows()
    second = ledger_rows(again, AS_OF)
    assert second.headers == first.headers
    assert second.rows == first.rows
    fields = ("stage", "level", "found_on", "assigned_on", "original_deadline", "effective_deadline", "closed_on",
              "first_closed_on", "reopen_count", "extension_count", "failed_inspections", "description", "location",
              "hazard_code", "extra", "withdrawn_on", "voided_on", "inspection_passed")
    for a, b in zip(register, again, strict=True):
        assert [getattr(a, f) for f in fields] == [getattr(b, f) for f in fields]
    # and importing the same export once more adds nothing
    assert import_files(again, [out]).duplicates == len(register)


def test_a_template_holding_an_xml_bomb_is_refused(tmp_path: Path) -> None:
    import zipfile

    template = tmp_path / "t.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["隐患描述", "排查日期"])
    book.save(template)
    bomb = tmp_path / "bomb.xlsx"
    payload = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
               + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
               + b"]>")
    with zipfile.ZipFile(template) as zin, zipfile.ZipFile(bomb, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = payload + (data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data)
            zout.writestr(item, data)
    with pytest.raises(ExportError, match="bomb.xlsx"):  # defusedxml refuses the DTD
        export_to_template(sample_register(), bomb, tmp_path / "out.xlsx", as_of=AS_OF)


def test_an_exported_ledger_filled_in_by_hand_imports_as_updates(tmp_path: Path) -> None:
    register = sample_register()
    out = tmp_path / "ledger.xlsx"
    export_ledger(register, out, as_of=AS_OF)
    book = openpyxl.load_workbook(out)
    ws = book["隐患台账"]
    col = {c.value: c.column for c in ws[1]}
    # the office writes progress into the columns, not into 办理过程
    ws.cell(2, col["整改开始日期"]).value = dt.datetime(2025, 5, 21)
    ws.cell(2, col["整改措施"]).value = "重新接地"
    ws.cell(2, col["验收日期"]).value = dt.datetime(2025, 6, 2)
    ws.cell(2, col["销号日期"]).value = dt.datetime(2025, 6, 3)
    ws.cell(2, col["隐患状态"]).value = "销号"
    ws.cell(3, col["隐患状态"]).value = "整改"  # a closed hazard said to be open again, without a 回头看日期
    book.save(out)
    report = import_files(register, [out])
    assert [r.outcome.value for r in report.results] == ["updated", "rejected"]
    assert "回头看" in report.results[1].reason
    first = next(iter(register))
    assert (first.stage, first.started_on, first.measures, first.inspected_on, first.closed_on) == (
        Stage.CLOSED, dt.date(2025, 5, 21), "重新接地", dt.date(2025, 6, 2), dt.date(2025, 6, 3))
    assert [e.kind.value for e in register.history(first.hazard_id)][-4:] == ["整改", "提交验收", "验收通过", "销号"]


def test_a_later_export_of_the_same_register_appends_only_the_new_events(tmp_path: Path) -> None:
    # the office's own system exports its ledger (with 办理过程) every month; the county imports it
    source = sample_register()
    first = tmp_path / "may.xlsx"
    export_ledger(source, first, as_of=AS_OF)
    county, _ = make_register(AS_OF)
    assert import_files(county, [first]).imported == 2
    open_id = next(s.hazard_id for s in county if s.stage is Stage.ASSIGNED)
    held_before = [e.kind.value for e in county.history(open_id)]
    versions = {s.hazard_id: s.version for s in county}
    # a month later the open hazard has been rectified and struck off
    (a,) = [s for s in source if s.stage is Stage.ASSIGNED]
    source.start_rectification(a.hazard_id, on="2025-06-02", actor=RESPONSIBLE, measures="重新接地")
    source.submit(a.hazard_id, on="2025-06-05", actor=RESPONSIBLE, evidence=[make_evidence()])
    source.pass_and_strike_off(a.hazard_id, on="2025-06-09", inspector=INSPECTOR)
    later = tmp_path / "june.xlsx"
    export_ledger(source, later, as_of=AS_OF)
    report = import_files(county, [later])
    assert [r.outcome.value for r in report.results] == ["updated", "duplicate"]
    assert report.results[0].hazard_id == open_id and report.results[0].events == 4
    state = county.get(open_id)
    assert (state.stage, state.started_on, state.closed_on) == (Stage.CLOSED, dt.date(2025, 6, 2), dt.date(2025, 6, 9))
    kinds = [e.kind.value for e in county.history(open_id)]
    assert kinds == held_before + ["整改", "提交验收", "验收通过", "销号"]  # appended, never a second copy
    assert len(county) == 2 and county.get(open_id).version == versions[open_id] + 4
    new = county.history(open_id)[-4:]
    assert all(e.origin is not None and e.origin.file == str(later) for e in new)
    # the June export once more: nothing new; the May export again: nothing rewound
    assert import_files(county, [later]).duplicates == 2
    rewind = import_files(county, [first])
    assert rewind.updated == 0 and county.get(open_id).stage is Stage.CLOSED
