"""Core benchmarks: vectorised deadline/overdue evaluation and lifecycle transitions per second.

Prints figures with their same-run baselines; asserts nothing. Run:
    python bench/bench_core.py [--hazards 1000000]
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import time

import numpy as np
import pandas as pd

import hazardloop as hl
from hazardloop.deadlines import status_frame, status_of
from hazardloop.records import (
    Assignment, Closure, Discovery, Event, EventKind, Inspection, Rectification, Stage, Submission,
)
from hazardloop.testing import ASSIGNER, FINDER, INSPECTOR, RESPONSIBLE, make_register, make_unit

Row = collections.namedtuple("Row", "stage effective_deadline original_deadline closed_on")


def bench_status(n: int) -> None:
    rng = np.random.default_rng(7)
    stage_list = list(Stage)
    codes = rng.integers(0, len(stage_list), n)
    stage = [stage_list[c] for c in codes]
    base = np.datetime64("2026-01-01")
    deadline = base + rng.integers(0, 365, n).astype("timedelta64[D]")
    original = deadline - rng.integers(0, 30, n).astype("timedelta64[D]")
    closed = base + rng.integers(0, 400, n).astype("timedelta64[D]")
    is_closed = codes == stage_list.index(Stage.CLOSED)
    closed = np.where(is_closed, closed, np.datetime64("NaT"))
    no_deadline = np.isin(codes, [stage_list.index(Stage.DISCOVERED), stage_list.index(Stage.WITHDRAWN)])
    deadline = np.where(no_deadline, np.datetime64("NaT"), deadline)
    original = np.where(no_deadline, np.datetime64("NaT"), original)
    frame = pd.DataFrame(
        {
            "stage": pd.Categorical.from_codes(codes, categories=[s.value for s in Stage]),
            "effective_deadline": deadline.astype("datetime64[s]"),
            "original_deadline": original.astype("datetime64[s]"),
            "closed_on": closed.astype("datetime64[s]"),
        }
    )
    as_of = dt.date(2026, 7, 1)
    status_frame(frame.head(1000), as_of)  # warm-up
    runs = []
    for _ in range(5):
        t0 = time.perf_counter()
        vec = status_frame(frame, as_of)
        runs.append(time.perf_counter() - t0)
    t_vec = min(runs)

    def to_date(x: np.datetime64) -> dt.date | None:
        return None if np.isnat(x) else x.astype("datetime64[D]").astype(dt.date)

    rows = [
        Row(s, to_date(d), to_date(o), to_date(c))
        for s, d, o, c in zip(stage, deadline, original, closed)
    ]
    t0 = time.perf_counter()
    loop = [status_of(r, as_of).status.value for r in rows]  # type: ignore[arg-type]
    t_loop = time.perf_counter() - t0
    assert list(vec["status"].astype(str)) == loop  # the two paths agree on every row
    print(f"status of {n:,} hazards: vectorised {t_vec:.3f} s · per-hazard loop {t_loop:.2f} s "
          f"· ratio {t_vec / t_loop:.3f}× (target ≤ 0.1 s)")
    print("  ", vec["status"].value_counts().to_dict())


def bench_transitions(n_hazards: int) -> None:
    when = dt.datetime(2026, 3, 2, 9, tzinfo=hl.clock.CHINA)
    d0 = dt.date(2026, 3, 2)
    histories = []
    for i in range(n_hazards):
        hid = f"H{i:07d}"
        histories.append([
            Event(hid, 1, EventKind.DISCOVER, d0, when, FINDER, Discovery("U1", "城关镇", "fire", "d", "属地排查", "一般")),
            Event(hid, 2, EventKind.ASSIGN, d0, when, ASSIGNER,
                  Assignment("U1", RESPONSIBLE, "县应急管理局", "未挂牌", dt.date(2026, 3, 30))),
            Event(hid, 3, EventKind.START, d0, when, RESPONSIBLE, Rectification("整改")),
            Event(hid, 4, EventKind.SUBMIT, d0, when, RESPONSIBLE, Submission()),
            Event(hid, 5, EventKind.INSPECT_PASS, d0, when, INSPECTOR, Inspection()),
            Event(hid, 6, EventKind.CLOSE, d0, when, INSPECTOR, Closure()),
        ])
    n_events = 6 * n_hazards
    t0 = time.perf_counter()
    for events in histories:
        hl.fold(events)
    t_fold = time.perf_counter() - t0
    apply = hl.apply
    t0 = time.perf_counter()
    for events in histories:
        state = None
        for e in events:
            state = apply(state, e)  # a new immutable state per event
    t_apply = time.perf_counter() - t0
    print(f"lifecycle fold(): {n_events / t_fold:,.0f} transitions/s ({n_events:,} events, prebuilt; "
          f"target ≥ 100,000/s)")
    print(f"lifecycle apply() chained, a new state per event: {n_events / t_apply:,.0f} transitions/s "
          f"({t_fold / t_apply:.2f}× the fold's time)")

    register, _ = make_register("2026-03-02", units=(make_unit("U1"),))
    n = n_hazards // 5
    t0 = time.perf_counter()
    for _ in range(n):
        h = register.discover(unit_code="U1", domain="fire", description="d", on=d0, source="属地排查",
                              level="一般", actor=FINDER)
        register.assign(h.hazard_id, on=d0, actor=ASSIGNER, responsible_person=RESPONSIBLE,
                        supervising_department="县应急管理局", deadline="2026-03-30")
        register.start_rectification(h.hazard_id, on=d0, actor=RESPONSIBLE, measures="整改")
        register.submit(h.hazard_id, on=d0, actor=RESPONSIBLE)
        register.inspect(h.hazard_id, on=d0, inspector=INSPECTOR, passed=True)
        register.strike_off(h.hazard_id, on=d0, actor=INSPECTOR)
    t_verbs = time.perf_counter() - t0
    print(f"register verbs (event built, validated, applied, stored in memory): "
          f"{6 * n / t_verbs:,.0f} transitions/s ({6 * n:,} events)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hazards", type=int, default=1_000_000)
    parser.add_argument("--transition-hazards", type=int, default=50_000)
    args = parser.parse_args()
    bench_status(args.hazards)
    bench_transitions(args.transition_hazards)


if __name__ == "__main__":
    main()
