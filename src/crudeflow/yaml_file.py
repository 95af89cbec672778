"""Read a YAML file safely and within limits: YAML's anchors and aliases let a 400-byte file expand to
gigabytes (the "billion laughs"), or refer to themselves; both are refused while composing, before any
object is built.

Dates are left as strings for the schema to parse, so that `2022-02-30` is reported against its key instead
of failing inside the YAML library.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from crudeflow.errors import InputError
from crudeflow.text_file import read_text_file

MAX_YAML_BYTES = 1024 * 1024  # a scenario is a few kB
MAX_ALIASES = 100
MAX_NODES = 100_000  # values in the document with every alias expanded
MAX_DEPTH = 50  # nesting; the composer recurses once per level
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, counting aliases and nesting while composing, with dates left as strings."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.aliases = 0
        self.open_anchors: list[str | None] = []  # one per node being composed, innermost last

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            self.aliases += 1
            if event.anchor in self.open_anchors:
                raise _refusal(f"alias *{event.anchor} refers to its own anchor (a cycle)", event.start_mark)
            if self.aliases > MAX_ALIASES:
                raise _refusal(f"more than {MAX_ALIASES} aliases (*name); write the values out", event.start_mark)
            return super().compose_node(parent, index)
        if len(self.open_anchors) >= MAX_DEPTH:
            raise _refusal(f"nested deeper than {MAX_DEPTH} levels", event.start_mark)
        self.open_anchors.append(getattr(event, "anchor", None))
        try:
            node = super().compose_node(parent, index)
        finally:
            self.open_anchors.pop()
        if isinstance(node, yaml.MappingNode):
            _check_unique_keys(node)
        return node

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as exc:  # e.g. `!!timestamp 2022-02-30`, an integer of 5000 digits
            raise _refusal(f"cannot read {str(node.value)[:40]!r}: {exc}", node.start_mark) from None


_BoundedLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(path: Path) -> tuple[yaml.Node | None, Any]:
    """The composed node tree (for line numbers) and the loaded data of the YAML file at `path`."""
    text = read_text_file(path, MAX_YAML_BYTES)
    try:
        loader = _BoundedLoader(text)  # refuses control characters YAML does not allow
        node = loader.get_single_node()
        if node is not None and _expanded_size(node, {}) > MAX_NODES:
            raise _refusal(f"more than {MAX_NODES:,} values once its aliases are expanded", node.start_mark)
        return node, loader.construct_document(node) if node is not None else None
    except yaml.reader.ReaderError as exc:
        raise InputError(path, f"not valid YAML: control character U+{exc.character:04X} is not allowed",
                         line=text.count("\n", 0, exc.position) + 1) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise InputError(path, f"not valid YAML: {getattr(exc, 'problem', None) or exc}", line=line) from None


def _refusal(problem: str, mark: Any) -> yaml.YAMLError:
    return yaml.composer.ComposerError(None, None, problem, mark)


def _check_unique_keys(node: yaml.MappingNode) -> None:
    """PyYAML keeps the last of two equal keys; a repeated `outages:` would silently drop the first list."""
    first_line: dict[str, int] = {}
    for key, _ in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value != "<<":
            if key.value in first_line:
                raise _refusal(f"key {key.value[:40]!r} repeated (first on line {first_line[key.value]})",
                               key.start_mark)
            first_line[key.value] = key.start_mark.line + 1


def _expanded_size(node: yaml.Node, sizes: dict[int, int]) -> int:
    """Values in `node` counting each alias as a copy; shared nodes are counted once per use, computed once."""
    if id(node) not in sizes:
        if isinstance(node, yaml.MappingNode):
            children = [child for pair in node.value for child in pair]
        else:
            children = node.value if isinstance(node, yaml.SequenceNode) else []
        sizes[id(node)] = 1 + sum(_expanded_size(child, sizes) for child in children)
    return sizes[id(node)]
