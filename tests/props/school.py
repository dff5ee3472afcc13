"""What the assinatura property tests share to write their random school data as the
package's inputs: a date as the ledgers write it (DD/MM/YYYY, empty for none), a CSV file in
the inputs' dialect (`;`, UTF-8, the rows as given), documento.csv from a diário's cells, and
the fixture files they take as they are (fixtures/assinatura/)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from tests.conftest import ROOT

FIXTURES = ROOT / "fixtures" / "assinatura"
# documento.csv's columns (specs/assinatura/documento.yaml), `usuario` being optional
DOCUMENTO = ("documento", "tipo", "origem", "relatorio", "descricao", "ra", "idturmadisc",
             "codcoligada", "codfilial", "idmatrizaplicada", "codetapa", "idperlet",
             "data_geracao", "data_limite", "situacao", "inicio_processo",
             "assinatura_professor")


def day_text(x: dt.date | None) -> str:
    return "" if x is None else x.strftime("%d/%m/%Y")


def write_csv(path: Path, rows: list[list[str]]) -> str:
    """`rows` (the header first) written to `path`; its path as text, for `ledgers=`."""
    buf = io.StringIO()
    csv.writer(buf, delimiter=";", lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), "utf-8")
    return str(path)


def diario(n: int, relatorio: str, gerado: dt.date, **cells: str) -> dict[str, str]:
    """Document D<n>, a diário de classe of `relatorio` generated on `gerado` in período
    letivo 10, not sent: documento.csv's cells, `cells` replacing them (the others empty)."""
    return {"documento": f"D{n}", "tipo": "DIARIO_DE_CLASSE", "origem": "Turma/Disciplina",
            "relatorio": relatorio, "descricao": f"Doc {n}", "idperlet": "10",
            "data_geracao": day_text(gerado), "situacao": "nao_enviado", **cells}


def documentos(path: Path, docs: list[dict[str, str]]) -> str:
    """documento.csv of `docs` (diario's cells) at `path`."""
    return write_csv(path, [list(DOCUMENTO), *([d.get(c, "") for c in DOCUMENTO]
                                               for d in docs)])


def shipped(*names: str) -> dict[str, str]:
    """The fixture files of these inputs, as `ledgers=` takes them."""
    return {n: str(FIXTURES / f"{n}.csv") for n in names}
