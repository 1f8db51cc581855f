"""FileFacts answers from one walk of a template's tree exactly what Jinja's find_all
answers by walking it again (the analyses behind planning's render reuse ask both)."""

from collections.abc import Iterable
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import nodes

from scheduler.rendering import make_environment
from scheduler.template_facts import FileFacts

REPO = Path(__file__).resolve().parent.parent
KINDS = [nodes.Name, nodes.Call, nodes.Compare, nodes.If, nodes.Macro, nodes.Filter,
         nodes.Import, nodes.FromImport, nodes.Output, nodes.Expr, nodes.Stmt, nodes.Node]


def test_find_is_find_all_for_every_shipped_template() -> None:
    env = make_environment(REPO / "templates", ZoneInfo("Asia/Jakarta"))
    files = sorted((REPO / "templates").rglob("*.j2"))
    assert len(files) > 50
    for path in files:
        tree = env.parse(path.read_text(encoding="utf-8"))
        facts = FileFacts(tree)
        for kind in KINDS:  # the very nodes, in the same order
            assert ids(facts.find(kind)) == ids(tree.find_all(kind)), (path.name, kind)
        both = (nodes.Include, nodes.Import, nodes.Extends, nodes.FromImport)
        assert ids(facts.find(*both)) == ids(tree.find_all(both)), path.name


def ids(found: Iterable[nodes.Node]) -> list[int]:
    return [id(node) for node in found]
