"""The README tells the truth: its embedding example runs, its functions table is complete."""

from __future__ import annotations

import contextlib
import io
import os
import re
from decimal import Decimal

from compiler.builtins import BUILTINS
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text("utf-8")


def test_quickstart_has_exactly_the_two_commands() -> None:
    block = README.split("## Quickstart", 1)[1].split("```", 2)[1]
    assert block.strip().splitlines() == ["make demo", "make test"]


def test_embedding_example_runs(tmp_path) -> None:  # type: ignore[no-untyped-def]
    code = re.search(r"```python\n(.*?)```", README, re.S)
    assert code is not None
    src = code.group(1).replace('"out/embedded"', repr(str(tmp_path / "embedded")))
    out = io.StringIO()
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        scope: dict = {}
        with contextlib.redirect_stdout(out):
            exec(compile(src, "README.md", "exec"), scope)  # noqa: S102
    finally:
        os.chdir(cwd)
    lines = out.getvalue().splitlines()
    assert Decimal(lines[0]) == Decimal("396302.00")
    assert lines[1] == "3170206/Siops.zip"
    assert len(scope["written"]) == 6 + 1 + 3  # quadros, Receitas, Siops.zip, manifest, provenance
    assert (tmp_path / "embedded" / "3170206" / "covid_77_despesas_uniao.IMPT").is_file()
    # the explanation: the one record of row 9999999013 (despesa.csv:2), and the check
    assert "    fixtures/siops/small/despesa.csv:2  10000,00" in lines
    assert lines[-1] == "True"


def test_every_builtin_is_documented() -> None:
    for name in BUILTINS:
        assert f"`{name}(" in README, name


def test_the_provisional_service_layer_facts_are_in_one_place() -> None:
    """Issue 11: the Portal do Gestor's provisional service-layer facts are listed in ONE
    section, which names both what the specs declare and what the protocol infers."""
    heading = "### Service layer: what is provisional"
    assert README.count(heading) == 1
    section = README.split(heading, 1)[1].split("\n## ", 1)[0]
    for fact in ("EDUCACAO_MEDIA_ESCOLA_1A5_MENORES", "payload_key", "idIntegracao", "TMA",
                 "**Paths**", "**States**", "**Idempotence**", "url_testes", "**Schedules**"):
        assert fact in section, fact
