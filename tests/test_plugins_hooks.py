"""One test pair per hook: the core acting on a plugin's answer, and on None.

The meta-tests (test_plugins_meta.py) hold every hook to a ``test_<hook>__answer`` and a
``test_<hook>__none`` here.
"""

from __future__ import annotations

import datetime as _dt

import pytest

from hazardloop.catalog import Catalog, Criterion, Domain, DomainRegistry, Suggestion
from hazardloop.deadlines import DeadlineConfig, LimitRule, LimitTable
from hazardloop.errors import ConfigError, TransitionError
from hazardloop.grading import GradeAnswer, GradeStatus, HazardFacts
from hazardloop.hookspecs import Notification, hookimpl
from hazardloop.records import Colour, Level, ListingLevel, Source
from hazardloop.riskmethods import RiskAssessment
from hazardloop.testing import (
    ASSIGNER, FINDER, INSPECTOR, RESPONSIBLE, Outbox, make_facts, make_hooks, make_register, make_unit,
)

TOY = Domain(
    "toy", "玩具",
    catalogs=(Catalog("TOY-1", "toy", "toy", "玩具判定标准", (Criterion("TOY-01", "toy", "条目一", "第一条"),),
                      effective_from="2020-01-01"),),
)


class Silent:
    """A plugin that implements every hook and always answers None."""

    @hookimpl
    def hazardloop_register_domains(self, register):
        return None

    @hookimpl
    def hazardloop_grade_hazard(self, hazard):
        return None

    @hookimpl
    def hazardloop_suggest_criteria(self, domain, description, on):
        return None

    @hookimpl
    def hazardloop_assess_unit_risk(self, unit, on):
        return None

    @hookimpl
    def hazardloop_deadline_config(self, config):
        return None

    @hookimpl
    def hazardloop_validate_event(self, state, event):
        return None

    @hookimpl
    def hazardloop_transition(self, before, after, event):
        return None

    @hookimpl
    def hazardloop_escalation(self, hazard, escalation, overdue):
        return None

    @hookimpl
    def hazardloop_reopened(self, hazard, reason, event):
        return None


def _discover(register, level="一般", domain="toy", **kw):
    return register.discover(
        unit_code="U001", domain=domain, description="d", on="2026-01-05", source=Source.SELF_CHECK,
        level=level, actor=FINDER, **kw,
    )


# --- hazardloop_register_domains ------------------------------------------------------------


def test_hazardloop_register_domains__answer():
    class P:
        @hookimpl
        def hazardloop_register_domains(self, register):
            register(TOY)

    hooks = make_hooks(P())
    assert hooks.domain("toy") is TOY
    assert hooks.domains.owner("toy") is not None


def test_hazardloop_register_domains__none():
    hooks = make_hooks(Silent())
    assert len(hooks.domains) == 0
    assert hooks.domain("toy") is None


def test_hazardloop_register_domains__duplicate_names_both_plugins():
    class A:
        @hookimpl
        def hazardloop_register_domains(self, register):
            register(TOY)

    with pytest.raises(ConfigError, match="registered twice.*alpha.*beta"):
        make_hooks(("alpha", A()), ("beta", A()))


def test_hazardloop_register_domains__registry_validates():
    reg = DomainRegistry()
    with pytest.raises(ConfigError, match="takes a Domain"):
        reg({"code": "toy"})  # type: ignore[arg-type]


# --- hazardloop_grade_hazard ------------------------------------------------------------------


def test_hazardloop_grade_hazard__answer():
    class P:
        @hookimpl
        def hazardloop_grade_hazard(self, hazard):
            return GradeAnswer("toy", GradeStatus.GRADED, Level.MAJOR, (), "because")

    grade = make_hooks(P()).grade(make_facts("toy"))
    assert grade.status is GradeStatus.GRADED
    assert grade.level is Level.MAJOR


def test_hazardloop_grade_hazard__none():
    grade = make_hooks(Silent()).grade(make_facts("toy"))
    assert grade.status is GradeStatus.NO_PLUGIN
    assert grade.level is None


def test_hazardloop_grade_hazard__wrong_type_fails_loudly():
    class P:
        @hookimpl
        def hazardloop_grade_hazard(self, hazard):
            return "重大"

    with pytest.raises(ConfigError, match="hazardloop_grade_hazard answered"):
        make_hooks(P()).grade(make_facts("toy"))


# --- hazardloop_suggest_criteria --------------------------------------------------------------


def test_hazardloop_suggest_criteria__answer():
    class P:
        @hookimpl
        def hazardloop_suggest_criteria(self, domain, description, on):
            return [Suggestion("TOY-01", domain, "条目一", "火")] if "火" in description else []

    hooks = make_hooks(P())
    assert [s.code for s in hooks.suggest("toy", "着火了", "2026-01-05")] == ["TOY-01"]
    # a suggestion never grades: the hazard still has no criteria, so the grade is unaffected
    assert hooks.grade(make_facts("toy")).status is GradeStatus.NO_PLUGIN


def test_hazardloop_suggest_criteria__none():
    assert make_hooks(Silent()).suggest("toy", "着火了", "2026-01-05") == []


# --- hazardloop_assess_unit_risk --------------------------------------------------------------


def test_hazardloop_assess_unit_risk__answer():
    class P:
        @hookimpl
        def hazardloop_assess_unit_risk(self, unit, on):
            return RiskAssessment(unit.code, "toy-method", Colour.ORANGE, 7.0)

    [a] = make_hooks(P(), builtins=False).assess_unit(make_unit(), "2026-01-05")
    assert (a.method, a.colour, a.score) == ("toy-method", Colour.ORANGE, 7.0)


def test_hazardloop_assess_unit_risk__none():
    assert make_hooks(Silent(), builtins=False).assess_unit(make_unit(), "2026-01-05") == []


# --- hazardloop_deadline_config ---------------------------------------------------------------


LOCAL = LimitTable("本地: 县级挂牌15日", _dt.date(2026, 1, 1), (LimitRule(Level.MAJOR, ListingLevel.COUNTY, days=15),))


class Local:
    @hookimpl
    def hazardloop_deadline_config(self, config):
        return config.with_table(LOCAL)


def _assigned_deadline(hooks):
    register, _ = make_register(config=hooks.deadline_config(DeadlineConfig()), units=(make_unit(),), hooks=hooks)
    hid = _discover(register, level="重大").hazard_id
    state = register.assign(hid, on="2026-03-02", actor=ASSIGNER, responsible_person=RESPONSIBLE,
                            supervising_department="县应急管理局", listing_level=ListingLevel.COUNTY)
    return state.effective_deadline


def test_hazardloop_deadline_config__answer():
    # 2026-03-02 + 15 days = 2026-03-17 (a Tuesday, a working day)
    assert _assigned_deadline(make_hooks(Local())) == _dt.date(2026, 3, 17)


def test_hazardloop_deadline_config__none():
    # the default table: 30 days → 2026-04-01 (a Wednesday)
    assert _assigned_deadline(make_hooks(Silent())) == _dt.date(2026, 4, 1)


def test_hazardloop_deadline_config__disagreement_is_refused():
    class Other:
        @hookimpl
        def hazardloop_deadline_config(self, config):
            return attrs_evolve_due_soon(config)

    with pytest.raises(ConfigError, match="differently"):
        make_hooks(Local(), Other()).deadline_config(DeadlineConfig())


def attrs_evolve_due_soon(config):
    import attrs

    return attrs.evolve(config, due_soon_days=3)


# --- hazardloop_validate_event ----------------------------------------------------------------


class NoMajorsWithoutCriteria:
    @hookimpl
    def hazardloop_validate_event(self, state, event):
        payload = event.payload
        if state is None and payload.level is Level.MAJOR and not payload.criteria:
            return "a major hazard must name its criteria"
        return None


def test_hazardloop_validate_event__answer():
    hooks = make_hooks(NoMajorsWithoutCriteria())
    register, _ = make_register(hooks=hooks, units=(make_unit(),))
    with pytest.raises(TransitionError, match="must name its criteria"):
        _discover(register, level="重大")
    assert len(register) == 0  # nothing stored


def test_hazardloop_validate_event__none():
    hooks = make_hooks(NoMajorsWithoutCriteria())
    register, _ = make_register(hooks=hooks, units=(make_unit(),))
    state = _discover(register, level="重大", criteria=["TOY-01"])
    assert register.get(state.hazard_id).level is Level.MAJOR


# --- hazardloop_transition --------------------------------------------------------------------


class Announcer:
    @hookimpl
    def hazardloop_transition(self, before, after, event):
        if before is None:
            return Notification("新隐患", after.hazard_id, event.occurred_on, after.description)
        return None


def test_hazardloop_transition__answer():
    outbox = Outbox()
    register, _ = make_register(hooks=make_hooks(Announcer(), outbox=outbox), units=(make_unit(),))
    hid = _discover(register).hazard_id
    assert [(n.kind, n.hazard_id) for n in outbox] == [("新隐患", hid)]


def test_hazardloop_transition__none():
    outbox = Outbox()
    register, _ = make_register(hooks=make_hooks(Silent(), outbox=outbox), units=(make_unit(),))
    _discover(register)
    assert outbox == []


# --- hazardloop_escalation --------------------------------------------------------------------


class OverdueOnly:
    @hookimpl
    def hazardloop_escalation(self, hazard, escalation, overdue):
        if overdue:
            return Notification("超期", hazard.hazard_id, escalation.entered_on, escalation.tier, ("县安委办",))
        return None


def _overdue_register(plugin, outbox):
    register, _ = make_register(hooks=make_hooks(plugin, outbox=outbox), units=(make_unit(),))
    hid = _discover(register, level="重大", criteria=["TOY-01"]).hazard_id
    register.assign(hid, on="2026-03-02", actor=ASSIGNER, responsible_person=RESPONSIBLE,
                    supervising_department="县应急管理局", listing_level=ListingLevel.COUNTY)
    register.escalations("2026-03-01", "2026-04-10")
    return hid


def test_hazardloop_escalation__answer():
    outbox = Outbox()
    hid = _overdue_register(OverdueOnly(), outbox)
    # deadline 2026-04-01: 临期7天 and 到期当日 are not overdue, 超期7天 (2026-04-08) is
    assert [(n.kind, n.hazard_id, n.message, n.on) for n in outbox] == [("超期", hid, "超期7天", _dt.date(2026, 4, 8))]


def test_hazardloop_escalation__none():
    outbox = Outbox()
    _overdue_register(Silent(), outbox)
    assert outbox == []


# --- hazardloop_reopened ----------------------------------------------------------------------


class Reopens:
    @hookimpl
    def hazardloop_reopened(self, hazard, reason, event):
        return Notification("复发", hazard.hazard_id, event.occurred_on, reason)


def _reopen(plugin, outbox):
    register, _ = make_register(hooks=make_hooks(plugin, outbox=outbox), units=(make_unit(),))
    closed = register.fix_on_spot(
        unit_code="U001", domain="toy", description="d", on="2026-01-05", source="企业自查", actor=FINDER,
        responsible_person=RESPONSIBLE, supervising_department="县应急管理局", measures="m", inspector=INSPECTOR,
    )
    register.reopen(closed.hazard_id, on="2026-02-02", actor=INSPECTOR, reason="回头看发现复发", deadline="2026-02-20")
    return closed.hazard_id


def test_hazardloop_reopened__answer():
    outbox = Outbox()
    hid = _reopen(Reopens(), outbox)
    assert [(n.kind, n.hazard_id, n.message) for n in outbox] == [("复发", hid, "回头看发现复发")]


def test_hazardloop_reopened__none():
    outbox = Outbox()
    _reopen(Silent(), outbox)
    assert outbox == []


def test_facts_from_state_carry_structured_inputs():
    register, _ = make_register(units=(make_unit(),))
    state = _discover(register, criteria=["TOY-01"], measurements={"q": 2.5}, extra={"place_category": "其他场所"})
    facts = HazardFacts.from_state(state)
    assert facts.criteria == ("TOY-01",)
    assert facts.measurement("q") == 2.5
    assert facts.get("place_category") == "其他场所"
