"""The `rows` kind: rows of `table`s written in a YAML spec of their own — one file an analyst
edits per report (assinatura's document configuration), instead of a line in a shared CSV.
The table reads them with its CSV files (compiler/kinds/table/yamlrows.py); the kind has no
plan node of its own."""
