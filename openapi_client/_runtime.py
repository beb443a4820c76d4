# coding: utf-8

"""Runtime helpers shared by the generated models and client.

Generated from templates/runtime.mustache; do not edit by hand.
"""  # noqa: E501

import contextvars
import typing
import difflib
import functools
import inspect
import datetime
import decimal
import uuid
import json
import re
from enum import Enum
import contextlib
import pprint
from typing import (Any, Callable, ClassVar, ContextManager, Dict, FrozenSet, List, Mapping, Optional, Tuple, Type,
                    TypeVar, Union, cast)

from pydantic import (BaseModel, BeforeValidator, ConfigDict, SecretStr, StrictBool, StrictFloat, StrictInt,
                      StrictStr, TypeAdapter, ValidationError, ValidationInfo, field_validator, validate_call)
from typing_extensions import Annotated, Self

from pydantic_core import PydanticCustomError, core_schema

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


def check_enum(value: Any, allowed: FrozenSet[Any], field: str) -> Any:
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


def move_unknown_fields(model: Any, closed: bool) -> None:
    """After validating JSON with extra="allow": the undeclared keys move from pydantic's extras
    to additional_properties and stop counting as fields that were set. A closed schema
    (`additionalProperties: false`) takes them only from a server; a caller's data gets a ValueError."""
    unknown = model.__pydantic_extra__
    if closed and not _parsing_server_response.get():
        raise ValueError("%s takes no field(s) %s" % (type(model).__name__, ", ".join(map(repr, sorted(unknown)))))
    object.__setattr__(model, "__pydantic_extra__", None)
    fields_set = model.__pydantic_fields_set__ - unknown.keys()
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


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def enum_values(model: Any, field: str) -> FrozenSet[Any]:
    """The values a generated model's enum field allows (its `__<field>_allowed`), or none; for a
    union member, those of all its members (a conversation item's `message` is a union by `role`)."""
    if isinstance(model, type) and issubclass(model, ComposedModel):
        return frozenset().union(*(enum_values(member, field) for _, member in model.members if isinstance(member, type)))
    return getattr(model, "_%s__%s_allowed" % (model.__name__, field), frozenset())


class EnumCheck:
    """An AfterValidator for an enum member of a oneOf/anyOf (e.g. the string "inf")."""

    __slots__ = ("allowed", "name")

    def __init__(self, allowed: FrozenSet[Any], name: str) -> None:
        self.allowed, self.name = allowed, name

    def __call__(self, value: Any) -> Any:
        return check_enum(value, self.allowed, self.name)


PRIMITIVE_MEMBERS: Dict[str, Any] = {
    "int": StrictInt, "float": Union[StrictFloat, StrictInt], "str": StrictStr, "bool": StrictBool,
    "object": Dict[str, Any], "date": datetime.date, "datetime": datetime.datetime,
}


_CONTAINER_MEMBER = re.compile(r"^(List|Dict)\[(.*)\]$")


def primitive_member(name: str) -> Any:
    """The type of a oneOf/anyOf member the generator names by its data type (`str`, `List[str]`,
    `Dict[str, int]`). Never Any: a member typed Any matches every value before the others."""
    name = name.strip()
    if name in PRIMITIVE_MEMBERS:
        return PRIMITIVE_MEMBERS[name]
    match = _CONTAINER_MEMBER.match(name)
    if match and match.group(1) == "List":
        return List[primitive_member(match.group(2))]  # type: ignore[misc]
    if match and match.group(2).partition(",")[0].strip() == "str":
        return Dict[str, primitive_member(match.group(2).partition(",")[2])]  # type: ignore[misc]
    raise TypeError("a oneOf/anyOf member of type %r has no runtime type (PRIMITIVE_MEMBERS)" % name)


_building_own_schema: "contextvars.ContextVar[Any]" = contextvars.ContextVar("openapi_client_building_own_schema", default=None)


class ComposedModel(BaseModel):
    """A oneOf/anyOf schema: the stock generated surface (`actual_instance`, from_json, to_json,
    to_dict) and, as the type of another model's field, the bare member value (a str, an int,
    a model): callers pass and read plain values. A discriminator picks the member by its tag
    in pydantic-core (no member tried in turn); when parsing what a server sent, a value that
    no member matches (a new tool or session type) is kept as sent."""

    actual_instance: Any = None
    # (name, type) per member; the discriminating property when the spec names one.
    members: ClassVar[Tuple[Tuple[str, Any], ...]] = ()
    discriminator: ClassVar[Optional[str]] = None
    response_only: ClassVar[bool] = False
    nullable: ClassVar[bool] = False
    # what a value no member matches becomes when parsed leniently (an event union's UnknownEvent)
    unknown_member: ClassVar[Optional[Type[BaseModel]]] = None

    # built on first use: 30-odd unions would otherwise cost 0.2 s at import
    model_config = ConfigDict(validate_assignment=True, protected_namespaces=(), defer_build=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args:
            if len(args) > 1 or kwargs:
                raise ValueError("%s takes one value (actual_instance)" % type(self).__name__)
            kwargs["actual_instance"] = args[0]
        super().__init__(**kwargs)

    @field_validator("actual_instance")
    @classmethod
    def _member_value(cls, value: Any, info: ValidationInfo) -> Any:
        if info.context is WIRE:
            return value   # from_dict/from_json validated it already
        return cls._adapter().validate_python(value)

    @classmethod
    def _adapter(cls) -> "TypeAdapter[Any]":
        """Validates a bare member value, as a field of this type does."""
        adapter = cls.__dict__.get("_bare_adapter")
        if adapter is None:
            # Annotated: TypeAdapter(cls) alone would build the wrapper model's own schema
            adapter = TypeAdapter(cast(Any, Annotated[cls, "member value"]))
            setattr(cls, "_bare_adapter", adapter)  # noqa: B010 (undeclared on the class, so mypy takes setattr only)
        return adapter

    @classmethod
    def model_rebuild(cls, *args: Any, **kwargs: Any) -> Optional[bool]:
        """pydantic builds a deferred model's own schema here: mark it, so the override below
        gives the wrapper's own schema then, and the bare-member schema everywhere else."""
        token = _building_own_schema.set(cls)
        try:
            return super().model_rebuild(*args, **kwargs)
        finally:
            _building_own_schema.reset(token)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> core_schema.CoreSchema:
        if source is not cls or _building_own_schema.get() is cls:
            return cast(core_schema.CoreSchema, handler(source))   # the wrapper model's own schema, built by pydantic
        tag_name = cls.discriminator or "type"
        tagged: Dict[Any, core_schema.CoreSchema] = {}
        in_order: List[Any] = []
        untagged: List[Any] = []
        for _, member in cls.members:
            schema = handler.generate_schema(member)
            in_order.append(schema)
            tags = enum_values(member, tag_name) if isinstance(member, type) else frozenset()
            for tag in tags:
                tagged[tag] = schema
            if not tags:
                untagged.append(schema)
        unknown_tag = "%s takes %s %s" % (cls.__name__, tag_name, ", ".join(map(repr, tagged)))
        inner: core_schema.CoreSchema
        if not tagged:
            inner = in_order[0] if len(in_order) == 1 else core_schema.union_schema(in_order, mode="left_to_right")
        elif cls.discriminator and not untagged:
            # the spec's discriminator, every member tagged: looked up in pydantic-core (dicts and models alike)
            inner = core_schema.tagged_union_schema(
                tagged, discriminator=cls.discriminator, custom_error_type="unknown_tag", custom_error_message=unknown_tag)
        else:
            # a value carrying a known tag (the spec's discriminator, else `type`) goes to its member in
            # pydantic-core; an unknown tag is an error; a value without one (a string, or an object
            # whose members do not require the tag) tries the members in turn
            without_tag = untagged if cls.discriminator else in_order
            any_key = "(no tag)"
            known = frozenset(tagged)
            fallback = any_key if without_tag else None

            def pick(value: Any) -> Any:
                tag = value.get(tag_name) if type(value) is dict else getattr(value, tag_name, None)
                if isinstance(tag, Enum):
                    tag = tag.value
                if tag is None:
                    return fallback
                return tag if tag in known else None

            choices = dict(tagged)
            if without_tag:
                choices[any_key] = (without_tag[0] if len(without_tag) == 1
                                    else core_schema.union_schema(without_tag, mode="left_to_right"))
            inner = core_schema.tagged_union_schema(
                choices, discriminator=pick, custom_error_type="unknown_tag", custom_error_message=unknown_tag)
        if cls.nullable:
            inner = core_schema.nullable_schema(inner)
        # the members are tried in pydantic-core; Python runs only when none matches (no call on the common path)
        return core_schema.union_schema(
            [inner, core_schema.no_info_plain_validator_function(cls._no_member_matched)], mode="left_to_right",
            serialization=core_schema.plain_serializer_function_ser_schema(to_wire))

    @classmethod
    def _no_member_matched(cls, value: Any) -> Any:
        if isinstance(value, ComposedModel):
            return cls._adapter().validate_python(value.actual_instance)   # a wrapper: its member value
        if cls.response_only or _parsing_server_response.get():
            if cls.unknown_member is not None and type(value) is dict and isinstance(value.get(cls.discriminator or "type"), str):
                return cls.unknown_member.model_validate(value)   # an event type (or shape) this SDK does not know
            return value   # the API grew (a new kind or shape): kept as sent, written back by to_dict
        raise ValueError("%s: no member matches %s" % (cls.__name__, _short(value)))

    @classmethod
    def _parsing(cls) -> ContextManager[Any]:
        """Lenient when this union only ever comes from the server."""
        return parsing_server_response() if cls.response_only else contextlib.nullcontext()

    @classmethod
    def from_dict(cls, obj: Any) -> Self:
        """Parse JSON data (unknown keys kept)."""
        with cls._parsing():
            return cls._wrap(cls._adapter().validate_python(obj, **WIRE_OPTIONS))

    @classmethod
    def from_json(cls, json_str: Union[str, bytes]) -> Self:
        with cls._parsing():
            return cls._wrap(cls._adapter().validate_json(json_str, **WIRE_OPTIONS))

    @classmethod
    def _wrap(cls, member_value: Any) -> Self:
        return cls.model_validate({"actual_instance": member_value}, context=WIRE)

    def to_dict(self) -> Any:
        return to_wire(self.actual_instance)

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    def to_str(self) -> str:
        return pprint.pformat(self.model_dump())

    def __repr_args__(self) -> Any:
        return redacted_repr_args(super().__repr_args__())



class UnknownEvent(BaseModel):
    """An event whose `type` this SDK does not know (the API adds event types), or whose shape its
    model does not accept: `.type` and every other field are kept, and to_dict() gives them back."""

    type: str
    event_id: Optional[str] = None
    model_config = ConfigDict(extra="allow")

    @property
    def additional_properties(self) -> Dict[str, Any]:
        return dict(self.__pydantic_extra__ or {})

    @classmethod
    def from_dict(cls, obj: Dict[str, Any]) -> Self:
        return cls.model_validate(obj)

    @classmethod
    def from_json(cls, json_str: Union[str, bytes]) -> Self:
        return cls.model_validate_json(json_str)

    def to_dict(self) -> Dict[str, Any]:
        return self.model_dump(mode="json", exclude_unset=True)

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    def __repr_args__(self) -> Any:
        return redacted_repr_args(super().__repr_args__())



# ----------------------------------------------------------------- a caller's unknown fields

def _models_in(annotation: Any) -> List[type]:
    """The generated models a field's annotation names (through Optional, List, Dict, Union, Annotated)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in getattr(annotation, "__args__", ()) or () for model in _models_in(arg)]


def _expanded(models: List[type]) -> List[type]:
    """A union's members stand for it: its known names come from all of them."""
    out: List[type] = []
    for model in models:
        if issubclass(model, ComposedModel):
            out += _expanded([m for _, member in model.members for m in _models_in(member)])
        elif model not in out:
            out.append(model)
    return out


def field_annotations(model: type) -> Dict[str, Any]:
    """{JSON name: annotation} of a model's declared fields: where an unknown field is looked up."""
    return {(field.alias or name): field.annotation for name, field in model.model_fields.items()  # type: ignore[attr-defined]
            if name != "additional_properties"}


def _closest_known_name(top: Dict[str, Any], top_name: str, loc: Tuple[Any, ...]) -> Tuple[str, Optional[str]]:
    """(where the unknown field sits, the closest name declared there) for an error at `loc`, from the
    {name: annotation} at the top (a model's fields, an operation's parameters). Parts of `loc` that
    name no field (a list index, a union's member or tag) are stepped over."""
    models: List[type] = []
    for part in loc[:-1]:
        if not models and part in top:   # an operation's argument, by name or position
            annotations = [top[part]]
        elif isinstance(part, str):
            annotations = [field_annotations(model).get(part) for model in models]
        else:
            continue
        inner = [found for annotation in annotations for found in _models_in(annotation)]
        if inner:
            models = _expanded(inner)
    known = sorted({name for model in models for name in field_annotations(model)} if models else top)
    close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
    return (" or ".join(m.__name__ for m in models) if models else top_name), (close[0] if close else None)


def unknown_fields_explained(error: ValidationError, top: Dict[str, Any], title: str) -> ValidationError:
    """The same ValidationError with each unknown field's message naming the closest known name
    ("instructons" -> "instructions"); other errors unchanged. Runs only after validation failed."""
    details: List[Any] = []
    for item in error.errors():
        if item["type"] != "extra_forbidden":
            details.append({k: item[k] for k in ("type", "loc", "input", "ctx") if k in item})
            continue
        where, close = _closest_known_name(top, title, tuple(item["loc"]))
        hint = "did you mean %r? " % close if close else ""
        details.append({"type": PydanticCustomError(
            "extra_forbidden", "{where} has no field {name}: {hint}unknown fields are refused before sending",
            {"where": where, "name": repr(item["loc"][-1]), "hint": hint}), "loc": item["loc"], "input": item["input"]})
    try:
        return ValidationError.from_exception_data(title, details)
    except Exception:   # an error type that cannot be rebuilt as is: the original error, unchanged
        return error



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
                    else {**_redact_structure(v), "value": REDACTED}
                    if k == "client_secret" and isinstance(v, dict) and "value" in v
                    else _redact_structure(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact_structure(v) for v in value]
    if isinstance(value, str):
        return redact_text(value)
    return value


def redacted_repr_args(args: Any) -> List[Tuple[Optional[str], Any]]:
    """A model's repr and str fields with secrets replaced: a printed or logged model never shows a key."""
    return [(name, REDACTED if isinstance(value, str) and (name or "").lower() in SECRET_KEYS
             else _redact_structure(value) if isinstance(value, (str, dict, list)) else value)
            for name, value in args]


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
        except (ValueError, RecursionError):
            return redact_text(body)
    try:
        return json.dumps(_redact_structure(body))
    except RecursionError:   # nested deeper than Python recurses: never shown unredacted
        return "<body nested too deeply to show>"


# ----------------------------------------------------------------- requests that must not leave as sent

_UNSAFE_HEADER_CHARACTERS = re.compile(r"[\r\n\0]")


def _refuse(message: str) -> Exception:
    from openapi_client.exceptions import ApiValueError   # exceptions imports this module
    return ApiValueError(message)


def check_path_segment(name: str, value: str) -> str:
    """A path parameter's value: `..`, `.` and empty would move the request to another path."""
    if value in ("", ".", ".."):
        raise _refuse("path parameter %s must not be %r: it would change the request's path" % (name, value))
    return value


def check_header_fields(headers: Mapping[str, Any]) -> None:
    """CR, LF or NUL in a header name or value would fold or split the header block on the wire.
    The error names the header, never its value (it may be a key)."""
    for name, value in headers.items():
        if _UNSAFE_HEADER_CHARACTERS.search(str(name)) or _UNSAFE_HEADER_CHARACTERS.search(str(value)):
            shown = name if not _UNSAFE_HEADER_CHARACTERS.search(str(name)) else repr(str(name))
            raise _refuse("header %s has a CR, LF or NUL character: refused before sending" % shown)


def check_base_url(url: str) -> str:
    """A request URL must start with http:// or https:// (a host without a scheme is a set-up mistake)."""
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in ("http", "https"):
        raise _refuse("the base URL (Configuration.host or OPENAI_BASE_URL) must start with http:// or https://, "
                      "like https://api.openai.com/v1; got %r" % url.split("@")[-1].split("/")[0])
    return url


class ResponseHeaders(dict):  # type: ignore[type-arg]
    """An answer's headers as a plain dict (json.dumps and pydantic take it, as stock clients'
    headers), whose lookups ignore case as HTTP header names do. Repeated headers are joined."""

    def __init__(self, headers: Any = ()) -> None:
        super().__init__(headers.items() if hasattr(headers, "items") else headers)
        self._names = {name.lower(): name for name in self}

    def _name(self, key: Any) -> Any:
        return self._names.get(key.lower(), key) if isinstance(key, str) else key

    def __getitem__(self, key: Any) -> Any:
        return super().__getitem__(self._name(key))

    def __contains__(self, key: Any) -> bool:
        return super().__contains__(self._name(key))

    def get(self, key: Any, default: Any = None) -> Any:
        return super().get(self._name(key), default)


_Operation = TypeVar("_Operation", bound=Callable[..., Any])
_CALL_CONFIG = ConfigDict(defer_build=True)


def _annotation_names(function: Callable[..., Any]) -> FrozenSet[str]:
    return frozenset(re.findall(r"[A-Za-z_]\w*", " ".join(map(str, function.__annotations__.values()))))


def models_named_here(module_globals: Dict[str, Any]) -> Callable[[str], Any]:
    """An API module's `__getattr__`: a model its operations name imports from the module, as it did
    before models loaded lazily (code written for 0.1.0 does `from ...realtime_api import <Model>`)."""
    def __getattr__(name: str) -> Any:
        from openapi_client import models   # lazy: models load on first use
        named = {n for value in list(module_globals.values()) if inspect.isclass(value)
                 for member in vars(value).values() if hasattr(member, "__wrapped__")
                 for n in _annotation_names(member.__wrapped__)}
        if name in named and name in models.__all__:
            return getattr(models, name)
        raise AttributeError(f"module {module_globals['__name__']!r} has no attribute {name!r}")
    return __getattr__


def operation(function: _Operation) -> _Operation:
    """An API method checked by pydantic's validate_call, built on its first call, after importing
    the models its annotations name into its module. API modules import models only for type
    checkers, so a process pays for the models of the operations it calls, not of all of them."""
    validated: List[Callable[..., Any]] = []

    def checked() -> Callable[..., Any]:
        if not validated:
            from openapi_client import models   # lazy: models load on first use
            names = _annotation_names(function)
            module_globals = function.__globals__
            for name in names & set(models.__all__):
                if name not in module_globals:
                    module_globals[name] = getattr(models, name)
            validated.append(validate_call(config=_CALL_CONFIG)(function))
        return validated[0]

    def explained(error: ValidationError) -> ValidationError:
        """A caller's unknown field in an argument (a dict for a model) names the closest known one."""
        try:
            hints: Dict[Any, Any] = dict(typing.get_type_hints(function))
        except Exception:   # an annotation that does not resolve: no hint, the error as pydantic gave it
            return error
        # validate_call locates a positional argument by its index: the parameter's name stands for it
        positions = list(inspect.signature(function).parameters)
        hints.update({index: hints.get(name) for index, name in enumerate(positions)})
        return unknown_fields_explained(error, hints, function.__name__)

    if inspect.iscoroutinefunction(function):
        @functools.wraps(function)
        async def call_async(*args: Any, **kwargs: Any) -> Any:
            try:   # validate_call checks an async function's arguments when its coroutine runs
                return await checked()(*args, **kwargs)
            except ValidationError as error:
                raise explained(error) from None
        return cast(_Operation, call_async)

    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return checked()(*args, **kwargs)
        except ValidationError as error:
            raise explained(error) from None
    return cast(_Operation, call)
