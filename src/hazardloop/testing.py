"""Helpers for testing hazardloop and the plugins written for it.

Like ``structlog.testing``: a fixed clock, record factories with sensible defaults, and a
register ready to use. Plugin authors import these in their own test suites.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from typing import Any

from hazardloop.calendar import ChinaCalendar, HolidayCalendar
from hazardloop.clock import FixedClock
from hazardloop.deadlines import DeadlineConfig
from hazardloop.records import Actor, Evidence, EvidencePhase, Unit
from hazardloop.register import Register, RegisterHooks
from hazardloop.store import EventStore

__all__ = [
    "FixedClock",
    "make_actor",
    "make_unit",
    "make_evidence",
    "make_register",
    "FINDER",
    "ASSIGNER",
    "RESPONSIBLE",
    "INSPECTOR",
    "APPROVER",
]

FINDER = Actor("finder-1", "赵排查", "属地乡镇")
ASSIGNER = Actor("assigner-1", "钱交办", "县应急管理局")
RESPONSIBLE = Actor("resp-1", "孙整改", "责任企业")
INSPECTOR = Actor("insp-1", "李督查", "县应急管理局")
APPROVER = Actor("appr-1", "周审批", "县安委办")


def make_actor(n: int = 1, organisation: str = "县应急管理局") -> Actor:
    """An actor with a stable id ``actor-n``."""
    return Actor(f"actor-{n}", f"人员{n}", organisation)


def make_unit(code: str = "U001", town: str = "城关镇", domains: tuple[str, ...] = ("hazchem",), **attributes: Any) -> Unit:
    """A unit with a readable name; ``attributes`` become its risk inputs."""
    return Unit(code=code, name=f"单位{code}", town=town, domains=domains, attributes=attributes)


def make_evidence(name: str = "photo.jpg", phase: EvidencePhase = EvidencePhase.AFTER) -> Evidence:
    """Evidence whose hash is the sha256 of its name (stable across runs)."""
    return Evidence(
        uri=f"file:///evidence/{name}",
        sha256=hashlib.sha256(name.encode()).hexdigest(),
        caption=name,
        phase=phase,
    )


def make_register(
    day: _dt.date | str = "2026-01-05",
    *,
    calendar: HolidayCalendar | None = None,
    config: DeadlineConfig | None = None,
    store: EventStore | None = None,
    hooks: RegisterHooks | None = None,
    units: tuple[Unit, ...] = (),
) -> tuple[Register, FixedClock]:
    """A register on a :class:`FixedClock` standing at ``day``, with ``units`` added."""
    clock = FixedClock.on(day)
    register = Register(
        clock=clock,
        calendar=calendar if calendar is not None else ChinaCalendar.default(),
        config=config,
        store=store,
        hooks=hooks,
    )
    for unit in units:
        register.add_unit(unit)
    return register, clock
