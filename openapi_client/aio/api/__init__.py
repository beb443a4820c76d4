# flake8: noqa

__all__ = [
    "RealtimeApi",
]

import typing as _typing

if _typing.TYPE_CHECKING:
    # import apis into api package
    from openapi_client.aio.api.realtime_api import RealtimeApi
    
else:
    from importlib import import_module

    _exports = {
        "RealtimeApi": ".realtime_api",
    }

    def __getattr__(name: str) -> object:
        if (module_name := _exports.get(name)) is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(import_module(module_name, __name__), name)
        globals()[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(globals().keys() | _exports.keys())
