"""`apura run portal_gestor --config FILE`: the integration config is the one source of the
settings the seed puts on a system's screen (compiler/integracao_run.py). The Folha categories
and event maps of fixtures/portal_gestor/integracao.yaml (the five categories; entity 4205407:
50 cargos comissionados, 60 funções gratificadas, 70 horas extras — what the fixture's
categoria_portal.csv and evento_portal.csv say) give the run the same figures as those files,
on python and duckdb; a category or an event map changed in the config changes the figures;
a file given too is S1916 at the config's field; Sapo's Poder is the run's `poder`, and a
`--param poder` against it is S1917."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from compiler.cli import cli
from tests.conftest import ROOT

FIX = ROOT / "fixtures" / "portal_gestor" / "4205407"
CONFIG = ROOT / "fixtures" / "portal_gestor" / "integracao.yaml"
ENTITY = "4205407"
DERIVED = ("categoria_portal", "evento_portal")  # the inputs the config gives


def invoke(*args: str | Path) -> tuple[int, str, str]:
    got = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in got.stdout + got.stderr, got.stderr
    return got.exit_code, got.stdout, got.stderr


def run(out: Path, *, config: Path | None, events_file: bool, backend: str = "python",
        more: tuple[str, ...] = (), exercicio: str = "2019") -> tuple[int, str, str]:
    args: list[str | Path] = ["run", ROOT / "generated" / "portal_gestor"]
    for p in sorted(FIX.glob("*.csv")):
        if p.stem not in DERIVED or events_file:
            args += ["--input", f"{p.stem}={p}"]
    if config is not None:
        args += ["--config", config]
    return invoke(*args, "--param", f"exercicio={exercicio}", "--param", "mes=6", *more,
                  "--out", out,
                  "--state", out.parent / f"{out.name}.sqlite", "--backend", backend)


def _records(out: Path, indicator: str) -> list[dict[str, str]]:
    """indicadores.csv (indicador;id_integracao;campo;tipo;valor) → the indicator's records,
    field → value as written."""
    got: dict[str, dict[str, str]] = {}
    for line in (out / ENTITY / "indicadores.csv").read_text("utf-8").splitlines()[1:]:
        ind, ident, field, _, value = line.split(";", 4)
        if ind == indicator:
            got.setdefault(ident, {})[field] = value
    return list(got.values())


def test_the_config_gives_the_events_the_file_gave(tmp_path: Path) -> None:
    code, _, err = run(tmp_path / "csv", config=None, events_file=True)
    assert code == 0, err
    for backend in ("python", "duckdb"):
        out = tmp_path / backend
        code, stdout, err = run(out, config=CONFIG, events_file=False, backend=backend)
        assert code == 0, err
        assert "evento_portal (de " in stdout and "integracao.yaml): 5 lidas, 5 aceitas" in stdout
        assert "categoria_portal (de " in stdout
        for name in ("indicadores.csv", "lotes/indice.json"):
            assert (out / ENTITY / name).read_bytes() == \
                (tmp_path / "csv" / ENTITY / name).read_bytes(), (backend, name)


def test_an_event_moved_in_the_config_moves_the_figures(tmp_path: Path) -> None:
    # evento 70 (320,40 in June, evento_folha.csv) out of horas extras, into comissionados:
    # gastoshorasextras has no June record, June's cargos comissionados go 8.000,00 → 8.320,40
    text = CONFIG.read_text("utf-8").replace("cargos_comissionados: [50]",
                                             "cargos_comissionados: [50, 70]")
    text = text.replace("horas_extras: [70]", "horas_extras: []")
    config = tmp_path / "integracao.yaml"
    config.write_text(text, "utf-8")
    code, _, err = run(tmp_path / "out", config=config, events_file=False)
    assert code == 0, err
    assert _records(tmp_path / "out", "gastoshorasextras") == []
    assert {r["mes"]: r["valor"] for r in _records(tmp_path / "out",
                                                   "gastoscargoscomissionados")} == {
        "5": "8000,00", "6": "8320,40"}


def test_only_the_categories_the_config_sends_count(tmp_path: Path) -> None:
    # servidor.csv: active FUNCIONARIOS 100 and 101, APOSENTADOS 102 (103 is DESLIGADO); the
    # config sends Funcionários only → one record, 2 servidores
    text = CONFIG.read_text("utf-8")
    start = text.index("    categorias: [")
    end = text.index("]", start) + 1
    config = tmp_path / "integracao.yaml"
    config.write_text(text[:start] + "    categorias: [Funcionários]" + text[end:], "utf-8")
    code, _, err = run(tmp_path / "out", config=config, events_file=False)
    assert code == 0, err
    got = _records(tmp_path / "out", "powerNumbersPessoal.servidores")
    assert [(r["categoria"], r["servidores"]) for r in got] == [('"FUNCIONARIOS"', "2")]
    code, _, err = run(tmp_path / "all", config=CONFIG, events_file=False)
    assert code == 0, err
    got = _records(tmp_path / "all", "powerNumbersPessoal.servidores")
    assert sorted((r["categoria"], r["servidores"]) for r in got) == [
        ('"APOSENTADOS"', "1"), ('"FUNCIONARIOS"', "2")]


def test_the_file_and_the_config_together_are_refused(tmp_path: Path) -> None:
    code, stdout, err = run(tmp_path / "out", config=CONFIG, events_file=True)
    assert code == 1
    # the key `eventos:` of the example file: line and column counted in the file
    lines = CONFIG.read_text("utf-8").splitlines()
    line = next(n for n, t in enumerate(lines, start=1) if t.strip() == "eventos:")
    col = lines[line - 1].index("eventos") + 1
    assert f"integracao.yaml:{line}:{col}: erro[S1916]" in err
    cats = next(n for n, t in enumerate(lines, start=1) if t.strip().startswith("categorias:"))
    assert f"integracao.yaml:{cats}:5: erro[S1916]" in err
    assert "--input evento_portal" in err and "--input categoria_portal" in err
    assert "nenhum arquivo foi escrito" in err
    assert not (tmp_path / "out").exists()


def _poder(tmp: Path, poder: str) -> Path:
    config = tmp / "integracao.yaml"
    config.write_text(CONFIG.read_text("utf-8").replace("    poder: E\n", f"    poder: {poder}\n"),
                      "utf-8")
    return config


def test_the_poder_comes_from_sapo(tmp_path: Path) -> None:
    # siconfi.csv, June: RGF01 DESPESA_PESSOAL of the Legislativo 36.000,00, RCL 1.200.000,00
    # → 3,00% against the 6% of LRF art. 20, III (the Executivo's: 660.000,00, 55,00% of 54)
    config = _poder(tmp_path, "L")
    for name, more in (("own", ()), ("same", ("--param", "poder=L"))):
        code, _, err = run(tmp_path / name, config=config, events_file=False, more=more)
        assert code == 0, err
        [lrf] = _records(tmp_path / name, "gastosprevistorealizadolrf")
        assert (lrf["pessoal"], lrf["percentual"], lrf["limiteMaximo"], lrf["cumpre"]) == (
            "36000,00", "3,00", "6,00", "S"), name


def test_a_poder_param_against_sapo_is_refused(tmp_path: Path) -> None:
    config = _poder(tmp_path, "L")
    code, _, err = run(tmp_path / "out", config=config, events_file=False,
                       more=("--param", "poder=E"))
    assert code == 1
    lines = config.read_text("utf-8").splitlines()
    line = next(n for n, t in enumerate(lines, start=1) if t.strip() == "poder: L")
    assert f"integracao.yaml:{line}:12: erro[S1917]: --param poder=E não é o poder do " \
        "sistema Sapo na configuração (L)" in err
    assert not (tmp_path / "out").exists()


def test_a_run_of_another_exercicio_than_the_systems_is_refused(tmp_path: Path) -> None:
    # every system of the example config sends 2019 (Sapo first): a 2020 run is S1917 at Sapo's
    # `exercicio: 2019`; the run writes nothing
    code, _, err = run(tmp_path / "out", config=CONFIG, events_file=False, exercicio="2020")
    assert code == 1
    lines = CONFIG.read_text("utf-8").splitlines()
    sapo = next(n for n, t in enumerate(lines, start=1) if t.strip() == "Sapo:")
    line = next(n for n, t in enumerate(lines, start=1)
                if n > sapo and t.strip() == "exercicio: 2019")
    assert f"integracao.yaml:{line}:16: erro[S1917]: --param exercicio=2020 não é o " \
        "exercicio do sistema Sapo na configuração (2019)" in err
    assert not (tmp_path / "out").exists()


def test_a_system_of_another_exercicio_is_refused(tmp_path: Path) -> None:
    # Sapo 2019 and the run 2019, but Folha's screen set to 2020: the Folha data would be sent
    # for another exercício than the records carry — S1917 at Folha's exercicio
    text = CONFIG.read_text("utf-8")
    folha = text.index("  Folha:\n")
    at = text.index("    exercicio: 2019\n", folha)
    config = tmp_path / "integracao.yaml"
    config.write_text(text[:at] + "    exercicio: 2020\n" + text[at + 20:], "utf-8")
    code, _, err = run(tmp_path / "out", config=config, events_file=False)
    assert code == 1
    line = text[:at].count("\n") + 1
    assert f"integracao.yaml:{line}:16: erro[S1917]: --param exercicio=2019 não é o " \
        "exercicio do sistema Folha na configuração (2020)" in err
