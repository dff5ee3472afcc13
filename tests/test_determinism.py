"""Compiling twice — other hash seeds, reversed file discovery — gives identical bytes."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from tests.conftest import ROOT

SCRIPT = """
import json, sys
from pathlib import Path
import compiler.package as package
if sys.argv[1] == 'reverse':
    orig = Path.rglob
    def rglob(self, pattern):
        return list(reversed(sorted(orig(self, pattern))))
    Path.rglob = rglob
from compiler import compile_package
r = compile_package('specs/siops')
assert not r.errors, r.errors
sys.stdout.write(json.dumps(r.files, sort_keys=True))
"""


def _compile(seed: str, order: str) -> str:
    env = dict(os.environ, PYTHONHASHSEED=seed)
    out = subprocess.run([sys.executable, "-c", SCRIPT, order], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True)
    return out.stdout


def test_compiling_twice_gives_identical_bytes() -> None:
    a = _compile("0", "normal")
    b = _compile("1", "reverse")
    assert a == b
    assert len(a) > 1000


def test_generated_header_has_no_dates_or_absolute_paths() -> None:
    text = (ROOT / "generated" / "siops" / "__init__.py").read_text("utf-8")
    header = "\n".join(text.splitlines()[:20])
    assert "DO NOT EDIT" in header
    assert not re.search(r"\d{4}-\d{2}-\d{2}|\d{2}/\d{2}/\d{4}", header)
    assert str(ROOT) not in text
