"""The language-model song suggesters against canned answers: Bedrock's Converse API through botocore's Stubber,
an OpenAI-compatible endpoint through `responses`. No request leaves the machine."""

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import responses
from botocore.stub import Stubber
from django.core.exceptions import ImproperlyConfigured

from curation.songs.bedrock import BedrockSongSuggester
from curation.songs.openai_compatible import MAX_RESPONSE_BYTES, OpenAICompatibleSongSuggester
from curation.songs.suggesters import SYSTEM_PROMPT, SuggestionFailed, SuggestionRequest, user_prompt
from emotion_garden.vocabulary import Emotion
from tests.aws import aws_client

MODEL = "amazon.nova-lite-v1:0"
SONGS = '{"songs": [{"title": "Fix You", "artist": "Coldplay"}]}'
SAD = SuggestionRequest(emotion=Emotion.SAD, count=5, known=[("Someone Like You", "Adele")])
BASE_URL = "http://127.0.0.1:8080/v1"
COMPLETIONS = f"{BASE_URL}/chat/completions"


def test_the_prompt_names_the_mood_the_count_the_known_songs_and_the_shape() -> None:
    prompt = user_prompt(SuggestionRequest(emotion=Emotion.FEAR, count=7, known=[("밤편지", "IU")]))
    assert "Suggest 7 well-known songs for a listener who feels afraid" in prompt
    assert '[{"title": "밤편지", "artist": "IU"}]' in prompt
    assert '{"songs": [{"title": "...", "artist": "..."}]}' in prompt


# --- Bedrock --------------------------------------------------------------------------------------------------------


@pytest.fixture
def bedrock(no_real_aws: None) -> Iterator[tuple[Any, Stubber]]:
    client = aws_client("bedrock-runtime")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def converse_answer(text: str | None, stop_reason: str = "end_turn") -> dict[str, Any]:
    content = [] if text is None else [{"text": text}]
    return {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": stop_reason,
        "usage": {"inputTokens": 120, "outputTokens": 40, "totalTokens": 160},
        "metrics": {"latencyMs": 900},
    }


def test_bedrock_sends_one_converse_request_and_returns_the_text(bedrock: tuple[Any, Stubber]) -> None:
    client, stubber = bedrock
    stubber.add_response("converse", converse_answer(SONGS), {
        "modelId": MODEL,
        "system": [{"text": SYSTEM_PROMPT}],
        "messages": [{"role": "user", "content": [{"text": user_prompt(SAD)}]}],
        "inferenceConfig": {"maxTokens": 4096, "temperature": 0.5},
    })
    assert BedrockSongSuggester(model_id=MODEL, client=client).suggest(SAD) == SONGS


def test_bedrock_joins_the_text_blocks_of_the_answer(bedrock: tuple[Any, Stubber]) -> None:
    client, stubber = bedrock
    answer = converse_answer(None)
    answer["output"]["message"]["content"] = [{"text": '{"songs": ['}, {"text": "]}"}]
    stubber.add_response("converse", answer)
    assert BedrockSongSuggester(model_id=MODEL, client=client).suggest(SAD) == '{"songs": []}'


@pytest.mark.parametrize(("answer", "reason"), [
    (converse_answer('{"songs": [{"title": "Fix', "max_tokens"), "cut off at 4096 tokens"),
    (converse_answer("", "guardrail_intervened"), "blocked"),
    (converse_answer(None, "content_filtered"), "blocked"),
    (converse_answer(None), "without text"),
    (converse_answer("   "), "without text"),
])
def test_bedrock_answers_that_hold_no_songs_fail(bedrock: tuple[Any, Stubber], answer: dict, reason: str) -> None:
    client, stubber = bedrock
    stubber.add_response("converse", answer)
    with pytest.raises(SuggestionFailed, match=reason):
        BedrockSongSuggester(model_id=MODEL, client=client).suggest(SAD)


@pytest.mark.parametrize(("code", "message"), [
    ("ThrottlingException", "Too many requests"),
    ("AccessDeniedException", "You don't have access to the model"),
    ("ValidationException", "The provided model identifier is invalid."),
])
def test_bedrock_errors_are_named(bedrock: tuple[Any, Stubber], code: str, message: str) -> None:
    client, stubber = bedrock
    stubber.add_client_error("converse", service_error_code=code, service_message=message, http_status_code=400)
    with pytest.raises(SuggestionFailed, match=f"Bedrock model {MODEL} failed: {code}: {message}"):
        BedrockSongSuggester(model_id=MODEL, client=client).suggest(SAD)


# --- OpenAI-compatible endpoints ------------------------------------------------------------------------------------


@pytest.fixture
def endpoint() -> Iterator[responses.RequestsMock]:
    # assert_all_requests_are_fired: every canned answer must have been asked for; anything unregistered fails.
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


def completion(content: Any, finish_reason: str = "stop") -> dict[str, Any]:
    return {"id": "chatcmpl-1", "object": "chat.completion", "model": "llama3",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                         "finish_reason": finish_reason}]}


def suggester(**options: Any) -> OpenAICompatibleSongSuggester:
    return OpenAICompatibleSongSuggester(base_url=BASE_URL + "/", model="llama3", **options)


def test_openai_compatible_posts_a_chat_completion_and_returns_the_message(endpoint: responses.RequestsMock) -> None:
    endpoint.post(COMPLETIONS, json=completion(SONGS))
    assert suggester(api_key="sk-test").suggest(SAD) == SONGS
    sent = endpoint.calls[0].request
    assert sent.headers["Authorization"] == "Bearer sk-test"
    assert json.loads(sent.body) == {
        "model": "llama3",
        "messages": [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user_prompt(SAD)}],
        "max_tokens": 4096, "temperature": 0.5, "response_format": {"type": "json_object"},
    }


def test_a_self_hosted_server_needs_no_key_and_may_go_without_json_mode(endpoint: responses.RequestsMock) -> None:
    endpoint.post(COMPLETIONS, json=completion(SONGS))
    assert suggester(json_mode=False).suggest(SAD) == SONGS
    sent = endpoint.calls[0].request
    assert "Authorization" not in sent.headers
    assert "response_format" not in json.loads(sent.body)


@pytest.mark.parametrize(("status", "body", "reason"), [
    (401, {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}},
     "HTTP 401: Incorrect API key provided"),
    (429, {"error": {"message": "Rate limit reached"}}, "HTTP 429: Rate limit reached"),
    (502, "<html>Bad Gateway</html>", "HTTP 502: no reason given"),
    (200, "<html>not json</html>", "not a JSON object"),
    (200, [1, 2, 3], "not a JSON object"),
    (200, {"choices": []}, "without a message"),
    (200, {"choices": [{"message": {"content": None}}]}, "without a message"),
    (200, completion('{"songs": [{"title": "Fi', "length"), "cut off at 4096 tokens"),
    (200, completion("", "content_filter"), "blocked by its content filter"),
])
def test_openai_compatible_failures_are_reported(
    endpoint: responses.RequestsMock, status: int, body: Any, reason: str
) -> None:
    if isinstance(body, str):
        endpoint.post(COMPLETIONS, body=body, status=status)
    else:
        endpoint.post(COMPLETIONS, json=body, status=status)
    with pytest.raises(SuggestionFailed, match=reason):
        suggester(api_key="sk-secret").suggest(SAD)


def test_an_unreachable_endpoint_is_reported_without_the_key(endpoint: responses.RequestsMock) -> None:
    endpoint.post(COMPLETIONS, body=requests.ConnectionError("connection refused by Bearer sk-secret"))
    with pytest.raises(SuggestionFailed, match=r"could not be reached \(ConnectionError\)") as failure:
        suggester(api_key="sk-secret").suggest(SAD)
    assert "sk-secret" not in str(failure.value)


def test_an_answer_too_large_to_be_one_is_not_read(endpoint: responses.RequestsMock) -> None:
    endpoint.post(COMPLETIONS, body=b" " * (MAX_RESPONSE_BYTES + 10))
    with pytest.raises(SuggestionFailed, match="more than 1048576 bytes"):
        suggester().suggest(SAD)


@pytest.mark.parametrize(("options", "reason"), [
    ({"base_url": "127.0.0.1:8080/v1", "model": "llama3"}, "must start with http"),
    ({"base_url": BASE_URL, "model": ""}, "needs a model name"),
])
def test_a_misconfigured_endpoint_is_refused_at_start(options: dict, reason: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=reason):
        OpenAICompatibleSongSuggester(**options)
