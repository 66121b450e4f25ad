"""hazardloop plugin for 消防 (domain ``fire``): 重大火灾隐患 by GB 35181 (STANDARDS.md §6).

Two catalogs in the series ``gb35181``:

- GB 35181-2017 《重大火灾隐患判定方法》, in force until 2025-10-31 (the day before its
  successor takes effect [C]; its own start date is not in our facts, so it covers every
  earlier date, marked unconfirmed). Direct elements (第6章): any one ⇒ 重大火灾隐患.
  Composite elements (第7章) are counted by place category (extra field ``place_category``)
  against :data:`COMPOSITE_RULES`. The exclusions of 5.1.3 (and 5.1.2: an element that can
  be corrected at once is no element) make the hazard not major.
- GB 35181-2025 《重大火灾隐患判定规则》, in force from 2025-11-01 [C]. Its element lists are
  not in our facts: the plugin answers that it cannot grade automatically, and accepts a
  recorded manual determination (``Register.determine``: who decided, when, under which
  clause). Its validation hook refuses, for hazards found from that date, a 重新定级 (which
  would apply a rule automatically) and a determination citing GB 35181-2017.

Of the composite thresholds only 人员密集场所 (7.3.1~7.3.9, ≥ 3) is confirmed; the other rows
are carried with the [U] mark: a grade resting on them is flagged for review.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable

from attrs import field, frozen

from hazardloop.catalog import (
    Catalog, Confidence, Criterion, CriterionKind, Domain, DomainRegistry, LedgerField, Suggestion,
    suggest_by_keywords,
)
from hazardloop.grading import Basis, GradeAnswer, HazardFacts, judge
from hazardloop.hookspecs import hookimpl
from hazardloop.lifecycle import HazardState
from hazardloop.records import Event, EventKind

__version__ = "0.1.0"
__all__ = ["DOMAIN", "CATALOG_2017", "CATALOG_2025", "COMPOSITE_RULES", "CompositeRule", "PLACE_CATEGORIES",
           "GB2025_FROM", "FirePlugin", "plugin"]

CODE = "fire"
C, U = Confidence.CONFIRMED, Confidence.UNCONFIRMED
D, M, X = CriterionKind.DIRECT, CriterionKind.COMPOSITE, CriterionKind.EXCLUSION
_G17 = "GB 35181-2017"
GB2025_FROM = _dt.date(2025, 11, 1)

CROWDED = "人员密集场所"
FLAMMABLE = "易燃易爆危险品场所"
IMPORTANT = "重要场所"
OTHER = "其他场所"
PLACE_CATEGORIES = (CROWDED, FLAMMABLE, IMPORTANT, OTHER)
"""The 2017 place categories (重要场所 was deleted in 2025)."""


def _c(clause: str, text: str, kind: CriterionKind, conf: Confidence = C, kw: tuple[str, ...] = ()) -> Criterion:
    group = clause.rsplit(".", 1)[0] if kind is M else ""
    return Criterion(
        code=f"GB35181-2017-{clause}", domain=CODE, text=text, clause=f"{_G17} {clause}", kind=kind,
        confidence=conf, group=group, keywords=kw,
    )


CRITERIA_2017 = (
    _c("5.1.2", "可以立即改正的火灾隐患要素 (直接和综合判定要素均应为不能立即改正的要素)", X),
    _c("5.1.3a", "依法进行了消防设计专家评审，并已采取相应技术措施的", X),
    _c("5.1.3b", "单位、场所已停产停业或停止使用的", X),
    _c("5.1.3c", "不足以导致重大、特别重大火灾事故或严重社会影响的", X),
    _c("6.1", "生产、储存和装卸易燃易爆危险品的工厂、仓库和专用车站、码头、储罐区，未设置在城市的边缘或相对独立的安全地带", D),
    _c("6.2", "生产、储存、经营易燃易爆危险品的场所与人员密集场所、居住场所设置在同一建筑物内，或与其防火间距小于国家工程建设消防技术标准规定值的75%", D, kw=("同一建筑物",)),
    _c("6.3", "城市建成区内的加油站、天然气或液化石油气加气站、加油加气合建站的储量达到或超过GB 50156对一级站的规定", D, kw=("加油站", "加气站")),
    _c("6.4", "甲、乙类生产场所和仓库设置在建筑的地下室或半地下室", D, kw=("地下室",)),
    _c("6.5", "公共娱乐场所、商店、地下人员密集场所的安全出口数量不足或其总净宽度小于规定值的80%", D),
    _c("6.6", "旅馆、公共娱乐场所、商店、地下人员密集场所未按规定设置自动喷水灭火系统或火灾自动报警系统", D, kw=("自动喷水", "火灾自动报警")),
    _c("6.7", "易燃可燃液体、可燃气体储罐(区)未按规定设置固定灭火、冷却、可燃气体浓度报警、火灾报警设施", D, U),
    _c("6.8", "在人员密集场所违反消防安全规定使用、储存或销售易燃易爆危险品", D, U),
    _c("6.9", "托儿所、幼儿园的儿童用房以及老年人活动场所，所在楼层位置不符合规定", D, U),  # text [C], number [U]
    _c("6.10", "人员密集场所的居住场所采用彩钢夹芯板搭建，且彩钢夹芯板芯材的燃烧性能等级低于GB 8624规定的A级", D, U, kw=("彩钢",)),
    _c("7.1.1", "未按规定或城市消防规划设置消防车道或消防车道被堵塞、占用", M, kw=("消防车道",)),
    _c("7.1.2", "建筑之间的既有防火间距被占用或小于规定值的80%，明火和散发火花地点与易燃易爆生产厂房、装置设备之间的防火间距小于规定值", M, kw=("防火间距",)),
    _c("7.1.3", "在厂房、库房、商场中设置员工宿舍，或在居住等民用建筑中从事生产、储存、经营等活动，且不符合GA 703", M, kw=("员工宿舍",)),
    _c("7.1.4", "地下车站的站厅乘客疏散区、站台及疏散通道内设置商业经营活动场所", M),
    _c("7.2.1", "原有防火分区被改变并导致实际防火分区面积大于规定值的50%", M, kw=("防火分区",)),
    _c("7.2.2", "防火门、防火卷帘等防火分隔设施损坏的数量大于该防火分区相应设施总数的50%", M, kw=("防火门", "防火卷帘")),
    _c("7.2.3", "丙、丁、戊类厂房内有火灾或爆炸危险的部位未采取防火分隔等防火防爆技术措施", M),
    _c("7.3.1", "避难走道、避难间、避难层设置不符合规定或被占用", M, kw=("避难",)),
    _c("7.3.2", "人员密集场所内疏散楼梯间设置形式不符合规定", M, kw=("疏散楼梯",)),
    _c("7.3.3", "除6.5外的其他场所或建筑物安全出口数量或宽度不符合规定，或既有安全出口被封堵", M, kw=("安全出口",)),
    _c("7.3.4", "应设置独立的安全出口或疏散楼梯而未设置", M),
    _c("7.3.5", "商店营业厅内的疏散距离大于规定值的125%", M, kw=("疏散距离",)),
    _c("7.3.6", "高层建筑和地下建筑未按规定设置疏散指示标志、应急照明，或损坏率大于规定设置数量的30%；其他建筑大于50%", M, kw=("疏散指示", "应急照明")),
    _c("7.3.7", "设有人员密集场所的高层建筑的封闭楼梯间或防烟楼梯间的门的损坏率超过其设置总数的20%，其他建筑50%", M, U),
)


@frozen
class CompositeRule:
    """5.3.3: for a place category, a count of composite elements in ``scope`` ≥ ``threshold``.

    ``scope`` holds clause prefixes (``"7.3."``) or exact clauses; empty = any 第7章 element.
    """

    categories: tuple[str, ...]
    scope: tuple[str, ...]
    threshold: int
    confidence: Confidence = field(default=Confidence.CONFIRMED)
    text: str = ""

    def counts(self, clause: str) -> bool:
        """True when a composite element with this clause falls within the rule's scope."""
        if not self.scope:
            return True
        return any(clause == s or (s.endswith(".") and clause.startswith(s)) for s in self.scope)


COMPOSITE_RULES: tuple[CompositeRule, ...] = (
    CompositeRule((CROWDED,), ("7.3.",), 3, C, "人员密集场所: 7.3.1~7.3.9 中 3 条以上(含本数)"),
    CompositeRule((FLAMMABLE,), ("7.1.1", "7.1.2", "7.1.3", "7.4.5", "7.4.6"), 3, U,
                  "易燃易爆危险品场所: 7.1.1~7.1.3、7.4.5、7.4.6 中 3 条以上 [U]"),
    CompositeRule((CROWDED, FLAMMABLE, IMPORTANT), (), 4, U, "人员密集场所、易燃易爆危险品场所、重要场所: 第7章任意 4 条以上 [U]"),
    CompositeRule((OTHER,), (), 6, U, "其他场所: 第7章任意 6 条以上 [U]"),
)
"""GB 35181-2017 5.3.3 thresholds; only the first row is [C] (STANDARDS.md §6.2)."""

CATALOG_2017 = Catalog(
    code="GB35181-2017", series="gb35181", domain=CODE, title=f"重大火灾隐患判定方法 {_G17}",
    criteria=CRITERIA_2017, effective_from=None, effective_until="2025-10-31", dates_confirmed=False,
    complete=False, note="6.7/6.8 and clause numbers of 6.9/6.10 unconfirmed; 7.3.8 onward and 7.4–7.9 not held",
)

CATALOG_2025 = Catalog(
    code="GB35181-2025", series="gb35181", domain=CODE, title="重大火灾隐患判定规则 GB 35181-2025",
    effective_from=GB2025_FROM, automatic=False,
    note="发布 2025-04-25, 实施 2025-11-01; element lists and thresholds not in our facts",
)

DOMAIN = Domain(
    code=CODE,
    name="消防",
    ledger_fields=(
        LedgerField("place_category", "场所类别", "choice", PLACE_CATEGORIES,
                    help="GB 35181-2017 5.3 综合判定 counts composite elements by this category"),
    ),
    catalogs=(CATALOG_2017, CATALOG_2025),
    description="重大火灾隐患 (GB 35181)",
)


def _clause(code: str) -> str:
    return code.removeprefix("GB35181-2017-")


class FirePlugin:
    """The fire plugin; ``rules`` are the composite thresholds (configurable for tests and hosts)."""

    def __init__(self, rules: Iterable[CompositeRule] = COMPOSITE_RULES) -> None:
        self.rules = tuple(rules)

    def composite(self, hazard: HazardFacts) -> tuple[list[Basis], list[str]]:
        """Bases from the composite rules met, and reasons the rules could not be applied."""
        if hazard.found_on >= GB2025_FROM:
            return [], []
        composite = [
            c for code in dict.fromkeys(hazard.criteria)
            if (c := CATALOG_2017.get(code)) is not None and c.kind is CriterionKind.COMPOSITE
        ]
        if not composite:
            return [], []
        category = hazard.get("place_category")
        if category is None:
            return [], ["存在综合判定要素, 但未记录场所类别 (place_category)"]
        if category not in PLACE_CATEGORIES:
            return [], [f"场所类别 {category!r} 不在 {', '.join(PLACE_CATEGORIES)} 中"]
        fired: list[tuple[CompositeRule, list[Basis]]] = []
        for rule in self.rules:
            if category not in rule.categories:
                continue
            counted = [c for c in composite if rule.counts(_clause(c.code))]
            if len(counted) >= rule.threshold:
                detail = f"{rule.text}: {len(counted)} 条"
                ok = rule.confidence.confirmed
                fired.append((rule, [Basis(c.code, CATALOG_2017.code, c.clause, c.text, ok and c.confirmed, detail)
                                     for c in counted]))
        # a confirmed rule that fires is enough; unconfirmed rules only speak when none does
        confirmed = [f for f in fired if f[0].confidence.confirmed]
        return [b for _, bs in (confirmed or fired) for b in bs], []

    @hookimpl
    def hazardloop_register_domains(self, register: DomainRegistry) -> None:
        """Declare the fire domain with the 2017 and 2025 catalogs."""
        register(DOMAIN)

    @hookimpl
    def hazardloop_grade_hazard(self, hazard: HazardFacts) -> GradeAnswer | None:
        """Direct elements, composite thresholds and exclusions (2017); cannot grade from 2025-11-01."""
        if hazard.domain != CODE:
            return None
        bases, problems = self.composite(hazard)
        return judge(DOMAIN, hazard, extra_major=bases, extra_unknown=problems)

    @hookimpl
    def hazardloop_suggest_criteria(self, domain: str, description: str, on: _dt.date) -> list[Suggestion] | None:
        """2017 elements whose keywords occur in the description (none from 2025-11-01)."""
        if domain != CODE:
            return None
        cat = DOMAIN.catalog_for("gb35181", on)
        return suggest_by_keywords(cat, description) if cat else []

    @hookimpl
    def hazardloop_validate_event(self, state: HazardState | None, event: Event) -> str | None:
        """From 2025-11-01 a fire hazard's level changes only by a determination not citing 2017."""
        if state is None or state.domain != CODE or state.found_on < GB2025_FROM:
            return None
        if event.kind is EventKind.REGRADE:
            return ("GB 35181-2025 applies to hazards found from 2025-11-01 and is not graded "
                    "automatically: record a manual determination (人工判定) instead")
        if event.kind is EventKind.DETERMINE:
            clause = getattr(event.payload, "clause", "")
            if not clause:
                return "a manual determination must cite the clause it rests on"
            if "35181-2017" in clause.replace(" ", ""):
                return f"GB 35181-2017 is not in force on {state.found_on}; cite GB 35181-2025"
        return None


plugin = FirePlugin()
"""The instance the entry point ``fire`` loads."""
