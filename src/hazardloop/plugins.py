"""Loading plugins and calling their hooks through one typed façade.

:func:`make_plugin_manager` returns a *fresh* :class:`pluggy.PluginManager` on every call
(there is no module-level manager): it adds the hook specifications, registers the built-in
plugin and any plugin objects given, loads the entry-point group ``hazardloop`` (the path
every third-party and domain plugin takes), skips blocked names, and fails loudly on a hook
implementation that matches no specification, on one whose parameters have default values
(pluggy would silently not pass them), and on an unmarked function named like a hook.

:class:`PluginHooks` wraps the manager with one typed method per hook, so the core never
calls an untyped hook attribute, and implements the register's
:class:`~hazardloop.register.RegisterHooks` protocol (``validate`` and ``observe``)::

    hooks = load_hooks()                                    # entry points + built-ins
    register = Register(clock=SystemClock(), config=hooks.deadline_config(DeadlineConfig()), hooks=hooks)
    grade_register(register, hooks)                         # grades, flagged for review
    unit_colours(register, hooks, on=date.today())          # four colours, with reasons
"""

from __future__ import annotations

import datetime as _dt
import importlib.metadata
import inspect
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import pluggy
from attrs import frozen

from hazardloop import generalrisk, hookspecs
from hazardloop.catalog import Domain, DomainRegistry, Suggestion
from hazardloop.deadlines import DeadlineConfig, Status, status_of
from hazardloop.errors import ConfigError, TransitionError
from hazardloop.grading import Grade, GradeAnswer, GradeResult, HazardFacts, combine
from hazardloop.hookspecs import PROJECT, Notification
from hazardloop.lifecycle import HazardState
from hazardloop.records import Escalation, Event, EventKind, Reopening, Unit, to_date
from hazardloop.riskmethods import DynamicColour, DynamicRiskConfig, RiskAssessment, dynamic_colour

__all__ = [
    "PluginError",
    "PluginInfo",
    "make_plugin_manager",
    "PluginHooks",
    "load_hooks",
    "unit_colours",
    "town_colours",
    "BUILTIN",
]

log = logging.getLogger(__name__)

BUILTIN: tuple[tuple[str, Any], ...] = ((generalrisk.NAME, generalrisk),)
"""The built-in plugins, registered by name like any other (and blockable by that name)."""


class PluginError(ConfigError):
    """A plugin is malformed or answered a hook with a value of the wrong type."""


def _check_plugin(pm: pluggy.PluginManager, name: str, plugin: object) -> None:
    impls = {
        impl.function.__name__
        for caller in pm.get_hookcallers(plugin) or ()
        for impl in caller.get_hookimpls()
        if impl.plugin is plugin
    }
    for attr in dir(plugin):
        if attr.startswith("hazardloop_") and callable(getattr(plugin, attr, None)) and attr not in impls:
            raise PluginError(f"plugin {name}: {attr} looks like a hook but is not marked @hookimpl")
    for caller in pm.get_hookcallers(plugin) or ():
        for impl in caller.get_hookimpls():
            if impl.plugin is not plugin:
                continue
            sig = inspect.signature(impl.function)
            with_defaults = [p.name for p in sig.parameters.values() if p.default is not inspect.Parameter.empty]
            if with_defaults:
                raise PluginError(
                    f"plugin {name}: {caller.name} gives defaults to {', '.join(with_defaults)}; "
                    "pluggy does not pass parameters that have defaults"
                )


def make_plugin_manager(
    *,
    entry_points: bool = True,
    block: Iterable[str] = (),
    plugins: Iterable[object | tuple[str, object]] = (),
    builtins: bool = True,
) -> pluggy.PluginManager:
    """A fresh plugin manager with the hazardloop hook specifications.

    :param entry_points: load the plugins published under the entry-point group ``hazardloop``.
    :param block: plugin names (entry-point names, built-in names) never to register.
    :param plugins: plugin objects to register directly (tests, hosts): an object, or a
        ``(name, object)`` pair.
    :param builtins: register :data:`BUILTIN` (the LEC/LS general-risk plugin).
    :raises PluginError: for an implementation that matches no hook, has parameters with
        defaults, or an unmarked function named like a hook.
    """
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(hookspecs)
    for name in block:
        pm.set_blocked(name)
    try:
        if builtins:
            for name, plugin in BUILTIN:
                pm.register(plugin, name=name)  # a blocked name is skipped by pluggy
        for item in plugins:
            name, plugin = item if isinstance(item, tuple) else (None, item)
            pm.register(plugin, name=name)
        if entry_points:
            pm.load_setuptools_entrypoints(PROJECT)
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"plugin {exc.plugin!r}: {exc}") from exc
    for name, plugin in pm.list_name_plugin():
        if plugin is not None:
            _check_plugin(pm, name, plugin)
    return pm


@frozen
class PluginInfo:
    """A loaded plugin: its name, its distribution and version, and the hooks it implements."""

    name: str
    version: str
    distribution: str
    hooks: tuple[str, ...]


def _expect(value: Any, kind: type | tuple[type, ...], hook: str) -> Any:
    if not isinstance(value, kind):
        raise PluginError(f"{hook} answered {value!r}, not {kind}")
    return value


def _many(value: Any, kind: type, hook: str) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, kind):
        return [value]
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise PluginError(f"{hook} answered {value!r}, not a {kind.__name__} or a sequence of them")
    return [_expect(v, kind, hook) for v in value]


class PluginHooks:
    """The typed façade over a plugin manager: one method per hook.

    Built once per host (or test). On construction every plugin declares its domains
    (``hazardloop_register_domains``). It satisfies the register's ``RegisterHooks``
    protocol: pass it as ``Register(hooks=...)``. Notifications returned by observing
    hooks go to ``outbox`` (a callable), or to the log when no outbox is given.
    """

    def __init__(
        self, pm: pluggy.PluginManager, *, outbox: Callable[[Notification], None] | None = None
    ) -> None:
        self.pm = pm
        self.outbox = outbox
        self._domains = self._register_domains()

    # -- declaring domains ---------------------------------------------------------------------

    def _register_domains(self) -> DomainRegistry:
        registry = DomainRegistry()
        caller = self.pm.hook.hazardloop_register_domains
        # called implementation by implementation, so a duplicate names both plugins
        for impl in sorted(caller.get_hookimpls(), key=lambda i: i.plugin_name):
            registry._set_owner(impl.plugin_name)
            result = impl.function(*[registry for _ in impl.argnames])
            if result is not None:
                raise PluginError(f"plugin {impl.plugin_name}: hazardloop_register_domains returns None")
        return registry

    @property
    def domains(self) -> DomainRegistry:
        """Every domain the plugins declared."""
        return self._domains

    def domain(self, code: str) -> Domain | None:
        """One declared domain, or None."""
        return self._domains.get(code)

    # -- grading ---------------------------------------------------------------------------------

    def grade_answers(self, hazard: HazardFacts) -> list[GradeAnswer]:
        """Every plugin's answer for ``hazard`` (None answers dropped), in no meaningful order."""
        results = self.pm.hook.hazardloop_grade_hazard(hazard=hazard)
        return [_expect(r, GradeAnswer, "hazardloop_grade_hazard") for r in results if r is not None]

    def grade(self, hazard: HazardFacts) -> Grade:
        """The combined grade of ``hazard`` (:func:`hazardloop.grading.combine`)."""
        return combine(self.grade_answers(hazard))

    def grade_state(self, state: HazardState) -> GradeResult:
        """Grade a stored hazard and set the grade against its recorded level."""
        return GradeResult(state.hazard_id, state.level, self.grade(HazardFacts.from_state(state)), state.determination)

    def suggest(self, domain: str, description: str, on: _dt.date | str) -> list[Suggestion]:
        """Criteria suggested from free text by every plugin, sorted by code (hints only)."""
        results = self.pm.hook.hazardloop_suggest_criteria(domain=domain, description=description, on=to_date(on))
        out = {s.code: s for r in results for s in _many(r, Suggestion, "hazardloop_suggest_criteria")}
        return [out[k] for k in sorted(out)]

    # -- unit risk -------------------------------------------------------------------------------

    def assess_unit(self, unit: Unit, on: _dt.date | str) -> list[RiskAssessment]:
        """Every plugin's assessment of ``unit``, most severe first (ties by method)."""
        results = self.pm.hook.hazardloop_assess_unit_risk(unit=unit, on=to_date(on))
        found = [a for r in results for a in _many(r, RiskAssessment, "hazardloop_assess_unit_risk")]
        return sorted(found, key=lambda a: (-a.colour.rank, a.method, a.domain, a.basis))

    # -- deadlines -------------------------------------------------------------------------------

    def deadline_config(self, base: DeadlineConfig) -> DeadlineConfig:
        """``base`` adjusted by the plugins; refuses disagreeing adjustments."""
        results = self.pm.hook.hazardloop_deadline_config(config=base)
        answers = [_expect(r, DeadlineConfig, "hazardloop_deadline_config") for r in results if r is not None]
        distinct = list(dict.fromkeys(answers))
        if not distinct:
            return base
        if len(distinct) > 1:
            raise ConfigError(
                f"{len(distinct)} plugins adjust the deadline policy differently; "
                "merge their tables into one plugin or configure the host"
            )
        return distinct[0]

    # -- RegisterHooks -------------------------------------------------------------------------

    def validate(self, state: HazardState | None, event: Event) -> None:
        """Refuse ``event`` (TransitionError) when any plugin gives a reason."""
        results = self.pm.hook.hazardloop_validate_event(state=state, event=event)
        reasons = sorted(_expect(r, str, "hazardloop_validate_event") for r in results if r is not None)
        if reasons:
            raise TransitionError(event.hazard_id, state.stage if state else None, event.kind, "; ".join(reasons))

    def observe(self, before: HazardState | None, after: HazardState, event: Event) -> None:
        """Run the observing hooks for a stored event and deliver their notifications."""
        notes = list(self.pm.hook.hazardloop_transition(before=before, after=after, event=event))
        if event.kind is EventKind.ESCALATE:
            esc = event.payload
            assert isinstance(esc, Escalation)
            notes += self.pm.hook.hazardloop_escalation(hazard=after, escalation=esc, overdue=esc.offset_days > 0)
        elif event.kind is EventKind.REOPEN:
            reopening = event.payload
            assert isinstance(reopening, Reopening)
            notes += self.pm.hook.hazardloop_reopened(hazard=after, reason=reopening.reason, event=event)
        for note in notes:
            if note is None:
                continue
            _expect(note, Notification, "observing hook")
            if self.outbox is not None:
                self.outbox(note)
            else:
                log.info("%s %s %s: %s", note.on, note.kind, note.hazard_id, note.message)

    # -- listing ---------------------------------------------------------------------------------

    def plugins(self) -> list[PluginInfo]:
        """Every loaded plugin with its version and the hooks it implements, by name."""
        dists = {id(plugin): dist for plugin, dist in self.pm.list_plugin_distinfo()}
        out = []
        for name, plugin in self.pm.list_name_plugin():
            if plugin is None:
                continue
            hooks = tuple(sorted(c.name for c in self.pm.get_hookcallers(plugin) or ()))
            dist = dists.get(id(plugin))
            if dist is not None:
                distribution, version = dist.project_name, dist.version
            elif name in dict(BUILTIN):
                distribution, version = "hazardloop", _version("hazardloop")
            else:
                module = getattr(plugin, "__name__", type(plugin).__name__)
                distribution, version = module, getattr(plugin, "__version__", "")
            out.append(PluginInfo(name, version, distribution, hooks))
        return sorted(out, key=lambda p: p.name)


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return ""


def load_hooks(
    *,
    entry_points: bool = True,
    block: Iterable[str] = (),
    plugins: Iterable[object | tuple[str, object]] = (),
    builtins: bool = True,
    outbox: Callable[[Notification], None] | None = None,
) -> PluginHooks:
    """A façade over a fresh manager (:func:`make_plugin_manager` takes the same arguments)."""
    pm = make_plugin_manager(entry_points=entry_points, block=block, plugins=plugins, builtins=builtins)
    return PluginHooks(pm, outbox=outbox)


def unit_colours(
    register: Any,
    hooks: PluginHooks,
    *,
    on: _dt.date | str,
    config: DynamicRiskConfig = DynamicRiskConfig(),
    units: Sequence[Unit] | None = None,
) -> list[DynamicColour]:
    """The colour of every unit of ``register`` on ``on``: assessed, then raised dynamically.

    A hazard counts when it was found by ``on``; it is an open major hazard when it is major
    and open as of that date, and overdue when its derived status on that date is 超期.
    """
    day = to_date(on)
    open_major: dict[str, list[str]] = {}
    overdue_major: dict[str, list[str]] = {}
    for state in register.states_as_of(day):
        if not (state.is_major and state.is_open):
            continue
        open_major.setdefault(state.unit_code, []).append(state.hazard_id)
        if status_of(state, day, register.config.due_soon_days).status is Status.OVERDUE:
            overdue_major.setdefault(state.unit_code, []).append(state.hazard_id)
    out = []
    for unit in units if units is not None else register.units():
        out.append(
            dynamic_colour(
                unit.code,
                hooks.assess_unit(unit, day),
                open_major=open_major.get(unit.code, ()),
                overdue_major=overdue_major.get(unit.code, ()),
                config=config,
            )
        )
    return out


def town_colours(colours: Iterable[DynamicColour], units: Iterable[Unit]) -> dict[str, DynamicColour]:
    """Each town's colour: the worst of its units' (LIFECYCLE.md §5), with that unit's reasons."""
    town_of = {u.code: u.town for u in units}
    best: dict[str, DynamicColour] = {}
    for c in sorted(colours, key=lambda c: c.unit_code):
        town = town_of.get(c.unit_code)
        if town is None or c.colour is None:
            continue
        if town not in best or c.colour.rank > best[town].colour.rank:  # type: ignore[union-attr]
            best[town] = c
    return best
