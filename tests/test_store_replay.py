"""As-of replay on the store equals the event-by-event fold (property test, both backends)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from hazardloop.lifecycle import fold_until
from hazardloop.register import FRAME_COLUMNS, states_frame
from hazardloop.sqlschema import PROJECTION_COLUMNS
from hazardloop.sqlstore import open_store
from hazardloop.testing import make_register

from store_scenarios import VERBS, random_ops

ops = st.lists(
    st.tuples(st.sampled_from(VERBS), st.integers(0, 7), st.integers(0, 9)), min_size=20, max_size=50
)
offsets = st.lists(st.integers(-2, 500), min_size=1, max_size=5)


def _fold_frame(store, day: dt.date) -> tuple[list, pd.DataFrame]:  # type: ignore[no-untyped-def]
    """The reference: every hazard's events folded one by one up to ``day``."""
    states = []
    for hid in store.hazard_ids():
        state = fold_until(store.events(hid), day)
        if state is not None:
            states.append(state)
    return states, states_frame(states, day)


def _check(url: str, operations: list, days: list[int]) -> None:
    with open_store(url) as store:
        register, clock = make_register("2026-01-05", store=store)
        random_ops(register, clock, operations)
        for offset in days:
            day = dt.date(2026, 1, 5) + dt.timedelta(days=offset)
            states, expected = _fold_frame(store, day)
            assert list(store.states_as_of(day)) == states
            pd.testing.assert_frame_equal(store.frame_as_of(day), expected)
            pd.testing.assert_frame_equal(register.frame(day), expected)


@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(operations=ops, days=offsets)
def test_vectorised_replay_equals_the_fold_sqlite(operations, days) -> None:  # type: ignore[no-untyped-def]
    _check("sqlite://", operations, days)


@pytest.mark.postgres
@settings(max_examples=8, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(operations=ops, days=offsets)
def test_vectorised_replay_equals_the_fold_postgresql(pg_store_url, operations, days) -> None:  # type: ignore[no-untyped-def]
    _check(pg_store_url(), operations, days)


def test_replay_handles_an_empty_register_and_days_before_anything(store_url) -> None:  # type: ignore[no-untyped-def]
    with open_store(store_url) as store:
        assert list(store.states_as_of("2026-01-01")) == []
        frame = store.frame_as_of("2026-01-01")
        assert len(frame) == 0 and "status" in frame.columns
    _check(store_url, [("discover", 0, 0), ("assign", 0, 1), ("start", 0, 1), ("submit", 0, 1),
                       ("pass", 0, 1), ("close", 0, 1), ("reopen", 0, 5), ("extend", 0, 2)], [-1, 0, 1, 3, 6, 40])


def test_a_recomputed_deadline_after_an_extension_keeps_the_original(store_url) -> None:  # type: ignore[no-untyped-def]
    """期限重算 replaces the original deadline only when no extension or reopening came before it."""
    from hazardloop.records import (Assignment, Correction, DeadlineRecompute, Discovery, Event, EventKind as K,
                                    Extension)
    from hazardloop.testing import APPROVER, ASSIGNER, FINDER, RESPONSIBLE

    def history(hid: str, extend: bool) -> list:  # type: ignore[type-arg]
        at = dt.datetime(2026, 12, 1, 9, tzinfo=dt.timezone.utc)
        steps = [
            (K.DISCOVER, FINDER, Discovery(unit_code="U1", town="城关镇", domain="hazchem", description="跨年",
                                           source="企业自查", level="重大"), dt.date(2026, 12, 1)),
            (K.ASSIGN, ASSIGNER, Assignment(responsible_unit="U1", responsible_person=RESPONSIBLE,
                                            supervising_department="县应急管理局", listing_level="县级",
                                            deadline=dt.date(2027, 1, 4), provisional=True), dt.date(2026, 12, 2)),
        ]
        if extend:
            steps.append((K.EXTEND, APPROVER, Extension(reason="延期", approver=APPROVER, deadline=dt.date(2027, 2, 1),
                                                        provisional=True), dt.date(2026, 12, 10)))
        steps.append((K.RECOMPUTE, ASSIGNER, DeadlineRecompute(deadline=dt.date(2027, 2, 8), provisional=False,
                                                               reason="重算"), dt.date(2026, 12, 20)))
        steps.append((K.CORRECT, ASSIGNER, Correction(fields={"location": "罐区"}, reason="补记"), dt.date(2027, 1, 10)))
        return [Event(hid, n, kind, day, at, who, payload) for n, (kind, who, payload, day) in enumerate(steps, 1)]

    with open_store(store_url) as store:
        register, _ = make_register("2026-12-01", store=store)
        register.append_events(history("R1", extend=True) + history("R2", extend=False))
        assert register.get("R1").original_deadline == dt.date(2027, 1, 4)
        assert register.get("R2").original_deadline == dt.date(2027, 2, 8)
        for day in (dt.date(2026, 12, 15), dt.date(2026, 12, 20), dt.date(2027, 1, 1)):
            states, expected = _fold_frame(store, day)
            pd.testing.assert_frame_equal(store.frame_as_of(day), expected)
            assert list(store.states_as_of(day)) == states


def test_the_projection_holds_every_frame_column() -> None:
    # the column-wise replay reads the frame straight from the projection: the stored schema's
    # column list (frozen by its migrations) must stay the frame's columns after hazard_id
    assert FRAME_COLUMNS[0] == "hazard_id"
    assert PROJECTION_COLUMNS == FRAME_COLUMNS[1:]
