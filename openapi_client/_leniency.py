"""Strict for what a caller builds, lenient for what a server sent: the parsing context and enum checks.

Hand-written (listed in .openapi-generator-ignore): the same for every spec."""

import contextvars
from typing import (
    Any,
    FrozenSet,
)

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


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class EnumCheck:
    """An AfterValidator for an enum member of a oneOf/anyOf (e.g. the string "inf")."""

    __slots__ = ("allowed", "name")

    def __init__(self, allowed: FrozenSet[Any], name: str) -> None:
        self.allowed, self.name = allowed, name

    def __call__(self, value: Any) -> Any:
        return check_enum(value, self.allowed, self.name)
