"""The S11xx analysis (compiler/shadow.py) on real layouts: the COVID quadros pass as they are
(quadro 77's row 9999999023, `subfuncao == 302` after the six 302 rows that also test
covid_siops_desp, still gets the other 302 records); moved above them, it takes them all."""

from __future__ import annotations

import shutil
from pathlib import Path

from compiler import check
from compiler import ir
from compiler import shadow
from tests.conftest import ROOT

ROW_023 = '''  - ref: "9999999023"
    record_id: "7711"
    label: Outras ações da assistência hospitalar e ambulatorial
    rule: subfuncao == 302
'''


def _layouts(folder: Path, base: Path) -> dict[str, ir.Layout]:
    res = check(folder, base=base)
    assert res.ir is not None, [d.message for d in res.errors]
    return {lay.id: lay for lay in res.ir.layouts}


def test_every_covid_row_can_get_records() -> None:
    layouts = _layouts(ROOT / "specs" / "siops", ROOT)
    assert {"covid/70", "covid/77", "covid/79"} <= set(layouts)
    for lay in layouts.values():
        res = shadow.analyse(lay)
        assert not res.empty_filter
        assert {v.status for v in res.rows.values()} <= {"reachable"}, lay.id
    q77 = layouts["covid/77"]
    i023 = next(r.index for r in q77.rows if r.ref == "9999999023")
    assert shadow.analyse(q77).rows[i023].status == "reachable"


def test_the_general_302_row_above_the_specific_ones_takes_their_records(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "specs", tmp_path / "specs")
    q77 = tmp_path / "specs" / "siops" / "covid_77.yaml"
    text = q77.read_text("utf-8")
    assert ROW_023 in text
    first_302 = '  - ref: "9999999017"'
    text = text.replace(ROW_023, "").replace(first_302, ROW_023 + first_302)
    q77.write_text(text, "utf-8")
    res = check(tmp_path / "specs" / "siops", base=tmp_path)
    got = [(d.code, d.span.line) for d in res.diagnostics if d.code.startswith("S11")]
    lines = text.splitlines()
    rules = [n + 1 for n, line in enumerate(lines) if "subfuncao == 302 and" in line]
    assert got == [("S1101", n) for n in rules] and len(rules) == 6
    for d in res.diagnostics:
        if d.code == "S1101":
            assert "'9999999023'" in d.message and len(d.labels) == 1
            assert lines[d.labels[0].span.line - 1].strip() == "rule: subfuncao == 302"


def test_a_big_layout_is_analysed_in_linear_time(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """1,000 rows `a == k and s != "xk"`: each row is compared only with the rows that hold
    `a` to its value (an index: none here), and the otherwise row's proof is given up past
    MAX_STEPS box comparisons — not a million comparisons."""
    from compiler import regions
    from tests.limitkit import write_big_package

    lay = _layouts(write_big_package(tmp_path, 1000), tmp_path)["big"]
    calls = []
    real = regions.Space.intersects
    monkeypatch.setattr(regions.Space, "intersects",
                        lambda self, a, b: calls.append(1) or real(self, a, b))
    res = shadow.analyse(lay)
    statuses = [v.status for v in res.rows.values()]
    assert statuses.count("reachable") == 1000 and statuses.count("unknown") == 1
    other = next(r.index for r in lay.rows if r.kind is ir.RowKind.OTHERWISE)
    assert res.rows[other].status == "unknown"
    assert len(calls) <= shadow.MAX_STEPS + shadow.MAX_PIECES  # checked after each row
