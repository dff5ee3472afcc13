"""The `indicator` kind: one indicator of the Portal do Gestor (issue 11) — a ledger's records
grouped by keys beyond the partition, measures over them (sum, count, avg, min, max), a
period, a ranking (top/bottom N with a declared tie rule) or a ratio against a legal limit —,
and the catalog facts the delivery needs (area, vertical, system, table, payload key)."""
