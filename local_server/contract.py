"""openapi.yaml as a contract: which routes exist, and what openapi-core says about a request or a response."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional, Set, cast
from urllib.parse import urlsplit

import re

import yaml
from openapi_core import Config, OpenAPI
from openapi_core.testing import MockRequest, MockResponse

SPEC_PATH = Path(__file__).resolve().parent.parent / "openapi.yaml"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class SpecContract:
    """Routes and validation taken from one OpenAPI document; nothing about the API is hard-coded here."""

    def __init__(self, spec_path: Path = SPEC_PATH) -> None:
        self.spec_path = Path(spec_path)
        self.spec: Dict[str, Any] = yaml.safe_load(self.spec_path.read_text())
        config = Config(extra_media_type_deserializers={"application/sdp": _text})   # SDP offers and answers are text
        self.validator = OpenAPI.from_dict(nullable_compositions_accept_null(self.spec), config=config)
        server = urlsplit(self.spec["servers"][0]["url"])
        # openapi-core matches full URLs against the spec's server, so requests are checked under it.
        self.origin = "%s://%s" % (server.scheme, server.netloc)
        self.base_path = server.path.rstrip("/")
        self.routes: Dict[str, Set[str]] = {
            self.base_path + path: {method.upper() for method in item if method in HTTP_METHODS}
            for path, item in self.spec["paths"].items()
        }
        # templated paths ({call_id}) as patterns, literal segments first so /a/b wins over /a/{id}
        self._patterns = sorted(((re.compile("^%s$" % re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(route))), route)
                                 for route in self.routes), key=lambda item: item[1].count("{"))

    def match(self, path: str) -> Optional[str]:
        """The route (as written in the spec, under the base path) that `path` falls under, if any."""
        return next((route for pattern, route in self._patterns if pattern.match(path)), None)

    def operation_id(self, route: str, method: str) -> str:
        return str(self.operation(route, method)["operationId"])

    def operation(self, path: str, method: str) -> Dict[str, Any]:
        return self.spec["paths"][path[len(self.base_path):]][method.lower()]

    def schema(self, name: str) -> Dict[str, Any]:
        return self.spec["components"]["schemas"][name]

    def response_schema(self, path: str, method: str, status: int = 200) -> Dict[str, Any]:
        content = self.operation(path, method)["responses"][str(status)]["content"]["application/json"]
        return self.resolve(content["schema"])

    def resolve(self, schema: Dict[str, Any]) -> Dict[str, Any]:
        ref: Optional[str] = schema.get("$ref")
        return self.schema(ref.rsplit("/", 1)[1]) if ref else schema

    def unmarshal_request(self, method: str, path: str, headers: Dict[str, str], body: bytes) -> Any:
        """openapi-core's result: `.errors`, and `.body` (multipart split into its parts, defaults filled in)."""
        content_type = _header(headers, "Content-Type") or "application/json"
        media_type = content_type.split(";")[0].strip()
        # multipart needs its boundary parameter to be split into parts
        request = MockRequest(self.origin, method.lower(), path, headers=headers, data=body,
                              content_type=content_type if media_type.startswith("multipart/") else media_type)
        return self.validator.unmarshal_request(request)

    def request_errors(self, method: str, path: str, headers: Dict[str, str], body: bytes) -> List[Exception]:
        return list(self.unmarshal_request(method, path, headers, body).errors)

    def response_errors(self, method: str, path: str, status: int, body: bytes,
                        content_type: Optional[str] = "application/json",
                        headers: Optional[Dict[str, str]] = None) -> List[str]:
        request = MockRequest(self.origin, method.lower(), path, headers={"Authorization": "Bearer x"}, data=b"{}")
        # None: an answer without a body (openapi-core accepts it where the spec declares no content)
        response = MockResponse(body, status_code=status, content_type=cast(str, content_type), headers=headers or {})
        return [describe(e) for e in self.validator.unmarshal_response(request, response).errors]


def nullable_compositions_accept_null(node: Any) -> Any:
    """A copy of a spec in which `nullable: true` beside allOf/oneOf/anyOf (no `type`) admits null.

    openapi.yaml writes "X or null" as `nullable: true` next to the composition: what
    openapi-generator and most tools read, and the 3.0 form of upstream's 3.1
    `anyOf: [X, {type: 'null'}]`. OpenAPI 3.0.3 gives `nullable` meaning only beside `type`,
    so openapi-core would refuse the null; here such a schema becomes `anyOf: [X, null]`."""
    if isinstance(node, list):
        return [nullable_compositions_accept_null(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: nullable_compositions_accept_null(value) for key, value in node.items()}
    if out.get("nullable") is True and "type" not in out and any(k in out for k in ("allOf", "oneOf", "anyOf")):
        outer_keys = ("nullable", "default", "description", "title")
        inner = {key: value for key, value in out.items() if key not in outer_keys}
        outer = {key: out[key] for key in ("default", "description") if key in out}
        return {**outer, "anyOf": [inner, {"type": "object", "nullable": True, "enum": [None]}]}
    return out


def _text(body: Any, **_: Any) -> str:
    return body.decode("utf-8") if isinstance(body, bytes) else str(body)


def describe(error: Exception) -> str:
    """openapi-core's own message plus the schema errors it wraps, which say what was wrong."""
    schema_errors = getattr(error.__cause__, "schema_errors", None) or ()
    details = ["%s at %s" % (e.message, "/".join(map(str, e.absolute_path)) or "body") for e in schema_errors]
    return "; ".join(["%s: %s" % (type(error).__name__, error)] + details)


def _header(headers: Dict[str, str], name: str) -> Optional[str]:
    return next((value for key, value in headers.items() if key.lower() == name.lower()), None)
