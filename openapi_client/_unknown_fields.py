"""Unknown fields: kept from a server (additional_properties), refused from a caller with the closest known name.

Hand-written (listed in .openapi-generator-ignore): the same for every spec."""

import difflib
from typing import Any, Dict, List, Optional, Tuple

from pydantic import BaseModel, BeforeValidator, ValidationError, ValidationInfo
from pydantic_core import PydanticCustomError
from typing_extensions import Annotated

from openapi_client._leniency import _parsing_server_response
from openapi_client._unions import ComposedModel
from openapi_client._wire import WIRE


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
