"""The `check` kind: named reconciliations between values apura computes — cells of any
layout and sums of a ledger under a condition, with a tolerance (see compiler/kinds/base.py
for what each stage module provides, runtime/checks.py for the run)."""
