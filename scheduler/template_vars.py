"""Which variables a post template reads, found from its source: planning renders a
template that reads neither `platform` nor `account` once per region and slot, not once
per account (scheduler.planning_rows)."""

from jinja2 import Environment, nodes

# The answer when it cannot be told: every variable that differs between accounts.
EVERY_VARIABLE = frozenset({"platform", "account", "region", "province", "tautan"})


class TemplateVariables:
    """The variables each template may read, each file parsed once."""

    def __init__(self, env: Environment) -> None:
        self.env = env
        self._own: dict[str, tuple[frozenset[str], tuple[str | None, ...]]] = {}
        self._reads: dict[str, frozenset[str]] = {}

    def reads(self, file: str) -> frozenset[str]:
        """Every name `file` loads, and those of every template it includes, extends or
        imports `with context` (such code reads the caller's variables; a template
        imported without context sees only the arguments its caller names, which the
        caller's own names already show). A superset: a macro's parameter of the same
        name counts too. A template that cannot be read or parsed, or that names another
        by an expression, is taken to read everything."""
        found = self._reads.get(file)
        if found is None:
            found = self._reads[file] = self._closure(file)
        return found

    def _closure(self, file: str) -> frozenset[str]:
        names: set[str] = set()
        todo, seen = [file], {file}
        while todo:
            own = self._parse(todo.pop())
            if own is None:
                return EVERY_VARIABLE
            loads, others = own
            names |= loads
            for other in others:
                if other is None:
                    return EVERY_VARIABLE
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
        return frozenset(names)

    def _parse(self, file: str) -> tuple[frozenset[str], tuple[str | None, ...]] | None:
        found = self._own.get(file)
        if found is None:
            try:
                if self.env.loader is None:
                    return None
                tree = self.env.parse(self.env.loader.get_source(self.env, file)[0])
            except Exception:  # rendering reports it, with its file and line
                return None
            loads = frozenset(n.name for n in tree.find_all(nodes.Name) if n.ctx == "load")
            found = self._own[file] = (loads, tuple(_referenced(tree)))
        return found


def _referenced(tree: nodes.Template) -> list[str | None]:
    """The templates whose code runs with `tree`'s variables: those it includes or
    extends, and those it imports `with context`; None for one named by an expression.
    A template imported without context is left out: it sees only its arguments."""
    found: list[str | None] = []
    for node in tree.find_all((nodes.Extends, nodes.FromImport, nodes.Import, nodes.Include)):
        if isinstance(node, nodes.Import | nodes.FromImport) and not node.with_context:
            continue
        target = getattr(node, "template", None)
        found.append(target.value if isinstance(target, nodes.Const)
                     and isinstance(target.value, str) else None)
    return found
