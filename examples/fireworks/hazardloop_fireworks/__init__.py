"""An example third-party hazardloop plugin: 烟花爆竹 (fireworks), domain ``fireworks``.

The 20 items of 《烟花爆竹生产经营单位重大生产安全事故隐患判定标准(试行)》, issued with
安监总管三〔2017〕121号 (STANDARDS.md §2, [C]); any one ⇒ 重大事故隐患. Everything a plugin
needs is here: a Domain with a catalog, a grading hook that defers to the core's data-driven
judgement, a suggestion hook, and an observer that turns a reopened hazard into a notice.
Install it (``pip install -e examples/fireworks``) and it loads through the entry point.
"""

from __future__ import annotations

import datetime as _dt

from hazardloop.catalog import Catalog, Criterion, Domain, DomainRegistry, Suggestion, suggest_by_keywords
from hazardloop.grading import GradeAnswer, HazardFacts, judge
from hazardloop.hookspecs import Notification, hookimpl
from hazardloop.lifecycle import HazardState
from hazardloop.records import Event

__version__ = "0.1.0"
__all__ = ["DOMAIN", "CATALOG", "hazardloop_register_domains", "hazardloop_grade_hazard",
           "hazardloop_suggest_criteria", "hazardloop_reopened"]

CODE = "fireworks"
_DOC = "安监总管三〔2017〕121号 烟花爆竹"

_ITEMS = (
    ("主要负责人、安全生产管理人员未依法经考核合格", ("考核合格",)),
    ("特种作业人员未持证上岗，作业人员带药检维修设备设施", ("带药检维修", "未持证")),
    ("职工自行携带工器具、机器设备进厂进行涉药作业", ("自行携带",)),
    ("工(库)房实际作业人员数量超过核定人数", ("超过核定人数", "超员")),
    ("工(库)房实际滞留、存储药量超过核定药量", ("超过核定药量", "超药量")),
    ("工(库)房内、外部安全距离不足，防护屏障缺失或者不符合要求", ("安全距离", "防护屏障")),
    ("防静电、防火、防雷设备设施缺失或者失效", ("防静电", "防雷")),
    ("擅自改变工(库)房用途或者违规私搭乱建", ("私搭乱建", "改变工(库)房用途")),
    ("工厂围墙缺失或者分区设置不符合国家标准", ("围墙",)),
    ("将氧化剂、还原剂同库储存、违规预混或者在同一工房内粉碎、称量", ("氧化剂", "预混")),
    ("在用涉药机械设备未经安全性论证或者擅自更改、改变用途", ("涉药机械",)),
    ("中转库、药物总库和成品总库的存储能力与设计产能不匹配", ("中转库",)),
    ("未建立与岗位相匹配的全员安全生产责任制或者未制定实施生产安全事故隐患排查治理制度", ("全员安全生产责任制",)),
    ("出租、出借、转让、买卖、冒用或者伪造许可证", ("许可证",)),
    ("生产经营的产品种类、危险等级超许可范围或者生产使用违禁药物", ("违禁药物", "超许可范围")),
    ("分包转包生产线、工房、库房组织生产经营", ("分包", "转包")),
    ("一证多厂或者多股东各自独立组织生产经营", ("一证多厂",)),
    ("许可证过期、整顿改造、恶劣天气等停产停业期间组织生产经营", ("停产停业期间",)),
    ("烟花爆竹仓库存放其它爆炸物等危险物品或者生产经营违禁超标产品", ("超标产品",)),
    ("零售点与居民居住场所设置在同一建筑物内或者在零售场所使用明火", ("零售点", "明火")),
)
_NUM = "一 二 三 四 五 六 七 八 九 十 十一 十二 十三 十四 十五 十六 十七 十八 十九 二十".split()

CATALOG = Catalog(
    code="AJZG3-2017-121-FW",
    series="fireworks-major",
    domain=CODE,
    title="烟花爆竹生产经营单位重大生产安全事故隐患判定标准(试行) 安监总管三〔2017〕121号",
    criteria=tuple(
        Criterion(code=f"FW121-{i:02d}", domain=CODE, text=text, clause=f"{_DOC} ({_NUM[i - 1]})", keywords=kw)
        for i, (text, kw) in enumerate(_ITEMS, start=1)
    ),
    effective_from=None,  # no effective date in STANDARDS.md: every date, marked unconfirmed
    dates_confirmed=False,
)

DOMAIN = Domain(code=CODE, name="烟花爆竹", catalogs=(CATALOG,), description="烟花爆竹生产经营单位")


@hookimpl
def hazardloop_register_domains(register: DomainRegistry) -> None:
    """Declare the fireworks domain."""
    register(DOMAIN)


@hookimpl
def hazardloop_grade_hazard(hazard: HazardFacts) -> GradeAnswer | None:
    """Any of the 20 items ⇒ 重大; none ⇒ 一般 (the list is complete)."""
    if hazard.domain != CODE:
        return None
    return judge(DOMAIN, hazard)


@hookimpl
def hazardloop_suggest_criteria(domain: str, description: str, on: _dt.date) -> list[Suggestion] | None:
    """Items whose keywords occur in the description (hints only)."""
    if domain != CODE:
        return None
    return suggest_by_keywords(CATALOG, description)


@hookimpl
def hazardloop_reopened(hazard: HazardState, reason: str, event: Event) -> Notification | None:
    """A reopened fireworks hazard is reported to the county office."""
    if hazard.domain != CODE:
        return None
    return Notification("回头看复发", hazard.hazard_id, event.occurred_on, f"烟花爆竹隐患复发: {reason}", ("县应急管理局",))
