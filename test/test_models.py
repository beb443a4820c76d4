"""Serialization of every generated model: golden JSON written here by hand, round
trips, optional and null fields, unknown fields, and the oneOf token limit."""
from __future__ import annotations

import datetime
import decimal
import enum
import json
import uuid

import pytest
from pydantic import BaseModel, SecretStr
from hypothesis import HealthCheck, given, settings
from hypothesis_jsonschema import from_schema

import openapi_client
from openapi_client._runtime import parsing_server_response
from conftest import EXAMPLE_RESPONSE, FULL_SESSION_REQUEST, json_schema, full_session_request

M = openapi_client


def test_request_built_field_by_field_gives_the_golden_json():
    request = M.RealtimeSessionCreateRequest(
        client_secret=M.RealtimeSessionCreateRequestClientSecret(
            expires_after=M.RealtimeSessionCreateRequestClientSecretExpiresAfter(anchor="created_at", seconds=120)),
        modalities=["text"], model="gpt-realtime", instructions="You are a friendly assistant.", voice="marin",
        input_audio_format="pcm16", output_audio_format="pcm16",
        input_audio_transcription=M.RealtimeSessionCreateRequestInputAudioTranscription(
            model="gpt-4o-transcribe", language="en", prompt="expect tech words"),
        input_audio_noise_reduction=M.RealtimeSessionCreateRequestInputAudioNoiseReduction(type="near_field"),
        turn_detection=M.RealtimeSessionCreateRequestTurnDetection(
            type="server_vad", threshold=0.5, prefix_padding_ms=300, silence_duration_ms=500, create_response=True,
            interrupt_response=True),
        tools=[M.RealtimeSessionCreateRequestToolsInner(
            type="function", name="get_weather", description="Weather for a city",
            parameters={"type": "object", "properties": {"city": {"type": "string"}}})],
        tool_choice="auto", temperature=0.8, max_response_output_tokens="inf", speed=1.1,
        tracing=M.RealtimeSessionCreateRequestTracingOneOf(workflow_name="support", group_id="g1", metadata={"tier": "gold"}))
    assert request.to_dict() == FULL_SESSION_REQUEST
    assert json.loads(request.to_json()) == FULL_SESSION_REQUEST
    assert M.RealtimeSessionCreateRequest.from_json(request.to_json()) == request


def test_golden_json_text_of_a_small_request():
    request = M.RealtimeSessionCreateRequest(voice="verse", temperature=0.6, max_response_output_tokens=4096)
    assert request.to_json() == '{"voice": "verse", "temperature": 0.6, "max_response_output_tokens": 4096}'


def test_optional_fields_left_out_are_not_sent():
    assert M.RealtimeSessionCreateRequest().to_dict() == {}
    assert M.RealtimeSessionCreateRequestTurnDetection(type="server_vad").to_dict() == {"type": "server_vad"}


def test_null_turns_features_off_in_a_request_and_none_leaves_a_field_out():
    request = M.RealtimeSessionCreateRequest(turn_detection=None, input_audio_transcription=None,
                                             max_response_output_tokens=None, voice=None)
    assert request.to_dict() == {"turn_detection": None, "input_audio_transcription": None}


@pytest.mark.parametrize("value", [1, 4096, "inf"])
def test_max_response_output_tokens_takes_an_int_or_inf_as_a_bare_value(value):
    request = M.RealtimeSessionCreateRequest(max_response_output_tokens=value)
    assert request.max_response_output_tokens == value
    assert request.to_dict() == {"max_response_output_tokens": value}
    assert M.RealtimeSessionCreateRequest.from_dict({"max_response_output_tokens": value}).max_response_output_tokens == value
    wrapped = M.RealtimeSessionCreateRequestMaxResponseOutputTokens(value)  # the stock wrapper still works
    assert M.RealtimeSessionCreateRequest(max_response_output_tokens=wrapped).to_dict() == {"max_response_output_tokens": value}


@pytest.mark.parametrize("value", ["infinite", "", 2.0, True, [], {}])
def test_max_response_output_tokens_refuses_anything_else(value):
    with pytest.raises(ValueError):
        M.RealtimeSessionCreateRequest(max_response_output_tokens=value)


@pytest.mark.parametrize("field, bad", [("modalities", ["txt"]), ("input_audio_format", "mp3"),
                                        ("output_audio_format", "wav"), ("temperature", 3.14), ("speed", 4)])
def test_request_enums_are_strict_on_construction_assignment_and_from_dict(field, bad):
    with pytest.raises(ValueError, match=field):
        M.RealtimeSessionCreateRequest(**{field: bad})
    with pytest.raises(ValueError):
        M.RealtimeSessionCreateRequest.from_dict({field: bad})
    request = M.RealtimeSessionCreateRequest()
    with pytest.raises(ValueError):
        setattr(request, field, bad)


def test_shared_inline_models_are_strict_when_built_and_lenient_when_parsed_from_a_server():
    with pytest.raises(ValueError):
        M.RealtimeSessionCreateRequestToolsInner(type="web_search")
    with parsing_server_response():
        tool = M.RealtimeSessionCreateRequestToolsInner.from_dict({"type": "web_search", "name": "n"})
    assert tool.type == "web_search" and tool.to_dict() == {"type": "web_search", "name": "n"}


def test_unknown_fields_survive_a_round_trip_in_every_model():
    request = M.RealtimeSessionCreateRequest.from_dict({"voice": "ash", "pitch": 1.5})
    assert request.additional_properties == {"pitch": 1.5}
    assert request.to_dict() == {"voice": "ash", "pitch": 1.5}
    sent = M.RealtimeSessionCreateRequest(voice="ash")
    sent.additional_properties["pitch"] = 1.2  # fields the spec does not know can still be sent
    assert sent.to_dict() == {"voice": "ash", "pitch": 1.2}
    for model, data in [
        (M.RealtimeSessionCreateRequestInputAudioTranscription, {"model": "whisper-1", "dialect": "en-GB"}),
        (M.RealtimeSessionCreateRequestTurnDetection, {"type": "server_vad", "pitch": "low"}),
        (M.RealtimeSessionCreateRequestToolsInner, {"type": "function", "name": "f", "strict": True}),
        (M.RealtimeSessionCreateResponseClientSecret, {"value": "ek_1", "expires_at": 5, "scope": "x"}),
        (M.RealtimeSessionCreateResponseTurnDetection, {"type": "server_vad", "threshold": 0.5, "x": None}),
    ]:
        assert model.from_dict(data).to_dict() == data
        assert model.from_json(json.dumps(data)).to_json() == json.dumps(data)


def test_response_example_round_trips_exactly_with_turn_detection_null():
    response = M.RealtimeSessionCreateResponse.from_dict(EXAMPLE_RESPONSE)
    assert response.turn_detection is None and "turn_detection" in response.to_dict()
    assert response.to_dict() == EXAMPLE_RESPONSE
    assert M.RealtimeSessionCreateResponse.from_json(response.to_json()).to_dict() == EXAMPLE_RESPONSE


def test_response_without_nullable_fields_does_not_gain_nulls():
    data = {"client_secret": {"value": "ek_2", "expires_at": 9}}
    assert M.RealtimeSessionCreateResponse.from_dict(data).to_dict() == data


def test_response_turn_detection_fields():
    data = {"type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300, "silence_duration_ms": 500}
    detection = M.RealtimeSessionCreateResponseTurnDetection.from_dict(data)
    assert (detection.type, detection.threshold, detection.prefix_padding_ms, detection.silence_duration_ms) == (
        "server_vad", 0.5, 300, 500)
    assert detection.to_dict() == data


def test_request_turn_detection_create_response_default_is_not_sent_unless_set():
    assert M.RealtimeSessionCreateRequestTurnDetection(create_response=False).to_dict() == {"create_response": False}
    assert M.RealtimeSessionCreateRequestTurnDetection().create_response is True
    assert M.RealtimeSessionCreateRequestTurnDetection().to_dict() == {}


def test_a_json_null_in_a_non_nullable_field_with_a_default_means_the_default():
    parsed = M.RealtimeSessionCreateRequestTurnDetection.from_json('{"create_response": null, "threshold": 0.5}')
    assert parsed.create_response is True and parsed.threshold == 0.5
    nested = M.RealtimeSessionCreateRequest.from_dict({"turn_detection": {"create_response": None}})
    assert nested.turn_detection.create_response is True


def test_unknown_keys_are_kept_only_from_json_and_an_unknown_attribute_is_still_refused():
    parsed = M.RealtimeSessionCreateRequestToolsInner.from_json('{"name": "f", "strict": true}')
    assert parsed.additional_properties == {"strict": True}
    assert parsed.model_fields_set == {"name", "additional_properties"}
    assert not hasattr(parsed, "strict")
    with pytest.raises(ValueError):
        parsed.strictt = False
    assert M.RealtimeSessionCreateRequestToolsInner(name="f").additional_properties == {}
    # a JSON key that happens to be called additional_properties is data too, and round-trips
    odd = '{"name": "f", "additional_properties": 5, "x": [1]}'
    parsed = M.RealtimeSessionCreateRequestToolsInner.from_json(odd)
    assert parsed.additional_properties == {"additional_properties": 5, "x": [1]}
    assert parsed.to_dict() == json.loads(odd)


class Speed(enum.Enum):
    FAST = "fast"


class Label(str):
    pass


def test_extra_fields_of_any_python_type_are_sent_as_json_values():
    tool = M.RealtimeSessionCreateRequestToolsInner(name="f")
    tool.additional_properties.update({
        "when": datetime.datetime(2025, 1, 31, 12, 0, tzinfo=datetime.timezone.utc), "day": datetime.date(2025, 1, 31),
        "price": decimal.Decimal("0.10"), "id": uuid.UUID(int=1), "key": SecretStr("s"), "speed": Speed.FAST,
        "pair": (1, Label("a")), "nested": {"list": [Speed.FAST, {"n": decimal.Decimal("2")}]},
        "inner": M.RealtimeSessionCreateRequestInputAudioTranscription(model="whisper-1"),
    })
    request = M.RealtimeSessionCreateRequest(tools=[tool])
    expected_tool = {
        "name": "f", "when": "2025-01-31T12:00:00+00:00", "day": "2025-01-31", "price": "0.10",
        "id": "00000000-0000-0000-0000-000000000001", "key": "s", "speed": "fast", "pair": (1, "a"),
        "nested": {"list": ["fast", {"n": "2"}]}, "inner": {"model": "whisper-1"},
    }
    assert request.to_dict() == {"tools": [expected_tool]}
    assert json.loads(request.to_json())["tools"][0]["pair"] == [1, "a"]


def test_wrong_types_are_refused():
    with pytest.raises(ValueError):
        M.RealtimeSessionCreateRequest(temperature="hot")
    with pytest.raises(ValueError):
        M.RealtimeSessionCreateRequestTurnDetection(prefix_padding_ms="300")
    with pytest.raises(ValueError):
        M.RealtimeSessionCreateResponseClientSecret(expires_at="soon")


def test_full_session_request_helper_matches_the_golden_json():
    assert full_session_request().to_dict() == FULL_SESSION_REQUEST


# ------------------------------------------------------------ property tests

PROPERTY_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(from_schema(json_schema("RealtimeSessionCreateRequest")))
def test_any_schema_valid_request_body_survives_model_to_json_unchanged(body):
    body = json.loads(json.dumps(body))
    request = M.RealtimeSessionCreateRequest.from_dict(body)
    assert json.loads(request.to_json()) == body


@PROPERTY_SETTINGS
@given(from_schema(json_schema("RealtimeSessionCreateResponse")))
def test_any_schema_valid_response_body_parses_and_reserializes_the_same(body):
    body = json.loads(json.dumps(body))
    with parsing_server_response():
        response = M.RealtimeSessionCreateResponse.from_dict(body)
    assert json.loads(response.to_json()) == body


# ------------------------------------------------------------ every model, every union

from conftest import SPEC  # noqa: E402
from openapi_client._runtime import ComposedModel  # noqa: E402

COMPONENT_MODELS = sorted(name for name in SPEC["components"]["schemas"]
                          if isinstance(getattr(M, name, None), type) and issubclass(getattr(M, name), BaseModel)
                          # building a strategy for its map of content unions takes 40 s: tested by hand below
                          and name != "Prompt")


def test_prompt_with_every_kind_of_variable_round_trips():
    prompt = {"id": "pmpt_1", "version": "2", "variables": {
        "city": "Lyon",
        "note": {"type": "input_text", "text": "hello"},
        "photo": {"type": "input_image", "image_url": "https://example.com/a.png", "detail": "low"},
        "doc": {"type": "input_file", "file_id": "file_1", "filename": "a.pdf"}}}
    parsed = M.Prompt.from_dict(prompt)
    assert parsed.to_dict() == prompt and M.Prompt.from_json(parsed.to_json()).to_dict() == prompt
    assert isinstance(parsed.variables["note"], M.InputTextContent) and parsed.variables["city"] == "Lyon"
    assert M.Prompt.from_dict(None) is None


def test_every_component_schema_has_its_model():
    assert len(COMPONENT_MODELS) >= 30
    assert {"RealtimeCreateClientSecretRequest", "RealtimeCreateClientSecretResponse", "RealtimeSessionCreateRequestGA",
            "RealtimeTurnDetection", "VoiceIdsOrCustomVoice", "RealtimeCallReferRequest"} <= set(COMPONENT_MODELS)


@pytest.mark.parametrize("name", COMPONENT_MODELS)
def test_every_model_round_trips_any_schema_valid_json(name):
    model = getattr(M, name)
    schema = json_schema(name)

    @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
    @given(from_schema(schema))
    def round_trip(body):
        body = json.loads(json.dumps(body))
        parsed = model.from_dict(body)
        if body is None:   # a nullable schema: None, or a union holding None, as in the stock client
            assert parsed is None or parsed.actual_instance is None
            return
        assert parsed.to_dict() == body
        assert json.loads(model.from_json(json.dumps(body)).to_json()) == body

    round_trip()


def test_every_model_gives_a_json_schema():
    for name in dir(M.models):
        model = getattr(M.models, name)
        if isinstance(model, type) and issubclass(model, BaseModel):
            assert isinstance(model.model_json_schema(), dict), name


UNIONS = sorted(name for name in dir(M.models) if isinstance(getattr(M.models, name), type)
                and issubclass(getattr(M.models, name), ComposedModel) and getattr(M.models, name) is not ComposedModel)


@pytest.mark.parametrize("name", UNIONS)
def test_every_union_keeps_an_unknown_kind_from_a_server_unchanged(name):
    union = getattr(M.models, name)
    unknown = {"type": "a_kind_added_later", "detail": {"x": [1, None]}}
    with parsing_server_response():
        parsed = union.from_dict(unknown)
        assert parsed.to_dict() == unknown and isinstance(parsed, union)
        assert union.from_json(json.dumps(unknown)).to_dict() == unknown


def test_a_grown_client_secrets_answer_parses_and_writes_back_unchanged():
    answer = json.loads(SPEC["paths"]["/realtime/client_secrets"]["post"]["x-oaiMeta"]["examples"]["response"])
    session = answer["session"]
    session["audio"]["output"]["voice"] = "juniper"                             # a new voice
    session["audio"]["output"]["format"] = {"type": "audio/opus", "rate": 48000}  # a new format kind
    session["audio"]["input"]["turn_detection"] = {"type": "neural_vad", "level": 2}  # a new turn detection
    session["tools"] = [{"type": "web_search", "depth": 3},                    # a new tool kind, and known ones
                        {"type": "function", "name": "f", "parameters": {}, "strict": True},
                        {"type": "mcp", "server_label": "s", "server_url": "https://mcp.example", "auth": "new"}]
    session["tool_choice"] = {"type": "web_search"}                             # a new tool choice kind
    session["output_modalities"] = ["video"]                                    # a new enum value
    session["tracing"] = {"workflow_name": "w", "sampling": 0.5}                 # a new field in a union member
    session["truncation"] = {"type": "smart", "budget": 5}                       # a new truncation kind
    session["brand_new"] = {"deep": {"er": True}}                               # a new field
    for parsed in (M.RealtimeCreateClientSecretResponse.from_json(json.dumps(answer)),
                   M.RealtimeCreateClientSecretResponse.from_dict(answer)):
        assert parsed.to_dict() == answer
        assert isinstance(parsed.session, M.RealtimeSessionCreateResponseGA)
        assert isinstance(parsed.session.tools[1], M.RealtimeFunctionTool)
        assert isinstance(parsed.session.tools[2], M.MCPTool) and parsed.session.tools[0] == {"type": "web_search", "depth": 3}
    answer["session"] = {"type": "video", "id": "sess_v"}                       # a new session kind
    assert M.RealtimeCreateClientSecretResponse.from_json(json.dumps(answer)).to_dict() == answer


def test_requests_stay_strict_about_the_same_unions():
    with pytest.raises(ValueError, match="realtime"):
        M.RealtimeCreateClientSecretRequest(session={"type": "video"})
    with pytest.raises(ValueError):
        M.RealtimeSessionCreateRequestGA(type="realtime", tools=[{"type": "web_search"}])
    with pytest.raises(ValueError):
        M.RealtimeSessionCreateRequestGA(type="realtime", audio={"input": {"turn_detection": {"type": "neural_vad"}}})
    with pytest.raises(ValueError, match="created_at"):
        M.ClientSecretExpiration(anchor="created_att")
    with pytest.raises(ValueError, match="greater than or equal to 10"):
        M.ClientSecretExpiration(seconds=5)
    with pytest.raises(ValueError):
        M.RealtimeSessionCreateRequestGA(type="realtime", output_modalities=["vidio"])


def test_open_enums_and_custom_voices_are_plain_values():
    session = M.RealtimeSessionCreateRequestGA(
        type="realtime", model="ft:gpt-realtime:acme::1",
        audio=M.RealtimeSessionCreateRequestGAAudio(
            output=M.RealtimeSessionCreateRequestGAAudioOutput(voice={"id": "voice_1234"})))
    assert session.model == "ft:gpt-realtime:acme::1"
    assert session.to_dict() == {"type": "realtime", "model": "ft:gpt-realtime:acme::1",
                                 "audio": {"output": {"voice": {"id": "voice_1234"}}}}
    assert M.RealtimeSessionCreateRequest(voice="cedar").voice == "cedar"
    assert M.VoiceIdsOrCustomVoice("marin").to_dict() == "marin"
    assert M.VoiceIdsOrCustomVoice.from_json('{"id": "voice_1"}').to_dict() == {"id": "voice_1"}


def test_nothing_is_sent_that_the_caller_did_not_set():
    assert M.RealtimeSessionCreateRequestGA(type="realtime").to_dict() == {"type": "realtime"}
    assert M.RealtimeSessionCreateRequestGAAudioOutput().to_dict() == {}   # no speed: 1, no voice: alloy
