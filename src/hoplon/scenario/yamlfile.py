"""Read YAML with line numbers, and turn validation errors into ``file:line: field: reason``.

Scenario and sensor files are validated with pydantic; this module keeps the map from each
dotted field path to the line it was written on, so every problem can be reported at once,
each naming the file, the line, the field and what was wrong.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from hoplon.errors import HoplonError

Path_ = tuple[str | int, ...]


class FileProblems(HoplonError):
    """One or more problems found in a user's file; ``problems`` lists them all."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class YamlDocument:
    """Parsed YAML data with the line (1-based) of every mapping key and sequence item."""

    source: str
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, path: Iterable[str | int]) -> int | None:
        """Line of the deepest prefix of ``path`` that exists in the file."""
        p = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return None


def _walk(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            lines[(*path, key)] = key_node.start_mark.line + 1
            _walk(value_node, (*path, key), lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[(*path, i)] = item.start_mark.line + 1
            _walk(item, (*path, i), lines)


def read_yaml(path: str | Path) -> YamlDocument:
    """Read a YAML file safely, keeping line numbers.

    Raises
    ------
    FileProblems
        If the file is missing, unreadable or not valid YAML (with the line of the fault).
    """
    p = Path(path)
    source = str(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FileProblems([f"{source}: file not found"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FileProblems([f"{source}: cannot read file ({exc})"]) from None
    return parse_yaml(text, source)


def parse_yaml(text: str, source: str = "<string>") -> YamlDocument:
    """Parse YAML text (see :func:`read_yaml`)."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        raise FileProblems([f"{source}{line}: invalid YAML: {exc.problem}"]) from None
    except yaml.YAMLError as exc:
        raise FileProblems([f"{source}: invalid YAML: {exc}"]) from None
    lines: dict[Path_, int] = {}
    if node is not None:
        _walk(node, (), lines)
    return YamlDocument(source=source, data=data, lines=lines)


def _data_path(loc: tuple[Any, ...], doc: YamlDocument) -> tuple[str | int, ...]:
    """Drop pydantic's union/tag entries from ``loc`` that are not keys in the file."""
    out: list[str | int] = []
    node: Any = doc.data
    for part in loc:
        if isinstance(node, dict) and part in node:
            out.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            out.append(part)
            node = node[part]
        elif isinstance(node, dict | list):
            # A tag of a discriminated union, or a missing field: keep missing fields.
            if isinstance(part, str) and isinstance(node, dict) and not _is_tag(part, node):
                out.append(part)
                node = None
        else:
            out.append(part)
            node = None
    return tuple(out)


def _is_tag(part: str, node: dict[str, Any]) -> bool:
    return node.get("type") == part or part.startswith("function-")


def format_validation_error(exc: Any, doc: YamlDocument, prefix: Path_ = ()) -> list[str]:
    """One ``file:line: field: reason`` string per pydantic error in ``exc``."""
    problems = []
    for err in exc.errors():
        path = (*prefix, *_data_path(tuple(err["loc"]), _Sub(doc, prefix)))
        line = doc.line_of(path)
        where = f"{doc.source}:{line}" if line else doc.source
        name = ".".join(str(p) for p in path) or "(top level)"
        msg = err["msg"]
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        if err["type"] == "extra_forbidden":
            msg = "unknown field (check the spelling)"
        elif err["type"] == "union_tag_invalid":
            msg = err["msg"].replace("Input tag", "type")
        problems.append(f"{where}: {name}: {msg}")
    return problems


class _Sub(YamlDocument):
    """View of a document below ``prefix`` (for validating one section on its own)."""

    def __init__(self, doc: YamlDocument, prefix: Path_) -> None:
        data = doc.data
        for p in prefix:
            data = data[p]
        super().__init__(source=doc.source, data=data, lines={})
