"""The Portal do Gestor integration config (compiler/integracao.py): every S19xx code has a case
under tests/cases/integracao/<CODE>_<slug>/ (integracao.yaml with ONE mistake, expect.txt with
`CODE file:line:col`, positions read off the case file by hand; the rendered text is
snapshotted, as the spec diagnostics are), the example file loads, and
no token ever reaches a message or a rendered line (hypothesis-generated tokens)."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from compiler.catalog_integracao import EXAMPLE
from compiler.diagnostics import render
from compiler.integracao import load_config
from compiler.integracao_run import against_run
from runtime.portal_settings import DAILY
from runtime.portal_settings import HOURLY
from tests.conftest import ROOT

CASES_DIR = ROOT / "tests" / "cases" / "integracao"
CASES = sorted(p for p in CASES_DIR.iterdir() if p.is_dir())
CATALOG = ROOT / "compiler" / "catalog_integracao.py"


def _load(path: Path):  # type: ignore[no-untyped-def]
    r = load_config(path, "integracao.yaml")
    return r, render(r.diagnostics, lambda _: r.source)


def _against_run(case: Path, r):  # type: ignore[no-untyped-def]
    """A case with `run.txt` (lines `input NAME`, `param NAME=VALUE`: what `apura run
    --config` is given besides) is checked against that run (compiler/integracao_run.py):
    the config itself is valid, the run conflicts with it."""
    assert r.settings is not None and not r.diagnostics
    lines = [line.split(maxsplit=1) for line in (case / "run.txt").read_text().splitlines()
             if line.strip()]
    inputs = [v for k, v in lines if k == "input"]
    params = dict(v.split("=", 1) for k, v in lines if k == "param")
    _, diags = against_run(r, inputs, params)
    return diags


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_config_case(case: Path, diag_snapshot) -> None:  # type: ignore[no-untyped-def]
    r, text = _load(case / "integracao.yaml")
    if (case / "run.txt").exists():
        diags = _against_run(case, r)
        r = type(r)(None, diags, r.source, r.spans)
        text = render(diags, lambda _: r.source)
    want = [tuple(line.split()) for line in (case / "expect.txt").read_text().splitlines()
            if line.strip()]
    got = [(d.code, f"{d.span.file}:{d.span.line}:{d.span.col}") for d in r.diagnostics]
    assert got == want
    code = case.name.split("_", 1)[0]
    assert code in {c for c, _ in got}
    assert r.settings is None
    assert f"erro[{code}]: " in text
    # __snapshots__/test_integracao_config/test_config_case[<case folder>].txt: the wording
    assert diag_snapshot == text
    # the case's token (its code, without Bearer) is never shown
    for line in (case / "integracao.yaml").read_text().splitlines():
        key, _, value = line.strip().partition(":")
        if key in ("token", "chave_acesso") and len(value.strip()) > 6 \
                and not value.strip().startswith("{env:"):  # a variable's name, no secret
            secret = value.strip().removeprefix("Bearer").strip()
            if secret == EXAMPLE:  # the manual's own example, which the help quotes
                continue
            assert secret not in text and secret[:8] not in text


def test_every_code_has_a_case() -> None:
    codes = {kw.value.value for node in ast.walk(ast.parse(CATALOG.read_text("utf-8")))
             if isinstance(node, ast.Call) for kw in node.keywords
             if kw.arg == "code" and isinstance(kw.value, ast.Constant)}
    assert codes == {f"S19{n:02d}" for n in range(1, 19)}
    assert codes <= {c.name.split("_", 1)[0] for c in CASES}


def test_the_example_config_loads() -> None:
    r, text = _load(ROOT / "fixtures" / "portal_gestor" / "integracao.yaml")
    assert text == "" and r.settings is not None
    s = r.settings
    # by hand from the file: Saúde hourly (the seed), Protocolo daily (ativar: true),
    # Almoxarifado daily (agenda: diaria), the rest by hand
    assert {x.name: x.schedule for x in s.systems if x.schedule} == {
        "Protocolo": DAILY, "Saúde": HOURLY, "Almoxarifado": DAILY}
    compras = s.system("Compras")
    assert compras is not None and compras.token.startswith("Bearer ")
    assert compras.authorization == "Bearer 3c4d5e6f-2a3b-4c7d-8e9f-2a3b4c5d6e7f"
    sapo = s.system("Sapo")
    assert sapo is not None and sapo.exercicio == 2019 and sapo.option("poder") == "E"
    assert sapo.authorization == "Bearer 1a2b3c4d-0e1f-4a5b-8c9d-0e1f2a3b4c5d"
    assert s.system("Tributos").option("ambiente") == "Produção"  # type: ignore[union-attr]
    assert s.folha is not None and len(s.folha.categorias) == 5
    assert dict(dict(s.folha.eventos)["4205407"])["horas_extras"] == (70,)
    assert (s.delivery.timeout, s.delivery.tries, s.delivery.poll_limit) == (30.0, 5, 600.0)
    assert "1a2b3c4d" not in repr(s)  # tokens are left out of repr


ALNUM = string.ascii_letters + string.digits


def _code() -> st.SearchStrategy[str]:
    parts = [st.text(ALNUM, min_size=n, max_size=n) for n in (8, 4, 4, 4, 12)]
    return st.tuples(*parts).map("-".join)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(code=_code(), system=st.sampled_from(["Sapo", "Compras", "Educação", "Estoque"]),
       mistake=st.sampled_from(["none", "space", "bearer", "nobearer", "short"]),
       cut=st.integers(1, 35))
def test_tokens_never_reach_the_output(tmp_path_factory, code: str, system: str, mistake: str,
                                       cut: int) -> None:  # type: ignore[no-untyped-def]
    bearer = system == "Compras"
    value = {"none": code, "space": code[:cut] + " " + code[cut:], "short": code[:cut],
             "bearer": "Bearer " + code, "nobearer": code}[mistake]
    if bearer and mistake in ("none", "space", "short"):
        value = "Bearer " + value
    extra = "    exercicio: 2019\n    poder: X\n" if system == "Sapo" else ""
    text = f"sistemas:\n  {system}:\n    url: https://x.gov.br/api\n    token: '{value}'\n{extra}"
    path = tmp_path_factory.mktemp("cfg") / "integracao.yaml"
    path.write_text(text, "utf-8")
    r, shown = _load(path)
    # a Sapo with poder X always fails (S1910), so the output has the token's line near it
    for piece in {code[:cut], code[cut:], code}:
        if len(piece) >= 6:
            assert piece not in shown
            assert all(piece not in d.message and piece not in (d.help or "")
                       for d in r.diagnostics)
    if system == "Sapo":
        assert "S1910" in shown


def test_a_token_in_broken_flow_yaml_is_masked(tmp_path: Path) -> None:
    path = tmp_path / "integracao.yaml"
    path.write_text("sistemas: {Sapo: {url: 'https://x.gov.br', token: 1a2b3c4d-0e1f-4a5b-8c9d"
                    "-0e1f2a3b4c5d, exercicio: 2019\n", "utf-8")
    r, text = _load(path)
    assert [d.code for d in r.diagnostics] == ["Y0101"]
    assert "1a2b3c4d" not in text and "********-****-****-****-************" in text


def _env_config(tmp: Path, system: str, form: str = "{env: PORTAL_TOKEN}") -> Path:
    extra = "    exercicio: 2019\n    poder: E\n" if system == "Sapo" else ""
    path = tmp / "integracao.yaml"
    path.write_text(f"sistemas:\n  {system}:\n    url: https://x.gov.br/api\n"
                    f"    token: {form}\n{extra}", "utf-8")
    return path


def test_a_token_from_the_environment(tmp_path: Path) -> None:
    code = "1a2b3c4d-0e1f-4a5b-8c9d-0e1f2a3b4c5d"
    for form in ("{env: PORTAL_TOKEN}", "\n      env: PORTAL_TOKEN"):
        r = load_config(_env_config(tmp_path, "Sapo", form), "integracao.yaml",
                        {"PORTAL_TOKEN": code})
        assert r.diagnostics == [] and r.settings is not None
        sapo = r.settings.system("Sapo")
        assert sapo is not None and sapo.authorization == f"Bearer {code}"
        assert r.settings.secrets == (code,)  # redacted from what the service says
    # Compras takes "Bearer " and the code, from the variable as in the file
    r = load_config(_env_config(tmp_path, "Compras"), "integracao.yaml",
                    {"PORTAL_TOKEN": f"Bearer {code}"})
    assert r.diagnostics == [] and r.settings is not None
    # the line under the caret shows the variable's name (not a secret)
    r = load_config(_env_config(tmp_path, "Saúde"), "integracao.yaml", {})
    text = render(r.diagnostics, lambda _: r.source)
    assert [(d.code, d.span.line, d.span.col) for d in r.diagnostics] == [("S1918", 4, 18)]
    assert "token: {env: PORTAL_TOKEN}" in text and "não está definida" in text
    r = load_config(_env_config(tmp_path, "Saúde"), "integracao.yaml", {"PORTAL_TOKEN": ""})
    assert "está vazia" in r.diagnostics[0].message
    r = load_config(_env_config(tmp_path, "Saúde", "{env: 1X}"), "integracao.yaml", {})
    assert "não é um nome de variável" in r.diagnostics[0].message
    r = load_config(_env_config(tmp_path, "Saúde", "{var: X}"), "integracao.yaml", {})
    assert sorted(d.code for d in r.diagnostics) == ["S1901", "S1902"]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(code=_code(), system=st.sampled_from(["Sapo", "Compras", "Educação", "Almoxarifado"]),
       mistake=st.sampled_from(["none", "space", "bearer", "nobearer", "short"]),
       cut=st.integers(1, 35))
def test_a_token_from_the_environment_is_checked_and_never_shown(
        tmp_path_factory, code: str, system: str, mistake: str, cut: int) -> None:  # type: ignore[no-untyped-def]
    """The same rules as a token in the file (S1906–S1908 at the variable's name), and no
    piece of the variable's value in any message or rendered line."""
    bearer = system == "Compras"
    value = {"none": code, "space": code[:cut] + " " + code[cut:], "short": code[:cut],
             "bearer": "Bearer " + code, "nobearer": code}[mistake]
    if bearer and mistake in ("none", "space", "short"):
        value = "Bearer " + value
    field = "chave_acesso" if system == "Almoxarifado" else "token"
    path = _env_config(tmp_path_factory.mktemp("cfg"), system).read_text("utf-8")
    folder = tmp_path_factory.mktemp("cfg")
    (folder / "integracao.yaml").write_text(path.replace("token:", f"{field}:"), "utf-8")
    r = load_config(folder / "integracao.yaml", "integracao.yaml", {"PORTAL_TOKEN": value})
    shown = render(r.diagnostics, lambda _: r.source)
    # by hand: which mistakes the seed's rules refuse on each screen
    wrong = (mistake in ("space", "short") or (mistake == "bearer" and not bearer)
             or (mistake == "nobearer" and bearer))
    assert (r.settings is None) == wrong
    assert {d.code for d in r.diagnostics} <= {"S1906", "S1907", "S1908"}
    for d in r.diagnostics:
        # at the name PORTAL_TOKEN: 4 spaces, the field, ": {env: " (8), column 1-based
        assert (d.span.line, d.span.col) == (4, 4 + len(field) + 8 + 1)
    for piece in {code[:cut], code[cut:], code}:
        if len(piece) >= 6:
            assert piece not in shown
