"""Excel ledgers (台账): import the ledgers offices send, export ledgers people can hand up.

- :mod:`~hazardloop.ledger.columns` — the one table of header synonyms (STANDARDS.md §8.1)
- :mod:`~hazardloop.ledger.cells` — cell normalisers and vocabularies (dates, levels, statuses)
- :mod:`~hazardloop.ledger.reader` — files → sheets with their header found and rows classified
- :mod:`~hazardloop.ledger.options` — what an import reads with: column table, vocabularies, defaults
- :mod:`~hazardloop.ledger.rows` — one row → what it says (identity, 发现 facts, the steps it shows)
- :mod:`~hazardloop.ledger.history` — steps → events with their origin; moving a held hazard on
- :mod:`~hazardloop.ledger.importer` — the import: rows → register events, every row accounted for
- :mod:`~hazardloop.ledger.exporter` — the register → a styled workbook or a user's template
- :mod:`~hazardloop.ledger.errors_book` — rejected rows → a workbook to fix and import again
"""

from hazardloop.ledger.cells import CellError, Vocabulary, load_level_map, load_status_map
from hazardloop.ledger.columns import DEFAULT_COLUMNS, ColumnTable, FieldSpec
from hazardloop.ledger.errors_book import write_error_workbook
from hazardloop.ledger.exporter import ExportError, export_ledger, export_to_template, ledger_rows
from hazardloop.ledger.importer import ImportOptions, ImportReport, Outcome, RowResult, import_files, import_ledgers
from hazardloop.ledger.reader import LedgerReadError, read_ledger, read_ledgers

__all__ = [
    "CellError",
    "Vocabulary",
    "load_level_map",
    "load_status_map",
    "DEFAULT_COLUMNS",
    "ColumnTable",
    "FieldSpec",
    "write_error_workbook",
    "ExportError",
    "export_ledger",
    "export_to_template",
    "ledger_rows",
    "ImportOptions",
    "ImportReport",
    "Outcome",
    "RowResult",
    "import_files",
    "import_ledgers",
    "LedgerReadError",
    "read_ledger",
    "read_ledgers",
]
