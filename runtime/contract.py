"""The constants the compiler and the runtime share: defined here once, read by both sides
(the compiler may import runtime; the runtime imports nothing from the compiler).

Each one is a promise between generated code and the runtime that runs it; changing one
changes what either side accepts or emits, so they never have two spellings."""

from __future__ import annotations

# The runtime ABI generated packages are compiled for (runtime/abi.py checks it at import).
RUNTIME_ABI = 1

# The limits every back end applies (the SQL back ends' types): a ledger decimal is
# DECIMAL(LEDGER_PRECISION, scale), a sum or any computed decimal DECIMAL(SUM_PRECISION, s),
# an int BIGINT (INT_MIN..INT_MAX; INT_PRECISION digits as a decimal).
LEDGER_PRECISION = 18  # 9999999999999999,99 at scale 2
SUM_PRECISION = 38
INT_MIN, INT_MAX = -(2 ** 63), 2 ** 63 - 1
INT_PRECISION = 19
# Decimal run parameters are DECIMAL(PARAM_PRECISION, PARAM_SCALE) on the SQL back ends.
PARAM_PRECISION, PARAM_SCALE = 18, 6
# A decimal division is rounded half-even to DIV_SCALE places (runtime/ops.div; the SQL too).
DIV_SCALE = 10

# The generated SQL files: each statement starts at a line `STATEMENT_MARK <name>`
# (compiler/codegen/sql.py writes them, runtime/backends/plan.py splits them).
STATEMENT_MARK = "-- apura:statement "
# What the `convert` statement reads: the relation "<ledger>CELLS_SUFFIX" with the columns
# LINE_COLUMN, WIDTH_OK_COLUMN and one text column per field; it returns OK_COLUMN.
CELLS_SUFFIX = "__cells"
LINE_COLUMN = "_line"
WIDTH_OK_COLUMN = "_width_ok"
OK_COLUMN = "_ok"

# Type names in messages (compiler/types.py adds the compile-time-only ones).
TYPE_NAMES = {"int": "inteiro", "decimal": "decimal", "str": "texto", "bool": "booleano",
              "date": "data"}

# Diagnostics (compile-time and run-time alike): at most MAX_SHOWN are rendered, and at
# most ~SHOWN_WIDTH characters of a source or record line are shown under a message.
MAX_SHOWN = 50
SHOWN_WIDTH = 120
