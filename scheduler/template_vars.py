"""Which variables and filters a post template uses, found from its source: planning
renders a template once for every distinct set of values of the variables it reads
(scheduler.planning_texts), not once per post."""

from jinja2 import Environment, nodes

from scheduler.template_facts import FileFacts

Own = tuple[frozenset[str], frozenset[str], tuple[str | None, ...]]  # names, filters, others


class TemplateVariables:
    """The variables each template may read, each file parsed once."""

    def __init__(self, env: Environment) -> None:
        self.env = env
        self._own: dict[str, Own | None] = {}
        self._facts: dict[str, FileFacts | None] = {}
        self._closures: dict[str, tuple[frozenset[str], frozenset[str]] | None] = {}

    def reads(self, file: str) -> frozenset[str] | None:
        """Every name `file` loads, and those of every template it includes, extends or
        imports `with context` (such code reads the caller's variables; a template
        imported without context sees only the arguments its caller names, which the
        caller's own names already show). A superset: a macro's parameter of the same
        name counts too. A template that cannot be read or parsed, or that names another
        by an expression, may read anything: None."""
        found = self._closure(file)
        return None if found is None else found[0]

    def filters(self, file: str) -> frozenset[str] | None:
        """Every filter `file` and the templates it includes, extends or imports (with
        context or without: their macros run in its render) apply; None when that cannot
        be told."""
        found = self._closure(file, every_import=True)
        return None if found is None else found[1]

    def _closure(self, file: str, *, every_import: bool = False,
                 ) -> tuple[frozenset[str], frozenset[str]] | None:
        cache_key = f"{int(every_import)}{file}"
        if cache_key in self._closures:
            return self._closures[cache_key]
        names: set[str] = set()
        filters: set[str] = set()
        todo, seen = [file], {file}
        result: tuple[frozenset[str], frozenset[str]] | None = None
        while todo:
            own = self._parse(todo.pop(), every_import)
            if own is None:
                break
            loads, used, others = own
            names |= loads
            filters |= used
            if None in others:
                break
            for other in others:
                if other is not None and other not in seen:
                    seen.add(other)
                    todo.append(other)
        else:
            result = frozenset(names), frozenset(filters)
        self._closures[cache_key] = result
        return result

    def facts(self, file: str) -> FileFacts | None:
        """The file's syntax tree and what it binds, parsed once (None: it cannot be read
        or parsed)."""
        if file not in self._facts:
            try:
                if self.env.loader is None:
                    raise LookupError(file)
                source = self.env.loader.get_source(self.env, file)[0]
                self._facts[file] = FileFacts(self.env.parse(source))
            except Exception:  # rendering reports it, with its file and line
                self._facts[file] = None
        return self._facts[file]

    def _parse(self, file: str, every_import: bool) -> Own | None:
        own_key = f"{int(every_import)}{file}"
        if own_key not in self._own:
            facts = self.facts(file)
            if facts is None:
                self._own[own_key] = None
                return None
            loads = frozenset(n.name for n in facts.find(nodes.Name) if n.ctx == "load")
            used = frozenset(n.name for n in facts.find(nodes.Filter))
            self._own[own_key] = (loads, used, tuple(_referenced(facts, every_import)))
        return self._own[own_key]


def _referenced(facts: FileFacts, every_import: bool) -> list[str | None]:
    """The templates whose code runs with the file's variables: those it includes or
    extends, and those it imports `with context`; None for one named by an expression.
    A template imported without context is left out (it sees only its arguments) unless
    `every_import`."""
    found: list[str | None] = []
    for node in facts.find(nodes.Extends, nodes.FromImport, nodes.Import, nodes.Include):
        if (isinstance(node, nodes.Import | nodes.FromImport) and not node.with_context
                and not every_import):
            continue
        target = getattr(node, "template", None)
        found.append(target.value if isinstance(target, nodes.Const)
                     and isinstance(target.value, str) else None)
    return found
