"""Read ledgers (CSV files or in-memory rows) by their schema; every rejected row is kept with
its reason and position, so accepted + rejected = read."""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal
from pathlib import Path
from typing import Any

from runtime.errors import DataError
from runtime.model import CsvFormat
from runtime.model import Field
from runtime.model import Ledger


class BadCell(Exception):
    """A cell that does not convert to its field's type."""

    def __init__(self, code: str, message: str, help: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.help = help


@dataclass(slots=True)
class ReadStats:
    """What reading one input did: rows read, accepted, rejected, partition values seen."""

    name: str
    path: str
    read: int = 0
    accepted: int = 0
    rejected: list[DataError] = field(default_factory=list)
    partitions: set[Any] = field(default_factory=set)
    fatal: list[DataError] = field(default_factory=list)


_TYPE_PT = {"int": "inteiro", "decimal": "decimal", "str": "texto", "bool": "lógico",
            "date": "data"}


def converter(f: Field, fmt: CsvFormat) -> Callable[[str], Any]:
    """A function str → typed value for one field (raises BadCell)."""
    if f.type == "str":
        return str
    if f.type == "int":
        def to_int(s: str) -> int:
            t = s[1:] if s[:1] == "-" else s
            if not (t.isascii() and t.isdigit()):
                raise BadCell("D0101", f"'{s}' não é um número inteiro")
            return int(s)
        return to_int
    if f.type == "decimal":
        sep = re.escape(fmt.decimal)
        if fmt.thousands:
            th = re.escape(fmt.thousands)
            body = rf"(?:\d{{1,3}}(?:{th}\d{{3}})+|\d+)"
        else:
            body = r"\d+"
        pattern = re.compile(rf"-?{body}(?:{sep}\d+)?")
        fullmatch = pattern.fullmatch
        thousands, decimal_sep, scale = fmt.thousands, fmt.decimal, f.scale

        def to_decimal(s: str) -> Decimal:
            if fullmatch(s) is None:
                raise BadCell("D0102", f"'{s}' não é um valor decimal",
                              f"use o formato 1234{decimal_sep}56")
            t = s.replace(thousands, "") if thousands else s
            if decimal_sep != ".":
                t = t.replace(decimal_sep, ".")
            d = Decimal(t)
            if d.as_tuple().exponent < -scale:  # type: ignore[operator]
                raise BadCell("D0102", f"'{s}' tem mais de {scale} casas decimais")
            return d
        return to_decimal
    if f.type == "date":
        if fmt.date == "DD/MM/YYYY":
            def to_date(s: str) -> datetime.date:
                if len(s) != 10 or s[2] != "/" or s[5] != "/" or not (
                        s[:2] + s[3:5] + s[6:]).isdigit() or not s.isascii():
                    raise BadCell("D0103", f"'{s}' não é uma data DD/MM/AAAA")
                try:
                    return datetime.date(int(s[6:]), int(s[3:5]), int(s[:2]))
                except ValueError:
                    raise BadCell("D0103", f"a data '{s}' não existe") from None
            return to_date

        def to_iso(s: str) -> datetime.date:
            try:
                if len(s) != 10:
                    raise ValueError
                return datetime.date.fromisoformat(s)
            except ValueError:
                raise BadCell("D0103", f"'{s}' não é uma data AAAA-MM-DD") from None
        return to_iso
    if f.type == "bool":
        yes, no = fmt.true, fmt.false

        def to_bool(s: str) -> bool:
            if s == yes:
                return True
            if s == no:
                return False
            raise BadCell("D0104", f"'{s}' não é um valor lógico", f"use {yes} ou {no}")
        return to_bool
    raise AssertionError(f.type)


def _encoding(fmt: CsvFormat) -> str:
    return "utf-8-sig" if fmt.encoding == "utf-8" else "latin-1"


class Reader:
    """Reads one ledger input into typed tuples `(field values..., line)`."""

    def __init__(self, ledger: Ledger, name: str, partition: str | None) -> None:
        self.ledger = ledger
        self.name = name
        self.fmt = ledger.format
        self.fields = ledger.fields
        self.convs = [converter(f, self.fmt) for f in ledger.fields]
        self.required = [f.required for f in ledger.fields]
        names = [f.name for f in ledger.fields]
        self.pindex = names.index(partition) if partition in names else None

    # -------------------------------------------------------------- CSV files
    def read_csv(self, path: Path, display: str, stats: ReadStats) -> Iterator[tuple[Any, ...]]:
        fmt = self.fmt
        try:
            fh = open(path, encoding=_encoding(fmt), newline="")  # noqa: SIM115
        except OSError as exc:
            stats.fatal.append(DataError(code="D0109", message=f"não foi possível abrir o "
                                         f"arquivo: {exc.strerror}", file=display, line=1, col=1))
            return
        with fh:
            reader = csv.reader(fh, delimiter=fmt.delimiter, strict=True)
            try:
                if fmt.header:
                    header = next(reader, None)
                    order = self._header(header, display, stats)
                    if order is None:
                        return
                else:
                    order = list(range(len(self.fields)))
                yield from self._rows(reader, order, display, stats)
            except UnicodeDecodeError as exc:
                stats.fatal.append(DataError(
                    code="D0108", message=f"o arquivo não está em {fmt.encoding}: byte "
                    f"0x{exc.object[exc.start]:02x} inválido", file=display,
                    line=reader.line_num + 1, col=1,
                    help="confira 'encoding' no format do ledger"))
            except csv.Error as exc:
                stats.fatal.append(DataError(code="D0110", message=f"CSV malformado: {exc}",
                                             file=display, line=reader.line_num, col=1))

    def _header(self, header: list[str] | None, display: str,
                stats: ReadStats) -> list[int] | None:
        names = [f.name for f in self.fields]
        if header is None:
            stats.fatal.append(DataError(code="D0107", message="o arquivo está vazio; esperava "
                                         "a linha de cabeçalho", file=display, line=1, col=1))
            return None
        header = [h.strip() for h in header]
        missing = [n for n in names if n not in header]
        if missing:
            stats.fatal.append(DataError(
                code="D0107", message="o cabeçalho não tem a(s) coluna(s) "
                + ", ".join(f"'{m}'" for m in missing), file=display, line=1, col=1,
                text=self.fmt.delimiter.join(header),
                help=f"colunas esperadas: {self.fmt.delimiter.join(names)}"))
            return None
        return [header.index(n) for n in names]

    def _rows(self, reader: Iterable[list[str]], order: list[int], display: str,
              stats: ReadStats) -> Iterator[tuple[Any, ...]]:
        convs = self.convs
        required = self.required
        n_cols = None
        identity = order == list(range(len(order)))
        pindex = self.pindex
        parts = stats.partitions
        line = 1 if self.fmt.header else 0
        items = list(zip(convs, required, strict=True))
        for cells in reader:
            line = getattr(reader, "line_num", line + 1)
            stats.read += 1
            if n_cols is None:
                n_cols = len(order) if identity else None
            if identity and len(cells) != len(order) or not identity and len(cells) <= max(order):
                stats.rejected.append(self._reject_width(cells, order, display, line))
                continue
            src = cells if identity else [cells[i] for i in order]
            try:
                values = [None if s == "" and not req else conv(s)
                          for (conv, req), s in zip(items, src, strict=True)]
            except BadCell:
                stats.rejected.append(self._reject(cells, src, order, display, line))
                continue
            if "" in src:
                bad = self._missing(cells, src, order, display, line)
                if bad is not None:
                    stats.rejected.append(bad)
                    continue
            if pindex is not None:
                parts.add(values[pindex])
            values.append(line)
            stats.accepted += 1
            yield tuple(values)

    def _col(self, cells: list[str], index: int) -> int:
        return 1 + sum(len(c) + 1 for c in cells[:index])

    def _reject_width(self, cells: list[str], order: list[int], display: str,
                      line: int) -> DataError:
        expected = len(order)
        return DataError(code="D0106", message=f"a linha tem {len(cells)} coluna(s); esperava "
                         f"{expected}", file=display, line=line, col=1,
                         text=self.fmt.delimiter.join(cells))

    def _reject(self, cells: list[str], src: list[str], order: list[int], display: str,
                line: int) -> DataError:
        for i, (f, conv, s) in enumerate(zip(self.fields, self.convs, src, strict=True)):
            if s == "" and not f.required:
                continue
            if s == "":
                return self._empty(cells, order, i, display, line)
            try:
                conv(s)
            except BadCell as exc:
                return DataError(code=exc.code, message=f"campo '{f.name}' "
                                 f"({_TYPE_PT[f.type]}): {exc.message}", file=display,
                                 line=line, col=self._col(cells, order[i]), width=len(s),
                                 text=self.fmt.delimiter.join(cells), help=exc.help,
                                 field=f.name)
        raise AssertionError("linha rejeitada sem célula inválida")

    def _missing(self, cells: list[str], src: list[str], order: list[int], display: str,
                 line: int) -> DataError | None:
        for i, (f, s) in enumerate(zip(self.fields, src, strict=True)):
            if s == "" and f.required and f.type == "str":
                return self._empty(cells, order, i, display, line)
        return None

    def _empty(self, cells: list[str], order: list[int], i: int, display: str,
               line: int) -> DataError:
        f = self.fields[i]
        return DataError(code="D0105", message=f"o campo obrigatório '{f.name}' está vazio",
                         file=display, line=line, col=self._col(cells, order[i]),
                         text=self.fmt.delimiter.join(cells), field=f.name)

    # -------------------------------------------------------------- in-memory rows
    def read_rows(self, rows: Iterable[Mapping[str, Any]], display: str,
                  stats: ReadStats) -> Iterator[tuple[Any, ...]]:
        """Rows as mappings field → value; strings are converted like CSV cells."""
        names = [f.name for f in self.fields]
        for n, row in enumerate(rows, start=1):
            stats.read += 1
            missing = [k for k in names if k not in row]
            if missing:
                stats.rejected.append(DataError(code="D0107", message="o registro não tem "
                                                "o(s) campo(s) " + ", ".join(missing),
                                                file=display, line=n, col=1))
                continue
            cells = [row[k] for k in names]
            text = [c if isinstance(c, str) else ("" if c is None else str(c)) for c in cells]
            values = []
            bad = None
            for i, (f, conv, c) in enumerate(zip(self.fields, self.convs, cells, strict=True)):
                if c is None or c == "":
                    if f.required:
                        bad = self._empty(text, list(range(len(names))), i, display, n)
                        break
                    values.append(None)
                elif isinstance(c, str):
                    try:
                        values.append(conv(c))
                    except BadCell:
                        bad = self._reject(text, text, list(range(len(names))), display, n)
                        break
                else:
                    values.append(c)
            if bad is not None:
                stats.rejected.append(bad)
                continue
            if self.pindex is not None:
                stats.partitions.add(values[self.pindex])
            values.append(n)
            stats.accepted += 1
            yield tuple(values)


def write_rejects(path: Path, rejects: list[DataError]) -> None:
    """Rejected rows as CSV: arquivo;linha;coluna;campo;codigo;motivo."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\n")
    w.writerow(["arquivo", "linha", "coluna", "campo", "codigo", "motivo", "registro"])
    for e in rejects:
        w.writerow([e.file, e.line, e.col, e.field, e.code, e.message, e.text or ""])
    from runtime.outputs import write_atomic
    write_atomic(path, buf.getvalue().encode("utf-8"))
