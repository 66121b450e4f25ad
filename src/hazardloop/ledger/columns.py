"""The one table of ledger column headers (台账表头) and the fields they stand for.

Every header string of STANDARDS.md §8.1 is here, mapped to one field; the header finder
(:mod:`hazardloop.ledger.reader`), the importer and the exporter all read this table and no
other. A host or plugin extends it with :meth:`ColumnTable.with_synonyms` (more header strings
for a field) or :meth:`ColumnTable.with_domain_fields` (a domain's extra ledger fields, see
:class:`hazardloop.catalog.LedgerField`), which return a new table.

Where one header is listed under two meanings in §8.1 the table picks one, and says so:
隐患类别 is a category (but see ``LEVEL_FALLBACK``: when a ledger has no level column and every
value of 隐患类别 is a level word, it is read as the level); 填表人 is the finder; 负责人 the
responsible person; 整改完成时间 a deadline (it is listed as "sometimes = plan").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

import attrs
from attrs import field, frozen

__all__ = [
    "FieldSpec",
    "FIELDS",
    "SYNONYMS",
    "LEVEL_FALLBACK",
    "ColumnTable",
    "DEFAULT_COLUMNS",
    "normalise_header",
]


@frozen
class FieldSpec:
    """One field a ledger column can hold.

    ``kind`` says how cells are read: text, date, deadline (a date or a number of days),
    number, level, status, person, or ``derived`` (written on export, ignored on import).
    ``extra`` fields are kept in the hazard's extra fields under ``label``.
    """

    name: str
    label: str  #: the Chinese header the exporter writes
    kind: str = field(default="text")
    extra: bool = False
    key: str = ""  #: the extra-field key (default: ``label``); a domain field keeps its own name

    @property
    def extra_key(self) -> str:
        """The key this field's values are kept under among a hazard's extra fields."""
        return self.key or self.label


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("row_no", "序号", "number"),
    FieldSpec("hazard_code", "隐患编号"),
    FieldSpec("town", "所属乡镇"),
    FieldSpec("unit", "被检查单位"),
    FieldSpec("unit_code", "企业编码"),
    FieldSpec("unit_name", "厂商名称"),
    FieldSpec("domain", "行业领域"),
    FieldSpec("source", "隐患来源"),
    FieldSpec("location", "隐患部位"),
    FieldSpec("description", "隐患描述"),
    FieldSpec("level", "隐患等级", "level"),
    FieldSpec("criteria", "判定依据"),
    FieldSpec("found_on", "排查日期", "date"),
    FieldSpec("finder", "排查人", "person"),
    FieldSpec("checking_unit", "检查单位", extra=True),
    FieldSpec("assigned_on", "交办时间", "date"),
    FieldSpec("supervisor", "督办人员", "person"),
    FieldSpec("supervising_department", "督办单位"),
    FieldSpec("listing_level", "挂牌督办级别"),
    FieldSpec("responsible_unit", "责任单位"),
    FieldSpec("responsible_person", "整改责任人", "person"),
    FieldSpec("deadline", "整改期限", "deadline"),
    FieldSpec("effective_deadline", "延期后期限", "date"),
    FieldSpec("extension_count", "延期次数", "number"),
    FieldSpec("measures", "整改措施"),
    FieldSpec("plan", "治理方案"),
    FieldSpec("funds", "整改资金", "number"),
    FieldSpec("started_on", "整改开始日期", "date"),
    FieldSpec("progress", "整改完成情况", "status"),
    FieldSpec("rectified_on", "整改完成日期", "date"),
    FieldSpec("submitted_on", "提交验收日期", "date"),
    FieldSpec("inspector", "验收人", "person"),
    FieldSpec("inspected_on", "验收日期", "date"),
    FieldSpec("inspection_passed", "验收结果", "status"),
    FieldSpec("inspection_result", "验收意见", "status"),
    FieldSpec("failed_inspections", "验收不通过次数", "number"),
    FieldSpec("closed_on", "销号日期", "date"),
    FieldSpec("closure_status", "销号情况", "status"),
    FieldSpec("first_closed_on", "首次销号日期", "date"),
    FieldSpec("reopen_count", "回头看次数", "number"),
    FieldSpec("reopened_on", "回头看日期", "date"),
    FieldSpec("withdrawn_on", "撤销日期", "date"),
    FieldSpec("voided_on", "作废日期", "date"),
    FieldSpec("end_reason", "撤销/作废原因"),
    FieldSpec("status", "隐患状态", "status"),
    FieldSpec("history", "办理过程"),
    FieldSpec("note", "备注", extra=True),
    # kept as extra fields: facts a ledger carries that the closed loop does not model
    FieldSpec("category", "隐患类别", extra=True),
    FieldSpec("cause", "原因分析", extra=True),
    FieldSpec("inspecting_unit", "验收组织单位", extra=True),
    FieldSpec("committee_reported_on", "报同级安委办时间", extra=True),
    FieldSpec("government_notified", "是否通报政府负责人", extra=True),
    FieldSpec("leading_official", "带队领导", extra=True),
    FieldSpec("special_campaign", "专题专项", extra=True),
    FieldSpec("rectification_type", "治理类型", extra=True),
    FieldSpec("reminder_days", "超时前提示天数", extra=True),
    FieldSpec("photos", "隐患照片", extra=True),
    FieldSpec("rectified_photos", "整改照片", extra=True),
    FieldSpec("attachments", "附件", extra=True),
    FieldSpec("unit_address", "企业所在地", extra=True),
    FieldSpec("signed_on", "签字日期", extra=True),
    FieldSpec("emergency_measures", "应急措施和预案", extra=True),
    FieldSpec("preventive_measures", "预防措施", extra=True),
    FieldSpec("finder_name", "填表人", extra=True),
    # derived on export, ignored on import (the register derives them itself)
    FieldSpec("overdue_status", "超期状态", "derived"),
    FieldSpec("overdue_days", "超期天数", "derived"),
    FieldSpec("remaining", "剩余/超期", "derived"),
    FieldSpec("colour", "风险颜色", "derived"),
    FieldSpec("reject_reason", "错误原因", "derived"),
    FieldSpec("source_row", "原位置", "derived"),
)
"""Every field, in the order the exporter writes the ones it writes."""

# (header, field) in order of specificity: when two columns of one ledger map to the same
# field, the one whose header comes first here wins and the other is kept as an extra field.
_RAW: dict[str, tuple[str, ...]] = {
    "row_no": ("序号",),
    "hazard_code": ("隐患编号", "隐患ID", "问题编号", "隐患排查单号", "记录编号", "通知编号", "编号"),
    "description": (
        "隐患描述", "隐患内容", "隐患名称", "事故隐患内容", "整改隐患内容", "存在隐患或问题",
        "存在的问题或隐患", "存在的安全隐患", "现场具体隐患", "具体隐患", "问题或隐患", "存在问题",
        "隐患问题描述", "问题描述", "问题标题", "安全问题或隐患", "检查地点存在问题及隐患",
        "隐患/不符合内容", "描述", "隐患点名称",
    ),
    "level": ("隐患等级", "隐患级别", "等级", "问题级别", "严重程度", "严重等级", "风险等级"),
    "category": (
        "隐患类型", "隐患类别", "类别", "隐患类型(专业分类)", "隐患大类", "隐患小类", "隐患标签",
        "人物管理分类", "发生环节",
    ),
    "source": ("隐患来源", "隐患来源(检查来源分类)", "检查类型", "来源"),
    "location": (
        "隐患部位", "隐患所在部位", "所在部位", "检查部位", "具体地点", "部位", "地点", "位置",
        "隐患地址", "问题位置", "发现位置", "巡检地点", "检查工点", "检查项目", "所在区域", "地理位置",
    ),
    "found_on": (
        "排查日期", "排查时间", "检查日期", "检查时间", "检查日", "发现时间", "发现日期", "登记时间",
        "创建日期", "提交时间",
    ),
    "finder": ("排查人员", "排查人", "检查人", "检查人员", "报告人", "登记人姓名", "发现人", "创建人"),
    "finder_name": ("填表人",),
    "unit": ("被检查单位", "被检查部门", "被督查部门名称"),
    "checking_unit": ("检查单位", "报告部门", "发现部门"),
    "responsible_unit": (
        "责任单位", "整改单位", "整改部门", "责任部门", "整改责任单位", "整改责任单位-施工",
        "整改责任单位-建设", "整改责任单位-设计", "整改责任单位-监理", "下发部门", "整改通知下达部门",
        "负责办理单位",
    ),
    "measures": (
        "整改措施", "整改要求", "整改要求(措施)", "整改/纠正措施", "控制措施", "防控措施", "处理措施",
        "处理建议", "措施",
    ),
    "plan": ("治理方案",),
    "emergency_measures": ("应急措施和预案",),
    "preventive_measures": ("预防措施",),
    "cause": ("原因分析", "根本原因", "可能造成后果"),
    "responsible_person": (
        "整改责任人", "责任人", "整改负责人", "整改人", "治理责任人", "治理人", "负责人", "管控责任人",
    ),
    "deadline": (
        "整改期限", "整改时限", "隐患治理期限", "治理期限", "计划完成时限", "计划完成日期", "计划完成",
        "完成期限", "完成时限", "截止时间", "时限", "整改完成时间",
    ),
    "funds": (
        "整改资金", "资金", "治理资金", "隐患治理计划资金(万元)", "累计落实治理资金(万元)", "考核金额(元)",
    ),
    "progress": ("整改完成情况", "完成情况", "整改情况", "治理完成情况", "整改说明", "进度"),
    "rectified_on": (
        "整改完成日期", "实际完成日期", "实际完成时间", "整改到位时间", "完成日期", "整改时间",
    ),
    "inspector": ("验收人", "验收人姓名", "复查人", "评估负责人签名"),
    "inspected_on": ("验收日期", "验收时间", "复查日期", "复查时间"),
    "inspection_result": ("验收意见", "验收情况描述", "复查结果", "复查情况", "复查意见"),
    "inspecting_unit": ("验收组织单位",),
    "closed_on": ("销号日期", "销号时间", "闭环时间", "复查通过时间"),
    "closure_status": ("销号情况", "是否消除"),
    "supervising_department": ("督办单位",),
    "supervisor": ("督办人员",),
    "assigned_on": ("交办时间", "交办日期"),
    "committee_reported_on": ("报同级安委办时间",),
    "government_notified": ("是否通报政府负责人",),
    "leading_official": ("带队领导",),
    "special_campaign": ("专题专项",),
    "status": ("隐患状态", "整改状态", "状态"),
    "rectification_type": ("治理类型",),
    "remaining": ("剩余/超期",),
    "reminder_days": ("超时前提示天数",),
    "photos": ("隐患照片",),
    "rectified_photos": ("隐患整改照片", "整改照片"),
    "attachments": ("附件", "通知单", "通知回复单"),
    "note": ("备注",),
    "unit_code": ("企业编码",),
    "unit_name": ("厂商名称", "企业名称", "单位名称"),
    "unit_address": ("企业所在地",),
    "town": ("所属乡镇", "乡镇(街道)", "乡镇街道", "乡镇"),
    "signed_on": ("签字日期",),
    # the exporter's own headers, so that an exported ledger reads back whole
    "domain": ("行业领域", "行业", "所属行业"),
    "criteria": ("判定依据",),
    "listing_level": ("挂牌督办级别", "挂牌级别", "督办级别"),
    "effective_deadline": ("延期后期限",),
    "extension_count": ("延期次数",),
    "started_on": ("整改开始日期",),
    "submitted_on": ("提交验收日期",),
    "failed_inspections": ("验收不通过次数",),
    "first_closed_on": ("首次销号日期",),
    "reopen_count": ("回头看次数",),
    "reopened_on": ("回头看日期",),
    "withdrawn_on": ("撤销日期",),
    "voided_on": ("作废日期",),
    "end_reason": ("撤销/作废原因",),
    "history": ("办理过程",),
    "overdue_status": ("超期状态",),
    "overdue_days": ("超期天数",),
    "colour": ("风险颜色",),
    "inspection_passed": ("验收结果",),
    "reject_reason": ("错误原因",),
    "source_row": ("原位置",),
}

_FULLWIDTH_PUNCT = str.maketrans({"：": ":", "、": "/", "－": "-", "—": "-", "–": "-"})
_PUNCT = re.compile("[" + "".join(chr(c) for c in _FULLWIDTH_PUNCT) + "]")
_STRIP_MARKS = re.compile(r"[\s*※★:]+")


def normalise_header(text: object) -> str:
    """A header as the table keys it: NFKC (full-width → half-width), no spaces, stars or colons."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text))
    if _PUNCT.search(s):  # str.translate walks every character through the dict: only when needed
        s = s.translate(_FULLWIDTH_PUNCT)
    return _STRIP_MARKS.sub("", s)


SYNONYMS: tuple[tuple[str, str], ...] = tuple(
    (header, name) for name, headers in _RAW.items() for header in headers
)
"""Every (header string, field name) pair, in order of specificity within a field."""

LEVEL_FALLBACK: tuple[str, ...] = ("category",)
"""Fields read as the level when a ledger has no level column and every value is a level word."""

_PAREN = re.compile(r"\([^)]*\)$")

MAX_HEADER_LENGTH = 120
"""A cell longer than this is never a header."""


def _build_index(pairs: Iterable[tuple[str, str]]) -> dict[str, tuple[str, int]]:
    index: dict[str, tuple[str, int]] = {}
    for rank, (header, name) in enumerate(pairs):
        key = normalise_header(header)
        index.setdefault(key, (name, rank))
    return index


@frozen
class ColumnTable:
    """Header synonyms → fields. Build new tables with the ``with_*`` methods; never mutate."""

    fields: tuple[FieldSpec, ...] = FIELDS
    synonyms: tuple[tuple[str, str], ...] = SYNONYMS
    _index: dict[str, tuple[str, int]] = field(init=False, repr=False, eq=False)
    _specs: dict[str, FieldSpec] = field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_index", _build_index(self.synonyms))
        object.__setattr__(self, "_specs", {f.name: f for f in self.fields})
        unknown = {name for _, name in self.synonyms} - set(self._specs)
        if unknown:
            raise ValueError(f"synonyms name unknown fields: {sorted(unknown)}")

    def spec(self, name: str) -> FieldSpec:
        """The field called ``name``."""
        return self._specs[name]

    def lookup(self, header: object) -> str | None:
        """The field a header stands for, or None for an unknown column."""
        hit = self.match(header)
        return hit[0] if hit else None

    def match(self, header: object) -> tuple[str, int] | None:
        """(field, rank) for a header; a lower rank is a more specific synonym."""
        if header.__class__ is str and len(header) > MAX_HEADER_LENGTH:  # type: ignore[arg-type]
            return None  # prose, not a header (and a 1,000,000-character cell is not normalised 50 times)
        key = normalise_header(header)
        if not key:
            return None
        hit = self._index.get(key)
        if hit is None and key.endswith(")"):
            # 整改资金(万元), 隐患等级(一般/重大): the bare header without its bracketed unit or hint
            hit = self._index.get(_PAREN.sub("", key))
        return hit

    def label(self, name: str) -> str:
        """The Chinese header the exporter writes for a field."""
        return self._specs[name].label

    def with_synonyms(self, extra: Mapping[str, str]) -> ColumnTable:
        """A table that also maps each header of ``extra`` to its field (the new ones rank last)."""
        for name in extra.values():
            if name not in self._specs:
                raise ValueError(f"unknown field {name!r}")
        return attrs.evolve(self, synonyms=(*self.synonyms, *extra.items()))

    def with_domain_fields(self, pairs: Iterable[tuple[str, str]]) -> ColumnTable:
        """Add a domain's extra ledger fields as (name, Chinese label) pairs, kept under ``name``.

        Pass ``((f.name, f.label) for d in hooks.domains().all() for f in d.ledger_fields)``.
        """
        new_fields = list(self.fields)
        new_syn = list(self.synonyms)
        for name, label in pairs:
            if name not in self._specs and all(f.name != name for f in new_fields):
                new_fields.append(FieldSpec(name, label, extra=True, key=name))
            new_syn.append((label, name))
        return attrs.evolve(self, fields=tuple(new_fields), synonyms=tuple(new_syn))


DEFAULT_COLUMNS = ColumnTable()
"""The table of STANDARDS.md §8.1 plus the exporter's own headers."""
