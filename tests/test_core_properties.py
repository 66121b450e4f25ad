"""Properties of the register: a stateful machine over the loop, and vectorised == per-hazard status."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import given, settings, strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, invariant, precondition, rule

import hazardloop as hl
from hazardloop.deadlines import status_frame, status_of
from hazardloop.errors import HazardloopError
from hazardloop.records import EventKind, Stage
from hazardloop.testing import APPROVER, ASSIGNER, FINDER, INSPECTOR, RESPONSIBLE, make_evidence, make_register, make_unit

D = dt.date
START = D(2026, 1, 5)
LISTINGS = ["未挂牌", "县级", "市级", "省级"]

# the model: which stage each verb leads to from which stage (LIFECYCLE.md §1, written apart from the engine)
MODEL = {
    "assign": ({Stage.DISCOVERED}, Stage.ASSIGNED),
    "start": ({Stage.ASSIGNED}, Stage.RECTIFYING),
    "submit": ({Stage.RECTIFYING}, Stage.INSPECTING),
    "fail": ({Stage.INSPECTING}, Stage.RECTIFYING),
    "pass": ({Stage.INSPECTING}, Stage.INSPECTING),
    "close": ({Stage.INSPECTING}, Stage.CLOSED),
    "reopen": ({Stage.CLOSED}, Stage.RECTIFYING),
    "withdraw": ({Stage.DISCOVERED}, Stage.WITHDRAWN),
    "void": ({Stage.DISCOVERED, Stage.ASSIGNED, Stage.RECTIFYING, Stage.INSPECTING, Stage.CLOSED}, Stage.VOIDED),
    "extend": ({Stage.ASSIGNED, Stage.RECTIFYING, Stage.INSPECTING}, None),
}


class RegisterMachine(RuleBasedStateMachine):
    hazards = Bundle("hazards")

    def __init__(self) -> None:
        super().__init__()
        self.register, self.clock = make_register(
            START, units=(make_unit("U1"), make_unit("U2", town="新城街道"))
        )
        self.today = START
        self.stage: dict[str, Stage] = {}
        self.passed: dict[str, bool] = {}
        self.major: dict[str, bool] = {}
        self.has_evidence: dict[str, bool] = {}

    def _try(self, hid: str, verb: str, call, extra_rule: bool = True) -> None:  # type: ignore[no-untyped-def]
        sources, target = MODEL[verb]
        allowed = self.stage[hid] in sources
        if verb == "close":
            allowed = allowed and self.passed.get(hid, False)
        if verb in ("pass", "fail"):
            allowed = allowed and not self.passed.get(hid, False)
        allowed = allowed and extra_rule
        try:
            call()
        except HazardloopError as exc:
            assert not allowed, f"{verb} refused from {self.stage[hid]}: {exc}"
            return
        assert allowed, f"{verb} accepted from {self.stage[hid]}"
        if target is not None:
            self.stage[hid] = target
        if verb == "pass":
            self.passed[hid] = True
        elif verb in ("fail", "submit", "reopen"):
            self.passed[hid] = False

    @rule(days=st.integers(0, 12))
    def advance(self, days: int) -> None:
        self.today += dt.timedelta(days=days)
        self.clock.set(self.today)

    @rule(target=hazards, major=st.booleans(), unit=st.sampled_from(["U1", "U2"]))
    def discover(self, major: bool, unit: str) -> str:
        h = self.register.discover(
            unit_code=unit, domain="fire", description="d", on=self.today, source="属地排查",
            level="重大" if major else "一般", actor=FINDER,
        )
        self.stage[h.hazard_id] = Stage.DISCOVERED
        self.major[h.hazard_id] = major
        return h.hazard_id

    @rule(hid=hazards, listing=st.sampled_from(LISTINGS), days=st.integers(0, 70), give=st.booleans())
    def assign(self, hid: str, listing: str, days: int, give: bool) -> None:
        table_sets_it = self.major[hid] and listing in ("县级", "市级")
        if table_sets_it:
            days = min(days, 30)  # never later than the table's 30/60 days
        deadline = self.today + dt.timedelta(days=days) if give else None
        self._try(hid, "assign", lambda: self.register.assign(
            hid, on=self.today, actor=ASSIGNER, responsible_person=RESPONSIBLE,
            supervising_department="县应急管理局", listing_level=listing, deadline=deadline),
            extra_rule=give or table_sets_it)

    @rule(hid=hazards, plan=st.booleans())
    def start(self, hid: str, plan: bool) -> None:
        self._try(hid, "start", lambda: self.register.start_rectification(
            hid, on=self.today, actor=RESPONSIBLE, measures="整改", plan="方案" if plan else None),
            extra_rule=plan or not self.major[hid])

    @rule(hid=hazards, evidence=st.booleans())
    def submit(self, hid: str, evidence: bool) -> None:
        ev = [make_evidence()] if evidence else []
        ok = evidence or self.has_evidence.get(hid, False) or not self.major[hid]
        self._try(hid, "submit", lambda: self.register.submit(hid, on=self.today, actor=RESPONSIBLE, evidence=ev),
                  extra_rule=ok)
        if evidence and self.register.get(hid).evidence:
            self.has_evidence[hid] = True

    @rule(hid=hazards, passed=st.booleans(), same_person=st.booleans())
    def inspect(self, hid: str, passed: bool, same_person: bool) -> None:
        who = RESPONSIBLE if same_person else INSPECTOR
        verb = "pass" if passed else "fail"
        before = self.register.get(hid)
        try:
            self.register.inspect(hid, on=self.today, inspector=who, passed=passed)
        except HazardloopError:
            sources, _ = MODEL[verb]
            assert (
                same_person and before.responsible_person is not None
            ) or before.stage not in sources or bool(before.inspection_passed)
            return
        assert not (same_person and before.responsible_person is not None)
        self._try(hid, verb, lambda: None)

    @rule(hid=hazards)
    def progress(self, hid: str) -> None:
        """Take one valid step along the happy path, so the other rules meet every stage often."""
        stage = self.stage[hid]
        if stage is Stage.DISCOVERED:
            self.assign(hid, "县级", 20, True)
        elif stage is Stage.ASSIGNED:
            self.start(hid, True)
        elif stage is Stage.RECTIFYING:
            self.submit(hid, True)
        elif stage is Stage.INSPECTING and not self.passed.get(hid, False):
            self.inspect(hid, True, False)

    @rule(hid=hazards)
    def close(self, hid: str) -> None:
        self._try(hid, "close", lambda: self.register.strike_off(hid, on=self.today, actor=ASSIGNER))

    @rule(hid=hazards, days=st.integers(1, 40))
    def reopen(self, hid: str, days: int) -> None:
        self._try(hid, "reopen", lambda: self.register.reopen(
            hid, on=self.today, actor=ASSIGNER, reason="回头看", deadline=self.today + dt.timedelta(days=days)))

    @rule(hid=hazards)
    def withdraw(self, hid: str) -> None:
        self._try(hid, "withdraw", lambda: self.register.withdraw(hid, on=self.today, actor=ASSIGNER, reason="不实"))

    @rule(hid=consumes(hazards))
    def void(self, hid: str) -> None:
        self._try(hid, "void", lambda: self.register.void(hid, on=self.today, actor=ASSIGNER, reason="误录"))

    @rule(hid=hazards, days=st.integers(1, 60))
    def extend(self, hid: str, days: int) -> None:
        state = self.register.get(hid)
        base = state.effective_deadline or self.today
        self._try(hid, "extend", lambda: self.register.extend(
            hid, on=self.today, approver=APPROVER, reason="延期", deadline=base + dt.timedelta(days=days)))

    @precondition(lambda self: len(self.stage) > 0)
    @rule(back=st.integers(0, 40))
    def escalate(self, back: int) -> None:
        since = self.today - dt.timedelta(days=back)
        first = self.register.escalations(since, self.today)
        again = self.register.escalations(since, self.today)
        assert again == []  # idempotent
        assert all(e.kind is EventKind.ESCALATE for e in first)

    @invariant()
    def stage_is_the_fold_of_the_events(self) -> None:
        for state in self.register:
            assert hl.fold(self.register.history(state.hazard_id)) == state
            assert state.stage is self.stage[state.hazard_id]

    @invariant()
    def nothing_struck_off_without_a_passed_inspection(self) -> None:
        for state in self.register:
            last_verdict = None
            for event in self.register.history(state.hazard_id):
                if event.kind in (EventKind.INSPECT_PASS, EventKind.INSPECT_FAIL):
                    last_verdict = event.kind
                elif event.kind in (EventKind.SUBMIT, EventKind.REOPEN):
                    last_verdict = None
                elif event.kind is EventKind.CLOSE:
                    assert last_verdict is EventKind.INSPECT_PASS

    @invariant()
    def overdue_exactly_when_open_and_past_the_deadline(self) -> None:
        for state in self.register:
            status = self.register.status(state.hazard_id, self.today).status
            past = state.effective_deadline is not None and self.today > state.effective_deadline
            assert (status is hl.Status.OVERDUE) == (state.is_open and past)

    @invariant()
    def every_hazard_is_counted_once(self) -> None:
        frame = self.register.frame(self.today)
        counts = frame["status"].value_counts()
        open_ = sum(int(counts.get(s.value, 0)) for s in hl.Status if s.is_open)
        on_time = int(counts.get(hl.Status.CLOSED_ON_TIME.value, 0))
        late = int(counts.get(hl.Status.CLOSED_LATE.value, 0))
        withdrawn = int(counts.get(hl.Status.WITHDRAWN.value, 0))
        voided = int(counts.get(hl.Status.VOIDED.value, 0))
        assert on_time + late + open_ + withdrawn + voided == len(self.register) == len(frame)


RegisterMachine.TestCase.settings = settings(stateful_step_count=30)
TestRegisterMachine = RegisterMachine.TestCase


# --- vectorised statuses equal the per-hazard ones ---------------------------------------------

path_strategy = st.fixed_dictionaries(
    {
        "found": st.integers(0, 300),
        "major": st.booleans(),
        "listing": st.sampled_from(LISTINGS),
        "steps": st.lists(
            st.tuples(st.sampled_from(["assign", "start", "extend", "submit", "fail", "close", "reopen", "withdraw", "void"]),
                      st.integers(0, 45)),
            max_size=12,
        ),
    }
)


def _build(paths: list[dict]) -> hl.Register:
    register, _ = make_register(START, units=(make_unit("U1"),))
    for path in paths:
        day = START + dt.timedelta(days=path["found"])
        h = register.discover(unit_code="U1", domain="mines", description="d", on=day, source="企业自查",
                              level="重大" if path["major"] else "一般", actor=FINDER)
        hid = h.hazard_id
        for verb, gap in path["steps"]:
            day += dt.timedelta(days=gap)
            s = register.get(hid)
            try:
                if verb == "assign":
                    register.assign(hid, on=day, actor=ASSIGNER, responsible_person=RESPONSIBLE,
                                    supervising_department="县应急管理局", listing_level=path["listing"],
                                    deadline=None if path["major"] and path["listing"] in ("县级", "市级")
                                    else day + dt.timedelta(days=gap + 5))
                elif verb == "start":
                    register.start_rectification(hid, on=day, actor=RESPONSIBLE, measures="m", plan="p")
                elif verb == "extend" and s.effective_deadline:
                    register.extend(hid, on=day, approver=APPROVER, reason="r",
                                    deadline=s.effective_deadline + dt.timedelta(days=gap + 1))
                elif verb == "submit":
                    register.submit(hid, on=day, actor=RESPONSIBLE, evidence=[make_evidence()])
                elif verb == "fail":
                    register.inspect(hid, on=day, inspector=INSPECTOR, passed=False)
                elif verb == "close":
                    register.pass_and_strike_off(hid, on=day, inspector=INSPECTOR)
                elif verb == "reopen":
                    register.reopen(hid, on=day, actor=ASSIGNER, reason="回头看", deadline=day + dt.timedelta(days=gap + 3))
                elif verb == "withdraw":
                    register.withdraw(hid, on=day, actor=ASSIGNER, reason="不实")
                elif verb == "void":
                    register.void(hid, on=day, actor=ASSIGNER, reason="误录")
            except HazardloopError:
                pass
    return register


@settings(max_examples=60)
@given(paths=st.lists(path_strategy, min_size=1, max_size=25), offsets=st.lists(st.integers(-10, 700), min_size=1, max_size=4),
       due_soon=st.integers(0, 10))
def test_vectorised_status_equals_per_hazard(paths: list[dict], offsets: list[int], due_soon: int) -> None:
    register = _build(paths)
    for offset in offsets:
        as_of = START + dt.timedelta(days=offset)
        states = list(register.states_as_of(as_of))
        frame = register.frame(as_of, with_status=False)
        vec = status_frame(frame, as_of, due_soon)
        assert len(vec) == len(states)
        for i, state in enumerate(states):
            one = status_of(state, as_of, due_soon)
            row = vec.iloc[i]
            assert row["status"] == one.status.value
            assert int(row["days_overdue"]) == one.days_overdue
            assert (None if pd.isna(row["days_left"]) else int(row["days_left"])) == one.days_left
            assert (None if pd.isna(row["on_time_original"]) else bool(row["on_time_original"])) == one.on_time_original


@settings(max_examples=40)
@given(paths=st.lists(path_strategy, min_size=1, max_size=15), offset=st.integers(0, 500))
def test_as_of_equals_the_register_built_only_from_earlier_events(paths: list[dict], offset: int) -> None:
    register = _build(paths)
    as_of = START + dt.timedelta(days=offset)
    for state in register.states_as_of(as_of):
        earlier = [e for e in register.history(state.hazard_id) if e.occurred_on <= as_of]
        assert hl.fold(earlier) == state
