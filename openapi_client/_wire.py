"""JSON conversion: a model's values in their JSON-ready form, and the validation options for JSON input.

Hand-written (listed in .openapi-generator-ignore): the same for every spec."""

import datetime
import decimal
import uuid
from enum import Enum
from typing import Any, Callable, Dict, Type, TypeVar

from pydantic import SecretStr

ModelT = TypeVar("ModelT")


JSON_SCALARS = frozenset({str, int, float, bool, type(None)})


def to_wire(value: Any) -> Any:
    """The JSON-ready form of a field value: models and oneOf values via to_dict(), so a model's
    to_dict() can be sent as it is, without a second sanitizing pass."""
    kind = type(value)
    if kind in JSON_SCALARS:   # exact types first: the common case costs one set lookup
        return value
    convert = _WIRE_CONVERTERS.get(kind)
    if convert is None:   # decided once per type, not by a chain of isinstance checks per value
        convert = _WIRE_CONVERTERS.setdefault(kind, _wire_converter(kind))
    return convert(value)


def _list_to_wire(value: Any) -> Any:
    return [item if type(item) in JSON_SCALARS else to_wire(item) for item in value]


def _dict_to_wire(value: Any) -> Any:
    return {key: item if type(item) in JSON_SCALARS else to_wire(item) for key, item in value.items()}


def _unchanged(value: Any) -> Any:
    return value


def _wire_converter(kind: type) -> Callable[[Any], Any]:
    if issubclass(kind, Enum):
        return lambda value: value.value
    if issubclass(kind, (str, int, float, bool)):
        return _unchanged
    if issubclass(kind, list):
        return _list_to_wire
    if issubclass(kind, dict):
        return _dict_to_wire
    if issubclass(kind, tuple):
        return lambda value: tuple(to_wire(item) for item in value)
    if issubclass(kind, (datetime.datetime, datetime.date)):
        return lambda value: value.isoformat()
    if issubclass(kind, (decimal.Decimal, uuid.UUID)):
        return str
    if issubclass(kind, SecretStr):
        return lambda value: value.get_secret_value()
    if callable(getattr(kind, "to_dict", None)):
        return lambda value: value.to_dict()
    return _unchanged


_WIRE_CONVERTERS: Dict[type, Callable[[Any], Any]] = {}


# Validation context meaning "this input was read from JSON" (from_dict, from_json, responses).
WIRE: Dict[str, bool] = {"wire": True}


# How JSON input is validated: unknown keys allowed through (each model's _keep_unknown_fields
# moves them to additional_properties), and fields matched by their JSON names only.
WIRE_OPTIONS: Dict[str, Any] = {"context": WIRE, "extra": "allow", "by_alias": True, "by_name": False}


def construct_validated(model: Type[ModelT], **values: Any) -> ModelT:
    """model.model_construct(**values) for a complete set of already checked values, without
    model_construct's per-field pass for defaults and aliases (it runs on every response)."""
    instance = model.__new__(model)
    object.__setattr__(instance, "__dict__", values)
    object.__setattr__(instance, "__pydantic_fields_set__", set(values))
    object.__setattr__(instance, "__pydantic_extra__", None)
    object.__setattr__(instance, "__pydantic_private__", None)
    return instance


def parse_nested(model: Any, value: Any) -> Any:
    """model.from_dict(value); typed Any so oneOf aliases type-check too."""
    return model.from_dict(value)
