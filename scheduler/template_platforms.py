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

from jinja2 import nodes

from scheduler.template_facts import Facts, FileFacts, macro_named, named_file

NAME = "platform"
Tests = frozenset[str] | None  # the constants compared with; None: cannot be told


class PlatformUse:
    """The constants each template compares `platform` with, each file parsed once."""

    def __init__(self, facts: Facts) -> None:
        self.facts = facts  # a file's tree and what it binds; None: it cannot be parsed
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
            facts = self.facts(current)
            if facts is None:
                return None
            own = self._file_tests(current, facts)
            if own is None:
                return None
            found |= own
            for node in facts.find(nodes.Extends, nodes.FromImport, nodes.Import,
                                   nodes.Include):
                other = named_file(node)
                if other is None:
                    return None
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
        return frozenset(found)

    def _file_tests(self, file: str, facts: FileFacts) -> Tests:
        """The constants `platform` is compared with in this file, if every use of it is
        one the rule allows."""
        if file in self._own:
            return self._own[file]
        allowed: set[int] = set()
        constants: set[str] = set()
        for compare in facts.find(nodes.Compare):
            if len(compare.ops) != 1 or compare.ops[0].op not in ("eq", "ne"):
                continue
            left, right = compare.expr, compare.ops[0].expr
            for name, other in ((left, right), (right, left)):
                if _is_platform(name) and isinstance(other, nodes.Const) \
                        and isinstance(other.value, str):
                    allowed.add(id(name))
                    constants.add(other.value)
        for call in facts.find(nodes.Call):
            if not any(_is_platform(a) for a in (*call.args, *(k.value for k in call.kwargs))):
                continue
            params = self._macro_params(file, facts, call.node)
            if params is None:
                continue
            for index, argument in enumerate(call.args):
                if _is_platform(argument) and index < len(params) and params[index] == NAME:
                    allowed.add(id(argument))
            for keyword in call.kwargs:
                if _is_platform(keyword.value) and keyword.key == NAME and NAME in params:
                    allowed.add(id(keyword.value))
        clean = all(id(n) in allowed for n in facts.find(nodes.Name) if _is_platform(n))
        result = self._own[file] = frozenset(constants) if clean else None
        return result

    def _macro_params(self, file: str, facts: FileFacts, callee: nodes.Node,
                      ) -> list[str] | None:
        """The parameter names of the macro `callee` names, when the source tells."""
        found = macro_named(file, facts, callee, self.facts)
        return None if found is None else [a.name for a in found[1].args]


def _is_platform(node: nodes.Node) -> bool:
    return isinstance(node, nodes.Name) and node.name == NAME and node.ctx == "load"
