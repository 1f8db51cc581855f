"""What one template file binds, and which macro a call names, found from its source:
shared by the analyses that let planning reuse a render (scheduler.template_platforms,
scheduler.slot_keys)."""

from collections.abc import Callable
from typing import Any

from jinja2 import nodes


class FileFacts:
    """What one file binds: its imports, its macros, the other names; and its nodes, found
    by one walk of its tree (Jinja's find_all walks the tree again for every question,
    and the analyses ask many)."""

    def __init__(self, tree: nodes.Template) -> None:
        self.tree = tree
        self.nodes = _walk(tree)
        self._found: dict[tuple[type[nodes.Node], ...], list[nodes.Node]] = {}
        self.imports: dict[str, list[str | None]] = {}  # alias -> the files it names
        self.with_context: set[str] = set()  # aliases and names imported with context
        for node in self.find(nodes.Import):
            self.imports.setdefault(node.target, []).append(named_file(node))
            if node.with_context:
                self.with_context.add(node.target)
        self.from_imports: dict[str, list[tuple[str | None, str]]] = {}  # name -> (file, macro)
        for from_import in self.find(nodes.FromImport):
            for name in from_import.names:
                original, alias = (name, name) if isinstance(name, str) else name
                self.from_imports.setdefault(alias, []).append(
                    (named_file(from_import), original))
                if from_import.with_context:
                    self.with_context.add(alias)
        self.macros = _macros(self.find(nodes.Macro))
        # Names something else binds (an assignment, a loop variable, a parameter): a use
        # of one of them may not mean the macro or import of that name.
        self.bound = {n.name for n in self.find(nodes.Name) if n.ctx != "load"}

    def find(self, *types: type[nodes.Node]) -> list[Any]:
        """What tree.find_all(types) yields (every node below the root of those types, in
        the same order)."""
        found = self._found.get(types)
        if found is None:
            found = self._found[types] = [n for n in self.nodes if isinstance(n, types)]
        return found


Facts = Callable[[str], FileFacts | None]  # a file's facts; None: it cannot be parsed


def macro_named(file: str, facts: FileFacts, callee: nodes.Node, file_facts: Facts,
                ) -> tuple[str, nodes.Macro] | None:
    """The file and definition of the macro `callee` names in `file`, when the source
    tells: one defined in the file, or imported from a named file, under a name nothing else binds
    (an alias imported with context is not told: its macros read the caller's
    variables)."""
    if isinstance(callee, nodes.Getattr) and isinstance(callee.node, nodes.Name):
        alias = callee.node.name
        targets = facts.imports.get(alias, [])
        if len(targets) != 1 or alias in facts.bound or alias in facts.from_imports \
                or alias in facts.macros or alias in facts.with_context:
            return None
        return _exported(targets[0], callee.attr, file_facts)
    if isinstance(callee, nodes.Name):
        name = callee.name
        imported = facts.from_imports.get(name, [])
        if name in facts.bound or (name in facts.macros) == bool(imported) \
                or len(imported) > 1 or name in facts.imports or name in facts.with_context:
            return None
        if name in facts.macros:
            return file, facts.macros[name]
        return _exported(*imported[0], file_facts)
    return None


def _exported(file: str | None, macro: str, file_facts: Facts,
              ) -> tuple[str, nodes.Macro] | None:
    """`macro` as `file` exports it (nothing else binds its name)."""
    other = file_facts(file) if file else None
    if other is None or macro in other.bound or macro not in other.macros:
        return None
    return file or "", other.macros[macro]


def named_file(node: nodes.Node) -> str | None:
    """The file an import, include or extends names (None: named by an expression)."""
    target = getattr(node, "template", None)
    return target.value if isinstance(target, nodes.Const) and isinstance(
        target.value, str) else None


def _walk(tree: nodes.Node) -> list[nodes.Node]:
    """Every node below `tree`, depth first, parents before children (find_all's order)."""
    found: list[nodes.Node] = []
    todo = list(tree.iter_child_nodes())[::-1]
    while todo:
        node = todo.pop()
        found.append(node)
        todo.extend(list(node.iter_child_nodes())[::-1])
    return found


def _macros(macros: list[nodes.Macro]) -> dict[str, nodes.Macro]:
    """The file's macros (a name defined twice: left out)."""
    found: dict[str, nodes.Macro] = {}
    twice: set[str] = set()
    for macro in macros:
        if macro.name in found:
            twice.add(macro.name)
        found[macro.name] = macro
    return {k: v for k, v in found.items() if k not in twice}
