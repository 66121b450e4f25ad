"""hazardloop plugin for 化工和危险化学品 (domain ``hazchem``).

- Grading: the 20 items of 《化工和危险化学品生产经营单位重大生产安全事故隐患判定标准(试行)》
  (安监总管三〔2017〕121号); any one ⇒ 重大事故隐患 (STANDARDS.md §2, all [C]). STANDARDS.md
  gives no effective date, so the catalog applies to every date and its dates are unconfirmed.
- Unit risk: GB 18218-2018 (:mod:`hazardloop_hazchem.gb18218`) from the unit attributes
  ``gb18218`` (a list of ``{"name"|"category", "q"}``) and ``people_500m``: 一级…四级 → 红/橙/黄/蓝.
"""

from __future__ import annotations

import datetime as _dt

from hazardloop.catalog import Catalog, Criterion, Domain, DomainRegistry, LedgerField, Suggestion, suggest_by_keywords
from hazardloop.grading import GradeAnswer, HazardFacts, judge
from hazardloop.hookspecs import hookimpl
from hazardloop.records import Unit
from hazardloop.riskmethods import RiskAssessment

from hazardloop_hazchem import gb18218

__version__ = "0.1.0"
__all__ = ["DOMAIN", "CATALOG_121", "hazardloop_register_domains", "hazardloop_grade_hazard",
           "hazardloop_suggest_criteria", "hazardloop_assess_unit_risk", "gb18218"]

CODE = "hazchem"
_DOC = "安监总管三〔2017〕121号"

# (text, keywords that may suggest it) — the order is the document's (一)…(二十)
_ITEMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("危险化学品生产、经营单位主要负责人和安全生产管理人员未依法经考核合格。", ("考核合格",)),
    ("特种作业人员未持证上岗。", ("特种作业", "未持证")),
    ("涉及\u201c两重点一重大\u201d的生产装置、储存设施外部安全防护距离不符合国家标准要求。", ("外部安全防护距离",)),
    ("涉及重点监管危险化工工艺的装置未实现自动化控制，系统未实现紧急停车功能，装备的自动化控制系统、紧急停车系统未投入使用。", ("自动化控制", "紧急停车")),
    ("构成一级、二级重大危险源的危险化学品罐区未实现紧急切断功能；涉及毒性气体、液化气体、剧毒液体的一级、二级重大危险源的危险化学品罐区未配备独立的安全仪表系统。", ("紧急切断", "安全仪表系统")),
    ("全压力式液化烃储罐未按国家标准设置注水措施。", ("注水",)),
    ("液化烃、液氨、液氯等易燃易爆、有毒有害液化气体的充装未使用万向管道充装系统。", ("万向",)),
    ("光气、氯气等剧毒气体及硫化氢气体管道穿越除厂区（包括化工园区、工业园区）外的公共区域。", ("管道穿越",)),
    ("地区架空电力线路穿越生产区且不符合国家标准要求。", ("架空电力线路",)),
    ("在役化工装置未经正规设计且未进行安全设计诊断。", ("安全设计诊断", "未经正规设计")),
    ("使用淘汰落后安全技术工艺、设备目录列出的工艺、设备。", ("淘汰落后",)),
    ("涉及可燃和有毒有害气体泄漏的场所未按国家标准设置检测报警装置，爆炸危险场所未按国家标准安装使用防爆电气设备。", ("检测报警", "防爆电气")),
    ("控制室或机柜间面向具有火灾、爆炸危险性装置一侧不满足国家标准关于防火防爆的要求。", ("控制室", "机柜间")),
    ("化工生产装置未按国家标准要求设置双重电源供电，自动化控制系统未设置不间断电源。", ("双重电源", "不间断电源")),
    ("安全阀、爆破片等安全附件未正常投用。", ("安全阀", "爆破片")),
    ("未建立与岗位相匹配的全员安全生产责任制或者未制定实施生产安全事故隐患排查治理制度。", ("全员安全生产责任制",)),
    ("未制定操作规程和工艺控制指标。", ("操作规程", "工艺控制指标")),
    ("未按照国家标准制定动火、进入受限空间等特殊作业管理制度，或者制度未有效执行。", ("动火", "受限空间", "特殊作业")),
    ("新开发的危险化学品生产工艺未经小试、中试、工业化试验直接进行工业化生产；国内首次使用的化工工艺未经过省级人民政府有关部门组织的安全可靠性论证；新建装置未制定试生产方案投料开车；精细化工企业未按规范性文件要求开展反应安全风险评估。", ("中试", "试生产方案", "反应安全风险评估")),
    ("未按国家标准分区分类储存危险化学品，超量、超品种储存危险化学品，相互禁配物质混放混存。", ("混放", "超量", "禁配")),
)
_NUMERALS = "一 二 三 四 五 六 七 八 九 十 十一 十二 十三 十四 十五 十六 十七 十八 十九 二十".split()

CATALOG_121 = Catalog(
    code="AJZG3-2017-121",
    series="hazchem-major",
    domain=CODE,
    title=f"化工和危险化学品生产经营单位重大生产安全事故隐患判定标准(试行) {_DOC}",
    criteria=tuple(
        Criterion(
            code=f"HC121-{i:02d}", domain=CODE, text=text, clause=f"{_DOC} ({_NUMERALS[i - 1]})",
            keywords=kws,
        )
        for i, (text, kws) in enumerate(_ITEMS, start=1)
    ),
    effective_from=None,  # STANDARDS.md gives no effective date: applies to all dates, unconfirmed
    dates_confirmed=False,
    complete=True,
    note="20 items [C]; any one ⇒ 重大事故隐患",
)

DOMAIN = Domain(
    code=CODE,
    name="危险化学品",
    ledger_fields=(
        LedgerField("major_hazard_level", "重大危险源级别", "choice", ("一级", "二级", "三级", "四级", "否")),
        LedgerField("process", "重点监管危险化工工艺", "text"),
    ),
    catalogs=(CATALOG_121,),
    description="化工和危险化学品生产经营单位 (121号 + GB 18218-2018)",
)


@hookimpl
def hazardloop_register_domains(register: DomainRegistry) -> None:
    """Declare the hazchem domain and its 121号 catalog."""
    register(DOMAIN)


@hookimpl
def hazardloop_grade_hazard(hazard: HazardFacts) -> GradeAnswer | None:
    """Any 121号 item among the hazard's criteria ⇒ 重大; none ⇒ 一般 (the list is complete)."""
    if hazard.domain != CODE:
        return None
    return judge(DOMAIN, hazard)


@hookimpl
def hazardloop_suggest_criteria(domain: str, description: str, on: _dt.date) -> list[Suggestion] | None:
    """121号 items whose keywords occur in the description."""
    if domain != CODE:
        return None
    cat = DOMAIN.catalog_for(CATALOG_121.series, on)
    return suggest_by_keywords(cat, description) if cat else []


@hookimpl
def hazardloop_assess_unit_risk(unit: Unit, on: _dt.date) -> list[RiskAssessment] | None:
    """GB 18218-2018 grade of a hazchem unit that is a 重大危险源 (S ≥ 1); None otherwise."""
    raw = unit.attribute("gb18218")
    if CODE not in unit.domains or raw is None:
        return None
    people = unit.attribute("people_500m")
    if people is None:
        return None  # α cannot be chosen without the people count: no guess
    result = gb18218.assess(gb18218.holdings_from(raw), int(people))
    if not result.is_major_hazard:
        return None
    assert result.colour is not None and result.r is not None
    return [
        RiskAssessment(
            unit.code, "GB 18218-2018", result.colour, round(result.r, 6), domain=CODE,
            basis=f"{result.level}重大危险源 R={result.r:.2f} (S={result.s:.2f}, α={result.alpha})",
            details={"S": result.s, "R": result.r, "alpha": result.alpha, "level": result.level},
        )
    ]
