"""How every AWS backend (Rekognition, Personalize, SageMaker, Bedrock) and tool makes its boto3 client and reads
AWS errors: one place, so that each keeps only its own timeouts and retry policy."""

import threading
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError


class LazyClient:
    """A boto3 client made on first use, so that importing or building a backend (at start-up, in tests) needs no
    credentials. `client`, when given, is used instead (tests pass a stubbed one)."""

    def __init__(
        self, service_name: str, *, region_name: str | None, config: Config, client: Any | None = None
    ) -> None:
        self._service_name = service_name
        self._region_name = region_name
        self._config = config
        self._client = client
        self._lock = threading.Lock()

    def get(self) -> Any:
        with self._lock:
            if self._client is None:
                self._client = new_client(self._service_name, region_name=self._region_name, config=self._config)
            return self._client


def new_client(service_name: str, *, region_name: str | None, config: Config) -> Any:
    # boto3's default session is not thread-safe, so each client comes from a session of its own.
    return boto3.session.Session().client(service_name, region_name=region_name, config=config)


def error_code(error: ClientError) -> str:
    """AWS's code for a refused call ("ThrottlingException", "ResourceNotFoundException"...), or ""."""
    return error.response.get("Error", {}).get("Code", "")


def describe(error: ClientError | BotoCoreError) -> str:
    """The code and message of a refused call, or the text of a transport failure, for logs and error messages."""
    if isinstance(error, ClientError):
        return f"{error_code(error) or 'Unknown'}: {error.response.get('Error', {}).get('Message', '')}"
    return f"{type(error).__name__}: {error}"
