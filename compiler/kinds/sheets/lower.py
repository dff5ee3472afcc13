"""A SheetsSpec → ir.Sheets: the rows and files maps (each over a table), the columns, and
each part's filter, planilha code, row key and values, type-checked — plus what the tables let
the compiler prove before anything runs:

* every planilha code a part can produce has a file name (S1503), from the value sets of the
  code's parts (compiler/kinds/sheets/values.py; S1504 when they cannot be listed);
* the rows map fails on a key it lacks (a record's row is a row of the table) and the files
  map has no status (nothing would say a SUGERIDA name was used) (S1501);
* what the tables put in a line is safe to write: no ';' nor control characters (S0501) in a
  row's key, record id and marker and in a planilha code, a valid file name from each stem,
  no two planilhas with one file (S0502), nor a file another report writes (S0503);
* the `#L` markers are `#L0` … `#L<n-1>`, each once (S1505), and the keys fit the mask (S1508).
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from typing import TYPE_CHECKING

from compiler import catalog
from compiler import ir
from compiler import specs
from compiler import types as T
from compiler.chars import first_unsafe
from compiler.expr import printer
from compiler.kinds.sheets import values as V
from compiler.kinds.sheets.spec import SheetPartSpec
from compiler.kinds.sheets.spec import SheetsSpec
from compiler.outputs_check import file_name_problem
from compiler.outputs_check import same_name
from compiler.source import Span
from runtime.sheets import NAME

if TYPE_CHECKING:
    from compiler.lower import Lowerer

MARKER = re.compile(r"#L(0|[1-9][0-9]*)")


def cell_span(t: ir.Table, index: int) -> Span:
    """Where row `index` of table `t` is in its CSV file (the line; column 1)."""
    file, line = t.lines[index]
    return Span(file=file, line=line, col=1, end_line=line, end_col=1, start=0, end=0)


class _Sheets:
    def declare(self, lw: Lowerer, specs_: Sequence[specs.SpecBase]) -> None:
        return None

    def lower(self, lw: Lowerer, spec: specs.SpecBase) -> ir.Sheets | None:
        assert isinstance(spec, SheetsSpec)
        errors = sum(d.is_error for d in lw.diags)
        rows_t = _table_of(lw, spec.rows_map, "linhas",
                           (spec.record_id, "o id do registro"), (spec.marker, "o marcador #L"))
        if rows_t is not None and lw.map_nodes[spec.rows_map.value].on_missing != "error":
            # a row key the table lacks must be D0201, not a line that is no row of the table
            lw.diags.append(catalog.sheets_map(
                spec.rows_map.span, role="linhas", name=spec.rows_map.value,
                problem="tem on_missing: null (um registro cujo código não é linha da tabela "
                "ficaria sem linha); use on_missing: error"))
            rows_t = None
        files_t = _table_of(lw, spec.files_map, "arquivos", (spec.stem, "o nome do arquivo"))
        if files_t is not None and lw.map_nodes[spec.files_map.value].status is not None:
            # no record looks a file name up: a SUGERIDA one would never be D0802
            lw.diags.append(catalog.sheets_map(
                spec.files_map.span, role="arquivos", name=spec.files_map.value,
                problem=f"tem status: '{lw.map_nodes[spec.files_map.value].status}' (nenhum "
                "registro consulta o nome do arquivo: um nome SUGERIDA seria gravado sem "
                "aviso); confirme os nomes na tabela e tire o status do mapa"))
            files_t = None
        columns = _columns(lw, spec)
        if rows_t is not None:
            _check_rows(lw, spec, rows_t)
        file_codes = None
        if files_t is not None:
            file_codes = _check_files(lw, spec, files_t)
        parts = [p for i, ps in enumerate(spec.parts)
                 if (p := _part(lw, spec, i, ps, columns, file_codes)) is not None]
        _check_columns(lw, spec, columns, parts)
        if spec.provisional is not None:
            lw.diags.append(catalog.provisional(spec.provisional.span, spec_id=spec.id,
                                                text=" ".join(spec.provisional.value.split())))
        if sum(d.is_error for d in lw.diags) > errors:
            return None
        formulas = _formulas(lw, spec, parts)
        if sum(d.is_error for d in lw.diags) > errors:
            return None
        return ir.Sheets(id=spec.id, columns=tuple(columns), parts=tuple(parts),
                         name=spec.name.value if spec.name is not None else NAME,
                         formulas=formulas,
                         rows_map=spec.rows_map.value, record_id=spec.record_id.value,
                         marker=spec.marker.value, mask=spec.mask.value if spec.mask else "",
                         files_map=spec.files_map.value, stem=spec.stem.value,
                         output_format=spec.output_format, span=spec.span,
                         alternative_of=spec.alternative_of.value
                         if spec.alternative_of is not None else "")

    def finish(self, lw: Lowerer, nodes: Sequence[ir.PlanNode]) -> None:
        """S0503: a file of a sheets node that a layout or an earlier sheets node writes too
        (same_name), when the two can run together (not alternatives of one group): one
        would overwrite the other. The files a node may write are the rows of its files
        table whose code its parts can produce (the value sets of S1503): five nodes may
        share one table of file names, each writing its own planilhas."""
        owners: dict[str, tuple[str, str, str, Span]] = {}  # name key → id, group, file, at
        for n in lw.nodes.values():
            if isinstance(n, ir.Layout):
                owners.setdefault(same_name(n.output_file),
                                  (n.id, n.alternative_of, n.output_file, n.span))
        for node in nodes:
            assert isinstance(node, ir.Sheets)
            m = lw.map_nodes[node.files_map]
            t = lw.nodes[m.source]
            assert isinstance(t, ir.Table)
            made = _made_codes(lw, node)
            mine: dict[str, tuple[str, str, str, Span]] = {}
            for i, (code, stem) in enumerate(zip(_column(t, m.key[0]), _column(t, node.stem),
                                                 strict=True)):
                if made is not None and str(code) not in made:
                    continue
                name = V.file_name(str(code), "" if stem is None else str(stem), node.name)
                key = same_name(name)
                other = owners.get(key)
                if other is not None and not (node.alternative_of
                                              and node.alternative_of == other[1]):
                    lw.diags.append(catalog.same_output_file(
                        cell_span(t, i), file=name, first_file=other[2], layout=node.id,
                        other=other[0], first=other[3]))
                    break  # one per node: the rest of its table says the same
                mine[key] = (node.id, node.alternative_of, name, cell_span(t, i))
            owners.update(mine)


def _made_codes(lw: Lowerer, node: ir.Sheets) -> set[str] | None:
    """The planilha codes the parts of `node` can produce; None when some part's cannot be
    listed (then S1504 was reported and the node is not lowered: defensive)."""
    out: set[str] = set()
    for p in node.parts:
        sets = [V.values_of(e, lw.map_nodes, lw.nodes) for e in p.sheet]
        if any(isinstance(got, str) for got in sets):
            return None
        out |= V.codes(got for got in sets if not isinstance(got, str))
    return out


def _table_of(lw: Lowerer, name: specs.Text, role: str,
              *fields: tuple[specs.Text, str]) -> ir.Table | None:
    """The table a rows/files map is built from, after checking the map's shape: one key
    column, and the fields the kind reads among its values."""
    m = lw.map_nodes.get(name.value)
    if m is None:
        lw.diags.append(catalog.sheets_map(name.span, role=role, name=name.value,
                                           problem="não existe neste pacote"))
        return None
    t = lw.nodes.get(m.source)
    if t is None and m.source in lw.pkg.specs_of("table"):
        return None  # the table has errors of its own (S10xx)
    if not isinstance(t, ir.Table):
        lw.diags.append(catalog.sheets_map(name.span, role=role, name=name.value,
                                           problem=f"é de '{m.source}', que não é uma tabela"))
        return None
    if len(m.key) != 1:
        lw.diags.append(catalog.sheets_map(name.span, role=role, name=name.value,
                                           problem=f"tem chave de {len(m.key)} campos"))
        return None
    ok = True
    for f, what in fields:
        if f.value not in m.values:
            lw.diags.append(catalog.sheets_map_field(f.span, role=what, name=m.id, field=f.value,
                                                     values=list(m.values)))
            ok = False
    return t if ok else None


def _column(t: ir.Table, name: str) -> list[object]:
    i = [f.name for f in t.fields].index(name)
    return [r[i] for r in t.rows]


def _check_rows(lw: Lowerer, spec: SheetsSpec, t: ir.Table) -> None:
    m = lw.map_nodes[spec.rows_map.value]
    keys = _column(t, m.key[0])
    seen: dict[str, int] = {}
    mask = spec.mask.value if spec.mask is not None else ""
    digits = mask.count("9")
    for i, (key, rid, marker) in enumerate(zip(keys, _column(t, spec.record_id.value),
                                               _column(t, spec.marker.value), strict=True)):
        at = cell_span(t, i)
        for text, where in ((key, "a chave de uma linha (coluna 2 do IMPT)"),
                            (rid, "o id do registro de uma linha (coluna 3 do IMPT)"),
                            (marker, "o marcador #L de uma linha")):
            shown = "" if text is None else str(text)
            bad = first_unsafe(shown, extra=";")
            if bad is not None:
                lw.diags.append(catalog.unsafe_output_text(at, where=where, char=shown[bad],
                                                           index=bad))
        shown = str(marker)
        got = MARKER.fullmatch(shown)
        if got is None or int(got.group(1)) >= len(keys):
            lw.diags.append(catalog.sheet_marker(
                at, marker=shown, problem="não é #L0 … "
                f"#L{len(keys) - 1} (a tabela tem {len(keys)} linhas)"))
        elif shown in seen:
            lw.diags.append(catalog.sheet_marker(
                at, marker=shown, problem=f"já marca a linha {seen[shown]} do arquivo"))
        else:
            seen[shown] = t.lines[i][1]
        if mask and not (str(key).isascii() and str(key).isdigit() and len(str(key)) == digits):
            lw.diags.append(catalog.sheet_mask(at, key=str(key), mask=mask))


def _check_files(lw: Lowerer, spec: SheetsSpec, t: ir.Table) -> set[str]:
    """The planilha codes that have a file. A code is column 1 of its file's lines: S0501 for
    a ';' or a control character in it (every code a part makes is one of these, S1503);
    S0502 for a stem that makes no file name; two planilhas with one file name (same_name:
    but for case and normalization, as on Windows and macOS) would overwrite each other:
    S0502 at the second row with the default name, S1509 at an `output.name` template that
    makes them; S1509 too for a template with other fields than {code} and {stem}."""
    m = lw.map_nodes[spec.files_map.value]
    codes = _column(t, m.key[0])
    template = _template(lw, spec)
    seen: dict[str, tuple[str, int]] = {}
    for i, (code, stem) in enumerate(zip(codes, _column(t, spec.stem.value), strict=True)):
        shown = str(code)
        bad = first_unsafe(shown, extra=";")
        if bad is not None:
            lw.diags.append(catalog.unsafe_output_text(
                cell_span(t, i), where="o código de uma planilha (coluna 1 do IMPT)",
                char=shown[bad], index=bad))
            continue
        if template is None:
            continue
        name = V.file_name(shown, "" if stem is None else str(stem), template)
        reason = file_name_problem(name)
        first = seen.get(same_name(name))
        if reason is None and first is not None:
            if spec.name is not None:
                lw.diags.append(catalog.sheet_file_name(
                    spec.name.span, problem=f"dá o mesmo arquivo '{name}' às planilhas "
                    f"'{first[0]}' e '{shown}'"))
                break
            reason = f"é o mesmo arquivo da planilha '{first[0]}' (linha {first[1]})"
        if reason is not None:
            lw.diags.append(catalog.bad_output_file(cell_span(t, i), name=name, reason=reason))
        else:
            seen[same_name(name)] = (shown, t.lines[i][1])
    return {str(c) for c in codes}


def _template(lw: Lowerer, spec: SheetsSpec) -> str | None:
    if spec.name is None:
        return NAME
    try:
        fields = {f for _, f, _, _ in string.Formatter().parse(spec.name.value) if f is not None}
    except ValueError as exc:
        lw.diags.append(catalog.sheet_file_name(spec.name.span, problem=f"não se lê ({exc})"))
        return None
    if fields - {"code", "stem"}:
        shown = ", ".join(f"{{{f}}}" for f in sorted(fields - {"code", "stem"}))
        lw.diags.append(catalog.sheet_file_name(spec.name.span, problem=f"usa {shown}"))
        return None
    return spec.name.value


def _columns(lw: Lowerer, spec: SheetsSpec) -> list[ir.Column]:
    out = []
    seen: set[str] = set()
    for i, c in enumerate(spec.columns):
        if c.id in seen:
            lw.diags.append(catalog.sheet_column_parts(c.span, column=c.id,
                                                       problem="está declarada duas vezes"))
        seen.add(c.id)
        bad = first_unsafe(c.label, extra=";")
        if bad is not None:
            lw.diags.append(catalog.unsafe_output_text(
                c.label_span or c.span, where="o 'label' de uma coluna (escrito em cada linha "
                "do IMPT)", char=c.label[bad], index=bad))
        out.append(ir.Column(id=c.id, index=i, code=c.code, label=c.label, value=None, text="",
                             span=c.span))
    return out


def _part(lw: Lowerer, spec: SheetsSpec, index: int, p: SheetPartSpec,
          columns: list[ir.Column], file_codes: set[str] | None) -> ir.SheetPart | None:
    errors = sum(d.is_error for d in lw.diags)
    source = p.source.value
    if source not in lw.pkg.ledgers:
        lw.diags.append(catalog.unknown_spec(p.source.span, kind="ledger", name=source,
                                             candidates=[]))
        return None
    if lw.partition and lw.partition not in lw.field_types.get(source, {}):
        lw.diags.append(catalog.unknown_ledger_field(p.source.span, ledger=source,
                                                     name=lw.partition, candidates=[]))
    path = p.span.file
    filt, filt_text = None, ""
    if p.filter is not None:
        tree = lw.parse(p.filter, path)
        if tree is not None:
            filt = lw.checker.condition(tree, lw.scope("o filtro da parte", source))
            filt_text = printer.show(tree)
    sheet: list[ir.Expr] = []
    texts: list[str] = []
    for k, s in enumerate(p.sheet):
        tree = lw.parse(s, path)
        if tree is None:
            continue
        e = lw.checker.scalar(tree, lw.scope(f"a parte {k + 1} do código da planilha", source))
        _key_type(lw, e, s.span, f"a parte {k + 1} do código da planilha")
        sheet.append(e)
        texts.append(printer.show(tree))
    row = None
    row_text = ""
    tree = lw.parse(p.row, path)
    if tree is not None:
        row = lw.checker.scalar(tree, lw.scope("o código da linha", source))
        row_text = printer.show(tree)
        _key_type(lw, row, p.row.span, "o código da linha")
    ids = [c.id for c in columns]
    values: list[tuple[int, ir.Aggregate, str]] = []
    for name, v in p.values:
        if name.value not in ids:
            lw.diags.append(catalog.unknown_column(name.span, column=name.value, columns=ids))
            continue
        tree = lw.parse(v, path)
        if tree is None:
            continue
        agg = lw.checker.column_value(
            tree, lw.scope(f"o valor da coluna {name.value}", source, aggregate=True))
        if agg is not None:
            values.append((ids.index(name.value), agg, printer.show(tree)))
    if file_codes is not None and len(sheet) == len(p.sheet):
        _check_codes(lw, p, sheet, file_codes, spec.files_map.value)
    if row is None or len(sheet) != len(p.sheet) or sum(d.is_error for d in lw.diags) > errors:
        return None
    info = lw.map_infos[spec.rows_map.value]
    lookup = ir.MapLookup(map=info.id, keys=(row,), type=info.record, span=row.span)
    return ir.SheetPart(index=index, source=source, filter=filt, filter_text=filt_text,
                        sheet=tuple(sheet), sheet_text=tuple(texts), row=row, row_text=row_text,
                        row_lookup=lookup, values=tuple(values), span=p.span)


def _key_type(lw: Lowerer, e: ir.Expr, span: Span, where: str) -> None:
    if not e.type.is_error and (e.type.base not in ("int", "str") or e.type.nullable):
        lw.diags.append(catalog.sheet_key_type(span, where=where, got=_shown(e.type)))


def _shown(t: T.Type) -> str:
    return t.display() + (" que pode ser nulo" if t.nullable else "")


def _check_codes(lw: Lowerer, p: SheetPartSpec, sheet: list[ir.Expr], file_codes: set[str],
                 files: str) -> None:
    """S1503 for the codes a part can produce that have no file; S1504 when a part of the
    code has no finite list of values the compiler can see."""
    sets = []
    for e, s in zip(sheet, p.sheet, strict=True):
        got = V.values_of(e, lw.map_nodes, lw.nodes)
        if isinstance(got, str):
            lw.diags.append(catalog.sheet_not_listable(s.span, why=got))
            return
        sets.append(got)
    missing = sorted(c for c in V.codes(sets) if c not in file_codes)
    if missing:
        lw.diags.append(catalog.sheet_without_file(p.sheet_span, code=missing[0], files=files,
                                                   count=len(missing)))


FORMULA = re.compile(r"\s*(-?)\s*(V\d+)((?:\s*[+-]\s*V\d+)*)\s*")
TERM = re.compile(r"\s*([+-])\s*(V\d+)")


def _formulas(lw: Lowerer, spec: SheetsSpec, parts: list[ir.SheetPart]
              ) -> tuple[tuple[int, tuple[tuple[int, int], ...], str], ...]:
    """The formula columns: each term a column some part gives (not another formula)."""
    ids = [c.id for c in spec.columns]
    given = {col for p in parts for col, _, _ in p.values}
    out = []
    for i, c in enumerate(spec.columns):
        if c.value is None:
            continue
        text = c.value.value
        m = FORMULA.fullmatch(text)
        if m is None:
            lw.diags.append(catalog.sheet_formula(c.value.span, column=c.id,
                                                  problem=f"'{text}' não é uma soma de colunas"))
            continue
        terms = [(-1 if m.group(1) else 1, m.group(2))]
        terms += [(-1 if s == "-" else 1, v) for s, v in TERM.findall(m.group(3))]
        resolved = []
        for sign, name in terms:
            if name not in ids or ids.index(name) not in given:
                what = "não existe" if name not in ids else "não é calculada por uma parte"
                lw.diags.append(catalog.sheet_formula(c.value.span, column=c.id,
                                                      problem=f"usa {name}, que {what}"))
                break
            resolved.append((sign, ids.index(name)))
        else:
            out.append((i, tuple(resolved), " ".join(text.split())))
    return tuple(out)


def _check_columns(lw: Lowerer, spec: SheetsSpec, columns: list[ir.Column],
                   parts: list[ir.SheetPart]) -> None:
    given: dict[int, list[int]] = {}
    for p in parts:
        for col, _, _ in p.values:
            given.setdefault(col, []).append(p.index)
    for c in columns:
        got = given.get(c.index, [])
        if spec.columns[c.index].value is not None:  # a formula column
            if got:
                lw.diags.append(catalog.sheet_column_parts(
                    c.span, column=c.id, problem="tem fórmula e recebe valor de uma parte"))
            continue
        if len(got) > 1:
            lw.diags.append(catalog.sheet_column_parts(
                c.span, column=c.id, problem=f"recebe valor de {len(got)} partes "
                f"({', '.join(spec.parts[i].source.value for i in got)})"))
        elif not got and len(parts) == len(spec.parts):
            lw.diags.append(catalog.sheet_column_parts(c.span, column=c.id,
                                                       problem="não recebe valor de parte "
                                                       "nenhuma"))


PART = _Sheets()

