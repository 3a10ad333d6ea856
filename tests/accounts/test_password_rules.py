"""New passwords are judged by zxcvbn with the person's name, email address and the
service's name as the words a guesser would try first."""

import re

import pytest

from mdt.accounts.passwords import context_words, password_problem
from tests.conftest import login, submit

SEC_TEST = context_words("Sec Test policy", "sec.test@example.org", "MDT Coordinator")


def test_context_words_are_each_word_and_the_words_run_together():
    assert context_words("Sec Test policy", "jo.clarke@nhs.net", "MDT Coordinator") == [
        "sec",
        "test",
        "policy",
        "sectestpolicy",
        "jo",
        "clarke",
        "joclarke",
        "nhs",
        "net",
        "nhsnet",
        "mdt",
        "coordinator",
        "mdtcoordinator",
    ]


@pytest.mark.parametrize(
    "password",
    [
        "correcthorsebatterystaple",
        "correct horse battery staple",
        "Correct-Horse-Battery-Staple",
        "SecTestpolicy2024",
        "sec.test.policy.2024",
        "sectest-example-org",
        "mdt-coordinator-2024",
        "password1234",
    ],
)
def test_a_guessable_password_is_refused(password):
    assert "harder to guess" in password_problem(password, SEC_TEST)


@pytest.mark.parametrize(
    "password", ["amber-lantern-quietly-77", "violet-tractor-harbour-42", "ferret quilt bagpipe"]
)
def test_unrelated_words_together_are_accepted(password):
    assert password_problem(password, SEC_TEST) is None


def _password_page(client, make):  # type: ignore[no-untyped-def]
    admin = make.admin()
    person = make.user(name="Sec Test policy", email="sec.test@example.org", password=None)
    login(client, admin.email)
    page = submit(client, f"/users/{person.id}/password-link", {}, form_url=f"/users/{person.id}")
    url = re.search(r'id="password-link">([^<]+)<', page.text).group(1)
    return url.removeprefix("http://mdt.test")


@pytest.mark.parametrize("password", ["correcthorsebatterystaple", "SecTestpolicy2024"])
def test_setting_a_password_from_ones_name_or_a_famous_example_is_refused(client, make, password):
    path = _password_page(client, make)
    other = client.application.test_client()
    response = submit(other, path, {"password": password, "confirm": password})
    assert response.status_code == 200
    assert "harder to guess" in response.text
    assert "There is a problem" in response.text


def test_a_good_password_is_set_and_signs_in(client, make):
    path = _password_page(client, make)
    other = client.application.test_client()
    good = "ferret quilt bagpipe"
    assert submit(other, path, {"password": good, "confirm": good}).status_code == 302
    login(other, "sec.test@example.org", good)
