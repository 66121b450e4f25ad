"""Every hook a hazardloop plugin can implement (pluggy project name ``hazardloop``).

A plugin is a module (or object) with functions marked ``@hookimpl`` whose names are the
hook names below, published under the entry-point group ``hazardloop``::

    [project.entry-points.hazardloop]
    fireworks = "hazardloop_fireworks"

An implementation may take any subset of a hook's arguments, by name; never give them
default values (pluggy would then not pass them). No hook here is ``firstresult``: the core
collects every plugin's answer and combines them so that registration order never matters.
See docs/plugin-guide.md for a worked example of each hook.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence

import pluggy
from attrs import field, frozen

from hazardloop.catalog import DomainRegistry, Suggestion
from hazardloop.deadlines import DeadlineConfig
from hazardloop.grading import GradeAnswer, HazardFacts
from hazardloop.lifecycle import HazardState
from hazardloop.records import Escalation, Event, Unit, to_date
from hazardloop.riskmethods import RiskAssessment

__all__ = ["PROJECT", "hookspec", "hookimpl", "Notification", "HOOK_NAMES"]

PROJECT = "hazardloop"
"""The pluggy project name and the entry-point group plugins are published under."""

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


def _recipients(value: Sequence[str] | str | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


@frozen
class Notification:
    """A message an observing plugin asks the host to deliver (通报, 提醒, 督办).

    The core does not send anything: it hands each notification to the host's outbox.
    """

    kind: str
    hazard_id: str
    on: _dt.date = field(converter=to_date)
    message: str
    recipients: tuple[str, ...] = field(default=(), converter=_recipients)


# ---------------------------------------------------------------------------------------------
# Declaring domains
# ---------------------------------------------------------------------------------------------


@hookspec
def hazardloop_register_domains(register: DomainRegistry) -> None:
    """Declare the domains (行业领域) the plugin serves.

    Called once, when the plugin façade is built, for every plugin. ``register`` is a
    callback: call ``register(Domain(...))`` once per domain, with its code, Chinese name,
    extra ledger fields and criteria catalogs. The core validates each domain (catalog dates
    that do not overlap within a series, unique criterion codes…) and refuses a domain code
    registered by two plugins, naming both.

    :param register: the :class:`~hazardloop.catalog.DomainRegistry` to call.
    :returns: None, always; any other value is refused (PluginError): a domain is
        declared by calling ``register``, never by returning it.
    """


# ---------------------------------------------------------------------------------------------
# Grading hazards
# ---------------------------------------------------------------------------------------------


@hookspec
def hazardloop_grade_hazard(hazard: HazardFacts) -> GradeAnswer | None:
    """Grade one hazard (一般/重大) from its structured inputs.

    Called for every plugin whenever the core grades a hazard (``PluginHooks.grade``,
    :func:`hazardloop.grading.grade_register`). ``hazard`` carries the domain, the date
    found, the criterion codes, the measurements and the extra fields; never grade from the
    free-text description. Use the catalog in force on ``hazard.found_on``.

    :param hazard: the :class:`~hazardloop.grading.HazardFacts` to grade.
    :returns: a :class:`~hazardloop.grading.GradeAnswer` (GRADED with a level and the
        criteria that decided it, or CANNOT_GRADE with the reason), or None when the hazard
        is not of a domain this plugin grades. Every answer is kept; the most severe wins.
    """


@hookspec
def hazardloop_suggest_criteria(domain: str, description: str, on: _dt.date) -> Sequence[Suggestion] | None:
    """Suggest criteria from a hazard's free-text description (hints, never a grade).

    Called when a host asks ``PluginHooks.suggest`` (a ledger import, an entry form).

    :param domain: the hazard's domain code.
    :param description: the free-text description (隐患描述).
    :param on: the date found, to choose the catalog in force.
    :returns: the suggested criteria, or None when the domain is not this plugin's
        (an empty list means "none of mine match").
    """


# ---------------------------------------------------------------------------------------------
# Unit risk
# ---------------------------------------------------------------------------------------------


@hookspec
def hazardloop_assess_unit_risk(unit: Unit, on: _dt.date) -> Sequence[RiskAssessment] | None:
    """Assess a unit's inherent risk (score, method, colour) from its risk inputs.

    Called for every plugin when the core colours units (``PluginHooks.assess_unit``,
    :func:`hazardloop.plugins.unit_colours`). Read the inputs from ``unit.attributes``
    (LEC factors, GB 18218 quantities and people within 500 m, tailings-pond data…).

    :param unit: the :class:`~hazardloop.records.Unit` to assess.
    :param on: the date of the assessment.
    :returns: one or more :class:`~hazardloop.riskmethods.RiskAssessment`, or None when
        the plugin has nothing to say about this unit. The most severe colour wins; the
        core then applies the dynamic rules (open and overdue major hazards).
    """


# ---------------------------------------------------------------------------------------------
# Deadlines
# ---------------------------------------------------------------------------------------------


@hookspec
def hazardloop_deadline_config(config: DeadlineConfig) -> DeadlineConfig | None:
    """Adjust the deadline policy (limit tables, due-soon days, escalation tiers).

    Called by ``PluginHooks.deadline_config(base)`` when a host builds its register's
    configuration. Return a modified copy, e.g. ``config.with_table(LimitTable(...))``
    for a local rule with its effective date.

    :param config: the host's base :class:`~hazardloop.deadlines.DeadlineConfig`.
    :returns: the adjusted configuration, or None to leave it as it is. When plugins
        return different configurations the core refuses them all (ConfigError) rather
        than pick one by registration order.
    """


# ---------------------------------------------------------------------------------------------
# Validating and observing events
# ---------------------------------------------------------------------------------------------


@hookspec
def hazardloop_validate_event(state: HazardState | None, event: Event) -> str | None:
    """Check an event before the register applies it.

    Called for every event a register appends (verbs, imports, escalations), before the
    lifecycle applies it and before anything is stored.

    :param state: the hazard's current state, or None for its 发现 event.
    :param event: the :class:`~hazardloop.records.Event` about to be applied.
    :returns: a reason (text) to refuse the event, or None to accept it. The core refuses
        the event with a TransitionError naming every reason given; nothing is stored.
    """


@hookspec
def hazardloop_transition(before: HazardState | None, after: HazardState, event: Event) -> Notification | None:
    """Observe an event that has been stored (every transition and annotation).

    Called after the register stored the event, for every event in order.

    :param before: the state before the event (None for 发现).
    :param after: the state after it.
    :param event: the stored event.
    :returns: a :class:`Notification` for the host's outbox, or None for none.
    """


@hookspec
def hazardloop_escalation(hazard: HazardState, escalation: Escalation, overdue: bool) -> Notification | None:
    """Observe a hazard entering an escalation tier (临期, 到期, 超期…).

    Called after a 升级提醒 event is stored (``Register.escalations``).

    :param hazard: the state after the escalation was recorded.
    :param escalation: the tier, its offset from the deadline, the day it was entered.
    :param overdue: True when the tier lies past the deadline (offset > 0): the hazard is overdue.
    :returns: a :class:`Notification` for the host's outbox, or None for none.
    """


@hookspec
def hazardloop_reopened(hazard: HazardState, reason: str, event: Event) -> Notification | None:
    """Observe a struck-off hazard reopened by a look-back re-check (回头看).

    Called after a 回头看 event is stored.

    :param hazard: the state after reopening (back in 整改, with its new deadline).
    :param reason: why it was reopened.
    :param event: the stored 回头看 event.
    :returns: a :class:`Notification` for the host's outbox, or None for none.
    """


HOOK_NAMES: tuple[str, ...] = tuple(
    sorted(name for name in list(globals()) if name.startswith("hazardloop_"))
)
"""The name of every hook, for meta-tests and listings."""
