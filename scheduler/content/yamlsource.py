"""Read a YAML file, validate it with a pydantic model, and name the line of every problem."""

from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from scheduler.errors import Problem

M = TypeVar("M", bound=BaseModel)

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


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


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


def read_yaml(path: Path, label: str | None = None) -> tuple[YamlDocument | None, list[Problem]]:
    """Parse one file; a syntax error or duplicate key is a problem with its line."""
    label = label or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        return None, [Problem(label, f"tidak dapat dibaca: {exc.strerror}")]
    except UnicodeDecodeError:
        return None, [Problem(label, "bukan teks UTF-8")]
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        return None, [Problem(label, f"YAML tidak valid: {exc.problem}", line)]
    except yaml.YAMLError as exc:
        return None, [Problem(label, f"YAML tidak valid: {exc}")]
    problems = list(_duplicate_keys(node, label))
    if problems:
        return None, problems
    try:
        data = _Loader(text).get_single_data() if node is not None else None
    except yaml.YAMLError as exc:  # a scalar that composes but does not construct
        mark = getattr(exc, "problem_mark", None)
        return None, [Problem(label, f"YAML tidak valid: {exc}", mark.line + 1 if mark else None)]
    return YamlDocument(path, label, data, node), []


def _child(node: yaml.Node, part: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                return value  # type: ignore[no-any-return]
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        return node.value[part]  # type: ignore[no-any-return]
    return None


def _duplicate_keys(node: yaml.Node | None, label: str) -> list[Problem]:
    found: list[Problem] = []
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in current.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in seen:
                        found.append(Problem(
                            label, f"kunci ganda: {key.value!r}", key.start_mark.line + 1))
                    seen.add(key.value)
                stack.append(value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    return found


def _format_loc(loc: Sequence[str | int]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text
