"""What one template file binds, and which macro a call names, found from its source:
shared by the analyses that let planning reuse a render (scheduler.template_platforms,
scheduler.slot_keys)."""

from collections.abc import Callable

from jinja2 import nodes


class FileFacts:
    """What one file binds: its imports, its macros, the other names."""

    def __init__(self, tree: nodes.Template) -> None:
        self.tree = tree
        self.imports: dict[str, list[str | None]] = {}  # alias -> the files it names
        self.with_context: set[str] = set()  # aliases and names imported with context
        for node in tree.find_all(nodes.Import):
            self.imports.setdefault(node.target, []).append(named_file(node))
            if node.with_context:
                self.with_context.add(node.target)
        self.from_imports: dict[str, list[tuple[str | None, str]]] = {}  # name -> (file, macro)
        for from_import in tree.find_all(nodes.FromImport):
            for name in from_import.names:
                original, alias = (name, name) if isinstance(name, str) else name
                self.from_imports.setdefault(alias, []).append(
                    (named_file(from_import), original))
                if from_import.with_context:
                    self.with_context.add(alias)
        self.macros = _macros(tree)
        # Names something else binds (an assignment, a loop variable, a parameter): a use
        # of one of them may not mean the macro or import of that name.
        self.bound = {n.name for n in tree.find_all(nodes.Name) if n.ctx != "load"}


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


def _macros(tree: nodes.Template) -> dict[str, nodes.Macro]:
    """The file's macros (a name defined twice: left out)."""
    found: dict[str, nodes.Macro] = {}
    twice: set[str] = set()
    for macro in tree.find_all(nodes.Macro):
        if macro.name in found:
            twice.add(macro.name)
        found[macro.name] = macro
    return {k: v for k, v in found.items() if k not in twice}
