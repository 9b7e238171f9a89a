"""Song suggestions from any server that speaks OpenAI's chat-completions protocol: OpenAI itself, and the servers
people run their own models on (vLLM, llama.cpp's server, Ollama, LM Studio, text-generation-inference...).

Over `requests` rather than the openai package: one POST is all this needs, requests is maintained, pools
connections, honours the operator's HTTPS_PROXY, and lets the answer be read with a size limit; tests answer it
through `responses` without a network.
"""

import json
from typing import Any

import requests
from django.core.exceptions import ImproperlyConfigured

from curation.songs.suggesters import SYSTEM_PROMPT, SongSuggester, SuggestionFailed, SuggestionRequest, user_prompt

# A chat completion with fifty songs is a few kilobytes; anything near this is not an answer to read.
MAX_RESPONSE_BYTES = 1024 * 1024
CONNECT_TIMEOUT_S = 10


class OpenAICompatibleSongSuggester(SongSuggester):
    source = "openai-compatible"

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str = "",
        json_mode: bool = True,
        max_tokens: int = 4096,
        temperature: float = 0.5,
        timeout_s: int = 120,
        session: requests.Session | None = None,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ImproperlyConfigured(f"The song model's base URL must start with http:// or https://: {base_url!r}")
        if not model:
            raise ImproperlyConfigured("An OpenAI-compatible song suggester needs a model name.")
        self._url = f"{base_url.rstrip('/')}/chat/completions"
        self._model = model
        self._api_key = api_key
        # {"type": "json_object"} makes servers that support it (OpenAI, vLLM, llama.cpp, Ollama) answer valid JSON;
        # turn it off for a server that refuses the field.
        self._json_mode = json_mode
        self._max_tokens = max_tokens
        self._temperature = temperature
        self._timeout_s = timeout_s
        self._session = session or requests.Session()
        self._source = f"The model {model} at {base_url}"

    def suggest(self, request: SuggestionRequest) -> str:
        body: dict[str, Any] = {
            "model": self._model,
            "messages": [{"role": "system", "content": SYSTEM_PROMPT},
                         {"role": "user", "content": user_prompt(request)}],
            "max_tokens": self._max_tokens,
            "temperature": self._temperature,
        }
        if self._json_mode:
            body["response_format"] = {"type": "json_object"}
        headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
        try:
            with self._session.post(self._url, json=body, headers=headers, stream=True,
                                    timeout=(CONNECT_TIMEOUT_S, self._timeout_s)) as response:
                payload = response.raw.read(MAX_RESPONSE_BYTES + 1, decode_content=True)
                status = response.status_code
        except (requests.RequestException, OSError) as error:
            # The type only: a message could quote the request, whose headers carry the API key.
            raise SuggestionFailed(f"{self._source} could not be reached ({type(error).__name__}).") from None
        if len(payload) > MAX_RESPONSE_BYTES:
            raise SuggestionFailed(f"{self._source} answered with more than {MAX_RESPONSE_BYTES} bytes.")
        answer = _json_object(payload)
        if status != 200:
            raise SuggestionFailed(f"{self._source} answered HTTP {status}: {_error_message(answer)}")
        if answer is None:
            raise SuggestionFailed(f"{self._source} answered with something that is not a JSON object.")
        return self._content(answer)

    def _content(self, answer: dict[str, Any]) -> str:
        choices = answer.get("choices")
        choice = choices[0] if isinstance(choices, list) and choices and isinstance(choices[0], dict) else {}
        finish_reason = choice.get("finish_reason")
        if finish_reason == "length":
            raise SuggestionFailed(
                f"{self._source}: the answer was cut off at {self._max_tokens} tokens; ask for fewer songs."
            )
        if finish_reason == "content_filter":
            raise SuggestionFailed(f"{self._source}: the answer was blocked by its content filter.")
        message = choice.get("message")
        content = message.get("content") if isinstance(message, dict) else None
        if not isinstance(content, str) or not content.strip():
            raise SuggestionFailed(f"{self._source} answered without a message.")
        return content


def _json_object(payload: bytes) -> dict[str, Any] | None:
    try:
        document = json.loads(payload)
    except (ValueError, RecursionError):
        return None
    return document if isinstance(document, dict) else None


def _error_message(answer: dict[str, Any] | None) -> str:
    """The server's own reason ({"error": {"message": ...}} in OpenAI's format), short."""
    error = (answer or {}).get("error")
    message = error.get("message") if isinstance(error, dict) else error
    text = " ".join(str(message).split()) if message else "no reason given"
    return text if len(text) <= 300 else text[:299] + "…"
