"""Drive a few hazards around the loop and print the ledger with overdue flags (placeholder, replaced below)."""
