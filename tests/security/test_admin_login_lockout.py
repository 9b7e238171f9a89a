"""The admin login locks a login out after repeated wrong passwords from one address (django-axes): 100 wrong
passwords in 34 s were all answered, and the right one after them let the prober in."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db
LOGIN = "/admin/login/"


def log_in(password: str, *, address: str) -> int:
    client = Client(REMOTE_ADDR=address)
    return client.post(LOGIN, {"username": "curator", "password": password, "next": "/admin/"}).status_code


def test_ten_wrong_passwords_lock_that_login_out_from_that_address() -> None:
    get_user_model().objects.create_user(username="curator", password="the-right-one", is_staff=True)
    assert [log_in("guess", address="198.51.100.7") for _ in range(9)] == [200] * 9  # the form again, with its error
    locked = Client(REMOTE_ADDR="198.51.100.7").post(LOGIN, {"username": "curator", "password": "guess"})
    assert (locked.status_code, locked["Retry-After"]) == (429, "900")  # axes's page named no time to wait
    assert "Try again in 15 minutes" in locked.content.decode()
    assert log_in("the-right-one", address="198.51.100.7") == 429  # locked: the right password no longer helps
    assert log_in("the-right-one", address="198.51.100.8") == 302  # the curator at another address still can


def test_a_right_password_resets_the_count() -> None:
    get_user_model().objects.create_user(username="curator", password="the-right-one", is_staff=True)
    for _ in range(2):
        assert [log_in("typo", address="198.51.100.9") for _ in range(9)] == [200] * 9
        assert log_in("the-right-one", address="198.51.100.9") == 302
