"""The retry and deadline policy as a value, with no sockets: what it decides for each failure and
answer, how long it waits, and that it follows the configuration as it is at each call."""
from __future__ import annotations

import pytest
import urllib3
from urllib3.exceptions import NewConnectionError, ProtocolError, ReadTimeoutError

import openapi_client
from openapi_client._retry_policy import CallPolicy, RetryPolicy
from openapi_client.exceptions import ApiConnectionError, ApiTimeoutError


class Answer:
    """What urllib3's Retry reads of an answer."""

    def __init__(self, status: int, headers: dict | None = None) -> None:
        self.status, self.headers = status, urllib3.HTTPHeaderDict(headers or {})

    def get_redirect_location(self) -> bool:
        return False


def policy(retries: int = 2, timeout=None, **settings) -> CallPolicy:
    configuration = openapi_client.Configuration(access_token="sk-x", retries=retries, timeout=timeout,
                                                 retry_backoff_jitter=0.0, **settings)
    return RetryPolicy(configuration).for_call()


def test_a_retryable_answer_waits_its_retry_after_capped_and_a_final_one_ends_the_call():
    first = policy(retry_after_max=5).next_attempt()
    again = first.after_answer("POST", "/x", Answer(429, {"Retry-After": "3"}))
    assert again is not None and again[1] == 3.0 and again[0].attempts == 1
    capped = first.after_answer("POST", "/x", Answer(503, {"Retry-After": "120"}))
    assert capped is not None and capped[1] == 5.0
    assert first.after_answer("POST", "/x", Answer(200)) is None
    assert first.after_answer("POST", "/x", Answer(400)) is None   # a caller's mistake is not retried


def test_a_malformed_retry_after_means_the_backoff_which_doubles():
    current = policy(retries=3, retry_backoff_factor=0.5).next_attempt()
    waits = []
    for _ in range(3):
        current, wait = current.after_answer("POST", "/x", Answer(500, {"Retry-After": "soon"}))
        waits.append(wait)
        current = current.next_attempt()
    assert waits == [0.5, 1.0, 2.0]


def test_spent_retries_make_the_last_answer_final_and_a_failure_the_typed_error_with_its_attempts():
    spent = policy(retries=1).next_attempt()
    spent, _ = spent.after_answer("POST", "/x", Answer(502))
    spent = spent.next_attempt()
    assert spent.after_answer("POST", "/x", Answer(502)) is None
    with pytest.raises(ApiConnectionError) as refused:
        spent.after_failure("POST", "/x", NewConnectionError(None, "refused"))
    assert refused.value.attempts == 2 and not isinstance(refused.value, ApiTimeoutError)
    with pytest.raises(ApiTimeoutError):
        spent.after_failure("POST", "/x", ReadTimeoutError(None, "/x", "slow"))


def test_a_body_cut_off_counts_as_a_failed_attempt_and_waits_the_backoff():
    current = policy(retries=2, retry_backoff_factor=0.25).next_attempt()
    current, wait = current.after_failure("POST", "/x", ProtocolError("cut", None))
    assert wait == 0.25 and current.attempts == 1


def test_the_deadline_is_per_attempt_from_the_total_and_none_for_connect_read_pairs():
    assert policy(timeout=2.5).deadline(100.0) == 102.5
    assert policy(timeout=(1, 3)).deadline(100.0) is None


def test_each_call_reads_the_configuration_as_it_is_now_and_the_value_never_changes():
    configuration = openapi_client.Configuration(access_token="sk-x", retries=2, timeout=4)
    retries = RetryPolicy(configuration)
    before = retries.for_call()
    configuration.retries, configuration.timeout = 0, 9
    after = retries.for_call()
    assert (before.retry.total, before.timeout.total) == (2, 4) and (after.retry.total, after.timeout.total) == (0, 9)
    assert retries.for_call(1.5).timeout.total == 1.5   # a call's own timeout wins
    with pytest.raises(AttributeError):
        before.attempts = 5   # frozen: a decision returns a new policy
    assert before.next_attempt().attempts == 1 and before.attempts == 0


def test_a_callers_own_retry_is_marked_to_run_as_urllib3_runs_it():
    configuration = openapi_client.Configuration(access_token="sk-x", retries=urllib3.Retry(3, redirect=2))
    assert RetryPolicy(configuration).for_call().caller_retry
    assert not policy().caller_retry


def test_calls_share_one_policy_until_the_configuration_changes():
    configuration = openapi_client.Configuration(access_token="sk-x", retries=2, timeout=30.0)
    policies = RetryPolicy(configuration)
    first = policies.for_call()
    assert policies.for_call() is first and first.timeout.total == 30.0
    assert policies.for_call(2.0).timeout.total == 2.0   # a per-call timeout wins, for that call
    assert policies.for_call() is first
    configuration.timeout = 5.0
    assert policies.for_call().timeout.total == 5.0
    configuration.retries = 4
    changed = policies.for_call()
    assert changed.retry.total == 4 and changed.timeout.total == 5.0 and not changed.caller_retry
    configuration.retries = urllib3.Retry(1)
    assert policies.for_call().caller_retry and policies.for_call().retry is configuration.retries
