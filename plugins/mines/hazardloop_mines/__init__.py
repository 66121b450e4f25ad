"""hazardloop plugin for 矿山 (domain ``mines``): metal/non-metal mines, coal mines, tailings ponds.

Catalogs (STANDARDS.md §4), one series per list:

- ``metal``: 《金属非金属矿山重大事故隐患判定标准》 矿安〔2022〕88号, in force from 2022-09-01
  [C], replacing the 2017 trial list 安监总管一〔2017〕98号 (whose start date we do not have:
  it applies to every date before 2022-09-01, marked unconfirmed). Both are held in part:
  the items we have are encoded, headings known only in part are marked ``partial`` and the
  catalogs ``complete=False`` (no match cannot prove a hazard general).
- ``coal``: 《煤矿重大事故隐患判定标准》 应急管理部令第4号, in force from 2021-01-01 [C], its 15
  方面 (categories) of 第三条; before that 总局令第85号, whose items are not in our facts
  (no automatic grade).

Unit risk: the tailings-pond safety class (:mod:`hazardloop_mines.tailings`) mapped to a
colour (危→红, 险→橙, 病→黄, 正常→蓝 by default; no source sets it, so it is configurable and
the assessment is marked unconfirmed). Configure by registering your own :class:`MinesPlugin`
under the name ``mines`` (and blocking the entry point of the same name).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from types import MappingProxyType

from hazardloop.catalog import (
    Catalog, Confidence, Criterion, Domain, DomainRegistry, LedgerField, Suggestion, suggest_by_keywords,
)
from hazardloop.grading import GradeAnswer, HazardFacts, judge
from hazardloop.hookspecs import hookimpl
from hazardloop.records import Colour, Unit
from hazardloop.riskmethods import RiskAssessment

from hazardloop_mines import tailings

__version__ = "0.1.0"
__all__ = ["DOMAIN", "MinesPlugin", "plugin", "tailings", "CODE"]

CODE = "mines"
C, P, U = Confidence.CONFIRMED, Confidence.PARAPHRASE, Confidence.UNCONFIRMED
_KA88 = "矿安〔2022〕88号"
_AJ98 = "安监总管一〔2017〕98号"
_YJB4 = "应急管理部令第4号"


def _c(code: str, clause: str, text: str, conf: Confidence = C, partial: bool = False, kw: tuple[str, ...] = ()) -> Criterion:
    return Criterion(code=code, domain=CODE, text=text, clause=clause, confidence=conf, partial=partial, keywords=kw)


_UG = "一、地下矿山"
_OP = "二、露天矿山"
_TL = "三、尾矿库"
KA88_CRITERIA = (
    _c("KA88-UG-01.1", f"{_KA88} {_UG}(一)1", "矿井直达地面的独立安全出口少于2个，或者与设计不一致", kw=("安全出口",)),
    _c("KA88-UG-01.2", f"{_KA88} {_UG}(一)2", "只有两个独立直达地面的安全出口且间距小于30米，或者矿体一翼走向长度超过1000米且未在此翼设置安全出口"),
    _c("KA88-UG-01.3", f"{_KA88} {_UG}(一)3", "全部安全出口均为竖井且竖井内均未设置梯子间，或者作为主要安全出口的罐笼提升井只有1套提升系统且未设梯子间", kw=("梯子间",)),
    _c("KA88-UG-01.4", f"{_KA88} {_UG}(一)4", "主要生产中段(水平)、单个采区、盘区或者矿块的安全出口少于2个，或者未与通往地面的安全出口相通"),
    _c("KA88-UG-01.5", f"{_KA88} {_UG}(一)5", "安全出口堵塞或梯子、踏步等设施不能正常使用", kw=("安全出口堵塞",)),
    _c("KA88-UG-02", f"{_KA88} {_UG}(二)", "使用国家明令禁止使用的设备、材料或者工艺", kw=("明令禁止",)),
    _c("KA88-UG-03", f"{_KA88} {_UG}(三)", "不同矿权主体的相邻矿山井巷相互贯通，或者同一矿权主体相邻独立生产系统的井巷擅自贯通", kw=("贯通",)),
    _c("KA88-UG-04", f"{_KA88} {_UG}(四)", "地下矿山现状图纸存在下列情形之一: 未保存GB 16423-2020第4.1.10条规定的图纸，或生产矿山每3个月、基建矿山每1个月未更新…", partial=True, kw=("图纸",)),
    _c("KA88-UG-05", f"{_KA88} {_UG}(五)", "露天转地下开采…", partial=True),
    _c("KA88-UG-07", f"{_KA88} {_UG}(七)", "井下主要排水系统…", partial=True, kw=("排水系统",)),
    _c("KA88-UG-13", f"{_KA88} {_UG}(十三)", "有自然发火危险的矿山…", partial=True, kw=("自然发火",)),
    _c("KA88-UG-20", f"{_KA88} {_UG}(二十)", "矿井未采用机械通风…", partial=True, kw=("机械通风",)),
    _c("KA88-UG-21", f"{_KA88} {_UG}(二十一)", "未配齐或者随身携带具有矿用产品安全标志的便携式气体检测报警仪和自救器…", partial=True, kw=("自救器", "便携式气体检测")),
    _c("KA88-UG-27", f"{_KA88} {_UG}(二十七)", "新建、改扩建矿山建设项目有下列行为之一的…", partial=True),
    _c("KA88-OP-01", f"{_KA88} {_OP}(一)", "地下开采转露天开采前，未探明采空区和溶洞，或者未按设计处理…", partial=True, kw=("采空区",)),
    _c("KA88-OP-02", f"{_KA88} {_OP}(二)", "使用国家明令禁止使用的设备、材料或者工艺"),
    _c("KA88-OP-03", f"{_KA88} {_OP}(三)", "未采用自上而下的开采顺序分台阶或者分层开采", kw=("自上而下",)),
    _c("KA88-OP-04", f"{_KA88} {_OP}(四)", "工作帮坡角大于设计工作帮坡角，或者最终边坡台阶高度超过设计高度", kw=("帮坡角",)),
    _c("KA88-OP-05", f"{_KA88} {_OP}(五)", "开采或者破坏设计要求保留的矿(岩)柱或者挂帮矿体", kw=("矿柱", "挂帮")),
    _c("KA88-OP-06", f"{_KA88} {_OP}(六)", "未按有关国家标准或者行业标准对采场边坡、排土场边坡进行稳定性分析", kw=("稳定性分析",)),
    _c("KA88-OP-07.1", f"{_KA88} {_OP}(七)1", "高度200米及以上的采场边坡未进行在线监测", kw=("在线监测",)),
    _c("KA88-OP-07.2", f"{_KA88} {_OP}(七)2", "高度200米及以上的排土场边坡未建立边坡稳定监测系统"),
    _c("KA88-OP-07.3", f"{_KA88} {_OP}(七)3", "关闭、破坏监测系统或者隐瞒、篡改、销毁其相关数据、信息"),
    _c("KA88-OP-08.1", f"{_KA88} {_OP}(八)1", "边坡出现滑移现象: 横向及纵向放射状裂缝"),
    _c("KA88-OP-08.2", f"{_KA88} {_OP}(八)2", "边坡出现滑移现象: 坡体前缘坡脚处上鼓(凸起)，后缘裂缝急剧扩展"),
    _c("KA88-OP-08.3", f"{_KA88} {_OP}(八)3", "边坡出现滑移现象: 位移观测…", partial=True),
    _c("KA88-OP-10", f"{_KA88} {_OP}(十)", "凹陷露天矿山未按设计建设防洪、排洪设施", kw=("防洪", "排洪")),
    _c("KA88-TL-a", f"{_KA88} {_TL} (条目编号未确认)", "库区或者尾矿坝上存在未按设计进行开采、挖掘、爆破等危及尾矿库安全的活动", P),
    _c("KA88-TL-b", f"{_KA88} {_TL} (条目编号未确认)", "坝体的平均外坡比或者堆积子坝的外坡比陡于设计坡比", P, kw=("外坡比",)),
    _c("KA88-TL-c", f"{_KA88} {_TL} (条目编号未确认)", "坝体高度超过设计总坝高，或者尾矿库超过设计库容贮存尾矿", P, kw=("设计库容", "总坝高")),
    _c("KA88-TL-d", f"{_KA88} {_TL} (条目编号未确认)", "排洪构筑物终止使用时封堵措施不满足设计要求", P, kw=("封堵",)),
)

_AJ98_TL = (
    "未按批准设计开采、挖掘、爆破",
    "贯穿性横向裂缝+较大范围管涌、流土变形+深层滑动迹象",
    "坝外坡坡比陡于设计",
    "超设计坝高或库容",
    "堆积坝上升速率大于设计",
    "未对坝体稳定性评估",
    "浸润线埋深小于控制埋深",
    "安全超高和干滩长度小于设计",
    "排洪构筑物严重堵塞或坍塌",
    "设计以外尾矿、废料或废水进库",
    "多种尾砂混排未按设计",
    "冬季未按设计冰下放矿",
)
_NUM = "一 二 三 四 五 六 七 八 九 十 十一 十二 十三 十四 十五".split()

CATALOG_AJ98 = Catalog(
    code="AJZG1-2017-98", series="metal", domain=CODE,
    title=f"金属非金属矿山重大生产安全事故隐患判定标准(试行) {_AJ98}",
    criteria=tuple(
        _c(f"AJ98-TL-{i:02d}", f"{_AJ98} 尾矿库({_NUM[i - 1]})", text, C)
        for i, text in enumerate(_AJ98_TL, start=1)
    ),
    effective_from=None, effective_until="2022-08-31", dates_confirmed=False, complete=False,
    note="only the 12 尾矿库 items are held (history); 地下/露天 items are not in our facts",
)

CATALOG_KA88 = Catalog(
    code="KA-2022-88", series="metal", domain=CODE,
    title=f"金属非金属矿山重大事故隐患判定标准 {_KA88}",
    criteria=KA88_CRITERIA, effective_from="2022-09-01", complete=False,
    note="items held in part (item counts unconfirmed); 矿安〔2024〕41号 补充情形 unconfirmed, not encoded",
)

_COAL15 = (
    "超能力、超强度或者超定员组织生产",
    "瓦斯超限作业",
    "煤与瓦斯突出矿井，未依照规定实施防突出措施",
    "高瓦斯矿井未建立瓦斯抽采系统和监控系统，或者系统不能正常运行",
    "通风系统不完善、不可靠",
    "有严重水患，未采取有效措施",
    "超层越界开采",
    "有冲击地压危险，未采取有效措施",
    "自然发火严重，未采取有效措施",
    "使用明令禁止使用或者淘汰的设备、工艺",
    "煤矿没有双回路供电系统",
    "新建煤矿边建设边生产，煤矿改扩建期间，在改扩建的区域生产，或者在其他区域的生产超出安全设施设计规定的范围和规模",
    "煤矿实行整体承包生产经营后，未重新取得或者及时变更安全生产许可证而从事生产，或者承包方再次转包，以及将井下采掘工作面和井巷维修作业进行劳务承包",
    "煤矿改制期间，未明确安全生产责任人和安全管理机构，或者在完成改制后，未重新取得或者变更采矿许可证、安全生产许可证和营业执照",
    "其他重大事故隐患",
)
_COAL_KW: Mapping[int, tuple[str, ...]] = MappingProxyType({1: ("超能力", "超定员"), 2: ("瓦斯超限",), 7: ("越界",), 11: ("双回路",)})

CATALOG_MKL85 = Catalog(
    code="AJZJ-85", series="coal", domain=CODE,
    title="煤矿重大生产安全事故隐患判定标准 国家安全生产监督管理总局令第85号",
    effective_from=None, effective_until="2020-12-31", dates_confirmed=False, automatic=False,
    note="published 2015-12-03; its items are not in our facts",
)

CATALOG_YJB4 = Catalog(
    code="YJB-4", series="coal", domain=CODE,
    title=f"煤矿重大事故隐患判定标准 {_YJB4}",
    criteria=tuple(
        _c(f"YJB4-{i:02d}", f"{_YJB4} 第三条({_NUM[i - 1]})", text, kw=_COAL_KW.get(i, ()))
        for i, text in enumerate(_COAL15, start=1)
    ),
    effective_from="2021-01-01", complete=True,
    note="the 15 方面 of 第三条 [C]; the detailed 情形 of 第四条 ff. are not encoded (the category decides)",
)

POND_ATTRIBUTES = (
    "stability_ratio", "stability_factor", "stability_required", "freeboard_ok", "beach_ok",
    "overtopping_possible", "drainage", "shaft", "seepage_ok", "conditions",
)
"""The tailings inputs read from unit attributes ``tailings_<name>``."""

DOMAIN = Domain(
    code=CODE,
    name="矿山",
    ledger_fields=(
        LedgerField("mine_type", "矿山类型", "choice", ("地下矿山", "露天矿山", "尾矿库", "煤矿")),
        LedgerField("pond_class", "尾矿库安全度", "choice", tuple(k.value for k in tailings.PondClass)),
    ),
    catalogs=(CATALOG_AJ98, CATALOG_KA88, CATALOG_MKL85, CATALOG_YJB4),
    description="金属非金属矿山、煤矿、尾矿库",
)


class MinesPlugin:
    """The mines plugin as an object, so a host can configure the tailings colour mapping."""

    def __init__(self, colours: Mapping[tailings.PondClass, Colour] = tailings.DEFAULT_COLOURS) -> None:
        missing = set(tailings.PondClass) - set(colours)
        if missing:
            raise ValueError(f"no colour for {', '.join(k.value for k in missing)}")
        self.colours = dict(colours)

    @hookimpl
    def hazardloop_register_domains(self, register: DomainRegistry) -> None:
        """Declare the mines domain and its four catalogs."""
        register(DOMAIN)

    @hookimpl
    def hazardloop_grade_hazard(self, hazard: HazardFacts) -> GradeAnswer | None:
        """Any item of the catalog in force for its series ⇒ 重大 (direct items only)."""
        if hazard.domain != CODE:
            return None
        return judge(DOMAIN, hazard)

    @hookimpl
    def hazardloop_suggest_criteria(self, domain: str, description: str, on: _dt.date) -> list[Suggestion] | None:
        """Items of the catalogs in force whose keywords occur in the description."""
        if domain != CODE:
            return None
        out: list[Suggestion] = []
        for series in DOMAIN.series():
            cat = DOMAIN.catalog_for(series, on)
            if cat is not None:
                out += suggest_by_keywords(cat, description)
        return out

    @hookimpl
    def hazardloop_assess_unit_risk(self, unit: Unit, on: _dt.date) -> list[RiskAssessment] | None:
        """The tailings-pond class of a unit carrying ``tailings_*`` attributes, as a colour."""
        if CODE not in unit.domains:
            return None
        inputs = {k: unit.attribute(f"tailings_{k}") for k in POND_ATTRIBUTES}
        if all(val is None for val in inputs.values()):
            return None
        result = tailings.classify(inputs)
        if result.pond_class is None:
            return None
        colour = self.colours[result.pond_class]
        basis = result.pond_class.value + ("(推断)" if result.inferred else "")
        return [
            RiskAssessment(
                unit.code, "尾矿库安全度", colour, result.pond_class.rank, domain=CODE, basis=basis,
                details={"class": result.pond_class.value, "conditions": ",".join(result.conditions)},
                confirmed=False,  # the class→colour mapping is ours; no source sets it
            )
        ]


plugin = MinesPlugin()
"""The instance the entry point ``mines`` loads."""
