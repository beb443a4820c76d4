"""Requests that must not leave as the caller gave them (refused before sending), and response headers.

Hand-written (listed in .openapi-generator-ignore): the same for every spec."""

import re
from typing import Any, Dict, Mapping, Optional, Set

_UNSAFE_HEADER_CHARACTERS = re.compile(r"[\r\n\0]")


def _refuse(message: str) -> Exception:
    from openapi_client.exceptions import ApiValueError  # exceptions imports this module
    return ApiValueError(message)


def check_path_segment(name: str, value: str) -> str:
    """A path parameter's value: `..`, `.` and empty would move the request to another path."""
    if value in ("", ".", ".."):
        raise _refuse("path parameter %s must not be %r: it would change the request's path" % (name, value))
    return value


# header names and values already found free of CR, LF and NUL: most calls send the same ones, so each
# text is scanned once, not on every call (an equal string is as safe); bounded, as values may vary
_SAFE_HEADER_TEXTS: Set[str] = set()
_SAFE_HEADER_TEXTS_MAX = 1024


def check_header_fields(headers: Mapping[str, Any]) -> None:
    """CR, LF or NUL in a header name or value would fold or split the header block on the wire.
    The error names the header, never its value (it may be a key)."""
    safe = _SAFE_HEADER_TEXTS
    try:
        if safe.issuperset(headers.values()) and safe.issuperset(headers):
            return   # all seen before: a set lookup each, in C
    except TypeError:   # an unhashable value: the loop below takes its text
        pass
    for name, value in headers.items():
        name_text, value_text = str(name), str(value)
        if _UNSAFE_HEADER_CHARACTERS.search(value_text) or _UNSAFE_HEADER_CHARACTERS.search(name_text):
            shown = name_text if not _UNSAFE_HEADER_CHARACTERS.search(name_text) else repr(name_text)
            raise _refuse("header %s has a CR, LF or NUL character: refused before sending" % shown)
        if type(name) is str and type(value) is str:
            if len(safe) >= _SAFE_HEADER_TEXTS_MAX:
                safe.clear()
            safe.update((name, value))


def check_base_url(url: str) -> str:
    """A request URL must start with http:// or https:// (a host without a scheme is a set-up mistake)."""
    if url.startswith(("https://", "http://")):
        return url
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in ("http", "https"):
        raise _refuse("the base URL (Configuration.host or OPENAI_BASE_URL) must start with http:// or https://, "
                      "like https://api.openai.com/v1; got %r" % url.split("@")[-1].split("/")[0])
    return url


class ResponseHeaders(dict):  # type: ignore[type-arg]
    """An answer's headers as a plain dict (json.dumps and pydantic take it, as stock clients'
    headers), whose lookups ignore case as HTTP header names do. Repeated headers are joined with
    ", " (RFC 9110 5.3), as urllib3's own lookup joins them."""

    def __init__(self, headers: Any = ()) -> None:
        self._names: Optional[Dict[str, str]] = None   # built on the first lookup that needs it
        merged = getattr(headers, "itermerged", None)
        if merged is not None:   # urllib3's HTTPHeaderDict: one pass, repeats joined
            super().__init__(merged())
        else:
            super().__init__()
            for name, value in (headers.items() if hasattr(headers, "items") else headers):
                known = self._name(name)
                self[known] = value if known not in self.keys() else "%s, %s" % (dict.__getitem__(self, known), value)

    def _name(self, key: Any) -> Any:
        if not isinstance(key, str) or dict.__contains__(self, key):
            return key
        if self._names is None or len(self._names) != len(self):
            self._names = {name.lower(): name for name in self}
        return self._names.get(key.lower(), key)

    def __getitem__(self, key: Any) -> Any:
        return super().__getitem__(self._name(key))

    def __contains__(self, key: Any) -> bool:
        return super().__contains__(self._name(key))

    def get(self, key: Any, default: Any = None) -> Any:
        return super().get(self._name(key), default)
