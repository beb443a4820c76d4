"""The API methods' argument checks (pydantic validate_call), built on first call with the models they name.

Hand-written (listed in .openapi-generator-ignore): the same for every spec."""

import functools
import inspect
import re
import typing
from typing import (
    Any,
    Callable,
    Dict,
    FrozenSet,
    List,
    Optional,
    Tuple,
    TypeVar,
    cast,
)

from pydantic import BaseModel, ConfigDict, ValidationError, validate_call
from pydantic.fields import FieldInfo
from pydantic.types import Strict

from openapi_client._unknown_fields import unknown_fields_explained

_Operation = TypeVar("_Operation", bound=Callable[..., Any])


_CALL_CONFIG = ConfigDict(defer_build=True)


def _annotation_names(function: Callable[..., Any]) -> FrozenSet[str]:
    return frozenset(re.findall(r"[A-Za-z_]\w*", " ".join(map(str, function.__annotations__.values()))))


_Accepts = Callable[[Any], bool]


def _accepted_as_is(annotation: Any) -> Optional[_Accepts]:
    """What validate_call would pass through unchanged for this annotation, as a plain type test, or
    None when only validate_call can tell: an instance of the exact model class (already valid: the
    models validate on construction and on assignment, and are never revalidated), a str for a
    strict str, None where the annotation allows it; anything with a constraint goes to pydantic."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation, *metadata = typing.get_args(annotation)
        for item in metadata:
            if isinstance(item, FieldInfo) and not item.metadata and item.default_factory is None:
                continue   # a description only
            if not isinstance(item, Strict):
                return None
    if annotation is Any:
        return lambda value: True
    if typing.get_origin(annotation) is typing.Union:
        # a value a member takes as it is wins in pydantic's smart union mode; others go to pydantic
        known = [option for option in map(_accepted_as_is, typing.get_args(annotation)) if option is not None]
        return (lambda value: any(option(value) for option in known)) if known else None
    if annotation is type(None):
        return lambda value: value is None
    if annotation is str:
        return lambda value: type(value) is str
    if (isinstance(annotation, type) and issubclass(annotation, BaseModel)
            and annotation.model_config.get("revalidate_instances", "never") == "never"):
        model = annotation
        return lambda value: type(value) is model
    return None


def _arguments_check(function: Callable[..., Any]) -> Callable[[Tuple[Any, ...], Dict[str, Any]], bool]:
    """(args, kwargs) -> True when validate_call would accept every argument unchanged, so the check
    is paid once, by the model that was built, not once more per call; False sends the call through
    validate_call (a dict for a model, a constraint, a wrong type, a missing argument, ...)."""
    hints = typing.get_type_hints(function, include_extras=True)
    parameters = list(inspect.signature(function).parameters.values())[1:]   # after self
    if any(p.kind is not inspect.Parameter.POSITIONAL_OR_KEYWORD for p in parameters):
        return lambda args, kwargs: False   # not the shape of a generated operation: pydantic decides
    accepts = {p.name: _accepted_as_is(hints.get(p.name, Any)) for p in parameters}
    positions = [p.name for p in parameters]
    required = frozenset(p.name for p in parameters if p.default is inspect.Parameter.empty)
    positional_checks = [accepts[name] for name in positions]
    fewest = len(required) + 1   # self and the required ones, which come first

    def as_is(args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> bool:
        if not kwargs and fewest <= len(args) <= len(positions) + 1:   # the usual call: all positional
            for index in range(1, len(args)):
                check = positional_checks[index - 1]
                if check is None or not check(args[index]):
                    return False
            return True
        if len(args) - 1 > len(positions):
            return False
        given = dict(zip(positions, args[1:]))
        for name, value in kwargs.items():
            if name in given:
                return False
            given[name] = value
        if not required <= given.keys():
            return False
        for name, value in given.items():
            accept = accepts.get(name)
            if accept is None or not accept(value):
                return False
        return True
    return as_is


def models_named_here(module_globals: Dict[str, Any]) -> Callable[[str], Any]:
    """An API module's `__getattr__`: a model its operations name imports from the module, as it did
    before models loaded lazily (code written for 0.1.0 does `from ...realtime_api import <Model>`)."""
    def __getattr__(name: str) -> Any:
        from openapi_client import models  # lazy: models load on first use
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
    as_is: List[Callable[[Tuple[Any, ...], Dict[str, Any]], bool]] = []

    def checked() -> None:
        """Builds the operation's checks, once."""
        if not as_is:
            from openapi_client import models  # lazy: models load on first use
            names = _annotation_names(function)
            module_globals = function.__globals__
            for name in names & set(models.__all__):
                if name not in module_globals:
                    module_globals[name] = getattr(models, name)
            check, wrapped = _arguments_check(function), validate_call(config=_CALL_CONFIG)(function)
            validated.append(wrapped)
            as_is.append(check)   # last: a call that finds as_is filled finds validated filled

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
                if not as_is:   # the first call builds the check (inline, not a helper: a call less per call)
                    checked()
                return await (function if as_is[0](args, kwargs) else validated[0])(*args, **kwargs)
            except ValidationError as error:
                raise explained(error) from None
        return cast(_Operation, call_async)

    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            if not as_is:   # the first call builds the check (inline, not a helper: a call less per call)
                checked()
            return (function if as_is[0](args, kwargs) else validated[0])(*args, **kwargs)
        except ValidationError as error:
            raise explained(error) from None
    return cast(_Operation, call)
