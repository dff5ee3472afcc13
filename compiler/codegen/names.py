"""Deterministic identifiers for generated code, derived from spec ids."""

from __future__ import annotations

from compiler.chars import ident as ident  # the package loader refuses two ids, one ident


def field_var(name: str) -> str:
    return f"f_{name}"


def derived_var(name: str) -> str:
    return f"d_{name}"


def param_var(name: str) -> str:
    return f"p_{name}"


def map_var(name: str) -> str:
    return f"M_{ident(name)}"


def entries_var(name: str) -> str:
    """The map's entries dict, read directly by the scan (a hit costs no Python call)."""
    return f"E_{ident(name)}"


def acc_var(layout: str) -> str:
    return f"A_{ident(layout)}"


def rows_var(layout: str) -> str:
    return f"R_{ident(layout)}"
