"""How to read the ledgers of one import: the column table, vocabularies and defaults."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import attrs
from attrs import field, frozen

from hazardloop.ledger.cells import DEFAULT_LEVELS, DEFAULT_STATUSES, Claim, Vocabulary, level_value
from hazardloop.ledger.columns import DEFAULT_COLUMNS, ColumnTable
from hazardloop.records import Level, Source

if TYPE_CHECKING:
    from hazardloop.catalog import Domain

__all__ = ["ImportOptions"]


def _source_words() -> dict[str, Source]:
    words = {s.value: s for s in Source}
    words.update({"自查": Source.SELF_CHECK, "企业自查自报": Source.SELF_CHECK, "执法": Source.ENFORCEMENT,
                  "执法检查发现": Source.ENFORCEMENT, "群众举报": Source.PUBLIC_REPORT, "举报投诉": Source.PUBLIC_REPORT,
                  "属地检查": Source.LOCAL_SWEEP, "乡镇排查": Source.LOCAL_SWEEP, "县级检查": Source.COUNTY_CHECK})
    return words


@frozen
class ImportOptions:
    """How to read the ledgers of one import: column table, vocabularies and defaults.

    ``default_town``/``default_unit`` stand in for ledgers without a 所属乡镇 or unit column;
    ``levels``/``statuses`` are the vocabularies (extend them with a level map and a default
    level: :meth:`with_levels`). Values still unknown after that are rejected.
    """

    columns: ColumnTable = DEFAULT_COLUMNS
    levels: Vocabulary = DEFAULT_LEVELS
    statuses: Vocabulary = DEFAULT_STATUSES
    sources: Vocabulary = Vocabulary("隐患来源", _source_words())
    sheets: tuple[str, ...] | None = field(default=None, converter=lambda s: None if s is None else tuple(s))
    default_town: str | None = None
    default_unit: str | None = None
    default_domain: str = "general"
    default_source: Source = Source.OTHER
    domains: Vocabulary | None = None  #: 行业领域 words → domain codes; None accepts any text

    def with_domains(self, domains: Iterable[Domain]) -> ImportOptions:
        """Options that know the plugins' domains: their codes and Chinese names as 行业领域 words,
        and their extra ledger fields as columns (kept under the field's name)."""
        domains = list(domains)
        words = {d.code: d.code for d in domains}
        words.update({d.name: d.code for d in domains})
        vocab = Vocabulary("行业领域", words) if self.domains is None else self.domains.extended(words)
        columns = self.columns.with_domain_fields((f.name, f.label) for d in domains for f in d.ledger_fields)
        return attrs.evolve(self, domains=vocab, columns=columns)

    def with_statuses(self, mapping: dict[str, Claim] | None = None) -> ImportOptions:
        """Options whose status vocabulary also knows ``mapping`` (ledger word → what it says)."""
        return attrs.evolve(self, statuses=self.statuses.extended(mapping or {}))

    def with_levels(self, mapping: dict[str, Level] | None = None, default: Level | str | None = None) -> ImportOptions:
        """Options whose level vocabulary also knows ``mapping`` and answers blanks with ``default``."""
        dflt = None if default is None else (default if isinstance(default, Level) else _level_word(default))
        return attrs.evolve(self, levels=self.levels.extended(mapping or {}, dflt))


def _level_word(word: str) -> Level:
    return level_value(word)


