"""The `table` kind (see compiler/kinds/base.py for what each stage module provides): reference
data shipped with the specs as a CSV file, read like a ledger by the maps built from it."""
