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
    TypeVar,
    cast,
)

from pydantic import ConfigDict, ValidationError, validate_call

from openapi_client._unknown_fields import unknown_fields_explained

_Operation = TypeVar("_Operation", bound=Callable[..., Any])


_CALL_CONFIG = ConfigDict(defer_build=True)


def _annotation_names(function: Callable[..., Any]) -> FrozenSet[str]:
    return frozenset(re.findall(r"[A-Za-z_]\w*", " ".join(map(str, function.__annotations__.values()))))


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

    def checked() -> Callable[..., Any]:
        if not validated:
            from openapi_client import models  # lazy: models load on first use
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
