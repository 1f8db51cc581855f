"""The guards every YAML document passes before anything builds or walks it: no alias bomb
(a document whose aliases expand it far beyond its own size, or that contains itself)
and no key given twice, each refused with its line."""

from collections.abc import Iterator

import yaml

from scheduler.errors import Problem
from scheduler.labels import thousands

# Aliases may repeat parts of a file, not multiply it: expanding them may add at most
# this many nodes (values, keys and lists) to what the file itself holds.
MAX_ALIAS_GROWTH = 100_000


def alias_problems(root: yaml.Node | None, label: str) -> list[Problem]:
    """Refuse a document whose aliases expand it far beyond its own size, or that
    contains itself, before anything walks it as a tree (validation would take minutes,
    or forever).

    A composed document is a graph: an alias is the anchored node itself, shared. Its
    expanded size (each node counted once per path that reaches it) is computed once
    per node, children first, so a billion-node expansion costs a few hundred steps.
    """
    if root is None:
        return []
    sizes: dict[int, int] = {}  # id(node) -> expanded size, once its children are done
    for node, state in _post_order(root, sizes):
        if state == "cycle":
            return [Problem(label, "alias YAML memuat dirinya sendiri",
                            node.start_mark.line + 1)]
        sizes[id(node)] = 1 + sum(sizes[id(child)] for child in _children(node))
    limit = len(sizes) + MAX_ALIAS_GROWTH
    for node, _ in _post_order(root, {}):
        if sizes[id(node)] > limit:  # the first, innermost node that is too big
            return [Problem(
                label, f"terlalu banyak alias YAML: bila alias diperluas, bagian ini berisi "
                f"{thousands(sizes[id(node)])} nilai (batas {thousands(limit)})",
                node.start_mark.line + 1)]
    return []


def _post_order(root: yaml.Node, done: dict[int, int]) -> Iterator[tuple[yaml.Node, str]]:
    """Each node not in `done`, once, after its children: (node, "done"), or
    (node, "cycle") for a node reached again from inside itself. Iterative, since
    documents can nest deeper than Python's recursion limit allows."""
    seen: set[int] = set(done)
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            open_nodes.discard(key)
            yield node, "done"
            continue
        if key in open_nodes:
            yield node, "cycle"
            return
        if key in seen:
            continue
        seen.add(key)
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in done)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def duplicate_keys(node: yaml.Node | None, label: str) -> list[Problem]:
    found: list[Problem] = []
    visited: set[int] = set()  # an anchored mapping is checked once, not once per alias
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        if id(current) in visited:
            continue
        visited.add(id(current))
        if isinstance(current, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in current.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in seen:
                        found.append(Problem(
                            label, f"kunci ganda: {key.value!r}", key.start_mark.line + 1))
                    seen.add(key.value)
                stack.append(value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    return found
