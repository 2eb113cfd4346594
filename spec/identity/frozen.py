"""An immutable mapping, so that the identity state is a value: an operation that fails cannot have changed it.

Every transition of the model builds a new state from the old one (copy-on-write); nothing is ever mutated in
place. ``FrozenMap`` is the mapping that makes this hold by construction: it has no mutating methods, only
``set`` and ``remove`` that return a new map.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class FrozenMap(Mapping[K, V], Generic[K, V]):
    """A hashable, immutable mapping that keeps insertion order (the order AWS lists entities in)."""

    __slots__ = ("_data", "_hash")

    def __init__(self, items: Mapping[K, V] | Iterable[tuple[K, V]] = ()) -> None:
        object.__setattr__(self, "_data", dict(items))
        object.__setattr__(self, "_hash", None)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("FrozenMap is immutable")

    def __getitem__(self, key: K) -> V:
        return self._data[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        if self._hash is None:
            object.__setattr__(self, "_hash", hash(frozenset(self._data.items())))
        return self._hash

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FrozenMap):
            return self._data == other._data
        if isinstance(other, Mapping):
            return self._data == dict(other.items())
        return NotImplemented

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"

    def set(self, key: K, value: V) -> FrozenMap[K, V]:
        """A new map with ``key`` bound to ``value`` (kept in place if already there, else appended)."""
        data = dict(self._data)
        data[key] = value
        return FrozenMap(data)

    def remove(self, key: K) -> FrozenMap[K, V]:
        """A new map without ``key`` (``KeyError`` if absent: a caller bug, never an AWS error)."""
        data = dict(self._data)
        del data[key]
        return FrozenMap(data)


EMPTY: FrozenMap = FrozenMap()
