"""Discover a package's spec files (sorted), load each, validate it, check ids are unique."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from pathlib import Path

import yaml

from compiler import catalog
from compiler import extends
from compiler import kinds
from compiler import schema
from compiler import specs
from compiler import yamlnodes
from compiler import years
from compiler.chars import ident
from compiler.diagnostics import Diagnostic
from compiler.source import SourceFile
from compiler.source import Span
from compiler.source import file_span

# A spec file larger than this is refused (S0601) before it is read: compiling costs about
# 100 times the file's size in memory (see benchmarks/README.md, "big layouts").
MAX_SPEC_BYTES = 8 * 1024 * 1024


# YAML nesting levels (lists and mappings) guaranteed to load; a spec needs about six. Deeper
# files may hit PyYAML's recursion; they are refused (S0603) at the level past this one.
MAX_YAML_DEPTH = 100


@dataclass(slots=True)
class LoadedPackage:
    """The specs of one package folder, in sorted file order, plus their sources."""

    folder: str
    manifest: specs.PackageSpec | None
    # kind → spec id → spec, for every kind of the registry but the singleton `package`
    by_kind: dict[str, dict[str, specs.Spec]] = field(default_factory=lambda: {
        k: {} for k in kinds.KINDS if not kinds.front_end(k).singleton})
    sources: dict[str, SourceFile] = field(default_factory=dict)
    # the layout year this view is of (None: the package has no layout years), and all of them
    year: int | None = None
    years: tuple[int, ...] = ()
    # where display paths start (files are `base / path`), and the bytes of the data files the
    # kinds read beside the specs (a table's CSV: compiler/kinds/table), by display path; the
    # spec hash covers them byte for byte
    base: Path = Path(".")
    data: dict[str, bytes] = field(default_factory=dict)

    def specs_of(self, kind: str) -> dict[str, specs.Spec]:
        """id → spec of one kind, in file order."""
        return self.by_kind[kind]

    @property
    def ledgers(self) -> dict[str, specs.LedgerSpec]:
        return self.by_kind["ledger"]  # type: ignore[return-value]

    @property
    def maps(self) -> dict[str, specs.MapSpec]:
        return self.by_kind["map"]  # type: ignore[return-value]

    @property
    def layouts(self) -> dict[str, specs.LayoutSpec]:
        return self.by_kind["layout"]  # type: ignore[return-value]


def discover(root: Path) -> list[Path]:
    """Package folders under `root` (a folder holding package.yaml counts as one itself)."""
    if (root / "package.yaml").is_file():
        return [root]
    return sorted(p.parent for p in root.glob("*/package.yaml"))


def project_root(folder: Path) -> Path:
    """The base that display paths (and so the spec hash) are relative to, whatever the cwd.

    The nearest ancestor of the package folder that holds a pyproject.toml, or whose `specs/`
    folder holds the package; failing both, the package folder's parent.
    """
    folder = folder.resolve()
    for anc in folder.parents:
        if (anc / "pyproject.toml").is_file() or (anc / "specs") in (folder, *folder.parents):
            return anc
    return folder.parent


def display_path(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


@dataclass(slots=True)
class Reading:
    """Every spec file of a package folder parsed (once), before `extends:` and validation;
    `years` are its layout-year folders (compiler/years.py), each file's `layer` its year."""

    folder: str
    sources: dict[str, SourceFile]
    parsed: list[extends.Parsed]
    years: tuple[int, ...]
    base: Path = Path(".")
    # the data files the views read (compiler/kinds/table), shared like `sources`
    data: dict[str, bytes] = field(default_factory=dict)


def read_package(folder: Path, base: Path, diags: list[Diagnostic]) -> Reading:
    """Read and parse every *.yaml under `folder`; collect diagnostics and keep going."""
    files = sorted(folder.rglob("*.yaml"), key=lambda p: p.relative_to(folder).as_posix())
    reading = Reading(folder=display_path(folder, base), sources={}, parsed=[],
                      years=tuple(y for y, _ in years.folders(folder)), base=base)
    for path in files:
        size = path.stat().st_size
        if size > MAX_SPEC_BYTES:
            diags.append(catalog.spec_file_too_big(file_span(display_path(path, base)),
                                                   size=size, limit=MAX_SPEC_BYTES))
            continue
        src = SourceFile.read(path, display_path(path, base))
        reading.sources[src.path] = src
        try:
            one = parse_spec(src, diags)
        except RecursionError:  # PyYAML's composer recurses per nesting level
            diags.append(catalog.yaml_too_deep(yaml_depth_span(src, MAX_YAML_DEPTH),
                                               limit=MAX_YAML_DEPTH))
            continue
        if one is not None:
            reading.parsed.append(replace(one, layer=years.layer(path, folder)))
    return reading


def load_package(folder: Path, base: Path, diags: list[Diagnostic],
                 year: int | None = None) -> LoadedPackage:
    """Load every *.yaml under `folder` (the view of layout year `year`, when the package has
    layout years: default the latest); collect diagnostics and keep going."""
    return build_view(read_package(folder, base, diags), year, diags)


def build_view(reading: Reading, year: int | None, diags: list[Diagnostic]) -> LoadedPackage:
    """The specs of one view of a package: its own specs plus those of the layout-year
    folders up to `year` (a later year's spec replacing an earlier one of the same id), with
    `extends:` merged, validated and built."""
    if year is None and reading.years:
        year = reading.years[-1]
    pkg = LoadedPackage(folder=reading.folder, manifest=None, sources=reading.sources,
                        year=year, years=reading.years, base=reading.base,
                        data=reading.data)
    seen: dict[str, specs.Spec] = {}
    same_ident: dict[str, specs.Spec] = {}  # by the name an id gets in generated code
    in_view = [p for p in reading.parsed if year is None or p.layer <= year]
    # Every file parsed: merge `extends:` (compiler/extends.py), then validate and build.
    for one in extends.resolve(in_view, diags):
        try:
            spec = build_spec(one, diags)
        except RecursionError:  # jsonschema recurses per nesting level
            diags.append(catalog.yaml_too_deep(yaml_depth_span(one.src, MAX_YAML_DEPTH),
                                               limit=MAX_YAML_DEPTH))
            continue
        if spec is None:
            continue
        if isinstance(spec, specs.PackageSpec):  # the one singleton kind
            pkg.manifest = spec
            continue
        if spec.id in seen:
            diags.append(catalog.duplicate_id(spec.id_span, spec_id=spec.id,
                                              first=seen[spec.id].id_span))
            continue
        other = same_ident.get(ident(spec.id))
        if other is not None:  # one name in the generated code: one accumulator, one column
            diags.append(catalog.duplicate_id(spec.id_span, spec_id=spec.id, first=other.id_span,
                                              other=other.id, name=ident(spec.id)))
            continue
        seen[spec.id] = same_ident[ident(spec.id)] = spec
        pkg.by_kind[spec.kind][spec.id] = spec
    if pkg.manifest is None and not any(d.code.startswith(("Y", "S")) and
                                        d.span.file.endswith("package.yaml") for d in diags):
        diags.append(catalog.missing_package(file_span(pkg.folder), folder=pkg.folder))
    if pkg.manifest is not None:
        diags.extend(years.check(pkg.manifest, reading.years))
    return pkg


def parse_spec(src: SourceFile, diags: list[Diagnostic]) -> extends.Parsed | None:
    """The file's YNode tree and kind, or None after reporting why there is none."""
    node, ydiags = yamlnodes.load(src)
    diags.extend(ydiags)
    if node is None:
        return None
    if not isinstance(node, yamlnodes.YMap):
        diags.append(catalog.wrong_type(node.span, where="uma spec",
                                        expected="um mapeamento (chave: valor)"))
        return None
    kind_node = node.get("kind")
    kind = kind_node.value if isinstance(kind_node, yamlnodes.YScalar) else None
    if kind not in schema.KINDS:
        span = kind_node.span if kind_node is not None else node.span
        diags.append(catalog.unknown_kind(span, kind=kind, kinds=list(schema.KINDS),
                                          candidates=difflib.get_close_matches(
                                              kind or "", schema.KINDS, n=1)))
        return None
    return extends.Parsed(src=src, node=node, kind=kind)


def build_spec(one: extends.Parsed, diags: list[Diagnostic]) -> specs.Spec | None:
    """Schema-validate a (merged) tree and build its spec."""
    _, sdiags = schema.validate(one.node, one.kind)
    if sdiags:
        diags.extend(sdiags)
        return None
    return kinds.front_end(one.kind).build(one.node, one.src,
                                           specs.base_fields(one.node, one.src, one.kind))


def yaml_depth_span(src: SourceFile, limit: int) -> Span:
    """Where the YAML text first nests more than `limit` collections (PyYAML's scanner is
    iterative); the start of the file if it never does."""
    depth = 0
    try:
        for tok in yaml.scan(src.text, Loader=yaml.SafeLoader):
            if isinstance(tok, _OPEN):
                depth += 1
                if depth > limit:
                    return src.span(tok.start_mark.index, tok.start_mark.index + 1)
            elif isinstance(tok, _CLOSE):
                depth -= 1
    except yaml.YAMLError:
        pass
    return file_span(src.path)


_OPEN = (yaml.FlowSequenceStartToken, yaml.FlowMappingStartToken, yaml.BlockSequenceStartToken,
         yaml.BlockMappingStartToken)
_CLOSE = (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken, yaml.BlockEndToken)
