"""Helpers for testing hazardloop and the plugins written for it.

Like ``structlog.testing``: a fixed clock, record factories with sensible defaults, and a
register ready to use. Plugin authors import these in their own test suites.

For plugins: :func:`make_hooks` builds a typed plugin façade over a fresh manager holding only
the plugins given (entry points off by default, so a test sees exactly what it registers);
:func:`make_facts` builds grading inputs; the ``plugin_hooks`` pytest fixture (enable it with
``pytest_plugins = ["hazardloop.testing"]`` in a conftest) returns :func:`make_hooks` with an
outbox list attached.
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
from hazardloop.grading import HazardFacts
from hazardloop.hookspecs import Notification
from hazardloop.plugins import PluginHooks, load_hooks

try:  # the fixture is offered only where pytest is installed
    import pytest
except ImportError:  # pragma: no cover
    pytest = None  # type: ignore[assignment]

__all__ = [
    "FixedClock",
    "make_actor",
    "make_unit",
    "make_evidence",
    "make_register",
    "make_hooks",
    "make_facts",
    "Outbox",
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


class Outbox(list):  # type: ignore[type-arg]
    """A list that collects the notifications observing hooks return (pass it as ``outbox``)."""

    def __call__(self, note: Notification) -> None:
        self.append(note)


def make_hooks(
    *plugins: object | tuple[str, object],
    entry_points: bool = False,
    builtins: bool = True,
    block: tuple[str, ...] = (),
    outbox: Outbox | None = None,
) -> PluginHooks:
    """A plugin façade over a fresh manager with ``plugins`` (and the built-ins) registered.

    Entry points are off by default so that the installed plugins do not leak into a test;
    pass ``entry_points=True`` to load them through the same path a host uses.
    """
    return load_hooks(
        entry_points=entry_points, block=block, plugins=plugins, builtins=builtins, outbox=outbox
    )


def make_facts(
    domain: str, found_on: _dt.date | str = "2026-01-05", criteria: tuple[str, ...] = (), **extra: Any
) -> HazardFacts:
    """Grading inputs: ``extra`` becomes the hazard's extra fields; pass ``measurements=`` for numbers."""
    measurements = extra.pop("measurements", None)
    return HazardFacts(domain, found_on, criteria, measurements, extra)


if pytest is not None:

    @pytest.fixture
    def plugin_hooks() -> Any:
        """A factory: ``plugin_hooks(plugin, ...)`` returns a façade whose ``outbox`` is an :class:`Outbox`."""

        def factory(*plugins: object | tuple[str, object], **kwargs: Any) -> PluginHooks:
            kwargs.setdefault("outbox", Outbox())
            return make_hooks(*plugins, **kwargs)

        return factory
