"""`extends:` — a spec names another spec of its kind (same package) and states only what changes.

The merge works on YNode trees, after every file is parsed and before schema validation, so the
merged tree goes through the schema and specs.build like any spec, and every value keeps the
span of the file that set it (an inherited row points at the parent's file; a row whose `rule`
the child overrides points at the child's file for the rule, at the parent's for the rest).

Rules (the README's "`extends:`" section says the same for analysts):

* Everything but `id` (the child's own, required) and `extends` is inherited: `description`,
  `provisional`, `alternative_of`, `output`, ... A child states a key to change it.
* Mappings merge key by key, recursively (`output: {file: x}` keeps the parent's `format`;
  `fields: {x: {required: false}}` keeps x's type); a scalar, or a value of another YAML type,
  replaces the parent's.
* Lists declared keyed in the kind's JSON Schema (`"x-apura-key": "ref"` on the array) merge
  item by item: a child item whose key the parent has is merged into it (key by key, in the
  parent's place); a new key is appended, or placed with `before: <key>` / `after: <key>`
  (which may also move an inherited item). Keys in an item's `"x-apura-exclusive"` group
  (a row's rule/otherwise/values/total_of) replace each other: a row override stating
  `total_of:` drops the parent's `rule:`; the merged row's own position is the child's item
  when it states one of them, else the parent's (a new label does not move the row's
  location). Every other list is replaced whole.
* `remove: {rows: [...], fields: [...], filter: true}` drops items of a keyed collection (a
  keyed list, or a mapping such as `fields`) by key, or an optional key as a whole, before the
  child's items are merged: an item removed and stated again is a new item (not merged).
* Naming an item or key the parent does not have, or stating one item twice, is an error.

Kinds whose schema has an `extends` property support it (not `package`: one per folder).
Codes S08xx (compiler/catalog.py).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from dataclasses import replace
from typing import Any

from compiler import catalog
from compiler.diagnostics import Diagnostic
from compiler.schema import schema_for
from compiler.source import SourceFile
from compiler.yamlnodes import YMap
from compiler.yamlnodes import YNode
from compiler.yamlnodes import YScalar
from compiler.yamlnodes import YSeq

MERGE_KEY = "x-apura-key"              # on an array schema: its items are merged by this key
EXCLUSIVE = "x-apura-exclusive"        # on an item schema: groups of keys that replace each other
POSITIONS = ("before", "after")        # where a keyed item goes (only in an extending spec)
OWN_KEYS = ("kind", "id", "extends", "remove")  # never inherited, never removable


@dataclass(frozen=True, slots=True)
class Parsed:
    """One spec file parsed to YNodes: its source, its root mapping and its kind."""

    src: SourceFile
    node: YMap
    kind: str
    # the layout year of the folder it is in (compiler/years.py); 0 for the package's own specs
    layer: int = 0


def supports(kind: str) -> bool:
    return "extends" in schema_for(kind).get("properties", {})


def removable(kind: str) -> dict[str, tuple[bool, bool]]:
    """Top-level keys `remove:` accepts: name → (items by key, the whole key)."""
    schema = schema_for(kind)
    required = set(schema.get("required", ()))
    out: dict[str, tuple[bool, bool]] = {}
    for name, sub in schema.get("properties", {}).items():
        if name in OWN_KEYS:
            continue
        keyed = MERGE_KEY in sub or isinstance(sub.get("additionalProperties"), dict)
        whole = name not in required
        if keyed or whole:
            out[name] = (keyed, whole)
    return out


def resolve(parsed: list[Parsed], diags: list[Diagnostic]) -> list[Parsed]:
    """Each spec with its `extends:` merged in (file order kept); a spec whose chain has an
    error is left out (its diagnostics are in `diags`; its children are left out silently)."""
    return _Resolver(parsed, diags).run()


class _Resolver:
    def __init__(self, parsed: list[Parsed], diags: list[Diagnostic]) -> None:
        self.parsed = parsed
        self.diags = diags
        # id → the index of the spec of that id in each layer (the first one of a layer: a
        # duplicate id is S0201 later), by layer; the last one is the spec the view holds
        self.layers: dict[str, list[int]] = {}
        for i, p in sorted(enumerate(parsed), key=lambda ip: ip[1].layer):
            sid = _id(p.node)
            if sid is None:
                continue
            got = self.layers.setdefault(sid, [])
            if not got or parsed[got[-1]].layer != p.layer:
                got.append(i)
        self.by_id = {sid: got[-1] for sid, got in self.layers.items()}
        self.memo: dict[int, YMap | None] = {}

    def _replaced(self, i: int) -> bool:
        """Spec i has the id of a spec of a later layout year, which replaces it in the view."""
        sid = _id(self.parsed[i].node)
        return sid is not None and self.parsed[self.by_id[sid]].layer > self.parsed[i].layer

    def run(self) -> list[Parsed]:
        out = []
        for i, p in enumerate(self.parsed):
            if self._replaced(i):
                continue
            node = self.merged(i)
            if node is not None:
                out.append(p if node is p.node else replace(p, node=node))
        return out

    def _parent(self, i: int, ext: YNode) -> int | None:
        """The index of spec i's parent, or None after reporting why there is none."""
        p = self.parsed[i]
        if not isinstance(ext, YScalar):
            self.diags.append(catalog.wrong_type(ext.span, where="'extends'",
                                                 expected="o id de uma spec (um texto)"))
            return None
        j = self.by_id.get(ext.value)
        if p.layer and ext.value == _id(p.node):
            # a layout year's spec extending its own id: that spec of an earlier layout year
            j = next((k for k in reversed(self.layers.get(ext.value, []))
                      if self.parsed[k].layer < p.layer), None)
            if j is None:
                self.diags.append(catalog.extends_no_earlier_year(ext.span, spec_id=ext.value,
                                                                  year=p.layer))
                return None
        if j is None:
            same = sorted(sid for sid, k in self.by_id.items()
                          if self.parsed[k].kind == p.kind and k != i)
            self.diags.append(catalog.extends_unknown_parent(
                ext.span, parent=ext.value, kind=p.kind,
                candidates=difflib.get_close_matches(ext.value, same, n=1)))
            return None
        q = self.parsed[j]
        if q.kind != p.kind:
            kind_node = q.node.get("kind")
            self.diags.append(catalog.extends_kind_mismatch(
                ext.span, parent=ext.value, parent_kind=q.kind, kind=p.kind,
                parent_span=kind_node.span if kind_node is not None else q.node.span))
            return None
        return j

    def merged(self, i: int) -> YMap | None:
        """Spec i with its chain merged; iterative (a chain may be long), memoised."""
        chain: list[int] = []
        at: dict[int, int] = {}
        cur = i
        base: YMap | None
        while True:
            if cur in self.memo:
                base = self.memo[cur]
                break
            p = self.parsed[cur]
            ext = p.node.get("extends") if supports(p.kind) else None
            if ext is None:
                base = p.node if self._no_stray_keys(p) else None
                self.memo[cur] = base
                break
            if cur in at:  # a cycle: chain[at[cur]:] all extend each other
                self._cycle(chain[at[cur]:])
                base = None
                break
            at[cur] = len(chain)
            chain.append(cur)
            parent = self._parent(cur, ext)
            if parent is None:
                self.memo[cur] = None
                base = None
                break
            cur = parent
        for k in reversed(chain):
            if k in self.memo:  # a cycle member, already failed
                base = None
                continue
            if base is not None:
                base = self._merge_spec(base, self.parsed[k])
            self.memo[k] = base
        return self.memo.get(i, base)

    def _cycle(self, members: list[int]) -> None:
        ids = [_id(self.parsed[k].node) or "?" for k in members]
        spans = [self.parsed[k].node.get("extends") for k in members]
        first = spans[0]
        assert first is not None
        parents = [*ids[1:], ids[0]]
        links = tuple((s.span, f"'{a}' herda de '{b}'") for s, a, b in
                      zip(spans[1:], ids[1:], parents[1:], strict=True) if s is not None)
        self.diags.append(catalog.extends_cycle(first.span, chain=[*ids, ids[0]], links=links))
        for k in members:
            self.memo[k] = None

    def _no_stray_keys(self, p: Parsed) -> bool:
        """A spec without `extends:` states no `remove:`, `before:` or `after:`."""
        if not supports(p.kind):
            return True
        stray = [k for k, _ in p.node.items if k.value == "remove"]
        schema = schema_for(p.kind)
        for key, value in p.node.items:
            sub = schema.get("properties", {}).get(key.value, {})
            if MERGE_KEY in sub and isinstance(value, YSeq):
                stray += [k for item in value.items if isinstance(item, YMap)
                          for k, _ in item.items if k.value in POSITIONS]
        for k in stray:
            self.diags.append(catalog.extends_only(k.span, key=k.value))
        return not stray

    # ------------------------------------------------------------ merging
    def _merge_spec(self, parent: YMap, p: Parsed) -> YMap | None:
        child = p.node
        parent_id = _id(parent) or "?"
        before = len(self.diags)
        schema = schema_for(p.kind)
        base = self._removed(parent, child.get("remove"), p.kind, parent_id)
        if base is None:
            return None
        own = YMap(items=tuple((k, v) for k, v in child.items if k.value not in
                               ("extends", "remove")), span=child.span)
        # The child's id replaces the parent's in its place (a missing id is S0103 later).
        base = YMap(items=tuple((k, v) for k, v in base.items if k.value != "id"), span=base.span)
        merged = self._map(base, own, schema, parent_id)
        return merged if len(self.diags) == before else None

    def _removed(self, parent: YMap, remove: YNode | None, kind: str,
                 parent_id: str) -> YMap | None:
        """The parent without what `remove:` names (None after an error)."""
        if remove is None:
            return parent
        if not isinstance(remove, YMap):
            self.diags.append(catalog.wrong_type(remove.span, where="'remove'",
                                                 expected="um mapeamento (chave: lista de "
                                                 "itens, ou chave: true)"))
            return None
        allowed = removable(kind)
        schema = schema_for(kind)
        items = dict((k.value, (k, v)) for k, v in parent.items)
        ok = True
        for key, what in remove.items:
            if key.value not in allowed:
                names = list(allowed)
                self.diags.append(catalog.unknown_key(
                    key.span, key=key.value, where="'remove'", allowed=names,
                    candidates=difflib.get_close_matches(key.value, names, n=1)))
                ok = False
                continue
            keyed, whole = allowed[key.value]
            if isinstance(what, YScalar) and what.style is None and what.value == "true" \
                    and whole:
                if key.value not in items:
                    self.diags.append(catalog.extends_unknown_item(
                        what.span, collection=None, key=key.value, parent=parent_id,
                        where=None, candidates=[]))
                    ok = False
                else:
                    del items[key.value]
                continue
            if not (keyed and isinstance(what, YSeq)
                    and all(isinstance(n, YScalar) for n in what.items)):
                expected = "uma lista de chaves" if keyed else ""
                expected += (" ou " if keyed and whole else "") + ("true" if whole else "")
                self.diags.append(catalog.wrong_type(what.span, where=f"'remove: {key.value}'",
                                                     expected=expected))
                ok = False
                continue
            coll = items.get(key.value)
            sub = schema["properties"][key.value]
            new, good = self._remove_items(coll[1] if coll else None, what, key.value,
                                           sub.get(MERGE_KEY), parent_id)
            ok = ok and good
            if coll is not None and new is not None:
                items[key.value] = (coll[0], new)
        if not ok:
            return None
        return YMap(items=tuple(items.values()), span=parent.span)

    def _remove_items(self, coll: YNode | None, what: YSeq, name: str, key: str | None,
                      parent_id: str) -> tuple[YNode | None, bool]:
        entries = _entries(coll, key)
        ok = True
        for n in what.items:
            assert isinstance(n, YScalar)
            at = next((i for i, (k, _) in enumerate(entries) if k == n.value), None)
            if at is None:
                self.diags.append(catalog.extends_unknown_item(
                    n.span, collection=name, key=n.value, parent=parent_id, where=None,
                    candidates=difflib.get_close_matches(
                        n.value, [k for k, _ in entries if k is not None], n=1)))
                ok = False
            else:
                del entries[at]
        return _rebuild(coll, entries), ok

    def _merge(self, base: YNode, child: YNode, schema: dict[str, Any], name: str,
               parent_id: str) -> YNode:
        if isinstance(base, YMap) and isinstance(child, YMap):
            return self._map(base, child, schema, parent_id)
        key = schema.get(MERGE_KEY)
        if isinstance(base, YSeq) and isinstance(child, YSeq) and isinstance(key, str):
            return self._keyed(base, child, key, schema.get("items", {}), name, parent_id)
        return child

    def _map(self, base: YMap, child: YMap, schema: dict[str, Any], parent_id: str) -> YMap:
        items = {k.value: (k, v) for k, v in base.items}
        stated = {k.value for k, _ in child.items}
        for group in schema.get(EXCLUSIVE, ()):
            if stated & set(group):
                for g in group:
                    if g not in stated:
                        items.pop(g, None)
        for key, value in child.items:
            old = items.get(key.value)
            if old is None:
                items[key.value] = (key, value)
            else:
                items[key.value] = (key, self._merge(old[1], value, _sub(schema, key.value),
                                                     key.value, parent_id))
        return YMap(items=tuple(items.values()), span=child.span)

    def _keyed(self, base: YSeq, child: YSeq, key: str, item_schema: dict[str, Any],
               name: str, parent_id: str) -> YSeq:
        entries = _entries(base, key)
        stated: dict[str, YScalar] = {}
        for item in child.items:
            knode = item.get(key) if isinstance(item, YMap) else None
            kval = knode.value if isinstance(knode, YScalar) else None
            if isinstance(knode, YScalar):
                if knode.value in stated:
                    self.diags.append(catalog.extends_duplicate_item(
                        knode.span, collection=name, key=knode.value,
                        first=stated[knode.value].span))
                    continue
                stated[knode.value] = knode
            item, anchor = self._position(item)
            at = next((i for i, (k, _) in enumerate(entries) if k == kval and k is not None),
                      None)
            if at is not None:
                node = self._merge(entries[at][1], item, item_schema, name, parent_id)
                if isinstance(node, YMap) and not _restates(item, item_schema):
                    # a row whose label alone changes is still where its rule is
                    node = replace(node, span=entries[at][1].span)
                if anchor is None:
                    entries[at] = (kval, node)
                    continue
                del entries[at]
            else:
                node = item
            if anchor is None:
                entries.append((kval, node))
                continue
            where, target = anchor
            pos = next((i for i, (k, _) in enumerate(entries) if k == target.value), None)
            if pos is None:
                self.diags.append(catalog.extends_unknown_item(
                    target.span, collection=name, key=target.value,
                    parent=parent_id, where=where,
                    candidates=difflib.get_close_matches(
                        target.value, [k for k, _ in entries if k is not None], n=1)))
                entries.append((kval, node))
                continue
            entries.insert(pos + (where == "after"), (kval, node))
        return YSeq(items=tuple(n for _, n in entries), span=child.span)

    def _position(self, item: YNode) -> tuple[YNode, tuple[str, YScalar] | None]:
        """The item without `before:`/`after:`, and where it goes."""
        if not isinstance(item, YMap):
            return item, None
        found = [(k, v) for k, v in item.items if k.value in POSITIONS]
        if not found:
            return item, None
        rest = YMap(items=tuple((k, v) for k, v in item.items if k.value not in POSITIONS),
                    span=item.span)
        if len(found) > 1:
            self.diags.append(catalog.extends_two_positions(found[1][0].span))
            return rest, None
        k, v = found[0]
        if not isinstance(v, YScalar):
            self.diags.append(catalog.wrong_type(v.span, where=f"'{k.value}'",
                                                 expected="a chave de um item (um texto)"))
            return rest, None
        return rest, (k.value, v)


def _restates(item: YNode, schema: dict[str, Any]) -> bool:
    """Whether an override states what its item is (a key of an exclusive group: a row's rule,
    otherwise, values or total_of); then the merged item has the child's position, else the
    parent's. An item schema without such groups: always the child's."""
    groups = schema.get(EXCLUSIVE)
    if not groups or not isinstance(item, YMap):
        return True
    stated = {k.value for k, _ in item.items}
    return any(stated & set(g) for g in groups)


def _id(node: YMap) -> str | None:
    n = node.get("id")
    return n.value if isinstance(n, YScalar) else None


def _sub(schema: dict[str, Any], key: str) -> dict[str, Any]:
    props = schema.get("properties", {})
    if key in props:
        sub: dict[str, Any] = props[key]
        return sub
    extra = schema.get("additionalProperties")
    return extra if isinstance(extra, dict) else {}


Entry = tuple[str | None, YNode]


def _entries(coll: YNode | None, key: str | None) -> list[Entry]:
    """A keyed list's or a mapping's items as (key, node, _) in order."""
    if isinstance(coll, YMap):
        return [(k.value, YMap(items=((k, v),), span=k.span)) for k, v in coll.items]
    if isinstance(coll, YSeq) and key is not None:
        out: list[Entry] = []
        for item in coll.items:
            knode = item.get(key) if isinstance(item, YMap) else None
            out.append((knode.value if isinstance(knode, YScalar) else None, item))
        return out
    return []


def _rebuild(coll: YNode | None, entries: list[Entry]) -> YNode | None:
    if isinstance(coll, YMap):
        return YMap(items=tuple(kv for _, n in entries if isinstance(n, YMap)
                                for kv in n.items), span=coll.span)
    if isinstance(coll, YSeq):
        return YSeq(items=tuple(n for _, n in entries), span=coll.span)
    return coll
