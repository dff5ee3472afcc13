"""Rows of a lowered layout that can never get a record, proven from the rows' regions
(compiler/regions.py): S1101 a rule row under `hit_policy: first` whose records all matched
earlier rows; S1102 an `otherwise` row that the rule rows leave nothing to; S1103 a rule that
no record admitted by the filter satisfies; S1104 a filter no record satisfies.

Sound: a row is reported only with a proof — its region (which may be larger than the truth,
never smaller), cut by the filter's, lies inside the union of the regions of the rows before
it. A row whose region is unknown (too big to compute) covers nothing and is never reported.
Bounded: a proof that needs more than MAX_PIECES pieces or MAX_STEPS box comparisons is given
up (the row is not reported), and a layout spends at most MAX_LAYOUT_STEPS comparisons in all
(the rows after that are not analysed): a row is compared only with the earlier rows that can
share its values (an index of the values rows hold a subject to), so a layout of 20,000
`elemento == ...` rows costs about one comparison per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from compiler import catalog
from compiler import ir
from compiler.diagnostics import Diagnostic
from compiler.regions import Analyser
from compiler.regions import Box
from compiler.regions import Key
from compiler.regions import Region
from compiler.regions import Space
from compiler.regions import Value
from compiler.source import Span

MAX_PIECES = 256
MAX_STEPS = 5_000  # per row
MAX_LAYOUT_STEPS = 200_000  # per layout
_POINTS = 32  # a box indexed by the values of a subject it holds to at most this many points


@dataclass(slots=True)
class Verdict:
    """What the analysis proved about one row: `shadowed` (every record it could get matched
    the rows `by` first), `unmatchable` (no record the filter admits satisfies its rule;
    `alone`: the rule contradicts itself), `unreachable` (an otherwise row the rule rows `by`
    leave nothing to), `reachable` (some point of its region is left: a record may reach it,
    or the analysis cannot tell), `unknown` (given up)."""

    index: int
    status: str
    by: tuple[int, ...] = ()
    alone: bool = False


@dataclass(slots=True)
class Analysis:
    """The verdicts of a layout's rule and otherwise rows; `empty_filter` when the filter
    admits no record (the rows are then not analysed)."""

    empty_filter: bool = False
    rows: dict[int, Verdict] = field(default_factory=dict)


class _Coverers:
    """The boxes of the rule rows seen so far, indexed by the points they hold a subject to."""

    def __init__(self, space: Space) -> None:
        self.space = space
        self.boxes: list[tuple[int, Box]] = []  # (row index, box), in document order
        self.points: dict[Key, dict[Value | None, list[int]]] = {}
        self.wide: dict[Key, list[int]] = {}  # boxes not indexed by that subject's points

    def add(self, row: int, region: Region) -> None:
        for box in region:
            n = len(self.boxes)
            self.boxes.append((row, box))
            for k in box:
                self._known(k, n)
            for k, idx in self.points.items():
                vs = box.get(k)
                pts = vs.points(_POINTS) if vs is not None else None
                if vs is None or pts is None:
                    self.wide[k].append(n)
                    continue
                for p in pts:
                    idx.setdefault(p, []).append(n)
                if vs.null:
                    idx.setdefault(None, []).append(n)

    def _known(self, k: Key, upto: int) -> None:
        if k not in self.points:
            self.points[k] = {}
            self.wide[k] = list(range(upto))  # earlier boxes do not hold k to points

    def candidates(self, target: Box) -> list[int]:
        """Boxes that may meet `target` (a superset), in document order."""
        best: list[int] | None = None
        for k, vs in target.items():
            idx = self.points.get(k)
            pts = vs.points(_POINTS) if idx is not None else None
            if idx is None or pts is None:
                continue
            found = list(self.wide[k])
            for p in pts:
                found.extend(idx.get(p, ()))
            if vs.null:
                found.extend(idx.get(None, ()))
            if best is None or len(found) < len(best):
                best = found
        if best is None:
            return list(range(len(self.boxes)))
        return sorted(set(best))


class _Budget:
    """The box comparisons a layout may still spend (MAX_LAYOUT_STEPS in all)."""

    def __init__(self) -> None:
        self.left = MAX_LAYOUT_STEPS


def _cover(space: Space, target: Region, cov: _Coverers,
           budget: _Budget) -> tuple[str, tuple[int, ...]]:
    """("covered", rows that took part) when `target` lies inside the coverers' union;
    ("left", ()) when some of it is left; ("unknown", ()) past the bounds."""
    by: set[int] = set()
    steps = 0
    for tbox in target:
        if budget.left <= 0:
            return "unknown", ()
        cands = cov.candidates(tbox)
        budget.left -= len(cands) // 16  # building the list of candidates costs too
        left: Region = [tbox]
        for n in cands:
            row, abox = cov.boxes[n]
            nxt: Region = []
            for piece in left:
                steps += 1
                if not space.intersects(piece, abox):
                    nxt.append(piece)
                    continue
                by.add(row)
                nxt.extend(space.subtract(piece, abox))
            left = nxt
            if not left:
                break
            if len(left) > MAX_PIECES or steps > MAX_STEPS or steps > budget.left:
                budget.left -= steps
                return "unknown", ()
        budget.left -= steps
        if left:
            return "left", ()
    return "covered", tuple(sorted(by))


def analyse(lay: ir.Layout) -> Analysis:
    """The verdict of every rule and otherwise row of `lay`."""
    an = Analyser()
    space = an.space
    out = Analysis()
    filt: Region | None = [{}]
    if lay.filter is not None:
        filt = an.region(lay.filter)
        if filt == []:
            out.empty_filter = True
            return out
    cov = _Coverers(space)
    budget = _Budget()
    first = lay.hit_policy is ir.HitPolicy.FIRST
    for row in lay.rows:
        if row.kind is not ir.RowKind.RULE or row.cond is None:
            continue
        region = an.region(row.cond)
        target = None if region is None or filt is None else space.product(region, filt)
        if target is None:
            verdict = Verdict(row.index, "unknown")
        elif not target:
            verdict = Verdict(row.index, "unmatchable", alone=not region)
        elif first:
            status, by = _cover(space, target, cov, budget)
            verdict = Verdict(row.index, "shadowed" if status == "covered" else
                              "reachable" if status == "left" else "unknown", by)
        else:
            verdict = Verdict(row.index, "reachable")
        out.rows[row.index] = verdict
        if region is not None:
            cov.add(row.index, region)
    other = next((r for r in lay.rows if r.kind is ir.RowKind.OTHERWISE), None)
    if other is not None:
        status, by = _cover(space, filt, cov, budget) if filt is not None else ("unknown", ())
        out.rows[other.index] = Verdict(other.index, "unreachable" if status == "covered" else
                                        "reachable" if status == "left" else "unknown", by)
    return out


def diagnostics(lay: ir.Layout, otherwise_span: Span | None = None) -> list[Diagnostic]:
    """S1101–S1104 for `lay` (`otherwise_span`: where its `otherwise: true` is written)."""
    res = analyse(lay)
    if res.empty_filter:
        assert lay.filter is not None
        return [catalog.filter_admits_nothing(lay.filter.span, layout=lay.id)]
    out: list[Diagnostic] = []
    filter_span = lay.filter.span if lay.filter is not None else None
    for index, v in sorted(res.rows.items()):
        row = lay.rows[index]
        if v.status == "shadowed":
            assert row.cond is not None
            out.append(catalog.row_shadowed(
                row.cond.span, layout=lay.id, ref=row.ref,
                by=[(lay.rows[i].ref, _rule_span(lay.rows[i])) for i in v.by]))
        elif v.status == "unmatchable":
            assert row.cond is not None
            out.append(catalog.rule_unmatchable(row.cond.span, layout=lay.id, ref=row.ref,
                                                filter_span=None if v.alone else filter_span))
        elif v.status == "unreachable":
            out.append(catalog.otherwise_unreachable(
                otherwise_span or row.span, layout=lay.id, ref=row.ref,
                by=[(lay.rows[i].ref, _rule_span(lay.rows[i])) for i in v.by],
                filtered=lay.filter is not None))
    return out


def _rule_span(row: ir.Row) -> Span:
    return row.cond.span if row.cond is not None else row.span
