"""Cell text → typed values, by the rules of runtime/cells.py: `converter` (one field; the
reference, which says why a cell is rejected), `check_typed` (an in-memory value), and the
specialised functions the CSV reader runs per record (`compile_row`) and per batch of plain
lines (`compile_lines`), equivalent to `converter` cell by cell."""

from __future__ import annotations

import datetime
import decimal
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from runtime import catalog
from runtime.cells import DATE_SYNTAX
from runtime.cells import INT_SYNTAX
from runtime.cells import decimal_any_places
from runtime.cells import decimal_bounded
from runtime.cells import decimal_syntax
from runtime.cells import decimal_zero
from runtime.cells import integer_digits
from runtime.contract import INT_MAX
from runtime.contract import INT_MIN
from runtime.errors import BadCell
from runtime.model import CsvFormat
from runtime.model import Field


def converter(f: Field, fmt: CsvFormat) -> Callable[[str], Any]:
    """A function str → typed value for one field (raises BadCell)."""
    if f.type == "str":
        return str
    if f.type == "int":
        syntax = re.compile(INT_SYNTAX).fullmatch

        def to_int(s: str) -> int:
            if syntax(s) is None:
                raise catalog.not_int(f"'{s}'")
            v = int(s)
            if not INT_MIN <= v <= INT_MAX:
                raise catalog.out_of_range(s)
            return v
        return to_int
    if f.type == "decimal":
        loose = re.compile(decimal_any_places(fmt.decimal, fmt.thousands)).fullmatch
        fullmatch = re.compile(decimal_syntax(fmt.decimal, fmt.thousands, f.scale)).fullmatch
        thousands, decimal_sep, scale = fmt.thousands, fmt.decimal, f.scale
        digits = integer_digits(scale)

        def to_decimal(s: str) -> Decimal:
            if fullmatch(s) is None:
                if loose(s) is not None:
                    raise catalog.not_decimal(f"'{s}'", places=scale)
                raise catalog.not_decimal(f"'{s}'", sep=decimal_sep)
            t = s.replace(thousands, "") if thousands else s
            if decimal_sep != ".":
                t = t.replace(decimal_sep, ".")
            v = Decimal(t)
            if v and v.adjusted() >= digits:
                raise catalog.out_of_range(s, scale)
            return v
        return to_decimal
    if f.type == "date":
        if fmt.date == "DD/MM/YYYY":
            dmy = re.compile(DATE_SYNTAX["DD/MM/YYYY"]).fullmatch

            def to_date(s: str) -> datetime.date:
                if dmy(s) is None:
                    raise catalog.not_date(s, fmt="DD/MM/YYYY")
                try:
                    return datetime.date(int(s[6:]), int(s[3:5]), int(s[:2]))
                except ValueError:
                    raise catalog.not_date(s, fmt="DD/MM/YYYY", exists=False) from None
            return to_date

        # the syntax first: date.fromisoformat also reads ISO week dates (2020-W01-1)
        ymd = re.compile(DATE_SYNTAX["YYYY-MM-DD"]).fullmatch

        def to_iso(s: str) -> datetime.date:
            try:
                if ymd(s) is None:
                    raise ValueError
                return datetime.date.fromisoformat(s)
            except ValueError:
                raise catalog.not_date(s, fmt="YYYY-MM-DD") from None
        return to_iso
    if f.type == "bool":
        yes, no = fmt.true, fmt.false

        def to_bool(s: str) -> bool:
            if s == yes:
                return True
            if s == no:
                return False
            raise catalog.not_bool(s, yes, no)
        return to_bool
    raise AssertionError(f.type)


def check_typed(f: Field, value: Any) -> BadCell | None:
    """Why an in-memory value (already typed) does not fit its field, or None."""
    if f.type == "int":
        if value.__class__ is not int:
            return catalog.not_int(repr(value))
        if not INT_MIN <= value <= INT_MAX:
            return catalog.out_of_range(str(value))
    elif f.type == "decimal":
        if value.__class__ is int:
            value = Decimal(value)
        if not isinstance(value, Decimal) or not value.is_finite():
            return catalog.not_decimal(repr(value))
        expo = value.as_tuple().exponent
        assert isinstance(expo, int)
        if expo < -f.scale and value != value.quantize(Decimal(1).scaleb(-f.scale),
                                                       context=_WIDE):
            return catalog.not_decimal(f"'{value}'", places=f.scale)
        if value and value.adjusted() >= integer_digits(f.scale):
            return catalog.out_of_range(f"{value:f}", f.scale)
    return None


_WIDE = decimal.Context(prec=1000)  # quantize any in-memory value exactly

class _Memo(dict):  # type: ignore[type-arg]
    """cell text → value, filled on demand: repeated cells (dates, codes, 0,00) cost one C-level
    dict lookup. Bounded, so memory does not grow with the number of rows."""

    __slots__ = ("slow", "limit")

    def __init__(self, slow: Callable[[str], Any], limit: int = 50_000) -> None:
        super().__init__()
        self.slow = slow
        self.limit = limit

    def __missing__(self, key: str) -> Any:
        value = self.slow(key)
        if len(self) < self.limit:
            self[key] = value
        return value


class _Bad(Exception):
    """Raised by a compiled row converter; the slow path then finds the cell and the reason."""


def _bad() -> Any:
    raise _Bad


def _cell_exprs(fields: tuple[Field, ...], fmt: CsvFormat, env: dict[str, Any],
                cells: list[str], text_amounts: bool = False) -> list[str]:
    """One Python expression per field converting its cell, the expression `cells[i]`
    (raising on a bad cell); the names they use are put in `env`. With `text_amounts` (and no
    thousands separator), a decimal cell is checked but kept as its text: the scan converts
    it with `Reader.amount` where a record uses it."""
    env.setdefault("_bad", _bad)
    env.setdefault("D", Decimal)
    items = []
    earlier: list[tuple[int, str, int]] = []  # decimal cells before this one: (field, cell, scale)
    for i, f in enumerate(fields):
        cell = cells[i]
        if f.type == "str":
            items.append(f"{cell} or _bad()" if f.required else f"{cell} or None")
            continue
        if f.type == "decimal" and text_amounts and not fmt.thousands:
            zero = decimal_zero(fmt.decimal, f.scale)
            env[f"_re{i}"] = re.compile(decimal_bounded(fmt.decimal, f.scale)).fullmatch
            # zero, or the same text as an earlier amount of the record: no regex
            same = [f"{cell} == {other}" for _, other, scale in earlier[-_SAME_AS:]
                    if scale == f.scale and other != cell]
            ok = " or ".join([f"{cell} == {zero!r}", *same, f"_re{i}({cell})"])
            expr = f"({cell} if {ok} else _bad())"
            if not f.required:
                expr = f"(None if not {cell} else {expr})"
            else:
                earlier.append((i, cell, f.scale))
            items.append(expr)
            continue
        if f.type == "decimal":
            if fmt.thousands:  # rare: go through the full converter
                env[f"_v{i}"] = converter(f, fmt)
                expr = f"_v{i}({cell})"
            else:
                env[f"_re{i}"] = re.compile(decimal_bounded(fmt.decimal, f.scale)).fullmatch
                text = cell if fmt.decimal == "." else f"{cell}.replace({fmt.decimal!r}, '.')"
                expr = f"(D({text}) if _re{i}({cell}) else _bad())"
            # The same text as an earlier amount of the record (liquidado = empenhado, ...) is
            # not converted twice: a string compare.
            for j, other, scale in earlier[-_SAME_AS:]:
                if scale == f.scale and other != cell:
                    expr = f"(_d{j} if {cell} == {other} else {expr})"
            # Zero is by far the most frequent amount (anulações): one string compare.
            env[f"_z{i}"] = Decimal("0").scaleb(-f.scale)
            zero = decimal_zero(fmt.decimal, f.scale)
            expr = f"(_z{i} if {cell} == {zero!r} else {expr})"
            if not f.required:
                expr = f"(None if not {cell} else {expr})"
            if f.required:
                earlier.append((i, cell, f.scale))
            items.append(f"(_d{i} := {expr})")
            continue
        if f.type == "bool":
            expr = f"(True if {cell} == {fmt.true!r} else False if {cell} == {fmt.false!r} " \
                   "else _bad())"
            if not f.required:
                expr = f"(None if not {cell} else {expr})"
            items.append(expr)
            continue
        memo = _Memo(converter(f, fmt))
        if not f.required:
            memo[""] = None
        env[f"_m{i}"] = memo
        items.append(f"_m{i}[{cell}]")
    return items


# An amount is compared with at most this many earlier amounts of its record.
_SAME_AS = 5


def compile_row(fields: tuple[Field, ...],
                fmt: CsvFormat) -> Callable[[list[str], int], tuple[Any, ...]]:
    """Specialise one function `(cells, line) -> (typed values..., line)` for a ledger schema.

    Each cell is converted inline (memoised dict lookups for ints and dates; string compares
    for booleans, zero amounts and amounts repeated in the record; a compiled regex then
    Decimal() for other amounts), with no per-cell Python call on the usual path.
    Any bad cell raises; the caller then re-checks the row cell by cell (Reader._reject) to
    report the exact column and reason. Equivalent to `converter()` cell by cell.
    """
    env: dict[str, Any] = {}
    items = _cell_exprs(fields, fmt, env, [f"c[{i}]" for i in range(len(fields))])
    body = ",\n        ".join(items)
    src = f"def convert(c, line):\n    return (\n        {body},\n        line,\n    )\n"
    exec(compile(src, f"<apura: conversor de linha ({len(fields)} campos)>", "exec"), env)  # noqa: S102
    return env["convert"]  # type: ignore[no-any-return]


LinesConverter = Callable[[list[str], int, list[tuple[Any, ...]],
                           Callable[[list[str], int], None]], int]


def compile_lines(fields: tuple[Field, ...], fmt: CsvFormat, order: list[int], width: int,
                  text_amounts: bool = False) -> LinesConverter:
    """Specialise `(lines, line, out, reject) -> line` for a schema and a header order: split
    each plain line (no quotes) on the delimiter, convert its cells as `compile_row` does and
    append `(values..., line number)` to `out`; a record of another width than the header's
    (`width` cells; `order`: the cell of each field) or with a bad cell
    goes to `reject(cells, line)` instead. `line` is the number of the line before `lines[0]`;
    the number of the last line is returned. Only for lines Python's csv module would split
    exactly like str.split (see _plain_batches)."""
    env: dict[str, Any] = {}
    delim = fmt.delimiter
    if order == list(range(width)) and width > 1:
        # Unpacking the split line checks its width and names the cells in one step.
        names = [f"x{i}" for i in range(width)]
        items = _cell_exprs(fields, fmt, env, names, text_amounts)
        split = (f"        try:\n"
                 f"            {', '.join(names)}, = s.split({delim!r})\n"
                 f"        except ValueError:\n"
                 f"            reject(s.split({delim!r}) if s else [], line)\n"
                 f"            continue\n")
    else:
        # an optional column the file lacks (order -1, runtime.ledgers.ABSENT) reads empty
        items = _cell_exprs(fields, fmt, env, ["''" if i < 0 else f"c[{i}]" for i in order],
                            text_amounts)
        check = f"len(c) != {width}"
        if width == 1:
            check += " or not s"  # csv reads an empty line as a record of no cells, not ['']
        split = (f"        c = s.split({delim!r})\n"
                 f"        if {check}:\n"
                 f"            reject(c if s else [], line)\n"
                 f"            continue\n")
    body = ",\n                ".join(items)
    src = (f"def convert_lines(lines, line, out, reject):\n"
           f"    append = out.append\n"
           f"    for s in lines:\n"
           f"        line += 1\n"
           f"{split}"
           f"        try:\n"
           f"            append((\n                {body},\n                line,\n            ))\n"
           f"        except Exception:\n"
           f"            reject(s.split({delim!r}), line)\n"
           f"    return line\n")
    exec(compile(src, f"<apura: conversor de linhas ({len(fields)} campos)>", "exec"), env)  # noqa: S102
    return env["convert_lines"]  # type: ignore[no-any-return]
