"""What a post template does with `platform`, found from its source: when all it ever
does is compare it with constant texts (`platform == "instagram"`), directly or in a
macro it passes it to, two platforms that answer every such comparison alike get the
same text (Facebook and Telegram share NAME.j2, and the shipped partials only ask
"Instagram or not?"). Planning then renders such a template once for both
(scheduler.planning_texts).

The rule is checked on every template the file's render can run (what it includes,
extends or imports, with context or not), for every variable or parameter named
`platform`, so no value named so can reach the text any other way. Each use must be:

- one side of `==` or `!=` whose other side is a constant text, or
- an argument of a call to a macro that can be told from the source (one defined in the
  file or imported from a named file, under a name nothing else binds) at a parameter
  itself named `platform` (where the same rule then holds).

Anything else (printing it, a filter, a test, `in`, an argument of anything else, an
include by an expression, a file that does not parse): None, it cannot be told.
"""

from collections.abc import Callable

from jinja2 import nodes

NAME = "platform"
Tests = frozenset[str] | None  # the constants compared with; None: cannot be told


class _Facts:
    """What one file binds: its imports, its macros' parameters, the other names."""

    def __init__(self, tree: nodes.Template) -> None:
        self.tree = tree
        self.imports: dict[str, list[str | None]] = {}  # alias -> the files it names
        for node in tree.find_all(nodes.Import):
            self.imports.setdefault(node.target, []).append(_named(node))
        self.from_imports: dict[str, list[tuple[str | None, str]]] = {}  # name -> (file, macro)
        for from_import in tree.find_all(nodes.FromImport):
            for name in from_import.names:
                original, alias = (name, name) if isinstance(name, str) else name
                self.from_imports.setdefault(alias, []).append((_named(from_import), original))
        self.macros = _macros(tree)
        # Names something else binds (an assignment, a loop variable, a parameter): a use
        # of one of them may not mean the macro or import of that name.
        self.bound = {n.name for n in tree.find_all(nodes.Name) if n.ctx != "load"}


class PlatformUse:
    """The constants each template compares `platform` with, each file parsed once."""

    def __init__(self, parse: Callable[[str], nodes.Template | None]) -> None:
        self.parse = parse  # a file's syntax tree; None: it cannot be read or parsed
        self._facts: dict[str, _Facts | None] = {}
        self._own: dict[str, Tests] = {}
        self._tests: dict[str, Tests] = {}

    def tests(self, file: str) -> Tests:
        if file not in self._tests:
            self._tests[file] = self._closure_tests(file)
        return self._tests[file]

    def _closure_tests(self, file: str) -> Tests:
        found: set[str] = set()
        todo, seen = [file], {file}
        while todo:
            current = todo.pop()
            facts = self._file(current)
            if facts is None:
                return None
            own = self._file_tests(current, facts)
            if own is None:
                return None
            found |= own
            for node in facts.tree.find_all((nodes.Extends, nodes.FromImport, nodes.Import,
                                             nodes.Include)):
                other = _named(node)
                if other is None:
                    return None
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
        return frozenset(found)

    def _file(self, file: str) -> _Facts | None:
        if file not in self._facts:
            tree = self.parse(file)
            self._facts[file] = _Facts(tree) if tree is not None else None
        return self._facts[file]

    def _file_tests(self, file: str, facts: _Facts) -> Tests:
        """The constants `platform` is compared with in this file, if every use of it is
        one the rule allows."""
        if file in self._own:
            return self._own[file]
        tree = facts.tree
        allowed: set[int] = set()
        constants: set[str] = set()
        for compare in tree.find_all(nodes.Compare):
            if len(compare.ops) != 1 or compare.ops[0].op not in ("eq", "ne"):
                continue
            left, right = compare.expr, compare.ops[0].expr
            for name, other in ((left, right), (right, left)):
                if _is_platform(name) and isinstance(other, nodes.Const) \
                        and isinstance(other.value, str):
                    allowed.add(id(name))
                    constants.add(other.value)
        for call in tree.find_all(nodes.Call):
            if not any(_is_platform(a) for a in (*call.args, *(k.value for k in call.kwargs))):
                continue
            params = self._macro_params(facts, call.node)
            if params is None:
                continue
            for index, argument in enumerate(call.args):
                if _is_platform(argument) and index < len(params) and params[index] == NAME:
                    allowed.add(id(argument))
            for keyword in call.kwargs:
                if _is_platform(keyword.value) and keyword.key == NAME and NAME in params:
                    allowed.add(id(keyword.value))
        clean = all(id(n) in allowed for n in tree.find_all(nodes.Name) if _is_platform(n))
        result = self._own[file] = frozenset(constants) if clean else None
        return result

    def _macro_params(self, facts: _Facts, callee: nodes.Node) -> list[str] | None:
        """The parameter names of the macro `callee` names, when the source tells."""
        if isinstance(callee, nodes.Getattr) and isinstance(callee.node, nodes.Name):
            alias = callee.node.name
            targets = facts.imports.get(alias, [])
            if len(targets) != 1 or alias in facts.bound or alias in facts.from_imports \
                    or alias in facts.macros:
                return None
            return self._exported(targets[0], callee.attr)
        if isinstance(callee, nodes.Name):
            name = callee.name
            imported = facts.from_imports.get(name, [])
            if name in facts.bound or (name in facts.macros) == bool(imported) \
                    or len(imported) > 1 or name in facts.imports:
                return None
            if name in facts.macros:
                return facts.macros[name]
            return self._exported(*imported[0])
        return None

    def _exported(self, file: str | None, macro: str) -> list[str] | None:
        """The parameters of `macro` as `file` exports it (nothing else binds its name)."""
        other = self._file(file) if file else None
        if other is None or macro in other.bound:
            return None
        return other.macros.get(macro)


def _is_platform(node: nodes.Node) -> bool:
    return isinstance(node, nodes.Name) and node.name == NAME and node.ctx == "load"


def _named(node: nodes.Node) -> str | None:
    target = getattr(node, "template", None)
    return target.value if isinstance(target, nodes.Const) and isinstance(
        target.value, str) else None


def _macros(tree: nodes.Template) -> dict[str, list[str]]:
    """The file's macros (a name defined twice: left out) and their parameter names."""
    found: dict[str, list[str]] = {}
    twice: set[str] = set()
    for macro in tree.find_all(nodes.Macro):
        if macro.name in found:
            twice.add(macro.name)
        found[macro.name] = [a.name for a in macro.args]
    return {k: v for k, v in found.items() if k not in twice}
