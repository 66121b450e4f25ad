"""两本账: the enterprise's self-check ledger against the government's inspections of its units.

The enterprise's ledger is every hazard of source 企业自查; the government's is every hazard
of another source (属地排查, 县级核查, 执法检查, 举报, 其他). Withdrawn (false reports) and voided
(mistaken entries) hazards are left out of both.

*Same hazard* (:class:`MatchConfig`): a government finding is recorded in the enterprise's
ledger when a self-check hazard of **the same unit and the same domain**, found no later than
the government finding plus ``window_days`` (None: at any time up to the report date — the
plain reading of "never recorded"), matches it by the first rule that applies:

1. ``code``: both carry a hazard code (the catalog or checklist item) and the codes are equal;
2. ``criteria``: both name criteria (判定依据) and they share one;
3. ``text``: the descriptions, stripped of spaces and punctuation, have a Sørensen–Dice
   similarity of their character bigrams of at least ``text_threshold`` (default 0.5) —
   bigrams suit Chinese text, which has no spaces to split words on, and Dice forgives the
   rewording two inspectors give one defect more than Jaccard does
   (消防通道被杂物堵塞 / 消防通道堵塞，杂物未清理: 0.56).

Several government findings may match the same self-check hazard (a sweep and a county check
of one defect are one defect the enterprise recorded once).
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata

import attrs
import pandas as pd
from attrs import field, frozen, validators as v

from hazardloop.lifecycle import HazardState
from hazardloop.records import Source, Stage
from hazardloop.register import Register
from hazardloop.reports._common import as_date

__all__ = ["MatchConfig", "LedgerComparison", "compare_ledgers", "description_similarity"]


@frozen
class MatchConfig:
    """How a government finding is matched to the enterprise's own ledger (module docstring)."""

    text_threshold: float = field(default=0.5, validator=[v.instance_of(float), v.ge(0.0), v.le(1.0)])
    window_days: int | None = field(default=None, validator=v.optional([v.instance_of(int), v.ge(0)]))
    use_codes: bool = True
    use_criteria: bool = True


_DROP = re.compile(r"[\s\W_]+", re.UNICODE)


def _bigrams(text: str) -> frozenset[str]:
    norm = _DROP.sub("", unicodedata.normalize("NFKC", text).lower())
    if len(norm) < 2:
        return frozenset({norm}) if norm else frozenset()
    return frozenset(norm[i : i + 2] for i in range(len(norm) - 1))


def description_similarity(a: str, b: str) -> float:
    """The Sørensen–Dice similarity of two descriptions' character bigrams (0 to 1)."""
    x, y = _bigrams(a), _bigrams(b)
    if not x or not y:
        return 0.0
    return 2 * len(x & y) / (len(x) + len(y))


def _match_rule(gov: HazardState, own: HazardState, config: MatchConfig) -> str | None:
    if config.use_codes and gov.hazard_code and own.hazard_code:
        if gov.hazard_code == own.hazard_code:
            return "code"
    if config.use_criteria and gov.criteria and own.criteria and set(gov.criteria) & set(own.criteria):
        return "criteria"
    if description_similarity(gov.description, own.description) >= config.text_threshold:
        return "text"
    return None


@attrs.frozen(eq=False)
class LedgerComparison:
    """The comparison: every government finding with its match, and the counts per unit and town.

    ``findings``: one row per government finding (``matched_id`` and ``rule`` empty when the
    enterprise never recorded it). ``missed``: the unmatched ones. ``by_unit`` / ``by_town``:
    ``government_found``, ``self_found``, ``recorded``, ``missed`` and ``missed_rate``.
    """

    as_of: _dt.date
    findings: pd.DataFrame
    missed: pd.DataFrame
    by_unit: pd.DataFrame
    by_town: pd.DataFrame


def _counts(frame: pd.DataFrame, own: pd.DataFrame, key: str, keys: list[str]) -> pd.DataFrame:
    gov = frame.groupby(key).agg(government_found=("hazard_id", "size"), recorded=("recorded", "sum"))
    mine = own.groupby(key).size().rename("self_found")
    out = pd.concat([gov, mine], axis=1).reindex(sorted(set(keys) | set(gov.index) | set(mine.index)))
    out = out.fillna(0).astype("int64")
    out["missed"] = out["government_found"] - out["recorded"]
    out["missed_rate"] = (out["missed"] / out["government_found"].where(out["government_found"] > 0)).astype(float)
    return out[["government_found", "self_found", "recorded", "missed", "missed_rate"]].reset_index(names=key)


def compare_ledgers(
    register: Register,
    *,
    since: str | _dt.date | None = None,
    as_of: str | _dt.date | None = None,
    config: MatchConfig = MatchConfig(),
) -> LedgerComparison:
    """两本账: government findings (found from ``since`` to ``as_of``) that the unit's own
    self-check ledger recorded or never recorded, per unit and town.

    ``as_of`` defaults to the register's latest event; the enterprise's ledger is read as of
    that date, whenever its entries were found (subject to ``config.window_days``).
    """
    states = list(register)
    latest = max((s.last_event_on for s in states), default=register.clock.today())
    day = as_date(as_of) if as_of is not None else latest
    start = as_date(since) if since is not None else None
    live = [
        s for s in register.states_as_of(day) if s.stage not in (Stage.WITHDRAWN, Stage.VOIDED)
    ]
    own_by_key: dict[tuple[str, str], list[HazardState]] = {}
    own = [s for s in live if s.source is Source.SELF_CHECK]
    for s in own:
        own_by_key.setdefault((s.unit_code, s.domain), []).append(s)
    units = {u.code: u for u in register.units()}
    rows = []
    for g in live:
        if g.source is Source.SELF_CHECK or (start is not None and g.found_on < start):
            continue
        matched, rule = None, None
        for s in sorted(own_by_key.get((g.unit_code, g.domain), ()), key=lambda x: (x.found_on, x.hazard_id)):
            if config.window_days is not None and (s.found_on - g.found_on).days > config.window_days:
                continue
            rule = _match_rule(g, s, config)
            if rule is not None:
                matched = s.hazard_id
                break
        rows.append(
            {
                "hazard_id": g.hazard_id,
                "unit_code": g.unit_code,
                "unit_name": units[g.unit_code].name if g.unit_code in units else "",
                "town": g.town,
                "domain": g.domain,
                "source": g.source.value,
                "level": g.level.value,
                "found_on": pd.Timestamp(g.found_on),
                "description": g.description,
                "hazard_code": g.hazard_code,
                "recorded": matched is not None,
                "matched_id": matched,
                "rule": rule if matched is not None else None,
            }
        )
    columns = ["hazard_id", "unit_code", "unit_name", "town", "domain", "source", "level", "found_on",
               "description", "hazard_code", "recorded", "matched_id", "rule"]
    findings = pd.DataFrame(rows, columns=columns)
    findings["recorded"] = findings["recorded"].astype(bool)
    own_frame = pd.DataFrame(
        {"unit_code": [s.unit_code for s in own], "town": [s.town for s in own]}, columns=["unit_code", "town"]
    )
    by_unit = _counts(findings, own_frame, "unit_code", list(units))
    town_of = {u.code: u.town for u in units.values()}
    town_of.update({s.unit_code: s.town for s in live})
    by_unit.insert(1, "town", by_unit["unit_code"].map(town_of))
    by_town = _counts(findings, own_frame, "town", [u.town for u in units.values()])
    missed = findings[~findings["recorded"]].drop(columns=["recorded", "matched_id", "rule"]).reset_index(drop=True)
    return LedgerComparison(day, findings, missed, by_unit, by_town)
