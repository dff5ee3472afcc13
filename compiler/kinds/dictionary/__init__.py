"""The `dictionary` kind: the data dictionary of one consulta of a portal — each field's label,
the label it replaces, its tooltip, where it shows and, when the package computes it, the
output column that holds its value — copied byte for byte from the specification document and
written as a JSON and a Markdown file at the root of --out (Transparência MG, seed 003). It
reads no ledger: every back end writes the same bytes. See compiler/kinds/base.py for what each
stage module provides."""
