"""Combining plugin grades: order independence, the recorded level, review, regrade and determination."""

from __future__ import annotations

import datetime as _dt
import itertools

import pytest
from hypothesis import given, strategies as st

from hazardloop.errors import TransitionError
from hazardloop.grading import (
    Basis, GradeAnswer, GradeResult, GradeStatus, accept_grade, combine, grade_register,
)
from hazardloop.hookspecs import hookimpl
from hazardloop.records import Level, ListingLevel, Source
from hazardloop.testing import ASSIGNER, FINDER, RESPONSIBLE, make_facts, make_hooks, make_register, make_unit


def _answer(name, level, *codes, status=GradeStatus.GRADED):
    basis = tuple(Basis(c, f"CAT-{name}", f"clause {c}", f"text {c}") for c in codes)
    return GradeAnswer("toy", status, level, basis, f"by {name}")


class Grader:
    """A plugin that answers a fixed grade for every hazard of the toy domain."""

    def __init__(self, answer):
        self.answer = answer

    @hookimpl
    def hazardloop_grade_hazard(self, hazard):
        return self.answer if hazard.domain == "toy" else None


MAJOR = _answer("a", Level.MAJOR, "A-1", "A-2")
GENERAL = _answer("b", Level.GENERAL, "B-1")
UNABLE = _answer("c", None, status=GradeStatus.CANNOT_GRADE)


@pytest.mark.parametrize("first,second", [(MAJOR, GENERAL), (GENERAL, MAJOR)])
def test_two_plugins_different_grades_both_orders(first, second):
    results = []
    for order in ((first, second), (second, first)):
        hooks = make_hooks(*[(f"p{i}", Grader(a)) for i, a in enumerate(order)])
        results.append(hooks.grade(make_facts("toy")))
    a, b = results
    assert a.level is b.level is Level.MAJOR
    assert a.basis == b.basis
    assert [x.code for x in a.basis] == ["A-1", "A-2"]  # the criteria that decided, all kept
    assert a.answers == b.answers


def test_two_majors_keep_every_contributing_criterion():
    other = _answer("d", Level.MAJOR, "D-9")
    for order in itertools.permutations((MAJOR, other, GENERAL)):
        grade = make_hooks(*[(f"p{i}", Grader(a)) for i, a in enumerate(order)]).grade(make_facts("toy"))
        assert [b.code for b in grade.basis] == ["A-1", "A-2", "D-9"]


answers = st.sampled_from([MAJOR, GENERAL, UNABLE, _answer("e", Level.MAJOR, "E-1"), None])


@given(st.lists(answers, max_size=5))
def test_combine_is_order_independent(items):
    forward, backward = combine(items), combine(list(reversed(items)))
    assert forward == backward
    given_ = [a for a in items if a is not None]
    if any(a.level is Level.MAJOR for a in given_):
        assert forward.level is Level.MAJOR
    elif any(a.status is GradeStatus.CANNOT_GRADE for a in given_):
        assert forward.status is GradeStatus.CANNOT_GRADE and forward.level is None
    elif given_:
        assert forward.level is Level.GENERAL
    else:
        assert forward.status is GradeStatus.NO_PLUGIN


def test_cannot_grade_blocks_general_but_not_major():
    assert combine([GENERAL, UNABLE]).status is GradeStatus.CANNOT_GRADE
    assert combine([GENERAL, UNABLE, MAJOR]).level is Level.MAJOR


def _register_with(hooks):
    register, clock = make_register(hooks=hooks, units=(make_unit(domains=("toy", "fire")),))
    return register, clock


def _discover(register, level, domain="toy", on="2026-01-05", **kw):
    return register.discover(unit_code="U001", domain=domain, description="d", on=on,
                             source=Source.ENFORCEMENT, level=level, actor=FINDER, **kw)


def test_differing_plugin_grade_is_flagged_not_applied():
    hooks = make_hooks(Grader(MAJOR))
    register, _ = _register_with(hooks)
    hid = _discover(register, "一般").hazard_id
    [result] = grade_register(register, hooks)
    assert result.recorded is Level.GENERAL and result.computed is Level.MAJOR
    assert result.needs_review
    assert register.get(hid).level is Level.GENERAL  # nothing applied silently


def test_agreeing_grade_is_not_flagged():
    hooks = make_hooks(Grader(MAJOR))
    register, _ = _register_with(hooks)
    _discover(register, "重大")
    [result] = grade_register(register, hooks)
    assert not result.needs_review


def test_unconfirmed_basis_is_flagged_even_when_agreeing():
    shaky = GradeAnswer("toy", GradeStatus.GRADED, Level.MAJOR, (Basis("U-1", "CAT", "c", "t", False),), "")
    result = GradeResult("H1", Level.MAJOR, combine([shaky]))
    assert result.needs_review


def test_accepting_a_grade_is_a_regrade_event_that_rederives_the_deadline():
    hooks = make_hooks(Grader(MAJOR))
    register, _ = _register_with(hooks)
    hid = _discover(register, "一般").hazard_id
    state = register.assign(hid, on="2026-03-02", actor=ASSIGNER, responsible_person=RESPONSIBLE,
                            supervising_department="县应急管理局", listing_level=ListingLevel.COUNTY,
                            deadline="2026-03-09")
    assert state.effective_deadline == _dt.date(2026, 3, 9)
    [result] = grade_register(register, hooks)
    after = accept_grade(register, result, on="2026-03-03", actor=ASSIGNER)
    assert after.level is Level.MAJOR
    assert after.effective_deadline == _dt.date(2026, 4, 1)  # 30 days from 交办 (county listing)
    assert after.criteria == ("A-1", "A-2")
    assert register.history(hid)[-1].kind.value == "重新定级"
    [again] = grade_register(register, hooks)
    assert not again.needs_review


def test_accept_refuses_when_nothing_to_accept():
    hooks = make_hooks(Grader(UNABLE))
    register, _ = _register_with(hooks)
    _discover(register, "一般")
    [result] = grade_register(register, hooks)
    assert result.status is GradeStatus.CANNOT_GRADE and not result.needs_review
    with pytest.raises(ValueError):
        accept_grade(register, result, on="2026-01-06", actor=ASSIGNER)


# --- fire from 2025-11-01: no automatic grade; a recorded determination counts ----------------


def test_fire_2025_cannot_grade_then_determination_counts():
    hooks = make_hooks(entry_points=True)
    register, _ = _register_with(hooks)
    hid = _discover(register, "一般", domain="fire", on="2025-11-03",
                    criteria=["GB35181-2017-6.1"]).hazard_id
    [before] = grade_register(register, hooks)
    assert before.status is GradeStatus.CANNOT_GRADE
    assert "GB 35181-2025" in " ".join(before.grade.reasons)
    with pytest.raises(TransitionError, match="manual determination"):
        register.regrade(hid, on="2025-11-04", actor=ASSIGNER, level="重大", reason="按2017标准6.1")
    with pytest.raises(TransitionError, match="cite GB 35181-2025"):
        register.determine(hid, on="2025-11-04", actor=ASSIGNER, level="重大", clause="GB 35181-2017 6.1", reason="x")
    state = register.determine(hid, on="2025-11-04", actor=ASSIGNER, level="重大",
                               clause="GB 35181-2025 第5章 (专家组论证)", reason="集体讨论")
    assert state.level is Level.MAJOR
    assert "GB 35181-2025" in state.determination and ASSIGNER.name in state.determination
    [after] = grade_register(register, hooks)
    assert after.status is GradeStatus.DETERMINED and not after.needs_review


def test_fire_2017_regrade_still_allowed_before_2025_11_01():
    hooks = make_hooks(entry_points=True)
    register, _ = _register_with(hooks)
    _discover(register, "一般", domain="fire", on="2025-10-31", criteria=["GB35181-2017-6.1"]).hazard_id
    [result] = grade_register(register, hooks)
    assert result.computed is Level.MAJOR and result.needs_review
    state = accept_grade(register, result, on="2025-11-02", actor=ASSIGNER)
    assert state.level is Level.MAJOR
