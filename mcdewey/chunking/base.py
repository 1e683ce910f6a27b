"""The chunking registry: strategies registered by name, built from name + parameters."""

from __future__ import annotations

import dataclasses
from typing import Callable, ClassVar, Protocol, TypeVar

from mcdewey.models import Chunk, Document

DEFAULT_STRATEGY = "recursive"
_REGISTRY: dict[str, type] = {}
T = TypeVar("T")


class Chunker(Protocol):
    """A frozen dataclass of parameters with one method that turns a Document into Chunks."""

    name: ClassVar[str]
    context: bool

    def chunk(self, doc: Document) -> list[Chunk]: ...


def register(name: str) -> Callable[[type[T]], type[T]]:
    """Class decorator: make a parameters dataclass available as strategy `name`."""

    def wrap(cls: type[T]) -> type[T]:
        if not dataclasses.is_dataclass(cls):
            raise TypeError(f"{cls.__name__} must be a dataclass to be registered")
        if name in _REGISTRY and _REGISTRY[name] is not cls:
            raise ValueError(f"chunking strategy {name!r} is registered twice")
        cls.name = name
        _REGISTRY[name] = cls
        return cls

    return wrap


def list_strategies() -> list[str]:
    """Names of the registered strategies, sorted."""
    return sorted(_REGISTRY)


def strategy_fields(name: str) -> dict[str, object]:
    """The parameters strategy `name` accepts, with their defaults."""
    return {f.name: f.default for f in dataclasses.fields(_strategy(name))}


def get_chunker(name: str = DEFAULT_STRATEGY, **params: object) -> Chunker:
    """Build strategy `name` with `params`; unknown names or parameters raise ValueError."""
    cls = _strategy(name)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(params) - set(fields))
    if unknown:
        raise ValueError(
            f"chunking strategy {name!r} has no parameter {', '.join(unknown)}; "
            f"accepted: {', '.join(fields)}"
        )
    values = {key: _coerce(name, fields[key], value) for key, value in params.items()}
    return cls(**values)


def chunker_params(chunker: Chunker) -> dict[str, object]:
    """Every parameter of `chunker` (defaults included), JSON-ready; the name is `chunker.name`."""
    return {f.name: getattr(chunker, f.name) for f in dataclasses.fields(chunker)}


def describe(chunker: Chunker) -> str:
    """`recursive(max_tokens=200, min_tokens=50, ...)`: a label for reports and manifests."""
    args = ", ".join(f"{k}={v!r}" for k, v in chunker_params(chunker).items())
    return f"{chunker.name}({args})"


def _strategy(name: str) -> type:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(
            f"unknown chunking strategy {name!r}; choose one of: {', '.join(list_strategies())}"
        ) from None


def _coerce(strategy: str, field: dataclasses.Field, value: object) -> object:
    """Check a parameter against its annotation (a string under postponed evaluation)."""
    kinds = {part.strip() for part in str(field.type).split("|")}
    if value is None and "None" in kinds:
        return None
    if "bool" in kinds and isinstance(value, bool):
        return value
    if "int" in kinds and isinstance(value, int) and not isinstance(value, bool):
        return value
    if "int" in kinds and isinstance(value, float) and value.is_integer():
        return int(value)
    if "float" in kinds and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if "str" in kinds and isinstance(value, str):
        return value
    raise ValueError(f"{strategy}: parameter {field.name} must be {field.type}, got {value!r}")
