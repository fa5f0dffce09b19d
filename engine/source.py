"""Where a definition came from: file and line, kept on every value the loader reads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml


@dataclass(frozen=True, slots=True)
class SourceLoc:
    file: str
    line: int = 0
    col: int = 0

    @classmethod
    def unknown(cls) -> "SourceLoc":
        return cls("<built-in>")

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


class LocDict(dict):
    """A YAML mapping that remembers where it and each of its keys were written."""

    loc: SourceLoc
    key_locs: dict[str, SourceLoc]


class LocList(list):
    loc: SourceLoc
    item_locs: list[SourceLoc]


class DuplicateKey(Exception):
    def __init__(self, key: str, first: SourceLoc, second: SourceLoc) -> None:
        super().__init__(key)
        self.key, self.first, self.second = key, first, second


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when available: ~10x faster
    """SafeLoader that builds LocDict/LocList and refuses duplicate keys."""


def _loc(loader: _Loader, node: yaml.Node) -> SourceLoc:
    return SourceLoc(loader.name, node.start_mark.line + 1, node.start_mark.column + 1)


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LocDict:
    loader.flatten_mapping(node)
    out = LocDict()
    out.loc = _loc(loader, node)
    out.key_locs = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, int) and not isinstance(key, bool):
            key = str(key)
        here = _loc(loader, key_node)
        if key in out:
            raise DuplicateKey(str(key), out.key_locs[key], here)
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_locs[key] = here
    return out


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> LocList:
    out = LocList(loader.construct_object(child, deep=True) for child in node.value)
    out.loc = _loc(loader, node)
    out.item_locs = [_loc(loader, child) for child in node.value]
    return out


def _text_scalar(loader: _Loader, node: yaml.ScalarNode) -> Any:
    return loader.construct_scalar(node)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)
# Dates and timestamps stay text: "2008-09" and "2008-09-01" are values of our own types.
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _text_scalar)


def parse_yaml(text: str, name: str) -> Any:
    """Parse YAML text keeping locations. Raises yaml.YAMLError or DuplicateKey."""
    loader = _Loader(text)
    loader.name = name  # type: ignore[attr-defined]
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def loc_at(data: Any, path: tuple[Any, ...]) -> SourceLoc | None:
    """The location of the value at ``path`` inside parsed YAML (the nearest one known)."""
    best: SourceLoc | None = getattr(data, "loc", None)
    node = data
    for part in path:
        if isinstance(node, LocDict) and part in node:
            best = node.key_locs.get(part, best)
            node = node[part]
        elif isinstance(node, LocList) and isinstance(part, int) and 0 <= part < len(node):
            best = node.item_locs[part]
            node = node[part]
        else:
            continue  # pydantic adds union tags to paths; skip what the data doesn't have
    return best
