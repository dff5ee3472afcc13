"""The names of a package's bundle (package.yaml `bundle:`), checked before lowering.

The zip, its manifest and its provenance file are written into every partition folder beside
the layouts' output files, so their names follow the output-file rule (S0502, the same
function as `output.file`) and:

* S1401: none of them is a layout's output file (compared as S0503 compares: as the file
  systems of Windows and macOS do, case-insensitive and Unicode-normalized);
* S1402: the three are three names;
* S1403: the zip ends in `.zip`, the manifest and the provenance file in `.csv`.
"""

from __future__ import annotations

from collections.abc import Iterable

from compiler import catalog
from compiler.diagnostics import Diagnostic
from compiler.outputs_check import file_name_problem
from compiler.outputs_check import same_name
from compiler.specs import BundleSpec
from compiler.specs import LayoutSpec
from compiler.specs import PackageSpec
from compiler.specs import Text

EXTENSIONS = {"file": ".zip", "manifest": ".csv", "provenance": ".csv"}


def names(bundle: BundleSpec) -> list[tuple[str, Text]]:
    """(field, name) of the bundle's three files, in the order they are checked."""
    return [("file", bundle.file), ("manifest", bundle.manifest),
            ("provenance", bundle.provenance)]


def check_bundle(manifest: PackageSpec | None,
                 layouts: Iterable[LayoutSpec]) -> list[Diagnostic]:
    """S0502/S1401/S1402/S1403 on `manifest.bundle` (nothing when there is none)."""
    if manifest is None or manifest.bundle is None:
        return []
    diags: list[Diagnostic] = []
    outputs: dict[str, LayoutSpec] = {}
    for layout in layouts:
        outputs.setdefault(same_name(layout.output_file.value), layout)
    seen: dict[str, tuple[str, Text]] = {}
    for field, name in names(manifest.bundle):
        reason = file_name_problem(name.value)
        if reason is not None:
            diags.append(catalog.bad_output_file(name.span, name=name.value, reason=reason))
            continue
        if not name.value.casefold().endswith(EXTENSIONS[field]):
            diags.append(catalog.bundle_extension(name.span, name=name.value, field=field,
                                                  extension=EXTENSIONS[field]))
        key = same_name(name.value)
        lay = outputs.get(key)
        if lay is not None:
            diags.append(catalog.bundle_is_an_output(name.span, name=name.value, field=field,
                                                     layout=lay.id,
                                                     file=lay.output_file.value,
                                                     first=lay.output_file.span))
        elif key in seen:
            other, first = seen[key]
            diags.append(catalog.bundle_names_collide(name.span, name=name.value, field=field,
                                                      other=other, other_name=first.value,
                                                      first=first.span))
        seen.setdefault(key, (field, name))
    return diags
