"""YAML reading with YAML 1.2 booleans (only true/false are booleans) and no duplicate keys.

PyYAML follows YAML 1.1, where `on`, `off`, `yes`, `no` are booleans — so the scenario key `on:`
and the predicate field `on:` would silently become True. This loader keeps them strings.

PyYAML also lets a later duplicate key replace the earlier one without a word (nx.yaml once lost
four `vocabulary: event:` codes that way, and an item's first `conditions:`). This loader refuses
a mapping that states a key twice, naming the file, the line and the key. Merge keys (`<<: *x`)
are not duplicates: a key stated beside a merge overrides the merged one, as YAML intends.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode


class DuplicateKeyError(yaml.MarkedYAMLError):
    """A mapping states the same key twice (the error names file, line and key)."""

    def __init__(self, key: Any, line: int, first: int, mark: yaml.Mark) -> None:
        self.key, self.line, self.first = key, line, first
        self.message = f"line {line}: duplicate key {key!r} (first stated at line {first})"
        super().__init__(None, None, f"duplicate key {key!r} (first stated at line {first})", mark)


class Loader(yaml.SafeLoader):
    def construct_mapping(self, node: Node, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _value in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = (
                    self.construct_object(key_node, deep=True)
                    if not isinstance(key_node, ScalarNode)
                    else key_node.value
                )
                try:
                    first = seen.get(key)
                except TypeError:  # an unhashable key: the base constructor reports it
                    continue
                line = key_node.start_mark.line + 1
                if first is not None:
                    raise DuplicateKeyError(key, line, first, key_node.start_mark)
                seen[key] = line
        return super().construct_mapping(node, deep=deep)  # type: ignore[arg-type]


Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def load(text: str, name: str = "<string>") -> Any:
    """Parse one YAML document; `name` (the file name) is what error marks cite."""
    loader = Loader(text)
    loader.name = name
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()
