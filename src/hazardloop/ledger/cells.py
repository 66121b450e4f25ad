"""Cell normalisers: dates, deadlines, numbers, text, levels and status words.

Each normaliser returns a value or raises :class:`CellError` with a reason a user can act on;
the importer turns that into a rejected row naming the column and the value. Vocabularies
(levels, statuses) are explicit tables; a word not in them is rejected, never guessed. They
are extensible per import: :meth:`Vocabulary.extended`, :func:`load_level_map`, :func:`load_status_map`.
"""

from __future__ import annotations

import datetime as _dt
import enum
import json
import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
from attrs import field, frozen

from hazardloop.errors import HazardloopError
from hazardloop.records import Level

__all__ = [
    "CellError",
    "Claim",
    "Vocabulary",
    "LEVEL_WORDS",
    "STATUS_WORDS",
    "RESULT_WORDS",
    "DEFAULT_LEVELS",
    "DEFAULT_STATUSES",
    "clean_text",
    "is_blank",
    "parse_date",
    "parse_deadline",
    "deadline_days",
    "parse_number",
    "load_level_map",
    "load_status_map",
    "level_value",
    "excel_serial_to_date",
]


class CellError(HazardloopError, ValueError):
    """A cell's value cannot be read as what its column holds."""


class Claim(str, enum.Enum):
    """What a status word says about a hazard's progress (its stage, or a failed inspection)."""

    DISCOVERED = "发现"
    ASSIGNED = "交办"
    RECTIFYING = "整改"
    SUBMITTED = "督查"
    PASSED = "验收通过"
    FAILED = "验收不通过"
    CLOSED = "销号"
    WITHDRAWN = "撤销"
    VOIDED = "作废"
    REOPENED = "回头看"

    @property
    def rank(self) -> int:
        """How far along the loop the claim stands (a failure ranks with rectifying)."""
        return _CLAIM_RANK[self]


_CLAIM_RANK = {
    Claim.DISCOVERED: 0,
    Claim.WITHDRAWN: 0,
    Claim.ASSIGNED: 1,
    Claim.RECTIFYING: 2,
    Claim.FAILED: 2,
    Claim.REOPENED: 2,
    Claim.SUBMITTED: 3,
    Claim.PASSED: 4,
    Claim.CLOSED: 5,
    Claim.VOIDED: 0,
}

# ---------------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------------

_WS = re.compile(r"[ \t\u3000\xa0]+")
_WS_SLOW = re.compile(r"[\t\n\r\u3000\xa0]| {2}")
_NL = re.compile(r"\s*\n\s*")
_FULL_WIDTH = re.compile("[\uff01-\uff5e]")
_HALF_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}


def is_blank(value: Any) -> bool:
    """True for None, empty or whitespace-only text (an Excel blank)."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float) and value != value:  # NaN
        return True
    return False


def clean_text(value: Any, *, fold: bool = False) -> str:
    """Text with stray whitespace collapsed (full-width spaces included) and ends trimmed.

    Numbers that are whole print without ``.0`` (a code typed as a number stays ``1024``).
    With ``fold`` full-width letters, digits and punctuation become half-width (for codes,
    dates, numbers and vocabulary words); prose is kept as typed, and identities compare it
    after the same folding.
    """
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:
            return ""
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, (_dt.datetime, _dt.date)):
        return value.isoformat()[:10] if not isinstance(value, _dt.datetime) or not value.time() else value.isoformat()
    s = value if value.__class__ is str else str(value)
    if fold and _FULL_WIDTH.search(s):
        # full-width ASCII (２０２１, ＡＢＣ, （）) to half-width, leaving CJK punctuation alone
        # (it never yields whitespace: U+FF01…U+FF5E become ! … ~)
        s = s.translate(_HALF_WIDTH)
    if not _WS_SLOW.search(s):
        return s.strip()  # the common case: nothing to collapse (the subs below would keep it)
    s = _NL.sub("\n", s)
    s = _WS.sub(" ", s)
    return s.strip()


def _key(value: Any) -> str:
    """A vocabulary key: NFKC, no whitespace, no trailing punctuation."""
    return _KEY_FOLD.sub("", unicodedata.normalize("NFKC", str(value)))


_KEY_FOLD = re.compile(r"[\s。.;；,，]+")


# ---------------------------------------------------------------------------------------------
# Dates and numbers
# ---------------------------------------------------------------------------------------------

_EXCEL_EPOCH = _dt.date(1899, 12, 30)
_DATE_TEXT = re.compile(
    r"^(\d{4})\s*(?:年|[-/.])\s*(\d{1,2})\s*(?:月|[-/.])\s*(\d{1,2})\s*日?"
    r"(?:[ T]\d{1,2}[:：]\d{2}(?:[:：]\d{2}(?:\.\d+)?)?)?$"
)
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SERIAL_MIN, _SERIAL_MAX = 3653, 109574  # 1910-01-01 … 2199-12-31 as Excel serials


def excel_serial_to_date(serial: float) -> _dt.date:
    """An Excel (1900 system) serial day number as a date."""
    return _EXCEL_EPOCH + _dt.timedelta(days=int(serial))


def _ymd(y: int, m: int, d: int, raw: Any) -> _dt.date:
    try:
        return _dt.date(y, m, d)
    except ValueError as exc:
        raise CellError(f"不是有效日期: {raw!r}") from exc


def parse_date(value: Any) -> _dt.date | None:
    """A cell as a date, or None when blank.

    Accepts Excel dates, Excel serial numbers, ``20210422`` as a number or text, and text in
    the forms ``2021年4月22日``, ``2021.4.22``, ``2021/04/22``, ``2021-4-22`` (full-width digits
    too, a time of day ignored). Raises CellError otherwise.
    """
    if is_blank(value):
        return None
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, bool):
        raise CellError(f"不是日期: {value!r}")
    if isinstance(value, (int, float)):
        if float(value).is_integer():
            n = int(value)
            if 19000101 <= n <= 21991231:
                return _ymd(n // 10000, n // 100 % 100, n % 100, value)
            if _SERIAL_MIN <= n <= _SERIAL_MAX:
                return excel_serial_to_date(n)
        elif _SERIAL_MIN <= value <= _SERIAL_MAX:
            return excel_serial_to_date(value)  # a date-time serial
        raise CellError(f"不是日期: {value!r}")
    text = clean_text(value, fold=True)
    m = _DATE_TEXT.match(text)
    if m:
        return _ymd(int(m[1]), int(m[2]), int(m[3]), value)
    m = _DATE_COMPACT.match(text)
    if m:
        return _ymd(int(m[1]), int(m[2]), int(m[3]), value)
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return parse_date(float(text))
    raise CellError(f"不是日期: {value!r}")


_DAYS = re.compile(r"^(\d{1,4})\s*(?:个)?(?:天|日|自然日)?(?:内)?$")


def deadline_days(value: Any) -> int | None:
    """The number of days a (non-blank) deadline cell gives, or None when it is not a number of
    days (then it is a date): a whole number ≤ 3650, ``30天``, ``30日内``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        if 0 <= int(value) <= 3650:
            return int(value)
    elif isinstance(value, str):
        m = _DAYS.match(clean_text(value, fold=True))
        if m:
            return int(m[1])
    return None


def parse_deadline(value: Any, start: _dt.date | None) -> tuple[_dt.date | None, bool]:
    """A deadline cell: a date, or a number of days counted from ``start`` (the date found).

    Returns (deadline, from_days). A small whole number (≤ 3650) or ``30天`` / ``30日内`` is a
    number of days; STANDARDS.md §8.2: "时限 may hold a number of days (deadline = 排查日期 + N)".
    """
    if is_blank(value):
        return None, False
    days = deadline_days(value)
    if days is not None:
        if start is None:
            raise CellError(f"期限写作天数 ({value!r}) 但没有排查日期可起算")
        return start + _dt.timedelta(days=days), True
    return parse_date(value), False


def parse_number(value: Any) -> float | None:
    """A number (funds, counts), or None when blank; ``1,200``, ``3.5万元`` and ``２`` accepted."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError(f"不是数字: {value!r}")
    if isinstance(value, (int, float)):
        return float(value)
    text = clean_text(value, fold=True).replace(",", "")
    m = re.fullmatch(r"(-?\d+(?:\.\d+)?)\s*(万元|元|万)?", text)
    if not m:
        raise CellError(f"不是数字: {value!r}")
    return float(m[1])


# ---------------------------------------------------------------------------------------------
# Vocabularies
# ---------------------------------------------------------------------------------------------


_NOT_A_WORD = object()


@frozen
class Vocabulary:
    """Words → values, matched after NFKC and whitespace/punctuation folding.

    ``default`` answers a blank cell (e.g. a ledger whose note says every row is a general
    hazard); an unknown word is always an error.
    """

    name: str
    words: Mapping[str, Any] = field(converter=lambda m: {_key(k): v for k, v in dict(m).items()})
    default: Any = None
    def _lookup(self, value: Any) -> Any:
        return self.words.get(_key(clean_text(value)), _NOT_A_WORD)

    def get(self, value: Any) -> Any:
        """The value of a word; the default for a blank; CellError for an unknown word."""
        if is_blank(value):
            if self.default is not None:
                return self.default
            raise CellError(f"{self.name}为空")
        hit = self._lookup(value)
        if hit is _NOT_A_WORD:
            raise CellError(f"未知的{self.name}: {clean_text(value)!r}")
        return hit

    def knows(self, value: Any) -> bool:
        """True when the word is in the vocabulary (a blank is not)."""
        return not is_blank(value) and self._lookup(value) is not _NOT_A_WORD

    def extended(self, words: Mapping[str, Any], default: Any = None) -> Vocabulary:
        """A vocabulary with more words (they override) and, if given, a new default."""
        merged = dict(self.words)
        merged.update({_key(k): v for k, v in words.items()})
        return attrs.evolve(self, words=merged, default=default if default is not None else self.default)


_G, _M = Level.GENERAL, Level.MAJOR
LEVEL_WORDS: Mapping[str, Level] = {
    # national (16号令): 一般事故隐患 / 重大事故隐患
    "一般": _G, "一般隐患": _G, "一般事故隐患": _G, "一般安全隐患": _G,
    "重大": _M, "重大隐患": _M, "重大事故隐患": _M, "重大安全隐患": _M,
    # coal (S52): 一般隐患A/B/C are grades of a general hazard
    "一般A": _G, "一般B": _G, "一般C": _G, "一般隐患A": _G, "一般隐患B": _G, "一般隐患C": _G,
    "A级": _G, "B级": _G, "C级": _G,
    # 中石化 S42 and dashboards: 较大 sits below 重大, so it is not a 重大事故隐患
    "较大": _G, "较大隐患": _G,
    # a form spec (code 7/6/5): 重点隐患 is still a general hazard under 16号令
    "重点隐患": _G, "轻微": _G, "轻微隐患": _G, "低": _G,
}
"""Level words of STANDARDS.md §8.3 and what they mean. Numbers (1–6, "3级") are not here:
their meaning differs by ledger, so they need a level map (``--level-map``)."""

DEFAULT_LEVELS = Vocabulary("隐患等级", LEVEL_WORDS)

_C = Claim
STATUS_WORDS: Mapping[str, Claim] = {
    # the stage names themselves (what the exporter writes)
    "发现": _C.DISCOVERED, "交办": _C.ASSIGNED, "整改": _C.RECTIFYING, "督查": _C.SUBMITTED,
    "销号": _C.CLOSED, "撤销": _C.WITHDRAWN, "作废": _C.VOIDED, "回头看": _C.REOPENED,
    # GitHub file #17274591268
    "待审核": _C.DISCOVERED, "审核未通过": _C.FAILED, "待整改": _C.ASSIGNED, "整改未完成": _C.RECTIFYING,
    "整改完成": _C.CLOSED,
    # Buxianz/security HidDangerDTO
    "上报未整改": _C.ASSIGNED, "责令未整改": _C.ASSIGNED, "已通知待整改": _C.ASSIGNED,
    "已整改待审核": _C.SUBMITTED, "审核通过": _C.PASSED, "审核不通过": _C.FAILED,
    # common words
    "已整改": _C.CLOSED, "整改中": _C.RECTIFYING, "已验收": _C.PASSED, "已关闭": _C.CLOSED,
    "未整改": _C.ASSIGNED, "正在整改": _C.RECTIFYING, "待验收": _C.SUBMITTED, "验收中": _C.SUBMITTED,
    "已销号": _C.CLOSED, "已核销": _C.CLOSED, "核销": _C.CLOSED, "摘牌销号": _C.CLOSED, "已闭环": _C.CLOSED,
    "闭环": _C.CLOSED, "已完成": _C.CLOSED, "完成": _C.CLOSED, "已消除": _C.CLOSED, "是": _C.CLOSED,
    "否": _C.RECTIFYING, "未完成": _C.RECTIFYING, "验收通过": _C.PASSED, "验收不通过": _C.FAILED,
    "复查通过": _C.PASSED, "复查不通过": _C.FAILED, "已撤销": _C.WITHDRAWN, "已作废": _C.VOIDED,
    "审核中": _C.DISCOVERED, "已交办": _C.ASSIGNED, "重新整改": _C.REOPENED,
    # 隐患状态 code list of YHZLXX011: -1 审核中 · 0 整改中 · 1 待验收 · 9 已验收 · 6 已关闭 (text forms above)
}
"""Status words of STANDARDS.md §8.3 and the claim each makes. 整改完成/已整改 in a ledger
without an acceptance step mean the hazard is done: read as struck off (销号)."""

RESULT_WORDS: Mapping[str, bool] = {
    "通过": True, "合格": True, "验收通过": True, "复查通过": True, "同意销号": True, "已整改": True,
    "整改到位": True, "符合要求": True,
    "不通过": False, "不合格": False, "验收不通过": False, "复查不通过": False, "未整改到位": False,
    "不符合要求": False,
}
"""Inspection result words (验收意见/复查结果) that say passed or failed; other text is a comment."""

DEFAULT_STATUSES = Vocabulary("隐患状态", STATUS_WORDS)


def load_level_map(path: str | Path) -> dict[str, Level]:
    """Read a level map file: JSON ``{"3级": "一般"}`` or lines ``3级 = 一般`` (``,``/tab/``:`` too).

    Values are 一般/重大 (or general/major). Blank lines and lines starting with # are skipped.
    """
    return {key: level_value(val, where=str(path)) for key, val in _map_pairs(path).items()}


def load_status_map(path: str | Path) -> dict[str, Claim]:
    """Read a status map file (same forms as :func:`load_level_map`): ledger word → what it
    says, one of 发现 交办 整改 督查 验收通过 验收不通过 销号 撤销 作废 回头看, or a word the
    status vocabulary already knows (``已处理 = 已销号``)."""
    out: dict[str, Claim] = {}
    for key, val in _map_pairs(path).items():
        text = clean_text(val)
        try:
            out[key] = Claim(text)
        except ValueError:
            try:
                out[key] = DEFAULT_STATUSES.get(text)
            except CellError as exc:
                raise CellError(f"{path}: {key!r} 应映射到 {' '.join(c.value for c in Claim)} 之一, 不是 {text!r}") from exc
    return out


def _map_pairs(path: str | Path) -> dict[str, Any]:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CellError(f"{p}: 无法读取映射文件: {exc}") from exc
    pairs: dict[str, Any]
    if p.suffix.lower() == ".json" or text.lstrip().startswith("{"):
        try:
            pairs = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CellError(f"{p}: JSON 格式错误: {exc}") from exc
    else:
        pairs = {}
        for n, line in enumerate(text.splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = re.split(r"\s*(?:=|,|，|\t|:|：)\s*", line, maxsplit=1)
            if len(parts) != 2 or not parts[0] or not parts[1]:
                raise CellError(f"{p} 第{n}行: 应为 '原值 = 映射值': {line!r}")
            pairs[parts[0]] = parts[1]
    if not isinstance(pairs, dict):
        raise CellError(f"{p}: 映射文件应为 JSON 对象或 '原值 = 映射值' 行")
    return {str(k): v for k, v in pairs.items()}


def level_value(value: Any, where: str = "") -> Level:
    """一般/重大 (or a national word, or general/major) as a Level; CellError otherwise."""
    if isinstance(value, Level):
        return value
    text = clean_text(value)
    if text.upper() in Level.__members__:
        return Level[text.upper()]
    try:
        return DEFAULT_LEVELS.get(text)
    except CellError as exc:
        raise CellError(f"{where + ': ' if where else ''}等级只能映射到 一般 或 重大, 不是 {text!r}") from exc
