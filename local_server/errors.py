"""Error wording: the OpenAI error object, and what a request that breaks the spec is told (the
first problem, in the words the API uses: missing required parameter, invalid value, invalid type)."""
from __future__ import annotations

import json
from typing import Any, Dict, List, Optional

from jsonschema.exceptions import best_match  # type: ignore[import-untyped]
from openapi_core.templating.media_types.exceptions import MediaTypeNotFound
from openapi_core.validation.request.exceptions import MissingRequiredRequestBody

JSON_TYPE_NAMES = {str: "string", bool: "boolean", int: "integer", float: "number", dict: "object",
                   list: "array", type(None): "null"}


def error_body(message: str, param: Optional[str] = None, code: Optional[str] = None,
               type_: str = "invalid_request_error") -> Dict[str, Any]:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


def openai_error(errors: Any, request: Any, media_type: str = "application/json") -> Dict[str, Any]:
    """The first problem, in the order the client wrote its fields, as the OpenAI error object."""
    schema_errors: List[Any] = []
    for error in errors:
        schema_errors += getattr(error.__cause__, "schema_errors", None) or ()
    if not schema_errors:
        problem = errors[0].__cause__ or errors[0]
        if isinstance(problem, MediaTypeNotFound):
            return error_body("Unsupported Content-Type: send the body as %s." % " or ".join(problem.availableMimetypes))
        if isinstance(errors[0], MissingRequiredRequestBody):
            return error_body("Missing request body: send a JSON object." if media_type == "application/json"
                              else "Missing request body: send the %s body." % media_type)
        return error_body("The request does not match the API: %s." % type(problem).__name__)
    keys = list(request) if isinstance(request, dict) else []
    first = min(schema_errors, key=lambda e: (keys.index(e.absolute_path[0]) if e.absolute_path and e.absolute_path[0] in keys
                                              else len(keys), [str(p) for p in e.absolute_path]))
    return _describe_schema_error(first)


def _param(path: List[Any]) -> Optional[str]:
    text = "".join("[%d]" % p if isinstance(p, int) else ".%s" % p for p in path).lstrip(".")
    return text or None


def _show(value: Any) -> str:
    return "'%s'" % value if isinstance(value, str) else json.dumps(value)


def _a(type_name: str) -> str:
    return ("an " if type_name[0] in "aeiou" else "a ") + type_name


def _describe_schema_error(error: Any) -> Dict[str, Any]:
    path = list(error.absolute_path)
    param = _param(path)
    where = "'%s'" % param if param else "the body"
    if error.validator == "required":
        missing = next(name for name in error.validator_value if name not in error.instance)
        return error_body("Missing required parameter: '%s'." % _param(path + [missing]),
                          _param(path + [missing]), "missing_required_parameter")
    if error.validator == "enum":
        return error_body("Invalid value: %s. Supported values are: %s." % (
            _show(error.instance), ", ".join(_show(v) for v in error.validator_value)), param, "invalid_value")
    if error.validator == "type":
        return error_body("Invalid type for %s: expected %s, but got %s instead." % (
            where, _a(str(error.validator_value)), _a(JSON_TYPE_NAMES.get(type(error.instance), "value"))),
            param, "invalid_type")
    if error.validator in ("oneOf", "anyOf") and error.context and not any(
            "enum" in option or "type" in option for option in error.validator_value):
        # members by $ref: describe the problem of the member whose `type` tag matched, when one did
        wrong_tag = {e.schema_path[0] for e in error.context if e.validator == "enum" and list(e.relative_path) == ["type"]}
        return _describe_schema_error(best_match([e for e in error.context if e.schema_path[0] not in wrong_tag]
                                                 or error.context))
    if error.validator in ("oneOf", "anyOf"):
        forms = [", ".join(_show(v) for v in option["enum"]) if "enum" in option else _a(option.get("type", "value"))
                 for option in error.validator_value]
        return error_body("Invalid value for %s: %s is not %s." % (where, _show(error.instance), " or ".join(forms)),
                          param, "invalid_value")
    return error_body("Invalid value for %s: %s." % (where, error.message), param, "invalid_value")
