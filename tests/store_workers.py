"""Work done in child processes by the store's concurrency and crash tests (importable by spawn)."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

from hazardloop.errors import ConcurrencyError, TransitionError
from hazardloop.lifecycle import apply
from hazardloop.records import Actor, Discovery, Event, EventKind, Rectification
from hazardloop.sqlstore import open_store
from hazardloop.store import Append
from hazardloop.testing import APPROVER, RESPONSIBLE, make_register

D = dt.date


def race_once(url: str, hazard_id: str, label: str, barrier: Any, results: Any) -> None:
    """Read the hazard, wait for the other process to have read it too, then both append at once."""
    store = open_store(url)
    state = store.state(hazard_id)
    event = Event(hazard_id, state.version + 1, EventKind.START, state.last_event_on,
                  dt.datetime(2026, 1, 7, 9, tzinfo=dt.timezone.utc), RESPONSIBLE, Rectification(measures=f"措施{label}"))
    barrier.wait()
    try:
        store.append([Append(hazard_id, state.version, (event,), apply(state, event))])
        results.put((label, "ok", ""))
    except ConcurrencyError as exc:
        results.put((label, "conflict", str(exc)))
    finally:
        store.close()


def extend_many(url: str, hazard_id: str, n: int, label: str, results: Any) -> None:
    """Extend one hazard ``n`` times, reloading and retrying whenever the other writer got there first."""
    store = open_store(url)
    register, _ = make_register("2026-01-10", store=store)
    done = conflicts = 0
    while done < n:
        state = register.get(hazard_id)
        try:
            register.extend(hazard_id, on="2026-01-10", approver=APPROVER, reason=f"{label}{done}",
                            deadline=state.effective_deadline + dt.timedelta(days=1))
            done += 1
        except (ConcurrencyError, TransitionError):
            conflicts += 1
    results.put((label, done, conflicts))
    store.close()


def generated_import(url: str, total: int, batch_size: int, progress: str) -> None:
    """A simple bulk import: ``total`` hazards with deterministic ids, one transaction per batch.

    Safe to run again: hazards already in the store are skipped. After each committed batch the
    number of hazards committed so far is appended to ``progress`` (and flushed).
    """
    store = open_store(url)
    register, clock = make_register("2026-01-05", store=store)
    actor = Actor("importer", "导入", "县应急管理局")
    for start in range(0, total, batch_size):
        with register.batch():
            for n in range(start, min(start + batch_size, total)):
                hid = f"IMP{n:06d}"
                if hid in register:
                    continue
                discover = Event(hid, 1, EventKind.DISCOVER, D(2026, 1, 5), clock.now(), actor,
                                 Discovery(unit_code="U1", town="城关镇", domain="hazchem",
                                           description=f"导入隐患{n}", source="属地排查", level="一般"))
                start_ev = Event(hid, 2, EventKind.ASSIGN, D(2026, 1, 6), clock.now(), actor,
                                 _assignment())
                register.append_events([discover, start_ev])
        with open(progress, "a", encoding="utf-8") as fh:
            fh.write(f"{min(start + batch_size, total)}\n")
            fh.flush()
    store.close()


def _assignment():  # type: ignore[no-untyped-def]
    from hazardloop.records import Assignment

    return Assignment(responsible_unit="U1", responsible_person=RESPONSIBLE, supervising_department="县应急管理局",
                      listing_level="未挂牌", deadline=D(2026, 2, 6), requested_deadline=D(2026, 2, 6), rule="交办人设定")


if __name__ == "__main__":  # python tests/store_workers.py URL TOTAL BATCH PROGRESS
    generated_import(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
