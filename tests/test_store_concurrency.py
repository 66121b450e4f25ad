"""Two real processes writing to the same hazard: one commits, the other gets a conflict (both backends)."""

from __future__ import annotations

import multiprocessing as mp

import sqlalchemy as sa

from hazardloop.sqlstore import normalise_url, open_store
from hazardloop.testing import ASSIGNER, FINDER, RESPONSIBLE, make_register, make_unit

import store_workers


def _assigned_hazard(url: str) -> str:
    with open_store(url) as store:
        register, _ = make_register("2026-01-05", store=store, units=(make_unit("U1"),))
        h = register.discover(unit_code="U1", domain="hazchem", description="并发", on="2026-01-05",
                              source="企业自查", level="一般", actor=FINDER)
        register.assign(h.hazard_id, on="2026-01-06", actor=ASSIGNER, responsible_person=RESPONSIBLE,
                        supervising_department="县应急管理局", deadline="2026-01-30")
        return h.hazard_id


def test_two_processes_racing_on_one_hazard_one_wins(store_url) -> None:  # type: ignore[no-untyped-def]
    ctx = mp.get_context("fork")
    for _ in range(3):  # three rounds, each on a fresh hazard
        hid = _assigned_hazard(store_url)
        barrier, results = ctx.Barrier(2), ctx.Queue()
        procs = [ctx.Process(target=store_workers.race_once, args=(store_url, hid, label, barrier, results))
                 for label in ("A", "B")]
        for p in procs:
            p.start()
        outcomes = sorted(results.get(timeout=120) for _ in procs)
        for p in procs:
            p.join(60)
            assert p.exitcode == 0
        kinds = sorted(o[1] for o in outcomes)
        assert kinds == ["conflict", "ok"], outcomes
        conflict = next(o for o in outcomes if o[1] == "conflict")
        assert f"hazard {hid}: expected version 2 but the store holds version 3" in conflict[2]
        winner = next(o for o in outcomes if o[1] == "ok")[0]
        with open_store(store_url) as store:
            events = store.events(hid)
            assert [e.seq for e in events] == [1, 2, 3]
            assert events[-1].payload.measures == f"措施{winner}"
            assert store.state(hid).version == 3
            assert store.verify().ok


def test_two_processes_retrying_lose_nothing_and_duplicate_nothing(store_url) -> None:  # type: ignore[no-untyped-def]
    hid = _assigned_hazard(store_url)
    ctx = mp.get_context("fork")
    results = ctx.Queue()
    n = 15
    procs = [ctx.Process(target=store_workers.extend_many, args=(store_url, hid, n, label, results))
             for label in ("A", "B")]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=180) for _ in procs]
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    assert sorted(o[1] for o in outcomes) == [n, n]
    with open_store(store_url) as store:
        events = store.events(hid)
        assert [e.seq for e in events] == list(range(1, 2 * n + 3))
        reasons = sorted(e.payload.reason for e in events[2:])
        assert reasons == sorted([f"A{i}" for i in range(n)] + [f"B{i}" for i in range(n)])
        assert store.state(hid).extension_count == 2 * n
        report = store.verify(deep=True)
        assert report.ok, report.problems
    engine = sa.create_engine(normalise_url(store_url))
    with engine.connect() as conn:
        dupes = conn.exec_driver_sql(
            "SELECT hazard_id, seq FROM hl_events GROUP BY hazard_id, seq HAVING COUNT(*) > 1").all()
    engine.dispose()
    assert dupes == []
