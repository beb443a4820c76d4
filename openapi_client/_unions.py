"""oneOf/anyOf schemas as pydantic models (ComposedModel), their member types, and events of unknown types.

Hand-written (listed in .openapi-generator-ignore): the same for every spec."""

import contextlib
import contextvars
import datetime
import json
import pprint
import re
from enum import Enum
from typing import (
    Any,
    ClassVar,
    ContextManager,
    Dict,
    FrozenSet,
    List,
    Optional,
    Tuple,
    Type,
    Union,
    cast,
)

from pydantic import (
    BaseModel,
    ConfigDict,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    TypeAdapter,
    ValidationInfo,
    field_validator,
)
from pydantic_core import core_schema
from typing_extensions import Annotated, Self

from openapi_client._leniency import _parsing_server_response, _short, parsing_server_response
from openapi_client._redaction import redacted_repr_args
from openapi_client._wire import WIRE, WIRE_OPTIONS, to_wire


def enum_values(model: Any, field: str) -> FrozenSet[Any]:
    """The values a generated model's enum field allows (its `__<field>_allowed`), or none; for a
    union member, those of all its members (a conversation item's `message` is a union by `role`)."""
    if isinstance(model, type) and issubclass(model, ComposedModel):
        return frozenset().union(*(enum_values(member, field) for _, member in model.members if isinstance(member, type)))
    return getattr(model, "_%s__%s_allowed" % (model.__name__, field), frozenset())


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
