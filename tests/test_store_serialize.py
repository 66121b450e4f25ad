"""Records ⇄ JSON is lossless for every payload type, and the canonical form is stable."""

from __future__ import annotations

import datetime as dt
import json
import math

import attrs
import pytest
from hypothesis import given, strategies as st

from hazardloop.deadlines import DEFAULT_LIMIT_TABLE, DayCount, DeadlineConfig, EscalationTier, LimitRule, LimitTable
from hazardloop.errors import InvalidRecordError
from hazardloop.records import (
    CORRECTABLE_FIELDS,
    PAYLOAD_TYPES,
    Actor,
    Assignment,
    Attachment,
    Closure,
    Correction,
    DeadlineRecompute,
    Discovery,
    DualReport,
    Escalation,
    Event,
    EventKind,
    Evidence,
    EvidencePhase,
    Extension,
    Inspection,
    Level,
    ListingLevel,
    Origin,
    Rectification,
    Regrading,
    Reopening,
    ReportRecipient,
    Source,
    Submission,
    Unit,
    Voiding,
    Withdrawal,
)
from hazardloop.serialize import (
    canonical,
    decode_value,
    deadline_config_from_dict,
    deadline_config_to_dict,
    encode_value,
    event_body,
    event_from_dict,
    event_to_dict,
    state_from_dict,
    state_to_dict,
    unit_from_dict,
    unit_to_dict,
)
from hazardloop.sqlrows import STATE_CELLS, projection_cells, projection_json, state_from_projection
from hazardloop.sqlschema import PROJECTION_COLUMNS
from hazardloop.testing import make_register

from store_scenarios import scripted

text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12).map(str.strip).filter(bool)
opt_text = st.none() | text
dates = st.dates(dt.date(2000, 1, 1), dt.date(2040, 12, 31))
actors = st.builds(Actor, text, text, st.just("") | text)
floats = st.floats(allow_nan=True, allow_infinity=True)
free = st.recursive(
    st.none() | st.booleans() | st.integers() | floats | text | dates
    | st.datetimes(timezones=st.just(dt.timezone(dt.timedelta(hours=8)))),
    lambda inner: st.lists(inner, max_size=3).map(tuple) | st.dictionaries(text, inner, max_size=3),
    max_leaves=6,
)
pairs = st.dictionaries(text, free, max_size=4)
enum_of = st.sampled_from

PAYLOADS = {
    Discovery: st.builds(Discovery, text, text, text, text, enum_of(Source), enum_of(Level), st.just("") | text,
                         opt_text, st.lists(text, max_size=3).map(tuple), st.dictionaries(text, floats, max_size=3), pairs),
    Withdrawal: st.builds(Withdrawal, text),
    Assignment: st.builds(Assignment, text, actors, text, enum_of(ListingLevel), dates, st.none() | dates, text, st.booleans()),
    Rectification: st.builds(Rectification, text, opt_text, st.none() | st.floats(0, 1e9)),
    Submission: st.builds(Submission, st.just("") | text),
    Inspection: st.builds(Inspection, st.just("") | text),
    Closure: st.builds(Closure, st.just("") | text),
    Reopening: st.builds(Reopening, text, dates, st.booleans()),
    Extension: st.builds(Extension, text, actors, dates, st.booleans()),
    DualReport: st.builds(DualReport, enum_of(ReportRecipient)),
    Attachment: st.builds(Attachment, st.just("") | text),
    Correction: st.builds(
        Correction,
        st.dictionaries(st.sampled_from(sorted(CORRECTABLE_FIELDS - {"source", "funds"})), text, min_size=1, max_size=3)
        | st.just({"source": Source.ENFORCEMENT, "funds": 12.5}),
        text,
    ),
    Voiding: st.builds(Voiding, text),
    Regrading: st.builds(Regrading, enum_of(Level), text, st.lists(text, max_size=2).map(tuple), st.just("") | text,
                         st.none() | dates, st.booleans()),
    Escalation: st.builds(Escalation, text, st.integers(-30, 60), dates, dates),
    DeadlineRecompute: st.builds(DeadlineRecompute, dates, st.booleans(), text),
}
assert set(PAYLOADS) == set(PAYLOAD_TYPES.values()), "a payload type has no strategy"

evidence = st.builds(Evidence, text.map(lambda s: f"file:///{s}"), st.text("0123456789abcdef", min_size=64, max_size=64),
                     st.just("") | text, enum_of(EvidencePhase))
origins = st.none() | st.builds(Origin, text, st.just("") | text, st.none() | st.integers(1, 10**6),
                                st.lists(text, max_size=2).map(tuple))


@st.composite
def events(draw: st.DrawFn) -> Event:
    kind = draw(st.sampled_from(list(EventKind)))
    return Event(
        hazard_id=draw(text),
        seq=draw(st.integers(1, 10**6)),
        kind=kind,
        occurred_on=draw(dates),
        recorded_at=draw(st.datetimes(timezones=st.just(dt.timezone(dt.timedelta(hours=8))))),
        actor=draw(actors),
        payload=draw(PAYLOADS[PAYLOAD_TYPES[kind]]),
        comment=draw(st.just("") | text),
        evidence=tuple(draw(st.lists(evidence, max_size=2))),
        origin=draw(origins),
    )


def _same(a: object, b: object) -> bool:
    """Equality that counts NaN equal to NaN (a stored NaN is still NaN)."""
    return canonical(json.loads(json.dumps(_plain(a)))) == canonical(json.loads(json.dumps(_plain(b))))


def _plain(value: object) -> object:
    if attrs.has(type(value)):
        return {f.name: _plain(getattr(value, f.name)) for f in attrs.fields(type(value))} | {"@": type(value).__name__}
    if isinstance(value, (tuple, list)):
        return ["tuple" if isinstance(value, tuple) else "list", *[_plain(v) for v in value]]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)  # NaN counts equal to NaN once stored
    if isinstance(value, (dt.date, dt.datetime)):
        return f"{type(value).__name__}:{value.isoformat()}"
    if hasattr(value, "value"):
        return value.value  # type: ignore[attr-defined]  # a str enum equals its value
    return value


@given(events())
def test_every_event_round_trips_through_canonical_json(event: Event) -> None:
    text_form = canonical(event_to_dict(event))
    back = event_from_dict(json.loads(text_form))
    assert _same(back, event)
    if not _has_nan(event):
        assert back == event
    assert canonical(event_to_dict(back)) == text_form  # canonical: one text per event
    assert event_body(event) == text_form  # the fast writer the store appends with


def _has_nan(value: object) -> bool:
    return "nan" in json.dumps(_plain(value))


@given(free)
def test_free_values_survive_with_their_types(value: object) -> None:
    encoded = encode_value(value)
    assert json.loads(canonical(encoded)) == encoded
    back = decode_value(json.loads(canonical(encoded)))
    assert _same(back, _tupled(value))


def _tupled(value: object) -> object:
    if isinstance(value, list):
        return tuple(_tupled(v) for v in value)
    if isinstance(value, tuple):
        return tuple(_tupled(v) for v in value)
    if isinstance(value, dict):
        return {k: _tupled(v) for k, v in value.items()}
    return value


def test_canonical_form_is_sorted_compact_and_unescaped() -> None:
    assert canonical({"b": 1, "a": ["隐患", 1.5, None, True]}) == '{"a":["隐患",1.5,null,true],"b":1}'
    with pytest.raises(ValueError):
        canonical({"x": float("nan")})


def test_states_and_units_of_a_whole_history_round_trip() -> None:
    register, clock = make_register("2026-01-05")
    scripted(register, clock)
    for state in register.store.states():
        assert state_from_dict(json.loads(canonical(state_to_dict(state)))) == state
    for unit in register.units():
        assert unit_from_dict(json.loads(canonical(unit_to_dict(unit)))) == unit
    assert Unit("U9", "名", "镇", ("a",), {"d": dt.date(2026, 1, 1)}) == unit_from_dict(
        json.loads(canonical(unit_to_dict(Unit("U9", "名", "镇", ("a",), {"d": dt.date(2026, 1, 1)}))))
    )


def test_deadline_configuration_round_trips() -> None:
    table = LimitTable("工作日表", dt.date(2027, 1, 1), (
        LimitRule(Level.MAJOR, None, days=20, count=DayCount.WORKING),
        LimitRule(None, ListingLevel.PROVINCE, cap_days=90),
    ), roll_over=False)
    config = DeadlineConfig(tables=(DEFAULT_LIMIT_TABLE, table), due_soon_days=5,
                            tiers=(EscalationTier("超期1天", 1), EscalationTier("临期3天", -3)))
    assert deadline_config_from_dict(json.loads(canonical(deadline_config_to_dict(config)))) == config


def test_an_unknown_event_format_is_refused() -> None:
    register, clock = make_register("2026-01-05")
    scripted(register, clock)
    data = event_to_dict(register.history("H000001")[0])
    data["format"] = 2
    with pytest.raises(InvalidRecordError, match="format 2"):
        event_from_dict(data)


def test_the_generated_state_writer_equals_the_loop() -> None:
    from hazardloop.serialize import _state_to_dict_loop

    register, clock = make_register("2026-01-05")
    scripted(register, clock)
    states = list(register.store.states())
    assert states
    for state in states:
        assert list(state_to_dict(state).items()) == list(_state_to_dict_loop(state).items())


def test_the_projection_writers_equal_their_references() -> None:
    """The compiled projection cells equal the loop; the projection's state JSON (orjson writing
    dates and enums natively) reads back as the state and parses to what the stdlib writes."""
    from hazardloop.serialize import state_json
    from hazardloop.sqlrows import _projection_loop

    register, clock = make_register("2026-01-05")
    scripted(register, clock)
    states = list(register.store.states())
    assert states
    whole = 0
    for state in states:
        assert projection_cells(state) == _projection_loop(state)
        text = state_json(state)
        assert state_from_dict(json.loads(text)) == state
        written = json.loads(text)
        reference = json.loads(json.dumps(state_to_dict(state), ensure_ascii=False))
        if state.extra or state.measurements:
            assert written == reference  # state_to_dict's form
        else:  # the whole instance: every field, and nothing state_to_dict says otherwise
            whole += 1
            assert list(written) == [f.name for f in attrs.fields(type(state))]
            assert {k: v for k, v in written.items() if k in reference} == reference
        # the projection's slim JSON beside its cells reads back as the state too
        assert state_from_projection(_stored_cells(state), projection_json(state)) == state
        assert not set(json.loads(projection_json(state))) & set(STATE_CELLS)
    assert whole, "no state took the whole-instance form"


_FUNDS = st.none() | st.floats(allow_nan=True, allow_infinity=True)


@given(
    funds=_FUNDS,
    measurements=st.dictionaries(text, floats, max_size=2).map(lambda d: tuple(d.items())),
    extra=pairs.map(lambda d: tuple(d.items())),
    evidence=st.lists(evidence, max_size=2).map(tuple),
    dual=st.lists(st.tuples(enum_of(ReportRecipient), dates), max_size=2).map(tuple),
    escalations=st.lists(st.tuples(text, dates), max_size=2).map(tuple),
    inspector=st.none() | actors,
    code=opt_text,
)
def test_the_state_json_reads_back_in_both_its_forms(  # type: ignore[no-untyped-def]
    funds, measurements, extra, evidence, dual, escalations, inspector, code
) -> None:
    """Whichever form state_json picks (the whole instance, or state_to_dict for free values,
    measurements and non-finite funds), the text reads back as the state."""
    from hazardloop.serialize import state_json

    base = _SCRIPTED_STATES[0]
    state = attrs.evolve(base, funds=funds, measurements=measurements, extra=extra, evidence=evidence,
                         dual_reports=dual, escalations=escalations, inspector=inspector, hazard_code=code)
    back = state_from_dict(json.loads(state_json(state)))
    slim = state_from_projection(_stored_cells(state), projection_json(state))
    for read in (back, slim):
        assert _same(read, state)
        if not _has_nan(state):
            assert read == state


def _stored_cells(state: object) -> list[object]:
    """The :data:`STATE_CELLS` of a state as a database gives them back (flags as 0/1)."""
    cells = dict(zip(PROJECTION_COLUMNS, projection_cells(state)))
    return [cells[c] for c in STATE_CELLS]


def _scripted_states() -> list[object]:
    register, clock = make_register("2026-01-05")
    scripted(register, clock)
    return list(register.store.states())


_SCRIPTED_STATES = _scripted_states()


def test_iso_date_remembers_plain_dates_only() -> None:
    from hazardloop.serialize import iso_date

    day = dt.date(2026, 1, 5)
    assert iso_date(day) == iso_date(dt.date(2026, 1, 5)) == "2026-01-05"
    utc = dt.datetime(2026, 1, 5, 1, tzinfo=dt.timezone.utc)
    east = utc.astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert utc == east and iso_date(utc) != iso_date(east)
    assert (iso_date(utc), iso_date(east)) == (utc.isoformat(), east.isoformat())


def test_the_state_json_falls_back_to_the_stdlib_for_what_orjson_refuses() -> None:
    from hazardloop.serialize import state_json

    register, clock = make_register("2026-01-05")
    scripted(register, clock)
    state = next(iter(register.store.states()))
    # a free value beyond 64 bits: orjson refuses it, the stdlib writes it, and it reads back
    big = attrs.evolve(state, extra=(("编号", 2**70),))
    text = state_json(big)
    assert '["编号",1180591620717411303424]' in text
    assert state_from_dict(json.loads(text)) == big
