"""The hazard log cannot drift from the code: every test it names exists, every risk follows
the DCB0129 matrix, and the rendered log is the TOML's."""

from __future__ import annotations

from tests.safety.hazard_log import (
    RENDERED,
    collected_ids,
    load,
    missing_tests,
    named_tests,
    render,
    wrong_ratings,
)

REQUIRED = {
    "An action with no owner is lost",
    "A cover does not know the patient",
    "A meeting is shown at the wrong time",
    "Minutes are sent to the wrong person",
    "A patient who objected is discussed",
    "A reminder is not sent",
    "Data is shown to someone not in the care team",
}


def test_every_test_the_hazard_log_names_exists_in_the_suite():
    assert missing_tests(named_tests(load()), collected_ids()) == []


def test_a_made_up_test_id_is_reported_missing():
    ids = collected_ids()
    real = (
        "tests/safety/test_hazard_log.py::test_every_test_the_hazard_log_names_exists_in_the_suite"
    )
    assert real in ids
    made_up = [
        "tests/agenda/test_agenda.py::test_a_patient_is_discussed_twice_at_once",
        "tests/nowhere/test_missing.py::test_anything",
        real.replace("exists", "exist"),
    ]
    assert missing_tests([real, *made_up], ids) == made_up
    assert missing_tests([f"{real}[sqlite]"], ids) == []


def test_every_hazard_has_causes_effects_controls_with_tests_and_both_risks():
    hazards = load()
    assert {h["title"] for h in hazards} >= REQUIRED
    assert len({h["id"] for h in hazards}) == len(hazards)
    for h in hazards:
        assert h["causes"] and h["effects"], h["id"]
        assert h["controls"] and all(c["tests"] for c in h["controls"]), h["id"]
        assert h["residual"]["risk"] <= h["initial"]["risk"], h["id"]


def test_every_risk_follows_the_dcb0129_matrix():
    assert wrong_ratings(load()) == []
    wrong = [
        {
            "id": "H99",
            "initial": {"likelihood": "high", "severity": "major", "risk": 2},
            "residual": {"likelihood": "low", "severity": "minor", "risk": 1},
        }
    ]
    assert wrong_ratings(wrong) == ["H99 initial: 2, matrix 4"]


def test_the_rendered_log_is_up_to_date():
    assert RENDERED.read_text() == render(load()), "run: python -m tests.safety.hazard_log"


def test_the_safety_case_summarises_every_hazard_as_the_log_rates_it():
    case = (RENDERED.parent / "safety-case.md").read_text()
    for h in load():
        row = f"| {h['id']} | {h['title']} | {h['initial']['risk']} | {h['residual']['risk']} |"
        assert row in case, f"safety-case.md: update the summary row of {h['id']}"
