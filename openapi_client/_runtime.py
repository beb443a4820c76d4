# coding: utf-8

"""Runtime helpers shared by the generated models and client.

Generated from templates/runtime.mustache; do not edit by hand.
"""  # noqa: E501

import contextvars
import datetime
import decimal
import uuid
import json
import re
from enum import Enum
from typing import Any, Callable, ClassVar, Dict, FrozenSet, Mapping, Optional, Tuple, Type, TypeVar

from pydantic import BeforeValidator, SecretStr, ValidationInfo
from typing_extensions import Annotated

from pydantic_core import core_schema

ModelT = TypeVar("ModelT")

# True while the client parses what a server sent: enums then accept values this
# SDK does not know yet (a new voice, model or modality) and keep them as sent.
_parsing_server_response = contextvars.ContextVar("openapi_client_parsing_server_response", default=False)


class parsing_server_response:
    """Parse leniently inside this block (forward-compatible responses). A plain class, not
    @contextmanager: it runs on every response."""

    __slots__ = ("_token",)

    def __enter__(self) -> None:
        self._token = _parsing_server_response.set(True)

    def __exit__(self, *exc_info: object) -> None:
        _parsing_server_response.reset(self._token)


def check_enum(value: Any, allowed: frozenset, field: str) -> Any:
    """Strict for data the caller builds, lenient for data the server sent."""
    if value in allowed or _parsing_server_response.get():
        return value
    choices = ", ".join(repr(v) for v in sorted(allowed, key=str))
    raise ValueError(f"{field} must be one of {choices}; got {value!r}")


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


def _json_key_named_additional_properties(value: Any, info: ValidationInfo) -> Any:
    """In JSON a key of this name is data like any other unknown key, not the field."""
    return {"additional_properties": value} if info.context is WIRE else value


# The type of every model's additional_properties field.
AdditionalProperties = Annotated[Dict[str, Any], BeforeValidator(_json_key_named_additional_properties)]


def move_unknown_fields(model: Any, keep: bool) -> None:
    """After validating JSON with extra="allow": the undeclared keys move from pydantic's extras
    to additional_properties (keep) or are dropped, and stop counting as fields that were set."""
    unknown = model.__pydantic_extra__
    object.__setattr__(model, "__pydantic_extra__", None)
    fields_set = model.__pydantic_fields_set__ - unknown.keys()
    if keep:
        model.additional_properties.update(unknown)
        fields_set.add("additional_properties")
    object.__setattr__(model, "__pydantic_fields_set__", fields_set)


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


_PRIMITIVE_CHECKS: Dict[str, Callable[[Any], bool]] = {
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "str": lambda v: isinstance(v, str),
    "bool": lambda v: isinstance(v, bool),
    "object": lambda v: True,
    "date": lambda v: isinstance(v, (str, datetime.date)),
    "datetime": lambda v: isinstance(v, (str, datetime.datetime)),
}


def strict_primitive(value: Any, data_type: str) -> Any:
    """value unchanged when it is exactly of the OpenAPI primitive type, else ValueError."""
    check = _PRIMITIVE_CHECKS.get(data_type)
    if check is None or check(value):
        return value
    raise ValueError(f"expected {data_type}, got {type(value).__name__}")


def parse_model(model: Any, value: Any) -> Any:
    if isinstance(value, model):
        return value
    if not isinstance(value, dict):
        raise ValueError(f"expected an object for {model.__name__}, got {type(value).__name__}")
    return model.from_dict(value)


class ComposedValue:
    """A oneOf/anyOf schema. Fields typed with it hold the bare value of the first
    matching member (an int, a str, a model...), so callers pass and read plain
    values; a wrapper instance (the stock `actual_instance` API) is accepted and unwrapped."""

    members: ClassVar[Tuple[Tuple[str, Callable[[Any], Any]], ...]] = ()

    def __init__(self, actual_instance: Any = None) -> None:
        self.actual_instance = type(self).validate(actual_instance)

    @classmethod
    def validate(cls, value: Any) -> Any:
        if isinstance(value, ComposedValue):
            value = value.actual_instance
        for name, parse in cls.members:
            type_check = _PRIMITIVE_CHECKS.get(name)
            if type_check is not None and not type_check(value):
                continue   # a primitive of another type: skip without raising (the common miss)
            try:
                return parse(value)
            except (ValueError, TypeError):
                continue
        raise ValueError(cls._no_match(value))

    @classmethod
    def _no_match(cls, value: Any) -> str:
        """Every member's reason, gathered only when none matches."""
        reasons = []
        for name, parse in cls.members:
            try:
                parse(value)
            except (ValueError, TypeError) as exc:
                reasons.append(f"{name}: {exc}")
        return (f"{cls.__name__} takes one of ({', '.join(n for n, _ in cls.members)}); "
                f"{value!r} matches none: " + "; ".join(reasons))

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls.validate, serialization=core_schema.plain_serializer_function_ser_schema(to_wire)
        )

    @classmethod
    def from_dict(cls, obj: Any) -> Any:
        """The validated bare value (not a wrapper)."""
        return cls.validate(obj)

    @classmethod
    def from_json(cls, json_str: str) -> Any:
        return cls.validate(json.loads(json_str))

    def to_dict(self) -> Any:
        return to_wire(self.actual_instance)

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    def __eq__(self, other: object) -> bool:
        other_value = other.actual_instance if isinstance(other, ComposedValue) else other
        return bool(self.actual_instance == other_value)

    def __hash__(self) -> int:
        return hash(repr(self.actual_instance))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.actual_instance!r})"


# ----------------------------------------------------------------- redaction

REDACTED = "[redacted]"
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie", "api-key", "openai-api-key"})
SECRET_KEYS = frozenset({"client_secret", "api_key", "apikey", "access_token", "authorization", "password", "secret"})
# Bearer tokens, OpenAI API keys (sk-...) and minted ephemeral keys (ek_...).
_SECRET_PATTERN = re.compile(r"(?i)(bearer\s+)[^\s\"',]+|\b(?:sk|ek)[-_][A-Za-z0-9_\-]{4,}")


def redact_headers(headers: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
    return {k: (REDACTED if k.lower() in SECRET_HEADERS else v) for k, v in (headers or {}).items()}


def _redact_structure(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: (REDACTED if k.lower() in SECRET_KEYS and isinstance(v, str)
                    else {**_redact_structure(v), "value": REDACTED} if k == "client_secret" and isinstance(v, dict) and "value" in v
                    else _redact_structure(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact_structure(v) for v in value]
    if isinstance(value, str):
        return redact_text(value)
    return value


def redact_text(text: str) -> str:
    return _SECRET_PATTERN.sub(lambda m: (m.group(1) or "") + REDACTED, text)


def redact_body(body: Any) -> str:
    """A body (bytes, str or JSON-ready data) as text with secrets replaced."""
    if body is None:
        return ""
    if isinstance(body, (bytes, bytearray)):
        body = body.decode("utf-8", "replace")
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            return redact_text(body)
    return json.dumps(_redact_structure(body))
