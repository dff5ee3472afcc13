"""The painel (issue 11, "a look before sending"): one self-contained HTML page with what a run
of `portal_gestor` computed for one entity and exercício, a section per indicator, grouped by
the Portal's areas.

Why a page of our own: the Portal do Gestor "não possui geração de relatório", so the figures
can only be looked at before they are sent by drawing them here. The page says it is a preview
and needs nothing but a browser: no script, no network, no URL outside the page (charts are
inline SVG, the style inline CSS). Its bytes depend only on the inputs: no clock, records
ordered here, never by the caller. Standard library only, like the rest of runtime/.

Every text from a spec or a ledger (names, ids, descriptions, field names, values, the entity)
goes through `_text`: the characters a page cannot carry (C0/C1 controls other than tab and
newline, lone surrogates, noncharacters) become U+FFFD, then html.escape — in SVG text too.
Names and values sit in <bdi>, so right-to-left text or a stray bidi control stays in its box.

The seam (runtime/portal_record.py) carries values, not formats, so a field's unit is read from
its value type and its name (`_unit`; provisional until the indicator specs declare formats):
bool → Sim/Não; text; a name with "percent"/"pct" → percentage points (Decimal 27.31 →
"27,31 %"); int → count ("1.234"); a Decimal whose name says média, nota, IDEB, tempo, TMA,
dias, quantidade, índice or taxa → a plain number ("7,25"), unless it also says valor, gasto,
salário, receita, despesa, saldo or custo; any other Decimal → money ("R$ 1.234,56"). A
count named posicao/rank/ranking/ordem/classificacao/colocacao is a ranking's position;
mes/bimestre/trimestre/quadrimestre/semestre/ano/serie/codigo are keys (months as jan…dez);
`exercicio` is the page's own and not repeated; a name with "limite" is a legal limit.

What each indicator shows follows from its records:
* none → "Sem registros para o exercício";
* one record with a percentage and a limit → the percentage as a bar against a 0–100 % scale
  with the limit marked (the LRF/CF/LC 141 ratios);
* one record with 1–3 measures → the figures, large; more measures of one unit → a bar per
  measure; otherwise a table of field and value;
* several records (≤ 40) whose measures share the first measure's unit → a bar per record (one
  per measure, grouped, with a legend), ranked records in rank order, others by their keys;
  the full data in a collapsible table under the chart;
* anything else → a table (at most 100 rows shown, the count of the rest said).
"""

from __future__ import annotations

import decimal
import html
import re
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP
from decimal import Decimal

from runtime.portal_record import IndicatorInfo
from runtime.portal_record import IndicatorRecord
from runtime.portal_record import Value

# The Portal's areas, in the order its menu shows them; an area not listed follows, by name.
AREAS = ("Arrecadação", "Contabilidade", "Contratos", "Educação", "Pessoal", "Saúde")

_PERCENT_WORDS = ("percent", "pct")
_PLAIN_WORDS = ("media", "nota", "ideb", "tempo", "tma", "dias", "quantidade", "qtd",
                "indice", "taxa")
_MONEY_WORDS = ("valor", "gasto", "salario", "receita", "despesa", "saldo", "custo")
_RANK_NAMES = frozenset({"posicao", "rank", "ranking", "ordem", "classificacao", "colocacao"})
_KEY_NAMES = frozenset({"mes", "bimestre", "trimestre", "quadrimestre", "semestre", "ano",
                        "serie", "codigo"})
_MONTHS = ("jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov", "dez")
MAX_BARS = 40
MAX_ROWS = 100
# IndicatorInfo.provisional names fields of the info; the page says them in Portuguese.
_FACTS = {"id": "id", "name": "nome", "table": "tabela", "payload_key": "chave",
          "description": "descrição", "system": "sistema", "vertical": "vertical"}
# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
_BROKEN = "#b00020"
_COLOURS = ("#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", "#56b4e9")

_NONCHARS = "".join(f"{chr(p * 0x10000 + 0xFFFE)}-{chr(p * 0x10000 + 0xFFFF)}"
                    for p in range(17))
_UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef{_NONCHARS}]")


def _text(value: str) -> str:
    """`value` as HTML text or attribute content: unsafe characters → U+FFFD, then escaped."""
    return html.escape(_UNSAFE.sub("\ufffd", value), quote=True)


def _bdi(value: str) -> str:
    return f"<bdi>{_text(value)}</bdi>"


# ---------------------------------------------------------------- pt-BR numbers

def _group(digits: str) -> str:
    """'1234567' → '1.234.567'."""
    head = len(digits) % 3 or 3
    return ".".join([digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)])


def _number(value: int | Decimal, places: int | None = None) -> str:
    """pt-BR digits of an exact number: its own places (or `places`, rounded half up),
    thousands with '.', decimals with ','."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            return str(value)
        if places is not None:
            value = value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    digits = format(abs(value), "f") if isinstance(value, Decimal) else str(abs(value))
    whole, _, frac = digits.partition(".")
    return sign + _group(whole) + ("," + frac if frac else "")


def _unit(field: str, values: Sequence[Value]) -> str:
    """One of bool, text, percent, count, number, money (the module docstring's table)."""
    present = [v for v in values if v is not None]
    if not present:
        return "text"
    if all(isinstance(v, bool) for v in present):
        return "bool"
    if any(isinstance(v, str | bool) for v in present):
        return "text"
    low = field.lower()
    if any(w in low for w in _PERCENT_WORDS):
        return "percent"
    if all(isinstance(v, int) for v in present):
        return "count"
    if any(w in low for w in _MONEY_WORDS):
        return "money"
    return "number" if any(w in low for w in _PLAIN_WORDS) else "money"


def _show(value: Value, unit: str) -> str:
    """The pt-BR text of one value in its field's unit (not yet escaped)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "Sim" if value else "Não"
    if isinstance(value, str):
        return value
    if unit == "money":
        text = _number(value, 2)
        return "-R$ " + text[1:] if text.startswith("-") else "R$ " + text
    if unit == "percent":
        return _number(value) + " %"
    if unit == "month" and isinstance(value, int) and 1 <= value <= 12:
        return _MONTHS[value - 1]
    if unit in ("key", "month"):
        return str(value)  # a year, a code, a position: no thousands separator
    return _number(value)


def _magnitude(value: Value) -> Decimal:
    """A number's value for drawing (exact Decimal; text and None count as 0)."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return Decimal(0)
    return Decimal(value) if Decimal(value).is_finite() else Decimal(0)


def _px(value: Decimal) -> str:
    """An SVG coordinate, one decimal place, no exponent: exact and the same on every run."""
    return format(value.quantize(Decimal("0.1"), ROUND_HALF_UP), "f")


# ---------------------------------------------------------------- the fields of an indicator

@dataclass(frozen=True)
class _Fields:
    """The roles of an indicator's fields (the module docstring): names in first-seen order."""

    names: tuple[str, ...]
    units: dict[str, str]
    rank: str | None
    labels: tuple[str, ...]
    measures: tuple[str, ...]
    limits: tuple[str, ...]


def _fields(records: Sequence[IndicatorRecord]) -> _Fields:
    """Each field's unit and role, read from every record of one indicator."""
    names: dict[str, list[Value]] = {}
    for record in records:
        for name, value in record.content:
            if name != "exercicio":
                names.setdefault(name, []).append(value)
    units = {name: _unit(name, values) for name, values in names.items()}
    for name in names:
        if units[name] == "count" and name.lower() in _RANK_NAMES | _KEY_NAMES:
            units[name] = "month" if name.lower() == "mes" else "key"
    rank = next((n for n in names if units[n] == "key" and n.lower() in _RANK_NAMES), None)
    labels = tuple(n for n in names if units[n] in ("text", "bool", "key", "month")
                   and n != rank)
    measures = tuple(n for n in names if n not in labels and n != rank)
    limits = tuple(n for n in measures if "limite" in n.lower())
    return _Fields(tuple(names), units, rank, labels, measures, limits)


def _sort_key(value: Value) -> tuple[int, Decimal, str]:
    if value is None:
        return (0, Decimal(0), "")
    if isinstance(value, str):
        return (2, Decimal(0), value)
    return (1, Decimal(int(value)) if isinstance(value, bool) else _magnitude(value), "")


def _ordered(records: Sequence[IndicatorRecord], fields: _Fields) -> list[IndicatorRecord]:
    """Ranked records by rank, others by their keys (labels in field order), then by id."""
    order = ((fields.rank,) if fields.rank else ()) + fields.labels

    def key(record: IndicatorRecord) -> tuple[list[tuple[int, Decimal, str]], str]:
        content = dict(record.content)
        return [_sort_key(content.get(name)) for name in order], record.id_integracao

    return sorted(records, key=key)


def _label(record: IndicatorRecord, fields: _Fields) -> str:
    """A record's name in a chart: '3º · Escola A · Centro' (rank, then the key fields)."""
    content = dict(record.content)
    parts = [_show(content.get(n), fields.units[n]) for n in fields.labels]
    if fields.rank is not None:
        parts.insert(0, f"{_show(content.get(fields.rank), 'key')}º")
    return " · ".join(parts) or record.id_integracao


# ---------------------------------------------------------------- SVG

_W, _LABEL_W, _VALUE_W, _ROW, _GAP = 640, 230, 140, 18, 8
_BAR_W = _W - _LABEL_W - _VALUE_W - 16


def _clip(text: str, limit: int = 34) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


class _Ids:
    """Element ids of one page, numbered in order (deterministic, and never from a spec)."""

    def __init__(self) -> None:
        self.count = 0

    def next(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"


def _bars(ids: _Ids, title: str, rows: Sequence[tuple[str, Sequence[Value]]],
          measures: Sequence[str], unit: str) -> str:
    """A horizontal bar chart: a group of bars per row (one per measure), labels on the left,
    values on the right, a zero line when values go negative. Every bar has its <title>."""
    values = [_magnitude(v) for _, vs in rows for v in vs]
    low, high = min([Decimal(0), *values]), max([Decimal(0), *values])
    span = (high - low) or Decimal(1)
    legend = 22 if len(measures) > 1 else 0
    group = _ROW * len(measures) + _GAP
    height = legend + group * len(rows) + 4
    tid = ids.next("t")
    zero = _LABEL_W + (0 - low) / span * _BAR_W
    out = [f'<svg class="chart" viewBox="0 0 {_W} {height}" width="{_W}" height="{height}" '
           f'role="img" aria-labelledby="{tid}"><title id="{tid}">{_text(title)}</title>']
    for m, measure in enumerate(measures if legend else ()):
        lx = _LABEL_W + m * 150
        out.append(f'<rect x="{lx}" y="4" width="12" height="12" fill="{_COLOURS[m % 6]}"/>'
                   f'<text x="{lx + 16}" y="14" class="legend">{_text(_clip(measure, 20))}'
                   "</text>")
    for r, (label, row) in enumerate(rows):
        top = legend + r * group
        out.append(f'<text x="{_LABEL_W - 8}" y="{top + _ROW * len(measures) // 2 + 4}" '
                   f'class="label" text-anchor="end">{_text(_clip(label))}</text>')
        for m, (measure, value) in enumerate(zip(measures, row, strict=True)):
            x_end = _LABEL_W + (_magnitude(value) - low) / span * _BAR_W
            x, width = min(zero, x_end), abs(x_end - zero)
            y = top + m * _ROW
            shown = _show(value, unit)
            what = f"{label} — {measure}: {shown}" if legend else f"{label}: {shown}"
            out.append(f'<g><title>{_text(what)}</title><rect x="{_px(x)}" y="{y + 2}" '
                       f'width="{_px(max(width, Decimal(1)))}" height="{_ROW - 4}" '
                       f'fill="{_COLOURS[m % 6]}"/><text x="{_W - 4}" y="{y + 13}" '
                       f'class="value" text-anchor="end">{_text(shown)}</text></g>')
    if low < 0:
        out.append(f'<line x1="{_px(zero)}" x2="{_px(zero)}" y1="{legend}" y2="{height}" '
                   'class="zero"/>')
    out.append("</svg>")
    return "".join(out)


def _limit_kind(name: str) -> str:
    """'mínimo' or 'máximo' as the limit's field name says (limiteMinimo, limiteMaximo), else
    '' (a limit of unknown direction is drawn, not judged)."""
    low = name.lower()
    return "mínimo" if "min" in low else "máximo" if "max" in low else ""


def _met(value: Value, name: str, limit: Value) -> bool | None:
    """Whether a percentage keeps to a limit: ≥ a minimum, ≤ a maximum; None if unknown."""
    kind = _limit_kind(name)
    if not kind or value is None or limit is None:
        return None
    v, lim = _magnitude(value), _magnitude(limit)
    return v >= lim if kind == "mínimo" else v <= lim


def _gauge(ids: _Ids, title: str, value: Value, limits: Sequence[tuple[str, Value]]) -> str:
    """A percentage on a 0–100 % scale (wider if a value passes 100) with each legal limit as
    a marked line and its value written above it; the bar is red when a limit is not kept."""
    top = max([Decimal(100), _magnitude(value), *(_magnitude(v) for _, v in limits)])
    scale = Decimal(_W - 40) / top
    tid = ids.next("t")
    width = max(_magnitude(value) * scale, Decimal(0))
    broken = any(_met(value, n, lim) is False for n, lim in limits)
    out = [f'<svg class="chart" viewBox="0 0 {_W} 78" width="{_W}" height="78" role="img" '
           f'aria-labelledby="{tid}"><title id="{tid}">{_text(title)}</title>'
           f'<rect x="20" y="30" width="{_W - 40}" height="22" class="track"/>'
           f'<rect x="20" y="30" width="{_px(width)}" height="22" '
           f'fill="{_BROKEN if broken else _COLOURS[0]}"/>']
    for name, limit in limits:
        x = _px(20 + _magnitude(limit) * scale)
        what = _text(f"{_limit_kind(name) or name} {_show(limit, 'percent')}")
        out.append(f'<g><title>{what}</title><line x1="{x}" x2="{x}" y1="22" y2="60" '
                   f'class="limit"/><text x="{x}" y="16" class="label" text-anchor="middle">'
                   f"{what}</text></g>")
    out.append(f'<text x="20" y="74" class="axis">0 %</text><text x="{_W - 20}" y="74" '
               f'class="axis" text-anchor="end">{_text(_show(top, "percent"))}</text></svg>')
    return "".join(out)


def _against_limits(ids: _Ids, title: str, name: str, value: Value,
                    limits: Sequence[tuple[str, Value]]) -> str:
    """A percentage, large, its gauge, and a sentence per limit saying whether it is kept."""
    said = []
    for limit_name, limit in limits:
        met, kind = _met(value, limit_name, limit), _limit_kind(limit_name)
        shown = f"{_bdi(_show(limit, 'percent'))} ({_bdi(limit_name)})"
        if met is None:
            said.append(f'<p class="neutral">limite de {shown}</p>')
            continue
        verb = ("atende ao" if met else "abaixo do") if kind == "mínimo" else \
            ("dentro do" if met else "acima do")
        said.append(f'<p class="{"ok" if met else "bad"}">{"✔" if met else "✘"} {verb} '
                    f"{kind} legal de {shown}</p>")
    return (f'<p class="figure"><span class="big">{_bdi(_show(value, "percent"))}</span> '
            f'<span class="field">{_bdi(name)}</span></p>'
            + _gauge(ids, f"{title}: {name}", value, limits) + "".join(said))


# ---------------------------------------------------------------- HTML pieces

def _table(records: Sequence[IndicatorRecord], fields: _Fields, caption: str) -> str:
    """Every field of every record (at most MAX_ROWS rows), a header per column."""
    columns = ([fields.rank] if fields.rank else []) + [
        n for n in fields.names if n != fields.rank]
    head = "".join(f'<th scope="col" class="{fields.units[n]}">{_bdi(n)}</th>'
                   for n in columns)
    body = []
    for record in records[:MAX_ROWS]:
        content = dict(record.content)
        cells = "".join(
            f'<td class="{fields.units[n]}">{_bdi(_show(content.get(n), fields.units[n]))}</td>'
            for n in columns)
        body.append(f"<tr>{cells}</tr>")
    more = len(records) - MAX_ROWS
    note = (f'<p class="note">Mostrando {MAX_ROWS} de {_number(len(records))} registros.</p>'
            if more > 0 else "")
    return (f'<div class="scroll"><table><caption>{_text(caption)}</caption><thead><tr>{head}'
            f'</tr></thead><tbody>{"".join(body)}</tbody></table></div>{note}')


def _pairs(record: IndicatorRecord, fields: _Fields, names: Sequence[str]) -> str:
    """Fields of one record as a definition list (name → value)."""
    content = dict(record.content)
    items = "".join(f"<dt>{_bdi(n)}</dt><dd>{_bdi(_show(content.get(n), fields.units[n]))}</dd>"
                    for n in names)
    return f'<dl class="pairs">{items}</dl>' if items else ""


def _details(table: str, count: int) -> str:
    word = "registro" if count == 1 else "registros"
    return (f"<details><summary>Dados ({_number(count)} {word})</summary>{table}</details>")


def _one(ids: _Ids, info: IndicatorInfo, record: IndicatorRecord, fields: _Fields) -> str:
    """The view of an indicator with a single record."""
    content = dict(record.content)
    percents = [m for m in fields.measures
                if fields.units[m] == "percent" and m not in fields.limits]
    if percents and fields.limits:
        limits = [(n, content.get(n)) for n in fields.limits]
        parts = [_against_limits(ids, info.name, p, content.get(p), limits) for p in percents]
        rest = [n for n in fields.names if n not in percents and n not in fields.limits]
        return "".join(parts) + _pairs(record, fields, rest)
    if 1 <= len(fields.measures) <= 3:
        big = "".join(
            f'<p class="figure"><span class="big">'
            f'{_bdi(_show(content.get(m), fields.units[m]))}</span> '
            f'<span class="field">{_bdi(m)}</span></p>' for m in fields.measures)
        rest = [n for n in fields.names if n not in fields.measures]
        return big + _pairs(record, fields, rest)
    units = {fields.units[m] for m in fields.measures}
    if len(units) == 1:
        rows = [(m, [content.get(m)]) for m in fields.measures]
        chart = _bars(ids, info.name, rows, ["valor"], units.pop())
        table = _table([record], fields, info.name)
        return chart + _pairs(record, fields, fields.labels) + _details(table, 1)
    return _pairs(record, fields, fields.names)


def _many(ids: _Ids, info: IndicatorInfo, records: list[IndicatorRecord],
          fields: _Fields) -> str:
    """The view of an indicator with several records: bars when they fit, else a table."""
    caption = f"{info.name} — {_number(len(records))} registros"
    table = _table(records, fields, caption)
    if not fields.measures or len(records) > MAX_BARS:
        return table
    unit = fields.units[fields.measures[0]]
    shown = [m for m in fields.measures if fields.units[m] == unit]
    rows = [(_label(r, fields), [dict(r.content).get(m) for m in shown]) for r in records]
    return _bars(ids, info.name, rows, shown, unit) + _details(table, len(records))


def _indicator(ids: _Ids, info: IndicatorInfo, records: list[IndicatorRecord],
               exercicio: int) -> str:
    sid = ids.next("ind-")
    fields = _fields(records)
    records = _ordered(records, fields)
    if not records:
        view = f'<p class="empty">Sem registros para o exercício {exercicio}.</p>'
    elif len(records) == 1:
        view = _one(ids, info, records[0], fields)
    else:
        view = _many(ids, info, records, fields)
    meta = [f"<code>{_bdi(info.id)}</code>", f"vertical {_bdi(info.vertical)}",
            f"sistema {_bdi(info.system)}", f"tabela <code>{_bdi(info.table)}</code>",
            f"chave <code>{_bdi(info.payload_key)}</code>",
            f"{_number(len(records))} {'registro' if len(records) == 1 else 'registros'}"]
    facts = ", ".join(_FACTS.get(f, f) for f in info.provisional)
    provisional = (f'<p class="provisional">Provisório (inferido, não está no manual): '
                   f"{_bdi(facts)}</p>" if info.provisional else "")
    description = f'<p class="description">{_bdi(info.description)}</p>' \
        if info.description else ""
    return (f'<section class="indicator" id="{sid}" data-indicator="{_text(info.id)}" '
            f'aria-labelledby="{sid}-h"><h3 id="{sid}-h">{_bdi(info.name)}</h3>'
            f'<p class="meta">{" · ".join(meta)}</p>{provisional}{description}{view}</section>')


def _areas(infos: Sequence[IndicatorInfo]) -> list[tuple[str, list[IndicatorInfo]]]:
    """Infos by area, areas in the Portal's order (others after, by name), each area's
    indicators in the catalog's order."""
    by_area: dict[str, list[IndicatorInfo]] = {}
    for info in infos:
        by_area.setdefault(info.area, []).append(info)
    known = [a for a in AREAS if a in by_area]
    return [(a, by_area[a]) for a in known + sorted(set(by_area) - set(AREAS))]


def _check(infos: Sequence[IndicatorInfo], records: Sequence[IndicatorRecord], entity: str,
           exercicio: int) -> dict[str, list[IndicatorRecord]]:
    """Records by indicator; a record of no listed indicator, of another entity or exercício,
    or an indicator listed twice is a mistake of the caller, not something to draw."""
    by_id: dict[str, list[IndicatorRecord]] = {}
    for info in infos:
        if info.id in by_id:
            raise ValueError(f"painel: indicador '{info.id}' listado duas vezes")
        by_id[info.id] = []
    for record in records:
        if record.indicator not in by_id:
            raise ValueError(f"painel: registro do indicador '{record.indicator}', que não "
                             "está no catálogo")
        if (record.entity, record.exercicio) != (entity, exercicio):
            raise ValueError(f"painel: registro '{record.id_integracao}' é de "
                             f"{record.entity}/{record.exercicio}, não de {entity}/{exercicio}")
        by_id[record.indicator].append(record)
    return by_id


_DRAWING = decimal.Context(prec=28, rounding=decimal.ROUND_HALF_EVEN)


def render(infos: Sequence[IndicatorInfo], records: Sequence[IndicatorRecord], entity: str,
           exercicio: int) -> bytes:
    """painel.html for one entity and exercício: the infos in the catalog's order within the
    Portal's areas, every indicator with its section, UTF-8 bytes that depend on nothing else.
    """
    return render_run(infos, {entity: records}, exercicio)


def render_run(infos: Sequence[IndicatorInfo],
               by_entity: Mapping[str, Sequence[IndicatorRecord]], exercicio: int) -> bytes:
    """The page of a run: one entity's page as `render` describes; a run over several entities
    (the package partition) shows each one's areas in turn, entities in sorted order, under a
    heading of its own, with the same indicators.

    The drawing's arithmetic (bar lengths, positions) rounds: it runs in a context of its own
    (28 digits, half even), not in the run's, which traps every rounding of money."""
    with decimal.localcontext(_DRAWING):
        return _page(infos, by_entity, exercicio)


def _page(infos: Sequence[IndicatorInfo],
          by_entity: Mapping[str, Sequence[IndicatorRecord]], exercicio: int) -> bytes:
    entities = sorted(by_entity)
    ids = _Ids()
    nav, main, total, empty = [], [], 0, 0
    for k, entity in enumerate(entities, 1):
        by_id = _check(infos, by_entity[entity], entity, exercicio)
        total += len(by_entity[entity])
        empty += sum(1 for i in infos if not by_id[i.id])
        prefix = "" if len(entities) == 1 else f"e{k}-"
        areas = []
        for n, (area, members) in enumerate(_areas(infos), 1):
            if len(entities) == 1:
                nav.append(f'<li><a href="#area-{n}">{_bdi(area)} <span class="count">'
                           f"{len(members)}</span></a></li>")
            sections = "".join(_indicator(ids, i, by_id[i.id], exercicio) for i in members)
            areas.append(f'<section class="area" id="{prefix}area-{n}" '
                         f'aria-labelledby="{prefix}area-{n}-h"><h2 id="{prefix}area-{n}-h">'
                         f'{_bdi(area)}</h2><div class="grid">{sections}</div></section>')
        if len(entities) == 1:
            main += areas
        else:
            nav.append(f'<li><a href="#e{k}">{_bdi(entity)}</a></li>')
            main.append(f'<section class="entity" id="e{k}" aria-labelledby="e{k}-h">'
                        f'<h2 class="entity" id="e{k}-h">Entidade {_bdi(entity)}</h2>'
                        + "".join(areas) + "</section>")
    shown = entities[0] if len(entities) == 1 else f"{len(entities)} entidades"
    title = f"Portal do Gestor — prévia — {shown} — exercício {exercicio}"
    label = "Áreas" if len(entities) == 1 else "Entidades"
    page = (
        '<!DOCTYPE html>\n<html lang="pt-BR">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_text(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        '<header><p class="kicker">Portal do Gestor · prévia</p>'
        f"<h1>Indicadores de {_bdi(shown)} — exercício {exercicio}</h1>"
        '<p class="warning">Prévia dos registros calculados nesta execução, antes do envio. '
        "Não é um relatório do Portal do Gestor (o Portal não gera relatórios) e não envia "
        "nada.</p>"
        f'<dl class="summary"><dt>Entidade</dt><dd>{_bdi(", ".join(entities))}</dd>'
        f"<dt>Exercício</dt><dd>{exercicio}</dd><dt>Indicadores</dt>"
        f"<dd>{_number(len(infos))}</dd><dt>Registros</dt><dd>{_number(total)}</dd>"
        f"<dt>Sem registros</dt><dd>{_number(empty)}</dd></dl>"
        f'<nav aria-label="{label}"><ul>{"".join(nav)}</ul></nav>'
        f"</header>\n<main>\n{chr(10).join(main)}\n</main>\n"
        "<footer>Gerado pelo apura a partir dos registros desta execução.</footer>\n"
        "</body>\n</html>\n")
    return page.encode("utf-8")


_CSS = """
:root{color-scheme:light;--ink:#1d2733;--muted:#5b6878;--line:#d5dbe3;--bg:#f3f5f8}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 "DejaVu Sans",Arial,sans-serif;color:var(--ink);background:var(--bg)}
header{background:#12355b;color:#fff;padding:20px 32px 14px}
header h1{margin:2px 0 8px;font-size:24px}
.kicker{margin:0;text-transform:uppercase;letter-spacing:.08em;font-size:12px;opacity:.8}
.warning{margin:0 0 10px;padding:6px 10px;background:#fff3cd;color:#5c4400;border-radius:4px;
  display:inline-block}
dl.summary{display:flex;flex-wrap:wrap;gap:4px 18px;margin:0 0 10px}
dl.summary dt{opacity:.75}dl.summary dt::after{content:":"}dl.summary dd{margin:0 0 0 -12px;
  font-weight:bold}
nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:8px}
nav a{color:#fff;background:rgba(255,255,255,.14);padding:3px 10px;border-radius:12px;
  text-decoration:none}
nav .count{font-size:12px;opacity:.75;margin-left:2px}
main{padding:8px 32px 24px}
h2.entity{margin:30px 0 4px;border:0;font-size:22px;color:#12355b}
h2{margin:22px 0 10px;padding-bottom:4px;border-bottom:3px solid #12355b;font-size:20px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:14px}
.indicator{background:#fff;border:1px solid var(--line);border-radius:6px;padding:12px 16px;
  min-width:0}
.indicator h3{margin:0 0 2px;font-size:16px}
.meta{margin:0;color:var(--muted);font-size:12px}
.provisional{margin:2px 0 0;color:#8a5a00;font-size:12px}
.description{margin:6px 0;font-size:13px}
.empty{color:var(--muted);font-style:italic}
.ok,.bad,.neutral{margin:2px 0;font-size:13px}.ok{color:#1b6e3a}
.bad{color:#b00020;font-weight:bold}
.figure{margin:6px 0}.big{font-size:28px;font-weight:bold;white-space:nowrap}
.field{color:var(--muted);font-size:13px}
dl.pairs{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;font-size:13px}
dl.pairs dt{color:var(--muted)}dl.pairs dd{margin:0}
svg.chart{display:block;max-width:100%;height:auto;margin:6px 0}
svg text{font:12px "DejaVu Sans",Arial,sans-serif;fill:var(--ink);unicode-bidi:isolate}
svg text.axis{fill:var(--muted);font-size:11px}
svg .track{fill:#e6eaf0}svg .limit{stroke:#b00020;stroke-width:2}svg .zero{stroke:#444}
table{border-collapse:collapse;font-size:13px;width:100%}
caption{text-align:left;color:var(--muted);font-size:12px;padding:2px 0}
th,td{border-bottom:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}
th{background:#eef1f5}
.money,.count,.number,.percent{text-align:right;white-space:nowrap}
.scroll{max-height:420px;overflow:auto}
thead th{position:sticky;top:0}
details summary{cursor:pointer;color:var(--muted);font-size:13px}
.note{color:var(--muted);font-size:12px}
footer{padding:12px 32px;color:var(--muted);font-size:12px}
"""
