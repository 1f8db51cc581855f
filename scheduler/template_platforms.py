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

from jinja2 import Environment, nodes

NAME = "platform"
Tests = frozenset[str] | None  # the constants compared with; None: cannot be told


class PlatformUse:
    """The constants each template compares `platform` with, each file parsed once."""

    def __init__(self, env: Environment) -> None:
        self.env = env
        self._trees: dict[str, nodes.Template | None] = {}
        self._tests: dict[str, Tests] = {}

    def tests(self, file: str) -> Tests:
        if file not in self._tests:
            self._tests[file] = self._closure_tests(file)
        return self._tests[file]

    def _closure_tests(self, file: str) -> Tests:
        found: set[str] = set()
        todo, seen = [file], {file}
        while todo:
            tree = self._tree(todo.pop())
            if tree is None:
                return None
            own = self._file_tests(tree)
            if own is None:
                return None
            found |= own
            for node in tree.find_all((nodes.Extends, nodes.FromImport, nodes.Import,
                                       nodes.Include)):
                other = _named(node)
                if other is None:
                    return None
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
        return frozenset(found)

    def _tree(self, file: str) -> nodes.Template | None:
        if file not in self._trees:
            try:
                if self.env.loader is None:
                    raise LookupError(file)
                self._trees[file] = self.env.parse(self.env.loader.get_source(self.env, file)[0])
            except Exception:  # rendering reports it, with its file and line
                self._trees[file] = None
        return self._trees[file]

    def _file_tests(self, tree: nodes.Template) -> Tests:
        """The constants `platform` is compared with in this file, if every use of it is
        one the rule allows."""
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
            params = self._macro_params(tree, call.node)
            if params is None:
                continue
            for index, argument in enumerate(call.args):
                if _is_platform(argument) and index < len(params) and params[index] == NAME:
                    allowed.add(id(argument))
            for keyword in call.kwargs:
                if _is_platform(keyword.value) and keyword.key == NAME and NAME in params:
                    allowed.add(id(keyword.value))
        if any(_is_platform(n) and id(n) not in allowed for n in tree.find_all(nodes.Name)):
            return None
        return frozenset(constants)

    def _macro_params(self, tree: nodes.Template, callee: nodes.Node) -> list[str] | None:
        """The parameter names of the macro `callee` names, when the source tells."""
        if isinstance(callee, nodes.Getattr) and isinstance(callee.node, nodes.Name):
            alias = callee.node.name
            imports = [i for i in tree.find_all(nodes.Import) if i.target == alias]
            if len(imports) != 1 or _rebound(tree, alias):
                return None
            target = _named(imports[0])
            other = self._tree(target) if target else None
            if other is None or _rebound(other, callee.attr):
                return None
            return _macros(other).get(callee.attr)
        if isinstance(callee, nodes.Name):
            local = _macros(tree)
            imported = [(i, name) for i in tree.find_all(nodes.FromImport)
                        for name in i.names
                        if (name if isinstance(name, str) else name[1]) == callee.name]
            if _rebound(tree, callee.name) or (callee.name in local) == bool(imported) \
                    or len(imported) > 1:
                return None
            if callee.name in local:
                return local[callee.name]
            node, name = imported[0]
            target = _named(node)
            other = self._tree(target) if target else None
            original = name if isinstance(name, str) else name[0]
            if other is None or _rebound(other, original):
                return None
            return _macros(other).get(original)
        return None


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


def _rebound(tree: nodes.Template, name: str) -> bool:
    """Whether anything but its import or macro binds `name` (an assignment, a loop
    variable, a parameter), so a use of it may not mean the macro."""
    return any(n.name == name and n.ctx != "load" for n in tree.find_all(nodes.Name))
