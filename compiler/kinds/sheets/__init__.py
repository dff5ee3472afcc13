"""The `sheets` kind: a set of planilhas whose lines come from a table — one file per
planilha code (a combination such as fonte group × subfunção group), one line per row of the
table that got a value, the row found by lookup (not by one rule per row)."""
