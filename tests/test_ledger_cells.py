"""Cell normalisers: dates, deadlines, numbers, text and the level/status vocabularies."""

from __future__ import annotations

import datetime as dt

import pytest

from hazardloop.ledger.cells import (
    DEFAULT_LEVELS,
    DEFAULT_STATUSES,
    CellError,
    Claim,
    clean_text,
    load_level_map,
    parse_date,
    parse_deadline,
    parse_number,
)
from hazardloop.records import Level

D = dt.date(2021, 4, 22)


@pytest.mark.parametrize(
    "value",
    [
        D,
        dt.datetime(2021, 4, 22, 15, 30),
        44308,  # Excel serial
        44308.625,  # serial with a time of day
        20210422,
        20210422.0,
        "20210422",
        "2021年4月22日",
        "2021年04月22日",
        "2021.4.22",
        "2021/04/22",
        "2021-4-22",
        "2021-04-22 08:30",
        "２０２１年４月２２日",
        "２０２１－０４－２２",
        " 2021/4/22 ",
        "44308",
    ],
)
def test_dates_in_every_form_seen(value: object) -> None:
    assert parse_date(value) == D


@pytest.mark.parametrize("value", ["2021年13月1日", "明天", "2021-02-30", 12, True, "4月22日"])
def test_bad_dates_are_refused_with_a_reason(value: object) -> None:
    with pytest.raises(CellError):
        parse_date(value)


@pytest.mark.parametrize("value", [None, "", "  ", float("nan")])
def test_blank_dates_are_none(value: object) -> None:
    assert parse_date(value) is None


@pytest.mark.parametrize(("value", "expected"), [
    (30, (D + dt.timedelta(days=30), True)),
    (7.0, (D + dt.timedelta(days=7), True)),
    ("15天", (D + dt.timedelta(days=15), True)),
    ("10日内", (D + dt.timedelta(days=10), True)),
    ("2021-05-30", (dt.date(2021, 5, 30), False)),
    (44346, (dt.date(2021, 5, 30), False)),
    (None, (None, False)),
])
def test_a_deadline_is_a_date_or_a_number_of_days_from_the_date_found(value: object, expected: object) -> None:
    assert parse_deadline(value, D) == expected


def test_a_deadline_in_days_needs_a_start() -> None:
    with pytest.raises(CellError, match="排查日期"):
        parse_deadline(30, None)


@pytest.mark.parametrize(("value", "expected"), [
    (1.5, 1.5), ("1,200", 1200.0), ("3.5万元", 3.5), ("２", 2.0), (None, None), ("", None),
])
def test_numbers(value: object, expected: float | None) -> None:
    assert parse_number(value) == expected


def test_not_a_number() -> None:
    with pytest.raises(CellError):
        parse_number("若干")


def test_clean_text_folds_whitespace_and_full_width_ascii() -> None:
    assert clean_text("\u3000 灭火器　过期 \n\n 两具 ") == "灭火器 过期\n两具"
    assert clean_text("ＡＢ－１２", fold=True) == "AB-12"
    assert clean_text("ＡＢ") == "ＡＢ"
    assert clean_text(1024.0) == "1024"
    assert clean_text("隐患：未整改。") == "隐患：未整改。"  # Chinese punctuation in prose stays


# STANDARDS.md §8.3 level words, each mapped explicitly
@pytest.mark.parametrize(("word", "level"), [
    ("一般隐患", Level.GENERAL), ("重大隐患", Level.MAJOR), ("重大事故隐患", Level.MAJOR),
    ("一般", Level.GENERAL), ("重大", Level.MAJOR), ("较大", Level.GENERAL),
    ("一般隐患A", Level.GENERAL), ("一般隐患B", Level.GENERAL), ("一般隐患C", Level.GENERAL),
    ("重点隐患", Level.GENERAL), ("轻微", Level.GENERAL), (" 重大事故隐患 ", Level.MAJOR),
    ("一般隐患。", Level.GENERAL),
])
def test_level_vocabulary(word: str, level: Level) -> None:
    assert DEFAULT_LEVELS.get(word) is level


@pytest.mark.parametrize("word", ["3级", "1", "6", "特别重大", "高", "一般般"])
def test_unknown_levels_are_rejected_never_guessed(word: str) -> None:
    with pytest.raises(CellError, match="未知"):
        DEFAULT_LEVELS.get(word)


def test_a_blank_level_needs_a_default() -> None:
    with pytest.raises(CellError):
        DEFAULT_LEVELS.get(None)
    assert DEFAULT_LEVELS.extended({}, Level.GENERAL).get(None) is Level.GENERAL


def test_level_map_files(tmp_path) -> None:  # type: ignore[no-untyped-def]
    lines = tmp_path / "levels.txt"
    lines.write_text("# 建设部 1-6 级\n1级 = 重大\n2级=重大\n3级,一般\n4级：一般\n5 = general\n", encoding="utf-8")
    mapping = load_level_map(lines)
    assert mapping == {"1级": Level.MAJOR, "2级": Level.MAJOR, "3级": Level.GENERAL, "4级": Level.GENERAL, "5": Level.GENERAL}
    js = tmp_path / "levels.json"
    js.write_text('{"6级": "一般隐患"}', encoding="utf-8")
    assert load_level_map(js) == {"6级": Level.GENERAL}
    vocab = DEFAULT_LEVELS.extended(mapping)
    assert vocab.get("3级") is Level.GENERAL
    with pytest.raises(CellError):
        vocab.get("7级")


def test_a_level_map_may_only_map_to_the_two_levels(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.txt"
    bad.write_text("3级 = 较低\n", encoding="utf-8")
    with pytest.raises(CellError, match="一般 或 重大"):
        load_level_map(bad)
    broken = tmp_path / "broken.txt"
    broken.write_text("只有一列\n", encoding="utf-8")
    with pytest.raises(CellError, match="第1行"):
        load_level_map(broken)


@pytest.mark.parametrize(("word", "claim"), [
    ("待审核", Claim.DISCOVERED), ("审核未通过", Claim.FAILED), ("待整改", Claim.ASSIGNED),
    ("整改未完成", Claim.RECTIFYING), ("整改完成", Claim.CLOSED), ("上报未整改", Claim.ASSIGNED),
    ("责令未整改", Claim.ASSIGNED), ("已通知待整改", Claim.ASSIGNED), ("已整改待审核", Claim.SUBMITTED),
    ("审核通过", Claim.PASSED), ("审核不通过", Claim.FAILED), ("已整改", Claim.CLOSED),
    ("整改中", Claim.RECTIFYING), ("已验收", Claim.PASSED), ("已关闭", Claim.CLOSED),
    ("销号", Claim.CLOSED), ("督查", Claim.SUBMITTED), ("撤销", Claim.WITHDRAWN),
])
def test_status_words_of_section_8_3(word: str, claim: Claim) -> None:
    assert DEFAULT_STATUSES.get(word) is claim


def test_unknown_status_words_are_errors() -> None:
    with pytest.raises(CellError):
        DEFAULT_STATUSES.get("差不多了")
    assert DEFAULT_STATUSES.extended({"差不多了": Claim.SUBMITTED}).get("差不多了") is Claim.SUBMITTED


def test_status_map_files_extend_the_status_vocabulary(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from hazardloop.ledger.cells import load_status_map

    path = tmp_path / "statuses.txt"
    path.write_text("已处理 = 销号\n处理中=整改\n待复核 = 待验收\n", encoding="utf-8")
    mapping = load_status_map(path)
    assert mapping == {"已处理": Claim.CLOSED, "处理中": Claim.RECTIFYING, "待复核": Claim.SUBMITTED}
    vocab = DEFAULT_STATUSES.extended(mapping)
    assert vocab.get("已处理") is Claim.CLOSED
    with pytest.raises(CellError):
        DEFAULT_STATUSES.get("已处理")  # the default vocabulary is not changed
    bad = tmp_path / "bad.txt"
    bad.write_text("已处理 = 差不多好了\n", encoding="utf-8")
    with pytest.raises(CellError, match="差不多好了"):
        load_status_map(bad)
    not_a_map = tmp_path / "list.json"
    not_a_map.write_text('["销号"]', encoding="utf-8")
    with pytest.raises(CellError, match="JSON"):
        load_status_map(not_a_map)
