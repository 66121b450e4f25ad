"""The reminder digest (提醒摘要) for a date: what each responsible unit and each supervising
department must hear about — hazards due soon (临期), due today (今日到期), overdue (超期), and
those that entered a new escalation tier (升级提醒, the register's ESCALATE events).

:func:`reminder_digest` builds it from the register as of the date; :func:`digest_dict` /
:func:`digest_json` give the structure a host system sends by its own channels (SMS, a
government messaging app…), :func:`write_digest` a workbook. Escalations are read from the
events, so a host calls :meth:`Register.escalations` for the day first; the digest lists the
tiers entered from ``since`` to the date (default: that day only).
"""

from __future__ import annotations

import datetime as _dt
import enum
import json
from pathlib import Path
from typing import Any

import attrs
import pandas as pd

from hazardloop.deadlines import Status
from hazardloop.records import EventKind
from hazardloop.register import Register
from hazardloop.reports._common import ReportError, as_date, histories
from hazardloop.reports._excel import cell_value, formats, write_frame

__all__ = [
    "DigestCategory",
    "Digest",
    "DIGEST_COLUMNS",
    "reminder_digest",
    "digest_dict",
    "digest_json",
    "write_digest",
]


class DigestCategory(str, enum.Enum):
    """Why a hazard is in the digest."""

    DUE_SOON = "临期"
    DUE_TODAY = "今日到期"
    OVERDUE = "超期"
    ESCALATED = "升级提醒"

    @property
    def key(self) -> str:
        """The JSON key: ``due_soon``, ``due_today``, ``overdue``, ``escalated``."""
        return self.name.lower()


DIGEST_COLUMNS = {
    "category": "提醒类别",
    "hazard_id": "隐患编号",
    "responsible_unit": "责任单位",
    "responsible_unit_name": "责任单位名称",
    "supervising_department": "监管部门",
    "unit_code": "单位代码",
    "town": "乡镇(街道)",
    "domain": "行业领域",
    "level": "隐患等级",
    "description": "隐患描述",
    "deadline": "整改期限",
    "days_left": "剩余天数",
    "days_overdue": "超期天数",
    "tier": "升级档位",
    "tier_entered_on": "进入档位日期",
}
"""The digest's columns and their Chinese titles."""

_STATUS_CATEGORY = {
    Status.DUE_SOON.value: DigestCategory.DUE_SOON,
    Status.DUE_TODAY.value: DigestCategory.DUE_TODAY,
    Status.OVERDUE.value: DigestCategory.OVERDUE,
}


@attrs.frozen(eq=False)
class Digest:
    """The digest of one date: one row per (hazard, category) in ``items`` (:data:`DIGEST_COLUMNS`)."""

    on: _dt.date
    since: _dt.date
    due_soon_days: int
    items: pd.DataFrame


def reminder_digest(register: Register, on: str | _dt.date, *, since: str | _dt.date | None = None) -> Digest:
    """The digest for ``on``: statuses as of that date, escalation tiers entered ``since``…``on``."""
    day = as_date(on)
    start = as_date(since) if since is not None else day
    if start > day:
        raise ReportError(f"the digest window {start}…{day} runs backwards")
    units = {u.code: u.name for u in register.units()}
    frame = register.frame(day)
    rows: list[dict[str, Any]] = []
    base_cols = ["hazard_id", "responsible_unit", "supervising_department", "unit_code", "town", "domain",
                 "level", "description"]
    for rec in frame[frame["status"].astype(str).isin(list(_STATUS_CATEGORY))].to_dict("records"):
        rows.append(
            {
                "category": _STATUS_CATEGORY[str(rec["status"])].value,
                **{c: rec[c] for c in base_cols},
                "deadline": rec["effective_deadline"],
                "days_left": rec["days_left"],
                "days_overdue": rec["days_overdue"],
                "tier": None,
                "tier_entered_on": None,
            }
        )
    by_id = frame.set_index("hazard_id")
    for hid, events in histories(register, until=day):
        for ev in events:
            if ev.occurred_on > day:
                break
            if ev.kind is not EventKind.ESCALATE:
                continue
            if not start <= ev.payload.entered_on <= day:  # type: ignore[union-attr]
                continue
            rec = by_id.loc[hid]
            rows.append(
                {
                    "category": DigestCategory.ESCALATED.value,
                    "hazard_id": hid,
                    **{c: rec[c] for c in base_cols[1:]},
                    "deadline": pd.Timestamp(ev.payload.deadline),  # type: ignore[union-attr]
                    "days_left": rec["days_left"],
                    "days_overdue": rec["days_overdue"],
                    "tier": ev.payload.tier,  # type: ignore[union-attr]
                    "tier_entered_on": pd.Timestamp(ev.payload.entered_on),  # type: ignore[union-attr]
                }
            )
    items = pd.DataFrame(rows, columns=[c for c in DIGEST_COLUMNS if c != "responsible_unit_name"])
    items.insert(3, "responsible_unit_name", items["responsible_unit"].map(lambda c: units.get(c, "")))
    order = {c.value: i for i, c in enumerate(DigestCategory)}
    items = items.sort_values(
        ["responsible_unit", "category", "hazard_id"], key=lambda s: s.map(order) if s.name == "category" else s
    ).reset_index(drop=True)
    return Digest(day, start, register.config.due_soon_days, items)


def _item(rec: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ("hazard_id", "unit_code", "town", "domain", "level", "description", "deadline", "days_left",
                "days_overdue", "tier", "tier_entered_on", "responsible_unit", "supervising_department"):
        value = cell_value(rec.get(key))
        if isinstance(value, _dt.date):
            value = value.isoformat()
        if value is not None:
            out[key] = value
    return out


def _grouped(items: pd.DataFrame, key: str, label: str, names: dict[str, str] | None) -> list[dict[str, Any]]:
    groups = []
    for value, part in items.groupby(key, sort=True):
        entry: dict[str, Any] = {label: value}
        if names is not None:
            entry["name"] = names.get(str(value), "")
        entry["counts"] = {c.key: int((part["category"] == c.value).sum()) for c in DigestCategory}
        for c in DigestCategory:
            entry[c.key] = [_item(r) for r in part[part["category"] == c.value].to_dict("records")]
        groups.append(entry)
    return groups


def digest_dict(digest: Digest) -> dict[str, Any]:
    """The digest as plain JSON-ready data, grouped by responsible unit and by department.

    ``{"date", "since", "due_soon_days", "totals": {category: n}, "labels": {category: 中文},
    "by_responsible_unit": [{"unit", "name", "counts", "due_soon": [...], "due_today": [...],
    "overdue": [...], "escalated": [...]}], "by_supervising_department": [{"department", …}]}``.
    Each hazard item carries its id, unit, town, domain, level, description, deadline (ISO date),
    days left or overdue, and for an escalation the tier and the day it was entered.
    """
    items = digest.items
    names = dict(zip(items["responsible_unit"], items["responsible_unit_name"]))
    return {
        "date": digest.on.isoformat(),
        "since": digest.since.isoformat(),
        "due_soon_days": digest.due_soon_days,
        "totals": {c.key: int((items["category"] == c.value).sum()) for c in DigestCategory},
        "labels": {c.key: c.value for c in DigestCategory},
        "by_responsible_unit": _grouped(items, "responsible_unit", "unit", names),
        "by_supervising_department": _grouped(items, "supervising_department", "department", None),
    }


def digest_json(digest: Digest, *, indent: int | None = 2) -> str:
    """The digest as a JSON string (UTF-8 text, Chinese kept readable)."""
    return json.dumps(digest_dict(digest), ensure_ascii=False, indent=indent)


def write_digest(digest: Digest, path: str | Path) -> Path:
    """Write the digest as a workbook: 按责任单位 and 按监管部门 sheets (one row per item)."""
    import xlsxwriter

    out = Path(path)
    wb = xlsxwriter.Workbook(str(out))
    try:
        fmt = formats(wb)
        ws = wb.add_worksheet("概况")
        ws.write(0, 0, f"{digest.on.isoformat()} 隐患整改提醒", fmt.title)
        for i, c in enumerate(DigestCategory, start=2):
            ws.write(i, 0, c.value, fmt.header)
            ws.write_number(i, 1, int((digest.items["category"] == c.value).sum()))
        for title, key in (("按责任单位", "responsible_unit"), ("按监管部门", "supervising_department")):
            ws = wb.add_worksheet(title)
            cols = [key, *[c for c in DIGEST_COLUMNS if c != key]]
            write_frame(ws, digest.items[cols].sort_values([key, "hazard_id"], kind="stable"), fmt,
                        headers=DIGEST_COLUMNS)
            ws.freeze_panes(1, 1)
    finally:
        wb.close()
    return out
