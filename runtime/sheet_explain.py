"""Memória de cálculo of a `sheets` cell (runtime/sheets.py): which planilha line holds it,
which column expression made it (with its YAML position), and which input records — each with
the values it read, its planilha code's parts and the row lookup that put it on that line (the
entries' table file:line) — add up to it; a `formula:` column is explained term by term.

As for a layout cell (runtime/trace.py), the cell is explained from a traced run of the node
on the Python back end (`traced_run`): the generated sheets scans call `Trace.sheet` after a
record added to a line. The planilha, row and column asked for are checked after the run,
against the node's tables (data the run reads): D0410–D0414, each with the choices."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal
from typing import Any
from typing import cast

from runtime import catalog
from runtime.errors import DataError
from runtime.errors import RunFailed
from runtime.model import LedgerInput
from runtime.model import Package
from runtime.scan import RuntimeMap
from runtime.scan import ScanContext
from runtime.sheets import KEY_SEP
from runtime.sheets import SheetPart
from runtime.sheets import Sheets
from runtime.sheets import file_name
from runtime.sheets import masked
from runtime.trace import Lookup
from runtime.trace import Runs
from runtime.trace import Trace
from runtime.trace import choices
from runtime.trace import json_value
from runtime.trace import show_value
from runtime.trace import traced_run
from runtime.values import format_money

_SHOWN = 30  # choices listed in a D041x help before "e mais N"


@dataclass(frozen=True, slots=True)
class SheetRecord:
    """One input record on the line: where it is, what it added to the column, the values
    of the fields the column reads, its planilha code's parts and row key, and the entries
    its code and its row looked up."""

    file: str
    line: int
    amount: Any
    fields: tuple[tuple[str, Any], ...]
    codes: tuple[Any, ...]
    row: Any
    sheet_lookups: tuple[Lookup, ...] = ()
    row_lookups: tuple[Lookup, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "amount": json_value(self.amount),
                "fields": {k: json_value(v) for k, v in self.fields},
                "sheet_parts": [json_value(c) for c in self.codes], "row_key": json_value(self.row),
                "sheet_lookups": [lk.to_dict() for lk in self.sheet_lookups],
                "row_lookups": [lk.to_dict() for lk in self.row_lookups]}


@dataclass(slots=True)
class SheetExplanation:
    """How one value of a sheets line got its value; `render()` is the text (pt-BR),
    `to_dict()` the same as JSON-ready data. An aggregate column lists `records` (from the
    one part that gives it, `source`); a formula column its `terms`, (sign, explanation of
    a column), each explained the same way."""

    package: Package
    node: Sheets
    part: Any
    code: str
    key: str                  # the row key as the line holds it, unmasked (text)
    column: int
    value: Any
    params: dict[str, Any]
    file: str                 # the planilha's file name
    file_at: str | None       # its entry in the files table
    record_id: Any
    marker: Any
    row_at: str | None        # the row's entry in the rows table
    line: str                 # the IMPT line (without CRLF) as the run writes it
    written: bool             # False: every value of the line is zero, it is not written
    records: list[SheetRecord] = field(default_factory=list)
    source: SheetPart | None = None
    part_index: int = -1
    terms: list[tuple[int, SheetExplanation]] = field(default_factory=list)
    rejects: list[DataError] = field(default_factory=list)

    @property
    def column_id(self) -> str:
        return self.node.columns[self.column].id

    @property
    def masked_key(self) -> str:
        return masked(self.key, self.node.mask)

    @property
    def is_formula(self) -> bool:
        return self.node.columns[self.column].func == "formula"

    def _value_decl(self) -> tuple[int, str, Any, tuple[str, ...]]:
        assert self.source is not None
        return next(v for v in self.source.values if v[0] == self.column)

    def all_records(self) -> list[SheetRecord]:
        """The input records under this value: a formula's terms' records, each record once
        (a record giving two of its columns is in both terms)."""
        out = {(r.file, r.line): r for r in self.records}
        for _, t in self.terms:
            for r in t.all_records():
                out.setdefault((r.file, r.line), r)
        return list(out.values())

    def records_sum(self) -> Decimal | None:
        """The records' sum (sum and count columns; a formula: its terms' sums with their
        signs), which equals the value; None for min/max columns."""
        if self.is_formula:
            sums = [(sign, t.records_sum()) for sign, t in self.terms]
            if any(s is None for _, s in sums):
                return None
            return sum((sign * s for sign, s in sums if s is not None), Decimal(0))
        if self.node.columns[self.column].func not in ("sum", "count"):
            return None
        return sum((r.amount for r in self.records if r.amount is not None), Decimal(0))

    # ------------------------------------------------------------------ text
    def render(self) -> str:
        part = f" · {self.package.partition} {self.part}" if self.package.partition else ""
        out = [f"Memória de cálculo: pacote {self.package.id} · {self.node.id}{part}",
               f"{self._title()} = {format_money(self.value)}"]
        if self.params:
            out.append("  parâmetros: " + ", ".join(f"{k}={show_value(v)}" for k, v in
                                                    sorted(self.params.items())))
        if self.rejects:
            out.append(f"  atenção: {len(self.rejects)} linha(s) rejeitada(s) ficaram de fora")
        out.append(f"  arquivo {self.file}" + (f"  ({self.file_at})" if self.file_at else ""))
        out.append(f"  linha {_text(self.marker)}, record_id {_text(self.record_id)}"
                   + (f"  ({self.row_at})" if self.row_at else ""))
        out.append(f"    {self.line}" if self.written else
                   "    (linha não escrita: todos os valores são zero)")
        self._body(out, "  ")
        total = self.records_sum()
        if total is not None:
            same = "igual ao" if total == (self.value or 0) else "DIFERENTE do"
            signs = ", com os sinais da fórmula" if self.is_formula else ""
            out.append(f"soma dos {len(self.all_records())} registro(s) de entrada{signs}: "
                       f"{format_money(total)} ({same} valor da célula)")
        return "\n".join(out) + "\n"

    def _title(self) -> str:
        c = self.node.columns[self.column]
        return (f"{self.node.id} planilha {self.code} linha {self.masked_key} · {c.id} "
                f"({c.label})")

    def _body(self, out: list[str], pad: str, seen: set[str] | None = None) -> None:
        seen = set() if seen is None else seen  # the derived fields already listed
        c = self.node.columns[self.column]
        if self.is_formula:
            at = self.node.columns_at[self.column] if self.node.columns_at else None
            out.append(f"{pad}coluna {c.id} (fórmula{f', {at}' if at else ''}): {c.value}")
            for sign, t in self.terms:
                tc = t.node.columns[t.column]
                out.append(f"{pad}{'+' if sign > 0 else '−'} {tc.id} ({tc.label}) = "
                           f"{format_money(t.value)}")
                t._body(out, pad + "    ", seen)
            shown = " ".join(f"{'+' if sign > 0 else '−'} {format_money(t.value)}"
                             for sign, t in self.terms).removeprefix("+ ")
            out.append(f"{pad}fórmula: {shown} = {format_money(self.value)}")
            return
        src = self.source
        assert src is not None
        _, text, at, names = self._value_decl()
        out.append(f"{pad}coluna {c.id}{f' ({at})' if at else ''}: {text}")
        out.append(f"{pad}parte {self.part_index + 1} de {len(self.node.parts)}: fonte "
                   f"'{src.source}'")
        if src.filter:
            where = f" ({src.filter_at})" if src.filter_at else ""
            out.append(f"{pad}filtro da parte{where}: {src.filter}")
        code = " _ ".join(f"{t}" + (f" ({a})" if a else "")
                          for t, a in zip(src.sheet, src.sheet_at, strict=True))
        out.append(f"{pad}planilha: {code}")
        out.append(f"{pad}linha{f' ({src.row_at})' if src.row_at else ''}: {src.row}")
        self._derived(out, pad, seen, text)
        minmax = c.func in ("min", "max")
        label = "valor corrente" if minmax else "valor"
        listed = "  campos" if names else ""
        out.append(f"{pad}registros ({len(self.records)}; arquivo:linha  {label}{listed}):")
        for rec in self.records:
            amount = (str(rec.amount) if c.func == "count" else
                      format_money(rec.amount) if rec.amount is not None else "nulo")
            values = "  " + ", ".join(f"{k}={show_value(v)}" for k, v in rec.fields) \
                if rec.fields else ""
            out.append(f"{pad}  {rec.file}:{rec.line}  {amount}{values}")
            parts = ", ".join(_text(x) for x in rec.codes)
            head = f"planilha {self.code}" + (f" (partes {parts})" if len(rec.codes) > 1 else "")
            for text, lookups in ((head, rec.sheet_lookups),
                                  (f"linha {masked(_text(rec.row), self.node.mask)}",
                                   rec.row_lookups)):
                out.append(f"{pad}    {text}" + (":" if lookups else ""))
                out.extend(f"{pad}      {lk.render()}" for lk in lookups)

    def _derived(self, out: list[str], pad: str, seen: set[str], column: str) -> None:
        """The part's ledger's derived fields (`derived:`) its filter, planilha and row
        expressions and the column read (and those they read), each with its YAML
        position; once per explanation (a formula's terms share them)."""
        from runtime.explain_tree import derived_notes
        from runtime.explain_tree import derived_used

        src = self.source
        assert src is not None
        got = derived_used(self.package.ledger(src.source),
                           [src.filter, *src.sheet, src.row, column])
        for d, note in zip(got, derived_notes(got), strict=True):
            if f"{src.source}:{d['name']}" not in seen:
                seen.add(f"{src.source}:{d['name']}")
                out.append(f"{pad}{note}")

    # ------------------------------------------------------------------ JSON
    def to_dict(self) -> dict[str, Any]:
        """The explanation as JSON-ready data (decimals as strings, exact)."""
        out = {"package": self.package.id, "partition_field": self.package.partition,
               "partition": json_value(self.part),
               "params": {k: json_value(v) for k, v in sorted(self.params.items())}}
        out.update(self._node())
        total = self.records_sum()
        out["records_sum"] = None if total is None else json_value(total)
        out["all_records"] = len(self.all_records())
        out["rejected_rows"] = len(self.rejects)
        return out

    def _node(self) -> dict[str, Any]:
        c = self.node.columns[self.column]
        node: dict[str, Any] = {
            "layout": self.node.id, "kind": "sheets", "sheet": self.code, "file": self.file,
            "file_entry_at": self.file_at, "row": self.key, "row_masked": self.masked_key,
            "record_id": json_value(self.record_id), "marker": json_value(self.marker),
            "row_entry_at": self.row_at, "line": self.line, "written": self.written,
            "column": c.id, "column_label": c.label, "column_kind": c.func,
            "value": json_value(self.value)}
        if self.is_formula:
            at = self.node.columns_at[self.column] if self.node.columns_at else None
            node.update({"formula": c.value, "formula_at": str(at) if at else None,
                         "terms": [{"sign": sign, **t._node()} for sign, t in self.terms]})
            return node
        src = self.source
        assert src is not None
        _, text, at, _ = self._value_decl()
        node.update({
            "part": self.part_index, "source": src.source, "filter": src.filter or None,
            "filter_at": str(src.filter_at) if src.filter_at else None,
            "sheet_expressions": [{"expression": t, "at": str(a) if a else None}
                                  for t, a in zip(src.sheet, src.sheet_at, strict=True)],
            "row_expression": src.row,
            "row_expression_at": str(src.row_at) if src.row_at else None,
            "column_expression": text, "column_at": str(at) if at else None,
            "records": [rec.to_dict() for rec in self.records]})
        return node


def _text(v: Any) -> str:
    return "" if v is None else str(v)


def _close(got: str, *pools: list[str]) -> str:
    """'você quis dizer …? ' with the closest choice, from the first pool that has one (the
    planilhas or lines that have data before the rest of the table)."""
    for pool in pools:
        close = difflib.get_close_matches(got, pool, n=1)
        if close:
            return f"você quis dizer '{close[0]}'? "
    return ""


def _listed(what: str, items: list[str]) -> str:
    more = f" e mais {len(items) - _SHOWN}" if len(items) > _SHOWN else ""
    return f"{what}: " + (", ".join(items[:_SHOWN]) + more if items else "nenhuma")


# ---------------------------------------------------------------------- building
def explain_sheet(program: Runs, ledgers: Mapping[str, LedgerInput], params: Mapping[str, Any],
                  node: Sheets, part: Any, sheet: str, ref: str, column: str, *,
                  allow_rejects: bool = False, allow_unconfirmed: bool = False,
                  allow_gaps: bool = False) -> SheetExplanation:
    """Explain the value of column `column` in the line of row `ref` (as the line prints it,
    or unmasked) of planilha `sheet` (its code, or its file name) of `node`, in partition
    `part`. RunFailed: data errors, D0407 (partition), D0410–D0414 (planilha, row, column)."""
    ids = [c.id for c in node.columns]
    if column not in ids:
        raise RunFailed([catalog.sheet_column_unknown(node.id, column,
                                                      choices("colunas", column, ids))])
    result, trace, found = traced_run(program, ledgers, params, node.id, part,
                                      allow_rejects=allow_rejects,
                                      allow_unconfirmed=allow_unconfirmed,
                                      allow_gaps=allow_gaps)
    ctx = trace.ctx
    assert ctx is not None
    acc = _acc(ctx, node, found)
    code = _find_sheet(node, ctx, acc, sheet, found)
    key = _find_row(node, ctx, acc, code, ref)
    exp = _build(program.package, node, ctx, trace, found, code, key, ids.index(column),
                 dict(ctx.params))
    exp.rejects = result.rejects
    return exp


def _acc(ctx: ScanContext, node: Sheets, part: Any) -> dict[str, list[Any]]:
    """The node's keyed accumulator in the partition (runtime.sheets.KeyedRows), or {}."""
    return cast("dict[str, list[Any]]", ctx.acc[node.id].get(part) or {})


def _entries(m: RuntimeMap) -> dict[str, tuple[Any, ...]]:
    """A table map's entries by their one key as text (a SUGERIDA row included: its use was
    D0802, or allowed), as runtime.sheets writes them."""
    return {str(k[0]): k for k in {**m.suspect, **m.entries}}


def _lines(node: Sheets, ctx: ScanContext, acc: Mapping[str, list[Any]], code: str,
           written: bool) -> list[str]:
    """The row keys (unmasked) of planilha `code` in the accumulator, in table order; only
    those written (a value not zero) when `written`."""
    rows = ctx.maps[node.rows_map]
    typed = _entries(rows)
    keys = [k.split(KEY_SEP, 1)[1] for k, v in acc.items()
            if k.split(KEY_SEP, 1)[0] == code
            and (not written or any(x for x in node.line_values(v) if x is not None))]
    return sorted(keys, key=lambda k: rows.lines.get(typed[k], 0) if k in typed else 0)


def _find_sheet(node: Sheets, ctx: ScanContext, acc: Mapping[str, list[Any]], sheet: str,
                part: Any) -> str:
    files = ctx.maps[node.files_map]
    si = files.spec.values.index(node.stem)
    stems = {str(k[0]): _text(v[si]) for k, v in files.entries.items()}
    names = {file_name(c, st, node.name): c for c, st in stems.items()}
    given = sheet.rsplit("/", 1)[-1]  # a file name may come with its partition folder
    code = given if given in stems else names.get(given)
    with_lines = sorted({k.split(KEY_SEP, 1)[0] for k, v in acc.items()
                         if any(x for x in node.line_values(v) if x is not None)})
    shown = _listed("planilhas com linhas nesta partição", with_lines)
    if code is None:
        hint = _close(given, with_lines, [*stems, *names])
        raise RunFailed([catalog.sheet_unknown(node.id, sheet, hint + shown)])
    if not any(k.split(KEY_SEP, 1)[0] == code for k in acc):
        raise RunFailed([catalog.sheet_empty(node.id, code, part, shown)])
    return code


def _find_row(node: Sheets, ctx: ScanContext, acc: Mapping[str, list[Any]], code: str,
              ref: str) -> str:
    typed = _entries(ctx.maps[node.rows_map])
    by_mask = {masked(k, node.mask): k for k in typed}
    key = ref if ref in typed else by_mask.get(ref)
    lines = [masked(k, node.mask) for k in _lines(node, ctx, acc, code, False)]
    shown = _listed(f"linhas da planilha {code} nesta partição", lines)
    if key is None:
        hint = _close(ref, lines, [*by_mask, *typed])
        raise RunFailed([catalog.sheet_row_unknown(node.id, ref, node.rows_map, hint + shown)])
    if f"{code}{KEY_SEP}{key}" not in acc:
        raise RunFailed([catalog.sheet_row_empty(node.id, code, masked(key, node.mask),
                                                 shown)])
    return key


def _build(package: Package, node: Sheets, ctx: ScanContext, trace: Trace, part: Any,
           code: str, key: str, column: int, params: dict[str, Any]) -> SheetExplanation:
    """The explanation of one value of the line `<code>;<key>` from the traced run."""
    line_key = f"{code}{KEY_SEP}{key}"
    values = node.line_values(_acc(ctx, node, part)[line_key])
    rows, files = ctx.maps[node.rows_map], ctx.maps[node.files_map]
    row_key = _entries(rows)[key]
    entry = {**rows.suspect, **rows.entries}[row_key]
    record_id = entry[rows.spec.values.index(node.record_id)]
    marker = entry[rows.spec.values.index(node.marker)]
    file_key = {str(k[0]): k for k in files.entries}.get(code)
    stem = files.entries[file_key][files.spec.values.index(node.stem)] if file_key else ""
    exp = SheetExplanation(
        package=package, node=node, part=part, code=code, key=key, column=column,
        value=values[column], params=params, file=file_name(code, _text(stem), node.name),
        file_at=trace.entry_at(files, file_key), record_id=record_id, marker=marker,
        row_at=trace.entry_at(rows, row_key),
        line=node.format_line(code, key, record_id, marker, values),
        written=any(v for v in values if v is not None))
    if node.columns[column].func == "formula":
        terms = dict(node.formulas)[column]
        exp.terms = [(sign, _build(package, node, ctx, trace, part, code, key, c, params))
                     for sign, c in terms]
        return exp
    index, src = next((k, p) for k, p in enumerate(node.parts)
                      if any(v[0] == column for v in p.values))
    exp.source, exp.part_index = src, index
    names = next(v[3] for v in src.values if v[0] == column)
    for hit in trace.sheet_hits.get((node.id, line_key), []):
        if hit.part != index:
            continue
        exp.records.append(SheetRecord(
            file=hit.file, line=hit.line, amount=hit.delta[column],
            fields=tuple((n, hit.fields[src.fields.index(n)]) for n in names),
            codes=hit.codes, row=hit.row,
            sheet_lookups=tuple(dict.fromkeys(lk for lk in hit.lookups
                                              if lk.map in src.sheet_maps)),
            row_lookups=tuple(dict.fromkeys(lk for lk in hit.lookups
                                            if lk.map in src.row_maps))))
    return exp
