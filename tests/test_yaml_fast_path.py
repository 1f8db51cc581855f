"""Content files are parsed with libyaml where it is installed; every problem must still
name the same file and line, with the same words, as the pure-Python parser gives."""

from pathlib import Path

import pytest
import yaml

from scheduler.content import schema
from scheduler.content.yamlsource import read_yaml

REPO = Path(__file__).resolve().parent.parent
JATIM = REPO / "content/regions/jawa-timur.yaml"
PLAN = REPO / "content/plan.yaml"

needs_libyaml = pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML without libyaml")


def both(path: Path) -> tuple[object, object]:
    fast = read_yaml(path, fast=True)
    pure = read_yaml(path, fast=False)
    return fast, pure


def broken(tmp_path: Path, source: Path, old: str, new: str) -> Path:
    text = source.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / source.name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


BAD = [  # (file, text replaced, by what, a message fragment)
    (JATIM, "  key: jatim\n", "  key: jatim\n   name: [unclosed\n", "YAML tidak valid"),
    (JATIM, "  kind: provinsi\n", "  kind: provinsi\n  kind: kota\n", "kunci ganda"),
    (JATIM, 'hashtag: "#KPUJatim"', 'hashtag: "#KPUJatim', "YAML tidak valid"),
    (JATIM, "  short_area: Jatim\n", "  short_area: !python/name:os.system Jatim\n",
     "YAML tidak valid"),
    (PLAN, "rules:\n", "rules:\n\t- key: tab\n", "YAML tidak valid"),
    (PLAN, "rules:\n", "anchor: &a [1, *a]\nrules:\n", "alias YAML memuat dirinya sendiri"),
]


@needs_libyaml
@pytest.mark.parametrize(("source", "old", "new", "fragment"), BAD)
def test_a_bad_file_reads_the_same_on_both_parsers(tmp_path: Path, source: Path, old: str,
                                                    new: str, fragment: str) -> None:
    path = broken(tmp_path, source, old, new)
    (fast_doc, fast_problems), (pure_doc, pure_problems) = both(path)
    assert fast_doc is None and pure_doc is None
    assert fast_problems == pure_problems
    problem, *_ = pure_problems
    assert fragment in problem.message and problem.source == str(path)
    assert problem.line is not None or "alias" in fragment


@needs_libyaml
def test_a_wrong_value_is_located_at_the_same_line_on_both_parsers(tmp_path: Path) -> None:
    path = broken(tmp_path, JATIM, "area: Kabupaten Bangkalan\n    kind: kabupaten\n",
                  "area: Kabupaten Bangkalan\n    kind: desa\n")
    lines = []
    for fast in (True, False):
        doc, problems = read_yaml(path, fast=fast)
        assert doc is not None and not problems
        spec, found = doc.validate(schema.RegionFileSpec)
        assert spec is None
        lines.append([(p.message, p.line) for p in found])
    assert lines[0] == lines[1]
    wrong = next(i for i, line in enumerate(path.read_text().splitlines(), 1)
                 if line.strip() == "kind: desa")
    assert any(line == wrong for _, line in lines[0]), lines[0]


@needs_libyaml
@pytest.mark.parametrize(("path", "loc"), [
    (JATIM, ("regencies", 3, "accounts", 1)),
    (PLAN, ("rules", 5, "cadence")),
    (REPO / "content/elections/pemilu-2024.yaml", ("stages", 4, "start")),
])
def test_the_shipped_files_read_the_same_on_both_parsers(path: Path, loc: tuple[object, ...]
                                                         ) -> None:
    (fast_doc, fast_problems), (pure_doc, pure_problems) = both(path)
    assert fast_doc is not None and pure_doc is not None
    assert fast_problems == pure_problems == []
    assert fast_doc.data == pure_doc.data
    line = fast_doc.line_of(loc)  # type: ignore[arg-type]
    assert line is not None and line == pure_doc.line_of(loc)  # type: ignore[arg-type]


def test_loading_the_catalog_parses_each_file_once(mini: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """One parser per file (none built a second time to construct the data)."""
    from collections import Counter

    from scheduler.catalog import load_catalog
    from scheduler.content import yamlsource

    parsed: Counter[str] = Counter()
    parsers: list[object] = []
    parse = yamlsource._parse

    def counting(text: str, path: Path, label: str, loader_class: object) -> object:
        parsed[str(path)] += 1
        return parse(text, path, label, loader_class)  # type: ignore[arg-type]

    monkeypatch.setattr(yamlsource, "_parse", counting)
    for cls in {yamlsource._Loader, yamlsource._FastLoader} - {None}:
        def made(self: object, stream: str, _init: object = cls.__init__) -> None:
            parsers.append(self)
            _init(self, stream)  # type: ignore[operator]

        monkeypatch.setattr(cls, "__init__", made)
    load_catalog(mini / "content", mini / "templates")
    assert parsed and set(parsed.values()) == {1}, parsed
    assert str(mini / "content/plan.yaml") in parsed
    assert len(parsers) == len(parsed)
