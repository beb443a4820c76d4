"""The retry and deadline policy of a call, as a value.

`CallPolicy` is frozen: it decides whether an attempt that failed, or an answer that came back,
calls for another attempt, how long to wait first (the answer's Retry-After, capped, or the
backoff), and by when an attempt must be complete, body included. urllib3's `Retry` inside it is
immutable too: each decision returns a new policy. The sync and the async transport each run one
short loop that sends, asks the policy and waits what it says; neither decides anything itself.

Hand-written (listed in .openapi-generator-ignore): the same for every spec."""
import functools
import random
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, FrozenSet, Optional, Tuple

import urllib3
from urllib3.exceptions import InvalidHeader, MaxRetryError
from urllib3.util.retry import Retry

from openapi_client.exceptions import ApiConnectionError, ApiTimeoutError, ApiValueError

if TYPE_CHECKING:
    from openapi_client.configuration import Configuration

# Statuses worth another attempt: timeouts, lock conflicts, rate limits, server errors.
RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})
# One attempt for urllib3 (errors raised as they are): the SDK's loop owns the retries. Built once.
SINGLE_ATTEMPT = Retry(total=False, redirect=False, raise_on_redirect=False, raise_on_status=False)


class SessionRetry(Retry):
    """urllib3 Retry whose exponential backoff (with jitter) starts at the first
    retry; urllib3's own waits 0 s before it. Retry-After is honoured, capped by
    urllib3's retry_after_max."""

    def get_backoff_time(self) -> float:
        attempts = len(self.history)
        if attempts == 0:
            return 0.0
        backoff = self.backoff_factor * (2 ** (attempts - 1))
        if self.backoff_jitter:
            backoff += random.uniform(0, self.backoff_jitter)
        return float(max(0.0, min(self.backoff_max, backoff)))

    def get_retry_after(self, response: urllib3.BaseHTTPResponse) -> Optional[float]:
        """Retry-After in seconds; a malformed one ("1.5", "soon", "-1") means the backoff instead."""
        try:
            return super().get_retry_after(response)
        except InvalidHeader:
            return None


def build_retry(configuration: "Configuration") -> Retry:
    """The urllib3 Retry for a Configuration: an int count, or a Retry used as is."""
    retries = configuration.retries
    if isinstance(retries, Retry):
        return retries
    count = 0 if retries is None else int(retries)
    return SessionRetry(
        total=count,
        connect=count,
        read=count,
        status=count,
        other=0,
        redirect=False,
        allowed_methods=None,  # POST too: minting a session twice is harmless
        status_forcelist=RETRY_STATUSES,
        backoff_factor=configuration.retry_backoff_factor,
        backoff_max=configuration.retry_backoff_max,
        backoff_jitter=configuration.retry_backoff_jitter,
        respect_retry_after_header=True,
        retry_after_max=int(configuration.retry_after_max),
        raise_on_status=False,  # the last response is returned and raised as a typed ApiException
        raise_on_redirect=False,
    )


def as_timeout(value: Any) -> Optional[urllib3.Timeout]:
    """A urllib3 Timeout from seconds, a (connect, read) tuple, or a Timeout."""
    if value is None or isinstance(value, urllib3.Timeout):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return urllib3.Timeout(total=value)
    if isinstance(value, tuple) and len(value) == 2:
        return urllib3.Timeout(connect=value[0], read=value[1])
    raise ApiValueError("timeout must be seconds, a (connect, read) tuple or urllib3.Timeout, not %r" % (value,))


def connection_error(error: Exception, attempts: Optional[int] = 1) -> ApiConnectionError:
    """The typed exception for a urllib3 failure (MaxRetryError unwrapped to its reason)."""
    cause = error.reason if isinstance(error, MaxRetryError) and error.reason else error
    tried = "after a caller's urllib3 Retry" if attempts is None else "%d attempt%s" % (attempts, "" if attempts == 1 else "s")
    # NewConnectionError subclasses ConnectTimeoutError in urllib3, yet it is a refusal, not a timeout.
    timed_out = isinstance(cause, (urllib3.exceptions.TimeoutError, TimeoutError))
    if timed_out and not isinstance(cause, urllib3.exceptions.NewConnectionError):
        result: ApiConnectionError = ApiTimeoutError("request timed out (%s): %s" % (tried, cause))
    else:
        result = ApiConnectionError("connection failed (%s): %s" % (tried, cause))
    if attempts is not None:
        result.attempts = attempts
    result.__cause__ = cause
    return result


def retry_wait(retry: Retry, response: Any = None) -> float:
    """Seconds to wait before the next attempt: the answer's Retry-After (capped), else the backoff."""
    if response is not None and retry.respect_retry_after_header:
        after = retry.get_retry_after(response)
        if after is not None:
            cap = getattr(retry, "retry_after_max", None)
            return float(after if cap is None else min(after, cap))
    return retry.get_backoff_time()


def next_retry(retry: Retry, method: str, url: str, attempts: int, error: Exception) -> Retry:
    """The Retry after a failed attempt, or the typed error once none is left."""
    try:
        return retry.increment(method, url, error=error)
    except (MaxRetryError, urllib3.exceptions.HTTPError, OSError) as spent:   # Retry(total=False) re-raises
        raise connection_error(spent, attempts) from error


@dataclass(frozen=True)
class CallPolicy:
    """One call's retries and deadline. `caller_retry`: the configuration's retries is a caller's own
    urllib3 Retry, which urllib3 then runs as is (redirects too) instead of this policy's loop."""

    retry: Retry
    timeout: Optional[urllib3.Timeout]
    caller_retry: bool = False
    attempts: int = 0

    @functools.cached_property
    def retryable_statuses(self) -> FrozenSet[int]:
        """The statuses after_answer may retry on; an answer with any other is final."""
        return frozenset(self.retry.status_forcelist or ()) | self.retry.RETRY_AFTER_STATUS_CODES

    def next_attempt(self) -> "CallPolicy":
        following: Optional[CallPolicy] = self.__dict__.get("_next")
        if following is None:   # made once: calls that share a policy share their first attempt's too
            following = CallPolicy(self.retry, self.timeout, self.caller_retry, self.attempts + 1)
            object.__setattr__(self, "_next", following)
        return following

    def deadline(self, started: float) -> Optional[float]:
        """When an attempt begun at `started` (time.monotonic()) must be complete, body included."""
        total = getattr(self.timeout, "total", None)
        return None if total is None else started + total

    def after_failure(self, method: str, url: str, error: Exception) -> Tuple["CallPolicy", float]:
        """A connection failure, a timeout or a body cut off: the policy for the next attempt and the
        seconds to wait first; the typed error (with the attempts) once retries are spent."""
        retry = next_retry(self.retry, method, url, self.attempts, error)
        return replace(self, retry=retry), retry_wait(retry)

    def after_answer(self, method: str, url: str, answer: Any) -> Optional[Tuple["CallPolicy", float]]:
        """An answer with a status worth retrying (429, 5xx, ...): the next policy and the wait (its
        Retry-After, capped, or the backoff); None when the answer is final, retries spent included."""
        status = answer.status
        retry = self.retry
        if status not in self.retryable_statuses:
            return None   # what is_retry answers for every other status, without reading the headers
        if not retry.is_retry(method, status, has_retry_after="Retry-After" in answer.headers):
            return None
        try:
            retry = retry.increment(method, url, response=answer)
        except MaxRetryError:
            return None   # the last answer is the result (raised typed by the API layer)
        return replace(self, retry=retry), retry_wait(retry, answer)


class RetryPolicy:
    """Builds each call's CallPolicy from the configuration as it is now, so retries, backoff and
    timeout changed on a live client take effect; the urllib3 Retry is rebuilt only when they change."""

    def __init__(self, configuration: "Configuration") -> None:
        self.configuration = configuration
        self._settings: Optional[Tuple[Any, ...]] = None
        self._retry: Retry = Retry(0)
        # (timeout as configured, retry, its CallPolicy): a policy is frozen, so calls share it until either changes
        self._last: Optional[Tuple[Any, Retry, CallPolicy]] = None

    def __call__(self) -> Retry:
        c = self.configuration
        settings = (c.retries, c.retry_backoff_factor, c.retry_backoff_max, c.retry_backoff_jitter, c.retry_after_max)
        if settings != self._settings:
            self._retry, self._settings = build_retry(c), settings
        return self._retry

    def for_call(self, request_timeout: Any = None) -> CallPolicy:
        """The policy of one call: a per-call timeout (`_request_timeout`) wins over the configuration's."""
        retry = self()
        chosen = request_timeout if request_timeout else self.configuration.timeout
        last = self._last
        if not request_timeout and last is not None and last[0] is chosen and last[1] is retry:
            return last[2]
        policy = CallPolicy(retry, as_timeout(chosen), isinstance(self.configuration.retries, Retry))
        if not request_timeout:   # a per-call timeout is that call's alone
            self._last = (chosen, retry, policy)
        return policy
