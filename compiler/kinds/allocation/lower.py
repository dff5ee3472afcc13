"""An AllocationSpec → ir.Allocation, with the compile-time checks, each at its position:
ledgers and fields that do not exist (S0203, S0307 with a did-you-mean), an amount or cap that
is not money (S1701), a date, party or key field of the wrong type (S1702), a policy the
order cannot satisfy (S1703: priority without `order:`, single or pro_rata with one), a class
map that does not fit the source fields or the targets' class (S1704), and an order key that
cannot be sorted (S1705). The open condition, the cap and the order keys are typed expressions
over the target ledger (an unknown field there is R0101)."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import TYPE_CHECKING

from compiler import catalog
from compiler import ir
from compiler import specs
from compiler.expr import printer
from compiler.kinds.allocation.spec import AllocationSpec
from compiler.outputs_check import file_name_problem
from compiler.outputs_check import same_name
from compiler.source import Span

if TYPE_CHECKING:
    from compiler import types as T
    from compiler.lower import Lowerer


def _shown(t: T.Type) -> str:
    return t.display() + (" que pode ser nulo" if t.nullable else "")


class _Lowering:
    def declare(self, lw: Lowerer, specs_: Sequence[specs.SpecBase]) -> None:
        return None  # nothing reads an allocation's values

    def lower(self, lw: Lowerer, spec: specs.SpecBase) -> ir.Allocation | None:
        assert isinstance(spec, AllocationSpec)
        before = sum(d.is_error for d in lw.diags)
        ok = all([self._ledger(lw, spec.source), self._ledger(lw, spec.target),
                  self._ledger(lw, spec.parties)])
        if not ok:
            return None
        src, tgt, par = spec.source.value, spec.target.value, spec.parties.value
        for name in (*spec.id_fields, *spec.order, *spec.class_keys):
            self._field(lw, src, name)
        self._field(lw, src, spec.party, want=("str",), what="o responsável")
        self._field(lw, src, spec.amount, want=("decimal",), what="o valor")
        self._field(lw, src, spec.date, want=("date",), what="a data do pagamento")
        self._field(lw, tgt, spec.target_key, want=("str", "int"), what="a chave do alvo")
        self._field(lw, tgt, spec.target_date, want=("date",), what="a data do alvo")
        tclass = self._field(lw, tgt, spec.target_class)
        self._field(lw, par, spec.parties_target, want=("str", "int"), what="o alvo")
        self._field(lw, par, spec.parties_party, want=("str",), what="o responsável")
        self._class(lw, spec, tclass)
        self._policy(lw, spec)
        self._files(lw, spec)
        path = spec.is_open.span.file
        is_open = cap = None
        tree = lw.parse(spec.is_open, path)
        if tree is not None:
            is_open = lw.checker.condition(tree, lw.scope("a condição de alvo aberto", tgt))
            open_text = printer.show(tree)
        tree = lw.parse(spec.cap, path)
        if tree is not None:
            cap = lw.checker.scalar(tree, lw.scope("o limite do alvo", tgt))
            cap_text = printer.show(tree)
            if not cap.type.is_error and cap.type.base != "decimal":
                lw.diags.append(catalog.allocation_not_money(
                    spec.cap.span, what="o limite (cap) do alvo", got=_shown(cap.type)))
        rank: list[tuple[ir.Expr, str, bool]] = []
        for scalar, desc in spec.rank:
            tree = lw.parse(scalar, path)
            if tree is None:
                continue
            e = lw.checker.scalar(tree, lw.scope("uma chave de ordem dos alvos", tgt))
            if not e.type.is_error and e.type.base not in ("int", "decimal", "str", "date"):
                lw.diags.append(catalog.allocation_order_type(scalar.span, got=_shown(e.type)))
            rank.append((e, printer.show(tree), desc))
        if sum(d.is_error for d in lw.diags) > before or is_open is None or cap is None:
            return None
        decided, unlinked, origin = spec.rules
        source_fields, class_of, target_fields, party_fields = self._carried(lw, spec)
        return ir.Allocation(
            id=spec.id, source=src, id_fields=tuple(t.value for t in spec.id_fields),
            party=spec.party.value, amount=spec.amount.value, date=spec.date.value,
            order=tuple(t.value for t in spec.order), class_map=spec.class_map.value,
            class_keys=tuple(t.value for t in spec.class_keys),
            class_value=spec.class_value.value, target=tgt, target_key=spec.target_key.value,
            target_class=spec.target_class.value, target_date=spec.target_date.value,
            is_open=is_open, open_text=open_text, cap=cap, cap_text=cap_text, parties=par,
            parties_target=spec.parties_target.value, parties_party=spec.parties_party.value,
            eligible=spec.eligible, policy=spec.policy.value, rank=tuple(rank), rule=decided,
            unlinked_rule=unlinked, origin=origin, classes=spec.classes, summary=spec.summary,
            columns=spec.columns, files=spec.files, file_spans=spec.file_spans,
            span=spec.span, source_fields=source_fields, class_of=class_of,
            target_fields=target_fields, party_fields=party_fields,
            alternative_of=spec.alternative_of.value if spec.alternative_of else "")

    @staticmethod
    def _carried(lw: Lowerer, spec: AllocationSpec
                 ) -> tuple[tuple[ir.Expr, ...], ir.Expr, tuple[ir.Expr, ...], tuple[ir.Expr, ...]]:
        """What the scans carry to the node (the fields checked above): the source fields the
        loop reads, each once (id fields, party, amount, date, order), its class — the class
        map's value found by the class keys, a lookup of the source's scan plan —, the
        targets' key, class and date, the parties' target and party."""
        def ref(ledger: str, name: specs.Text) -> ir.Expr:
            return ir.FieldRef(ledger=ledger, name=name.value,
                               type=lw.field_types[ledger][name.value], span=name.span)

        src, tgt, par = spec.source.value, spec.target.value, spec.parties.value
        fields: dict[str, ir.Expr] = {}
        for name in (*spec.id_fields, spec.party, spec.amount, spec.date, *spec.order):
            fields.setdefault(name.value, ref(src, name))
        info = lw.map_infos[spec.class_map.value]
        keys = tuple(ref(src, k) for k in spec.class_keys)
        record = info.record.null(info.record.nullable or any(k.type.nullable for k in keys))
        lookup = ir.MapLookup(map=info.id, keys=keys, type=record, span=spec.class_map.span)
        value = info.record.field(spec.class_value.value)
        assert value is not None  # S1704 otherwise
        class_of = ir.GetField(record=lookup, name=spec.class_value.value,
                               type=value.null(value.nullable or record.nullable),
                               span=spec.class_value.span)
        return (tuple(fields.values()), class_of,
                (ref(tgt, spec.target_key), ref(tgt, spec.target_class),
                 ref(tgt, spec.target_date)),
                (ref(par, spec.parties_target), ref(par, spec.parties_party)))

    def finish(self, lw: Lowerer, nodes: Sequence[ir.PlanNode]) -> None:
        """S0503: a file of an allocation that a layout or an earlier allocation writes too
        (as the file systems of Windows and macOS compare names), unless both are
        alternatives of one group (a run selects one of them)."""
        owners: dict[str, tuple[str, str, str, Span]] = {}  # name key → id, group, file, at
        for n in lw.nodes.values():
            if isinstance(n, ir.Layout):
                owners.setdefault(same_name(n.output_file),
                                  (n.id, n.alternative_of, n.output_file, n.span))
        for node in nodes:
            assert isinstance(node, ir.Allocation)
            mine: dict[str, tuple[str, str, str, Span]] = {}
            for (_, name), at in zip(node.files, node.file_spans, strict=True):
                other = owners.get(same_name(name))
                if other is not None and not (node.alternative_of
                                              and node.alternative_of == other[1]):
                    lw.diags.append(catalog.same_output_file(
                        at, file=name, first_file=other[2], layout=node.id, other=other[0],
                        first=other[3]))
                    break  # one per node: its other files would say the same
                mine[same_name(name)] = (node.id, node.alternative_of, name, at)
            owners.update(mine)

    @staticmethod
    def _files(lw: Lowerer, spec: AllocationSpec) -> None:
        """S0502: each output file name is a plain file name (file_name_problem: no folder,
        no reserved Windows name, …), and no two outputs of the node are one file."""
        seen: dict[str, str] = {}
        for (role, name), at in zip(spec.files, spec.file_spans, strict=True):
            reason = file_name_problem(name)
            if reason is None and same_name(name) in seen:
                reason = f"é o mesmo arquivo da saída '{seen[same_name(name)]}'"
            if reason is not None:
                lw.diags.append(catalog.bad_output_file(at, name=name, reason=reason))
            else:
                seen[same_name(name)] = role

    @staticmethod
    def _ledger(lw: Lowerer, name: specs.Text) -> bool:
        if name.value in lw.pkg.ledgers:
            return True
        lw.diags.append(catalog.unknown_spec(
            name.span, kind="ledger", name=name.value,
            candidates=difflib.get_close_matches(name.value, list(lw.pkg.ledgers), n=1)))
        return False

    @staticmethod
    def _field(lw: Lowerer, ledger: str, name: specs.Text, want: tuple[str, ...] = (),
               what: str = "") -> T.Type | None:
        fields = lw.field_types.get(ledger, {})
        t = fields.get(name.value)
        if t is None:
            lw.diags.append(catalog.unknown_ledger_field(
                name.span, ledger=ledger, name=name.value,
                candidates=difflib.get_close_matches(name.value, list(fields), n=1)))
            return None
        if want and t.base not in want:
            if want == ("decimal",):
                lw.diags.append(catalog.allocation_not_money(name.span, what=what,
                                                             got=_shown(t)))
            else:
                lw.diags.append(catalog.allocation_field_type(
                    name.span, what=what, name=name.value, got=_shown(t),
                    want=" ou ".join(want)))
        return t

    @staticmethod
    def _class(lw: Lowerer, spec: AllocationSpec, tclass: T.Type | None) -> None:
        info = lw.map_infos.get(spec.class_map.value)
        if info is None:
            lw.diags.append(catalog.unknown_spec(
                spec.class_map.span, kind="mapa", name=spec.class_map.value,
                candidates=difflib.get_close_matches(spec.class_map.value,
                                                     list(lw.map_infos), n=1)))
            return
        if len(spec.class_keys) != len(info.key):
            lw.diags.append(catalog.allocation_class(
                spec.class_map.span, problem=f"tem {len(spec.class_keys)} chave(s), mas o "
                f"mapa '{info.id}' tem {len(info.key)}: "
                + ", ".join(k for k, _ in info.key)))
            return
        fields = lw.field_types.get(spec.source.value, {})
        for name, (col, want) in zip(spec.class_keys, info.key, strict=True):
            got = fields.get(name.value)
            if got is not None and got.base != want.base:
                lw.diags.append(catalog.allocation_class(
                    name.span, problem=f"usa '{name.value}' ({_shown(got)}) como a chave "
                    f"'{col}' do mapa '{info.id}', que é {want.display()}"))
        value = info.record.field(spec.class_value.value)
        if value is None:
            lw.diags.append(catalog.allocation_class(
                spec.class_value.span, problem=f"'{spec.class_value.value}' não é um valor "
                f"do mapa '{info.id}' (valores: {', '.join(n for n, _ in info.record.fields)})"))
        elif tclass is not None and value.base != tclass.base:
            lw.diags.append(catalog.allocation_class(
                spec.class_value.span, problem=f"é {value.display()}, mas a classe do alvo "
                f"'{spec.target_class.value}' é {tclass.display()}"))

    @staticmethod
    def _policy(lw: Lowerer, spec: AllocationSpec) -> None:
        policy = spec.policy.value
        if policy == "priority" and not spec.rank:
            lw.diags.append(catalog.allocation_policy(
                spec.policy.span, policy=policy,
                problem="precisa de order: (a ordem dos alvos) para escolher entre eles"))
        if policy != "priority" and spec.rank:
            where = spec.rank_span if spec.rank_span is not None else spec.policy.span
            lw.diags.append(catalog.allocation_policy(
                where, policy=policy, problem="não usa order: (" + (
                    "um pagamento só é alocado quando há exatamente um alvo aberto"
                    if policy == "single" else "a divisão é proporcional ao que resta") + ")"))


PART = _Lowering()
