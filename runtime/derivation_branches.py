"""The if-branches of a derivation field, for `apura explain` (runtime/explain_derivation.py):
which conditions of an `if ... then ... else if ... else ...` chain held on the record and
which branch was taken — assinatura's `situacao_plano` is "fora do prazo" because
`data_limite is not null and data_limite < $data_base` held after two that did not — and, for
a call of if-chains (`motivos: join_texts("; ", if ..., if ...)`), what each if-argument gave.

The compiler declares them beside the field (compiler/kinds/derivation/branches.py,
`Derivation.branches`): each condition a lambda over the fields it reads — the record's, the
collections' `_c<n>`, the parameters', a key's aggregates `_a<n>` — so they are evaluated on
the env the explainer already builds for the field, with the field's own semantics: a branch
is taken when its condition is true; false and null (unknown) are not true. The conditions
after the taken branch are not evaluated (the back ends do not evaluate them either): they
are counted, not shown."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from runtime.locations import Loc

Fn = tuple[Callable[..., Any], tuple[str, ...]]  # a lambda and the fields it takes


@dataclass(frozen=True, slots=True)
class Arm:
    """One arm of an if-chain: its condition (None: the final else) and its texts as written,
    where the condition (the else: its value) is in the YAML, and the chain its then is."""

    cond: Fn | None
    text: str
    value: str
    at: Loc | None
    inner: tuple[Arm, ...] = ()


@dataclass(frozen=True, slots=True)
class Part:
    """An argument of the field's call that is an if-chain (0-based position)."""

    index: int
    value: Fn
    text: str
    at: Loc | None
    arms: tuple[Arm, ...]


@dataclass(frozen=True, slots=True)
class Branches:
    """A field's if-chain (`arms`), or the if-arguments of the call it is (`call`, `parts`)."""

    field: str
    arms: tuple[Arm, ...]
    call: str = ""
    parts: tuple[Part, ...] = ()


def _call(fn: Fn, env: Mapping[str, Any]) -> Any:
    return fn[0](*[env[f] for f in fn[1]])


def evaluate(b: Branches, env: Mapping[str, Any], value: Any,
             exact: Callable[[Any], Any], source: Callable[[Loc | None], Any]
             ) -> dict[str, Any]:
    """The tree's `branches` (JSON-ready: `exact` and `source` as the tree writes values and
    positions): `arms` — each condition tested, in order, with `holds` (true, false or null)
    and `taken`; the taken one with its `then` as written and the `result` — and
    `not_evaluated`, the arms after it; for a call, `call` and `arguments`, each if-argument
    (1-based `position`) with its text, value and arms."""
    if b.arms:
        return {"field": b.field, **_chain(b.arms, env, value, exact, source)}
    args = []
    for p in b.parts:
        got = _call(p.value, env)
        args.append({"position": p.index + 1, "text": p.text, "source": source(p.at),
                     "value": exact(got), **_chain(p.arms, env, got, exact, source)})
    return {"field": b.field, "call": b.call, "arguments": args}


def _chain(arms: tuple[Arm, ...], env: Mapping[str, Any], value: Any,
           exact: Callable[[Any], Any], source: Callable[[Loc | None], Any]
           ) -> dict[str, Any]:
    tested: list[dict[str, Any]] = []
    for arm in arms:
        holds = None if arm.cond is None else _call(arm.cond, env)
        taken = arm.cond is None or holds is True
        row: dict[str, Any] = {"condition": None if arm.cond is None else arm.text,
                               "source": source(arm.at),
                               "holds": holds if isinstance(holds, bool) else None,
                               "taken": taken}
        tested.append(row)
        if taken:
            row["then"] = arm.value
            row["result"] = exact(value)
            if arm.inner:
                row["inner"] = _chain(arm.inner, env, value, exact, source)
            break
    return {"arms": tested, "not_evaluated": len(arms) - len(tested)}


def decision(t: Mapping[str, Any]) -> str:
    """The tree's `decision`: the branch taken (pt-BR), or which if-arguments gave a value."""
    if "arguments" in t:
        given = [a["position"] for a in t["arguments"] if a["value"] is not None]
        return (f"{t['call']}: {len(given)} dos {len(t['arguments'])} argumentos com if "
                "deram valor" + (f" (os argumentos {', '.join(map(str, given))})"
                                 if given else ""))
    return "ramo tomado: " + _taken(t)


def _taken(chain: Mapping[str, Any]) -> str:
    arms = chain["arms"]
    last = arms[-1]
    if last["condition"] is None:
        text = f"o else (nenhuma das {len(arms) - 1} condições é verdadeira): {last['then']}"
    else:
        text = f"{last['condition']} (o {len(arms)}º teste) → {last['then']}"
    if "inner" in last:
        text += "; dentro dele, " + _taken(last["inner"])
    return text


def render(t: Mapping[str, Any], shown: Callable[[Any], str], where: Callable[[Any], str],
           pad: str) -> list[str]:
    """The text lines of a tree's `branches` (`shown`: a value as the text shows it)."""
    out: list[str] = []
    if "arguments" in t:
        out.append(f"{pad}argumentos de {t['call']} que são if (cada um: as condições "
                   "testadas e o valor que deu):")
        for a in t["arguments"]:
            at = f" ({where(a['source'])})" if a["source"] else ""
            out.append(f"{pad}  argumento {a['position']}{at} = {shown(a['value'])}")
            _arms(out, a, shown, where, pad + "    ")
        return out
    out.append(f"{pad}ramos (as condições na ordem; um nulo não é verdadeiro):")
    _arms(out, t, shown, where, pad + "  ")
    return out


def _arms(out: list[str], chain: Mapping[str, Any], shown: Callable[[Any], str],
          where: Callable[[Any], str], pad: str) -> None:
    for n, arm in enumerate(chain["arms"], start=1):
        at = f" ({where(arm['source'])})" if arm["source"] else ""
        if arm["condition"] is None:
            out.append(f"{pad}{n}. senão{at} ⇒ ramo tomado: {arm['then']} = "
                       f"{shown(arm['result'])}")
            continue
        holds = {True: "verdadeiro", False: "falso", None: "nulo"}[arm["holds"]]
        line = f"{pad}{n}. {arm['condition']}{at}: {holds}"
        if arm["taken"]:
            line += f" ⇒ ramo tomado: {arm['then']} = {shown(arm['result'])}"
        out.append(line)
        if "inner" in arm:
            _arms(out, arm["inner"], shown, where, pad + "   ")
    if chain["not_evaluated"]:
        out.append(f"{pad}({chain['not_evaluated']} ramo(s) seguinte(s) não avaliado(s))")


def rows(t: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A tree's `branches` as flat rows for a table (the Markdown and HTML pages): each arm
    tested — `argument` (its position, or None), `n` (`3`, a nested `3.1`), `condition`
    (None: the else), `source`, `holds`, `taken`, `then`, `result` — and, after a taken
    arm, a row `{"skipped": k}` when k arms were not evaluated."""
    out: list[dict[str, Any]] = []
    if "arguments" in t:
        for a in t["arguments"]:
            _rows(out, a, a["position"], "")
    else:
        _rows(out, t, None, "")
    return out


def _rows(out: list[dict[str, Any]], chain: Mapping[str, Any], argument: int | None,
          prefix: str) -> None:
    for n, arm in enumerate(chain["arms"], start=1):
        out.append({"argument": argument, "n": f"{prefix}{n}", "condition": arm["condition"],
                    "source": arm["source"], "holds": arm["holds"], "taken": arm["taken"],
                    "then": arm.get("then"), "result": arm.get("result")})
        if "inner" in arm:
            _rows(out, arm["inner"], argument, f"{prefix}{n}.")
    if chain["not_evaluated"]:
        out.append({"argument": argument, "skipped": chain["not_evaluated"]})
