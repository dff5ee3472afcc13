"""A diff report as an analyst reads it (pt-BR text: spec by spec, then row by row, each line
with the new side's file:line) and as JSON for programs (stable, sorted keys)."""

from __future__ import annotations

import json

from compiler.diff.model import Attr
from compiler.diff.model import Item
from compiler.diff.model import Report
from compiler.diff.model import SpecDiff
from compiler.diff.model import Status
from compiler.diff.model import Value

# noun, and whether it takes the feminine (linha incluída, campo incluído)
NOUNS = {"package": ("pacote", False), "ledger": ("ledger", False), "map": ("map", False),
         "layout": ("layout", False), "row": ("linha", True), "column": ("coluna", True),
         "field": ("campo", False), "derived": ("campo calculado", False),
         "param": ("parâmetro", False), "check": ("check", False),
         "assertion": ("conferência", True), "table": ("tabela", True),
         "table_row": ("linha da tabela", True), "sheets": ("planilhas", True),
         "part": ("parte", True), "coverage": ("cobertura", True),
         "allocation": ("alocação", True), "indicator": ("indicador", False),
         "derivation": ("derivação", True), "dictionary": ("dicionário", False),
         "source": ("fonte", True)}

VERBS = {Status.ADDED: "incluíd", Status.REMOVED: "removid", Status.CHANGED: "alterad",
         Status.MOVED: "movid", Status.RENUMBERED: "renumerad"}

# attributes shown as quoted text; the others (expressions, names, numbers) as they are
TEXT = {"label", "record_id", "output.file", "description"}
# list attributes shown as what they gained and lost
SETS = {"total_of"}


def _word(status: Status, feminine: bool) -> str:
    return VERBS[status] + ("a" if feminine else "o")


def value(name: str, v: Value) -> str:
    if v is None:
        return "(nada)"
    if isinstance(v, bool):
        return "sim" if v else "não"
    if isinstance(v, tuple):
        return "[" + ", ".join(v) + "]"
    if isinstance(v, str) and (name in TEXT or not v.strip()):
        return json.dumps(v, ensure_ascii=False)
    return str(v)


def attr(a: Attr) -> str:
    if a.name in SETS and isinstance(a.old, tuple) and isinstance(a.new, tuple):
        gained = [k for k in a.new if k not in a.old]
        lost = [k for k in a.old if k not in a.new]
        parts = ([f"inclui {', '.join(gained)}"] if gained else []) + \
            ([f"exclui {', '.join(lost)}"] if lost else [])
        return f"{a.name}: " + "; ".join(parts)
    if a.old is None:
        return f"{a.name}: {value(a.name, a.new)} (novo)"
    if a.new is None:
        return f"{a.name}: {value(a.name, a.old)} (retirado)"
    return f"{a.name}: {value(a.name, a.old)} → {value(a.name, a.new)}"


def _summary(attrs: tuple[Attr, ...]) -> list[str]:
    """What an added or removed item is: one line per attribute (a row's kind is told by its
    rule, values or total_of; only `otherwise` says it alone)."""
    return [f"{a.name}: {value(a.name, a.new)}" if a.name != "kind" else "otherwise: sim"
            for a in attrs if a.name != "kind" or a.new == "otherwise"]


def _marker(i: Item) -> str:
    if i.kind != "row":
        return ""
    if i.old_marker != i.new_marker and i.old_marker is not None and i.new_marker is not None:
        return f" (#L{i.old_marker} → #L{i.new_marker})"
    return f" (#L{i.new_marker})"


def item_lines(i: Item) -> list[str]:
    noun, fem = NOUNS[i.kind]
    if i.status is Status.ADDED:
        where = f" em #L{i.new_marker}" if i.kind == "row" else ""
        return [f"{i.pos}: {noun} {i.key} {_word(i.status, fem)}{where}"] + \
            [f"    {line}" for line in _summary(i.summary)]
    if i.status is Status.REMOVED:
        where = f" (era #L{i.old_marker})" if i.kind == "row" else ""
        return [f"{i.pos}: {noun} {i.key} {_word(i.status, fem)}{where}"] + \
            [f"    {line}" for line in _summary(i.summary)]
    # the label tells a ref by its name, unless the change is the label itself
    title = f" {value('label', i.title)}" if i.title and \
        not any(a.name == "label" for a in i.attrs) else ""
    head = f"{i.pos}: {noun} {i.key}{title}{_marker(i)}"
    if i.status is Status.MOVED:
        head += f" {_word(i.status, fem)}"
    if len(i.attrs) == 1:
        return [f"{head}: {attr(i.attrs[0])}"]
    return [head + (":" if i.attrs else "")] + [f"    {attr(a)}" for a in i.attrs]


def _runs(items: list[Item]) -> list[tuple[list[Item], int]]:
    """Renumbered rows as runs of consecutive #L shifted by the same amount."""
    runs: list[tuple[list[Item], int]] = []
    for i in items:
        assert i.old_marker is not None and i.new_marker is not None
        delta = i.new_marker - i.old_marker
        if runs and runs[-1][1] == delta and runs[-1][0][-1].new_marker == i.new_marker - 1:
            runs[-1][0].append(i)
        else:
            runs.append(([i], delta))
    return runs


def renumbered(items: list[Item]) -> str:
    parts = []
    for run, _ in _runs(items):
        first, last = run[0], run[-1]
        if len(run) == 1:
            parts.append(f"#L{first.old_marker} → #L{first.new_marker} ({first.key})")
        else:
            parts.append(f"#L{first.old_marker}–#L{last.old_marker} → "
                         f"#L{first.new_marker}–#L{last.new_marker} ({first.key} … {last.key})")
    n = len(items)
    return (f"{n} linha(s) renumerada(s), sem outra mudança: " + "; ".join(parts))


# A table's rows in the text report: a new year's table can change every row (the revenue
# naturezas of 2021); the text shows how many changed and the first ones, the JSON all of them.
TABLE_ROWS_SHOWN = 20


def _counts(items: list[Item]) -> str:
    n = {st: sum(1 for i in items if i.status is st) for st in Status}
    return ", ".join(f"{n[st]} {word}" for st, word in (
        (Status.ADDED, "incluída(s)"), (Status.REMOVED, "retirada(s)"),
        (Status.CHANGED, "alterada(s)")) if n[st])


def spec_lines(s: SpecDiff, packages: bool) -> list[str]:
    noun, fem = NOUNS[s.kind]
    name = s.id if s.old_id == s.id else f"{s.old_id} → {s.id}"
    where = f"{s.package}: " if packages and s.kind != "package" else ""
    if s.status in (Status.ADDED, Status.REMOVED):
        return [f"{where}{noun} {name} {_word(s.status, fem)} ({s.pos})"]
    out = [f"{where}{noun} {name}"]
    out.extend(f"  {s.pos}: {attr(a)}" for a in s.attrs)
    shifted = [i for i in s.items if i.status is Status.RENUMBERED]
    rows = [i for i in s.items if i.kind == "table_row"]
    if len(rows) > TABLE_ROWS_SHOWN:
        out.append(f"  linhas da tabela: {_counts(rows)} (as {TABLE_ROWS_SHOWN} primeiras "
                   "abaixo; todas: apura diff --format json)")
    hidden = {id(i) for i in rows[TABLE_ROWS_SHOWN:]}
    for i in s.items:
        if i.status is not Status.RENUMBERED and id(i) not in hidden:
            out.extend(f"  {line}" for line in item_lines(i))
    if hidden:
        out.append(f"  … e mais {len(hidden)} linha(s) da tabela")
    if shifted:
        out.append(f"  {renumbered(shifted)}")
    return out


def text(report: Report) -> str:
    """The report for a reader; ends with a line counting the differences."""
    if report.empty:
        return f"sem diferenças entre {report.old} e {report.new}\n"
    packages = len({s.package for s in report.specs}) > 1
    out = [f"antigo: {report.old}", f"novo:   {report.new}"]
    for s in report.specs:
        out.append("")
        out.extend(spec_lines(s, packages))
    shifted = sum(1 for s in report.specs for i in s.items if i.status is Status.RENUMBERED)
    tail = f"; {shifted} linha(s) renumerada(s)" if shifted else ""
    out.extend(["", f"{report.count} diferença(s) em {len(report.specs)} spec(s){tail}"])
    return "\n".join(out) + "\n"


def as_json(report: Report) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
