"""The helpers generated code imports, gathered from the modules that hold them, one concern each:

- `_leniency`: strict for what a caller builds, lenient for what a server sent (enum checks);
- `_wire`: JSON conversion (to_dict in one pass, the validation options for JSON input);
- `_unknown_fields`: unknown fields kept from a server, refused from a caller with the closest name;
- `_unions`: oneOf/anyOf as pydantic models (ComposedModel), UnknownEvent;
- `_redaction`: secrets out of logs, errors and reprs;
- `_http_checks`: requests refused before sending, response headers;
- `_operations`: API methods checked by validate_call, built on first call.

Hand-written (listed in .openapi-generator-ignore): the same for every spec, so plain Python that
editors, ruff and mypy read as source. Generated models and the client import from here."""

from openapi_client._leniency import (  # noqa: F401
    _parsing_server_response as _parsing_server_response,
    parsing_server_response as parsing_server_response,
    check_enum as check_enum,
    _short as _short,
    EnumCheck as EnumCheck,
)
from openapi_client._wire import (  # noqa: F401
    ModelT as ModelT,
    JSON_SCALARS as JSON_SCALARS,
    to_wire as to_wire,
    _list_to_wire as _list_to_wire,
    _dict_to_wire as _dict_to_wire,
    _unchanged as _unchanged,
    _wire_converter as _wire_converter,
    _WIRE_CONVERTERS as _WIRE_CONVERTERS,
    WIRE as WIRE,
    WIRE_OPTIONS as WIRE_OPTIONS,
    construct_validated as construct_validated,
    parse_nested as parse_nested,
)
from openapi_client._unknown_fields import (  # noqa: F401
    _json_key_named_additional_properties as _json_key_named_additional_properties,
    AdditionalProperties as AdditionalProperties,
    move_unknown_fields as move_unknown_fields,
    _models_in as _models_in,
    _expanded as _expanded,
    field_annotations as field_annotations,
    _closest_known_name as _closest_known_name,
    unknown_fields_explained as unknown_fields_explained,
)
from openapi_client._unions import (  # noqa: F401
    enum_values as enum_values,
    PRIMITIVE_MEMBERS as PRIMITIVE_MEMBERS,
    _CONTAINER_MEMBER as _CONTAINER_MEMBER,
    primitive_member as primitive_member,
    _building_own_schema as _building_own_schema,
    ComposedModel as ComposedModel,
    UnknownEvent as UnknownEvent,
)
from openapi_client._redaction import (  # noqa: F401
    REDACTED as REDACTED,
    SECRET_HEADERS as SECRET_HEADERS,
    SECRET_KEYS as SECRET_KEYS,
    _SECRET_PATTERN as _SECRET_PATTERN,
    redact_headers as redact_headers,
    _redact_structure as _redact_structure,
    redacted_repr_args as redacted_repr_args,
    redact_text as redact_text,
    redact_body as redact_body,
)
from openapi_client._http_checks import (  # noqa: F401
    _UNSAFE_HEADER_CHARACTERS as _UNSAFE_HEADER_CHARACTERS,
    _refuse as _refuse,
    check_path_segment as check_path_segment,
    check_header_fields as check_header_fields,
    check_base_url as check_base_url,
    ResponseHeaders as ResponseHeaders,
)
from openapi_client._operations import (  # noqa: F401
    _Operation as _Operation,
    _CALL_CONFIG as _CALL_CONFIG,
    _annotation_names as _annotation_names,
    models_named_here as models_named_here,
    operation as operation,
)
