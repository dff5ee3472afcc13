"""The "fora do prazo" freeze (issue 13; `incremental.frozen:`, runtime/derivation_freeze.py)
over random sequences of runs into one state file: python and duckdb give the same files at
every run, and

* a status frozen at a load (fora do prazo, congelado_desde N) is the same status with the
  same N at every later run, whatever the later extracts and dates say (signed, deadline
  moved, run date earlier, the document absent from the extract);
* an oracle written here agrees on every row: the picture is the last version of each
  document given so far (one scope per document: an extract brings the documents it has);
  the rule's status is assinado / fora do prazo (deadline before the run's date) / em
  assinatura / pendente; a document freezes at the first run whose rule says fora do prazo,
  and that run's load is N — a run is a load when a record changed or something froze.

Random: up to 5 runs of 1–3 documents among D1–D3 (valid aluno Boletim documents), each with
a deadline (or none) and a service state, and a run date in June 2024, not in order.
Cost: 4 back-end runs per run (python and duckdb, each into its own state), max_examples 25.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

import runtime
from tests.conftest import ROOT
from tests.props.school import day_text

PROGRAM = runtime.load(ROOT / "generated" / "assinatura")
FIXTURES = ROOT / "fixtures" / "assinatura"
D0 = dt.date(2024, 6, 1)
HEADER = ["documento", "tipo", "origem", "relatorio", "descricao", "ra", "idturmadisc",
          "codcoligada", "codfilial", "idmatrizaplicada", "codetapa", "idperlet",
          "data_geracao", "data_limite", "situacao", "inicio_processo", "assinatura_professor",
          "usuario"]

day = st.integers(0, 29).map(lambda n: D0 + dt.timedelta(days=n))
doc = st.tuples(st.one_of(st.none(), day),
                st.sampled_from(["nao_enviado", "em_assinatura", "assinado"]))
extract = st.dictionaries(st.sampled_from(["D1", "D2", "D3"]), doc, min_size=1, max_size=3)
run = st.tuples(extract, day)


def _inputs(t: Path, n: int, docs: dict[str, tuple[Any, str]]) -> dict[str, str]:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\n")
    w.writerow(HEADER)
    for d, (limit, sit) in docs.items():
        w.writerow([d, "ALUNO", "Aluno", "Boletim", "Boletim", "1", *[""] * 6, day_text(D0),
                    day_text(limit), sit, "", "", ""])
    (t / f"d{n}.csv").write_text(buf.getvalue(), "utf-8")
    params = t / "p.csv"
    params.write_text("documento;parametro\n" + "".join(
        f"D{i};CODCOLIGADA\nD{i};RA\n" for i in (1, 2, 3)), "utf-8")
    return {"documento": str(t / f"d{n}.csv"), "documento_parametro": str(params),
            **{x: str(FIXTURES / f"{x}.csv") for x in ("relatorio", "etapa", "periodo_letivo")}}


def _rule(limit: dt.date | None, sit: str, base: dt.date) -> str:
    if sit == "assinado":
        return "assinado"
    if limit is not None and limit < base:
        return "fora do prazo"
    return "em assinatura" if sit == "em_assinatura" else "pendente"


def _oracle(runs: list[tuple[dict[str, Any], dt.date]]) -> list[dict[str, tuple[str, str]]]:
    """Per run: documento → (situacao_plano, congelado_desde)."""
    picture: dict[str, tuple[Any, str]] = {}
    frozen: dict[str, int] = {}
    load = 0
    out = []
    for docs, base in runs:
        changed = any(picture.get(d) != v for d, v in docs.items())
        picture.update(docs)
        rule = {d: _rule(*v, base) for d, v in picture.items()}
        fresh = [d for d, s in rule.items() if s == "fora do prazo" and d not in frozen]
        if changed or fresh:
            load += 1
        for d in fresh:
            frozen[d] = load
        out.append({d: ("fora do prazo", str(frozen[d])) if d in frozen else (rule[d], "")
                    for d in sorted(picture)})
    return out


def _table(data: bytes) -> dict[str, tuple[str, str]]:
    rows = csv.DictReader(io.StringIO(data.decode("utf-8")), delimiter=";")
    return {r["documento"]: (r["situacao_plano"], r["congelado_desde"]) for r in rows}


@settings(max_examples=25, deadline=None)
@example([({"D1": (D0, "em_assinatura")}, D0 + dt.timedelta(days=5)),   # frozen at load 1
          ({"D1": (None, "assinado")}, D0),                              # signed, no deadline
          ({"D2": (None, "nao_enviado")}, D0)])                          # D1 absent
@given(st.lists(run, min_size=1, max_size=5))
def test_a_frozen_status_never_changes(runs) -> None:  # type: ignore[no-untyped-def]
    want = _oracle(runs)
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        got: dict[str, list[dict[str, tuple[str, str]]]] = {}
        files: dict[str, list[bytes]] = {}
        for backend in ("python", "duckdb"):
            state = t / f"{backend}.sqlite"
            for n, (docs, base) in enumerate(runs):
                result = PROGRAM.run_to(t / f"{backend}{n}", _inputs(t, n, docs),
                                        {"data_base": base.isoformat()}, state=state,
                                        backend=backend).result
                data = result.outputs["documentos.csv"]
                files.setdefault(backend, []).append(data)
                got.setdefault(backend, []).append(_table(data))
    assert files["python"] == files["duckdb"]
    seen: dict[str, tuple[str, str]] = {}
    for n, table in enumerate(got["python"]):
        for d, (status, since) in table.items():
            if d in seen:
                assert (status, since) == seen[d], (n, d)
            elif since:
                assert status == "fora do prazo"
                seen[d] = (status, since)
        assert set(seen) <= set(table)  # a frozen document stays in the picture
    assert got["python"] == want
