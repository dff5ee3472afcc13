"""The table of functions of the expression language, read by the checker, lowerer, back ends
and the README's language reference."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Builtin:
    """A function: name, arity range, whether it aggregates, and one documentation line."""

    name: str
    min_args: int
    max_args: int
    aggregate: bool
    signature: str
    doc: str


BUILTINS: dict[str, Builtin] = {b.name: b for b in (
    Builtin("sum", 1, 1, True, "sum(x [where c]) -> decimal|int",
            "soma de x nos registros (onde c); nulos são ignorados; a soma de nada é 0"),
    Builtin("count", 0, 1, True, "count([x] [where c]) -> int",
            "quantidade de registros (com x não nulo, onde c)"),
    Builtin("min", 1, 1, True, "min(x [where c]) -> x?", "menor valor; nulo se não houver"),
    Builtin("max", 1, 1, True, "max(x [where c]) -> x?", "maior valor; nulo se não houver"),
    Builtin("coalesce", 2, 8, False, "coalesce(a, b, ...) -> T",
            "o primeiro argumento não nulo"),
    Builtin("lookup", 2, 9, False, "lookup(mapa, chave...) -> registro",
            "entrada do mapa para a chave; chave ausente conforme on_missing do mapa"),
    Builtin("cell", 3, 3, False, 'cell("layout", "ref", "Vn") -> decimal',
            "valor de uma célula de outro layout, na mesma partição (ex.: município)"),
    Builtin("round", 1, 2, False, "round(x, n=2) -> decimal",
            "arredonda x com n casas, metade para o par (ABNT NBR 5891)"),
    Builtin("round_half_up", 1, 2, False, "round_half_up(x, n=2) -> decimal",
            "arredonda x com n casas, metade para cima"),
    Builtin("abs", 1, 1, False, "abs(x) -> x", "valor absoluto"),
    Builtin("left", 2, 2, False, "left(texto, n) -> str",
            "os n primeiros caracteres do texto (n literal); todo o texto se for mais curto"),
    Builtin("concat", 2, 8, False, "concat(a, b, ...) -> str",
            "junta textos e inteiros (o inteiro em decimal); nulo se um deles for nulo"),
    Builtin("join_texts", 2, 16, False, 'join_texts("; ", a, b, ...) -> str',
            "os textos não nulos, na ordem, separados pelo primeiro (literal); nulo se todos "
            "forem nulos"),
    Builtin("date_text", 2, 2, False, 'date_text(d, "AAAAMMDD") -> str',
            "a data como texto: AAAAMMDD, DDMMAAAA, AAAA-MM-DD, DD-MM-AAAA ou DD/MM/AAAA"),
    Builtin("within", 3, 3, False, "within(x, inicio, fim) -> bool",
            "inicio <= x <= fim; inicio ou fim nulos deixam o intervalo aberto"),
    Builtin("date", 3, 3, False, "date(ano, mes, dia) -> date", "monta uma data"),
    Builtin("fim_bimestre", 2, 2, False, "fim_bimestre(ano, bimestre) -> date",
            "último dia do bimestre (1–6) do ano"),
    Builtin("year", 1, 1, False, "year(d) -> int", "ano da data"),
    Builtin("month", 1, 1, False, "month(d) -> int", "mês da data"),
    Builtin("day", 1, 1, False, "day(d) -> int", "dia da data"),
    Builtin("bimestre", 1, 1, False, "bimestre(d) -> int", "bimestre (1–6) da data"),
)}

# date_text's patterns: the order of the parts (Y, M, D) and the separator between them
DATE_TEXT = {"AAAAMMDD": ("YMD", ""), "DDMMAAAA": ("DMY", ""), "AAAA-MM-DD": ("YMD", "-"),
             "DD-MM-AAAA": ("DMY", "-"), "DD/MM/AAAA": ("DMY", "/")}

AGGREGATES = tuple(n for n, b in BUILTINS.items() if b.aggregate)
