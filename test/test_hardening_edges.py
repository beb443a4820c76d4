"""Hardening round three, sync and async alike. Requests that must not leave as sent (items 1-4): a
path parameter that escapes its segment, a header with CR/LF/NUL, a non-ASCII key and a base URL
without a scheme are refused before anything is sent, with the same error. Answers read as sent
(item 8), error text (item 9), certificate failures (item 6), proxies (item 5) and redirects (item 7)."""
from __future__ import annotations

import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, List, Optional

import pytest
import trustme
from urllib3.util.retry import Retry

import openapi_client
from conftest import CLIENTS, GA_ANSWER, MINT, TEST_KEY, Reply, configuration, free_port


def refused(invoke, config, call, client_setup=None) -> str:
    with pytest.raises(openapi_client.ApiValueError) as caught:
        invoke(config, call, client_setup)
    return str(caught.value)


@CLIENTS
@pytest.mark.parametrize("call_id", ["..", ".", ""])
def test_a_path_parameter_that_would_leave_its_segment_is_refused(server, invoke, call_id):
    message = refused(invoke, configuration(server.base_url), lambda api: api.hangup_realtime_call(call_id))
    assert "path parameter call_id must not be %r" % call_id in message
    assert server.requests == []
    # a value that only looks odd is percent-encoded into its segment and sent
    server.script(Reply(status=200, body=None))
    invoke(configuration(server.base_url), lambda api: api.hangup_realtime_call("../x"))
    assert server.requests[-1].path == "/v1/realtime/calls/..%2Fx/hangup"


@CLIENTS
@pytest.mark.parametrize("where", ["_headers", "default header", "cookie"])
@pytest.mark.parametrize("bad", ["a\r\nX-Injected: 1", "a\nb", "a\0b"], ids=["CRLF", "LF", "NUL"])
def test_a_header_with_cr_lf_or_nul_is_refused(server, invoke, where, bad):
    setup, call = None, (lambda api: api.hangup_realtime_call("rtc_1"))
    if where == "_headers":
        call = lambda api: api.hangup_realtime_call("rtc_1", _headers={"X-Trace": bad})   # noqa: E731
    elif where == "default header":
        setup = lambda client: client.set_default_header("X-Trace", bad)   # noqa: E731
    else:
        setup = lambda client: setattr(client, "cookie", "session=" + bad)   # noqa: E731
    message = refused(invoke, configuration(server.base_url), call, setup)
    assert "has a CR, LF or NUL character" in message and bad not in message
    assert server.requests == []


@CLIENTS
def test_a_callers_headers_dict_is_sent_but_left_as_given(server, invoke):
    """_headers is read, never written: the operation's Accept, the client's User-Agent and cookie go on
    the wire only, so a dict reused for the next call carries nothing of this one."""
    extra = {"X-Trace": "t-1"}
    setup = lambda client: setattr(client, "cookie", "session=private")   # noqa: E731
    server.script(Reply(body=GA_ANSWER))
    invoke(configuration(server.base_url), lambda api: api.create_realtime_client_secret(
        openapi_client.RealtimeCreateClientSecretRequest(), _headers=extra), setup)
    server.script(Reply(status=200, body=None))
    invoke(configuration(server.base_url), lambda api: api.hangup_realtime_call("rtc_1", _headers=extra))
    assert extra == {"X-Trace": "t-1"}
    minted, hung_up = server.requests
    assert minted.headers["X-Trace"] == "t-1" and minted.headers["Cookie"] == "session=private"
    assert minted.headers["Content-Type"] == "application/json" and minted.headers["Accept"] == "application/json"
    assert hung_up.headers["X-Trace"] == "t-1"
    assert "Cookie" not in hung_up.headers and "Content-Type" not in hung_up.headers


def test_header_texts_seen_safe_do_not_let_an_unsafe_one_through():
    from openapi_client import _http_checks
    _http_checks.check_header_fields({"X-Trace": "abc", "Accept": "application/json"})   # now known safe
    for headers in ({"X-Trace": "abc\r\nX-Injected: 1"}, {"X-Trace\n": "abc"}, {"Accept": "application/json", "X\0": "abc"}):
        with pytest.raises(openapi_client.ApiValueError, match="CR, LF or NUL"):
            _http_checks.check_header_fields(headers)
    _http_checks.check_header_fields({"X-Count": 3, "X-List": ["a", "b"]})   # not text: checked each time, no error
    for index in range(3 * _http_checks._SAFE_HEADER_TEXTS_MAX):   # values that vary per call keep the set bounded
        _http_checks.check_header_fields({"Idempotency-Key": "key-%d" % index})
    assert len(_http_checks._SAFE_HEADER_TEXTS) <= _http_checks._SAFE_HEADER_TEXTS_MAX


@CLIENTS
@pytest.mark.parametrize("key", ["sk-é-secret-123", "sk-\u2028-secret-123", "sk-\u00a0secret-123", "sk-секрет-123"])
def test_a_non_ascii_api_key_is_refused_without_showing_it(server, invoke, key):
    with pytest.raises(openapi_client.ApiValueError) as caught:
        invoke(configuration(server.base_url, access_token=key), lambda api: api.hangup_realtime_call("rtc_1"))
    assert "non-ASCII character at position 3" in str(caught.value)
    assert "secret" not in str(caught.value) and "secret" not in repr(caught.value)
    assert server.requests == []


@CLIENTS
def test_a_base_url_without_a_scheme_is_the_same_clear_error_at_once(server, invoke, recwarn):
    host = server.base_url.replace("http://", "")   # 127.0.0.1:PORT/v1
    message = refused(invoke, configuration(host, retries=3), lambda api: api.hangup_realtime_call("rtc_1"))
    assert "must start with http:// or https://" in message and repr(host.split("/")[0]) in message
    assert server.requests == [] and not [w for w in recwarn if issubclass(w.category, FutureWarning)]


# ------------------------------------------------------------------ answers read as sent (item 8), error text (item 9)



@CLIENTS
def test_a_quoted_charset_is_honoured(server, invoke):
    answer = dict(GA_ANSWER, session=dict(GA_ANSWER["session"], instructions="Café, über alles"))
    server.script(Reply(body=json.dumps(answer, ensure_ascii=False).encode("latin-1"), contract=False,
                        headers={"Content-Type": 'application/json; charset="ISO-8859-1"'}))
    minted = invoke(configuration(server.base_url), MINT)
    assert minted.session.instructions == "Café, über alles"


@CLIENTS
@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8", "text/plain"])
def test_a_utf8_byte_order_mark_before_json_is_ignored(server, invoke, content_type):
    server.script(Reply(body=b"\xef\xbb\xbf" + json.dumps(GA_ANSWER).encode(), contract=False,
                        headers={"Content-Type": content_type}))
    if content_type == "text/plain":   # not JSON by its type: still a typed error, never a raw one
        with pytest.raises(openapi_client.ApiResponseValidationError):
            invoke(configuration(server.base_url), MINT)
        return
    assert invoke(configuration(server.base_url), MINT).value == GA_ANSWER["value"]


@CLIENTS
def test_a_huge_error_message_is_bounded_and_keeps_the_request_id(server, invoke):
    message = "x" * 2_000_000
    server.script(Reply(status=400, body={"error": {"message": message, "type": "invalid_request_error"}},
                        headers={"x-request-id": "req_huge"}))
    with pytest.raises(openapi_client.BadRequestException) as caught:
        invoke(configuration(server.base_url), MINT)
    text = str(caught.value)
    assert len(text) < 2200 and text.endswith("[request id: req_huge]") and "1998000 more characters" in text
    assert caught.value.error.message == message and len(caught.value.body) > 2_000_000   # nothing is lost


@CLIENTS
def test_a_404_invalid_url_hints_at_a_missing_v1(invoke):
    from local_server import LocalRealtimeServer
    with LocalRealtimeServer() as srv:
        without_v1 = srv.base_url[: -len("/v1")]
        with pytest.raises(openapi_client.NotFoundException) as caught:
            invoke(configuration(without_v1), MINT)
        assert "is /v1 missing from the base URL?" in str(caught.value)
        with pytest.raises(openapi_client.NotFoundException) as other:   # a wrong call id is no URL problem
            invoke(configuration(srv.base_url), lambda api: api.hangup_realtime_call("rtc_unknown"))
        assert "/v1" not in str(other.value)


@CLIENTS
def test_connection_refused_reads_the_same_in_both_clients(invoke):
    with pytest.raises(openapi_client.ApiConnectionError) as caught:
        invoke(configuration("http://127.0.0.1:%d/v1" % free_port()), MINT)
    text = str(caught.value)
    assert text.startswith("connection failed (1 attempt): ") and "None:" not in text
    assert "refused" in text.lower()


# ------------------------------------------------------------------ certificate failures (item 6)

@pytest.fixture(scope="module")
def untrusted_tls_server():
    """An HTTPS server on 127.0.0.1 whose certificate comes from a CA nobody trusts."""
    authority = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    seen: List[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            seen.append(self.path)
            self.send_response(200)
            self.end_headers()

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True, do_handshake_on_connect=False)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    handshakes: List[int] = []
    original = httpd.get_request

    def counting_get_request():   # each TLS handshake attempt is one accepted connection
        handshakes.append(1)
        return original()
    httpd.get_request = counting_get_request   # type: ignore[method-assign]
    yield "https://127.0.0.1:%d/v1" % httpd.server_address[1], handshakes, seen
    httpd.shutdown()
    httpd.server_close()


@CLIENTS
def test_a_certificate_failure_is_reported_as_such_and_not_retried(untrusted_tls_server, invoke):
    base_url, handshakes, seen = untrusted_tls_server
    handshakes.clear()
    with pytest.raises(openapi_client.ApiConnectionError) as caught:
        invoke(configuration(base_url, retries=3, retry_backoff_factor=0.01), MINT)
    text = str(caught.value)
    assert "(1 attempt)" in text and "CERTIFICATE_VERIFY_FAILED" in text and "refused" not in text
    assert caught.value.attempts == 1 and len(handshakes) == 1 and seen == []


# ------------------------------------------------------------------ proxies (item 5)

@pytest.fixture
def proxy():
    """A second scripted server standing in for an HTTP proxy: it records what reaches it."""
    from conftest import ScriptedServer
    srv = ScriptedServer()
    srv.script(Reply(status=200, body=None))
    yield srv
    srv.close()


def proxy_env(monkeypatch, proxy_url: str, no_proxy: Optional[str]) -> None:
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", proxy_url)
    if no_proxy is not None:
        monkeypatch.setenv("NO_PROXY", no_proxy)


HANG_UP = lambda api: api.hangup_realtime_call("rtc_1")   # noqa: E731


@CLIENTS
@pytest.mark.parametrize("source", ["environment", "configuration"])
def test_no_proxy_sends_a_loopback_call_straight_to_the_host(server, proxy, invoke, source, monkeypatch):
    server.script(Reply(status=200, body=None))
    proxy_url = proxy.base_url.rsplit("/v1", 1)[0]
    if source == "environment":
        proxy_env(monkeypatch, proxy_url, "localhost,127.0.0.1")
        config = configuration(server.base_url)
    else:
        proxy_env(monkeypatch, proxy_url, None)   # the explicit setting wins over an environment without NO_PROXY
        config = configuration(server.base_url, proxy=proxy_url, no_proxy="127.0.0.0/8")
    invoke(config, HANG_UP)
    assert [seen.path for seen in server.requests] == ["/v1/realtime/calls/rtc_1/hangup"]
    assert proxy.requests == []   # the Authorization header never reached the proxy


@CLIENTS
def test_without_no_proxy_the_call_goes_through_the_proxy(server, proxy, invoke, monkeypatch):
    proxy_env(monkeypatch, proxy.base_url.rsplit("/v1", 1)[0], None)
    invoke(configuration(server.base_url), HANG_UP)
    assert server.requests == []
    assert [seen.path for seen in proxy.requests] == [server.base_url + "/realtime/calls/rtc_1/hangup"]


# ------------------------------------------------------------------ redirects (item 7)

def redirect_then_ok(status: int, location: Callable[[], str]) -> Callable[[Any], Reply]:
    """The first request is redirected to `location()`, any later one answered 200."""
    def reply(seen: Any) -> Reply:
        if seen.path.endswith("/rtc_1/hangup"):
            return Reply(status=status, body=None, headers={"Location": location()})
        return Reply(status=200, body=None)
    return reply


@CLIENTS
def test_by_default_a_redirect_is_an_answer_in_both_clients(server, invoke):
    server.script(redirect_then_ok(307, lambda: "/v1/realtime/calls/rtc_2/hangup"))
    with pytest.raises(openapi_client.ApiException) as caught:
        invoke(configuration(server.base_url), HANG_UP)
    assert caught.value.status == 307 and len(server.requests) == 1


@CLIENTS
@pytest.mark.parametrize("status", [307, 308, 303])
def test_a_callers_retry_follows_a_same_origin_redirect_with_its_credentials(server, invoke, status):
    server.script(redirect_then_ok(status, lambda: "/v1/realtime/calls/rtc_2/hangup"))
    invoke(configuration(server.base_url, retries=Retry(total=3, redirect=2)), HANG_UP)
    first, second = server.requests
    assert second.path == "/v1/realtime/calls/rtc_2/hangup"
    assert second.method == ("GET" if status == 303 else "POST")   # RFC 9110: 303 turns into a GET
    assert second.headers.get("Authorization") == "Bearer " + TEST_KEY


@CLIENTS
def test_a_cross_origin_hop_drops_the_authorization_header(server, proxy, invoke):
    elsewhere = proxy   # another origin: another port on 127.0.0.1
    server.script(redirect_then_ok(307, lambda: elsewhere.base_url + "/realtime/calls/rtc_2/hangup"))
    invoke(configuration(server.base_url, retries=Retry(total=3, redirect=2)), HANG_UP)
    assert server.requests[0].headers["Authorization"] == "Bearer " + TEST_KEY
    (hop,) = elsewhere.requests
    assert hop.path == "/v1/realtime/calls/rtc_2/hangup" and "Authorization" not in hop.headers


@CLIENTS
def test_redirects_past_the_callers_limit_end_as_the_retry_says(server, invoke):
    server.script(Reply(status=302, body=None, headers={"Location": "/v1/realtime/calls/rtc_1/hangup"}))
    with pytest.raises(openapi_client.ApiException) as caught:   # raise_on_redirect=False: the last 302 is the answer
        invoke(configuration(server.base_url, retries=Retry(total=5, redirect=2, raise_on_redirect=False)), HANG_UP)
    assert caught.value.status == 302 and len(server.requests) == 3
