"""Records ⇄ JSON-able dicts, and the canonical JSON the hash chain is computed over.

An explicit mapping rather than a general converter: every payload type of
:data:`hazardloop.records.PAYLOAD_TYPES` is encoded field by field from its attrs fields, the
encoders are chosen once per class (not per value), and decoding goes back through the records'
own constructors so that a stored value is validated again when it is read.

Encoding rules (format version :data:`FORMAT`):

- dates are ISO ``YYYY-MM-DD`` strings, datetimes ISO strings with their offset;
- enums are their value (the Chinese term users see);
- an :class:`~hazardloop.records.Actor` is ``{"id", "name", "organisation"}``;
- key/value pairs (``extra``, ``measurements``, a correction's ``fields``, a unit's
  ``attributes``) are lists of ``[key, value]``;
- free values (the ``Any`` in those pairs) are JSON scalars, lists, or a one-key tagged object
  ``{"$date": ...}``, ``{"$datetime": ...}``, ``{"$float": "nan"}``, ``{"$map": [[k, v], ...]}``,
  so that a date or a non-finite number survives the round trip.

:func:`canonical` is the byte form hashed by the chain: sorted keys, no whitespace, UTF-8,
no ASCII escaping, non-finite numbers refused (they are tagged before they get there).
"""

from __future__ import annotations

import datetime as _dt
import enum
import json
import math
from collections.abc import Callable, Collection, Mapping
from typing import Any

import attrs

from hazardloop.deadlines import DayCount, DeadlineConfig, EscalationTier, LimitRule, LimitTable
from hazardloop.errors import InvalidRecordError
from hazardloop.lifecycle import HazardState
from hazardloop.records import (
    PAYLOAD_TYPES,
    Actor,
    Event,
    EventKind,
    Evidence,
    Level,
    ListingLevel,
    Origin,
    ReportRecipient,
    Source,
    Stage,
    Unit,
)

__all__ = [
    "FORMAT",
    "canonical",
    "encode_value",
    "decode_value",
    "event_to_dict",
    "event_from_dict",
    "event_body",
    "payload_to_dict",
    "payload_from_dict",
    "unit_to_dict",
    "unit_from_dict",
    "state_to_dict",
    "state_json_writer",
    "state_json",
    "state_from_dict",
    "limit_table_to_dict",
    "limit_table_from_dict",
    "tier_to_dict",
    "tier_from_dict",
    "deadline_config_to_dict",
    "deadline_config_from_dict",
]

FORMAT = 1
"""The version of the encoding; stored with every database so that a later format can migrate."""

_dumps = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False).encode


def canonical(obj: Any) -> str:
    """The canonical JSON text of a JSON-able object (sorted keys, compact, UTF-8 as is)."""
    return _dumps(obj)


# ---------------------------------------------------------------------------------------------
# free values
# ---------------------------------------------------------------------------------------------


def encode_value(value: Any) -> Any:
    """A free value (``Any`` in the records) as JSON: scalars as is, the rest tagged."""
    if value is None or isinstance(value, (bool, int, str)):
        if isinstance(value, enum.Enum):
            return value.value
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"$float": repr(value)}
    if isinstance(value, _dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, _dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, enum.Enum):
        return encode_value(value.value)
    if isinstance(value, (list, tuple)):
        return [encode_value(v) for v in value]
    if isinstance(value, Mapping):
        return {"$map": [[str(k), encode_value(v)] for k, v in value.items()]}
    raise InvalidRecordError(f"cannot store a value of type {type(value).__name__}: {value!r}")


def decode_value(value: Any) -> Any:
    """The inverse of :func:`encode_value` (lists come back as tuples, maps as dicts)."""
    if isinstance(value, list):
        return tuple(decode_value(v) for v in value)
    if isinstance(value, dict):
        if len(value) != 1:
            raise InvalidRecordError(f"not a tagged value: {value!r}")
        ((tag, inner),) = value.items()
        if tag == "$date":
            return _dt.date.fromisoformat(inner)
        if tag == "$datetime":
            return _dt.datetime.fromisoformat(inner)
        if tag == "$float":
            return float(inner)
        if tag == "$map":
            return {k: decode_value(v) for k, v in inner}
        raise InvalidRecordError(f"unknown tag {tag!r}")
    return value


def _pairs_out(pairs: tuple[tuple[str, Any], ...]) -> list[list[Any]]:
    return [[k, encode_value(v)] for k, v in pairs]


def _pairs_in(value: Any) -> tuple[tuple[str, Any], ...]:
    return tuple((k, decode_value(v)) for k, v in value)


def _actor_out(a: Actor) -> dict[str, str]:
    return {"id": a.id, "name": a.name, "organisation": a.organisation}


def _actor_in(d: Mapping[str, str]) -> Actor:
    return Actor(d["id"], d["name"], d.get("organisation", ""))


def _opt(f: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda v: None if v is None else f(v)


_ISO_DATES: dict[_dt.date, str] = {}


def iso_date(v: Any) -> str:
    """``v.isoformat()``, remembered for plain dates: formatting one costs ~1 µs, a lookup a tenth of that,
    and a register's events and states repeat the same few thousand days over and over."""
    if type(v) is _dt.date:
        text = _ISO_DATES.get(v)
        if text is None:
            text = v.isoformat()
            if len(_ISO_DATES) < 100_000:
                _ISO_DATES[v] = text
        return text
    return v.isoformat()


_iso = iso_date


def _ident(v: Any) -> Any:
    return v


def _enum_value(v: Any) -> Any:
    return v._value_  # what ``.value`` returns, without the (slow, in 3.11) descriptor


def _float_out(v: float) -> Any:
    return v if math.isfinite(v) else {"$float": repr(v)}


def _float_in(v: Any) -> float:
    return float(v["$float"]) if isinstance(v, dict) else float(v)


def _float_pairs_out(pairs: tuple[tuple[str, float], ...]) -> list[list[Any]]:
    return [[k, _float_out(v)] for k, v in pairs]


def _float_pairs_in(value: Any) -> tuple[tuple[str, float], ...]:
    return tuple((k, _float_in(v)) for k, v in value)


def _evidence_out(e: Evidence) -> dict[str, str]:
    return {"uri": e.uri, "sha256": e.sha256, "caption": e.caption, "phase": e.phase.value}


def _evidence_in(d: Mapping[str, str]) -> Evidence:
    return Evidence(d["uri"], d["sha256"], d.get("caption", ""), d["phase"])


# ---------------------------------------------------------------------------------------------
# payloads: encoders chosen once per field from the attrs field type
# ---------------------------------------------------------------------------------------------

_PAIR_FIELDS = {"extra", "fields", "attributes"}


def _codec_for(cls: type, f: attrs.Attribute[Any]) -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    """The (encode, decode) pair of one payload field, chosen from its annotation."""
    t = str(f.type)
    if f.name == "measurements":
        return _float_pairs_out, _float_pairs_in
    if f.name in _PAIR_FIELDS:
        return _pairs_out, _pairs_in
    if "Actor" in t:
        return (_opt(_actor_out), _opt(_actor_in)) if "None" in t else (_actor_out, _actor_in)
    if "_dt.date" in t:
        return (_opt(_iso), _ident) if "None" in t else (_iso, _ident)
    if "tuple[str, ...]" in t:
        return list, tuple
    if t in {"Source", "Level", "ListingLevel", "ReportRecipient", "DayCount"}:
        return _enum_value, _ident
    if t.startswith("float"):
        return _opt(_float_out), _opt(_float_in)
    if t in {"str", "str | None", "bool", "int", "int | None"}:
        return _ident, _ident
    raise AssertionError(f"{cls.__name__}.{f.name}: no codec for type {t}")  # caught at import


def _payload_codecs() -> dict[type, tuple[tuple[str, Callable[[Any], Any], Callable[[Any], Any]], ...]]:
    out = {}
    for cls in set(PAYLOAD_TYPES.values()):
        out[cls] = tuple((f.name, *_codec_for(cls, f)) for f in attrs.fields(cls))
    return out


_PAYLOAD_CODECS = _payload_codecs()  # immutable after import: one codec tuple per payload class


def payload_to_dict(payload: Any) -> dict[str, Any]:
    """A payload record as a JSON-able dict (every field, defaults included)."""
    return {name: enc(getattr(payload, name)) for name, enc, _ in _PAYLOAD_CODECS[type(payload)]}


def payload_from_dict(kind: EventKind | str, data: Mapping[str, Any]) -> Any:
    """The payload record of an event of ``kind`` from its dict (validated by its constructor)."""
    cls = PAYLOAD_TYPES[EventKind(kind)]
    kwargs = {name: dec(data[name]) for name, _, dec in _PAYLOAD_CODECS[cls] if name in data}
    return cls(**kwargs)


# ---------------------------------------------------------------------------------------------
# events
# ---------------------------------------------------------------------------------------------


def event_to_dict(event: Event) -> dict[str, Any]:
    """An event as a JSON-able dict: the form stored, exported and hashed."""
    o = event.origin
    return {
        "format": FORMAT,
        "hazard_id": event.hazard_id,
        "seq": event.seq,
        "kind": event.kind.value,
        "occurred_on": event.occurred_on.isoformat(),
        "recorded_at": event.recorded_at.isoformat(),
        "actor": _actor_out(event.actor),
        "payload": payload_to_dict(event.payload),
        "comment": event.comment,
        "evidence": [_evidence_out(e) for e in event.evidence],
        "origin": None
        if o is None
        else {"file": o.file, "sheet": o.sheet, "row": o.row, "inferred": list(o.inferred)},
    }


def event_from_dict(data: Mapping[str, Any]) -> Event:
    """The event a dict of :func:`event_to_dict` describes."""
    fmt = data.get("format", FORMAT)
    if fmt != FORMAT:
        raise InvalidRecordError(f"event format {fmt} is not supported (expected {FORMAT})")
    o = data.get("origin")
    return Event(
        hazard_id=data["hazard_id"],
        seq=data["seq"],
        kind=data["kind"],
        occurred_on=data["occurred_on"],
        recorded_at=_dt.datetime.fromisoformat(data["recorded_at"]),
        actor=_actor_in(data["actor"]),
        payload=payload_from_dict(data["kind"], data["payload"]),
        comment=data.get("comment", ""),
        evidence=tuple(_evidence_in(e) for e in data.get("evidence", ())),
        origin=None if o is None else Origin(o["file"], o.get("sheet", ""), o.get("row"), o.get("inferred", ())),
    )


_esc = json.encoder.encode_basestring  # the escaping the encoder uses with ensure_ascii=False


def _j_str(v: str) -> str:
    return _esc(v)


def _j_opt_str(v: str | None) -> str:
    return "null" if v is None else _esc(v)


def _j_date(v: _dt.date) -> str:
    return f'"{iso_date(v)}"'


def _j_opt_date(v: _dt.date | None) -> str:
    return "null" if v is None else f'"{iso_date(v)}"'


def _j_bool(v: bool) -> str:
    return "true" if v else "false"


def _j_int(v: int) -> str:
    return int.__repr__(v)


def _j_enum(v: enum.Enum) -> str:
    return _esc(v._value_)


def _j_actor(a: Actor) -> str:
    return f'{{"id":{_esc(a.id)},"name":{_esc(a.name)},"organisation":{_esc(a.organisation)}}}'


def _j_strs(v: tuple[str, ...]) -> str:
    return "[" + ",".join(map(_esc, v)) + "]"


def _j_generic(enc: Callable[[Any], Any]) -> Callable[[Any], str]:
    return lambda v: _dumps(enc(v))


def _writer_for(cls: type, f: attrs.Attribute[Any], enc: Callable[[Any], Any]) -> Callable[[Any], str]:
    """The JSON text writer of one payload field: a direct one for plain types, else the encoder."""
    t = str(f.type)
    writers: dict[str, Callable[[Any], str]] = {
        "str": _j_str,
        "str | None": _j_opt_str,
        "_dt.date": _j_date,
        "_dt.date | None": _j_opt_date,
        "bool": _j_bool,
        "int": _j_int,
        "Actor": _j_actor,
        "tuple[str, ...]": _j_strs,
        "Source": _j_enum,
        "Level": _j_enum,
        "ListingLevel": _j_enum,
        "ReportRecipient": _j_enum,
    }
    direct = writers.get(t)
    return direct if direct is not None else _j_generic(enc)


def _payload_writers() -> dict[type, tuple[tuple[str, Callable[[Any], str]], ...]]:
    out = {}
    for cls, codecs in _PAYLOAD_CODECS.items():
        fields = {f.name: f for f in attrs.fields(cls)}
        out[cls] = tuple(
            (f'"{name}":', _writer_for(cls, fields[name], enc)) for name, enc, _ in sorted(codecs, key=lambda c: c[0])
        )
    return out


_PAYLOAD_WRITERS = _payload_writers()  # immutable after import

# the writers of the plain field types, inlined into the generated payload writers below
_INLINE = {
    _j_str: "_esc(p.{0})",
    _j_opt_str: '("null" if p.{0} is None else _esc(p.{0}))',
    _j_date: '\'"\' + iso_date(p.{0}) + \'"\'',
    _j_opt_date: '("null" if p.{0} is None else \'"\' + iso_date(p.{0}) + \'"\')',
    _j_bool: '("true" if p.{0} else "false")',
    _j_enum: "_esc(p.{0}._value_)",  # not the (slow, in 3.11) .value descriptor
}


def _takes_float(w: Callable[[Any], str]) -> bool:
    try:
        return w(1.5) == "1.5" and w(float("inf")) != "Infinity"
    except Exception:  # noqa: BLE001 - not a float field
        return False


def _compiled_payload_writers() -> dict[type, Callable[[Any], str]]:
    """One generated function per payload class writing its JSON object in one expression.

    Equal to joining :data:`_PAYLOAD_WRITERS` (the property test of ``event_body`` holds it),
    without a loop, a slice and a call per field.
    """
    out: dict[type, Callable[[Any], str]] = {}
    for cls, writers in _PAYLOAD_WRITERS.items():
        namespace: dict[str, Any] = {"_esc": _esc, "iso_date": iso_date}
        parts = []
        for i, (key, w) in enumerate(writers):
            name = key[1:-2]
            template = _INLINE.get(w)
            if template is None:
                namespace[f"_w{i}"] = w
                expr = f"_w{i}(p.{name})"
                # the common trivial values (None, an empty tuple, a finite float) skip the encoder
                for trivial, test in ((None, "p.{0} is None"), ((), "p.{0} == ()")):
                    try:
                        text = w(trivial)
                    except Exception:  # noqa: BLE001 - the field does not take that value
                        continue
                    expr = f"({text!r} if {test.format(name)} else {expr})"
                if _takes_float(w):
                    expr = f"(_frepr(p.{name}) if type(p.{name}) is float and _finite(p.{name}) else {expr})"
                    namespace.update(_frepr=float.__repr__, _finite=math.isfinite)
            else:
                expr = template.format(name)
            parts.append(((',' if i else '') + key, expr))
        # one %-format of the whole object: a chain of ``+`` would build a new string per field
        form = "{" + "".join(key.replace("%", "%%") + "%s" for key, _ in parts) + "}"
        values = "".join(f"{expr}, " for _, expr in parts)
        exec(f"def write(p):\n    return {form!r} % ({values})\n", namespace)  # noqa: S102 - our own field names
        out[cls] = namespace["write"]
    return out


_PAYLOAD_WRITE = _compiled_payload_writers()  # immutable after import
# by value: hashing the enum member itself is a Python-level call (Enum.__hash__)
_KIND_JSON = {k.value: _esc(k.value) for k in EventKind}  # immutable after import


def _j_evidence(e: Evidence) -> str:
    return (
        f'{{"caption":{_esc(e.caption)},"phase":{_esc(e.phase.value)},'
        f'"sha256":{_esc(e.sha256)},"uri":{_esc(e.uri)}}}'
    )


_ACTOR_TEXTS: dict[int, tuple[Actor, str, str]] = {}


def actor_texts(a: Actor) -> tuple[str, str]:
    """The JSON object and ``str()`` of an actor, remembered by identity: the events and states of a
    batch share a few actor objects, and writing either costs a Python call per field.

    An entry holds the actor itself, so that its id cannot be reused while the entry lives.
    """
    hit = _ACTOR_TEXTS.get(id(a))
    if hit is not None and hit[0] is a:
        return hit[1], hit[2]
    texts = _j_actor(a), str(a)
    if len(_ACTOR_TEXTS) >= 4096:
        _ACTOR_TEXTS.clear()
    _ACTOR_TEXTS[id(a)] = (a, *texts)
    return texts


def event_body(
    event: Event, *, recorded_at: str | None = None, occurred_on: str | None = None, actor: str | None = None
) -> str:
    """``canonical(event_to_dict(event))``, written directly (the hot path of appending).

    A property test holds the two equal for every payload type. ``recorded_at``,
    ``occurred_on`` and ``actor``, if given, are the event's texts of those already computed
    (ISO dates, the actor's JSON from :func:`actor_texts`): the store reuses them for its columns.
    """
    payload = _PAYLOAD_WRITE[type(event.payload)](event.payload)
    o = event.origin
    origin = (
        "null"
        if o is None
        else f'{{"file":{_esc(o.file)},"inferred":{_j_strs(o.inferred)},'
        f'"row":{"null" if o.row is None else int.__repr__(o.row)},"sheet":{_esc(o.sheet)}}}'
    )
    evidence = "[" + ",".join(map(_j_evidence, event.evidence)) + "]" if event.evidence else "[]"
    return (
        f'{{"actor":{actor or actor_texts(event.actor)[0]},"comment":{_esc(event.comment)},"evidence":{evidence},'
        f'"format":{FORMAT},"hazard_id":{_esc(event.hazard_id)},"kind":{_KIND_JSON[event.kind._value_]},'
        f'"occurred_on":"{occurred_on or iso_date(event.occurred_on)}","origin":{origin},"payload":{payload},'
        f'"recorded_at":"{recorded_at or event.recorded_at.isoformat()}","seq":{int.__repr__(event.seq)}}}'
    )


# ---------------------------------------------------------------------------------------------
# units
# ---------------------------------------------------------------------------------------------


def unit_to_dict(unit: Unit) -> dict[str, Any]:
    """A unit (生产经营单位) as a JSON-able dict."""
    return {
        "code": unit.code,
        "name": unit.name,
        "town": unit.town,
        "domains": list(unit.domains),
        "attributes": _pairs_out(unit.attributes),
    }


def unit_from_dict(data: Mapping[str, Any]) -> Unit:
    """The unit a dict of :func:`unit_to_dict` describes."""
    return Unit(
        code=data["code"],
        name=data["name"],
        town=data["town"],
        domains=tuple(data.get("domains", ())),
        attributes=_pairs_in(data.get("attributes", ())),
    )


# ---------------------------------------------------------------------------------------------
# hazard states (the projection)
# ---------------------------------------------------------------------------------------------

_ENUMS: dict[str, type[enum.Enum]] = {
    "stage": Stage,
    "source": Source,
    "level": Level,
    "listing_level": ListingLevel,
}
_ACTORS = ("found_by", "responsible_person", "inspector", "closed_by")
_STATE_FIELDS = tuple(f.name for f in attrs.fields(HazardState))
_N_STATE_FIELDS = len(_STATE_FIELDS)
_STATE_DATES = frozenset(
    f.name for f in attrs.fields(HazardState) if str(f.type) in ("_dt.date", "_dt.date | None")
)
_STATE_DEFAULTS = {
    f.name: f.default for f in attrs.fields(HazardState) if f.default is not attrs.NOTHING
}


def _state_encoder(name: str) -> Callable[[Any], Any] | None:
    """The encoder of one state field (None: the value is JSON as it is)."""
    if name in _ENUMS:
        return _enum_value
    if name in _STATE_DATES:
        return _iso
    if name in _ACTORS:
        return _actor_out
    encoders: dict[str, Callable[[Any], Any]] = {
        "measurements": _float_pairs_out,
        "extra": _pairs_out,
        "criteria": list,
        "evidence": lambda v: [_evidence_out(e) for e in v],
        "dual_reports": lambda v: [[r.value, d.isoformat()] for r, d in v],
        "escalations": lambda v: [[t, d.isoformat()] for t, d in v],
        "funds": _float_out,
    }
    return encoders.get(name)


_NO_DEFAULT = object()
_STATE_PLAN = tuple(
    (name, _STATE_DEFAULTS.get(name, _NO_DEFAULT), _state_encoder(name)) for name in _STATE_FIELDS
)
"""(field, default, encoder) of every state field, chosen once so that encoding does no type tests."""


def _state_to_dict_loop(state: HazardState) -> dict[str, Any]:
    """:func:`state_to_dict` as a loop over :data:`_STATE_PLAN` (the reference of the generated writer)."""
    out: dict[str, Any] = {}
    d = state.__dict__
    for name, default, enc in _STATE_PLAN:
        value = d[name]
        if value is None:
            if default is not None:
                out[name] = None
            continue
        if value is default or (value == default and type(value) is type(default)):
            continue
        out[name] = value if enc is None else enc(value)
    return out


def _state_writer(plan: tuple[tuple[str, Any, Any], ...] = _STATE_PLAN) -> Callable[[HazardState], dict[str, Any]]:
    """:func:`_state_to_dict_loop` unrolled, one block per field, compiled once (twice as fast:
    no loop, no tuple unpacking, and the checks a field's default makes pointless are left out)."""
    namespace: dict[str, Any] = {}
    lines = ["def state_to_dict(state):", "    d = state.__dict__", "    out = {}"]
    for i, (name, default, enc) in enumerate(plan):
        namespace[f"_d{i}"], namespace[f"_t{i}"], namespace[f"_e{i}"] = default, type(default), enc
        value = "v" if enc is None else f"_e{i}(v)"
        lines.append(f"    v = d[{name!r}]")
        if default is _NO_DEFAULT:
            lines.append(f"    out[{name!r}] = None if v is None else {value}")
            continue
        lines.append("    if v is None:")
        lines.append(f"        {'pass' if default is None else f'out[{name!r}] = None'}")
        lines.append(f"    elif not (v is _d{i} or (v == _d{i} and type(v) is _t{i})):")
        lines.append(f"        out[{name!r}] = {value}")
    lines.append("    return out")
    exec("\n".join(lines), namespace)  # noqa: S102 - source built above from the state's own fields
    return namespace["state_to_dict"]  # type: ignore[no-any-return]


_state_to_dict = _state_writer()

# the same dict with dates and enums left as they are: orjson writes them natively (ISO dates, enum
# values), exactly as the encoders would, and skipping a Python call per field halves the cost
_state_to_native_dict = _state_writer(
    tuple((name, default, None if enc in (_iso, _enum_value) else enc) for name, default, enc in _STATE_PLAN)
)
_stdlib_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode

try:
    import orjson as _orjson
except ImportError:  # pragma: no cover - orjson is a dependency; stay correct without it
    _orjson = None  # type: ignore[assignment]


def state_json_writer(omit: Collection[str] = ()) -> Callable[[HazardState], str]:
    """A writer of a state as compact JSON text (keys in field order), leaving out the fields
    ``omit`` names: the caller keeps those elsewhere (the store keeps them in its projection
    columns) and gives them back to :func:`state_from_dict` beside the text.

    The text is not canonical and never hashed, so its form may vary: for a state without free
    values or measurements (most of them) every field kept is written, defaults too, straight
    from the instance; otherwise it is ``state_to_dict(state)`` less ``omit``. orjson (C) writes it
    several times faster than the stdlib encoder; whatever orjson refuses (an int beyond 64 bits
    in a free value) goes through the stdlib encoder, whose text reads back the same.
    """
    dropped = tuple(n for n in _STATE_FIELDS if n in set(omit))

    def _less(d: dict[str, Any]) -> dict[str, Any]:
        for name in dropped:
            d.pop(name, None)
        return d

    def write(state: HazardState) -> str:
        if _orjson is not None:
            try:
                fields = state.__dict__
                if (
                    len(fields) == _N_STATE_FIELDS  # nothing but the fields
                    and not state.extra
                    and not state.measurements
                    and (state.funds is None or math.isfinite(state.funds))
                ):
                    # orjson would write a non-finite float as null, and free values need their tags
                    # a C copy less the dropped keys: cheaper than a dict built of the kept ones
                    kept = _less(fields.copy()) if dropped else fields
                    return _orjson.dumps(kept, default=_native_default).decode()
                return _orjson.dumps(_less(_state_to_native_dict(state))).decode()
            except TypeError:  # orjson.JSONEncodeError is a TypeError
                pass
        return _stdlib_json(_less(_state_to_dict(state)))

    return write


_whole_state_json = state_json_writer()


def state_json(state: HazardState) -> str:
    """A whole state as compact JSON text, which :func:`state_from_dict` reads back (see
    :func:`state_json_writer`, which leaves nothing out here)."""
    return _whole_state_json(state)


def _native_default(value: Any) -> Any:
    """What orjson cannot write by itself in a state: its actors and evidence."""
    if type(value) is Actor:
        return _actor_out(value)
    if type(value) is Evidence:
        return _evidence_out(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


def state_to_dict(state: HazardState) -> dict[str, Any]:
    """A hazard state as a JSON-able dict; fields at their default value are left out."""
    return _state_to_dict(state)


def state_from_dict(data: Mapping[str, Any]) -> HazardState:
    """The hazard state a dict of :func:`state_to_dict` describes."""
    values: dict[str, Any] = dict(_STATE_DEFAULTS)
    for name, value in data.items():
        if value is None:
            values[name] = None
        elif name in _ENUMS:
            values[name] = _ENUMS[name](value)
        elif name in _STATE_DATES:
            values[name] = _dt.date.fromisoformat(value)
        elif name in _ACTORS:
            values[name] = _actor_in(value)
        elif name == "measurements":
            values[name] = _float_pairs_in(value)
        elif name == "extra":
            values[name] = _pairs_in(value)
        elif name == "criteria":
            values[name] = tuple(value)
        elif name == "evidence":
            values[name] = tuple(_evidence_in(e) for e in value)
        elif name == "dual_reports":
            values[name] = tuple((ReportRecipient(r), _dt.date.fromisoformat(d)) for r, d in value)
        elif name == "escalations":
            values[name] = tuple((t, _dt.date.fromisoformat(d)) for t, d in value)
        elif name == "funds":
            values[name] = _float_in(value)
        elif name in values or name in _STATE_FIELDS:
            values[name] = value
        else:
            raise InvalidRecordError(f"unknown hazard state field {name!r}")
    missing = [n for n in _STATE_FIELDS if n not in values]
    if missing:
        raise InvalidRecordError(f"hazard state lacks {', '.join(missing)}")
    return HazardState(**values)


# ---------------------------------------------------------------------------------------------
# configuration
# ---------------------------------------------------------------------------------------------


def _rule_to_dict(rule: LimitRule) -> dict[str, Any]:
    return {
        "level": None if rule.level is None else rule.level.value,
        "listing": None if rule.listing is None else rule.listing.value,
        "days": rule.days,
        "cap_days": rule.cap_days,
        "count": rule.count.value,
    }


def limit_table_to_dict(table: LimitTable) -> dict[str, Any]:
    """A limit table (期限表) as a JSON-able dict."""
    return {
        "name": table.name,
        "effective_from": table.effective_from.isoformat(),
        "rules": [_rule_to_dict(r) for r in table.rules],
        "roll_over": table.roll_over,
    }


def limit_table_from_dict(data: Mapping[str, Any]) -> LimitTable:
    """The limit table a dict of :func:`limit_table_to_dict` describes."""
    return LimitTable(
        name=data["name"],
        effective_from=_dt.date.fromisoformat(data["effective_from"]),
        rules=tuple(
            LimitRule(r["level"], r["listing"], r["days"], r["cap_days"], DayCount(r["count"]))
            for r in data["rules"]
        ),
        roll_over=bool(data.get("roll_over", True)),
    )


def tier_to_dict(tier: EscalationTier) -> dict[str, Any]:
    """An escalation tier (升级提醒) as a JSON-able dict."""
    return {"name": tier.name, "offset_days": tier.offset_days}


def tier_from_dict(data: Mapping[str, Any]) -> EscalationTier:
    """The escalation tier a dict of :func:`tier_to_dict` describes."""
    return EscalationTier(data["name"], int(data["offset_days"]))


def deadline_config_to_dict(config: DeadlineConfig) -> dict[str, Any]:
    """A whole deadline configuration as a JSON-able dict."""
    return {
        "tables": [limit_table_to_dict(t) for t in config.tables],
        "due_soon_days": config.due_soon_days,
        "tiers": [tier_to_dict(t) for t in config.tiers],
    }


def deadline_config_from_dict(data: Mapping[str, Any]) -> DeadlineConfig:
    """The deadline configuration a dict of :func:`deadline_config_to_dict` describes."""
    return DeadlineConfig(
        tables=tuple(limit_table_from_dict(t) for t in data["tables"]),
        due_soon_days=int(data["due_soon_days"]),
        tiers=tuple(tier_from_dict(t) for t in data["tiers"]),
    )
