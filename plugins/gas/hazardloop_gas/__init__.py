"""hazardloop plugin for 城镇燃气 (domain ``gas``): 建城规〔2023〕4号 (STANDARDS.md §5).

Encoded: 第四条 (一)–(五) [C]; 第五条 (一)(二) [C] (the rest of 第五条 is not in our facts);
第九条 (一)–(四) [C], each of which is a 重大隐患 only when the operator, finding it during a
user safety check, did not take the measures of written notice to the user (不按规定采取书面
告知用户整改等措施): that condition is criterion ``JC2023-9.0``. Record it among the hazard's
criteria when notice was not given, or set the extra field ``written_notice_given`` True when
it was; when neither is recorded the plugin cannot grade. 第六–八条 are not in our facts, so
the catalog is incomplete and "no item matched" does not make a hazard general.

The 印发 date is unconfirmed: the catalog applies to every date, with that mark.
"""

from __future__ import annotations

import datetime as _dt

import attrs

from hazardloop.catalog import (
    Catalog, Criterion, CriterionKind, Domain, DomainRegistry, LedgerField, Suggestion, suggest_by_keywords,
)
from hazardloop.grading import GradeAnswer, HazardFacts, judge
from hazardloop.hookspecs import hookimpl

__version__ = "0.1.0"
__all__ = ["DOMAIN", "CATALOG", "NOTICE", "hazardloop_register_domains", "hazardloop_grade_hazard",
           "hazardloop_suggest_criteria"]

CODE = "gas"
_DOC = "建城规〔2023〕4号"
NOTICE = "JC2023-9.0"
"""The 第九条 condition: written notice to the user was not given."""


def _c(code: str, clause: str, text: str, kind: CriterionKind = CriterionKind.DIRECT,
       requires: tuple[str, ...] = (), kw: tuple[str, ...] = ()) -> Criterion:
    return Criterion(code=code, domain=CODE, text=text, clause=f"{_DOC} {clause}", kind=kind, requires=requires, keywords=kw)


CATALOG = Catalog(
    code="JCG-2023-4",
    series="gas-major",
    domain=CODE,
    title=f"城镇燃气经营安全重大隐患判定标准 {_DOC}",
    criteria=(
        _c("JC2023-4.1", "第四条(一)", "未取得燃气经营许可证从事燃气经营活动", kw=("经营许可证",)),
        _c("JC2023-4.2", "第四条(二)", "未建立安全风险分级管控制度", kw=("风险分级管控",)),
        _c("JC2023-4.3", "第四条(三)", "未建立事故隐患排查治理制度", kw=("隐患排查治理制度",)),
        _c("JC2023-4.4", "第四条(四)", "未制定生产安全事故应急救援预案", kw=("应急救援预案",)),
        _c("JC2023-4.5", "第四条(五)", "未建立对燃气用户燃气设施的定期安全检查制度", kw=("定期安全检查",)),
        _c("JC2023-5.1", "第五条(一)", "燃气储罐未设置压力、罐容或液位显示等监测装置，或不具有超限报警功能", kw=("液位", "超限报警")),
        _c("JC2023-5.2", "第五条(二)", "燃气厂站内设备和管道未设置防止系统压力参数超过限值的自动切断和放散装置", kw=("自动切断", "放散")),
        _c(NOTICE, "第九条", "燃气经营者在对燃气用户进行安全检查时发现下列情形之一，不按规定采取书面告知用户整改等措施", CriterionKind.CONDITION, kw=("未书面告知",)),
        _c("JC2023-9.1", "第九条(一)", "燃气相对密度大于等于0.75的燃气管道、调压装置和燃具等设置在地下室、半地下室、地下箱体及其他密闭地下空间内", requires=(NOTICE,), kw=("地下室", "半地下室")),
        _c("JC2023-9.2", "第九条(二)", "燃气引入管、立管、水平干管设置在卫生间内", requires=(NOTICE,), kw=("卫生间",)),
        _c("JC2023-9.3", "第九条(三)", "燃气管道及附件、燃具设置在卧室、旅馆建筑客房等人员居住和休息的房间内", requires=(NOTICE,), kw=("卧室", "客房")),
        _c("JC2023-9.4", "第九条(四)", "使用国家明令淘汰的燃气燃烧器具、连接管", requires=(NOTICE,), kw=("淘汰",)),
    ),
    effective_from=None,
    dates_confirmed=False,
    complete=False,
    note="第五条(三)起 and 第六–八条 are not in our facts",
)

DOMAIN = Domain(
    code=CODE,
    name="城镇燃气",
    ledger_fields=(
        LedgerField("written_notice_given", "是否已书面告知用户整改", "bool",
                    help="第九条: 重大隐患 only when written notice was not given"),
        LedgerField("gas_facility", "燃气设施类型", "choice", ("燃气厂站", "管道和调压设施", "瓶装燃气", "用户设施")),
    ),
    catalogs=(CATALOG,),
    description="城镇燃气经营者",
)


@hookimpl
def hazardloop_register_domains(register: DomainRegistry) -> None:
    """Declare the gas domain and its catalog."""
    register(DOMAIN)


@hookimpl
def hazardloop_grade_hazard(hazard: HazardFacts) -> GradeAnswer | None:
    """第四、五条 items decide alone; 第九条 items only with the unwritten-notice condition."""
    if hazard.domain != CODE:
        return None
    if hazard.get("written_notice_given") is True:
        if NOTICE in hazard.criteria:
            return GradeAnswer(CODE, "无法自动定级", None, (), "记录矛盾: 既已书面告知又列出未书面告知条件", (CATALOG.code,))
        # the condition is recorded as not met: 第九条 items do not count
        hazard = attrs.evolve(hazard, extra=(*hazard.extra, (NOTICE, False)))
    return judge(DOMAIN, hazard)


@hookimpl
def hazardloop_suggest_criteria(domain: str, description: str, on: _dt.date) -> list[Suggestion] | None:
    """Items whose keywords occur in the description."""
    if domain != CODE:
        return None
    cat = DOMAIN.catalog_for(CATALOG.series, on)
    return suggest_by_keywords(cat, description) if cat else []
