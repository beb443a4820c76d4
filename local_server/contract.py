"""openapi.yaml as a contract: which routes exist, and what openapi-core says about a request or a response."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional, Set
from urllib.parse import urlsplit

import yaml
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse

SPEC_PATH = Path(__file__).resolve().parent.parent / "openapi.yaml"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class SpecContract:
    """Routes and validation taken from one OpenAPI document; nothing about the API is hard-coded here."""

    def __init__(self, spec_path: Path = SPEC_PATH) -> None:
        self.spec_path = Path(spec_path)
        self.spec: Dict[str, Any] = yaml.safe_load(self.spec_path.read_text())
        self.validator = OpenAPI.from_file_path(str(self.spec_path))
        server = urlsplit(self.spec["servers"][0]["url"])
        # openapi-core matches full URLs against the spec's server, so requests are checked under it.
        self.origin = "%s://%s" % (server.scheme, server.netloc)
        self.base_path = server.path.rstrip("/")
        self.routes: Dict[str, Set[str]] = {
            self.base_path + path: {method.upper() for method in item if method in HTTP_METHODS}
            for path, item in self.spec["paths"].items()
        }

    def operation(self, path: str, method: str) -> Dict[str, Any]:
        return self.spec["paths"][path[len(self.base_path):]][method.lower()]

    def schema(self, name: str) -> Dict[str, Any]:
        return self.spec["components"]["schemas"][name]

    def response_schema(self, path: str, method: str, status: int = 200) -> Dict[str, Any]:
        content = self.operation(path, method)["responses"][str(status)]["content"]["application/json"]
        return self._resolve(content["schema"])

    def _resolve(self, schema: Dict[str, Any]) -> Dict[str, Any]:
        ref: Optional[str] = schema.get("$ref")
        return self.schema(ref.rsplit("/", 1)[1]) if ref else schema

    def request_errors(self, method: str, path: str, headers: Dict[str, str], body: bytes) -> List[Exception]:
        content_type = _header(headers, "Content-Type") or "application/json"
        request = MockRequest(self.origin, method.lower(), path, headers=headers, data=body,
                              content_type=content_type.split(";")[0].strip())
        return list(self.validator.unmarshal_request(request).errors)

    def response_errors(self, method: str, path: str, status: int, body: bytes) -> List[str]:
        request = MockRequest(self.origin, method.lower(), path, headers={"Authorization": "Bearer x"}, data=b"{}")
        response = MockResponse(body, status_code=status)
        return [describe(e) for e in self.validator.unmarshal_response(request, response).errors]


def describe(error: Exception) -> str:
    """openapi-core's own message plus the schema errors it wraps, which say what was wrong."""
    schema_errors = getattr(error.__cause__, "schema_errors", None) or ()
    details = ["%s at %s" % (e.message, "/".join(map(str, e.absolute_path)) or "body") for e in schema_errors]
    return "; ".join(["%s: %s" % (type(error).__name__, error)] + details)


def _header(headers: Dict[str, str], name: str) -> Optional[str]:
    return next((value for key, value in headers.items() if key.lower() == name.lower()), None)
