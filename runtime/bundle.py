"""The bundle of a package (package.yaml `bundle:`): in every partition folder, a zip of every
file a complete run wrote there, a manifest and a provenance file — inside the zip (it is
self-describing) and beside it (for CI and people).

* `manifesto.csv` — `arquivo;linhas;bytes;sha256`, one row per entry of the zip but itself
  (the output files and the provenance file), sorted by name: its sha256 column pins every
  file's bytes, its row count makes the number of files checkable.
* `proveniencia.csv` — `chave;valor`: the package id, its spec sha256, the compiler version,
  the runtime ABI, the partition, every parameter, every input's sha256 and size, the number
  of output files. Not the back end, the clock, a path or the run's id: outputs are
  byte-identical on every back end and machine, so the bundle is too.
* the zip — ZIP_STORED (DEFLATE's bytes depend on the zlib build: zlib and zlib-ng compress
  alike but not identically), entries sorted by name, every date 1980-01-01 00:00:00, mode
  0644 as written by a Unix system, no extra field, no comment, no folder: each entry's name is
  a file name that passed `entry_problem` (no path at all).

A run that writes only some layouts (`--select`) writes no bundle (it would describe part of
the files, or mix them with an earlier run's) and removes, in its own commit, the bundle an
earlier run left in the partition folders it writes (D0901, a warning): a zip never survives
beside files that changed since it was made.

The CSVs are the project's dialect: `;`, UTF-8, a header row, `\\n` line ends (as the
`--rejects` report).
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import unicodedata
import zipfile
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from runtime import catalog
from runtime.contract import RUNTIME_ABI
from runtime.errors import DataError
from runtime.errors import RunFailed
from runtime.file_names import file_name_problem
from runtime.model import Bundle
from runtime.model import LedgerInput
from runtime.model import Package
from runtime.model import Report

ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip can hold: no clock in the bytes
ZIP_MODE = 0o100644  # a regular file, rw-r--r--
ZIP_UNIX = 3  # "made by" Unix, whatever the system that runs apura
MANIFEST_HEADER = ("arquivo", "linhas", "bytes", "sha256")
PROVENANCE_HEADER = ("chave", "valor")


@dataclass(frozen=True, slots=True)
class Digest:
    """The sha256 and size of an input file, as the run read it."""

    sha256: str
    size: int


@dataclass(frozen=True, slots=True)
class Made:
    """One partition's bundle: its zip (path relative to OUT, sha256, bytes) and how many
    output files it holds (besides the manifest and the provenance: `arquivos`)."""

    partition: str
    path: str
    sha256: str
    size: int
    files: int

    def journal_row(self) -> tuple[str, str, str, int, int]:
        return (self.partition, self.path, self.sha256, self.size, self.files)


# ---------------------------------------------------------------- names
def entry_problem(name: str) -> str | None:
    """Why `name` cannot be a zip entry (pt-BR), or None: the output-file rule
    (runtime/file_names, S0502 at compile time), checked again here because a name reaching
    the zip could come from a future kind's data."""
    return file_name_problem(name)


def _key(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


# ---------------------------------------------------------------- the three files
def line_count(data: bytes) -> int:
    """The lines of a file: its line ends (`\\n`, so CRLF counts once), plus one for a last
    line without one."""
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


def _csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def manifest_csv(files: Mapping[str, bytes]) -> bytes:
    """`arquivo;linhas;bytes;sha256`, one row per file, sorted by name."""
    return _csv(MANIFEST_HEADER, ((name, line_count(data), len(data),
                                   hashlib.sha256(data).hexdigest())
                                  for name, data in sorted(files.items())))


def param_text(value: Any) -> str:
    """A parameter as `--param` takes it: 2020, 1234,56, 2020-12-31, true/false, the text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def provenance_csv(pkg: Package, partition: Any, params: Mapping[str, Any],
                   digests: Mapping[str, Digest | None], files: int) -> bytes:
    """`chave;valor`: what made the partition's files (see the module docstring). An input
    given as rows in memory has an empty sha256 and size (there is no file to hash)."""
    rows: list[tuple[str, str]] = [("pacote", pkg.id), ("spec_sha256", pkg.spec_hash),
                                   ("compilador", pkg.compiler_version),
                                   ("abi", str(RUNTIME_ABI))]
    if pkg.layout_year is not None:
        rows.append(("ano_layout", str(pkg.layout_year)))
    if pkg.partition is not None:
        rows.append((f"particao.{pkg.partition}", str(partition)))
    rows += [(f"parametro.{name}", param_text(params[name])) for name in sorted(params)]
    for name in sorted(digests):
        got = digests[name]
        rows += [(f"entrada.{name}.sha256", "" if got is None else got.sha256),
                 (f"entrada.{name}.bytes", "" if got is None else str(got.size))]
    rows.append(("arquivos", str(files)))
    return _csv(PROVENANCE_HEADER, rows)


def zip_bytes(files: Mapping[str, bytes]) -> bytes:
    """The zip of `files` (entry name → bytes), deterministic: see the module docstring.
    ValueError for a name that is not a plain file name (`entry_problem`)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        for name in sorted(files):
            problem = entry_problem(name)
            if problem is not None:
                raise ValueError(f"{name!r}: {problem}")
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = ZIP_UNIX
            info.external_attr = ZIP_MODE << 16
            zf.writestr(info, files[name])
    return buf.getvalue()


# ---------------------------------------------------------------- a run's bundles
def input_digests(ledgers: Mapping[str, LedgerInput], names: Iterable[str]) -> dict[
        str, Digest | None]:
    """sha256 and size of each input file the run read (None for rows in memory)."""
    out: dict[str, Digest | None] = {}
    for name in names:
        src = ledgers[name]
        out[name] = file_digest(Path(src)) if isinstance(src, str | Path) else None
    return out


def file_digest(path: Path) -> Digest | None:
    h = hashlib.sha256()
    size = 0
    try:
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
                size += len(chunk)
    except OSError:
        return None
    return Digest(h.hexdigest(), size)


def complete(layouts: Sequence[Report], chosen: set[str]) -> bool:
    """Whether a run of the `chosen` layouts writes every file of the package: every layout,
    or, of an `alternative_of` group, the one chosen."""
    groups = {lay.alternative_of for lay in layouts if lay.id in chosen and lay.alternative_of}
    return all(lay.id in chosen or (lay.alternative_of and lay.alternative_of in groups)
               for lay in layouts)


def _folder(pkg: Package, part: Any) -> str:
    return "" if pkg.partition is None else f"{part}/"


def build(pkg: Package, bundle: Bundle, outputs: Mapping[str, bytes], partitions: Sequence[Any],
          params: Mapping[str, Any], digests: Mapping[str, Digest | None],
          ) -> tuple[dict[str, bytes], list[Made]]:
    """The bundle files of every partition (path relative to OUT → bytes) and what they are,
    for the journal. RunFailed (D0902) when an output cannot be an entry of the zip."""
    own = {_key(n): n for n in bundle.names}
    added: dict[str, bytes] = {}
    made: list[Made] = []
    errors: list[DataError] = []
    for part in partitions:
        folder = _folder(pkg, part)
        files = {rel[len(folder):]: data for rel, data in outputs.items()
                 if rel.startswith(folder)}
        for name in sorted(files):
            problem = entry_problem(name)
            if problem is None and _key(name) in own:
                problem = f"tem o nome de um arquivo do próprio pacote ('{own[_key(name)]}')"
            if problem is not None:
                errors.append(catalog.bundle_entry(name, problem, bundle=bundle.file,
                                                   file=f"{folder}{name}"))
        if errors:
            continue
        count = len(files)
        files[bundle.provenance] = provenance_csv(pkg, part, params, digests, count)
        manifest = manifest_csv(files)
        data = zip_bytes({**files, bundle.manifest: manifest})
        added[f"{folder}{bundle.manifest}"] = manifest
        added[f"{folder}{bundle.provenance}"] = files[bundle.provenance]
        added[f"{folder}{bundle.file}"] = data
        made.append(Made("" if pkg.partition is None else str(part), f"{folder}{bundle.file}",
                         hashlib.sha256(data).hexdigest(), len(data), count))
    if errors:
        raise RunFailed(errors)
    return added, made


def stale(pkg: Package, bundle: Bundle, partitions: Sequence[Any]) -> list[str]:
    """The bundle files of the partition folders a partial run writes: its commit removes
    them (paths relative to OUT)."""
    return sorted(f"{_folder(pkg, part)}{name}" for part in partitions for name in bundle.names)


def attach(result: Any, ledgers: Mapping[str, LedgerInput], params: Mapping[str, Any],
           select: str | None, chosen: set[str]) -> None:
    """Add the bundles to a successful run's `result` (a runtime.program.Result): for a
    complete run, the files (into `result.outputs`), `result.bundles` and the input digests
    (`result.digests`, which the journal reuses); for a partial one, `result.removes` and the
    D0901 warning."""
    pkg: Package = result.package
    bundle = pkg.bundle
    if bundle is None:
        return
    # what the parameters switch off (`when:`) is not part of a complete run
    off = pkg.inactive(dict(params))
    if not complete([r for r in pkg.reports if r.id not in off], chosen):
        result.removes = stale(pkg, bundle, result.partitions)
        result.warnings.append(catalog.bundle_partial(select or "", bundle.names))
        return
    result.digests = input_digests(ledgers, [st.name for st in result.inputs])
    try:
        added, result.bundles = build(pkg, bundle, result.outputs, result.partitions,
                                      params, result.digests)
    except RunFailed as exc:  # with what reading did: the journal records the inputs
        raise RunFailed(exc.errors, result.inputs) from None
    result.outputs.update(added)
