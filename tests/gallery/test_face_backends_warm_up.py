import logging

import pytest
from django.db import OperationalError

from gallery.faces import face_analyzer, face_identity, warm_up_face_backends


def test_a_backend_that_cannot_warm_up_is_logged_and_the_others_still_load(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    warmed: list[str] = []
    monkeypatch.setattr(face_analyzer(), "warm_up", lambda: warmed.append("analyzer"))

    def database_not_up_yet() -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(face_identity(), "warm_up", database_not_up_yet)

    with caplog.at_level(logging.ERROR, logger="gallery.faces"):
        warm_up_face_backends()

    assert warmed == ["analyzer"]
    assert "Warming up the face_identity backend failed" in caplog.text
