"""Song suggestions from a text model on Amazon Bedrock, through the Converse API.

Converse takes the same request for every chat model Bedrock serves (Amazon Nova, Anthropic Claude, Meta Llama,
Mistral...), so any of them works by its model id or inference profile; only the answer's text is read.
"""

from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from curation.songs.suggesters import SYSTEM_PROMPT, SongSuggester, SuggestionFailed, SuggestionRequest, user_prompt
from emotion_garden.aws import LazyClient, describe


class BedrockSongSuggester(SongSuggester):
    source = "bedrock"

    def __init__(
        self,
        *,
        model_id: str = "amazon.nova-lite-v1:0",
        region_name: str | None = None,
        max_tokens: int = 4096,
        temperature: float = 0.5,
        timeout_s: int = 120,
        client: Any | None = None,
    ) -> None:
        self._model_id = model_id
        self._max_tokens = max_tokens
        self._temperature = temperature
        # One quick retry of a throttled or dropped call: a curator can start another run, so no long waits here.
        config = Config(connect_timeout=10, read_timeout=timeout_s,
                        retries={"total_max_attempts": 2, "mode": "standard"})
        self._client = LazyClient("bedrock-runtime", region_name=region_name, config=config, client=client)
        self._source = f"Bedrock model {model_id}"

    def suggest(self, request: SuggestionRequest) -> str:
        try:
            response = self._client.get().converse(
                modelId=self._model_id,
                system=[{"text": SYSTEM_PROMPT}],
                messages=[{"role": "user", "content": [{"text": user_prompt(request)}]}],
                inferenceConfig={"maxTokens": self._max_tokens, "temperature": self._temperature},
            )
        except (ClientError, BotoCoreError) as error:
            raise SuggestionFailed(f"{self._source} failed: {describe(error)}") from error
        stop_reason = response.get("stopReason")
        if stop_reason in ("guardrail_intervened", "content_filtered"):
            raise SuggestionFailed(f"{self._source}: the answer was blocked ({stop_reason}).")
        if stop_reason == "max_tokens":
            raise SuggestionFailed(
                f"{self._source}: the answer was cut off at {self._max_tokens} tokens; ask for fewer songs."
            )
        content = response.get("output", {}).get("message", {}).get("content", [])
        text = "".join(block["text"] for block in content if isinstance(block.get("text"), str))
        if not text.strip():
            raise SuggestionFailed(f"{self._source} answered without text.")
        return text
