"""Lookups are evaluated where their value is needed: a later argument of `coalesce` only when
the earlier ones are null, a branch of `if` only when the condition picks it
(compiler/scanplan.py LAZY). A missing key (D0201) or an unconfirmed entry (D0802) there is no
error when the value was not needed — the município's exception before the national table
works for a key the national table lacks. Python, DuckDB and Spark alike."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

import runtime
from runtime.errors import RunFailed
from tests.exprkit import BACKENDS
from tests.exprkit import build
from tests.exprkit import count_layout

MAPS = {
    "exc.yaml": """kind: ledger
id: excecoes
format: {type: csv, delimiter: ";", encoding: utf-8}
fields:
  s: {type: str}
  v: {type: str}
""",
    "nac.yaml": """kind: ledger
id: nacional
format: {type: csv, delimiter: ";", encoding: utf-8}
fields:
  s: {type: str}
  v: {type: str}
  status: {type: str, required: false}
""",
    "m_exc.yaml": """kind: map
id: excecao
source: excecoes
key: [s]
values: [v]
on_missing: "null"
""",
    "m_nac.yaml": """kind: map
id: tabela
source: nacional
key: [s]
values: [v]
on_missing: error
status: status
""",
}
EXC = [{"s": "E", "v": "X"}, {"s": "N2", "v": "X"}]          # E: only an exception
NAC = [{"s": "N", "v": "X", "status": None}, {"s": "N2", "v": "Y", "status": "SUGERIDA"}]
VALUE = 'coalesce(lookup(excecao, s).v, lookup(tabela, s).v) == "X"'


def _program(tmp: Path, cond: str) -> runtime.Program:
    return build(tmp, {**MAPS, "c.yaml": count_layout(cond)})


def _outcome(program: runtime.Program, rows: list[dict[str, Any]], backend: str
             ) -> tuple[str, ...] | bytes:
    """The quadro's bytes, or the codes and lines of the run's errors."""
    full = [{"k": "x", "a": None, "b": None, "s": None, "d": None, "f": None, **r} for r in rows]
    try:
        got = program.run(ledgers={"t": full, "excecoes": EXC, "nacional": NAC}, params={"p": 7},
                          backend=backend)
    except RunFailed as exc:
        return tuple(sorted(f"{e.code}@{e.line}" for e in exc.errors))
    return got.outputs["x/c.IMPT"]


def _count(out: tuple[str, ...] | bytes) -> int:
    assert isinstance(out, bytes), out
    return int(out.split(b"R$")[1].split(b",")[0])


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_exception_for_a_key_the_table_lacks_needs_no_entry_there(tmp_path, backend) -> None:  # type: ignore[no-untyped-def]
    """E has only an exception: the table is not looked up for it (before, D0201 at line 1).
    N has only the table's entry, confirmed."""
    program = _program(tmp_path, VALUE)
    assert _count(_outcome(program, [{"s": "E"}, {"s": "N"}], backend)) == 2


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_key_in_neither_is_still_d0201(tmp_path, backend) -> None:  # type: ignore[no-untyped-def]
    program = _program(tmp_path, VALUE)
    assert _outcome(program, [{"s": "E"}, {"s": "Z"}], backend) == ("D0201@2",)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_suggested_entry_is_used_only_when_its_value_is_needed(tmp_path, backend) -> None:  # type: ignore[no-untyped-def]
    """N2 is SUGERIDA in the table but has an exception: not used, no D0802. The same key
    through the table alone (`lookup(tabela, s)` outside coalesce) uses it: D0802 at the
    entry's line (N2 is the table's second row)."""
    program = _program(tmp_path, VALUE)
    assert _count(_outcome(program, [{"s": "N2"}], backend)) == 1
    direct = _program(tmp_path, 'lookup(tabela, s).v == "Y"')
    assert _outcome(direct, [{"s": "N2"}], backend) == ("D0802@2",)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("f", "want"), [(False, 0), (None, 0), (True, ("D0201@1",))])
def test_an_if_branch_not_taken_makes_no_lookup(tmp_path, backend, f, want) -> None:  # type: ignore[no-untyped-def]
    """`if f then lookup(...) else false`: a null condition takes the else branch, as false."""
    program = _program(tmp_path, 'if f then lookup(tabela, s).v == "X" else false')
    got = _outcome(program, [{"s": "Z", "f": f}], backend)
    assert (got if isinstance(got, tuple) else _count(got)) == want


@pytest.mark.parametrize("backend", BACKENDS)
def test_one_lookup_under_two_guards_of_one_expression(tmp_path, backend) -> None:  # type: ignore[no-untyped-def]
    """The table's lookup under `coalesce`'s null guard and under an `if` branch: each guard
    has its own local in the Python scan (one left None must not reach the other)."""
    cond = f'{VALUE} and (if f then lookup(tabela, s).v == "X" else true)'
    program = _program(tmp_path, cond)
    rows = [{"s": "E", "f": False}, {"s": "N", "f": True}, {"s": "E", "f": None}]
    assert _count(_outcome(program, rows, backend)) == 3
    assert _outcome(program, [{"s": "E", "f": True}], backend) == ("D0201@1",)


KEYS = st.sampled_from(["E", "N", "N2", "Z", None])
ROWS = st.lists(st.fixed_dictionaries({"s": KEYS, "f": st.sampled_from([True, False, None])}),
                min_size=1, max_size=6)
CONDS = [VALUE, 'if f then lookup(tabela, s).v == "X" else lookup(excecao, s).v is null',
         'coalesce(if f then lookup(excecao, s).v else null, lookup(tabela, s).v) == "X"']


@pytest.fixture(scope="module")
def programs(tmp_path_factory: pytest.TempPathFactory) -> list[runtime.Program]:
    return [_program(tmp_path_factory.mktemp("lazy"), cond) for cond in CONDS]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=ROWS, which=st.integers(0, len(CONDS) - 1))
def test_python_and_duckdb_agree_on_random_records(programs, rows, which) -> None:  # type: ignore[no-untyped-def]
    """Outputs, or the errors' codes and lines, are the same on both back ends."""
    program = programs[which]
    assert _outcome(program, rows, "python") == _outcome(program, rows, "duckdb")
