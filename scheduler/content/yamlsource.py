"""Read a YAML file, validate it with a pydantic model, and name the line of every problem.

Content files are edited by hand and may be wrong in any way, so a file that is too
large, not UTF-8, nested too deeply, or full of aliases that expand a few lines into a
billion values ("billion laughs") is a located problem too, found before any Python data
is built from it.
"""

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from scheduler.content.yamlguards import alias_problems, duplicate_keys
from scheduler.errors import Problem
from scheduler.textfiles import TextFileError, read_text

M = TypeVar("M", bound=BaseModel)

MAX_FILE_BYTES = 5 * 1024 * 1024  # the largest content file today is about 100 KB

# Pydantic's messages are English; staff read Indonesian. Unknown types keep pydantic's text.
_MESSAGES = {
    "missing": "kolom wajib tidak ada",
    "extra_forbidden": "kolom tidak dikenal (salah ketik?)",
    "date_type": "harus tanggal (YYYY-MM-DD)",
    "date_parsing": "tanggal tidak valid (YYYY-MM-DD)",
    "date_from_datetime_parsing": "tanggal tidak valid (YYYY-MM-DD)",
    "string_type": "harus teks",
    "int_parsing": "harus bilangan bulat",
    "int_type": "harus bilangan bulat",
    "bool_parsing": "harus true atau false",
    "bool_type": "harus true atau false",
    "list_type": "harus daftar (list)",
    "dict_type": "harus pemetaan (mapping)",
    "model_type": "harus pemetaan (mapping)",
    "literal_error": "nilai tidak diizinkan",
    "string_pattern_mismatch": "format tidak sesuai",
    "too_short": "tidak boleh kosong",
}


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text, so pydantic validates them and an impossible
    date (2024-02-30) becomes a located problem instead of a crash."""


_NO_TIMESTAMPS = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.yaml_implicit_resolvers = _NO_TIMESTAMPS

# The same loader over libyaml (about ten times faster), when PyYAML was built with it.
# It reads the well-formed files; a file it refuses is read again by _Loader, whose
# messages (and lines) are the ones users have always seen.
_AnyLoader = type[yaml.SafeLoader] | type[yaml.CSafeLoader]
_FastLoader: _AnyLoader | None = None
if yaml.__with_libyaml__:
    class _CLoader(yaml.CSafeLoader):
        """CSafeLoader that leaves dates as text, as _Loader does."""

    _CLoader.yaml_implicit_resolvers = _NO_TIMESTAMPS
    _FastLoader = _CLoader


class YamlDocument:
    """A parsed YAML file: its data plus the node tree that knows every line."""

    def __init__(self, path: Path, label: str, data: Any, node: yaml.Node | None) -> None:
        self.path = path
        self.label = label
        self.data = data
        self.node = node

    def line_of(self, loc: Sequence[str | int]) -> int | None:
        """1-based line of the value at `loc` (or of the deepest part of it that exists)."""
        node = self.node
        if node is None:
            return None
        line = node.start_mark.line + 1
        for part in loc:
            child = _child(node, part)
            if child is None:
                break
            node = child
            line = node.start_mark.line + 1
        return line

    def problem(self, message: str, loc: Sequence[str | int] = ()) -> Problem:
        return Problem(self.label, message, self.line_of(loc))

    def validate(self, model: type[M]) -> tuple[M | None, list[Problem]]:
        """Validate the data against `model`; on failure return one problem per error."""
        try:
            return model.model_validate(self.data), []
        except ValidationError as exc:
            return None, [self._problem_from(error) for error in exc.errors()]

    def _problem_from(self, error: Any) -> Problem:
        loc = [p for p in error["loc"] if isinstance(p, str | int)]
        path = _format_loc(loc)
        message = _MESSAGES.get(error["type"], error["msg"])
        if error["type"] in ("value_error", "assertion_error"):
            message = str(error["ctx"].get("error", error["msg"])) if "ctx" in error else message
        detail = f"{path}: {message}" if path else message
        return self.problem(detail, loc)


def read_yaml(path: Path, label: str | None = None, *,
              fast: bool = True) -> tuple[YamlDocument | None, list[Problem]]:
    """Parse one file, once; a syntax error or duplicate key is a problem with its line.
    `fast`: parse with libyaml where installed (the pure-Python parser otherwise, and
    always for a file libyaml refuses, so a problem reads the same either way)."""
    label = label or str(path)
    try:
        text = read_text(path, MAX_FILE_BYTES)
    except OSError as exc:
        return None, [Problem(label, f"tidak dapat dibaca: {exc.strerror}")]
    except TextFileError as exc:
        return None, [Problem(label, exc.message, exc.line)]
    return parse_text(text, path, label, fast=fast)


def parse_text(text: str, path: Path, label: str, *, fast: bool = True,
               first_line: int = 1) -> tuple[YamlDocument | None, list[Problem]]:
    """Parse YAML held in memory (a file's text, a template's front matter) with the same
    guards as a file: alias bombs, duplicate keys and nesting refused, each problem with
    its line (`first_line`: the line of the file the text starts on)."""
    document, problems = _parse_guarded(text, path, label, fast)
    if first_line != 1:
        problems = [Problem(p.source, p.message, p.line + first_line - 1 if p.line else None)
                    for p in problems]
    return document, problems


def _parse_guarded(text: str, path: Path, label: str,
                   fast: bool) -> tuple[YamlDocument | None, list[Problem]]:
    if fast and _FastLoader is not None:
        try:
            return _parse(text, path, label, _FastLoader)
        except (yaml.YAMLError, RecursionError):
            pass  # read again below, for the pure parser's message and line
    try:
        return _parse(text, path, label, _Loader)
    except _ConstructionError as error:  # a scalar that composes but does not construct
        mark = getattr(error.cause, "problem_mark", None)
        return None, [Problem(label, f"YAML tidak valid: {error.cause}",
                              mark.line + 1 if mark else None)]
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        return None, [Problem(label, f"YAML tidak valid: {exc.problem}", line)]
    except yaml.YAMLError as exc:
        return None, [Problem(label, f"YAML tidak valid: {exc}")]
    except RecursionError:  # PyYAML composes nested collections recursively
        return None, [Problem(label, "YAML bersarang terlalu dalam")]


class _ConstructionError(yaml.YAMLError):
    """The tree composed, but a value in it could not be built."""

    def __init__(self, cause: yaml.YAMLError) -> None:
        super().__init__(str(cause))
        self.cause = cause


def _parse(text: str, path: Path, label: str,
           loader_class: _AnyLoader) -> tuple[YamlDocument | None, list[Problem]]:
    """Compose the node tree, refuse alias bombs and duplicate keys, then build the data
    from that same tree (no second parse). Raises what the parser raises."""
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        # An alias needs an anchor (&name): a file without "&" cannot expand or contain
        # itself, and most files skip the walk.
        problems = alias_problems(node, label) if "&" in text else []
        problems = problems or duplicate_keys(node, label)
        if problems:
            return None, problems
        try:
            data = loader.construct_document(node) if node is not None else None
        except yaml.YAMLError as exc:
            raise _ConstructionError(exc) from exc
    finally:
        loader.dispose()
    return YamlDocument(path, label, data, node), []


def documents(paths: Iterable[Path], model: type[M],
              problems: list[Problem]) -> Iterator[tuple[YamlDocument, M]]:
    """Each file that parses and validates against `model`; the others add problems."""
    for path in paths:
        doc, found = read_yaml(path)
        problems.extend(found)
        if doc is None:
            continue
        spec, found = doc.validate(model)
        problems.extend(found)
        if spec is not None:
            yield doc, spec


def yaml_files(folder: Path, problems: list[Problem]) -> list[Path]:
    """The folder's .yaml and .yml files in name order; none at all is a problem."""
    files = sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
    if not files:
        problems.append(Problem(str(folder), "tidak ada berkas .yaml"))
    return files


def _child(node: yaml.Node, part: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                return value  # type: ignore[no-any-return]
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        return node.value[part]  # type: ignore[no-any-return]
    return None


def _format_loc(loc: Sequence[str | int]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text
