"""Secrets out of logs, errors and reprs: API keys, minted client secrets, bearer tokens.

Hand-written (listed in .openapi-generator-ignore): the same for every spec."""

import json
import re
from typing import Any, Dict, List, Mapping, Optional, Tuple

REDACTED = "[redacted]"


SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie", "api-key", "openai-api-key"})


SECRET_KEYS = frozenset({"client_secret", "api_key", "apikey", "access_token", "authorization", "password", "secret"})


# Bearer tokens, OpenAI API keys (sk-...) and minted ephemeral keys (ek_...).
_SECRET_PATTERN = re.compile(r"(?i)(bearer\s+)[^\s\"',]+|\b(?:sk|ek)[-_][A-Za-z0-9_\-]{4,}")


def redact_headers(headers: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
    return {k: (REDACTED if k.lower() in SECRET_HEADERS else v) for k, v in (headers or {}).items()}


def _redact_structure(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: (REDACTED if k.lower() in SECRET_KEYS and isinstance(v, str)
                    else {**_redact_structure(v), "value": REDACTED}
                    if k == "client_secret" and isinstance(v, dict) and "value" in v
                    else _redact_structure(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact_structure(v) for v in value]
    if isinstance(value, str):
        return redact_text(value)
    return value


def redacted_repr_args(args: Any) -> List[Tuple[Optional[str], Any]]:
    """A model's repr and str fields with secrets replaced: a printed or logged model never shows a key."""
    return [(name, REDACTED if isinstance(value, str) and (name or "").lower() in SECRET_KEYS
             else _redact_structure(value) if isinstance(value, (str, dict, list)) else value)
            for name, value in args]


def redact_text(text: str) -> str:
    return _SECRET_PATTERN.sub(lambda m: (m.group(1) or "") + REDACTED, text)


def redact_body(body: Any) -> str:
    """A body (bytes, str or JSON-ready data) as text with secrets replaced."""
    if body is None:
        return ""
    if isinstance(body, (bytes, bytearray)):
        body = body.decode("utf-8", "replace")
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except (ValueError, RecursionError):
            return redact_text(body)
    try:
        return json.dumps(_redact_structure(body))
    except RecursionError:   # nested deeper than Python recurses: never shown unredacted
        return "<body nested too deeply to show>"
