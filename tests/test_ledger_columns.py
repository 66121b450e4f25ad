"""The one table of ledger headers: every header string of STANDARDS.md §8.1 maps to its field."""

from __future__ import annotations

import pytest

from hazardloop.ledger.columns import DEFAULT_COLUMNS, FIELDS, SYNONYMS, ColumnTable, normalise_header

# STANDARDS.md §8.1, copied group by group (the full-width brackets as written there). Where
# §8.1 lists a header under two meanings, the expected field is the table's documented choice.
SECTION_8_1: dict[str, list[str]] = {
    "row_no": ["序号"],
    "hazard_code": ["编号", "隐患编号", "问题编号", "隐患ID", "记录编号", "隐患排查单号", "通知编号"],
    "description": [
        "隐患描述", "隐患内容", "隐患名称", "事故隐患内容", "整改隐患内容", "存在隐患或问题", "存在的问题或隐患",
        "存在的安全隐患", "现场具体隐患", "具体隐患", "问题或隐患", "存在问题", "隐患问题描述", "问题描述",
        "问题标题", "安全问题或隐患", "检查地点存在问题及隐患", "隐患/不符合内容", "描述", "隐患点名称",
    ],
    "level": ["隐患等级", "隐患级别", "等级", "问题级别", "严重程度", "严重等级", "风险等级"],
    # 隐患类别 is listed under level too ("often holds 一般/重大!"): a category, read as the
    # level only when a ledger has no level column and every value is a level word
    "category": ["隐患类型", "隐患类别", "类别", "隐患类型（专业分类）", "隐患大类", "隐患小类", "隐患标签", "人物管理分类", "发生环节"],
    "source": ["隐患来源", "隐患来源（检查来源分类）", "检查类型", "来源"],
    "location": [
        "隐患部位", "隐患所在部位", "所在部位", "检查部位", "具体地点", "部位", "地点", "位置", "隐患地址",
        "问题位置", "发现位置", "巡检地点", "检查工点", "检查项目", "所在区域", "地理位置",
    ],
    "found_on": ["排查日期", "排查时间", "检查日期", "检查时间", "检查日", "发现时间", "发现日期", "登记时间", "创建日期", "提交时间"],
    "finder": ["排查人员", "排查人", "检查人", "检查人员", "报告人", "登记人姓名", "发现人", "创建人"],
    "finder_name": ["填表人"],  # also a signature word: kept as an extra, used as the finder if none
    # "checking unit": the inspected unit is the hazard's unit; the checker is kept as an extra
    "unit": ["被检查单位", "被检查部门", "被督查部门名称"],
    "checking_unit": ["检查单位", "报告部门", "发现部门"],
    "responsible_unit": [
        "责任单位", "整改单位", "整改部门", "责任部门", "整改责任单位", "整改责任单位-建设", "整改责任单位-设计",
        "整改责任单位-施工", "整改责任单位-监理", "下发部门", "整改通知下达部门", "负责办理单位",
    ],
    "measures": ["整改措施", "整改要求", "整改要求（措施）", "整改/纠正措施", "控制措施", "防控措施", "处理建议", "处理措施", "措施"],
    "plan": ["治理方案"],
    "preventive_measures": ["预防措施"],
    "emergency_measures": ["应急措施和预案"],
    "cause": ["原因分析", "根本原因", "可能造成后果"],
    "responsible_person": ["整改责任人", "责任人", "整改负责人", "整改人", "治理责任人", "治理人", "负责人", "管控责任人"],
    "deadline": [
        "整改期限", "整改时限", "隐患治理期限", "治理期限", "计划完成时限", "计划完成日期", "计划完成", "完成期限",
        "截止时间", "时限", "整改完成时间",
    ],
    "funds": ["整改资金", "资金", "治理资金", "隐患治理计划资金(万元)", "累计落实治理资金(万元)", "考核金额(元)"],
    "progress": ["整改完成情况", "完成情况", "整改情况", "治理完成情况", "整改说明", "进度"],
    "rectified_on": ["整改到位时间", "实际完成日期", "实际完成时间", "完成日期", "整改完成日期", "整改时间"],
    "inspector": ["验收人", "验收人姓名", "复查人", "评估负责人签名"],
    "inspected_on": ["验收时间", "验收日期", "复查时间", "复查日期"],
    "inspection_result": ["验收情况描述", "验收意见", "复查结果", "复查情况", "复查意见"],
    "inspecting_unit": ["验收组织单位"],
    "closed_on": ["销号日期", "销号时间", "闭环时间", "复查通过时间"],
    "closure_status": ["销号情况", "是否消除"],
    "supervising_department": ["督办单位"],
    "supervisor": ["督办人员"],
    "assigned_on": ["交办时间"],
    "committee_reported_on": ["报同级安委办时间"],
    "government_notified": ["是否通报政府负责人"],
    "leading_official": ["带队领导"],
    "special_campaign": ["专题专项"],
    "status": ["隐患状态", "整改状态", "状态"],
    "rectification_type": ["治理类型"],
    "remaining": ["剩余/超期"],
    "reminder_days": ["超时前提示天数"],
    "photos": ["隐患照片"],
    "rectified_photos": ["隐患整改照片", "整改照片"],
    "attachments": ["附件", "通知单", "通知回复单"],
    "note": ["备注"],
    "unit_code": ["企业编码"],
    "unit_name": ["厂商名称"],
    "unit_address": ["企业所在地"],
    "town": ["所属乡镇"],
    "signed_on": ["签字日期"],
}

CASES = [(header, name) for name, headers in SECTION_8_1.items() for header in headers]


def test_the_copy_of_section_8_1_is_whole() -> None:
    # about 150 strings in §8.1; a header dropped from the copy would escape the test below
    assert len(CASES) >= 150
    assert len({h for h, _ in CASES}) == len(CASES)


@pytest.mark.parametrize(("header", "field"), CASES, ids=[h for h, _ in CASES])
def test_every_header_of_section_8_1_maps_to_its_field(header: str, field: str) -> None:
    assert DEFAULT_COLUMNS.lookup(header) == field


@pytest.mark.parametrize(
    ("written", "field"),
    [
        (" 隐患 描述 ", "description"),
        ("*排查日期", "found_on"),
        ("隐患描述：", "description"),
        ("整改资金（万元）", "funds"),
        ("隐患等级(一般/重大)", "level"),
        ("隐患\n描述", "description"),
        ("ＩＤ", None),
    ],
)
def test_headers_are_matched_after_normalising(written: str, field: str | None) -> None:
    assert DEFAULT_COLUMNS.lookup(written) == field


def test_every_synonym_names_a_known_field_and_every_label_reads_back() -> None:
    names = {f.name for f in FIELDS}
    assert {n for _, n in SYNONYMS} <= names
    for spec in FIELDS:
        # the exporter writes the label; importing it must give the same field back
        assert DEFAULT_COLUMNS.lookup(spec.label) == spec.name, spec


def test_unknown_headers_are_unknown() -> None:
    assert DEFAULT_COLUMNS.lookup("风险分析对象编码（危险源编码）") is None
    assert DEFAULT_COLUMNS.lookup("") is None
    assert DEFAULT_COLUMNS.lookup(None) is None


def test_the_table_is_extensible_without_mutation() -> None:
    table = DEFAULT_COLUMNS.with_synonyms({"问题内容摘要": "description"})
    assert table.lookup("问题内容摘要") == "description"
    assert DEFAULT_COLUMNS.lookup("问题内容摘要") is None
    with pytest.raises(ValueError):
        DEFAULT_COLUMNS.with_synonyms({"x": "no_such_field"})


def test_domain_fields_become_extra_fields_under_their_name() -> None:
    table = DEFAULT_COLUMNS.with_domain_fields([("venue_class", "场所类别")])
    assert table.lookup("场所类别") == "venue_class"
    spec = table.spec("venue_class")
    assert spec.extra and spec.extra_key == "venue_class"


def test_normalise_header_folds_width_and_marks() -> None:
    assert normalise_header("隐患类型（专业分类）") == "隐患类型(专业分类)"
    assert normalise_header(" *隐患 描述： ") == "隐患描述"
    assert isinstance(ColumnTable(), ColumnTable)
